//! Whose archive a page or feed shows: an author's or a tag's, found by slug. Shared by the
//! archive pages (`public.rs`) and their feeds (`feeds.rs`). And how long a listing is and
//! where a typed page number deep in it begins, for the listing pages and the Content API.

use crate::respond::AppError;
use crate::state::AppState;
use marquee_store::{Listing, Seek};
use std::sync::Arc;

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

/// How many live articles a listing has, counted once per change of content (with the box
/// cache on, the default) rather than on every page of it.
pub(crate) async fn listing_size(state: &AppState, listing: Listing, now: i64) -> Result<i64, AppError> {
    let keep = state.0.config.box_cache;
    let key = format!("{listing:?}");
    let generation = state.0.cache.generation();
    if let Some(n) = keep.then(|| state.0.cache.count(&key, now)).flatten() {
        return Ok(n);
    }
    let n = state.store().live_article_count(listing, now).await?;
    if keep {
        state.0.cache.keep_count(key, n, generation);
    }
    Ok(n)
}

/// Articles between two marks in a listing: a typed page number is read from the mark before
/// it, skipping fewer than this many entries of the listing's index.
const MARK_EVERY: i64 = 100;
/// Marks taken at once when a deeper page than the marks reach is asked for.
const MARKS_AT_ONCE: usize = 10;

/// Where a typed page number deep in a listing begins: the mark before it and the entries to
/// skip after that, instead of every entry above it. Marks are taken once per change of
/// content (with the box cache on, as `listing_size` counts), and only as deep as readers have
/// asked; with the cache off, or near the top, the page skips from the top.
pub(crate) async fn typed_page(state: &AppState, listing: Listing, now: i64, seek: Seek) -> Result<Seek, AppError> {
    let Seek::Skip(skip) = seek else { return Ok(seek) };
    if skip < MARK_EVERY || !state.0.config.box_cache {
        return Ok(seek);
    }
    let key = format!("{listing:?}");
    let generation = state.0.cache.generation();
    let mut marks = state.0.cache.marks(&key, now).unwrap_or_default();
    let wanted = (skip / MARK_EVERY) as usize;
    if marks.at.len() < wanted && !marks.ended {
        // A few more than this page needs (rounded up), so the next deeper page finds them.
        let more = (wanted - marks.at.len()).div_ceil(MARKS_AT_ONCE) * MARKS_AT_ONCE;
        let taken = state.store().listing_marks(listing, now, marks.at.last().copied(), MARK_EVERY, more as i64).await?;
        let mut longer = (*marks).clone();
        longer.ended = taken.len() < more;
        longer.at.extend(taken);
        marks = Arc::new(longer);
        state.0.cache.keep_marks(key, marks.clone(), generation);
    }
    let j = wanted.min(marks.at.len());
    Ok(match j.checked_sub(1).map(|i| marks.at[i]) {
        Some((t, id)) => Seek::OlderSkip(t, id, skip - j as i64 * MARK_EVERY),
        None => seek,
    })
}
