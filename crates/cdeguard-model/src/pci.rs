//! The PCI DSS v4.0.1 requirements cdeguard produces evidence for, with short
//! paraphrased titles (see `shared/reference/controls.md` §1). Reports group findings by
//! these ids; a finding's `pci` ids must appear here (a test in `cdeguard-rules` checks it).

/// A PCI DSS v4.0.1 requirement (defined approach), paraphrased.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Requirement {
    pub id: &'static str,
    pub title: &'static str,
}

const fn req(id: &'static str, title: &'static str) -> Requirement {
    Requirement { id, title }
}

/// Requirements in standard order.
pub const REQUIREMENTS: &[Requirement] = &[
    req(
        "1.2.1",
        "Network security control configuration standards are defined and implemented",
    ),
    req(
        "1.2.5",
        "Allowed services, protocols and ports are identified, approved and needed",
    ),
    req(
        "1.2.7",
        "Network security control configurations are reviewed for relevance and effectiveness",
    ),
    req(
        "1.2.8",
        "Network security control configuration files are secured and consistent",
    ),
    req(
        "1.3.1",
        "Inbound traffic to the CDE is restricted to what is necessary",
    ),
    req(
        "1.3.2",
        "Outbound traffic from the CDE is restricted to what is necessary",
    ),
    req(
        "1.4.1",
        "Network security controls are implemented between trusted and untrusted networks",
    ),
    req(
        "1.4.2",
        "Inbound traffic from untrusted networks to trusted networks is restricted",
    ),
    req("1.4.3", "Anti-spoofing measures are implemented"),
    req(
        "1.4.4",
        "System components storing cardholder data are not directly accessible from untrusted networks",
    ),
    req(
        "2.2.1",
        "Configuration standards are developed, implemented and maintained",
    ),
    req("2.2.2", "Vendor default accounts are managed"),
    req(
        "2.2.3",
        "Primary functions requiring different security levels are separated",
    ),
    req(
        "2.2.4",
        "Only necessary services, protocols, daemons and functions are enabled",
    ),
    req(
        "2.2.5",
        "Insecure services, protocols or daemons are justified and secured",
    ),
    req(
        "2.2.6",
        "System security parameters are configured to prevent misuse",
    ),
    req(
        "2.2.7",
        "All non-console administrative access is encrypted",
    ),
    req("3.2.1", "Account data storage is kept to a minimum"),
    req(
        "3.3.1",
        "Sensitive authentication data is not retained after authorization",
    ),
    req("3.4.1", "PAN is masked when displayed"),
    req("3.5.1", "PAN is rendered unreadable anywhere it is stored"),
    req(
        "3.6.1",
        "Cryptographic keys protecting account data are protected",
    ),
    req(
        "4.2.1",
        "Strong cryptography protects PAN during transmission over open networks",
    ),
    req(
        "6.3.1",
        "Security vulnerabilities are identified and ranked by risk",
    ),
    req(
        "6.3.2",
        "An inventory of bespoke and third-party software components is maintained",
    ),
    req(
        "6.3.3",
        "Critical and high security patches are installed within one month of release",
    ),
    req(
        "6.5.1",
        "Changes to system components follow change-control procedures",
    ),
    req(
        "7.2.1",
        "An access control model is defined, covering least privilege",
    ),
    req(
        "7.2.2",
        "Access is assigned based on job function and least privilege",
    ),
    req(
        "7.2.5",
        "Application and system accounts are assigned least privilege",
    ),
    req(
        "8.2.2",
        "Shared, group or generic accounts are used only when necessary",
    ),
    req(
        "8.2.4",
        "Addition, deletion and modification of user IDs and credentials are managed",
    ),
    req(
        "8.3.2",
        "Strong cryptography renders authentication factors unreadable",
    ),
    req(
        "8.6.1",
        "Interactive use of system or application accounts is managed",
    ),
    req(
        "8.6.2",
        "Passwords for application and system accounts are not hard-coded",
    ),
    req(
        "8.6.3",
        "Passwords for application and system accounts are protected against misuse",
    ),
    req(
        "10.2.1",
        "Audit logs are enabled and active for all system components",
    ),
    req("10.3.2", "Audit log files are protected from modification"),
    req(
        "10.6.3",
        "Time synchronization settings and data are protected",
    ),
    req(
        "10.7.2",
        "Failures of critical security control systems are detected and reported",
    ),
    req("11.3.1", "Internal vulnerability scans are performed"),
    req("11.4.5", "Segmentation controls are tested"),
    req(
        "11.5.2",
        "A change-detection mechanism detects unauthorized modification",
    ),
    req("12.5.2", "PCI DSS scope is documented and confirmed"),
];

/// Looks up a requirement by id.
#[must_use]
pub fn requirement(id: &str) -> Option<&'static Requirement> {
    REQUIREMENTS.iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_in_standard_order() {
        let key = |id: &str| {
            id.split('.')
                .map(|p| p.parse::<u32>().unwrap())
                .collect::<Vec<_>>()
        };
        for pair in REQUIREMENTS.windows(2) {
            assert!(
                key(pair[0].id) < key(pair[1].id),
                "{} before {}",
                pair[0].id,
                pair[1].id
            );
        }
        assert_eq!(requirement("4.2.1").map(|r| r.id), Some("4.2.1"));
        assert!(requirement("99.1").is_none());
    }
}
