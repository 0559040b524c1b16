//! Offline verification of a whole log or a range, trusting nothing in the directory
//! except the public keys the assessor passes in.
//!
//! Checks, in one pass: every segment header continues the previous segment (sequence,
//! chain, Merkle frontier); every record's sequence number and stored hash (format 1:
//! its chain value; format 2: its leaf prefix, and each group's commit mark, a record
//! of a group whose mark fails named through the proof index); the Merkle root and
//! chain at every checkpoint; every checkpoint's signature, log id and key
//! trust (pinned keys, keys introduced by `audit.key.add` records under a trusted
//! checkpoint, retired keys refused afterwards); that no checkpoint or acknowledged size
//! reaches beyond the records present; and that a missing prefix was deleted by a
//! recorded retention run. The first failure is reported with its record and place.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use crate::checkpoint::{Checkpoint, read_checkpoints};
use crate::error::Result;
use crate::hash::Digest;
use crate::head::Head;
use crate::index::read_leaves;
use crate::keys::PublicKey;
use crate::layout::{Layout, SegmentFile};
use crate::merkle::Frontier;
use crate::reader::load_segment;
use crate::record::Record;
use crate::segment::{FrameError, FrameFault, FrameReader};
use crate::writer::read_log_id;

/// What to verify and whom to trust.
#[derive(Clone, Debug, Default)]
pub struct VerifyOptions {
    /// Pinned checkpoint keys; empty means trust the first key the log introduces.
    pub trusted_keys: Vec<PublicKey>,
    /// First record to verify (from the segment holding it).
    pub from: Option<u64>,
    /// Verify up to this record (and on to the first checkpoint covering it).
    pub to: Option<u64>,
}

/// The first thing found wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The first bad or missing record, when one can be named.
    pub seq: Option<u64>,
    /// File (and byte offset or line).
    pub location: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.seq {
            Some(seq) => write!(f, "record {seq} ({}): {}", self.location, self.message),
            None => write!(f, "{}: {}", self.location, self.message),
        }
    }
}

/// Outcome of a verification.
#[derive(Clone, Debug, Default)]
pub struct VerifyReport {
    /// First record verified.
    pub first_seq: u64,
    /// Records verified.
    pub records: u64,
    /// Checkpoints whose root, chain and signature were checked.
    pub checkpoints_checked: usize,
    /// Size of the newest checked checkpoint.
    pub last_checkpoint: Option<u64>,
    /// Records after the newest checkpoint (chain-verified only).
    pub unsigned_tail: u64,
    /// Keys that signed checked checkpoints.
    pub keys: Vec<String>,
    /// Things to know that are not failures.
    pub warnings: Vec<String>,
    /// The first failure; `None` means the log verified.
    pub failure: Option<Failure>,
}

#[derive(Deserialize)]
struct KeyAdd {
    key_id: String,
    public_key: String,
    #[serde(default)]
    retires: Option<String>,
}

#[derive(Deserialize)]
struct Deletion {
    first_seq: u64,
    end_seq: u64,
}

struct TrustedKey {
    /// The key may sign checkpoints up to this size (set when it is retired).
    valid_to: Option<u64>,
}

struct Walk<'a> {
    layout: &'a Layout,
    options: &'a VerifyOptions,
    checkpoints: Vec<(usize, Checkpoint)>,
    next_checkpoint: usize,
    trusted: HashMap<String, TrustedKey>,
    pending_keys: Vec<(u64, KeyAdd)>,
    deletions: Vec<Deletion>,
    /// Leaves since the last good checkpoint, to point at an altered record.
    window: Vec<Digest>,
    window_start: u64,
    /// A segment ended in a group without its commit mark (version 2).
    uncommitted: Option<Failure>,
    report: VerifyReport,
}

fn fail(seq: Option<u64>, location: String, message: impl Into<String>) -> Failure {
    Failure {
        seq,
        location,
        message: message.into(),
    }
}

/// Verifies the log in `dir`.
pub fn verify(dir: &Path, options: &VerifyOptions) -> Result<VerifyReport> {
    let layout = Layout::new(dir);
    let mut walk = Walk {
        layout: &layout,
        options,
        checkpoints: Vec::new(),
        next_checkpoint: 0,
        trusted: options
            .trusted_keys
            .iter()
            .map(|k| (k.id(), TrustedKey { valid_to: None }))
            .collect(),
        pending_keys: Vec::new(),
        deletions: Vec::new(),
        window: Vec::new(),
        window_start: 0,
        uncommitted: None,
        report: VerifyReport::default(),
    };
    if let Err(failure) = walk.run() {
        walk.report.failure = Some(failure);
    }
    Ok(walk.report)
}

