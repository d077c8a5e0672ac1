//! What a store keeps of its search index in memory: where the index lives, the index once
//! opened, and where it stands in the database's search log (`search.rs` does the reading).

use marquee_search::SearchIndex;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64};
use std::sync::Arc;

/// Articles read from the log per commit to the index: each commit writes a segment that
/// tantivy later merges, so a large backlog goes in few of them.
pub(crate) const BATCH: i64 = 5_000;

/// Where the index stands in the log: the database's epoch, then the last (position,
/// article) read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Position {
    pub(crate) epoch: String,
    pub(crate) seq: i64,
    pub(crate) article: i64,
}

impl Position {
    pub(crate) fn parse(s: &str) -> Option<Position> {
        let mut parts = s.split(' ');
        let epoch = parts.next()?.to_string();
        let seq = parts.next()?.parse().ok()?;
        let article = parts.next()?.parse().ok()?;
        Some(Position { epoch, seq, article })
    }

    pub(crate) fn written(&self) -> String {
        format!("{} {} {}", self.epoch, self.seq, self.article)
    }
}

/// A store's search index and where it stands, shared by the store's clones.
pub(crate) struct SearchState {
    /// Where the index is kept (None: in memory), and whether that was asked for rather than
    /// the default.
    pub(crate) dir: std::sync::Mutex<(Option<PathBuf>, bool)>,
    pub(crate) index: tokio::sync::OnceCell<Arc<SearchIndex>>,
    /// Where the index stands, once known.
    pub(crate) at: std::sync::Mutex<Option<Position>>,
    /// Held while reading the log into the index.
    pub(crate) reading: tokio::sync::Mutex<()>,
    /// A background read of a large backlog is under way.
    pub(crate) catching_up: AtomicBool,
    /// Moves whenever the index takes in changes (`Store::search_generation`).
    pub(crate) generation: AtomicU64,
    /// Log entries read per commit to the index ([`BATCH`], smaller in tests).
    pub(crate) batch: AtomicI64,
}

impl SearchState {
    /// The default place: beside an SQLite file, in memory for PostgreSQL and in-memory SQLite.
    pub(crate) fn new(sqlite: bool, url: &str) -> SearchState {
        let dir = if sqlite {
            url.strip_prefix("sqlite://")
                .map(|p| p.split('?').next().unwrap_or(p))
                .filter(|p| !p.is_empty() && !p.contains(":memory:") && !url.contains("mode=memory"))
                .map(|p| PathBuf::from(format!("{p}.search")))
        } else {
            None
        };
        SearchState { dir: std::sync::Mutex::new((dir, false)), index: Default::default(), at: Default::default(), reading: Default::default(), catching_up: AtomicBool::new(false), generation: AtomicU64::new(0), batch: AtomicI64::new(BATCH) }
    }
}

