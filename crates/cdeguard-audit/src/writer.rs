//! The writer: group commit under a cross-process file lock, crash recovery, periodic
//! signed checkpoints, key rotation and clock-jump alerts.
//!
//! A batch is acknowledged only after its frames are written and `fdatasync`ed; the
//! proof index, checkpoints and `head.json` follow. Recovery (when `head.json` does not
//! match the files) rescans the newest segment: an invalid frame *after* everything
//! acknowledged is a torn write and is cut off (the bytes are kept in `quarantine/` and an
//! `audit.recovery.truncate` record says so); an invalid frame *inside* the acknowledged
//! part is damage or tampering, and the writer refuses to touch it.

use std::fs::{File, OpenOptions};
use std::ops::ControlFlow;
use std::time::Duration;

use serde_json::json;

use crate::batch::{Batch, write_json};
use crate::checkpoint::{Checkpoint, read_checkpoints};
use crate::error::{AuditError, Result};
use crate::hash::{Digest, to_hex};
use crate::head::{Head, boot_id, boot_ns};
use crate::index::TreeIndex;
use crate::keys::SigningKey;
use crate::layout::{Layout, create_dir_durable, write_durable};
use crate::merkle::Frontier;
use crate::reader::for_each_frame;
use crate::record::{MAX_RECORD_BYTES, Origin, Outcome, RecordInput, format_time};
use crate::segment::{
    FORMAT_VERSION, FRAME_OVERHEAD, FrameReader, GENESIS_CHAIN, GroupWriter, MARK_LEN,
    SegmentHeader,
};
use crate::store::{CommitBuffers, Prepared, Store};

/// Actor of the records the audit system writes about itself.
pub const SYSTEM_ACTOR: &str = "cdeguard-audit";
/// Prefix of actions reserved for the audit system's own records.
pub const SYSTEM_ACTION_PREFIX: &str = "audit.";

/// Writer settings.
#[derive(Clone, Debug)]
pub struct WriterOptions {
    /// Start a new segment once the active one reaches this size.
    pub segment_bytes: u64,
    /// Sign a checkpoint after this many records since the last one.
    pub checkpoint_records: u64,
    /// Sign a checkpoint when the last one is older than this.
    pub checkpoint_interval: Duration,
    /// Wall-clock drift against the boot clock between commits that counts as a jump.
    pub clock_jump: Duration,
    /// Stamp records that carry no time with this instead of the clock (imports of old
    /// records, tests).
    pub fixed_time: Option<jiff::Timestamp>,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions {
            segment_bytes: 64 << 20,
            checkpoint_records: 10_000,
            checkpoint_interval: Duration::from_secs(60),
            clock_jump: Duration::from_secs(10),
            fixed_time: None,
        }
    }
}

/// What one commit stored.
#[derive(Clone, Debug)]
pub struct Committed {
    /// Sequence number of the first record of the batch.
    pub first_seq: u64,
    /// Records stored (system records such as alerts included).
    pub count: u64,
    /// The caller's records among them (the last `user_count`).
    pub user_count: u64,
    /// The checkpoint signed with this commit, if any.
    pub checkpoint: Option<Checkpoint>,
}

/// Appends records to one log directory.
pub struct LogWriter {
    layout: Layout,
    log_id: String,
    /// This process's origin as canonical JSON, for records that give none.
    origin: Vec<u8>,
    key: Option<SigningKey>,
    options: WriterOptions,
    store: Store,
    /// The buffers of the last commit (memory reused by the next).
    buffers: CommitBuffers,
}

/// Holds the log's exclusive lock until dropped (closing the descriptor releases it).
pub(crate) struct LockGuard {
    _file: File,
}

pub(crate) fn lock_log(layout: &Layout) -> Result<LockGuard> {
    let path = layout.lock();
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(AuditError::at(&path))?;
    file.lock().map_err(AuditError::at(&path))?;
    Ok(LockGuard { _file: file })
}

/// The in-memory writer state while the lock is held.
pub(crate) struct State {
    pub(crate) head: Head,
    pub(crate) frontier: Frontier,
    /// Format version of the active segment: one of an older version is continued in
    /// a new segment, never appended to in another format.
    pub(crate) segment_version: u32,
}

