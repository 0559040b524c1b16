//! The I/O half of a commit: a [`Prepared`] commit (frames rendered and hashed, the
//! checkpoint signed, the next `head.json` computed by `LogWriter::prepare`) is made
//! durable by [`Store::persist`]. The halves are apart so that a stream of groups
//! overlaps them ([`crate::pipeline`]): one group is written and `fdatasync`ed while the
//! next is rendered and hashed.
//!
//! Order of one commit, and why a crash anywhere loses no acknowledged record:
//!
//! 1. a new segment, if due, is written whole and fsynced under a temporary name, then
//!    renamed (with the directory fsynced): it is either absent or complete;
//! 2. the frames are appended with one `write` and made durable with one `fdatasync`;
//!    only after it returns is the commit acknowledged. A crash before leaves a torn or
//!    missing tail past everything acknowledged, which recovery cuts off and records;
//! 3. the proof index is appended without fsync: it is derived data, checked against the
//!    log size on every open and rebuilt from the segments when it falls short;
//! 4. a due checkpoint line is appended; it only ever covers records made durable in
//!    step 2. A single commit fsyncs it at once. A stream (`pipeline`) defers that fsync
//!    until it lets go of the log lock or ends ([`Store::sync_checkpoints`]): one fsync
//!    for all the checkpoints of a busy stream instead of one each. A crash in between
//!    loses at most those checkpoint lines (or leaves an unterminated last line, which
//!    recovery cuts off): never a record, and no checkpoint that covers a record which
//!    is not durable; the lost checkpoints are signed again by the next commits;
//! 5. `head.json` is overwritten without fsync: a checksummed cache; when it is torn or
//!    stale, recovery rebuilds it from the newest segment and the checkpoints.

use std::fs::{File, OpenOptions};
use std::io::Write as _;

use crate::checkpoint::Checkpoint;
use crate::error::{AuditError, Result};
use crate::hash::Digest;
use crate::head::Head;
use crate::index::TreeIndex;
use crate::layout::{Layout, write_durable};
use crate::segment::SegmentHeader;
use crate::writer::Committed;

/// One commit, rendered, hashed and signed, not yet written.
pub(crate) struct Prepared {
    /// The segment to start before the frames, when the active one is full.
    pub(crate) new_segment: Option<SegmentHeader>,
    /// The frames, Merkle nodes and frame offsets.
    pub(crate) buffers: CommitBuffers,
    /// Length of the segment before the frames (where a failed write is cut back to).
    pub(crate) rollback_len: u64,
    /// The checkpoint signed with this commit.
    pub(crate) checkpoint: Option<Checkpoint>,
    /// Length of `checkpoints.ndjson` before the commit.
    pub(crate) previous_checkpoints_len: u64,
    /// `head.json` after the commit.
    pub(crate) head: Head,
    /// What the commit stores (handed to the caller once durable).
    pub(crate) committed: Committed,
}

/// What a commit writes besides its small parts; reused from one commit to the next, so
/// that a stream of commits allocates (and the kernel zeroes) no fresh memory.
#[derive(Default)]
pub(crate) struct CommitBuffers {
    /// The frames, in one buffer (one `write`).
    pub(crate) frames: Vec<u8>,
    /// Merkle nodes completed by the commit: `(level, index, hash)`.
    pub(crate) nodes: Vec<(u32, u64, Digest)>,
    /// Byte offset of each frame in its segment.
    pub(crate) offsets: Vec<u64>,
}

impl CommitBuffers {
    /// Empties the buffers, keeping their memory.
    pub(crate) fn clear(&mut self) {
        self.frames.clear();
        self.nodes.clear();
        self.offsets.clear();
    }
}

