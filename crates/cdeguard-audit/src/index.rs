//! The proof index: `tree/level-00.bin` holds the leaf hashes, `tree/level-NN.bin` for
//! NN >= [`STORED_FROM_LEVEL`] the hashes of the complete perfect subtrees of that level
//! in order, and `tree/offsets.bin` the byte offset of each record's frame in its segment
//! (u64 LE). Levels 1 to 3 are not stored (they were 44% of the index's bytes): a node
//! there covers at most 8 leaves and is recomputed from `level-00.bin` (one read of at
//! most 256 bytes, at most 7 hashes), so proofs still read O(log n) nodes and one frame.
//! (Recomputing up to level 7 saves only 7% more bytes and made proofs 2.5 times slower.)
//! It is derived data: written after the segment is durable, never fsynced, checked
//! against the log size and rebuilt from the segments when inconsistent; every proof is
//! verified against its signed checkpoint before it is handed out.
//!
//! Index layout 2 (this one) and layout 1 (levels 1 to 3 stored) read each other's files:
//! this build ignores and removes stored levels 1 to 3, and a layout-1 build finds them
//! missing and rebuilds them from the records or falls back to a scan.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::os::unix::fs::FileExt as _;
use std::path::PathBuf;

use crate::error::{AuditError, Result};
use crate::hash::{DIGEST_LEN, Digest};
use crate::layout::create_dir_durable;
use crate::merkle::{Frontier, NodeSource, node_hash};

const MAX_LEVELS: u32 = 64;
/// The lowest level above the leaves whose nodes are stored.
pub const STORED_FROM_LEVEL: u32 = 4;
/// Bytes per entry of `offsets.bin`.
const OFFSET_LEN: u64 = 8;
/// The slot of `offsets.bin` among the open files (after the levels).
const OFFSETS_SLOT: u32 = MAX_LEVELS;

/// The on-disk perfect-subtree hashes.
pub struct TreeIndex {
    dir: PathBuf,
    files: Vec<Option<File>>,
    /// The bytes [`TreeIndex::append`] writes, per file: reused, so that appending
    /// allocates nothing once warm.
    pending: Vec<Vec<u8>>,
}

impl TreeIndex {
    /// The index in `dir` with no file open yet.
    fn closed(dir: PathBuf) -> Self {
        TreeIndex {
            dir,
            files: Vec::new(),
            pending: Vec::new(),
        }
    }

