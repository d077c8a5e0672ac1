//! Signed-in readers' article pages, made from one shared copy.
//!
//! Rendering a whole article page for every signed-in reader costs about what a cache miss
//! costs. Yet for most readers the page differs from everyone else's in two strings only:
//! their name (in each comment form's label) and their form token, plus whether they are
//! subscribed to the thread. So the page cache also keeps, per article, the page as a
//! verified reader who has not commented there sees it, rendered twice (subscribed and not)
//! with a marker in place of the name and of the token. A request then needs one lookup (the
//! session, and the reader's standing on that article: from memory when the store keeps the
//! reader, see `store/src/reader_memo.rs`) and a copy of the bytes with the two strings put in.
//!
//! Readers for whom the page is different in more than that get the page rendered for them:
//! anyone with a comment of their own on the article (waiting, rejected or approved, since
//! those show edit, delete and notices only to them), readers not yet verified, suspended or
//! banned readers, and the page right after posting (`?posted=`).
//!
//! The markers are random for each process, so no article, comment or name can contain them.
//! A theme must print `box.viewer.name` and `box.viewer.csrf` as they are: if a page shows a
//! marker changed (cut short, upper-cased), it is not shared, and each reader gets the page
//! rendered for them, so no marker ever reaches a reader.

use axum::body::Bytes;
use std::sync::OnceLock;

/// What a marker stands for.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Slot {
    /// The reader's name, HTML-escaped as the templates escape it (`escape_html`).
    Name,
    /// The reader's form token.
    Csrf,
}

/// The strings rendered in place of a reader's name and token.
pub struct Markers {
    pub name: String,
    pub csrf: String,
    /// What both share, in lower case.
    nonce: String,
}

/// This process's markers.
pub fn markers() -> &'static Markers {
    static MARKERS: OnceLock<Markers> = OnceLock::new();
    MARKERS.get_or_init(|| {
        // Letters and digits only, so that HTML escaping leaves them as they are.
        let nonce = crate::cookies::random_token();
        Markers { name: format!("mqname{nonce}"), csrf: format!("mqcsrf{nonce}"), nonce }
    })
}

/// A page cut at its markers: `pieces` has one more element than `slots`.
#[derive(Debug)]
pub struct Slotted {
    pieces: Vec<Bytes>,
    slots: Vec<Slot>,
    /// The length of the pieces together.
    fixed: usize,
}

impl Slotted {
    /// Cuts `html` at every marker of `m`; `None` when what is left still holds a piece of
    /// one (a theme changed it on the way out).
    pub fn cut(html: &str, m: &Markers) -> Option<Slotted> {
        let mut pieces = Vec::new();
        let mut slots = Vec::new();
        let mut rest = html;
        loop {
            let next = [(Slot::Name, &m.name), (Slot::Csrf, &m.csrf)]
                .into_iter()
                .filter_map(|(slot, marker)| rest.find(marker.as_str()).map(|at| (at, slot, marker.len())))
                .min_by_key(|(at, _, _)| *at);
            match next {
                Some((at, slot, len)) => {
                    pieces.push(Bytes::copy_from_slice(rest[..at].as_bytes()));
                    slots.push(slot);
                    rest = &rest[at + len..];
                }
                None => {
                    pieces.push(Bytes::copy_from_slice(rest.as_bytes()));
                    break;
                }
            }
        }
        let altered = pieces.iter().any(|p| {
            let lower = String::from_utf8_lossy(p).to_ascii_lowercase();
            lower.contains("mqname") || lower.contains("mqcsrf") || lower.contains(&m.nonce[..12])
        });
        if altered {
            return None;
        }
        let fixed = pieces.iter().map(Bytes::len).sum();
        Some(Slotted { pieces, slots, fixed })
    }

    /// The page for one reader: `name` is their name as the page shows it (escaped already)
    /// and `csrf` their form token.
    pub fn fill(&self, name: &str, csrf: &str) -> Bytes {
        let names = self.slots.iter().filter(|s| **s == Slot::Name).count();
        let mut out = Vec::with_capacity(self.fixed + names * name.len() + (self.slots.len() - names) * csrf.len());
        for (piece, slot) in self.pieces.iter().zip(self.slots.iter().map(Some).chain([None])) {
            out.extend_from_slice(piece);
            match slot {
                Some(Slot::Name) => out.extend_from_slice(name.as_bytes()),
                Some(Slot::Csrf) => out.extend_from_slice(csrf.as_bytes()),
                None => {}
            }
        }
        Bytes::from(out)
    }
}

/// One article's page for signed-in readers, kept in the page cache beside everyone's copy.
#[derive(Debug)]
pub struct PersonalPage {
    pub article_id: i64,
    /// Not subscribed, and subscribed; `None` when the theme changed a marker.
    pub copies: Option<(Slotted, Slotted)>,
}

impl PersonalPage {
    /// The copy for a reader, unless this page cannot be shared.
    pub fn for_reader(&self, subscribed: bool) -> Option<&Slotted> {
        self.copies.as_ref().map(|(unsubscribed, subscribed_copy)| if subscribed { subscribed_copy } else { unsubscribed })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_cut_out_and_filled_in_order() {
        let m = markers();
        let html = format!("<p>{}</p><input value=\"{}\"><label>as {}</label>", m.name, m.csrf, m.name);
        let page = Slotted::cut(&html, m).unwrap();
        assert_eq!(page.slots, [Slot::Name, Slot::Csrf, Slot::Name]);
        let filled = page.fill("Ana &amp; Bo", "tok123");
        assert_eq!(&filled[..], b"<p>Ana &amp; Bo</p><input value=\"tok123\"><label>as Ana &amp; Bo</label>");
    }

    #[test]
    fn a_page_without_markers_is_kept_whole() {
        let page = Slotted::cut("<p>no forms here</p>", markers()).unwrap();
        assert!(page.slots.is_empty());
        assert_eq!(&page.fill("x", "y")[..], b"<p>no forms here</p>");
    }

    #[test]
    fn a_page_with_a_marker_changed_is_not_shared() {
        let m = markers();
        for changed in [m.name.to_uppercase(), m.csrf[..20].to_string(), format!("x{}", &m.nonce[..12])] {
            let html = format!("<label>as {}</label><p>{changed}</p>", m.name);
            assert!(Slotted::cut(&html, m).is_none(), "{changed}");
        }
    }

    #[test]
    fn markers_differ_from_each_other_and_survive_escaping() {
        let m = markers();
        assert_ne!(m.name, m.csrf);
        assert!(!m.name.contains(&m.csrf) && !m.csrf.contains(&m.name));
        assert_eq!(marquee_domain::media::escape_html(&m.name), m.name);
        assert_eq!(marquee_domain::media::escape_html(&m.csrf), m.csrf);
    }
}
