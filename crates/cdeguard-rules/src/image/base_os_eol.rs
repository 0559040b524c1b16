//! ## What it checks
//! Images and root filesystems whose OS release (`/etc/os-release`) has reached its end
//! of life according to a bundled table (Debian, Ubuntu, Alpine, RHEL, CentOS, Rocky,
//! AlmaLinux), counting the distribution's own long-term support where it exists.
//!
//! ## Why it matters
//! An end-of-life distribution gets no more security updates: its vulnerabilities are
//! never fixed. PCI DSS 6.3.3 (all components protected from known vulnerabilities by
//! installing patches) and 12.3.4 (hardware and software technologies reviewed).
//!
//! ## Failing example
//! ```text
//! ID=debian
//! VERSION_ID="9"
//! ```
//!
//! ## Passing example
//! ```text
//! ID=debian
//! VERSION_ID="12"
//! ```
//!
//! ## How to fix
//! Rebase the image on a supported release of the distribution.

use cdeguard_model::{InputFormat, Inventory, Severity};

use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-IMG-010",
    name: "image-base-os-end-of-life",
    title: "Base OS release is end of life",
    severity: Severity::High,
    sets: &[RuleSet::Pci],
    pci: &["6.3.3"],
    cis: &[],
    inputs: &[InputFormat::Image],
    remediation: "Rebase the image on a supported release of its distribution (or a minimal/distroless base) and rebuild.",
    source: include_str!("base_os_eol.rs"),
    check,
};

/// (os-release ID, release (VERSION_ID up to the precision that names a release), end
/// of security support). Sources: the distributions' release pages (Debian LTS end,
/// Ubuntu standard support end, Alpine main repository end, RHEL maintenance end).
const END_OF_LIFE: &[(&str, &str, &str)] = &[
    ("debian", "8", "2020-06-30"),
    ("debian", "9", "2022-06-30"),
    ("debian", "10", "2024-06-30"),
    ("debian", "11", "2026-08-31"),
    ("debian", "12", "2028-06-30"),
    ("ubuntu", "16.04", "2021-04-30"),
    ("ubuntu", "18.04", "2023-05-31"),
    ("ubuntu", "20.04", "2025-05-31"),
    ("ubuntu", "22.04", "2027-06-01"),
    ("ubuntu", "24.04", "2029-05-31"),
    ("alpine", "3.14", "2023-05-01"),
    ("alpine", "3.15", "2023-11-01"),
    ("alpine", "3.16", "2024-05-23"),
    ("alpine", "3.17", "2024-11-22"),
    ("alpine", "3.18", "2025-05-09"),
    ("alpine", "3.19", "2025-11-01"),
    ("alpine", "3.20", "2026-04-01"),
    ("alpine", "3.21", "2026-11-01"),
    ("alpine", "3.22", "2027-05-01"),
    ("rhel", "7", "2024-06-30"),
    ("rhel", "8", "2029-05-31"),
    ("rhel", "9", "2032-05-31"),
    ("centos", "7", "2024-06-30"),
    ("centos", "8", "2021-12-31"),
    ("rocky", "8", "2029-05-31"),
    ("rocky", "9", "2032-05-31"),
    ("almalinux", "8", "2029-03-01"),
    ("almalinux", "9", "2032-05-31"),
];

/// The table row of an OS: Ubuntu by `major.minor`, Alpine by `major.minor`, others by major.
fn end_of_life(id: &str, version: &str) -> Option<&'static str> {
    let mut parts = version.split('.');
    let major = parts.next().unwrap_or_default();
    let release = match id {
        "ubuntu" | "alpine" => format!("{major}.{}", parts.next().unwrap_or("0")),
        _ => major.to_owned(),
    };
    END_OF_LIFE.iter().find(|(i, r, _)| *i == id && *r == release).map(|(_, _, eol)| *eol)
}

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    let today = super::today();
    for image in &inventory.images {
        let Some(os) = &image.os else { continue };
        let Some(version) = os.version_id.as_deref() else { continue };
        let Some(eol) = end_of_life(&os.id, version) else { continue };
        if super::days_from_date(eol).is_some_and(|d| d < today) {
            out.image(image, format!("{} {version} reached end of life on {eol}", os.id), format!("{}: ID={} VERSION_ID={version}", os.path, os.id));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lookup_precision() {
        assert_eq!(end_of_life("debian", "9"), Some("2022-06-30"));
        assert_eq!(end_of_life("alpine", "3.18.4"), Some("2025-05-09"));
        assert_eq!(end_of_life("ubuntu", "22.04"), Some("2027-06-01"));
        assert_eq!(end_of_life("rhel", "9.3"), Some("2032-05-31"));
        assert_eq!(end_of_life("arch", "1"), None);
    }
}
