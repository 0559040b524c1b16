//! Inclusion proofs (one record against a signed checkpoint) and consistency proofs
//! (the log at one checkpoint is a prefix of the log at a later one), as self-contained
//! JSON bundles that `verify_*` checks with nothing but the public key.

use std::ops::ControlFlow;
use std::os::unix::fs::FileExt as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::checkpoint::{Checkpoint, read_checkpoints};
use crate::error::{AuditError, Result};
use crate::hash::Digest;
use crate::index::TreeIndex;
use crate::keys::PublicKey;
use crate::layout::{Layout, SegmentFile};
use crate::merkle::{self, MemoryTree, NodeSource};
use crate::reader::for_each_frame;
use crate::record::{MAX_RECORD_BYTES, Record, peek_seq};

/// Proof that one record is in the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InclusionProof {
    /// Bundle format version.
    pub v: u32,
    /// The record's sequence number (= leaf index).
    pub seq: u64,
    /// The record exactly as stored (its bytes are the Merkle leaf).
    pub record: String,
    /// RFC 9162 audit path, leaf to root.
    pub path: Vec<Digest>,
    /// The signed checkpoint the path leads to.
    pub checkpoint: Checkpoint,
}

/// Proof that the log only grew between two checkpoints.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyProof {
    /// Bundle format version.
    pub v: u32,
    /// The older checkpoint.
    pub old: Checkpoint,
    /// The newer checkpoint.
    pub new: Checkpoint,
    /// RFC 9162 consistency path.
    pub path: Vec<Digest>,
}

/// Makes proofs from one log, opened once: checkpoints read, index files kept open. A
/// proof reads O(log n) index nodes and one frame; it is checked against its signed
/// checkpoint before it is returned, and rebuilt from the records (a full scan) if the
/// index turns out damaged.
pub struct Prover {
    layout: Layout,
    checkpoints: Vec<Checkpoint>,
    index: TreeIndex,
    segments: Vec<SegmentFile>,
}

impl Prover {
    /// Opens the log in `dir` for proving.
    pub fn open(dir: &Path) -> Result<Self> {
        let layout = Layout::new(dir);
        Ok(Prover {
            checkpoints: read_checkpoints(&layout.checkpoints())?.checkpoints,
            index: TreeIndex::open_for_reading(layout.tree_dir())?,
            segments: layout.list_segments()?,
            layout,
        })
    }

    /// The signed checkpoints, oldest first.
    pub fn checkpoints(&self) -> &[Checkpoint] {
        &self.checkpoints
    }

    fn checkpoint(&self, size: Option<u64>) -> Option<Checkpoint> {
        match size {
            Some(size) => self.checkpoints.iter().rev().find(|c| c.size == size),
            None => self.checkpoints.last(),
        }
        .cloned()
    }

    /// Builds the inclusion proof of record `seq` against the newest checkpoint (or the
    /// one of size `checkpoint_size`).
    pub fn inclusion(&self, seq: u64, checkpoint_size: Option<u64>) -> Result<InclusionProof> {
        let checkpoint = self.checkpoint(checkpoint_size).ok_or_else(|| {
            AuditError::Invalid(
                "no such signed checkpoint (sign one with `cdeguard audit checkpoint`)".into(),
            )
        })?;
        if seq >= checkpoint.size {
            return Err(AuditError::Invalid(format!(
                "record {seq} is not covered by the checkpoint of size {} (sign a newer one with `cdeguard audit checkpoint`)",
                checkpoint.size
            )));
        }
        let payload = match self.indexed_payload(seq) {
            Some(payload) => payload,
            None => self.scanned_payload(seq)?,
        };
        let record = String::from_utf8_lossy(&payload).into_owned();
        let leaf = merkle::leaf_hash(record.as_bytes());
        let path = self.with_tree(
            checkpoint.size,
            |node| merkle::inclusion_proof(&FnSource(node), seq, checkpoint.size),
            |path| merkle::verify_inclusion(&leaf, seq, checkpoint.size, path, &checkpoint.root),
        )?;
        Ok(InclusionProof {
            v: 1,
            seq,
            record,
            path,
            checkpoint,
        })
    }

    /// The payload of record `seq` read through `offsets.bin` (one frame), if its segment
    /// is hot and the frame there is record `seq`. Its leaf is then checked against the
    /// signed root with the rest of the proof.
    fn indexed_payload(&self, seq: u64) -> Option<Vec<u8>> {
        let segment = self.segments.iter().rev().find(|s| s.first_seq <= seq)?;
        if segment.archived {
            return None;
        }
        let offset = self.index.offset(seq).ok()?;
        let file = std::fs::File::open(&segment.path).ok()?;
        let mut len = [0u8; 4];
        file.read_exact_at(&mut len, offset).ok()?;
        let len = u32::from_le_bytes(len) as usize;
        if len == 0 || len > MAX_RECORD_BYTES {
            return None;
        }
        let mut payload = vec![0u8; len];
        file.read_exact_at(&mut payload, offset + 4).ok()?;
        (peek_seq(&payload) == Some(seq)).then_some(payload)
    }

    /// The payload of record `seq` from a chain-verified scan of its segment.
    fn scanned_payload(&self, seq: u64) -> Result<Vec<u8>> {
        let mut payload = None;
        for_each_frame(&self.layout, seq, seq + 1, |frame| {
            payload = Some(frame.payload.to_vec());
            Ok(ControlFlow::Break(()))
        })?;
        payload.ok_or_else(|| AuditError::Invalid(format!("record {seq} is not in the log")))
    }