    /// Opens (creating) the index in `dir` for appending; removes levels a layout-1
    /// index stored and this one recomputes.
    pub fn open(dir: PathBuf) -> Result<Self> {
        create_dir_durable(&dir)?;
        let index = TreeIndex::closed(dir);
        for level in 1..STORED_FROM_LEVEL {
            let path = index.path(level);
            match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(AuditError::io(&path, e));
                }
                _ => {}
            }
        }
        Ok(index)
    }

    /// Whether nodes of `level` are stored (the others are recomputed from the leaves).
    pub fn stores_level(level: u32) -> bool {
        level == 0 || level >= STORED_FROM_LEVEL
    }

    /// The file of a level, or `offsets.bin` for [`OFFSETS_SLOT`].
    fn path(&self, level: u32) -> PathBuf {
        if level == OFFSETS_SLOT {
            return self.dir.join("offsets.bin");
        }
        self.dir.join(format!("level-{level:02}.bin"))
    }

    /// Opens every existing index file for reading once, so that proofs read nodes
    /// without opening files.
    pub fn open_for_reading(dir: PathBuf) -> Result<Self> {
        let mut index = TreeIndex::closed(dir);
        for slot in (0..=OFFSETS_SLOT).filter(|slot| Self::stores_level(*slot)) {
            match File::open(index.path(slot)) {
                Ok(file) => {
                    index.files.resize_with(slot as usize + 1, || None);
                    index.files[slot as usize] = Some(file);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(AuditError::io(&index.path(slot), e)),
            }
        }
        Ok(index)
    }

    /// Reads `buf.len()` bytes at `offset` of index file `slot`.
    fn read_at(&self, slot: u32, buf: &mut [u8], offset: u64) -> Result<()> {
        let path = self.path(slot);
        let opened;
        let file = match self.files.get(slot as usize).and_then(Option::as_ref) {
            Some(file) => file,
            None => {
                opened = File::open(&path).map_err(AuditError::at(&path))?;
                &opened
            }
        };
        file.read_exact_at(buf, offset)
            .map_err(AuditError::at(&path))
    }

    /// Byte offset of record `seq`'s frame in its segment.
    pub fn offset(&self, seq: u64) -> Result<u64> {
        let mut buf = [0u8; OFFSET_LEN as usize];
        self.read_at(OFFSETS_SLOT, &mut buf, seq * OFFSET_LEN)?;
        Ok(u64::from_le_bytes(buf))
    }

    fn file(&mut self, level: u32) -> Result<&mut File> {
        let slot = level as usize;
        if self.files.len() <= slot {
            self.files.resize_with(slot + 1, || None);
        }
        if self.files[slot].is_none() {
            let path = self.path(level);
            let file = OpenOptions::new()
                .read(true)
                .append(true)
                .create(true)
                .open(&path)
                .map_err(AuditError::at(&path))?;
            self.files[slot] = Some(file);
        }
        // The slot was filled just above.
        self.files[slot]
            .as_mut()
            .ok_or_else(|| AuditError::Invalid("index file vanished".into()))
    }

    fn nodes_at(&self, level: u32) -> u64 {
        std::fs::metadata(self.path(level)).map_or(0, |m| m.len() / DIGEST_LEN as u64)
    }

    fn offsets_held(&self) -> u64 {
        std::fs::metadata(self.path(OFFSETS_SLOT)).map_or(0, |m| m.len() / OFFSET_LEN)
    }

    /// Appends nodes `(level, index, hash)` produced by [`Frontier::push_with`] (of the
    /// levels [`TreeIndex::stores_level`] accepts) and the frame offsets of the same
    /// records.
    pub fn append(&mut self, nodes: &[(u32, u64, Digest)], offsets: &[u64]) -> Result<()> {
        let mut pending = std::mem::take(&mut self.pending);
        // One buffer per level, and the offsets' last.
        pending.resize_with(OFFSETS_SLOT as usize + 1, Vec::new);
        pending.iter_mut().for_each(Vec::clear);
        for offset in offsets {
            pending[OFFSETS_SLOT as usize].extend_from_slice(&offset.to_le_bytes());
        }
        for (level, _, hash) in nodes.iter().filter(|(l, _, _)| Self::stores_level(*l)) {
            pending[*level as usize].extend_from_slice(&hash.0);
        }
        let written = pending
            .iter()
            .enumerate()
            .filter(|(_, bytes)| !bytes.is_empty())
            .try_for_each(|(slot, bytes)| {
                let path = self.path(slot as u32);
                self.file(slot as u32)?
                    .write_all(bytes)
                    .map_err(AuditError::at(&path))
            });
        self.pending = pending;
        written
    }

    /// Whether the index holds exactly the nodes of a tree of `size` leaves.
    pub fn matches(&self, size: u64) -> bool {
        // Levels above the highest one in use must be empty; checking one more suffices
        // (they grow bottom-up).
        let levels = (u64::BITS - size.leading_zeros() + 1).min(MAX_LEVELS);
        self.offsets_held() == size
            && (0..levels)
                .filter(|level| Self::stores_level(*level))
                .all(|level| self.nodes_at(level) == size >> level)
    }

    /// Cuts the index back to the largest prefix it holds consistently (at most `size`
    /// leaves) and returns the frontier there, from which the caller re-adds the rest.
    pub fn truncate_to_consistent(&mut self, size: u64) -> Result<Frontier> {
        let mut valid = size.min(self.nodes_at(0));
        for level in STORED_FROM_LEVEL..MAX_LEVELS {
            let have = self.nodes_at(level);
            if have < valid >> level {
                valid = valid.min(((have + 1) << level) - 1);
            }
        }
        self.files.clear();
        for level in (0..=OFFSETS_SLOT).filter(|level| Self::stores_level(*level)) {
            let path = self.path(level);
            let want = if level == OFFSETS_SLOT {
                valid * OFFSET_LEN
            } else {
                (valid >> level) * DIGEST_LEN as u64
            };
            // Offsets missing below `valid` (a log indexed before offsets were, its old
            // segments possibly deleted) are filled with 0, the header's place: such a
            // record is found by scanning its segment.
            let offsets = level == OFFSETS_SLOT;
            match OpenOptions::new()
                .write(true)
                .create(offsets)
                .truncate(false)
                .open(&path)
            {
                Ok(f) => f.set_len(want).map_err(AuditError::at(&path))?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(AuditError::io(&path, e)),
            }
        }
        // The frontier at `valid` is the perfect subtrees of its binary decomposition.
        let mut hashes = Vec::new();
        let mut start = 0u64;
        for level in (0..64u32).rev() {
            if valid >> level & 1 == 1 {
                hashes.push(self.node(level, start >> level)?);
                start += 1 << level;
            }
        }
        Frontier::from_parts(valid, hashes)
            .ok_or_else(|| AuditError::Invalid("index frontier inconsistent".into()))
    }
}

impl NodeSource for TreeIndex {
    type Error = AuditError;
    fn node(&self, level: u32, index: u64) -> Result<Digest> {
        if !Self::stores_level(level) {
            // Recomputed from its (at most 8) leaves.
            let width = 1usize << level;
            let mut level_nodes = vec![0u8; width * DIGEST_LEN];
            self.read_at(0, &mut level_nodes, (index << level) * DIGEST_LEN as u64)?;
            let mut hashes: Vec<Digest> = level_nodes
                .chunks_exact(DIGEST_LEN)
                .filter_map(Digest::from_slice)
                .collect();
            while hashes.len() > 1 {
                hashes = hashes
                    .chunks_exact(2)
                    .map(|pair| node_hash(&pair[0], &pair[1]))
                    .collect();
            }
            return Ok(hashes[0]);
        }
        let mut buf = [0u8; DIGEST_LEN];
        self.read_at(level, &mut buf, index * DIGEST_LEN as u64)?;
        Ok(Digest(buf))
    }
}

/// Leaf hashes `[from, from + count)` from the index in `dir`, if it has them (used only
/// to point at the first altered record when a checkpoint root does not match).
pub fn read_leaves(dir: &std::path::Path, from: u64, count: u64) -> Option<Vec<Digest>> {
    let file = File::open(dir.join("level-00.bin")).ok()?;
    let mut buf = vec![0u8; usize::try_from(count).ok()? * DIGEST_LEN];
    file.read_exact_at(&mut buf, from * DIGEST_LEN as u64)
        .ok()?;
    Some(
        buf.chunks_exact(DIGEST_LEN)
            .filter_map(Digest::from_slice)
            .collect(),
    )
}
