//! The files pages serve for one image: a few widths, each in WebP and in the original's format
//! (an animated image is served as uploaded, at its own width). Re-encoding also drops the
//! camera's metadata (EXIF, GPS position) from everything served.

use crate::check::{decode, Checked, Kind, Limits, Refused};
use image::imageops::FilterType;
use std::io::Cursor;

/// The widths a page may ask for; an image gets those narrower than itself, plus its own width
/// when it is narrower than the widest.
pub const WIDTHS: [u32; 5] = [320, 640, 960, 1280, 1920];

/// A rendition's encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Jpeg,
    Png,
    Gif,
    Webp,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::Gif => "gif",
            Format::Webp => "webp",
        }
    }

    pub fn from_extension(ext: &str) -> Option<Format> {
        Some(match ext {
            "jpg" => Format::Jpeg,
            "png" => Format::Png,
            "gif" => Format::Gif,
            "webp" => Format::Webp,
            _ => return None,
        })
    }

    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Gif => "image/gif",
            Format::Webp => "image/webp",
        }
    }

    fn of(kind: Kind) -> Format {
        match kind {
            Kind::Jpeg => Format::Jpeg,
            Kind::Png => Format::Png,
            Kind::Gif => Format::Gif,
            Kind::Webp => Format::Webp,
        }
    }
}

/// One file to make: its width and height and encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Planned {
    pub width: u32,
    pub height: u32,
    pub format: Format,
}

/// Every rendition an image gets, narrowest first, in the fallback format (the original's)
/// and WebP. The same image always gets the same plan, so pages can name renditions before
/// they are made.
pub fn plan(checked: &Checked) -> Vec<Planned> {
    let own = Format::of(checked.kind);
    if checked.animated {
        return vec![Planned { width: checked.width, height: checked.height, format: own }];
    }
    let widest = *WIDTHS.last().expect("widths");
    let mut widths: Vec<u32> = WIDTHS.iter().copied().filter(|w| *w < checked.width).collect();
    if checked.width < widest {
        widths.push(checked.width);
    }
    let mut out = Vec::new();
    for w in widths {
        let h = ((u64::from(checked.height) * u64::from(w) + u64::from(checked.width) / 2) / u64::from(checked.width)).max(1) as u32;
        out.push(Planned { width: w, height: h, format: own });
        if own != Format::Webp {
            out.push(Planned { width: w, height: h, format: Format::Webp });
        }
    }
    out
}

/// Makes the renditions `wanted` of an original (bytes as uploaded) and answers each with its
/// encoded bytes. CPU-heavy: call it off the async workers.
pub fn render(original: &[u8], checked: &Checked, wanted: &[Planned], limits: &Limits) -> Result<Vec<(Planned, Vec<u8>)>, Refused> {
    if checked.animated {
        // Animation survives only as the file itself, which passed the upload check.
        return Ok(wanted.iter().map(|p| (*p, original.to_vec())).collect());
    }
    let img = decode(original, checked.kind, limits)?;
    let mut out = Vec::with_capacity(wanted.len());
    let mut last: Option<(u32, image::DynamicImage)> = None;
    for p in wanted {
        let resized = match &last {
            Some((w, img)) if *w == p.width => img.clone(),
            _ => {
                let r = if p.width == img.width() && p.height == img.height() { img.clone() } else { img.resize_exact(p.width, p.height, FilterType::CatmullRom) };
                last = Some((p.width, r.clone()));
                r
            }
        };
        out.push((*p, encode(&resized, p.format).map_err(|e| Refused::Damaged(e.to_string()))?));
    }
    Ok(out)
}

fn encode(img: &image::DynamicImage, format: Format) -> Result<Vec<u8>, image::ImageError> {
    let mut buf = Cursor::new(Vec::new());
    match format {
        Format::Jpeg => {
            let rgb = img.to_rgb8();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut buf, 82).encode_image(&rgb)?;
        }
        Format::Png => img.write_to(&mut buf, image::ImageFormat::Png)?,
        Format::Gif => img.to_rgba8().write_to(&mut buf, image::ImageFormat::Gif)?,
        Format::Webp => {
            let bytes = if img.color().has_alpha() {
                let rgba = img.to_rgba8();
                webp::Encoder::from_rgba(rgba.as_raw(), rgba.width(), rgba.height()).encode(80.0).to_vec()
            } else {
                let rgb = img.to_rgb8();
                webp::Encoder::from_rgb(rgb.as_raw(), rgb.width(), rgb.height()).encode(80.0).to_vec()
            };
            return Ok(bytes);
        }
    }
    Ok(buf.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{check_upload, Limits};

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 7 % 256) as u8, (y * 3 % 256) as u8, 120]));
        let mut out = Cursor::new(Vec::new());
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90).encode_image(&img).unwrap();
        out.into_inner()
    }

    #[test]
    fn a_wide_photo_gets_every_width_in_two_formats() {
        let bytes = jpeg(2400, 1600);
        let c = check_upload(&bytes, &Limits::default()).unwrap();
        let p = plan(&c);
        let widths: Vec<u32> = p.iter().filter(|r| r.format == Format::Jpeg).map(|r| r.width).collect();
        assert_eq!(widths, vec![320, 640, 960, 1280, 1920]);
        assert_eq!(p.len(), 10);
        assert_eq!(p[0].height, 213);
        let made = render(&bytes, &c, &p[..2], &Limits::default()).unwrap();
        let jpg = image::load_from_memory(&made[0].1).unwrap();
        assert_eq!((jpg.width(), jpg.height()), (320, 213));
        assert!(made[1].1.starts_with(b"RIFF"), "the second is WebP");
        let webp = image::load_from_memory(&made[1].1).unwrap();
        assert_eq!((webp.width(), webp.height()), (320, 213));
    }

    #[test]
    fn a_small_image_is_never_enlarged() {
        let bytes = crate::check::tests::png(500, 100);
        let c = check_upload(&bytes, &Limits::default()).unwrap();
        let widths: Vec<(u32, Format)> = plan(&c).iter().map(|r| (r.width, r.format)).collect();
        assert_eq!(widths, vec![(320, Format::Png), (320, Format::Webp), (500, Format::Png), (500, Format::Webp)]);
    }
}
