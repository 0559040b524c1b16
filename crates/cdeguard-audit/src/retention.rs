//! Retention (PCI DSS 10.5.1): segments whose newest record is older than the hot window
//! are compressed with zstd into `archive/` together with the checkpoints that cover
//! them; archived segments older than the total retention are deleted, oldest first,
//! never out of order. Every archive and deletion is itself an audit record, written
//! *before* the file disappears, so `verify` can tell retention from tampering: each
//! segment header carries the chain value and Merkle frontier at its start, so what
//! remains stays verifiable against the signed checkpoints.
//!
//! Both records name the operator who ran retention as actor (PCI DSS 10.2.2). An
//! archive record (`audit.retention.archive`, resource the archived file) gives the
//! sequence numbers moved (`first_seq`, `end_seq`: half-open), the hot segment removed
//! (`segment`), the checkpoints file kept with it, the sizes and `sha256_compressed`, the
//! SHA-256 of the archived file. A run reads every sealed segment to date it, so a run
//! that moves nothing records that read (`audit.read`, `"command":"retention"`, PCI DSS
//! 10.2.1.3); a run that archives or deletes is already told by those records, and a
//! log of one segment has no sealed segment to read. There is no dry run: a run either
//! applies the policy or fails.

use std::time::Duration;

use serde_json::json;

use crate::access::{Access, AccessAction};
use crate::checkpoint::read_checkpoints;
use crate::error::{AuditError, Result};
use crate::hash::Digest;
use crate::layout::{Layout, SegmentFile, create_dir_durable, sync_dir, write_durable};
use crate::reader::load_segment;
use crate::record::{Outcome, Record, RecordInput};
use crate::segment::FrameReader;
use crate::writer::{LogWriter, lock_log};

/// How long records stay hot and how long they are kept at all.
#[derive(Clone, Copy, Debug)]
pub struct RetentionPolicy {
    /// Keep segments uncompressed this long (default 3 months).
    pub hot: Duration,
    /// Keep segments at all this long (default 12 months).
    pub total: Duration,
}

/// Seconds per day: the policy is set in days.
const DAY: u64 = 86_400;

impl Default for RetentionPolicy {
    fn default() -> Self {
        RetentionPolicy {
            hot: Duration::from_secs(92 * DAY),
            total: Duration::from_secs(366 * DAY),
        }
    }
}

/// What a retention run did: first sequence numbers of the segments touched.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RetentionReport {
    /// Segments compressed into the archive.
    pub archived: Vec<u64>,
    /// Archived segments deleted.
    pub deleted: Vec<u64>,
}

struct SegmentSpan {
    file: SegmentFile,
    end_seq: u64,
    newest: Option<jiff::Timestamp>,
}

fn span(file: &SegmentFile) -> Result<SegmentSpan> {
    let bytes = load_segment(file)?;
    let corrupt = |message: String| AuditError::Corrupt {
        path: file.path.clone(),
        offset: 0,
        message,
    };
    let (_, frames) = FrameReader::new(&bytes).map_err(|e| corrupt(e.to_string()))?;
    let mut newest: Option<jiff::Timestamp> = None;
    let mut end_seq = file.first_seq;
    for frame in frames {
        let frame = frame.map_err(|e| corrupt(format!("record {}: {}", e.seq, e.fault)))?;
        end_seq = frame.seq + 1;
        let time = Record::from_canonical(frame.payload)
            .ok()
            .and_then(|r| r.time.parse().ok());
        newest = newest.max(time);
    }
    Ok(SegmentSpan {
        file: file.clone(),
        end_seq,
        newest,
    })
}

fn older_than(time: Option<jiff::Timestamp>, now: jiff::Timestamp, age: Duration) -> bool {
    time.is_some_and(|t| now.as_nanosecond() - t.as_nanosecond() > age.as_nanos() as i128)
}

/// `details.command` of the record of a retention run that moved nothing.
const RETENTION_COMMAND: &str = "retention";

