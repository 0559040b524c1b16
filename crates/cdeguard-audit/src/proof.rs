//! Inclusion proofs (one record against a signed checkpoint) and consistency proofs
//! (the log at one checkpoint is a prefix of the log at a later one), as self-contained
//! JSON bundles that `verify_*` checks with nothing but the public key.

use std::ops::ControlFlow;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::checkpoint::{Checkpoint, read_checkpoints};
use crate::error::{AuditError, Result};
use crate::hash::Digest;
use crate::index::TreeIndex;
use crate::keys::PublicKey;
use crate::layout::Layout;
use crate::merkle::{self, MemoryTree, NodeSource};
use crate::reader::for_each_frame;
use crate::record::Record;

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

fn checkpoints(layout: &Layout) -> Result<Vec<Checkpoint>> {
    Ok(read_checkpoints(&layout.checkpoints())?.checkpoints)
}

/// Runs `build` over the on-disk index; if the result does not check out against the
/// signed root (index damaged), rebuilds the tree from the records and retries.
fn with_tree<T>(
    layout: &Layout,
    size: u64,
    build: impl Fn(&dyn Fn(u32, u64) -> Result<Digest>) -> Result<T>,
    check: impl Fn(&T) -> bool,
) -> Result<T> {
    let index = TreeIndex::open(layout.tree_dir())?;
    let from_index = build(&|level, i| index.node(level, i));
    if let Ok(value) = from_index
        && check(&value)
    {
        return Ok(value);
    }
    let mut tree = MemoryTree::default();
    for_each_frame(layout, 0, size, |frame| {
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
            "the records do not match the signed checkpoint; run `cdeguard audit verify`".into(),
        ))
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
    let layout = Layout::new(dir);
    let all = checkpoints(&layout)?;
    let checkpoint = match checkpoint_size {
        Some(size) => all.iter().rev().find(|c| c.size == size),
        None => all.last(),
    }
    .cloned()
    .ok_or_else(|| {
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
    let mut record = None;
    for_each_frame(&layout, seq, seq + 1, |frame| {
        record = Some(String::from_utf8_lossy(frame.payload).into_owned());
        Ok(ControlFlow::Break(()))
    })?;
    let record =
        record.ok_or_else(|| AuditError::Invalid(format!("record {seq} is not in the log")))?;
    let leaf = merkle::leaf_hash(record.as_bytes());
    let path = with_tree(
        &layout,
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

/// Builds a consistency proof between the checkpoints of sizes `old_size` and `new_size`
/// (default: the newest).
pub fn prove_consistency(
    dir: &Path,
    old_size: u64,
    new_size: Option<u64>,
) -> Result<ConsistencyProof> {
    let layout = Layout::new(dir);
    let all = checkpoints(&layout)?;
    let find = |size: u64| all.iter().rev().find(|c| c.size == size).cloned();
    let old = find(old_size)
        .ok_or_else(|| AuditError::Invalid(format!("no signed checkpoint of size {old_size}")))?;
    let new = match new_size {
        Some(size) => find(size),
        None => all.last().cloned(),
    }
    .ok_or_else(|| AuditError::Invalid("no such newer signed checkpoint".into()))?;
    if new.size < old.size {
        return Err(AuditError::Invalid(format!(
            "checkpoint {} is older than {}",
            new.size, old.size
        )));
    }
    let path = with_tree(
        &layout,
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