/// Identity stored in `log.json`.
#[derive(serde::Serialize, serde::Deserialize)]
struct Meta {
    format: String,
    version: u32,
    log_id: String,
}

/// Reads the log id from `log.json`.
pub fn read_log_id(layout: &Layout) -> Result<String> {
    let path = layout.meta();
    let text = std::fs::read_to_string(&path).map_err(AuditError::at(&path))?;
    let meta: Meta = serde_json::from_str(&text).map_err(|e| AuditError::BadFile {
        path: path.clone(),
        line: 1,
        message: e.to_string(),
    })?;
    Ok(meta.log_id)
}

fn system_input(
    action: &str,
    resource: &str,
    outcome: Outcome,
    details: serde_json::Value,
) -> RecordInput {
    RecordInput::new(SYSTEM_ACTOR, action, resource, outcome, details)
}

impl LogWriter {
    /// Opens (creating if empty) the log in `dir`, recovering from a crash if needed.
    /// With `key`, checkpoints are signed; the first key used on a log is introduced by
    /// an `audit.key.add` record, and a different key later needs [`LogWriter::rotate_key`].
    pub fn open(
        dir: &std::path::Path,
        options: WriterOptions,
        key: Option<SigningKey>,
    ) -> Result<Self> {
        let layout = Layout::new(dir);
        create_dir_durable(dir)?;
        let lock = lock_log(&layout)?;
        let log_id = if layout.meta().exists() {
            read_log_id(&layout)?
        } else {
            Self::init(&layout)?
        };
        let index = TreeIndex::open(layout.tree_dir())?;
        let mut writer = LogWriter {
            layout,
            log_id,
            origin: {
                let mut json = Vec::new();
                write_json(&mut json, &Origin::current());
                json
            },
            key,
            options,
            store: Store::new(Layout::new(dir), index),
            buffers: CommitBuffers::default(),
        };
        let (mut state, mut system) = writer.load_state()?;
        if state.head.size == 0 {
            let log_id = writer.log_id.clone();
            system.insert(
                0,
                system_input(
                    "audit.log.create",
                    "audit-log",
                    Outcome::Success,
                    json!({ "log_id": log_id }),
                ),
            );
        }
        let mut force_checkpoint = false;
        if let Some(key) = &writer.key {
            let public = key.public();
            match &state.head.signing_key {
                None => {
                    system.push(system_input(
                        "audit.key.add",
                        "audit-log",
                        Outcome::Success,
                        json!({ "key_id": public.id(), "public_key": public.to_hex() }),
                    ));
                    force_checkpoint = true;
                }
                Some(active) if *active != public.id() => {
                    return Err(AuditError::Key(format!(
                        "checkpoints of this log are signed by key {active}, not {}; \
                         switch keys with `cdeguard audit rotate-key`",
                        public.id()
                    )));
                }
                Some(_) => {}
            }
        }
        if !system.is_empty() || force_checkpoint {
            writer.commit(&mut state, &system, None, force_checkpoint)?;
        }
        drop(lock);
        Ok(writer)
    }

