//! ## What it checks
//! Ingress rules whose `host` is not covered by any `spec.tls[].hosts` entry (wildcards
//! honoured), and Ingresses with rules but no `tls` at all.
//!
//! ## Why it matters
//! Without TLS, card data and credentials cross the network in clear text. PCI DSS 4.2.1
//! (strong cryptography for PAN over open networks), 2.2.7.
//!
//! ## Failing example
//! ```yaml
//! spec:
//!   rules: [{host: promo.example.com}]
//! ```
//!
//! ## Passing example
//! ```yaml
//! spec:
//!   tls: [{hosts: [shop.example.com], secretName: shop-tls}]
//!   rules: [{host: shop.example.com}]
//! ```
//!
//! ## How to fix
//! Add the host to a `tls` entry with a certificate (e.g. from cert-manager).

use cdeguard_model::{InputFormat, Inventory, Node, Severity};

use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PCI-004",
    name: "ingress-without-tls",
    title: "Ingress host served without TLS",
    severity: Severity::High,
    sets: &[RuleSet::Pci],
    pci: &["4.2.1", "2.2.7"],
    cis: &[],
    inputs: &[InputFormat::Kubernetes],
    remediation: "List every Ingress host under spec.tls[].hosts with a certificate Secret.",
    source: include_str!("ingress_without_tls.rs"),
    check,
};

fn covered(host: &str, tls_hosts: &[String]) -> bool {
    tls_hosts.iter().any(|t| {
        t == host || t.strip_prefix("*.").is_some_and(|suffix| host.split_once('.').is_some_and(|(_, rest)| rest == suffix))
    })
}

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for ingress in inventory.objects_of_kind("Ingress") {
        let tls = ingress.body.path(&["spec", "tls"]).map(Node::items).unwrap_or_default();
        let tls_hosts: Vec<String> = tls.iter().flat_map(|t| t.get("hosts").map(Node::items).unwrap_or_default()).filter_map(Node::scalar_text).collect();
        for (i, rule) in ingress.body.path(&["spec", "rules"]).map(Node::items).unwrap_or_default().iter().enumerate() {
            let host = rule.get("host").and_then(Node::as_str).unwrap_or("");
            let ok = if host.is_empty() { !tls.is_empty() } else { covered(host, &tls_hosts) };
            if !ok {
                let shown = if host.is_empty() { "(any host)" } else { host };
                out.k8s(ingress, rule.line, None, format!("host {shown} is served without TLS"), format!("spec.rules[{i}].host = {shown} not in spec.tls[].hosts"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn wildcards_cover_one_label() {
        let tls = vec!["*.example.com".to_owned()];
        assert!(super::covered("shop.example.com", &tls));
        assert!(!super::covered("a.shop.example.com", &tls));
        assert!(!super::covered("example.com", &tls));
    }
}
