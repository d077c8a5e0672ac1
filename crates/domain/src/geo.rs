//! Places and distances: US ZIP codes to coordinates (GeoNames data, CC BY 4.0, compiled into
//! the binary and credited on `/credits`), great-circle distances and search boxes.

use std::collections::HashMap;
use std::sync::OnceLock;

static ZIPCODES: &str = include_str!("../data/zipcodes.csv");

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Place {
    pub latitude: f64,
    pub longitude: f64,
    pub city: &'static str,
    pub state: &'static str,
}

fn table() -> &'static HashMap<&'static str, Place> {
    static TABLE: OnceLock<HashMap<&'static str, Place>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut map = HashMap::with_capacity(43_000);
        for line in ZIPCODES.lines().skip(1) {
            let mut f = line.split(',');
            let (Some(zip), Some(lat), Some(lon), Some(city), Some(state)) = (f.next(), f.next(), f.next(), f.next(), f.next()) else { continue };
            if let (Ok(latitude), Ok(longitude)) = (lat.parse(), lon.parse()) {
                map.insert(zip, Place { latitude, longitude, city, state });
            }
        }
        map
    })
}

/// The place of a five-digit ZIP code ("94612", "00501").
pub fn zip(code: &str) -> Option<Place> {
    let code = code.trim();
    if code.len() != 5 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    table().get(code).copied()
}

const EARTH_RADIUS_MILES: f64 = 3958.8;

/// Great-circle distance in miles.
pub fn distance_miles(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lon1) = (a.0.to_radians(), a.1.to_radians());
    let (lat2, lon2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_MILES * h.sqrt().asin()
}

/// A latitude/longitude box that holds every point within `radius` miles of `center`, for an
/// indexed first cut before the exact distance.
pub fn bounding_box(center: (f64, f64), radius: f64) -> (f64, f64, f64, f64) {
    let dlat = (radius / EARTH_RADIUS_MILES).to_degrees();
    let cos = center.0.to_radians().cos().abs().max(0.01);
    let dlon = (radius / (EARTH_RADIUS_MILES * cos)).to_degrees().min(180.0);
    (center.0 - dlat, center.0 + dlat, center.1 - dlon, center.1 + dlon)
}

/// Checks a latitude/longitude pair a reader typed.
pub fn valid_point(lat: f64, lon: f64) -> bool {
    lat.is_finite() && lon.is_finite() && (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zip_codes_and_distances() {
        let oakland = zip("94612").unwrap();
        assert_eq!((oakland.city, oakland.state), ("Oakland", "CA"));
        assert!(zip("00501").is_some(), "leading zeros are kept");
        assert!(zip("99999").is_none() && zip("9461").is_none() && zip("abcde").is_none());
        let sf = zip("94103").unwrap();
        let d = distance_miles((oakland.latitude, oakland.longitude), (sf.latitude, sf.longitude));
        assert!((5.0..12.0).contains(&d), "Oakland to San Francisco is about 8 miles, got {d}");
        let (lat0, lat1, lon0, lon1) = bounding_box((oakland.latitude, oakland.longitude), 25.0);
        assert!(lat0 < sf.latitude && sf.latitude < lat1 && lon0 < sf.longitude && sf.longitude < lon1);
        assert!(!valid_point(91.0, 0.0) && valid_point(37.8, -122.3));
    }
}
