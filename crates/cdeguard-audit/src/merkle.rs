//! The RFC 9162 (Certificate Transparency v2, same tree as RFC 6962) Merkle tree:
//! leaf hash `SHA-256(0x00 ‖ leaf)`, node hash `SHA-256(0x01 ‖ left ‖ right)`, the tree
//! over `n` leaves split at the largest power of two below `n`. Inclusion and
//! consistency proofs are generated from any [`NodeSource`] (perfect-subtree hashes)
//! and verified with the algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2.

use crate::hash::Digest;

/// `SHA-256(0x00 ‖ data)`.
pub fn leaf_hash(data: &[u8]) -> Digest {
    Digest::of(&[&[0x00], data])
}

/// `SHA-256(0x01 ‖ left ‖ right)`.
pub fn node_hash(left: &Digest, right: &Digest) -> Digest {
    Digest::of(&[&[0x01], &left.0, &right.0])
}

/// The root of the empty tree: `SHA-256("")`.
pub fn empty_root() -> Digest {
    Digest::of(&[])
}

/// Largest power of two strictly below `n` (`n >= 2`).
fn split_point(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// Hashes of perfect subtrees: `node(level, index)` covers leaves
/// `[index << level, (index + 1) << level)`.
pub trait NodeSource {
    /// Error reading a node.
    type Error;
    /// The hash of one perfect subtree.
    fn node(&self, level: u32, index: u64) -> Result<Digest, Self::Error>;
}

/// The tree hash of leaves `[lo, hi)`, where `lo` is aligned as in the RFC recursion
/// (a multiple of the smallest power of two not below `hi - lo`).
pub fn range_hash<S: NodeSource>(source: &S, lo: u64, hi: u64) -> Result<Digest, S::Error> {
    let n = hi - lo;
    if n == 0 {
        return Ok(empty_root());
    }
    if n.is_power_of_two() && lo.is_multiple_of(n) {
        return source.node(n.trailing_zeros(), lo >> n.trailing_zeros());
    }
    let k = split_point(n);
    Ok(node_hash(
        &range_hash(source, lo, lo + k)?,
        &range_hash(source, lo + k, hi)?,
    ))
}

/// The root of the tree over the first `size` leaves.
pub fn root<S: NodeSource>(source: &S, size: u64) -> Result<Digest, S::Error> {
    range_hash(source, 0, size)
}

/// Inclusion proof (RFC 9162 `PATH(m, D[n])`) of leaf `index` in the tree of `size`.
/// `index < size` is the caller's duty.
pub fn inclusion_proof<S: NodeSource>(
    source: &S,
    index: u64,
    size: u64,
) -> Result<Vec<Digest>, S::Error> {
    let mut path = Vec::new();
    let (mut lo, mut hi) = (0, size);
    // Walk down from the root, collecting siblings; the RFC lists them leaf-first.
    while hi - lo > 1 {
        let k = split_point(hi - lo);
        if index - lo < k {
            path.push(range_hash(source, lo + k, hi)?);
            hi = lo + k;
        } else {
            path.push(range_hash(source, lo, lo + k)?);
            lo += k;
        }
    }
    path.reverse();
    Ok(path)
}

/// Consistency proof (RFC 9162 `PROOF(m, D[n])`) that the tree of `old_size` is a
/// prefix of the tree of `new_size`. Empty when `old_size` is 0 or equals `new_size`.
pub fn consistency_proof<S: NodeSource>(
    source: &S,
    old_size: u64,
    new_size: u64,
) -> Result<Vec<Digest>, S::Error> {
    let mut proof = Vec::new();
    if old_size == 0 || old_size >= new_size {
        return Ok(proof);
    }
    let (mut m, mut lo, mut hi, mut whole_old_root_known) = (old_size, 0, new_size, true);
    // Iterative SUBPROOF(m, D[lo:hi], b); nodes are gathered top-down, reversed at the end.
    loop {
        let n = hi - lo;
        if m == n {
            if !whole_old_root_known {
                proof.push(range_hash(source, lo, hi)?);
            }
            break;
        }
        let k = split_point(n);
        if m <= k {
            proof.push(range_hash(source, lo + k, hi)?);
            hi = lo + k;
        } else {
            proof.push(range_hash(source, lo, lo + k)?);
            m -= k;
            lo += k;
            whole_old_root_known = false;
        }
    }
    proof.reverse();
    Ok(proof)
}

/// Verifies an inclusion proof (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(
    leaf: &Digest,
    index: u64,
    size: u64,
    proof: &[Digest],
    expected_root: &Digest,
) -> bool {
    if index >= size {
        return false;
    }
    let (mut fn_, mut sn) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if sn == 0 {
            return false;
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    sn == 0 && r == *expected_root
}

/// Verifies a consistency proof (RFC 9162 §2.1.4.2).
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Digest,
    new_root: &Digest,
    proof: &[Digest],
) -> bool {
    if old_size > new_size {
        return false;
    }
    if old_size == new_size {
        return proof.is_empty() && old_root == new_root;
    }
    if old_size == 0 {
        return proof.is_empty();
    }
    let Some((first, rest)) = proof.split_first() else {
        return false;
    };
    // When the old tree is a perfect subtree its root is the implicit first node.
    let (seed, rest) = if old_size.is_power_of_two() {
        (old_root, proof)
    } else {
        (first, rest)
    };
    let (mut fn_, mut sn) = (old_size - 1, new_size - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let (mut fr, mut sr) = (*seed, *seed);
    for c in rest {
        if sn == 0 {
            return false;
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    sn == 0 && fr == *old_root && sr == *new_root
}

/// The compact range `[0, size)`: roots of the perfect subtrees along the right edge,
/// largest first. Enough to extend the tree and compute its root.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    hashes: Vec<Digest>,
}

impl Frontier {
    /// Rebuilds a frontier; `None` unless there is one hash per set bit of `size`.
    pub fn from_parts(size: u64, hashes: Vec<Digest>) -> Option<Self> {
        (hashes.len() == size.count_ones() as usize).then_some(Frontier { size, hashes })
    }

    /// Number of leaves covered.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The perfect-subtree roots, largest first.
    pub fn hashes(&self) -> &[Digest] {
        &self.hashes
    }

    /// Appends a leaf hash; `completed` receives every perfect subtree this completes
    /// as `(level, index, hash)`, the leaf itself first.
    pub fn push_with(&mut self, leaf: Digest, mut completed: impl FnMut(u32, u64, &Digest)) {
        let mut hash = leaf;
        let mut level = 0;
        completed(0, self.size, &hash);
        while self.size >> level & 1 == 1 {
            let left = self.hashes.pop().unwrap_or_default();
            hash = node_hash(&left, &hash);
            level += 1;
            completed(level, self.size >> level, &hash);
        }
        self.hashes.push(hash);
        self.size += 1;
    }

    /// Appends a leaf hash.
    pub fn push(&mut self, leaf: Digest) {
        self.push_with(leaf, |_, _, _| {});
    }

    /// The tree root.
    pub fn root(&self) -> Digest {
        let mut iter = self.hashes.iter().rev();
        let Some(last) = iter.next() else {
            return empty_root();
        };
        iter.fold(*last, |acc, left| node_hash(left, &acc))
    }
}

/// All perfect-subtree hashes in memory, by level; used by tests, by verification and
/// as the model for the on-disk index.
#[derive(Clone, Debug, Default)]
pub struct MemoryTree {
    levels: Vec<Vec<Digest>>,
    frontier: Frontier,
}

impl MemoryTree {
    /// Appends a leaf hash.
    pub fn push(&mut self, leaf: Digest) {
        let levels = &mut self.levels;
        self.frontier.push_with(leaf, |level, _, hash| {
            let level = level as usize;
            if levels.len() <= level {
                levels.push(Vec::new());
            }
            levels[level].push(*hash);
        });
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.frontier.size()
    }

    /// Root of the whole tree.
    pub fn root(&self) -> Digest {
        self.frontier.root()
    }
}

impl NodeSource for MemoryTree {
    type Error = std::convert::Infallible;
    fn node(&self, level: u32, index: u64) -> Result<Digest, Self::Error> {
        // Callers ask only for nodes inside the tree; an empty root marks a caller bug.
        Ok(self
            .levels
            .get(level as usize)
            .and_then(|l| l.get(usize::try_from(index).ok()?))
            .copied()
            .unwrap_or_else(empty_root))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree_of(n: u64) -> MemoryTree {
        let mut tree = MemoryTree::default();
        for i in 0..n {
            tree.push(leaf_hash(&i.to_le_bytes()));
        }
        tree
    }

    fn ok<T>(r: Result<T, std::convert::Infallible>) -> T {
        match r {
            Ok(v) => v,
        }
    }

    #[test]
    fn every_inclusion_proof_verifies_and_wrong_ones_fail() {
        for n in 1..=70u64 {
            let tree = tree_of(n);
            let r = ok(root(&tree, n));
            assert_eq!(r, tree.root(), "root of {n}");
            for i in 0..n {
                let proof = ok(inclusion_proof(&tree, i, n));
                let leaf = leaf_hash(&i.to_le_bytes());
                assert!(verify_inclusion(&leaf, i, n, &proof, &r), "{i} in {n}");
                assert!(!verify_inclusion(&leaf, i + 1, n, &proof, &r) || n == 1);
                assert!(!verify_inclusion(&leaf_hash(b"x"), i, n, &proof, &r));
                let mut longer = proof.clone();
                longer.push(r);
                assert!(!verify_inclusion(&leaf, i, n, &longer, &r));
            }
        }
    }

    #[test]
    fn every_consistency_proof_verifies_and_tampered_ones_fail() {
        for n in 1..=40u64 {
            let tree = tree_of(n);
            let new_root = tree.root();
            for m in 1..=n {
                let old_root = ok(root(&tree, m));
                let proof = ok(consistency_proof(&tree, m, n));
                assert!(
                    verify_consistency(m, n, &old_root, &new_root, &proof),
                    "{m}->{n}"
                );
                if !proof.is_empty() {
                    let mut bad = proof.clone();
                    bad[0] = empty_root();
                    assert!(!verify_consistency(m, n, &old_root, &new_root, &bad));
                    assert!(!verify_consistency(m, n, &new_root, &old_root, &proof));
                }
            }
        }
    }

    #[test]
    fn frontier_round_trips_through_parts() {
        let tree = tree_of(13);
        let f = Frontier::from_parts(13, tree.frontier.hashes().to_vec()).expect("3 hashes");
        assert_eq!(f.root(), tree.root());
        assert!(Frontier::from_parts(13, vec![]).is_none());
    }
}
