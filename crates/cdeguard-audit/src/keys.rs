//! Ed25519 signing keys for checkpoints (aws-lc-rs). A private key file holds the
//! PKCS#8 document in hex under a header line; a public key file holds the 32-byte key
//! in hex. A key's id is the first 8 bytes of SHA-256 of the public key, in hex.

use std::io::Write as _;
use std::path::Path;

use aws_lc_rs::signature::{ED25519, Ed25519KeyPair, KeyPair as _, UnparsedPublicKey};

use crate::error::{AuditError, Result};
use crate::hash::{Digest, from_hex, to_hex};

const PRIVATE_HEADER: &str = "cdeguard-audit-ed25519-private-key-v1";
const PUBLIC_HEADER: &str = "cdeguard-audit-ed25519-public-key-v1";

/// An Ed25519 public key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PublicKey(pub [u8; 32]);

impl PublicKey {
    /// Parses 64 hex digits.
    pub fn from_hex(text: &str) -> Option<Self> {
        Some(PublicKey(from_hex(text.trim())?.try_into().ok()?))
    }

    /// Hex form.
    pub fn to_hex(&self) -> String {
        to_hex(&self.0)
    }

    /// Short id: hex of the first 8 bytes of SHA-256(key).
    pub fn id(&self) -> String {
        to_hex(&Digest::of(&[&self.0]).0[..8])
    }

    /// Whether `signature` is this key's signature of `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(&ED25519, &self.0)
            .verify(message, signature)
            .is_ok()
    }

    /// Text of a public key file.
    pub fn to_file_text(&self) -> String {
        format!("{PUBLIC_HEADER}\n{}\n", self.to_hex())
    }

    /// Reads a public key file (or a file holding just the hex key).
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(AuditError::at(path))?;
        let body = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && *l != PUBLIC_HEADER)
            .unwrap_or_default();
        PublicKey::from_hex(body).ok_or_else(|| AuditError::BadFile {
            path: path.to_owned(),
            line: 1,
            message: "expected an Ed25519 public key (64 hex digits)".into(),
        })
    }
}

/// An Ed25519 key pair that signs checkpoints.
pub struct SigningKey {
    pair: Ed25519KeyPair,
    public: PublicKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({}, private part redacted)", self.public.id())
    }
}

impl SigningKey {
    /// A fresh random key; returns it and its PKCS#8 bytes.
    pub fn generate() -> Result<(Self, Vec<u8>)> {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let doc = Ed25519KeyPair::generate_pkcs8(&rng)
            .map_err(|_| AuditError::Key("cannot generate an Ed25519 key".into()))?;
        let pkcs8 = doc.as_ref().to_vec();
        Ok((Self::from_pkcs8(&pkcs8)?, pkcs8))
    }

    fn from_pkcs8(pkcs8: &[u8]) -> Result<Self> {
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8)
            .map_err(|e| AuditError::Key(format!("not an Ed25519 PKCS#8 key: {e}")))?;
        let public = PublicKey(
            pair.public_key()
                .as_ref()
                .try_into()
                .map_err(|_| AuditError::Key("unexpected public key length".into()))?,
        );
        Ok(SigningKey { pair, public })
    }

    /// Generates a key and writes it to `path` (created new, mode 0600) and its public
    /// key to `path.pub`.
    pub fn generate_to(path: &Path) -> Result<Self> {
        let (key, pkcs8) = Self::generate()?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path).map_err(AuditError::at(path))?;
        file.write_all(format!("{PRIVATE_HEADER}\n{}\n", to_hex(&pkcs8)).as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(AuditError::at(path))?;
        let public_path = public_path_for(path);
        std::fs::write(&public_path, key.public.to_file_text())
            .map_err(AuditError::at(&public_path))?;
        Ok(key)
    }

    /// Reads a private key file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(AuditError::at(path))?;
        let mut lines = text.lines();
        let bad = |message: &str| AuditError::BadFile {
            path: path.to_owned(),
            line: 1,
            message: message.into(),
        };
        if lines.next().map(str::trim) != Some(PRIVATE_HEADER) {
            return Err(bad(
                "not a cdeguard audit private key (run `cdeguard audit keygen`)",
            ));
        }
        let pkcs8 = lines
            .next()
            .and_then(|l| from_hex(l.trim()))
            .ok_or_else(|| bad("line 2 must be the PKCS#8 key in hex"))?;
        Self::from_pkcs8(&pkcs8).map_err(|e| bad(&e.to_string()))
    }

    /// The public half.
    pub fn public(&self) -> PublicKey {
        self.public
    }

    /// Signs `message`.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.pair.sign(message).as_ref().to_vec()
    }
}

/// `key` → `key.pub`.
pub fn public_path_for(path: &Path) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".pub");
    name.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_key_round_trips_and_signs() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("k");
        let key = SigningKey::generate_to(&path).expect("keygen");
        let loaded = SigningKey::load(&path).expect("load");
        let public = PublicKey::load(&public_path_for(&path)).expect("pub");
        assert_eq!(loaded.public(), key.public());
        assert_eq!(public, key.public());
        let sig = loaded.sign(b"msg");
        assert!(public.verify(b"msg", &sig));
        assert!(!public.verify(b"msh", &sig));
        assert_eq!(public.id().len(), 16);
        assert!(
            SigningKey::generate_to(&path).is_err(),
            "never overwrites a key"
        );
        assert!(SigningKey::load(&public_path_for(&path)).is_err());
    }
}
