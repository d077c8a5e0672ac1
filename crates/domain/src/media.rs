//! How a media library image appears in a page: a `<picture>` with a WebP source and the
//! original format's fallback, every rendition width in `srcset`, and `width`/`height` set so
//! the page does not shift while it loads. The web crate fills [`MediaImage`] from the library;
//! this module only writes markup, escaping every string an editor typed.

use std::fmt::Write;

/// An image of the media library, as pages show it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MediaImage {
    /// The content key, which names its files: `/media/{key}/{width}.{ext}`.
    pub key: String,
    pub alt: String,
    pub caption: String,
    pub credit: String,
    /// The widest rendition's size.
    pub width: u32,
    pub height: u32,
    /// The extension of the renditions in the original's format (`jpg`, `png`, `gif`, `webp`).
    pub fallback: String,
    /// Rendition widths, narrowest first.
    pub widths: Vec<u32>,
    /// WebP renditions exist besides the fallback.
    pub webp: bool,
}

/// `sizes` for an image across the article column.
pub const COLUMN_SIZES: &str = "(max-width: 46rem) 100vw, 46rem";

/// Escapes text for HTML content and quoted attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_escaped(&mut out, c);
    }
    out
}

/// Appends one character to HTML, escaped for content and quoted attribute values.
pub fn push_escaped(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        c => out.push(c),
    }
}

impl MediaImage {
    /// The path of one rendition.
    pub fn url(&self, width: u32, ext: &str) -> String {
        format!("/media/{}/{}.{}", self.key, width, ext)
    }

    /// The widest rendition in the fallback format (Open Graph, JSON-LD, feeds).
    pub fn largest_url(&self) -> String {
        self.url(self.width, &self.fallback)
    }

    /// The rendition a browser without `srcset` gets: the widest up to 960 pixels.
    fn default_width(&self) -> u32 {
        self.widths.iter().copied().filter(|w| *w <= 960).max().unwrap_or(self.width)
    }

    pub fn srcset(&self, ext: &str) -> String {
        let mut s = String::new();
        for (i, w) in self.widths.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            let _ = write!(s, "{} {w}w", self.url(*w, ext));
        }
        s
    }

    /// The `<picture>` element; `alt` overrides the library's alt text when not empty.
    pub fn picture(&self, alt: &str, sizes: &str, lazy: bool) -> String {
        let alt = if alt.trim().is_empty() { &self.alt } else { alt };
        let mut s = String::from("<picture>");
        if self.webp {
            let _ = write!(s, "<source type=\"image/webp\" srcset=\"{}\" sizes=\"{sizes}\">", self.srcset("webp"));
        }
        let _ = write!(
            s,
            "<img src=\"{}\" srcset=\"{}\" sizes=\"{sizes}\" width=\"{}\" height=\"{}\" alt=\"{}\"{}></picture>",
            self.url(self.default_width(), &self.fallback),
            self.srcset(&self.fallback),
            self.width,
            self.height,
            escape_html(alt),
            if lazy { " loading=\"lazy\" decoding=\"async\"" } else { "" }
        );
        s
    }

    /// The picture in a `<figure>`, with the caption and credit when there are any.
    pub fn figure(&self, alt: &str, sizes: &str, lazy: bool) -> String {
        let mut s = format!("<figure class=\"media\">{}", self.picture(alt, sizes, lazy));
        if !self.caption.trim().is_empty() || !self.credit.trim().is_empty() {
            s.push_str("<figcaption>");
            s.push_str(&escape_html(self.caption.trim()));
            if !self.credit.trim().is_empty() {
                let _ = write!(s, " <span class=\"credit\">{}</span>", escape_html(self.credit.trim()));
            }
            s.push_str("</figcaption>");
        }
        s.push_str("</figure>");
        s
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn sample() -> MediaImage {
        MediaImage {
            key: "0123456789abcdef01234567".into(),
            alt: "A marquee at dusk".into(),
            caption: "The Grand Lake <b>Theatre</b>".into(),
            credit: "Photo: R. \"Bo\" Ng".into(),
            width: 1280,
            height: 853,
            fallback: "jpg".into(),
            widths: vec![320, 640, 960, 1280],
            webp: true,
        }
    }

    #[test]
    fn a_picture_names_every_rendition_and_its_size() {
        let f = sample().figure("", COLUMN_SIZES, true);
        assert!(f.contains("<source type=\"image/webp\" srcset=\"/media/0123456789abcdef01234567/320.webp 320w, "), "{f}");
        assert!(f.contains("src=\"/media/0123456789abcdef01234567/960.jpg\""), "{f}");
        assert!(f.contains("width=\"1280\" height=\"853\" alt=\"A marquee at dusk\" loading=\"lazy\""), "{f}");
        assert!(f.contains("<figcaption>The Grand Lake &lt;b&gt;Theatre&lt;/b&gt; <span class=\"credit\">Photo: R. &quot;Bo&quot; Ng</span></figcaption>"), "{f}");
        let p = sample().picture("\"><script>", COLUMN_SIZES, false);
        assert!(p.contains("alt=\"&quot;&gt;&lt;script&gt;\""), "{p}");
        assert!(!p.contains("loading"), "{p}");
    }
}
