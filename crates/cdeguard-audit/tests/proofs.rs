//! Inclusion and consistency proofs from a real log, checked with only the public key,
//! and key rotation.

mod common;

use common::{build, options, verify_with};

use cdeguard_audit::LogWriter;
use cdeguard_audit::keys::SigningKey;
use cdeguard_audit::proof::{
    prove_consistency, prove_inclusion, verify_consistency_proof, verify_inclusion_proof,
};

#[test]
fn inclusion_proof_verifies_offline_and_rejects_alterations() {
    let log = build(10, 100, options(32 << 10, 250));
    for seq in [0, 1, 2, 500, 1001] {
        let proof = prove_inclusion(&log.log, seq, None).expect("prove");
        let record = verify_inclusion_proof(&proof, &[log.public]).expect("verifies");
        assert_eq!(record.seq, seq);
        // Altering the record breaks the proof.
        let mut bad = proof.clone();
        bad.record = bad.record.replace("alice", "mallory");
        if bad.record != proof.record {
            assert!(verify_inclusion_proof(&bad, &[log.public]).is_err());
        }
        // Another key cannot vouch for it.
        let (other, _) = SigningKey::generate().unwrap();
        assert!(
            verify_inclusion_proof(&proof, &[other.public()])
                .unwrap_err()
                .contains("not among")
        );
    }
    // Against an older checkpoint too.
    let older = second_checkpoint(&log.log);
    let proof = prove_inclusion(&log.log, 10, Some(older)).expect("older checkpoint");
    assert_eq!(proof.checkpoint.size, older);
    assert!(verify_inclusion_proof(&proof, &[log.public]).is_ok());
    assert!(prove_inclusion(&log.log, 5000, None).is_err());
}

fn second_checkpoint(log: &std::path::Path) -> u64 {
    cdeguard_audit::checkpoint::read_checkpoints(&log.join("checkpoints.ndjson"))
        .unwrap()
        .checkpoints[1]
        .size
}

#[test]
fn proofs_survive_a_damaged_index() {
    let log = build(2, 50, options(1 << 20, 1000));
    let level0 = log.log.join("tree/level-00.bin");
    let mut bytes = std::fs::read(&level0).unwrap();
    bytes[40] ^= 1; // leaf 1
    std::fs::write(&level0, bytes).unwrap();
    let proof = prove_inclusion(&log.log, 1, None).expect("rebuilt from records");
    assert!(verify_inclusion_proof(&proof, &[log.public]).is_ok());
}

#[test]
fn the_offset_index_points_at_every_record_and_bad_offsets_fall_back_to_a_scan() {
    // Small segments: offsets restart in every segment.
    let log = build(10, 100, options(32 << 10, 250));
    let layout = cdeguard_audit::layout::Layout::new(&log.log);
    let index = cdeguard_audit::index::TreeIndex::open_for_reading(layout.tree_dir()).unwrap();
    let mut checked = 0;
    cdeguard_audit::reader::for_each_frame(&layout, 0, 1002, |frame| {
        assert_eq!(
            index.offset(frame.seq).unwrap(),
            frame.offset,
            "record {}",
            frame.seq
        );
        checked += 1;
        Ok(std::ops::ControlFlow::Continue(()))
    })
    .unwrap();
    assert_eq!(checked, 1002);
    assert!(layout.list_segments().unwrap().len() > 3);
    // Offsets of records 0..4 pointing at record 5's frame, and one past the end.
    let offsets = layout.tree_dir().join("offsets.bin");
    let mut bytes = std::fs::read(&offsets).unwrap();
    let fifth: [u8; 8] = bytes[40..48].try_into().unwrap();
    for seq in 0..4 {
        bytes[seq * 8..seq * 8 + 8].copy_from_slice(&fifth);
    }
    bytes[800 * 8..800 * 8 + 8].copy_from_slice(&u64::MAX.to_le_bytes());
    std::fs::write(&offsets, bytes).unwrap();
    for seq in [0, 3, 800] {
        let proof = prove_inclusion(&log.log, seq, None).expect("found by scanning");
        assert_eq!(
            verify_inclusion_proof(&proof, &[log.public]).unwrap().seq,
            seq
        );
    }
}

#[test]
fn consistency_proofs_between_checkpoints() {
    let log = build(10, 100, options(32 << 10, 250));
    let older = second_checkpoint(&log.log);
    assert!(older > 2 && older < 1002, "{older}");
    let proof = prove_consistency(&log.log, older, None).expect("prove");
    assert_eq!(proof.new.size, 1002);
    verify_consistency_proof(&proof, &[log.public]).expect("consistent");
    let mut bad = proof.clone();
    bad.path[0] = cdeguard_audit::merkle::empty_root();
    assert!(verify_consistency_proof(&bad, &[log.public]).is_err());
}