    /// Builds a consistency proof between the checkpoints of sizes `old_size` and
    /// `new_size` (default: the newest).
    pub fn consistency(&self, old_size: u64, new_size: Option<u64>) -> Result<ConsistencyProof> {
        let old = self.checkpoint(Some(old_size)).ok_or_else(|| {
            AuditError::Invalid(format!("no signed checkpoint of size {old_size}"))
        })?;
        let new = self
            .checkpoint(new_size)
            .ok_or_else(|| AuditError::Invalid("no such newer signed checkpoint".into()))?;
        if new.size < old.size {
            return Err(AuditError::Invalid(format!(
                "checkpoint {} is older than {}",
                new.size, old.size
            )));
        }
        let path = self.with_tree(
            new.size,
            |node| merkle::consistency_proof(&FnSource(node), old.size, new.size),
            |path| merkle::verify_consistency(old.size, new.size, &old.root, &new.root, path),
        )?;
        Ok(ConsistencyProof {
            v: 1,
            old,
            new,
            path,
        })
    }

    /// Runs `build` over the on-disk index; if the result does not check out against the
    /// signed root (index damaged), rebuilds the tree from the records and retries.
    fn with_tree<T>(
        &self,
        size: u64,
        build: impl Fn(&dyn Fn(u32, u64) -> Result<Digest>) -> Result<T>,
        check: impl Fn(&T) -> bool,
    ) -> Result<T> {
        let from_index = build(&|level, i| self.index.node(level, i));
        if let Ok(value) = from_index
            && check(&value)
        {
            return Ok(value);
        }
        let mut tree = MemoryTree::default();
        for_each_frame(&self.layout, 0, size, |frame| {
            tree.push(frame.leaf);
            Ok(ControlFlow::Continue(()))
        })?;
        if tree.size() < size {
            return Err(AuditError::Invalid(format!(
                "only {} records are readable (archived segments deleted?); cannot prove against size {size}",
                tree.size()
            )));
        }
        let value = build(&|level, i| Ok(tree.node(level, i).unwrap_or_default()))?;
        if check(&value) {
            Ok(value)
        } else {
            Err(AuditError::Invalid(
                "the records do not match the signed checkpoint; run `cdeguard audit verify`"
                    .into(),
            ))
        }
    }
}

struct FnSource<'a>(&'a dyn Fn(u32, u64) -> Result<Digest>);

impl NodeSource for FnSource<'_> {
    type Error = AuditError;
    fn node(&self, level: u32, index: u64) -> Result<Digest> {
        (self.0)(level, index)
    }
}

/// Builds the inclusion proof of record `seq` against the newest checkpoint (or the one
/// of size `checkpoint_size`).
pub fn prove_inclusion(
    dir: &Path,
    seq: u64,
    checkpoint_size: Option<u64>,
) -> Result<InclusionProof> {
    Prover::open(dir)?.inclusion(seq, checkpoint_size)
}

/// Builds a consistency proof between the checkpoints of sizes `old_size` and `new_size`
/// (default: the newest).
pub fn prove_consistency(
    dir: &Path,
    old_size: u64,
    new_size: Option<u64>,
) -> Result<ConsistencyProof> {
    Prover::open(dir)?.consistency(old_size, new_size)
}

fn trusted_signature(checkpoint: &Checkpoint, trusted: &[PublicKey]) -> Result<(), String> {
    let key = checkpoint.check_signature()?;
    if !trusted.contains(&key) {
        return Err(format!(
            "the checkpoint is signed by key {}, which is not among the given public keys",
            checkpoint.key_id
        ));
    }
    Ok(())
}

/// Checks an inclusion proof with only the public key(s); returns the proven record.
pub fn verify_inclusion_proof(
    proof: &InclusionProof,
    trusted: &[PublicKey],
) -> Result<Record, String> {
    trusted_signature(&proof.checkpoint, trusted)?;
    let leaf = merkle::leaf_hash(proof.record.as_bytes());
    if !merkle::verify_inclusion(
        &leaf,
        proof.seq,
        proof.checkpoint.size,
        &proof.path,
        &proof.checkpoint.root,
    ) {
        return Err(format!(
            "record {} is not in the tree of the signed checkpoint (size {}): the record or path was altered",
            proof.seq, proof.checkpoint.size
        ));
    }
    let record = Record::from_canonical(proof.record.as_bytes())
        .map_err(|e| format!("the proven record is not a record: {e}"))?;
    if record.seq != proof.seq {
        return Err(format!(
            "the record says seq {} but the proof is for {}",
            record.seq, proof.seq
        ));
    }
    Ok(record)
}

/// Checks a consistency proof with only the public key(s).
pub fn verify_consistency_proof(
    proof: &ConsistencyProof,
    trusted: &[PublicKey],
) -> Result<(), String> {
    trusted_signature(&proof.old, trusted)?;
    trusted_signature(&proof.new, trusted)?;
    if proof.old.log_id != proof.new.log_id {
        return Err("the checkpoints belong to different logs".into());
    }
    if !merkle::verify_consistency(
        proof.old.size,
        proof.new.size,
        &proof.old.root,
        &proof.new.root,
        &proof.path,
    ) {
        return Err(format!(
            "the log of size {} is not a prefix of the log of size {}: history was rewritten",
            proof.old.size, proof.new.size
        ));
    }
    Ok(())
}
