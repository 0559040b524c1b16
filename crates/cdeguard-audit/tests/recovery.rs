//! Crash recovery: a torn tail after the acknowledged records is cut off, kept in
//! quarantine and recorded; damage inside acknowledged records is refused.

mod common;

use std::io::Write as _;

use common::{build, locate, options, verify_with};

use cdeguard_audit::LogWriter;
use cdeguard_audit::query::{Filter, query};

fn append_raw(path: &std::path::Path, bytes: &[u8]) {
    std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .unwrap()
        .write_all(bytes)
        .unwrap();
}

#[test]
fn torn_tail_is_truncated_recorded_and_quarantined() {
    let log = build(2, 10, options(1 << 20, 1000));
    let segment = common::hot_segments(&log.log).pop().unwrap();
    let before = std::fs::metadata(&segment).unwrap().len();
    // Half a frame: a length prefix promising 300 bytes, then 10.
    let mut torn = 300u32.to_le_bytes().to_vec();
    torn.extend_from_slice(b"{\"v\":1,\"se");
    append_raw(&segment, &torn);

    let mut writer = LogWriter::open(&log.log, options(1 << 20, 1000), None).expect("recovers");
    writer.append(vec![common::input(99)]).unwrap();
    drop(writer);

    let recoveries = common::with_action(&log.log, "audit.recovery.truncate");
    assert_eq!(recoveries.len(), 1);
    assert_eq!(recoveries[0].details["offset"], before);
    assert_eq!(recoveries[0].details["bytes_removed"], torn.len());
    let quarantined = log
        .log
        .join(recoveries[0].details["quarantined_as"].as_str().unwrap());
    assert_eq!(std::fs::read(quarantined).unwrap(), torn);
    assert_eq!(verify_with(&log.log, &[log.public]).failure, None);
}

#[test]
fn damage_inside_acknowledged_records_is_refused_not_repaired() {
    let log = build(2, 10, options(1 << 20, 1000));
    let (path, start, end) = locate(&log.log, 20);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[(start + end) / 2] ^= 0x01;
    std::fs::write(&path, &bytes).unwrap();
    // Make the writer take the recovery path.
    std::fs::remove_file(log.log.join("head.json")).ok();
    std::fs::write(log.log.join("head.json"), b"garbage").unwrap();
    let err = LogWriter::open(&log.log, options(1 << 20, 1000), None)
        .err()
        .expect("refused");
    assert!(err.to_string().contains("record 20"), "{err}");
    // Nothing was cut.
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

#[test]
fn torn_checkpoint_line_is_cut_and_recorded() {
    let log = build(1, 10, options(1 << 20, 1000));
    append_raw(
        &log.log.join("checkpoints.ndjson"),
        b"{\"v\":1,\"log_id\":\"ab",
    );
    let writer = LogWriter::open(&log.log, options(1 << 20, 1000), None).expect("recovers");
    drop(writer);
    let text = std::fs::read_to_string(log.log.join("checkpoints.ndjson")).unwrap();
    assert!(text.ends_with('\n'));
    let mut found = false;
    query(
        &log.log,
        0,
        &Filter {
            resource: Some("checkpoints.ndjson".into()),
            ..Filter::default()
        },
        |_, r| {
            found |= r.action == "audit.recovery.truncate";
            Ok(())
        },
    )
    .unwrap();
    assert!(found);
    assert_eq!(verify_with(&log.log, &[log.public]).failure, None);
}

#[test]
fn damaged_index_is_rebuilt_on_open() {
    let log = build(3, 100, options(1 << 20, 1000));
    let level0 = log.log.join("tree/level-00.bin");
    let len = std::fs::metadata(&level0).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&level0)
        .unwrap()
        .set_len(len - 32 * 7)
        .unwrap();
    std::fs::remove_file(log.log.join("tree/level-08.bin")).unwrap();
    // And an index from before frame offsets were indexed.
    std::fs::remove_file(log.log.join("tree/offsets.bin")).unwrap();
    drop(LogWriter::open(&log.log, options(1 << 20, 1000), None).unwrap());
    let index = cdeguard_audit::index::TreeIndex::open(log.log.join("tree")).unwrap();
    let size =
        cdeguard_audit::reader::acknowledged_size(&cdeguard_audit::layout::Layout::new(&log.log))
            .unwrap();
    assert!(index.matches(size));
    let proof = cdeguard_audit::proof::prove_inclusion(&log.log, 50, None).unwrap();
    assert!(cdeguard_audit::proof::verify_inclusion_proof(&proof, &[log.public]).is_ok());
}

#[test]
fn records_of_a_group_without_its_commit_mark_are_cut_whole_and_recorded() {
    let log = build(2, 10, options(1 << 20, 1000));
    let size = verify_with(&log.log, &[log.public]).records;
    let segment = common::hot_segments(&log.log).pop().unwrap();
    let before = std::fs::metadata(&segment).unwrap().len();
    // Two complete frames of the next group, as a crash between them and the mark leaves.
    let header = std::fs::read(&segment).unwrap();
    let (_, mut reader) = cdeguard_audit::segment::FrameReader::new(&header).unwrap();
    reader.by_ref().for_each(drop);
    let mut torn = Vec::new();
    let mut group = cdeguard_audit::segment::GroupWriter::new(&reader.chain_value());
    for seq in size..size + 2 {
        group.push(
            &mut torn,
            format!("{{\"v\":1,\"seq\":{seq},\"x\":0}}").as_bytes(),
        );
    }
    append_raw(&segment, &torn);

    // Verification sees a torn, unacknowledged write and counts none of its records.
    let report = verify_with(&log.log, &[log.public]);
    assert_eq!((report.failure, report.records), (None, size));
    assert!(
        report.warnings.iter().any(|w| w.contains("torn")),
        "{:?}",
        report.warnings
    );

    let mut writer = LogWriter::open(&log.log, options(1 << 20, 1000), None).expect("recovers");
    let committed = writer.append(vec![common::input(99)]).unwrap();
    drop(writer);
    let recoveries = common::with_action(&log.log, "audit.recovery.truncate");
    assert_eq!(recoveries.len(), 1);
    let details = &recoveries[0].details;
    assert_eq!(details["offset"], before);
    assert_eq!(details["bytes_removed"], torn.len());
    assert_eq!(details["first_unacknowledged_seq"], size);
    // The recovery note (written on open) takes the first freed number, the new record
    // the next: no gap.
    assert_eq!(recoveries[0].seq, size);
    assert_eq!((committed.first_seq, committed.count), (size + 1, 1));
    assert_eq!(verify_with(&log.log, &[log.public]).failure, None);
}
