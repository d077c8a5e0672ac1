//! Parts of pages that several handlers show: an article page's context, Now Playing, the
//! comment box, the archive an author or tag page lists, and the frame of readers' pages.
//! A part may use the layers below it and another part, never a handler.

pub mod account;
pub mod archive;
pub mod article;
pub mod comment_box;
pub mod now_playing;