/// The files commits write: the active segment (kept open), the proof index,
/// `checkpoints.ndjson` and `head.json`.
pub(crate) struct Store {
    layout: Layout,
    segment: Option<(u64, File)>,
    pub(crate) index: TreeIndex,
    /// Checkpoint lines are fsynced by [`Store::sync_checkpoints`], not one by one.
    defer_checkpoint_sync: bool,
    /// `checkpoints.ndjson` has lines not yet fsynced.
    checkpoints_unsynced: bool,
}

impl Store {
    /// A store over `layout` with its proof index.
    pub(crate) fn new(layout: Layout, index: TreeIndex) -> Self {
        Store {
            layout,
            segment: None,
            index,
            defer_checkpoint_sync: false,
            checkpoints_unsynced: false,
        }
    }

    /// A store with its own file handles for a pipeline's I/O thread, whose checkpoint
    /// lines are fsynced together by [`Store::sync_checkpoints`].
    pub(crate) fn for_stream(layout: Layout) -> Result<Self> {
        let index = TreeIndex::open(layout.tree_dir())?;
        Ok(Store {
            defer_checkpoint_sync: true,
            ..Store::new(layout, index)
        })
    }

    /// Makes the checkpoint lines written since the last call durable.
    pub(crate) fn sync_checkpoints(&mut self) -> Result<()> {
        if !self.checkpoints_unsynced {
            return Ok(());
        }
        let path = self.layout.checkpoints();
        File::open(&path)
            .and_then(|file| file.sync_data())
            .map_err(AuditError::at(&path))?;
        self.checkpoints_unsynced = false;
        Ok(())
    }

    /// Makes `prepared` durable (see the module comment for the order). On error nothing
    /// of it is acknowledged and a partial segment write has been cut back.
    pub(crate) fn persist(&mut self, prepared: &mut Prepared) -> Result<()> {
        let head = &prepared.head;
        if prepared.committed.count > 0 {
            if let Some(header) = &prepared.new_segment {
                write_durable(&self.layout.segment(header.first_seq), &header.encode())?;
                // It may replace the file a handle is open on (an empty segment of an
                // older format).
                self.segment = None;
            }
            let path = self.layout.segment(head.segment);
            let file = self.segment_file(head.segment)?;
            if let Err(e) = file
                .write_all(&prepared.buffers.frames)
                .and_then(|()| file.sync_data())
            {
                // Never leave a partial batch behind: cut back to the last commit.
                let _ = file
                    .set_len(prepared.rollback_len)
                    .and_then(|()| file.sync_data());
                return Err(AuditError::io(&path, e));
            }
            // The records are durable; the index is derived and repaired on the next open.
            let buffers = &prepared.buffers;
            self.index.append(&buffers.nodes, &buffers.offsets)?;
        }
        if let Some(checkpoint) = &prepared.checkpoint {
            self.append_checkpoint(checkpoint, prepared.previous_checkpoints_len)?;
        }
        head.store(&self.layout)
    }

    fn segment_file(&mut self, first_seq: u64) -> Result<&mut File> {
        if self
            .segment
            .as_ref()
            .is_none_or(|(seq, _)| *seq != first_seq)
        {
            let path = self.layout.segment(first_seq);
            let file = OpenOptions::new()
                .append(true)
                .open(&path)
                .map_err(AuditError::at(&path))?;
            self.segment = Some((first_seq, file));
        }
        self.segment
            .as_mut()
            .map(|(_, f)| f)
            .ok_or_else(|| AuditError::Invalid("no active segment".into()))
    }

    fn append_checkpoint(&mut self, checkpoint: &Checkpoint, rollback_len: u64) -> Result<()> {
        let path = self.layout.checkpoints();
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(AuditError::at(&path))?;
        let defer = self.defer_checkpoint_sync;
        if let Err(e) = file
            .write_all(checkpoint.to_line().as_bytes())
            .and_then(|()| if defer { Ok(()) } else { file.sync_data() })
        {
            let _ = file.set_len(rollback_len);
            return Err(AuditError::io(&path, e));
        }
        self.checkpoints_unsynced |= defer;
        Ok(())
    }
}
