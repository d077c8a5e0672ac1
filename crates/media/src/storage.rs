//! Where image files live: a local directory (the default; one server), or an S3-compatible
//! object store that several app servers share. Keys are relative paths such as
//! `renditions/<content key>/640.webp`, checked before use so none can leave its root.

use crate::s3::Bucket;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("media storage: {0}")]
    Io(#[from] std::io::Error),
    #[error("media storage: the object store answered {status} for {key}: {body}")]
    Remote { status: u16, key: String, body: String },
    #[error("media storage: could not reach the object store: {0}")]
    Http(#[from] reqwest::Error),
    #[error("media storage: {0:?} is not a storage key")]
    BadKey(String),
}

/// A place for image files.
#[derive(Debug, Clone)]
pub enum Storage {
    Local(PathBuf),
    S3(Bucket),
}

/// Whether `key` is a plain relative path of lower-case names (no `..`, no absolute path).
pub fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() < 200
        && key.split('/').all(|seg| !seg.is_empty() && seg != "." && seg != ".." && seg.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'_'))
}

impl Storage {
    /// Where files go, for log lines and the command line.
    pub fn describe(&self) -> String {
        match self {
            Storage::Local(dir) => format!("directory {}", dir.display()),
            Storage::S3(b) => format!("bucket {} at {}", b.bucket, b.endpoint),
        }
    }

    fn local_path(dir: &Path, key: &str) -> Result<PathBuf, StorageError> {
        if !valid_key(key) {
            return Err(StorageError::BadKey(key.to_string()));
        }
        Ok(dir.join(key))
    }

    /// Stores `bytes` under `key`, replacing what was there; readers never see half a file.
    pub async fn put(&self, key: &str, bytes: &[u8], mime: &str) -> Result<(), StorageError> {
        match self {
            Storage::Local(dir) => {
                let path = Self::local_path(dir, key)?;
                if let Some(parent) = path.parent() {
                    tokio::fs::create_dir_all(parent).await?;
                }
                let tmp = path.with_extension(format!("part-{}", std::process::id()));
                tokio::fs::write(&tmp, bytes).await?;
                tokio::fs::rename(&tmp, &path).await?;
                Ok(())
            }
            Storage::S3(b) => {
                if !valid_key(key) {
                    return Err(StorageError::BadKey(key.to_string()));
                }
                b.put(key, bytes, mime).await
            }
        }
    }

    /// The file under `key`, or `None` when there is none.
    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        match self {
            Storage::Local(dir) => match tokio::fs::read(Self::local_path(dir, key)?).await {
                Ok(b) => Ok(Some(b)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e.into()),
            },
            Storage::S3(b) => {
                if !valid_key(key) {
                    return Err(StorageError::BadKey(key.to_string()));
                }
                b.get(key).await
            }
        }
    }

    /// Removes the file under `key`; removing what is not there is not an error.
    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        match self {
            Storage::Local(dir) => match tokio::fs::remove_file(Self::local_path(dir, key)?).await {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
                _ => Ok(()),
            },
            Storage::S3(b) => b.delete(key).await,
        }
    }
}

/// The key of an original upload.
pub fn original_key(content_key: &str, ext: &str) -> String {
    format!("originals/{content_key}.{ext}")
}

/// The key of one rendition.
pub fn rendition_key(content_key: &str, width: u32, ext: &str) -> String {
    format!("renditions/{content_key}/{width}.{ext}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_cannot_leave_the_root() {
        assert!(super::valid_key("renditions/0123abcd/640.webp"));
        for bad in ["", "../etc/passwd", "a//b", "/abs", "a/./b", "A.jpg", "a/b\\c", "a b"] {
            assert!(!super::valid_key(bad), "{bad:?}");
        }
    }

    #[tokio::test]
    async fn a_local_directory_keeps_and_forgets_files() {
        let dir = std::env::temp_dir().join(format!("mq-media-{}", std::process::id()));
        let s = super::Storage::Local(dir.clone());
        s.put("renditions/ab/320.jpg", b"one", "image/jpeg").await.unwrap();
        assert_eq!(s.get("renditions/ab/320.jpg").await.unwrap().as_deref(), Some(&b"one"[..]));
        s.delete("renditions/ab/320.jpg").await.unwrap();
        assert_eq!(s.get("renditions/ab/320.jpg").await.unwrap(), None);
        assert!(s.get("../x").await.is_err());
        let _ = std::fs::remove_dir_all(dir);
    }
}
