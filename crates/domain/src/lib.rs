//! Marquee's domain: the vocabulary of a newspaper (roles, article states, slugs) and the rules
//! that do not need a database or a network. Nothing in this crate performs I/O.

pub mod article;
pub mod comment;
pub mod event;
pub mod film;
pub mod geo;
pub mod markdown;
pub mod media;
pub mod role;
pub mod search;
pub mod slug;
pub mod time;

#[cfg(any(test, feature = "testing"))]
pub mod testing;

#[cfg(test)]
mod proptests;

pub use article::{ArticleDraft, ArticleStatus, FieldErrors, PublishAction};
pub use role::Role;
pub use slug::{slugify, validate_slug, RESERVED_SECTION_SLUGS};