impl Walk<'_> {
    fn run(&mut self) -> Result<(), Failure> {
        let log_id = read_log_id(self.layout).map_err(|e| {
            fail(
                None,
                "log.json".into(),
                format!("unreadable log identity: {e}"),
            )
        })?;
        self.load_checkpoints(&log_id)?;
        let segments = self
            .layout
            .list_segments()
            .map_err(|e| fail(None, "segments/".into(), e.to_string()))?;
        if segments.is_empty() {
            return Err(fail(
                None,
                "segments/".into(),
                "no segments: the log was deleted",
            ));
        }
        let from = self.options.from.unwrap_or(0);
        let start = segments
            .iter()
            .rposition(|s| s.first_seq <= from)
            .unwrap_or(0);
        let stop_at = self.stop_at();
        let mut state: Option<(u64, Digest, Frontier)> = None;
        for segment in &segments[start..] {
            if state.as_ref().is_some_and(|(next, _, _)| *next >= stop_at) {
                break;
            }
            state = Some(self.segment(segment, state, stop_at)?);
        }
        let (end, _, _) = state.unwrap_or_default();
        self.finish(&segments, end)
    }

    fn stop_at(&self) -> u64 {
        match self.options.to {
            None => u64::MAX,
            Some(to) => self
                .checkpoints
                .iter()
                .map(|(_, c)| c.size)
                .filter(|s| *s > to)
                .min()
                .unwrap_or(u64::MAX),
        }
    }

    fn load_checkpoints(&mut self, log_id: &str) -> Result<(), Failure> {
        let path = self.layout.checkpoints();
        let file = read_checkpoints(&path)
            .map_err(|e| fail(None, "checkpoints.ndjson".into(), e.to_string()))?;
        if file.torn_at.is_some() {
            self.report.warnings.push(
                "checkpoints.ndjson ends in an unterminated line (a crash while signing); ignored"
                    .into(),
            );
        }
        let mut last_size = 0;
        for (i, checkpoint) in file.checkpoints.into_iter().enumerate() {
            let location = format!("checkpoints.ndjson line {}", i + 1);
            if checkpoint.log_id != log_id {
                return Err(fail(
                    None,
                    location,
                    format!("forged checkpoint: it belongs to log {}", checkpoint.log_id),
                ));
            }
            if let Err(e) = checkpoint.check_signature() {
                return Err(fail(None, location, format!("forged checkpoint: {e}")));
            }
            if checkpoint.size < last_size {
                return Err(fail(
                    None,
                    location,
                    format!(
                        "checkpoint size {} is smaller than the one before ({last_size})",
                        checkpoint.size
                    ),
                ));
            }
            last_size = checkpoint.size;
            self.checkpoints.push((i + 1, checkpoint));
        }
        if self.checkpoints.is_empty() {
            self.report
                .warnings
                .push("no signed checkpoints: records are chain-verified only".into());
        }
        Ok(())
    }

    fn segment(
        &mut self,
        file: &SegmentFile,
        state: Option<(u64, Digest, Frontier)>,
        stop_at: u64,
    ) -> Result<(u64, Digest, Frontier), Failure> {
        let name = relative(self.layout, &file.path);
        let bytes = load_segment(file)
            .map_err(|e| fail(Some(file.first_seq), name.clone(), e.to_string()))?;
        let (header, frames) = FrameReader::new(&bytes).map_err(|e| {
            fail(
                Some(file.first_seq),
                name.clone(),
                format!("bad header: {e}"),
            )
        })?;
        if header.first_seq != file.first_seq {
            return Err(fail(
                Some(file.first_seq),
                name,
                format!(
                    "segment replaced: its header starts at record {}",
                    header.first_seq
                ),
            ));
        }
        let mut frontier = match state {
            Some((next, chain, frontier)) => {
                if header.first_seq > next {
                    return Err(fail(
                        Some(next),
                        name,
                        format!(
                            "records {next}..{} are missing (segment deleted)",
                            header.first_seq
                        ),
                    ));
                }
                if header.first_seq < next {
                    return Err(fail(
                        Some(header.first_seq),
                        name,
                        "segment overlaps the previous one (segment replaced or duplicated)",
                    ));
                }
                if header.prev_chain != chain || header.frontier != frontier {
                    return Err(fail(
                        Some(next),
                        name,
                        "segment replaced: its header does not continue the previous segment's hash chain",
                    ));
                }
                frontier
            }
            None => {
                self.report.first_seq = header.first_seq;
                self.window_start = header.first_seq;
                header.frontier.clone()
            }
        };
        // Checkpoints before the first verified record cannot be recomputed; skip them.
        while self
            .checkpoints
            .get(self.next_checkpoint)
            .is_some_and(|(_, c)| c.size < frontier.size() || (c.size == 0))
        {
            self.next_checkpoint += 1;
        }
        self.check_checkpoints(&frontier, &header.prev_chain, &name)?;
        let finder = memchr::memmem::Finder::new(b"\"action\":\"audit.");
        let mut chain = header.prev_chain;
        for frame in frames {
            let frame = match frame {
                Ok(frame) => frame,
                Err(e) if self.is_unacknowledged_tail(file, e.seq) => {
                    self.report.warnings.push(format!(
                        "{name}: record {} onwards is a torn, unacknowledged write (a crash); \
                         the next writer cuts it off and records that",
                        e.seq
                    ));
                    if let FrameFault::Uncommitted { first, end } = e.fault {
                        // Its records were read, but they were never acknowledged.
                        self.report.records -= end - first;
                        return Ok((first, chain, frontier));
                    }
                    break;
                }
                Err(FrameError {
                    fault: fault @ FrameFault::MarkMismatch { first, .. },
                    offset,
                    ..
                }) => {
                    // The proof index, written with the records, points at the record
                    // whose leaf changed (when the index itself is intact).
                    return Err(match self.first_altered() {
                        Some(seq) => fail(
                            Some(seq),
                            name.clone(),
                            format!(
                                "record {seq} was modified: it differs from the proof index, and {fault}"
                            ),
                        ),
                        None => fail(
                            Some(first),
                            format!("{name}, byte {offset}"),
                            fault.to_string(),
                        ),
                    });
                }
                Err(FrameError {
                    fault: fault @ FrameFault::Uncommitted { first, .. },
                    offset,
                    ..
                }) => {
                    // Records are missing after these: `finish` names the first missing
                    // record if a checkpoint or head.json says how many there were.
                    self.uncommitted = Some(fail(
                        Some(first),
                        format!("{name}, byte {offset}"),
                        fault.to_string(),
                    ));
                    break;
                }
                Err(e) => {
                    return Err(fail(
                        Some(e.seq),
                        format!("{name}, byte {}", e.offset),
                        e.fault.to_string(),
                    ));
                }
            };
            if frame.seq >= stop_at {
                break;
            }
            frontier.push(frame.leaf);
            self.window.push(frame.leaf);
            chain = frame.chain;
            self.report.records += 1;
            if finder.find(frame.payload).is_some() {
                self.system_record(frame.payload, frame.seq, &name)?;
            }
            self.check_checkpoints(&frontier, &chain, &name)?;
        }
        Ok((frontier.size(), chain, frontier))
    }

    /// A frame fault in the newest hot segment beyond everything acknowledged (head.json)
    /// and signed is what a crash mid-commit leaves; the writer's recovery removes it.
    fn is_unacknowledged_tail(&self, file: &SegmentFile, seq: u64) -> bool {
        let newest = self
            .layout
            .list_segments()
            .ok()
            .and_then(|s| s.last().cloned())
            .is_some_and(|last| last == *file && !file.archived);
        let acknowledged = Head::load(self.layout).map_or(0, |h| h.size);
        let signed = self.checkpoints.last().map_or(0, |(_, c)| c.size);
        newest && seq >= acknowledged && seq >= signed
    }

    fn system_record(&mut self, payload: &[u8], seq: u64, name: &str) -> Result<(), Failure> {
        let record = Record::from_canonical(payload).map_err(|e| {
            fail(
                Some(seq),
                name.to_owned(),
                format!("unreadable audit system record: {e}"),
            )
        })?;
        match record.action.as_str() {
            "audit.key.add" => {
                let add: KeyAdd = serde_json::from_value(record.details).map_err(|e| {
                    fail(
                        Some(seq),
                        name.to_owned(),
                        format!("bad audit.key.add record: {e}"),
                    )
                })?;
                if self.options.trusted_keys.is_empty() && self.trusted.is_empty() {
                    self.report.warnings.push(format!(
                        "no --public-key given: trusting key {} introduced by record {seq} (pin it with --public-key)",
                        add.key_id
                    ));
                    self.trusted
                        .insert(add.key_id, TrustedKey { valid_to: None });
                } else {
                    self.pending_keys.push((seq, add));
                }
            }
            "audit.retention.delete" => {
                if let Ok(deletion) = serde_json::from_value::<Deletion>(record.details) {
                    self.deletions.push(deletion);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn check_checkpoints(
        &mut self,
        frontier: &Frontier,
        chain: &Digest,
        name: &str,
    ) -> Result<(), Failure> {
        while let Some((line, checkpoint)) = self.checkpoints.get(self.next_checkpoint) {
            if checkpoint.size != frontier.size() {
                break;
            }
            let location = format!("checkpoints.ndjson line {line}");
            if checkpoint.root != frontier.root() || checkpoint.chain != *chain {
                let first_altered = self.first_altered();
                let range = format!("{}..{}", self.window_start, checkpoint.size);
                let message = match first_altered {
                    Some(seq) => format!(
                        "records do not match the signed checkpoint of size {} ({location}); record {seq} differs from the proof index",
                        checkpoint.size
                    ),
                    None => format!(
                        "records {range} do not match the signed checkpoint of size {} ({location}): altered, replaced or reordered records",
                        checkpoint.size
                    ),
                };
                return Err(fail(
                    first_altered.or(Some(self.window_start)),
                    name.to_owned(),
                    message,
                ));
            }
            match self.trusted.get(&checkpoint.key_id) {
                None => {
                    return Err(fail(
                        None,
                        location,
                        format!(
                            "forged checkpoint: signed by untrusted key {}",
                            checkpoint.key_id
                        ),
                    ));
                }
                Some(TrustedKey {
                    valid_to: Some(limit),
                }) if checkpoint.size > *limit => {
                    return Err(fail(
                        None,
                        location,
                        format!(
                            "forged checkpoint: key {} was retired at size {limit}",
                            checkpoint.key_id
                        ),
                    ));
                }
                Some(_) => {}
            }
            let size = checkpoint.size;
            if !self.report.keys.contains(&checkpoint.key_id) {
                self.report.keys.push(checkpoint.key_id.clone());
            }
            // Keys introduced before this checkpoint are now vouched for by a trusted key.
            let (ready, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.pending_keys)
                .into_iter()
                .partition(|(seq, _)| *seq < size);
            self.pending_keys = waiting;
            for (_, add) in ready {
                if PublicKey::from_hex(&add.public_key).is_none_or(|k| k.id() != add.key_id) {
                    continue;
                }
                if let Some(old) = add.retires.and_then(|id| self.trusted.get_mut(&id)) {
                    old.valid_to = Some(size);
                }
                self.trusted
                    .entry(add.key_id)
                    .or_insert(TrustedKey { valid_to: None });
            }
            self.report.checkpoints_checked += 1;
            self.report.last_checkpoint = Some(size);
            self.window.clear();
            self.window_start = size;
            self.next_checkpoint += 1;
        }
        Ok(())
    }

    fn first_altered(&self) -> Option<u64> {
        let indexed = read_leaves(
            &self.layout.tree_dir(),
            self.window_start,
            self.window.len() as u64,
        )?;
        indexed
            .iter()
            .zip(&self.window)
            .position(|(a, b)| a != b)
            .map(|i| self.window_start + i as u64)
    }

    fn finish(&mut self, segments: &[SegmentFile], end: u64) -> Result<(), Failure> {
        let ranged = self.options.from.is_some() || self.options.to.is_some();
        if let Some((line, checkpoint)) = self.checkpoints.iter().find(|(_, c)| c.size > end)
            && self.options.to.is_none_or(|to| to >= end)
        {
            return Err(fail(
                Some(end),
                format!("checkpoints.ndjson line {line}"),
                format!(
                    "log truncated: a signed checkpoint covers {} records but only {end} are present",
                    checkpoint.size
                ),
            ));
        }
        if !ranged
            && let Some(head) = Head::load(self.layout)
            && head.size > end
        {
            return Err(fail(
                Some(end),
                "head.json".into(),
                format!(
                    "log truncated: {} records were acknowledged but only {end} are present",
                    head.size
                ),
            ));
        }
        if let Some(failure) = self.uncommitted.take() {
            return Err(failure);
        }
        let first = segments.first().map_or(0, |s| s.first_seq);
        if !ranged && first > 0 {
            let mut covered = 0;
            let mut deletions: Vec<_> = self.deletions.iter().collect();
            deletions.sort_by_key(|d| d.first_seq);
            for d in deletions {
                if d.first_seq <= covered {
                    covered = covered.max(d.end_seq);
                }
            }
            if covered < first {
                return Err(fail(
                    Some(covered),
                    relative(self.layout, &segments[0].path),
                    format!(
                        "records {covered}..{first} are missing and no audit.retention.delete record accounts for them"
                    ),
                ));
            }
            self.report.warnings.push(format!(
                "records 0..{first} were deleted by retention (recorded in the log)"
            ));
        }
        self.report.unsigned_tail = end
            - self
                .report
                .last_checkpoint
                .unwrap_or(self.report.first_seq)
                .max(self.report.first_seq);
        if self.report.unsigned_tail > 0 && !self.checkpoints.is_empty() {
            self.report.warnings.push(format!(
                "{} records after the last checkpoint are chain-verified only (not yet signed)",
                self.report.unsigned_tail
            ));
        }
        Ok(())
    }
}

fn relative(layout: &Layout, path: &Path) -> String {
    path.strip_prefix(layout.root())
        .unwrap_or(path)
        .display()
        .to_string()
}
