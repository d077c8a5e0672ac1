//! What an upload is, decided by its first bytes and a full decode: JPEG, PNG, GIF or WebP
//! within the size and pixel limits. Anything else (SVG, HTML, PDF, AVIF, a renamed script, a
//! truncated or corrupt file) is refused with a sentence an editor can act on.

use image::{ImageDecoder, ImageReader};
use std::io::Cursor;

/// The raster formats a newsroom may upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Jpeg,
    Png,
    Gif,
    Webp,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Jpeg => "jpeg",
            Kind::Png => "png",
            Kind::Gif => "gif",
            Kind::Webp => "webp",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "jpeg" => Kind::Jpeg,
            "png" => Kind::Png,
            "gif" => Kind::Gif,
            "webp" => Kind::Webp,
            _ => return None,
        })
    }

    /// The file extension its files carry.
    pub fn extension(self) -> &'static str {
        match self {
            Kind::Jpeg => "jpg",
            other => other.as_str(),
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Kind::Jpeg => "image/jpeg",
            Kind::Png => "image/png",
            Kind::Gif => "image/gif",
            Kind::Webp => "image/webp",
        }
    }

    fn image_format(self) -> image::ImageFormat {
        match self {
            Kind::Jpeg => image::ImageFormat::Jpeg,
            Kind::Png => image::ImageFormat::Png,
            Kind::Gif => image::ImageFormat::Gif,
            Kind::Webp => image::ImageFormat::WebP,
        }
    }
}

/// How large an upload may be.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_bytes: usize,
    /// Width times height, after the camera's orientation is applied.
    pub max_pixels: u64,
    /// The longest side, in pixels.
    pub max_side: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_bytes: 25 * 1024 * 1024, max_pixels: 50_000_000, max_side: 12_000 }
    }
}

/// Why an upload was refused; `Display` is the message for the editor.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refused {
    #[error("The file is empty.")]
    Empty,
    #[error("The file is {got_mb:.1} MB; images can be at most {max_mb:.1} MB.")]
    TooLarge { got_mb: f64, max_mb: f64 },
    #[error("SVG images are not accepted: they can carry scripts. Export the picture as PNG or JPEG and upload that.")]
    Svg,
    #[error("AVIF images cannot be processed on this server yet. Save the picture as JPEG, PNG or WebP and upload that.")]
    Avif,
    #[error("This file is not a JPEG, PNG, GIF or WebP image (whatever its name says). Upload one of those.")]
    NotAnImage,
    #[error("The image is {width}×{height} pixels; images can be at most {max_side} pixels on a side and {max_mp} megapixels.")]
    TooManyPixels { width: u32, height: u32, max_side: u32, max_mp: u64 },
    #[error("The image could not be read ({0}). It may be damaged or cut short; export it again and upload that.")]
    Damaged(String),
}

/// An upload that passed: what it is and its size as it will be shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub kind: Kind,
    /// Width and height after the camera's orientation (EXIF) is applied.
    pub width: u32,
    pub height: u32,
    /// An animated GIF or WebP: served as uploaded, since resizing would keep one frame.
    pub animated: bool,
}

/// The format the first bytes announce, or why they are refused.
pub fn sniff(bytes: &[u8]) -> Result<Kind, Refused> {
    if bytes.is_empty() {
        return Err(Refused::Empty);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(Kind::Jpeg);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(Kind::Png);
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Ok(Kind::Gif);
    }
    if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Ok(Kind::Webp);
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" && matches!(&bytes[8..12], b"avif" | b"avis") {
        return Err(Refused::Avif);
    }
    // Markup of any kind (SVG, HTML, XML) may hold script: look past a BOM and white space.
    let head = &bytes[..bytes.len().min(512)];
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.contains("<svg") {
        return Err(Refused::Svg);
    }
    Err(Refused::NotAnImage)
}

/// Checks an upload: its format by content, its size in bytes and pixels, and that it decodes
/// whole. Runs a full decode, so call it off the async workers.
pub fn check_upload(bytes: &[u8], limits: &Limits) -> Result<Checked, Refused> {
    if bytes.len() > limits.max_bytes {
        return Err(Refused::TooLarge { got_mb: bytes.len() as f64 / (1024.0 * 1024.0), max_mb: limits.max_bytes as f64 / (1024.0 * 1024.0) });
    }
    let kind = sniff(bytes)?;
    if kind == Kind::Jpeg && !jpeg_complete(bytes) {
        return Err(Refused::Damaged("it ends before the picture does".into()));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), kind.image_format());
    reader.limits(decode_limits(limits));
    let mut decoder = reader.into_decoder().map_err(damaged)?;
    let (w, h) = decoder.dimensions();
    let too_many = |width, height| Refused::TooManyPixels { width, height, max_side: limits.max_side, max_mp: limits.max_pixels / 1_000_000 };
    if w == 0 || h == 0 {
        return Err(Refused::Damaged("it has no pixels".into()));
    }
    if w.max(h) > limits.max_side || u64::from(w) * u64::from(h) > limits.max_pixels {
        return Err(too_many(w, h));
    }
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let animated = match kind {
        Kind::Gif => gif_frames(bytes)? > 1,
        Kind::Webp => webp_animated(bytes),
        _ => false,
    };
    // Decode every pixel once: a file that announces a size but is cut short fails here.
    image::DynamicImage::from_decoder(decoder).map_err(damaged)?;
    let (width, height) = if swaps_sides(orientation) { (h, w) } else { (w, h) };
    Ok(Checked { kind, width, height, animated })
}

