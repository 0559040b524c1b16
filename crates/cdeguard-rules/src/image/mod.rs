//! Image hardening rules (CIS Docker Benchmark section 4, NIST SP 800-190 image risks),
//! read from `Inventory::images`: configuration, OS, and file facts.

use cdeguard_model::{ImageInfo, Inventory};

crate::rule_modules! {
    runs_as_root,
    setuid_files,
    world_writable,
    package_caches,
    build_tools,
    exposed_ssh,
    no_healthcheck,
    image_age,
    base_os_eol,
}

/// Images that carry a configuration (not root filesystems or SBOMs).
pub(crate) fn configured(inventory: &Inventory) -> impl Iterator<Item = &ImageInfo> {
    inventory.images.iter().filter(|i| i.has_config())
}

/// Days since 1970-01-01 of a `YYYY-MM-DD...` date (proleptic Gregorian).
pub(crate) fn days_from_date(date: &str) -> Option<i64> {
    let mut parts = date.get(..10)?.split('-');
    let (y, m, d): (i64, i64, i64) = (
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
    );
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// Today, in days since 1970-01-01.
pub(crate) fn today() -> i64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    i64::try_from(secs / 86_400).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_days() {
        assert_eq!(days_from_date("1970-01-01"), Some(0));
        assert_eq!(days_from_date("2000-03-01T00:00:00Z"), Some(11_017));
        assert_eq!(days_from_date("2024-02-29"), Some(19_782));
        assert_eq!(days_from_date("2024-13-01"), None);
        assert_eq!(days_from_date("nope"), None);
    }
}
