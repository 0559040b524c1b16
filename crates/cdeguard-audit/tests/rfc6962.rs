//! The Merkle tree against the RFC 6962 known-answer vectors of the Certificate
//! Transparency reference implementation (tests/data/rfc6962-vectors.json).

use cdeguard_audit::hash::{Digest, from_hex};
use cdeguard_audit::merkle::{
    MemoryTree, consistency_proof, empty_root, inclusion_proof, leaf_hash, root,
    verify_consistency, verify_inclusion,
};

#[derive(serde::Deserialize)]
struct Vectors {
    empty_root: Digest,
    inputs: Vec<String>,
    roots: Vec<Digest>,
    inclusion: Vec<Inclusion>,
    consistency: Vec<Consistency>,
}

#[derive(serde::Deserialize)]
struct Inclusion {
    index: u64,
    size: u64,
    path: Vec<Digest>,
}

#[derive(serde::Deserialize)]
struct Consistency {
    old: u64,
    new: u64,
    proof: Vec<Digest>,
}

fn vectors() -> (Vectors, MemoryTree) {
    let text = include_str!("data/rfc6962-vectors.json");
    let v: Vectors = serde_json::from_str(text).expect("vectors parse");
    let mut tree = MemoryTree::default();
    for input in &v.inputs {
        tree.push(leaf_hash(&from_hex(input).expect("hex input")));
    }
    (v, tree)
}

fn ok<T>(r: Result<T, std::convert::Infallible>) -> T {
    match r {
        Ok(v) => v,
    }
}

#[test]
fn roots_match_reference() {
    let (v, tree) = vectors();
    assert_eq!(empty_root(), v.empty_root);
    assert_eq!(ok(root(&tree, 0)), v.empty_root);
    for (i, expected) in v.roots.iter().enumerate() {
        assert_eq!(
            ok(root(&tree, i as u64 + 1)),
            *expected,
            "root of {} leaves",
            i + 1
        );
    }
    assert_eq!(tree.root(), v.roots[7]);
}

#[test]
fn inclusion_paths_match_reference_and_verify() {
    let (v, tree) = vectors();
    for case in &v.inclusion {
        let path = ok(inclusion_proof(&tree, case.index, case.size));
        assert_eq!(path, case.path, "path of {} in {}", case.index, case.size);
        let leaf = leaf_hash(&from_hex(&v.inputs[case.index as usize]).unwrap());
        let root = v.roots[case.size as usize - 1];
        assert!(verify_inclusion(
            &leaf, case.index, case.size, &case.path, &root
        ));
        assert!(!verify_inclusion(
            &leaf,
            case.index,
            case.size * 2,
            &case.path,
            &root
        ));
        assert!(!verify_inclusion(
            &leaf_hash(b"WrongLeaf"),
            case.index,
            case.size,
            &case.path,
            &root
        ));
    }
}

#[test]
fn consistency_proofs_match_reference_and_verify() {
    let (v, tree) = vectors();
    for case in &v.consistency {
        let proof = ok(consistency_proof(&tree, case.old, case.new));
        assert_eq!(proof, case.proof, "proof {} -> {}", case.old, case.new);
        let old_root = v.roots[case.old as usize - 1];
        let new_root = v.roots[case.new as usize - 1];
        assert!(verify_consistency(
            case.old,
            case.new,
            &old_root,
            &new_root,
            &case.proof
        ));
        if !case.proof.is_empty() {
            assert!(!verify_consistency(
                case.old,
                case.new,
                &new_root,
                &old_root,
                &case.proof
            ));
            assert!(!verify_consistency(
                case.old,
                case.new,
                &old_root,
                &new_root,
                &case.proof[1..]
            ));
        }
    }
}