/// Applies `policy` as of `now` on behalf of `actor`.
pub fn apply(
    writer: &mut LogWriter,
    actor: &str,
    policy: RetentionPolicy,
    now: jiff::Timestamp,
) -> Result<RetentionReport> {
    if policy.total < policy.hot {
        return Err(AuditError::Invalid(
            "total retention must not be shorter than the hot window".into(),
        ));
    }
    let mut report = RetentionReport::default();
    let segments = writer.layout().list_segments()?;
    // The newest segment is being written to; it is never archived.
    let Some((_, sealed)) = segments.split_last() else {
        return Ok(report);
    };
    let spans = sealed.iter().map(span).collect::<Result<Vec<_>>>()?;
    for span in spans
        .iter()
        .filter(|s| !s.file.archived && older_than(s.newest, now, policy.hot))
    {
        archive(writer, actor, span)?;
        report.archived.push(span.file.first_seq);
    }
    for span in &spans {
        if !older_than(span.newest, now, policy.total) {
            break; // only a prefix may go, so the rest stays verifiable
        }
        delete(writer, actor, span, policy)?;
        report.deleted.push(span.file.first_seq);
    }
    if report == RetentionReport::default()
        && let (Some(first), Some(last)) = (spans.first(), spans.last())
    {
        let mut access = Access::new(actor, AccessAction::Read, RETENTION_COMMAND);
        access
            .range(first.file.first_seq, last.end_seq, 0)
            .detail("hot_days", json!(policy.hot.as_secs() / DAY))
            .detail("retain_days", json!(policy.total.as_secs() / DAY));
        writer.record_access(access)?;
    }
    Ok(report)
}

/// `path` relative to the log's folder, as records name files.
fn in_log(layout: &Layout, path: &std::path::Path) -> String {
    path.strip_prefix(layout.root())
        .unwrap_or(path)
        .display()
        .to_string()
}

#[cfg(feature = "archive")]
fn compress(bytes: &[u8]) -> Result<Vec<u8>> {
    zstd::bulk::compress(bytes, 9).map_err(|e| AuditError::Invalid(format!("zstd: {e}")))
}

#[cfg(not(feature = "archive"))]
fn compress(_bytes: &[u8]) -> Result<Vec<u8>> {
    Err(AuditError::Invalid(
        "this build lacks the `archive` feature (zstd)".into(),
    ))
}

fn archive(writer: &mut LogWriter, actor: &str, span: &SegmentSpan) -> Result<()> {
    let layout = writer.layout().clone();
    let first = span.file.first_seq;
    let raw = std::fs::read(&span.file.path).map_err(AuditError::at(&span.file.path))?;
    let compressed = compress(&raw)?;
    {
        let _lock = lock_log(&layout)?;
        create_dir_durable(&layout.archive_dir())?;
        let target = layout.archived_segment(first);
        write_durable(&target, &compressed)?;
        let archived = SegmentFile {
            first_seq: first,
            path: target.clone(),
            archived: true,
        };
        if load_segment(&archived)? != raw {
            return Err(AuditError::Corrupt {
                path: target,
                offset: 0,
                message: "archived copy does not decompress to the original; hot segment kept"
                    .into(),
            });
        }
        // The checkpoints that cover this segment's records travel with it.
        let checkpoints = read_checkpoints(&layout.checkpoints())?.checkpoints;
        let anchor = checkpoints
            .iter()
            .map(|c| c.size)
            .find(|s| *s >= span.end_seq);
        let covering: String = checkpoints
            .iter()
            .filter(|c| (c.size > first && c.size <= span.end_seq) || Some(c.size) == anchor)
            .map(|c| c.to_line())
            .collect();
        write_durable(&layout.archived_checkpoints(first), covering.as_bytes())?;
        std::fs::remove_file(&span.file.path).map_err(AuditError::at(&span.file.path))?;
        sync_dir(&layout.segments_dir())?;
    }
    writer.append_reserved(RecordInput::new(
        actor,
        "audit.retention.archive",
        &in_log(&layout, &layout.archived_segment(first)),
        Outcome::Success,
        json!({
            "first_seq": first,
            "end_seq": span.end_seq,
            "segment": in_log(&layout, &span.file.path),
            "checkpoints": in_log(&layout, &layout.archived_checkpoints(first)),
            "bytes": raw.len(),
            "compressed_bytes": compressed.len(),
            "sha256_compressed": Digest::of(&[&compressed]).to_hex(),
            "requirement": "PCI DSS 10.5.1",
        }),
    ))?;
    Ok(())
}

fn delete(
    writer: &mut LogWriter,
    actor: &str,
    span: &SegmentSpan,
    policy: RetentionPolicy,
) -> Result<()> {
    let layout = writer.layout().clone();
    let first = span.file.first_seq;
    // Recorded first: a crash after this leaves an extra file, never an unexplained gap.
    writer.append_reserved(RecordInput::new(
        actor,
        "audit.retention.delete",
        &format!("archive/{}", crate::layout::segment_name(first)),
        Outcome::Success,
        json!({
            "first_seq": first,
            "end_seq": span.end_seq,
            "newest_record": span.newest.map(crate::record::format_time),
            "retention_days": policy.total.as_secs() / DAY,
            "requirement": "PCI DSS 10.5.1",
        }),
    ))?;
    let _lock = lock_log(&layout)?;
    for path in [
        layout.segment(first),
        layout.archived_segment(first),
        layout.archived_checkpoints(first),
    ] {
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(AuditError::io(&path, e)),
        }
    }
    sync_dir(&layout.archive_dir())
}
