//! schema.org JSON-LD for search engines and link previews: `NewsArticle` for articles,
//! `CriticReview` of a `Movie` for reviews linked to a film, and the `Place` (with its
//! `PostalAddress` and `GeoCoordinates`) of screenings and events.

use crate::site::SiteInfo;
use crate::views::ArticleView;
use marquee_store::{Credit, Film};
use serde_json::{json, Value};

/// JSON that cannot end the `<script>` element it sits in.
pub fn script_safe(v: &Value) -> String {
    v.to_string().replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

fn person(name: &str, url: Option<String>) -> Value {
    match url {
        Some(u) => json!({"@type": "Person", "name": name, "url": u}),
        None => json!({"@type": "Person", "name": name}),
    }
}

pub fn movie(base: &str, f: &Film, credits: &[Credit]) -> Value {
    let people = |role: &str| -> Vec<Value> {
        credits.iter().filter(|c| c.role == role).map(|c| person(&c.person_name, Some(format!("{base}/people/{}/", c.person_slug)))).collect()
    };
    let mut m = json!({
        "@type": "Movie",
        "name": f.title,
        "url": format!("{base}/films/{}/", f.slug),
        "director": people("director"),
        "producer": people("producer"),
        "author": people("writer"),
        "actor": people("cast"),
    });
    let o = m.as_object_mut().expect("object");
    if !f.original_title.is_empty() && f.original_title != f.title {
        o.insert("alternateName".into(), json!(f.original_title));
    }
    if let Some(d) = f.release_date.clone().or(f.year.map(|y| y.to_string())) {
        o.insert("dateCreated".into(), json!(d));
    }
    if let Some(m) = f.runtime_minutes {
        o.insert("duration".into(), json!(marquee_domain::film::iso_duration(m)));
    }
    if let Some(r) = &f.certification {
        o.insert("contentRating".into(), json!(match &f.certification_body {
            Some(body) => format!("{body} {r}"),
            None => r.clone(),
        }));
    }
    let genres: Vec<&str> = f.genres.lines().filter(|g| !g.is_empty()).collect();
    if !genres.is_empty() {
        o.insert("genre".into(), json!(genres));
    }
    let mut same_as = Vec::new();
    if let Some(id) = &f.imdb_id {
        same_as.push(format!("https://www.imdb.com/title/{id}/"));
    }
    if let Some(id) = &f.wikidata_id {
        same_as.push(format!("https://www.wikidata.org/wiki/{id}"));
    }
    if let Some(id) = &f.tmdb_id {
        same_as.push(format!("https://www.themoviedb.org/movie/{id}"));
    }
    if !same_as.is_empty() {
        o.insert("sameAs".into(), json!(same_as));
    }
    m
}

/// The article's JSON-LD: a `CriticReview` when it reviews a film, else a `NewsArticle`.
pub fn article(site: &SiteInfo, a: &ArticleView, movie: Option<&Value>) -> String {
    let base = site.publication.base_url.trim_end_matches('/');
    let url = format!("{base}{}", a.url);
    let mut v = json!({
        "@context": "https://schema.org",
        "@type": if movie.is_some() { "CriticReview" } else { "NewsArticle" },
        "headline": a.headline,
        "url": url,
        "mainEntityOfPage": url,
        "articleSection": a.section_name,
        "author": a.authors.iter().map(|p| person(&p.name, Some(format!("{base}{}", p.url)))).collect::<Vec<_>>(),
        "publisher": {"@type": "Organization", "name": site.publication.name, "url": format!("{base}/")},
        "keywords": a.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
    });
    let o = v.as_object_mut().expect("object");
    if !a.deck.is_empty() {
        o.insert("description".into(), json!(a.deck));
    }
    if !a.date_iso.is_empty() {
        o.insert("datePublished".into(), json!(a.date_iso));
        o.insert("dateModified".into(), json!(a.updated_iso.clone().unwrap_or_else(|| a.date_iso.clone())));
    }
    if let Some(img) = &a.lead {
        o.insert("image".into(), json!({"@type": "ImageObject", "url": img.url, "width": img.width, "height": img.height}));
    }
    if let Some(m) = movie {
        o.insert("itemReviewed".into(), m.clone());
        if let Some(r) = a.rating {
            o.insert("reviewRating".into(), json!({"@type": "Rating", "ratingValue": r, "bestRating": 5, "worstRating": 1}));
        }
    }
    script_safe(&v)
}

/// A place of `kind` (`Place`, `MovieTheater`) with its US postal address and, when known,
/// its coordinates.
pub fn place(kind: &str, name: &str, street: &str, city: &str, state: &str, postal_code: &str, point: Option<(f64, f64)>) -> Value {
    let mut p = json!({
        "@type": kind,
        "name": name,
        "address": {"@type": "PostalAddress", "streetAddress": street, "addressLocality": city, "addressRegion": state, "postalCode": postal_code, "addressCountry": "US"},
    });
    if let Some((latitude, longitude)) = point {
        p["geo"] = json!({"@type": "GeoCoordinates", "latitude": latitude, "longitude": longitude});
    }
    p
}

/// A schema.org `Event` at its venue: dates with the venue's offset (an all-day event by
/// its dates), in person, with an `Offer` when there is a ticket link or a price in dollars.
pub fn event(base: &str, d: &marquee_store::EventDetail) -> String {
    use marquee_domain::event::price_amount;
    use marquee_domain::time::rfc3339;
    let (e, v) = (&d.event, &d.venue);
    let c = &e.card;
    let tz = jiff::tz::TimeZone::get(&v.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let date = |t: i64| jiff::Timestamp::from_second(t).map(|ts| ts.to_zoned(tz.clone()).date().to_string()).unwrap_or_default();
    let url = format!("{base}/events/{}/", c.slug);
    let point = v.latitude.zip(v.longitude);
    let mut location = place("Place", &v.name, &v.address, &v.city, &v.state, &v.postal_code, point);
    if !v.url.is_empty() {
        location["url"] = json!(v.url);
    }
    let mut ev = json!({
        "@context": "https://schema.org",
        "@type": "Event",
        "name": c.title,
        "url": url,
        "startDate": if c.all_day { date(c.starts_at) } else { rfc3339(c.starts_at, &tz) },
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": location,
    });
    if let Some(end) = c.ends_at {
        // An all-day event's stored end is the midnight after its last day.
        ev["endDate"] = json!(if c.all_day { date(end - 1) } else { rfc3339(end, &tz) });
    }
    let description = marquee_domain::markdown::plain_text(&e.description);
    if !description.is_empty() {
        ev["description"] = json!(description);
    }
    let amount = price_amount(&c.price);
    if amount.is_some() || !e.ticket_url.is_empty() {
        let mut offer = json!({"@type": "Offer", "url": if e.ticket_url.is_empty() { &url } else { &e.ticket_url }});
        if let Some(a) = amount {
            offer["price"] = json!(a);
            offer["priceCurrency"] = json!("USD");
        }
        ev["offers"] = offer;
    }
    script_safe(&ev)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_in_a_script_element_cannot_close_it() {
        let v = json!({"name": "</script><script>alert(1)</script> & <!-- \"q\" é", "n": 3});
        let safe = script_safe(&v);
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'), "{safe}");
        assert_eq!(serde_json::from_str::<Value>(&safe).unwrap(), v, "the same JSON to a reader of it");
        assert_eq!(script_safe(&json!({"a": "plain"})), r#"{"a":"plain"}"#);
        assert_eq!(script_safe(&json!("<>&")), r#""\u003c\u003e\u0026""#);
    }
}
