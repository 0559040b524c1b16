//! Retention: old segments are archived (zstd) with their checkpoints, expired ones
//! deleted oldest-first with an audit record, and the rest stays verifiable.

mod common;

use std::time::Duration;

use cdeguard_audit::keys::SigningKey;
use cdeguard_audit::layout::Layout;
use cdeguard_audit::query::Filter;
use cdeguard_audit::retention::{RetentionPolicy, apply};
use cdeguard_audit::{LogWriter, WriterOptions};

const DAY: i64 = 86_400;

fn writer_at(log: &std::path::Path, key: &std::path::Path, days_ago: Option<i64>) -> LogWriter {
    let now = jiff::Timestamp::now();
    let options = WriterOptions {
        segment_bytes: 4096,
        checkpoint_records: 25,
        fixed_time: days_ago.map(|d| now - jiff::SignedDuration::from_secs(d * DAY)),
        ..WriterOptions::default()
    };
    LogWriter::open(log, options, Some(SigningKey::load(key).unwrap())).unwrap()
}

/// Who runs retention in these tests.
const OPERATOR: &str = "user:ops (uid 1001)";

#[test]
fn archives_deletes_and_stays_verifiable() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log");
    let key = dir.path().join("key");
    let public = SigningKey::generate_to(&key).unwrap().public();
    for (days_ago, from) in [(Some(400), 0), (Some(120), 100), (None, 200)] {
        let mut writer = writer_at(&log, &key, days_ago);
        for batch in 0..10u64 {
            writer
                .append(
                    (0..10)
                        .map(|i| common::input(from + batch * 10 + i))
                        .collect(),
                )
                .unwrap();
        }
        writer.checkpoint().unwrap();
    }
    let before = common::hot_segments(&log).len();
    let mut writer = writer_at(&log, &key, None);
    let report = apply(
        &mut writer,
        OPERATOR,
        RetentionPolicy::default(),
        jiff::Timestamp::now(),
    )
    .unwrap();
    drop(writer);
    assert!(
        !report.deleted.is_empty() && !report.archived.is_empty(),
        "{report:?}"
    );
    assert!(
        report.deleted.iter().all(|s| report.archived.contains(s)),
        "deleted after archiving"
    );
    assert!(common::hot_segments(&log).len() < before);

    // Archived segments sit compressed next to their checkpoints.
    let archive = log.join("archive");
    let kept: Vec<u64> = report
        .archived
        .iter()
        .copied()
        .filter(|s| !report.deleted.contains(s))
        .collect();
    assert!(!kept.is_empty());
    for first in &kept {
        assert!(archive.join(format!("seg-{first:020}.log.zst")).exists());
        let checkpoints =
            std::fs::read_to_string(archive.join(format!("seg-{first:020}.checkpoints.ndjson")))
                .unwrap();
        assert!(!checkpoints.is_empty());
    }
    for first in &report.deleted {
        assert!(!archive.join(format!("seg-{first:020}.log.zst")).exists());
    }

    // Every deletion and archive is audited, by the operator who ran retention; the
    // 120-day-old records are still readable.
    let deletions = common::with_action(&log, "audit.retention.delete");
    assert_eq!(deletions.len(), report.deleted.len());
    assert!(
        deletions.iter().all(|d| d.actor == OPERATOR),
        "{deletions:?}"
    );
    let archives = common::with_action(&log, "audit.retention.archive");
    assert_eq!(
        archives
            .iter()
            .map(|a| a.details["first_seq"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        report.archived
    );
    // Each archive's range ends where the next segment starts.
    let remaining: Vec<u64> = Layout::new(&log)
        .list_segments()
        .unwrap()
        .iter()
        .map(|s| s.first_seq)
        .collect();
    for (i, archived) in archives.iter().enumerate() {
        let next_first = archives.get(i + 1).map_or_else(
            || *remaining.iter().find(|s| **s > report.archived[i]).unwrap(),
            |next| next.details["first_seq"].as_u64().unwrap(),
        );
        let first = archived.details["first_seq"].as_u64().unwrap();
        assert_eq!(archived.actor, OPERATOR);
        assert_eq!(archived.outcome, cdeguard_audit::Outcome::Success);
        assert_eq!(
            archived.resource,
            format!("archive/seg-{first:020}.log.zst")
        );
        let mut keys: Vec<&str> = archived
            .details
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "bytes",
                "checkpoints",
                "compressed_bytes",
                "end_seq",
                "first_seq",
                "requirement",
                "segment",
                "sha256_compressed"
            ]
        );
        assert_eq!(
            archived.details["segment"],
            format!("segments/seg-{first:020}.log")
        );
        assert_eq!(
            archived.details["checkpoints"],
            format!("archive/seg-{first:020}.checkpoints.ndjson")
        );
        assert_eq!(archived.details["end_seq"], next_first, "{archived:?}");
        let file = log.join(&archived.resource);
        if kept.contains(&first) {
            // The hash is the archived file's as it lies on disk.
            assert_eq!(
                archived.details["sha256_compressed"],
                cdeguard_audit::hash::Digest::of_file(&file)
                    .unwrap()
                    .to_hex()
            );
        }
    }
    // A run that archives or deletes is told by those records alone.
    assert!(common::with_action(&log, "audit.read").is_empty());
    assert!(
        !common::matching(
            &log,
            &Filter {
                resource: Some("ns/payments/policy-15*".into()),
                ..Filter::default()
            }
        )
        .is_empty()
    );

    let verified = common::verify_with(&log, &[public]);
    assert_eq!(verified.failure, None, "{verified:?}");
    assert!(verified.first_seq > 0, "the deleted prefix is gone");

    // Removing an archived segment outside retention is tampering.
    std::fs::remove_file(archive.join(format!("seg-{:020}.log.zst", kept[0]))).unwrap();
    let failure = common::verify_with(&log, &[public])
        .failure
        .expect("must fail");
    assert!(failure.message.contains("missing"), "{failure}");
}

#[test]
fn nothing_young_is_touched_and_bad_policies_are_refused() {
    let log = common::build(5, 20, common::options(4096, 50));
    let mut writer = LogWriter::open(&log.log, common::options(4096, 50), None).unwrap();
    // All but the newest segment are sealed (its record may start another one).
    let segments = Layout::new(&log.log).list_segments().unwrap();
    assert!(segments.len() > 1, "the test needs sealed segments");
    let report = apply(
        &mut writer,
        OPERATOR,
        RetentionPolicy::default(),
        jiff::Timestamp::now(),
    )
    .unwrap();
    assert_eq!(report, Default::default());
    // It read the sealed segments to date them: that read is recorded.
    let reads = common::with_action(&log.log, "audit.read");
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert_eq!(reads[0].actor, OPERATOR);
    assert_eq!(reads[0].resource, "audit-log");
    assert_eq!(reads[0].outcome, cdeguard_audit::Outcome::Success);
    assert_eq!(
        reads[0].details,
        serde_json::json!({
            "command": "retention",
            "range": { "from": 0, "to": segments.last().unwrap().first_seq },
            "records": 0,
            "hot_days": 92,
            "retain_days": 366,
        })
    );
    let bad = RetentionPolicy {
        hot: Duration::from_secs(10),
        total: Duration::from_secs(5),
    };
    assert!(apply(&mut writer, OPERATOR, bad, jiff::Timestamp::now()).is_err());
    // audit.log.create, audit.key.add and the read: the refused run records nothing.
    assert_eq!(common::with_action(&log.log, "audit.*").len(), 3);
}
