//! Network segmentation rules (CDG-NET-*). Their findings come from the segmentation test
//! (`cdeguard-netpol`) that the scan runs when the manifests declare a CDE
//! (`cdeguard-scan/src/segmentation.rs`), not from a check over the inventory: each file
//! here holds one rule's metadata and documentation, which the scan's findings, reports,
//! `cdeguard rules list` and `cdeguard rules explain` all read. Registering one is one
//! word in the list below.

use cdeguard_model::Severity;

/// A rule whose findings a scanner produces: metadata and documentation only.
#[derive(Debug)]
pub struct ScannerRule {
    pub id: &'static str,
    pub name: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    /// PCI DSS v4.0.1 requirement ids.
    pub pci: &'static [&'static str],
    pub remediation: &'static str,
    /// The rule's own source file, whose `//!` comment is the doc.
    pub source: &'static str,
}

impl ScannerRule {
    /// The rule's documentation: its file's `//!` comment.
    #[must_use]
    pub fn doc(&self) -> String {
        crate::doc_comment(self.source)
    }

    /// The first paragraph of the doc.
    #[must_use]
    pub fn summary(&self) -> String {
        crate::first_paragraph(&self.doc())
    }
}

macro_rules! scanner_rule_modules {
    ($($module:ident),* $(,)?) => {
        $(pub mod $module;)*
        /// The segmentation rules, in id order.
        pub const RULES: &[&ScannerRule] = &[$(&$module::RULE),*];
    };
}

scanner_rule_modules!(
    cde_reachable,
    host_network,
    ingress_not_isolated,
    egress_not_isolated,
    egress_to_internet,
    exposed_outside_cluster,
    mtls_not_enforced,
    plaintext_into_cde,
    policy_selects_nothing,
    redundant_rule,
    shadowed_allow_rule,
);

/// Looks a segmentation rule up by id (case-insensitive) or by name.
#[must_use]
pub fn find(id_or_name: &str) -> Option<&'static ScannerRule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.id.eq_ignore_ascii_case(id_or_name) || r.name == id_or_name)
}
