//! Images for the newsroom: [`check`] reads an upload by its bytes (never its name) and refuses
//! what is not a plain raster image within the limits; [`rendition`] makes the widths and
//! formats pages serve; [`storage`] keeps originals and renditions in a local directory or an
//! S3-compatible object store. Nothing here touches the database.

pub mod check;
pub mod rendition;
pub mod s3;
pub mod storage;

pub use check::{check_upload, Checked, Kind, Limits, Refused};
pub use rendition::{plan, render, Format, Planned};
pub use storage::{Storage, StorageError};

/// The content key of an upload: the first 24 hex digits of its SHA-256, so the same file
/// uploaded twice is one item and every URL made from it names exactly one content.
pub fn content_key(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(bytes);
    hex::encode(&digest[..12])
}

/// Whether `key` has the shape [`content_key`] gives (checked before it is used in a path).
pub fn is_content_key(key: &str) -> bool {
    key.len() == 24 && key.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}