    fn init(layout: &Layout) -> Result<String> {
        let segments = layout.segments_dir();
        let header = SegmentHeader::new(0, GENESIS_CHAIN, Frontier::default());
        let mut existing: Vec<std::path::PathBuf> = Vec::new();
        if segments.exists() {
            for entry in std::fs::read_dir(&segments).map_err(AuditError::at(&segments))? {
                existing.push(entry.map_err(AuditError::at(&segments))?.path());
            }
        }
        // A writer killed during `init` leaves segment 0 holding only its header (written
        // before log.json): no record was ever acknowledged, so starting over loses nothing.
        let interrupted_init = existing.len() == 1
            && existing[0] == layout.segment(0)
            && std::fs::read(&existing[0]).is_ok_and(|bytes| {
                SegmentHeader::decode(&bytes)
                    .is_ok_and(|(found, len)| found.first_seq == 0 && len == bytes.len())
            });
        if interrupted_init {
            std::fs::remove_file(&existing[0]).map_err(AuditError::at(&existing[0]))?;
        } else if !existing.is_empty() {
            return Err(AuditError::Corrupt {
                path: layout.meta(),
                offset: 0,
                message:
                    "log.json is missing but segments exist; refusing to start a new log over them"
                        .into(),
            });
        }
        let mut id = [0u8; 16];
        // The kernel's generator: aws-lc's would first seed itself from CPU jitter (slow).
        std::fs::File::open("/dev/urandom")
            .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut id))
            .map_err(|e| AuditError::Key(format!("no randomness: {e}")))?;
        let log_id = to_hex(&id);
        let meta = Meta {
            format: "cdeguard-audit".into(),
            version: 1,
            log_id: log_id.clone(),
        };
        create_dir_durable(&segments)?;
        write_durable(&layout.segment(0), &header.encode())?;
        write_durable(
            &layout.meta(),
            serde_json::to_string_pretty(&meta)
                .unwrap_or_default()
                .as_bytes(),
        )?;
        Ok(log_id)
    }

    /// The log directory's layout.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The log's id.
    pub fn log_id(&self) -> &str {
        &self.log_id
    }

    /// Appends records durably (group commit): when this returns `Ok`, every record is
    /// on disk. Holds the log lock for the duration of the batch only.
    pub fn append(&mut self, inputs: Vec<RecordInput>) -> Result<Committed> {
        let mut batch = Batch::new();
        for (i, input) in inputs.iter().enumerate() {
            batch.push_input(input).map_err(|e| match e {
                AuditError::BadInput { message, .. } => AuditError::BadInput {
                    line: i + 1,
                    message,
                },
                other => other,
            })?;
        }
        self.append_batch(&batch)
    }

    /// Appends prepared records durably (group commit), like [`LogWriter::append`].
    pub fn append_batch(&mut self, batch: &Batch) -> Result<Committed> {
        self.check_user_batch(batch)?;
        self.append_unchecked(Some(batch))
    }

    /// `audit.*` records steer verification (keys, deletions); only this crate writes them.
    pub(crate) fn check_user_batch(&self, batch: &Batch) -> Result<()> {
        match batch.first_reserved() {
            Some(index) => Err(AuditError::BadInput {
                line: index + 1,
                message: format!(
                    "actions starting with `{SYSTEM_ACTION_PREFIX}` are reserved for the audit system"
                ),
            }),
            None => Ok(()),
        }
    }

    /// Appends records of the audit system itself (alerts, retention).
    pub(crate) fn append_system(
        &mut self,
        action: &str,
        resource: &str,
        outcome: Outcome,
        details: serde_json::Value,
    ) -> Result<Committed> {
        self.append_reserved(system_input(action, resource, outcome, details))
    }

    /// Appends one record whose action is reserved (`audit.*`): the audit system's own,
    /// or an audited read ([`crate::access`]) with the reader as actor.
    pub(crate) fn append_reserved(&mut self, input: RecordInput) -> Result<Committed> {
        let _lock = lock_log(&self.layout)?;
        let (mut state, mut system) = self.load_state()?;
        system.extend(self.clock_jump_alert(&state.head));
        system.push(input);
        self.commit(&mut state, &system, None, false)
    }

    fn append_unchecked(&mut self, batch: Option<&Batch>) -> Result<Committed> {
        let _lock = lock_log(&self.layout)?;
        let (mut state, mut system) = self.load_state()?;
        system.extend(self.clock_jump_alert(&state.head));
        self.commit(&mut state, &system, batch, false)
    }

    /// Signs a checkpoint now (if a key is set and records were added since the last).
    pub fn checkpoint(&mut self) -> Result<Option<Checkpoint>> {
        let _lock = lock_log(&self.layout)?;
        let (mut state, system) = self.load_state()?;
        Ok(self.commit(&mut state, &system, None, true)?.checkpoint)
    }

    /// Replaces the signing key on `actor`'s request (the operator: PCI DSS 10.2.1.5,
    /// 10.2.2): an `audit.key.add` record by `actor` introduces the new key and retires
    /// the old one, a checkpoint signed by the old key vouches for it, and a checkpoint
    /// at the same size is signed by the new key.
    pub fn rotate_key(&mut self, actor: &str, new_key: SigningKey) -> Result<Checkpoint> {
        let _lock = lock_log(&self.layout)?;
        let (mut state, mut system) = self.load_state()?;
        let Some(old) = &self.key else {
            return Err(AuditError::Key(
                "rotation needs the current key (--key)".into(),
            ));
        };
        let new_public = new_key.public();
        system.push(RecordInput::new(
            actor,
            "audit.key.add",
            "audit-log",
            Outcome::Success,
            json!({ "key_id": new_public.id(), "public_key": new_public.to_hex(), "retires": old.public().id() }),
        ));
        self.commit(&mut state, &system, None, true)?;
        self.key = Some(new_key);
        self.commit(&mut state, &[], None, true)?
            .checkpoint
            .ok_or_else(|| AuditError::Key("no checkpoint signed with the new key".into()))
    }

    pub(crate) fn clock_jump_alert(&self, head: &Head) -> Option<RecordInput> {
        let last_wall = head.wall.parse::<jiff::Timestamp>().ok()?;
        if head.boot_id.is_empty() || head.boot_id != boot_id() {
            return None;
        }
        let wall_delta = jiff::Timestamp::now().as_nanosecond() - last_wall.as_nanosecond();
        let boot_delta = i128::from(boot_ns()) - i128::from(head.boot_ns);
        let drift = wall_delta - boot_delta;
        (drift.unsigned_abs() > self.options.clock_jump.as_nanos()).then(|| {
            system_input(
                "audit.alert",
                "clock",
                Outcome::Failure,
                json!({
                    "kind": "clock_jump",
                    "requirement": "PCI DSS 10.6.1, 10.7.2",
                    "drift_seconds": drift as f64 / 1e9,
                    "previous_commit": head.wall,
                }),
            )
        })
    }

    /// Stores the audit system's own records (`system`), then `user`'s, in one durable
    /// write.
    fn commit(
        &mut self,
        state: &mut State,
        system: &[RecordInput],
        user: Option<&Batch>,
        force_checkpoint: bool,
    ) -> Result<Committed> {
        let buffers = std::mem::take(&mut self.buffers);
        let mut prepared = self.prepare(state, system, user, force_checkpoint, buffers)?;
        self.store.persist(&mut prepared)?;
        self.buffers = prepared.buffers;
        Ok(prepared.committed)
    }

    /// Renders and hashes one commit into `frames` (cleared first) and advances `state`
    /// to the state after it; writes nothing. On error `state` is unchanged.
    pub(crate) fn prepare(
        &self,
        state: &mut State,
        system: &[RecordInput],
        user: Option<&Batch>,
        force_checkpoint: bool,
        mut buffers: CommitBuffers,
    ) -> Result<Prepared> {
        let now = self.options.fixed_time.unwrap_or_else(jiff::Timestamp::now);
        let now_text = format_time(now);
        let mut system_batch = Batch::new();
        for input in system {
            system_batch.push_input(input)?;
        }
        let first_seq = state.head.size;
        let user_len = user.map_or(0, Batch::len);
        let count = (system_batch.len() + user_len) as u64;
        buffers.clear();
        let CommitBuffers {
            frames,
            nodes,
            offsets,
        } = &mut buffers;
        // The rendered fields, plus per record what the commit adds (framing, `v`, `seq`,
        // `time`, and the origin when the input gave none). A buffer too small for that
        // grows once, with headroom: recycled buffers then fit the next groups, whose
        // sizes vary a little, and no commit reallocates (fresh memory is zeroed by the
        // kernel, and was a tenth of an append's CPU time).
        let per_record = FRAME_OVERHEAD + 96 + self.origin.len();
        let expected = system_batch.rendered_len()
            + user.map_or(0, Batch::rendered_len)
            + per_record * (system_batch.len() + user_len)
            + MARK_LEN;
        if frames.capacity() < expected {
            frames.reserve_exact(expected + expected / 4);
        }
        let mut group = GroupWriter::new(&state.head.chain);
        let mut frontier = state.frontier.clone();
        let mut seq = first_seq;
        let batches = std::iter::once((&system_batch, 0)).chain(user.map(|b| (b, 1)));
        // `line_base`: user records are numbered from 1 in errors, system records not at all.
        for (batch, line_base) in batches {
            for index in 0..batch.len() {
                offsets.push(frames.len() as u64);
                let (len, leaf) = group.push_with(frames, |out| {
                    batch.write_payload(index, seq, &now_text, &self.origin, out);
                });
                if len > MAX_RECORD_BYTES {
                    return Err(AuditError::BadInput {
                        line: (index + 1) * line_base,
                        message: format!("record is larger than {MAX_RECORD_BYTES} bytes"),
                    });
                }
                frontier.push_with(leaf, |level, node, hash| {
                    if TreeIndex::stores_level(level) {
                        nodes.push((level, node, *hash));
                    }
                });
                seq += 1;
            }
        }
        let chain = group.finish(frames).unwrap_or(state.head.chain);
        let mut head = state.head.clone();
        let mut new_segment = None;
        if count > 0 {
            let full = head.segment_len >= self.options.segment_bytes && head.size > head.segment;
            // A segment of an older format is continued in a new one; one that holds no
            // record yet is replaced by the same segment in the current format.
            if full || state.segment_version != FORMAT_VERSION {
                let header = SegmentHeader::new(head.size, head.chain, state.frontier.clone());
                head.segment = header.first_seq;
                head.segment_len = header.encode().len() as u64;
                new_segment = Some(header);
            }
            // Offsets were taken within `frames`; the frames start at the segment's end.
            for offset in offsets.iter_mut() {
                *offset += head.segment_len;
            }
            head.size += count;
            head.chain = chain;
            head.segment_len += frames.len() as u64;
            head.frontier = frontier.hashes().to_vec();
        }
        let checkpoint = self.due_checkpoint(&head, &frontier, now, force_checkpoint);
        let previous_checkpoints_len = head.checkpoints_len;
        if let Some(checkpoint) = &checkpoint {
            head.checkpoints_len += checkpoint.to_line().len() as u64;
            head.checkpoint_size = checkpoint.size;
            head.checkpoint_time = Some(checkpoint.time.clone());
            head.signing_key = Some(checkpoint.key_id.clone());
        }
        head.wall = format_time(jiff::Timestamp::now());
        head.boot_id = boot_id();
        head.boot_ns = boot_ns();
        let rollback_len = match &new_segment {
            Some(_) => head.segment_len - frames.len() as u64,
            None => state.head.segment_len,
        };
        if new_segment.is_some() {
            state.segment_version = FORMAT_VERSION;
        }
        state.head = head.clone();
        state.frontier = frontier;
        Ok(Prepared {
            new_segment,
            buffers,
            rollback_len,
            checkpoint: checkpoint.clone(),
            previous_checkpoints_len,
            head,
            committed: Committed {
                first_seq,
                count,
                user_count: user_len as u64,
                checkpoint,
            },
        })
    }

    /// The checkpoint to sign after a commit that leads to `head`, if one is due.
    fn due_checkpoint(
        &self,
        head: &Head,
        frontier: &Frontier,
        now: jiff::Timestamp,
        force: bool,
    ) -> Option<Checkpoint> {
        let key = self.key.as_ref()?;
        let since = head.size - head.checkpoint_size;
        let last_time = head
            .checkpoint_time
            .as_deref()
            .and_then(|t| t.parse::<jiff::Timestamp>().ok());
        let stale = last_time.is_none_or(|t| {
            now.as_nanosecond() - t.as_nanosecond()
                >= self.options.checkpoint_interval.as_nanos() as i128
        });
        let due = force || since >= self.options.checkpoint_records || (since > 0 && stale);
        due.then(|| {
            Checkpoint::sign(
                &self.log_id,
                head.size,
                frontier.root(),
                head.chain,
                format_time(now),
                key,
            )
        })
    }

    /// The state from `head.json` if it matches the files, else from recovery; plus the
    /// system records recovery wants appended.
    pub(crate) fn load_state(&mut self) -> Result<(State, Vec<RecordInput>)> {
        if let Some(head) = Head::load(&self.layout)
            && let Some(frontier) = head.frontier()
            && self.head_matches_files(&head)
            && let Some(segment_version) = self.segment_version(head.segment)
        {
            return Ok((
                State {
                    head,
                    frontier,
                    segment_version,
                },
                Vec::new(),
            ));
        }
        self.recover()
    }

    /// The format version of the segment that starts at `first_seq`, if it is readable.
    fn segment_version(&self, first_seq: u64) -> Option<u32> {
        use std::io::Read as _;
        let mut start = [0; 12];
        File::open(self.layout.segment(first_seq))
            .and_then(|mut file| file.read_exact(&mut start))
            .ok()?;
        SegmentHeader::peek_version(&start)
    }

    fn head_matches_files(&self, head: &Head) -> bool {
        let segment_len = std::fs::metadata(self.layout.segment(head.segment)).map(|m| m.len());
        let checkpoints_len = std::fs::metadata(self.layout.checkpoints()).map_or(0, |m| m.len());
        let newer_segment = self.layout.segment(head.size).exists() && head.size > head.segment;
        segment_len.ok() == Some(head.segment_len)
            && checkpoints_len == head.checkpoints_len
            && !newer_segment
            && self.store.index.matches(head.size)
    }

    fn recover(&mut self) -> Result<(State, Vec<RecordInput>)> {
        let old_head = Head::load(&self.layout);
        let mut notes = Vec::new();
        let segments = self.layout.list_segments()?;
        let Some(last) = segments.last() else {
            return Err(AuditError::Corrupt {
                path: self.layout.segments_dir(),
                offset: 0,
                message: "no segment files; the log was deleted".into(),
            });
        };
        if last.archived {
            return Err(AuditError::Corrupt {
                path: last.path.clone(),
                offset: 0,
                message: "the newest segment is archived; the hot segment is missing".into(),
            });
        }
        let bytes = std::fs::read(&last.path).map_err(AuditError::at(&last.path))?;
        let (header, mut frames) = FrameReader::new(&bytes).map_err(|e| AuditError::Corrupt {
            path: last.path.clone(),
            offset: 0,
            message: e.to_string(),
        })?;
        let mut leaves = Vec::new();
        let mut fault = None;
        for frame in frames.by_ref() {
            match frame {
                Ok(f) => leaves.push(f.leaf),
                Err(e) => fault = Some(e),
            }
        }
        let (size, chain, good_len) = (frames.next_seq(), frames.chain_value(), frames.position());
        // Records of a group without its commit mark were read but are cut off below.
        let mut frontier = header.frontier.clone();
        let committed = usize::try_from(size - header.first_seq).unwrap_or(usize::MAX);
        for leaf in leaves.iter().take(committed) {
            frontier.push(*leaf);
        }
        let checkpoint_file = read_checkpoints(&self.layout.checkpoints())?;
        let mut checkpoints_len =
            std::fs::metadata(self.layout.checkpoints()).map_or(0, |m| m.len());
        if let Some(torn_at) = checkpoint_file.torn_at {
            let path = self.layout.checkpoints();
            let all = std::fs::read(&path).map_err(AuditError::at(&path))?;
            let removed = &all[usize::try_from(torn_at).unwrap_or(all.len())..];
            let quarantined = self.quarantine(&path, torn_at, removed)?;
            truncate_durable(&path, torn_at)?;
            checkpoints_len = torn_at;
            notes.push(system_input(
                "audit.recovery.truncate",
                "checkpoints.ndjson",
                Outcome::Success,
                json!({
                    "reason": "unterminated last checkpoint line (torn write)",
                    "offset": torn_at,
                    "bytes_removed": removed.len(),
                    "quarantined_as": quarantined,
                }),
            ));
        }
        if let Some(fault) = fault {
            let acknowledged = old_head
                .as_ref()
                .filter(|h| h.segment == header.first_seq)
                .map_or(0, |h| h.segment_len);
            // Records a checkpoint signed or head.json acknowledged were durable: damage
            // there is never a torn write.
            let acknowledged_seq = checkpoint_file
                .checkpoints
                .last()
                .map_or(0, |c| c.size)
                .max(old_head.as_ref().map_or(0, |h| h.size));
            if fault.offset < acknowledged || fault.seq < acknowledged_seq {
                return Err(AuditError::Corrupt {
                    path: last.path.clone(),
                    offset: fault.offset,
                    message: format!(
                        "record {}: {}; it lies inside the acknowledged part, so this is damage or \
                         tampering, not a torn write (run `cdeguard audit verify`)",
                        fault.seq, fault.fault
                    ),
                });
            }
            let removed = &bytes[usize::try_from(good_len).unwrap_or(bytes.len())..];
            let quarantined = self.quarantine(&last.path, good_len, removed)?;
            truncate_durable(&last.path, good_len)?;
            notes.push(system_input(
                "audit.recovery.truncate",
                &format!("segments/{}", file_name(&last.path)),
                Outcome::Success,
                json!({
                    "reason": fault.fault.to_string(),
                    "offset": good_len,
                    "bytes_removed": removed.len(),
                    "sha256_removed": Digest::of(&[removed]).to_hex(),
                    "first_unacknowledged_seq": size,
                    "quarantined_as": quarantined,
                }),
            ));
        }
        let last_checkpoint = checkpoint_file.checkpoints.last();
        if let Some(cp) = last_checkpoint
            && cp.size > size
        {
            return Err(AuditError::Corrupt {
                path: last.path.clone(),
                offset: good_len,
                message: format!(
                    "a signed checkpoint covers {} records but only {size} are present: records were removed",
                    cp.size
                ),
            });
        }
        if let Some(h) = &old_head
            && h.size > size
        {
            return Err(AuditError::Corrupt {
                path: last.path.clone(),
                offset: good_len,
                message: format!(
                    "{} records were acknowledged but only {size} are present",
                    h.size
                ),
            });
        }
        self.repair_index(size)?;
        let head = Head {
            size,
            chain,
            frontier: frontier.hashes().to_vec(),
            segment: header.first_seq,
            segment_len: good_len,
            checkpoints_len,
            checkpoint_size: last_checkpoint.map_or(0, |c| c.size),
            checkpoint_time: last_checkpoint.map(|c| c.time.clone()),
            signing_key: last_checkpoint.map(|c| c.key_id.clone()),
            wall: old_head
                .as_ref()
                .map(|h| h.wall.clone())
                .unwrap_or_default(),
            boot_id: old_head
                .as_ref()
                .map(|h| h.boot_id.clone())
                .unwrap_or_default(),
            boot_ns: old_head.as_ref().map_or(0, |h| h.boot_ns),
        };
        head.store(&self.layout)?;
        Ok((
            State {
                head,
                frontier,
                segment_version: header.version,
            },
            notes,
        ))
    }

    fn repair_index(&mut self, size: u64) -> Result<()> {
        if self.store.index.matches(size) {
            return Ok(());
        }
        let mut frontier = self.store.index.truncate_to_consistent(size)?;
        let (mut nodes, mut offsets) = (Vec::new(), Vec::new());
        for_each_frame(&self.layout, frontier.size(), size, |frame| {
            offsets.push(frame.offset);
            frontier.push_with(frame.leaf, |level, index, hash| {
                nodes.push((level, index, *hash))
            });
            Ok(ControlFlow::Continue(()))
        })?;
        self.store.index.append(&nodes, &offsets)
    }

    fn quarantine(&self, source: &std::path::Path, offset: u64, bytes: &[u8]) -> Result<String> {
        let dir = self.layout.quarantine_dir();
        create_dir_durable(&dir)?;
        let name = format!(
            "{}.{offset}.{}.torn",
            file_name(source),
            jiff::Timestamp::now().as_nanosecond()
        );
        write_durable(&dir.join(&name), bytes)?;
        Ok(format!("quarantine/{name}"))
    }
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn truncate_durable(path: &std::path::Path, len: u64) -> Result<()> {
    OpenOptions::new()
        .write(true)
        .open(path)
        .and_then(|f| {
            f.set_len(len)?;
            f.sync_all()
        })
        .map_err(AuditError::at(path))
}
