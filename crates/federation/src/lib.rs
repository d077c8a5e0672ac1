//! ActivityPub building blocks without I/O: the paper's RSA key pair, HTTP Signatures on
//! requests it sends and checks on requests it receives, and the JSON documents other servers
//! read (WebFinger, the actor). Storage and HTTP live in `marquee-store` and `marquee-web`.

mod articles;
mod documents;
mod keys;
mod signatures;

pub use articles::*;
pub use documents::*;
pub use keys::*;
pub use signatures::*;

#[derive(Debug, thiserror::Error)]
pub enum FederationError {
    #[error("key error: {0}")]
    Key(String),
    #[error("signature error: {0}")]
    Signature(String),
}

#[cfg(test)]
mod proptests;
