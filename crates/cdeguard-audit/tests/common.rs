//! Shared test helpers: build a signed log, find frames in segment files.

#![allow(dead_code, unreachable_pub)] // each test binary uses a different subset

use std::path::{Path, PathBuf};

use cdeguard_audit::keys::{PublicKey, SigningKey};
use cdeguard_audit::layout::Layout;
use cdeguard_audit::query::{Filter, query};
use cdeguard_audit::segment::FrameReader;
use cdeguard_audit::verify::{Failure, VerifyOptions, verify};
use cdeguard_audit::{LogWriter, Outcome, Record, RecordInput, WriterOptions};

pub struct TestLog {
    pub dir: tempfile::TempDir,
    pub log: PathBuf,
    pub key_path: PathBuf,
    pub public: PublicKey,
}

pub fn input(i: u64) -> RecordInput {
    RecordInput::new(
        "alice@example.com",
        "policy.change",
        &format!("ns/payments/policy-{i}"),
        if i.is_multiple_of(7) {
            Outcome::Failure
        } else {
            Outcome::Success
        },
        serde_json::json!({ "n": i }),
    )
}

pub fn options(segment_bytes: u64, checkpoint_records: u64) -> WriterOptions {
    WriterOptions {
        segment_bytes,
        checkpoint_records,
        ..WriterOptions::default()
    }
}

/// A log with `batches` batches of `per_batch` user records, signed checkpoints per
/// `checkpoint_records`, and a final checkpoint at the end.
pub fn build(batches: u64, per_batch: u64, options: WriterOptions) -> TestLog {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("log");
    let key_path = dir.path().join("key");
    let key = SigningKey::generate_to(&key_path).expect("keygen");
    let public = key.public();
    let mut writer = LogWriter::open(&log, options, Some(key)).expect("open");
    for b in 0..batches {
        let inputs = (0..per_batch).map(|i| input(b * per_batch + i)).collect();
        writer.append(inputs).expect("append");
    }
    writer.checkpoint().expect("checkpoint");
    TestLog {
        dir,
        log,
        key_path,
        public,
    }
}

pub fn verify_with(log: &Path, keys: &[PublicKey]) -> cdeguard_audit::verify::VerifyReport {
    verify(
        log,
        &VerifyOptions {
            trusted_keys: keys.to_vec(),
            ..VerifyOptions::default()
        },
    )
    .expect("verify runs")
}

pub fn failure(log: &TestLog) -> Failure {
    let report = verify_with(&log.log, &[log.public]);
    report.failure.expect("verification must fail")
}

/// `(seq, start, end)` of every frame of a segment file.
pub fn frames(path: &Path) -> Vec<(u64, usize, usize)> {
    let bytes = std::fs::read(path).expect("read segment");
    let (_, reader) = FrameReader::new(&bytes).expect("header");
    reader
        .map(|f| {
            let f = f.expect("intact frame");
            (f.seq, f.offset as usize, f.end as usize)
        })
        .collect()
}

pub fn hot_segments(log: &Path) -> Vec<PathBuf> {
    Layout::new(log)
        .list_segments()
        .expect("list")
        .into_iter()
        .filter(|s| !s.archived)
        .map(|s| s.path)
        .collect()
}

/// The hot segment holding record `seq`, and that frame's byte range.
pub fn locate(log: &Path, seq: u64) -> (PathBuf, usize, usize) {
    for path in hot_segments(log) {
        if let Some((_, start, end)) = frames(&path).into_iter().find(|(s, _, _)| *s == seq) {
            return (path, start, end);
        }
    }
    panic!("record {seq} not found");
}

/// The records of the log matching `filter`, oldest first.
pub fn matching(log: &Path, filter: &Filter) -> Vec<Record> {
    let mut found = Vec::new();
    query(log, 0, filter, |_, record| {
        found.push(record.clone());
        Ok(())
    })
    .expect("query");
    found
}

/// The records of the log whose action is `action` (a trailing `*` is a prefix).
pub fn with_action(log: &Path, action: &str) -> Vec<Record> {
    matching(
        log,
        &Filter {
            action: Some(action.into()),
            ..Filter::default()
        },
    )
}
