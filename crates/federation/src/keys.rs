//! The paper's key pair: RSA 2048 with SHA-256 (RSASSA-PKCS1-v1_5), which every ActivityPub
//! server accepts. Kept as PEM text so the store needs nothing but a TEXT column.

use crate::FederationError;
use base64::Engine;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::Sha256;

/// A private key, with its public half as PEM.
#[derive(Clone)]
pub struct KeyPair {
    private: RsaPrivateKey,
    pub public_pem: String,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyPair {{ public_pem: {:?}, .. }}", self.public_pem)
    }
}

impl KeyPair {
    /// A new 2048-bit key pair (a fraction of a second in release builds).
    pub fn generate() -> Result<KeyPair, FederationError> {
        let private = RsaPrivateKey::new(&mut rand::thread_rng(), 2048).map_err(|e| FederationError::Key(e.to_string()))?;
        KeyPair::from_private(private)
    }

    fn from_private(private: RsaPrivateKey) -> Result<KeyPair, FederationError> {
        let public_pem = RsaPublicKey::from(&private).to_public_key_pem(LineEnding::LF).map_err(|e| FederationError::Key(e.to_string()))?;
        Ok(KeyPair { private, public_pem })
    }

    /// Reads a PKCS#8 PEM private key, as [`KeyPair::private_pem`] writes it.
    pub fn from_private_pem(pem: &str) -> Result<KeyPair, FederationError> {
        let private = RsaPrivateKey::from_pkcs8_pem(pem).map_err(|e| FederationError::Key(e.to_string()))?;
        KeyPair::from_private(private)
    }

    pub fn private_pem(&self) -> Result<String, FederationError> {
        Ok(self.private.to_pkcs8_pem(LineEnding::LF).map_err(|e| FederationError::Key(e.to_string()))?.to_string())
    }

    /// The base64 RSA-SHA256 signature of `message`.
    pub fn sign(&self, message: &[u8]) -> String {
        let signature = SigningKey::<Sha256>::new(self.private.clone()).sign(message);
        base64::engine::general_purpose::STANDARD.encode(signature.to_bytes())
    }
}

/// Whether `signature` (base64) is `public_pem`'s RSA-SHA256 signature of `message`. Anything
/// unreadable is simply not a valid signature.
pub fn verify(public_pem: &str, message: &[u8], signature: &str) -> bool {
    let Ok(public) = RsaPublicKey::from_public_key_pem(public_pem) else { return false };
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(signature.trim()) else { return false };
    let Ok(signature) = Signature::try_from(bytes.as_slice()) else { return false };
    VerifyingKey::<Sha256>::new(public).verify(message, &signature).is_ok()
}

/// Two key pairs made once for all of this crate's tests (key generation is slow in debug builds).
#[cfg(test)]
pub(crate) fn test_keys() -> &'static (KeyPair, KeyPair) {
    static KEYS: std::sync::OnceLock<(KeyPair, KeyPair)> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| (KeyPair::generate().unwrap(), KeyPair::generate().unwrap()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_with_its_key_and_message() {
        let (keys, other) = test_keys();
        let sig = keys.sign(b"hello");
        assert!(verify(&keys.public_pem, b"hello", &sig));
        assert!(!verify(&keys.public_pem, b"hello!", &sig), "another message");
        assert!(!verify(&other.public_pem, b"hello", &sig), "another key");
        assert!(!verify(&keys.public_pem, b"hello", "not base64 at all"), "garbage");
        let again = KeyPair::from_private_pem(&keys.private_pem().unwrap()).unwrap();
        assert_eq!(again.public_pem, keys.public_pem, "the PEM round-trips");
        assert!(verify(&again.public_pem, b"hello", &again.sign(b"hello")));
    }
}
