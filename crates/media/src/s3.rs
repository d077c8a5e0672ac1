//! A small client for an S3-compatible object store (AWS S3, MinIO, Garage, s3s and others):
//! path-style PUT, GET and DELETE of objects and creating a bucket, signed with AWS Signature
//! Version 4. Only what the media library needs, so no SDK is pulled in.

use crate::storage::StorageError;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// One bucket and the credentials to reach it.
#[derive(Clone)]
pub struct Bucket {
    /// `http://127.0.0.1:9000` or `https://s3.us-west-2.amazonaws.com`, no trailing slash.
    pub endpoint: String,
    pub bucket: String,
    pub region: String,
    pub access_key: String,
    pub secret_key: String,
    client: reqwest::Client,
}

impl std::fmt::Debug for Bucket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bucket").field("endpoint", &self.endpoint).field("bucket", &self.bucket).field("region", &self.region).finish_non_exhaustive()
    }
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

/// Percent-encodes a path segment as SigV4 wants (unreserved characters kept).
fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Bucket {
    pub fn new(endpoint: &str, bucket: &str, region: &str, access_key: &str, secret_key: &str) -> Bucket {
        let client = reqwest::Client::builder().timeout(std::time::Duration::from_secs(60)).build().expect("an HTTP client");
        Bucket {
            endpoint: endpoint.trim_end_matches('/').to_string(),
            bucket: bucket.to_string(),
            region: if region.is_empty() { "us-east-1".into() } else { region.to_string() },
            access_key: access_key.to_string(),
            secret_key: secret_key.to_string(),
            client,
        }
    }

    /// A signed request for `/{bucket}/{key}` (or the bucket itself when `key` is empty).
    fn request(&self, method: reqwest::Method, key: &str, body: &[u8]) -> Result<reqwest::RequestBuilder, StorageError> {
        let mut path = format!("/{}", encode_segment(&self.bucket));
        if !key.is_empty() {
            for seg in key.split('/') {
                path.push('/');
                path.push_str(&encode_segment(seg));
            }
        }
        let url = reqwest::Url::parse(&format!("{}{}", self.endpoint, path)).map_err(|e| StorageError::BadKey(format!("{}: {e}", self.endpoint)))?;
        let host = match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => return Err(StorageError::BadKey(self.endpoint.clone())),
        };
        let now = jiff::Timestamp::now();
        let amz_date = now.strftime("%Y%m%dT%H%M%SZ").to_string();
        let day = &amz_date[..8];
        let payload_hash = hex::encode(Sha256::digest(body));
        let canonical = format!("{}\n{}\n\nhost:{}\nx-amz-content-sha256:{}\nx-amz-date:{}\n\nhost;x-amz-content-sha256;x-amz-date\n{}", method.as_str(), path, host, payload_hash, amz_date, payload_hash);
        let scope = format!("{day}/{}/s3/aws4_request", self.region);
        let to_sign = format!("AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}", hex::encode(Sha256::digest(canonical.as_bytes())));
        let mut key_bytes = hmac(format!("AWS4{}", self.secret_key).as_bytes(), day.as_bytes());
        for part in [self.region.as_bytes(), b"s3", b"aws4_request"] {
            key_bytes = hmac(&key_bytes, part);
        }
        let signature = hex::encode(hmac(&key_bytes, to_sign.as_bytes()));
        let auth = format!("AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature={signature}", self.access_key);
        Ok(self.client.request(method, url).header("x-amz-date", amz_date).header("x-amz-content-sha256", payload_hash).header("authorization", auth))
    }

    async fn fail(key: &str, resp: reqwest::Response) -> StorageError {
        let status = resp.status().as_u16();
        let body: String = resp.text().await.unwrap_or_default().chars().take(300).collect();
        StorageError::Remote { status, key: key.to_string(), body }
    }

    pub async fn put(&self, key: &str, bytes: &[u8], mime: &str) -> Result<(), StorageError> {
        let resp = self.request(reqwest::Method::PUT, key, bytes)?.header("content-type", mime).body(bytes.to_vec()).send().await?;
        if !resp.status().is_success() {
            return Err(Self::fail(key, resp).await);
        }
        Ok(())
    }

    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        let resp = self.request(reqwest::Method::GET, key, b"")?.send().await?;
        if resp.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !resp.status().is_success() {
            return Err(Self::fail(key, resp).await);
        }
        Ok(Some(resp.bytes().await?.to_vec()))
    }

    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        let resp = self.request(reqwest::Method::DELETE, key, b"")?.send().await?;
        if !resp.status().is_success() && resp.status() != reqwest::StatusCode::NOT_FOUND {
            return Err(Self::fail(key, resp).await);
        }
        Ok(())
    }

    /// Creates the bucket; one that already exists and is ours is fine.
    pub async fn create(&self) -> Result<(), StorageError> {
        let resp = self.request(reqwest::Method::PUT, "", b"")?.send().await?;
        if resp.status().is_success() || resp.status() == reqwest::StatusCode::CONFLICT {
            return Ok(());
        }
        Err(Self::fail("", resp).await)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn segments_are_encoded_for_signing() {
        assert_eq!(super::encode_segment("a b+c~d.jpg"), "a%20b%2Bc~d.jpg");
    }
}
