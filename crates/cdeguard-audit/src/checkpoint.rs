//! Signed checkpoints: `(log id, tree size, Merkle root, chain value, time)` signed with
//! Ed25519, one JSON line each in `checkpoints.ndjson`.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{AuditError, Result};
use crate::hash::{Digest, from_hex, to_hex};
use crate::keys::{PublicKey, SigningKey};

/// Checkpoint format version.
pub const CHECKPOINT_VERSION: u32 = 1;

/// One signed checkpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// Format version.
    pub v: u32,
    /// The log's random id (binds the checkpoint to one log).
    pub log_id: String,
    /// Number of records covered.
    pub size: u64,
    /// RFC 9162 Merkle root over records `[0, size)`.
    pub root: Digest,
    /// Hash-chain value after record `size - 1`.
    pub chain: Digest,
    /// When it was signed (UTC, RFC 3339).
    pub time: String,
    /// Id of the signing key.
    pub key_id: String,
    /// The signing public key, hex.
    pub public_key: String,
    /// Ed25519 signature of [`Checkpoint::signed_message`], hex.
    pub signature: String,
}

impl Checkpoint {
    /// Signs a new checkpoint.
    pub fn sign(
        log_id: &str,
        size: u64,
        root: Digest,
        chain: Digest,
        time: String,
        key: &SigningKey,
    ) -> Self {
        let public = key.public();
        let mut checkpoint = Checkpoint {
            v: CHECKPOINT_VERSION,
            log_id: log_id.into(),
            size,
            root,
            chain,
            time,
            key_id: public.id(),
            public_key: public.to_hex(),
            signature: String::new(),
        };
        checkpoint.signature = to_hex(&key.sign(checkpoint.signed_message().as_bytes()));
        checkpoint
    }

    /// The exact bytes that are signed.
    pub fn signed_message(&self) -> String {
        format!(
            "cdeguard-audit-checkpoint/v{}\nlog {}\nsize {}\nroot {}\nchain {}\ntime {}\n",
            self.v, self.log_id, self.size, self.root, self.chain, self.time
        )
    }

    /// Checks the signature with the embedded public key and the key id; returns the key.
    /// Whether that key is trusted is the caller's decision.
    pub fn check_signature(&self) -> Result<PublicKey, String> {
        let public =
            PublicKey::from_hex(&self.public_key).ok_or("public_key is not 64 hex digits")?;
        if public.id() != self.key_id {
            return Err(format!(
                "key_id {} does not match the public key",
                self.key_id
            ));
        }
        let signature = from_hex(&self.signature).ok_or("signature is not hex")?;
        if !public.verify(self.signed_message().as_bytes(), &signature) {
            return Err(format!("bad Ed25519 signature (key {})", self.key_id));
        }
        Ok(public)
    }

    /// One NDJSON line, newline included.
    pub fn to_line(&self) -> String {
        let mut line = serde_json::to_string(self).unwrap_or_default();
        line.push('\n');
        line
    }
}

/// Checkpoints of a file, with the byte offset where a torn (unterminated) last line
/// starts, if any.
#[derive(Debug, Default)]
pub struct CheckpointFile {
    /// The checkpoints, in file order.
    pub checkpoints: Vec<Checkpoint>,
    /// Offset of an unterminated last line (a crash while appending).
    pub torn_at: Option<u64>,
}

/// Reads `checkpoints.ndjson`; a complete line that does not parse is an error (it was
/// written whole, so it was altered). A missing file has no checkpoints.
pub fn read_checkpoints(path: &Path) -> Result<CheckpointFile> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(CheckpointFile::default()),
        Err(e) => return Err(AuditError::io(path, e)),
    };
    let mut out = CheckpointFile::default();
    let mut offset = 0usize;
    for (index, line) in bytes.split_inclusive(|b| *b == b'\n').enumerate() {
        if !line.ends_with(b"\n") {
            out.torn_at = Some(offset as u64);
            break;
        }
        let checkpoint = serde_json::from_slice(line).map_err(|e| AuditError::BadFile {
            path: path.to_owned(),
            line: index + 1,
            message: format!("not a checkpoint: {e}"),
        })?;
        out.checkpoints.push(checkpoint);
        offset += line.len();
    }
    Ok(out)
}
