//! Retention: old segments are archived (zstd) with their checkpoints, expired ones
//! deleted oldest-first with an audit record, and the rest stays verifiable.

mod common;

use std::time::Duration;

use cdeguard_audit::keys::SigningKey;
use cdeguard_audit::query::{Filter, query};
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

fn count(log: &std::path::Path, filter: &Filter) -> usize {
    let mut n = 0;
    query(log, 0, filter, |_, _| {
        n += 1;
        Ok(())
    })
    .unwrap();
    n
}

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

    // Every deletion and archive is audited; the 120-day-old records are still readable.
    let deletions = count(
        &log,
        &Filter {
            action: Some("audit.retention.delete".into()),
            ..Filter::default()
        },
    );
    assert_eq!(deletions, report.deleted.len());
    assert_eq!(
        count(
            &log,
            &Filter {
                action: Some("audit.retention.archive".into()),
                ..Filter::default()
            }
        ),
        report.archived.len()
    );
    assert!(
        count(
            &log,
            &Filter {
                resource: Some("ns/payments/policy-15*".into()),
                ..Filter::default()
            }
        ) >= 1
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
    let report = apply(
        &mut writer,
        RetentionPolicy::default(),
        jiff::Timestamp::now(),
    )
    .unwrap();
    assert_eq!(report, Default::default());
    let bad = RetentionPolicy {
        hot: Duration::from_secs(10),
        total: Duration::from_secs(5),
    };
    assert!(apply(&mut writer, bad, jiff::Timestamp::now()).is_err());
}
