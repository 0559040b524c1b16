//! Pipelined group commit (`LogWriter::append_pipelined`): acknowledgements in order
//! and only for durable groups, segment roll-over and checkpoints inside a stream, a bad
//! group stopping the stream after the groups before it, and two pipelined writers
//! sharing one log.

mod common;

use std::sync::{Arc, Mutex};

use cdeguard_audit::batch::Batch;
use cdeguard_audit::keys::SigningKey;
use cdeguard_audit::query::{Filter, query};
use cdeguard_audit::{Committed, LogWriter};
use common::{input, options, verify_with};

/// `groups` batches of `per_group` records numbered from `first`.
fn batches(first: u64, groups: u64, per_group: u64) -> Vec<Batch> {
    (0..groups)
        .map(|g| {
            let mut batch = Batch::new();
            for i in 0..per_group {
                batch
                    .push_input(&input(first + g * per_group + i))
                    .expect("valid");
            }
            batch
        })
        .collect()
}

/// Appends `groups` through a pipeline; returns the acknowledgements.
fn stream(writer: &mut LogWriter, groups: &[Batch]) -> cdeguard_audit::Result<Vec<Committed>> {
    let mut acks = Vec::new();
    writer.append_pipelined(
        |commit| groups.iter().try_for_each(commit),
        |committed| {
            acks.push(committed.clone());
            Ok(())
        },
    )?;
    Ok(acks)
}

/// The `n` of every user record, in log order.
fn stored_numbers(log: &std::path::Path) -> Vec<u64> {
    let mut numbers = Vec::new();
    query(
        log,
        0,
        &Filter {
            action: Some("policy.change".into()),
            ..Filter::default()
        },
        |_, record| {
            numbers.push(record.details["n"].as_u64().expect("n"));
            Ok(())
        },
    )
    .expect("query");
    numbers
}

#[test]
fn a_stream_is_acknowledged_in_order_and_verifies_across_segments_and_checkpoints() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log");
    let key = SigningKey::generate_to(&dir.path().join("key")).unwrap();
    let public = key.public();
    // Small segments and frequent checkpoints: both happen inside the stream.
    let mut writer = LogWriter::open(&log, options(8 << 10, 70), Some(key)).unwrap();
    let acks = stream(&mut writer, &batches(0, 30, 25)).unwrap();
    assert_eq!(acks.len(), 30);
    let mut next = acks[0].first_seq;
    for ack in &acks {
        assert_eq!(ack.first_seq, next, "acknowledged out of order");
        assert_eq!(ack.user_count, 25);
        next += ack.count;
    }
    assert!(acks.iter().filter(|a| a.checkpoint.is_some()).count() >= 10);
    assert!(common::hot_segments(&log).len() > 5);
    assert_eq!(stored_numbers(&log), (0..750).collect::<Vec<_>>());
    writer.checkpoint().unwrap();
    let report = verify_with(&log, &[public]);
    assert_eq!(report.failure, None);
    assert_eq!(report.records, next, "{report:?}");
}

#[test]
fn a_failing_group_stops_the_stream_after_the_groups_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log");
    let mut writer = LogWriter::open(&log, options(1 << 20, 1000), None).unwrap();
    let mut groups = batches(0, 3, 10);
    let mut reserved = Batch::new();
    reserved
        .push_line(
            r#"{"actor":"x","action":"audit.key.add","resource":"r","outcome":"success"}"#,
            1,
        )
        .unwrap();
    groups.insert(2, reserved);
    let err = stream(&mut writer, &groups).expect_err("reserved action refused");
    assert!(err.to_string().contains("reserved"), "{err}");
    assert_eq!(stored_numbers(&log), (0..20).collect::<Vec<_>>());
    // The writer goes on afterwards from the durable state.
    stream(&mut writer, &batches(100, 1, 2)).unwrap();
    assert_eq!(stored_numbers(&log).len(), 22);
    assert_eq!(verify_with(&log, &[]).failure, None);
}

#[test]
fn pipelined_writers_on_one_log_are_serialised() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log");
    drop(LogWriter::open(&log, options(16 << 10, 1000), None).unwrap());
    let acked = Arc::new(Mutex::new(Vec::new()));
    let writers: Vec<_> = (0..2u64)
        .map(|w| {
            let log = log.clone();
            let acked = Arc::clone(&acked);
            std::thread::spawn(move || {
                let mut writer = LogWriter::open(&log, options(16 << 10, 1000), None).unwrap();
                let acks = stream(&mut writer, &batches(w * 1000, 20, 15)).unwrap();
                acked.lock().unwrap().extend(acks);
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    let mut acks = acked.lock().unwrap().clone();
    acks.sort_by_key(|a| a.first_seq);
    // No two commits share a sequence number, and every record is stored once.
    for pair in acks.windows(2) {
        assert!(pair[0].first_seq + pair[0].count <= pair[1].first_seq);
    }
    let mut numbers = stored_numbers(&log);
    numbers.sort_unstable();
    let expected: Vec<u64> = (0..300).chain(1000..1300).collect();
    assert_eq!(numbers, expected);
    assert_eq!(verify_with(&log, &[]).failure, None);
}
