//! The rounding rules of the specifications, which differ per version and decide the
//! first decimal of a score (and so, at 3.95 or 6.95, the rating).

/// Round half up to one decimal of the exact binary value of `x` (x >= 0), as
/// `Decimal(x).quantize(Decimal("0.1"), ROUND_HALF_UP)` does.
///
/// The exact decimal expansion of an f64 below 2^10 has at most 62 fractional digits, so
/// formatting with 64 digits reads it without any rounding; multiplying by 10 in floating
/// point instead could carry 0.1499…9 over the tie.
pub(crate) fn half_up_tenth(x: f64) -> f64 {
    let exact = format!("{x:.64}");
    let (whole, fraction) = exact.split_once('.').unwrap_or((&exact, ""));
    let mut digits = fraction.bytes();
    let first = digits.next().map_or(0, |digit| digit - b'0');
    let round_up = digits.next().is_some_and(|digit| digit >= b'5');
    let whole: u64 = whole.parse().unwrap_or(0);
    let tenths = whole * 10 + u64::from(first) + u64::from(round_up);
    tenths_to_f64(tenths)
}

/// CVSS v3.1 `Roundup` (specification Appendix A): the smallest one-decimal number equal to
/// or above `x`, computed on an integer of 1/100000 units so that floating point noise such
/// as 4.000000000000001 does not round up to 4.1.
pub(crate) fn roundup_v3_1(x: f64) -> f64 {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // 0 <= x <= 10.8
    let int_input = (x * 100_000.0).round() as u64;
    if int_input.is_multiple_of(10_000) {
        tenths_to_f64(int_input / 10_000)
    } else {
        tenths_to_f64(int_input / 10_000 + 1)
    }
}

/// A count of tenths as the nearest f64 (`tenths as f64 / 10.0` is correctly rounded, so
/// 73 tenths is the same f64 as the literal 7.3).
fn tenths_to_f64(tenths: u64) -> f64 {
    #[allow(clippy::cast_precision_loss)] // tenths <= 108
    let tenths = tenths as f64;
    tenths / 10.0
}

/// CVSS v3.0 `Round up`: "the smallest number, specified to one decimal place, that is
/// equal to or higher than its input". Evaluated on an integer of 10^-10 units: a plain
/// `ceil(x * 10)` turns the floating point product 5.0 × 0.92 = 4.6000000000000005 into
/// 4.7, which is not the smallest one-decimal number above the exact 4.6. (v3.1's Roundup
/// does the same at 10^-5 units.)
pub(crate) fn roundup_v3_0(x: f64) -> f64 {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // 0 <= x <= 10.8
    let int_input = (x * 1e10).round() as u64;
    tenths_to_f64(int_input.div_ceil(1_000_000_000))
}