#[test]
fn rotated_keys_are_trusted_through_the_log_and_retired_keys_refused() {
    let log = build(2, 10, options(1 << 20, 1000));
    let old = SigningKey::load(&log.key_path).unwrap();
    let new_path = log.dir.path().join("key2");
    let new = SigningKey::generate_to(&new_path).unwrap();
    let new_public = new.public();
    let mut writer = LogWriter::open(&log.log, options(1 << 20, 1000), Some(old)).unwrap();
    let checkpoint = writer.rotate_key("ops@example.com", new).unwrap();
    assert_eq!(checkpoint.key_id, new_public.id());
    let rotations = common::with_action(&log.log, "audit.key.add");
    // The first key was introduced by the log itself, the rotation by its operator.
    assert_eq!(rotations.len(), 2);
    assert_eq!(rotations[0].actor, cdeguard_audit::writer::SYSTEM_ACTOR);
    assert_eq!(rotations[1].actor, "ops@example.com");
    drop(writer);
    // The old key cannot reopen the log any more.
    let old = SigningKey::load(&log.key_path).unwrap();
    let err = LogWriter::open(&log.log, options(1 << 20, 1000), Some(old))
        .err()
        .expect("refused");
    assert!(err.to_string().contains("rotate-key"), "{err}");
    let mut writer = LogWriter::open(
        &log.log,
        options(1 << 20, 1000),
        Some(SigningKey::load(&new_path).unwrap()),
    )
    .unwrap();
    writer.append((0..5).map(common::input).collect()).unwrap();
    writer.checkpoint().unwrap();
    drop(writer);
    // Pinning only the original key is enough: it vouched for the new one in the log.
    let report = verify_with(&log.log, &[log.public]);
    assert_eq!(report.failure, None, "{report:?}");
    assert_eq!(report.keys.len(), 2);

    // A checkpoint signed by the retired key after the rotation is a forgery.
    let old = SigningKey::load(&log.key_path).unwrap();
    let latest = cdeguard_audit::checkpoint::read_checkpoints(&log.log.join("checkpoints.ndjson"))
        .unwrap()
        .checkpoints
        .pop()
        .unwrap();
    let forged = cdeguard_audit::checkpoint::Checkpoint::sign(
        &latest.log_id,
        latest.size,
        latest.root,
        latest.chain,
        latest.time.clone(),
        &old,
    );
    let path = log.log.join("checkpoints.ndjson");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(&forged.to_line());
    std::fs::write(&path, text).unwrap();
    let f = verify_with(&log.log, &[log.public])
        .failure
        .expect("must fail");
    assert!(f.message.contains("retired"), "{f}");
}

#[test]
fn levels_1_to_3_are_recomputed_from_the_leaves_and_layout_1_files_removed() {
    let log = build(3, 200, options(1 << 20, 1000));
    let tree = log.log.join("tree");
    for level in [0, 4, 8] {
        assert!(
            tree.join(format!("level-{level:02}.bin")).exists(),
            "{level}"
        );
    }
    for level in 1..4 {
        assert!(
            !tree.join(format!("level-{level:02}.bin")).exists(),
            "{level}"
        );
    }
    // A layout-1 index stored those levels; a stale one must not be read.
    std::fs::write(tree.join("level-02.bin"), vec![0xAB; 32 * 150]).unwrap();
    let index = cdeguard_audit::index::TreeIndex::open_for_reading(tree.clone()).unwrap();
    let leaves = cdeguard_audit::index::read_leaves(&tree, 0, 16).unwrap();
    let mut memory = cdeguard_audit::merkle::MemoryTree::default();
    for leaf in leaves {
        memory.push(leaf);
    }
    use cdeguard_audit::merkle::NodeSource as _;
    for (level, node) in [(1, 3), (2, 1), (3, 1), (4, 0)] {
        assert_eq!(
            index.node(level, node).unwrap(),
            memory.node(level, node).unwrap(),
            "node {node} of level {level}"
        );
    }
    for seq in [0, 7, 255, 256, 599] {
        let proof = prove_inclusion(&log.log, seq, None).unwrap();
        assert_eq!(
            verify_inclusion_proof(&proof, &[log.public]).unwrap().seq,
            seq
        );
    }
    drop(LogWriter::open(&log.log, options(1 << 20, 1000), None).unwrap());
    assert!(!tree.join("level-02.bin").exists());
}
