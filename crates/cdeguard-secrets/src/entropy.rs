//! Shannon entropy of a byte string, in bits per byte.

/// 0.0 for empty input; at most 8.0.
#[must_use]
pub fn shannon_entropy(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0usize; 256];
    for b in bytes {
        counts[*b as usize] += 1;
    }
    #[allow(clippy::cast_precision_loss)]
    let len = bytes.len() as f64;
    counts
        .iter()
        .filter(|c| **c > 0)
        .map(|c| {
            #[allow(clippy::cast_precision_loss)]
            let p = *c as f64 / len;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_of_known_strings() {
        assert!(shannon_entropy(b"aaaaaaaa").abs() < 1e-9);
        assert!((shannon_entropy(b"abababab") - 1.0).abs() < 1e-9);
        assert!((shannon_entropy(b"0123456789abcdef") - 4.0).abs() < 1e-9);
    }
}