fn decode_limits(limits: &Limits) -> image::Limits {
    let mut l = image::Limits::default();
    l.max_image_width = Some(limits.max_side);
    l.max_image_height = Some(limits.max_side);
    // RGBA at 16 bits per channel, plus room for the decoder's own buffers.
    l.max_alloc = Some(limits.max_pixels * 8 + 64 * 1024 * 1024);
    l
}

fn damaged(e: image::ImageError) -> Refused {
    match e {
        image::ImageError::Limits(_) => Refused::Damaged("it is larger than the pixel limit allows".into()),
        other => Refused::Damaged(other.to_string()),
    }
}

pub(crate) fn swaps_sides(o: image::metadata::Orientation) -> bool {
    use image::metadata::Orientation::*;
    matches!(o, Rotate90 | Rotate270 | Rotate90FlipH | Rotate270FlipH)
}

/// Counts a GIF's frames, stopping at two.
fn gif_frames(bytes: &[u8]) -> Result<usize, Refused> {
    use image::AnimationDecoder;
    let decoder = image::codecs::gif::GifDecoder::new(Cursor::new(bytes)).map_err(damaged)?;
    let mut n = 0;
    for frame in decoder.into_frames().take(2) {
        frame.map_err(damaged)?;
        n += 1;
    }
    Ok(n)
}

/// Whether a JPEG's last scan is followed by its end marker. The decoder fills a cut-off
/// picture with grey rather than failing; in scan data a 0xFF byte is always followed by 0x00
/// or a restart marker, so 0xFF 0xD9 after the last start-of-scan is the real end.
fn jpeg_complete(bytes: &[u8]) -> bool {
    let last_scan = bytes.windows(2).rposition(|w| w == [0xFF, 0xDA]);
    match last_scan {
        Some(i) => bytes[i..].windows(2).any(|w| w == [0xFF, 0xD9]),
        None => false,
    }
}

/// Whether a WebP file has the animation flag in its extended header.
fn webp_animated(bytes: &[u8]) -> bool {
    bytes.len() > 20 && &bytes[12..16] == b"VP8X" && bytes[20] & 0x02 != 0
}

pub(crate) fn decode(bytes: &[u8], kind: Kind, limits: &Limits) -> Result<image::DynamicImage, Refused> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), kind.image_format());
    reader.limits(decode_limits(limits));
    let mut decoder = reader.into_decoder().map_err(damaged)?;
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = image::DynamicImage::from_decoder(decoder).map_err(damaged)?;
    img.apply_orientation(orientation);
    Ok(img)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn formats_are_told_by_their_bytes_not_their_names() {
        let p = png(40, 30);
        assert_eq!(check_upload(&p, &Limits::default()).unwrap(), Checked { kind: Kind::Png, width: 40, height: 30, animated: false });
        assert_eq!(sniff(b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"), Err(Refused::Svg));
        assert_eq!(sniff(b"\xef\xbb\xbf  <SVG onload=alert(1)>"), Err(Refused::Svg));
        assert_eq!(sniff(b"<html><script>alert(1)</script>"), Err(Refused::NotAnImage));
        assert_eq!(sniff(b"%PDF-1.7"), Err(Refused::NotAnImage));
        assert_eq!(sniff(b"\0\0\0\x1cftypavif\0\0\0\0"), Err(Refused::Avif));
        assert_eq!(sniff(b""), Err(Refused::Empty));
    }

    #[test]
    fn limits_and_damage_are_refused_with_a_reason() {
        let p = png(300, 200);
        let small = Limits { max_bytes: 100, ..Limits::default() };
        assert!(matches!(check_upload(&p, &small), Err(Refused::TooLarge { .. })));
        let few = Limits { max_pixels: 10_000, ..Limits::default() };
        let err = check_upload(&p, &few).unwrap_err();
        assert!(err.to_string().contains("300×200"), "{err}");
        let cut = &p[..p.len() / 2];
        assert!(matches!(check_upload(cut, &Limits::default()), Err(Refused::Damaged(_))));
    }
}
