//! Verification detects every kind of tampering the issue lists, and names the record.

mod common;

use common::{build, failure, frames, locate, options, verify_with};

use cdeguard_audit::checkpoint::Checkpoint;
use cdeguard_audit::keys::SigningKey;
use cdeguard_audit::merkle::{Frontier, leaf_hash};
use cdeguard_audit::record::Record;
use cdeguard_audit::segment::{FrameReader, GroupWriter, LEAF_TAG_LEN, SegmentHeader};

#[test]
fn intact_log_verifies_with_every_checkpoint_checked() {
    let log = build(20, 50, options(16 << 10, 100));
    let report = verify_with(&log.log, &[log.public]);
    assert_eq!(report.failure, None);
    // genesis + key.add + 1000 user records
    assert_eq!(report.records, 1002);
    assert!(report.checkpoints_checked >= 10, "{report:?}");
    assert_eq!(report.last_checkpoint, Some(1002));
    assert!(
        common::hot_segments(&log.log).len() > 3,
        "small segments roll over"
    );
}

#[test]
fn modified_byte_names_the_record() {
    let log = build(3, 10, options(1 << 20, 1000));
    let (path, start, end) = locate(&log.log, 17);
    let mut bytes = std::fs::read(&path).unwrap();
    // flip one byte inside the record's resource text
    let at = start + (end - start) / 2;
    bytes[at] ^= 0x20;
    std::fs::write(&path, bytes).unwrap();
    let f = failure(&log);
    assert_eq!(f.seq, Some(17), "{f}");
    assert!(f.message.contains("modified"), "{f}");
}

#[test]
fn a_record_rewritten_with_its_leaf_prefix_recomputed_is_named_from_the_proof_index() {
    // Records 12..22 are one group commit; 17 is inside it, 21 ends it.
    for seq in [17, 21] {
        let log = build(3, 10, options(1 << 20, 1000));
        let (path, start, end) = locate(&log.log, seq);
        let mut bytes = std::fs::read(&path).unwrap();
        let payload = start + 4..end - LEAF_TAG_LEN;
        let text = String::from_utf8(bytes[payload.clone()].to_vec()).unwrap();
        let forged = text.replace("ns/payments", "ns/attacker");
        assert_eq!(forged.len(), text.len());
        bytes[payload].copy_from_slice(forged.as_bytes());
        bytes[end - LEAF_TAG_LEN..end]
            .copy_from_slice(&leaf_hash(forged.as_bytes()).0[..LEAF_TAG_LEN]);
        std::fs::write(&path, bytes).unwrap();
        let f = failure(&log);
        assert_eq!(f.seq, Some(seq), "{f}");
        assert!(
            f.message.contains("modified") && f.message.contains("12..22"),
            "{f}"
        );
    }
}

#[test]
fn deleted_record_is_detected() {
    let log = build(3, 10, options(1 << 20, 1000));
    let (path, start, end) = locate(&log.log, 12);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.drain(start..end);
    std::fs::write(&path, bytes).unwrap();
    let f = failure(&log);
    assert_eq!(f.seq, Some(12), "{f}");
    assert!(f.message.contains("expected record 12, found 13"), "{f}");
}

#[test]
fn reordered_records_are_detected() {
    let log = build(3, 10, options(1 << 20, 1000));
    let (path, a_start, a_end) = locate(&log.log, 20);
    let (_, _, b_end) = locate(&log.log, 21);
    let mut bytes = std::fs::read(&path).unwrap();
    let a = bytes[a_start..a_end].to_vec();
    let b = bytes[a_end..b_end].to_vec();
    bytes.splice(a_start..b_end, b.into_iter().chain(a));
    std::fs::write(&path, bytes).unwrap();
    let f = failure(&log);
    assert_eq!(f.seq, Some(20), "{f}");
    assert!(f.message.contains("reordered"), "{f}");
}

#[test]
fn truncation_below_the_last_checkpoint_is_detected() {
    let log = build(3, 10, options(1 << 20, 1000));
    let (path, start, _) = locate(&log.log, 25);
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..start]).unwrap();
    let f = failure(&log);
    assert_eq!(f.seq, Some(25), "{f}");
    assert!(f.message.contains("log truncated"), "{f}");
}

#[test]
fn truncation_of_the_unsigned_tail_is_detected_from_the_acknowledged_size() {
    let log = build(3, 10, options(1 << 20, 1000));
    // more records after the last checkpoint (no key: nothing signs them)
    let mut writer =
        cdeguard_audit::LogWriter::open(&log.log, options(1 << 20, 1000), None).unwrap();
    writer
        .append((100..105).map(common::input).collect())
        .unwrap();
    drop(writer);
    assert_eq!(verify_with(&log.log, &[log.public]).failure, None);
    let (path, start, _) = locate(&log.log, 34);
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..start]).unwrap();
    let f = failure(&log);
    assert_eq!(f.seq, Some(34), "{f}");
    assert!(f.message.contains("acknowledged"), "{f}");
}

