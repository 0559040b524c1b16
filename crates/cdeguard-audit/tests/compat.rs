//! Logs of the first segment format (version 1, `tests/data/log-v1`, written by cdeguard
//! before format 2) stay readable, verifiable and provable, and a writer continues them
//! in a new segment of the current format without touching the old one.

mod common;

use std::path::Path;

use common::{hot_segments, verify_with};

use cdeguard_audit::keys::SigningKey;
use cdeguard_audit::proof::{
    prove_consistency, prove_inclusion, verify_consistency_proof, verify_inclusion_proof,
};
use cdeguard_audit::query::{Filter, query};
use cdeguard_audit::segment::{FORMAT_VERSION, FORMAT_VERSION_1, SegmentHeader};
use cdeguard_audit::{LogWriter, WriterOptions};

fn data() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data"))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn version(segment: &Path) -> Option<u32> {
    SegmentHeader::peek_version(&std::fs::read(segment).expect("segment"))
}

#[test]
fn a_version_1_log_verifies_and_is_continued_in_a_version_2_segment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("log");
    copy_dir(&data().join("log-v1"), &log);
    let key = SigningKey::load(&data().join("log-v1.test-key")).expect("fixture key");
    let public = key.public();

    // As an older cdeguard left it: 2 system records and 40 user records, signed at 42.
    let report = verify_with(&log, &[public]);
    assert_eq!(report.failure, None, "{report:?}");
    assert_eq!((report.records, report.checkpoints_checked), (42, 2));
    let old_segment = hot_segments(&log).remove(0);
    assert_eq!(version(&old_segment), Some(FORMAT_VERSION_1));
    let old_bytes = std::fs::read(&old_segment).expect("segment");
    let mut actors = Vec::new();
    let read = query(&log, 0, &Filter::default(), |_, record| {
        actors.push(record.actor.clone());
        Ok(())
    })
    .expect("query a version 1 segment");
    assert_eq!(read, 0..42);
    assert_eq!(actors.iter().filter(|a| a.starts_with("svc-")).count(), 40);

    // A writer of this build continues the log in a new segment of the current format.
    let mut writer = LogWriter::open(&log, WriterOptions::default(), Some(key)).expect("open");
    writer
        .append((0..25).map(common::input).collect())
        .expect("append");
    writer
        .append((25..30).map(common::input).collect())
        .expect("append");
    writer.checkpoint().expect("checkpoint");
    let segments = hot_segments(&log);
    assert_eq!(segments.len(), 2, "{segments:?}");
    assert_eq!(version(&segments[1]), Some(FORMAT_VERSION));
    assert_eq!(
        std::fs::read(&old_segment).expect("segment"),
        old_bytes,
        "the version 1 segment is never appended to"
    );

    let report = verify_with(&log, &[public]);
    assert_eq!(report.failure, None, "{report:?}");
    // Checkpoints: the fixture's two, one by the first append (the last is older than
    // the interval), and the explicit one.
    assert_eq!((report.records, report.checkpoints_checked), (72, 4));
    // Proofs reach across the formats: records of both, and the old checkpoint's tree
    // is a prefix of the new one.
    for seq in [3, 41, 42, 71] {
        let proof = prove_inclusion(&log, seq, None).expect("prove");
        assert_eq!(
            verify_inclusion_proof(&proof, &[public])
                .expect("verifies")
                .seq,
            seq
        );
    }
    let consistency = prove_consistency(&log, 42, None).expect("consistency");
    verify_consistency_proof(&consistency, &[public]).expect("the log only grew");
}
