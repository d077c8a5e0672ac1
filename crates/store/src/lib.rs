//! Storage for Marquee: every SQL statement lives here. One code path serves SQLite and
//! PostgreSQL through sqlx's `Any` driver; statements use `$n` placeholders, which both accept,
//! and only the migrations differ per backend. (An article page's reads on SQLite run the same
//! statements through rusqlite instead: see `lite.rs`.) Instants are Unix seconds in BIGINT
//! columns.

mod api;
mod articles;
mod cards;
mod changes;
mod comments;
mod db;
mod dump;
mod events;
mod federation;
mod films;
mod imports;
mod lite;
mod media;
mod network;
mod outbox;
mod peers;
mod people;
mod places;
mod posts;
mod popular;
mod reader_memo;
mod reader_row;
mod readers;
mod redirects;
mod reports;
mod schema;
mod search;
mod search_state;
mod site;
mod sitemaps;
mod theaters;

pub use api::*;
pub use articles::*;
pub use cards::*;
pub use changes::ChangeListener;
pub use comments::*;
pub use db::{database_away, Backend, Result, Store, StoreError};
pub use dump::{Column, ColumnKind, Value, EXPORTED_TABLES, LEFT_OUT_TABLES};
pub use events::*;
pub use films::*;
pub use imports::*;
pub use media::*;
pub use network::*;
pub use outbox::*;
pub use peers::*;
pub use people::*;
pub use popular::*;
pub use posts::*;
pub use readers::*;
pub use reports::*;
pub use search::{SearchFilter, SearchHit};
pub use site::*;
pub use sitemaps::*;
pub use theaters::*;