/// Rewrites records `[from, ..]` of the segment at `path` with a changed resource and a
/// recomputed hash chain (leaf prefixes and commit marks, group boundaries kept), as an
/// attacker with write access would.
fn rechain(path: &std::path::Path, from_seq: u64) {
    let bytes = std::fs::read(path).unwrap();
    let (header, reader) = FrameReader::new(&bytes).unwrap();
    let mut out = header.encode();
    let mut group = GroupWriter::new(&header.prev_chain);
    // The last record of a group is the one that carries a new chain value.
    let mut group_start_chain = header.prev_chain;
    for frame in reader {
        let frame = frame.unwrap();
        let mut payload = frame.payload.to_vec();
        if frame.seq >= from_seq {
            let mut record = Record::from_canonical(&payload).unwrap();
            record.resource = "ns/attacker".into();
            payload = record.to_canonical();
        }
        group.push(&mut out, &payload);
        if frame.chain != group_start_chain {
            group_start_chain = frame.chain;
            group.finish(&mut out);
        }
    }
    std::fs::write(path, out).unwrap();
}

#[test]
fn rewritten_and_rechained_records_fail_the_signed_root_and_are_named() {
    let log = build(3, 10, options(1 << 20, 1000));
    let (path, _, _) = locate(&log.log, 15);
    rechain(&path, 15);
    let f = failure(&log);
    assert_eq!(f.seq, Some(15), "{f}");
    assert!(f.message.contains("signed checkpoint"), "{f}");
}

#[test]
fn replaced_segment_is_detected() {
    let log = build(10, 20, options(2 << 10, 10_000));
    let segments = common::hot_segments(&log.log);
    assert!(segments.len() >= 3);
    // Replace the second segment by a self-consistent forgery (valid header and chain).
    rechain(&segments[1], 0);
    let f = failure(&log);
    let first_of_next = frames(&segments[2])[0].0;
    assert!(
        f.message.contains("segment replaced") || f.message.contains("signed checkpoint"),
        "{f}"
    );
    assert!(f.seq.is_some_and(|s| s <= first_of_next), "{f}");

    // A segment whose header claims another position is caught too.
    let log = build(10, 20, options(2 << 10, 10_000));
    let segments = common::hot_segments(&log.log);
    let bytes = std::fs::read(&segments[1]).unwrap();
    let (header, len) = SegmentHeader::decode(&bytes).unwrap();
    let mut forged = SegmentHeader {
        version: header.version,
        first_seq: header.first_seq + 1,
        prev_chain: header.prev_chain,
        frontier: Frontier::default(),
    };
    let mut frontier = header.frontier.clone();
    frontier.push(leaf_hash(b"x"));
    forged.frontier = frontier;
    let mut out = forged.encode();
    out.extend_from_slice(&bytes[len..]);
    std::fs::write(&segments[1], out).unwrap();
    let f = failure(&log);
    assert!(f.message.contains("segment replaced"), "{f}");
}

#[test]
fn forged_checkpoints_are_detected() {
    // 1. An altered checkpoint line: the signature no longer matches.
    let log = build(2, 10, options(1 << 20, 1000));
    let path = log.log.join("checkpoints.ndjson");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let mut last: Checkpoint = serde_json::from_str(lines.last().unwrap()).unwrap();
    last.size += 1;
    *lines.last_mut().unwrap() = serde_json::to_string(&last).unwrap();
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let f = failure(&log);
    assert!(
        f.message.contains("forged checkpoint") && f.message.contains("signature"),
        "{f}"
    );
    assert!(f.location.contains("line 2"), "{f}");

    // 2. A correctly signed checkpoint from an attacker's own key.
    let log = build(2, 10, options(1 << 20, 1000));
    let (attacker, _) = SigningKey::generate().unwrap();
    let genuine: Checkpoint = serde_json::from_str(
        std::fs::read_to_string(path_of(&log))
            .unwrap()
            .lines()
            .last()
            .unwrap(),
    )
    .unwrap();
    let forged = Checkpoint::sign(
        &genuine.log_id,
        genuine.size,
        genuine.root,
        genuine.chain,
        genuine.time.clone(),
        &attacker,
    );
    let mut text = std::fs::read_to_string(path_of(&log)).unwrap();
    text.push_str(&forged.to_line());
    std::fs::write(path_of(&log), text).unwrap();
    let f = failure(&log);
    assert!(f.message.contains("untrusted key"), "{f}");
}

fn path_of(log: &common::TestLog) -> std::path::PathBuf {
    log.log.join("checkpoints.ndjson")
}

#[test]
fn a_log_signed_only_by_an_attacker_key_fails_against_the_pinned_key() {
    let genuine = build(1, 5, options(1 << 20, 1000));
    let other = build(1, 5, options(1 << 20, 1000));
    // The other log is internally consistent, but it is not signed by the pinned key.
    let report = verify_with(&other.log, &[genuine.public]);
    let f = report.failure.expect("must fail");
    assert!(f.message.contains("untrusted key"), "{f}");
}

#[test]
fn user_records_cannot_impersonate_audit_system_records() {
    let log = build(1, 1, options(1 << 20, 1000));
    let mut writer =
        cdeguard_audit::LogWriter::open(&log.log, options(1 << 20, 1000), None).unwrap();
    let mut fake = common::input(0);
    fake.action = "audit.key.add".into();
    let err = writer.append(vec![fake]).expect_err("reserved");
    assert!(err.to_string().contains("reserved"), "{err}");
}
