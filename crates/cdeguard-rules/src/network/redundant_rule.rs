//! ## What it checks
//! A NetworkPolicy ingress or egress rule that allows nothing another rule does not already
//! allow: the other rule (same direction, in a policy selecting every pod the first one
//! selects) matches every peer it matches with at least the same ports. Decided exactly over
//! the engine's pod classes and address atoms, named ports resolved; of two equal rules the
//! later is reported. Likewise a peer of a rule's `from`/`to` list that another peer of
//! the same rule covers. Rules and peers that match nothing are stale, not redundant, and
//! are not reported. The finding names the covering rule or peer (policy, file and line).
//!
//! ## Why it matters
//! PCI DSS 1.2.7 requires configurations of network security controls to be reviewed and
//! rules no longer needed removed; a redundant rule obscures which rule actually grants
//! access and keeps access alive after the covering rule is narrowed.
//!
//! ## Failing example
//! ```yaml
//! kind: NetworkPolicy
//! metadata: {name: allow-namespace, namespace: payments}
//! spec: {podSelector: {}, ingress: [{from: [{podSelector: {}}]}]}
//! ---
//! kind: NetworkPolicy
//! metadata: {name: allow-worker, namespace: payments}
//! spec:
//!   podSelector: {matchLabels: {app: api}}
//!   ingress: [{from: [{podSelector: {matchLabels: {app: worker}}}], ports: [{port: 8443}]}]
//! ```
//!
//! ## Passing example
//! ```yaml
//! kind: NetworkPolicy
//! metadata: {name: allow-worker, namespace: payments}
//! spec:
//!   podSelector: {matchLabels: {app: api}}
//!   ingress: [{from: [{podSelector: {matchLabels: {app: worker}}}], ports: [{port: 8443}]}]
//! ```
//!
//! ## How to fix
//! Delete the redundant rule, or narrow the covering rule if it is the one that allows too much.
//!
//! Reported by the segmentation test of `cdeguard scan` (see `crate::network`).

use cdeguard_model::Severity;

use super::ScannerRule;

pub const RULE: ScannerRule = ScannerRule {
    id: "CDG-NET-010",
    name: "redundant-network-policy-rule",
    title: "Redundant NetworkPolicy rule or peer",
    severity: Severity::Low,
    pci: &["1.2.7"],
    remediation: "Delete the redundant rule, or narrow the covering rule if it is the one that allows too much.",
    source: include_str!("redundant_rule.rs"),
};
