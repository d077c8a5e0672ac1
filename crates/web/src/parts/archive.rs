//! Whose archive a page or feed shows: an author's or a tag's, found by slug. Shared by the
//! archive pages (`public.rs`) and their feeds (`feeds.rs`).

use crate::respond::AppError;
use crate::state::AppState;
use marquee_store::Listing;

#[derive(Clone, Copy)]
pub(crate) enum Archive {
    Author,
    Tag,
}

/// Whose archive a page or feed shows.
pub(crate) struct ArchiveSubject {
    pub listing: Listing,
    pub kind: &'static str,
    pub heading: String,
    pub name: String,
    pub intro: String,
}

/// The author or tag at `slug`, if there is one.
pub(crate) async fn archive_subject(state: &AppState, kind: Archive, slug: &str) -> Result<Option<ArchiveSubject>, AppError> {
    let store = state.store();
    let found = match kind {
        Archive::Author => store.author_by_slug(slug).await.map(|a| {
            a.map(|a| ArchiveSubject { listing: Listing::Author(a.id), kind: "author", heading: format!("Author Archives: {}", a.name), name: a.name, intro: a.bio })
        }),
        Archive::Tag => store.tag_by_slug(slug).await.map(|t| {
            t.map(|t| ArchiveSubject { listing: Listing::Tag(t.id), kind: "tag", heading: format!("Tagged “{}”", t.name), name: t.name, intro: String::new() })
        }),
    };
    Ok(found?)
}

impl Archive {
    /// The first path segment of its pages: `/authors/{slug}/`, `/tags/{slug}/`.
    pub(crate) fn prefix(self) -> &'static str {
        match self {
            Archive::Author => "authors",
            Archive::Tag => "tags",
        }
    }
}
