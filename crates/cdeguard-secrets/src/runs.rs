//! Maximal runs of bytes of one class (printable, token, digit-or-separator) that are at
//! least some length long. The scanner looks for such runs in every byte it reads, so the
//! search skips ahead instead of testing each byte: when the byte `min - 1` past the
//! current position is not in the class, no run of `min` bytes starts in between.

/// The `(start, end)` of each maximal run of bytes for which `in_class` holds that is at
/// least `min` (> 0) bytes long, in order.
pub(crate) fn long_runs(
    bytes: &[u8],
    min: usize,
    in_class: impl Fn(u8) -> bool,
) -> impl Iterator<Item = (usize, usize)> {
    // Invariant: no run crosses `i` from the left.
    let mut i = 0;
    std::iter::from_fn(move || {
        while i + min <= bytes.len() {
            if !in_class(bytes[i + min - 1]) {
                i += min;
                continue;
            }
            let mut start = i + min - 1;
            while start > i && in_class(bytes[start - 1]) {
                start -= 1;
            }
            let mut end = i + min;
            while end < bytes.len() && in_class(bytes[end]) {
                end += 1;
            }
            i = end + 1;
            if end - start >= min {
                return Some((start, end));
            }
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skipping_ahead_finds_what_a_byte_by_byte_reading_finds() {
        // Pseudo-random letters and control bytes, in runs of all lengths.
        let mut state = 0x2545_f491_u32;
        let bytes: Vec<u8> = (0..20_000)
            .map(|_| {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                let r = (state >> 16) as u8;
                if r & 0x80 == 0 {
                    b'a' + r % 26
                } else {
                    r & 0x1f
                }
            })
            .collect();
        let letter = |b: u8| b.is_ascii_lowercase();
        for min in [1, 4, 6, 13] {
            for len in [0, 5, 6, 7, 1000, bytes.len()] {
                let bytes = &bytes[..len];
                let mut expected = Vec::new();
                let mut start = None;
                for (i, b) in bytes.iter().chain([&0]).enumerate() {
                    match (i < len && letter(*b), start) {
                        (true, None) => start = Some(i),
                        (false, Some(s)) => {
                            if i - s >= min {
                                expected.push((s, i));
                            }
                            start = None;
                        }
                        _ => {}
                    }
                }
                assert_eq!(
                    long_runs(bytes, min, letter).collect::<Vec<_>>(),
                    expected,
                    "min {min}, {len} bytes"
                );
            }
        }
        assert_eq!(
            long_runs(b"ab\0abcdef\0", 3, letter).collect::<Vec<_>>(),
            vec![(3, 9)]
        );
    }
}
