//! PCI DSS scope: which workloads are the CDE, which are connected to it or can affect
//! its security, and which are out of scope.
//!
//! What: a workload is **CDE** when it, its pod template or its namespace carries
//! `pci.cdeguard.io/scope: cde` (label or annotation), or from evidence: it is a declared
//! card data store (`pci.cdeguard.io/data-store: "true"`) or it uses a Secret declared
//! CDE. It is **connected-to / security-impacting** when NetworkPolicies allow a
//! connection from it into the CDE or from the CDE to it, when its service account is
//! bound to a role in a CDE namespace or cluster-wide (it administers the CDE), or when
//! it or its namespace is declared `connected`. Everything else is **out of scope**,
//! with the evidence that no path exists in either direction.
//!
//! Why: PCI DSS 12.5.2 asks to document scope with the data flows and the
//! connected-to systems; segmentation (11.4.5) is tested against this scope.
//!
//! Example: `storefront` reaching `payments/checkout` on TCP 8443 is connected-to, the
//! reason citing the NetworkPolicy rule (file:line) that allows it.
//!
//! Fix for an unexpected connected-to: tighten the policy cited in the reason, or label
//! the workload on purpose.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::cluster::{Cluster, Workload};
use crate::engine::{Analysis, Endpoint};
use crate::matrix::{Explanation, explain};
use crate::selector::Labels;

/// The label or annotation declaring scope.
pub const SCOPE_KEY: &str = "pci.cdeguard.io/scope";
/// The label or annotation declaring a card data store.
pub const DATA_STORE_KEY: &str = "pci.cdeguard.io/data-store";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    Cde,
    ConnectedTo,
    OutOfScope,
}

impl Scope {
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Scope::Cde => "CDE",
            Scope::ConnectedTo => "connected-to/security-impacting",
            Scope::OutOfScope => "out of scope",
        }
    }
}

/// One workload's scope with its reasons and paths.
#[derive(Clone, Debug, Serialize)]
pub struct Classified {
    pub workload: String,
    pub location: String,
    pub scope: Scope,
    pub reasons: Vec<String>,
    /// Allowed connections into or out of the CDE, with the policies responsible.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<Explanation>,
}

/// The whole classification.
#[derive(Clone, Debug, Serialize)]
pub struct ScopeReport {
    pub workloads: Vec<Classified>,
    /// External address ranges that can reach the CDE, with the policies responsible.
    pub external_into_cde: Vec<Explanation>,
    /// External address ranges the CDE can reach.
    pub cde_to_external: Vec<Explanation>,
}

fn declared(labels: &Labels, annotations: &Labels, key: &str) -> Option<String> {
    labels
        .get(key)
        .or_else(|| annotations.get(key))
        .map(|v| v.to_ascii_lowercase())
}

/// The reason a workload is in the CDE, if it is.
#[must_use]
pub fn cde_reason(cluster: &Cluster, workload: &Workload) -> Option<String> {
    if declared(&workload.labels, &workload.annotations, SCOPE_KEY).as_deref() == Some("cde") {
        return Some(format!(
            "declared `{SCOPE_KEY}: cde` at {}",
            workload.location()
        ));
    }
    if let Some(ns) = cluster.namespaces.get(&workload.namespace)
        && declared(&ns.labels, &ns.annotations, SCOPE_KEY).as_deref() == Some("cde")
    {
        return Some(format!(
            "namespace `{}` declared `{SCOPE_KEY}: cde`{}",
            ns.name,
            ns.declared_at
                .as_deref()
                .map(|at| format!(" at {at}"))
                .unwrap_or_default()
        ));
    }
    if declared(&workload.labels, &workload.annotations, DATA_STORE_KEY).as_deref() == Some("true")
    {
        return Some(format!(
            "declared card data store (`{DATA_STORE_KEY}`) at {}",
            workload.location()
        ));
    }
    cluster
        .secrets
        .iter()
        .filter(|s| s.namespace == workload.namespace && workload.secrets.contains(&s.name))
        .find(|s| declared(&s.labels, &s.annotations, SCOPE_KEY).as_deref() == Some("cde"))
        .map(|s| format!("uses Secret `{}` declared `{SCOPE_KEY}: cde`", s.name))
}

/// Whether the workload or its namespace is declared `connected`.
fn declared_connected(cluster: &Cluster, workload: &Workload) -> Option<String> {
    let is_connected = |v: Option<String>| v.as_deref() == Some("connected");
    if is_connected(declared(&workload.labels, &workload.annotations, SCOPE_KEY)) {
        return Some(format!(
            "declared `{SCOPE_KEY}: connected` at {}",
            workload.location()
        ));
    }
    let ns = cluster.namespaces.get(&workload.namespace)?;
    is_connected(declared(&ns.labels, &ns.annotations, SCOPE_KEY))
        .then(|| format!("namespace `{}` declared `{SCOPE_KEY}: connected`", ns.name))
}

/// The classes holding a CDE workload.
#[must_use]
pub fn cde_classes(analysis: &Analysis<'_>) -> BTreeSet<usize> {
    analysis
        .cluster
        .workloads
        .iter()
        .enumerate()
        .filter(|(_, w)| cde_reason(analysis.cluster, w).is_some())
        .map(|(i, _)| analysis.class_of[i])
        .collect()
}

/// Classifies every workload (probe pods excluded).
#[must_use]
pub fn classify(analysis: &Analysis<'_>) -> ScopeReport {
    let cluster = analysis.cluster;
    let cde = cde_classes(analysis);
    // Allowed edges touching the CDE, per non-CDE endpoint.
    let mut touching: BTreeMap<Endpoint, Vec<(Endpoint, Endpoint)>> = BTreeMap::new();
    analysis.for_each_edge(|s, d, _| {
        let s_cde = matches!(s, Endpoint::Class(c) if cde.contains(&c));
        let d_cde = matches!(d, Endpoint::Class(c) if cde.contains(&c));
        if d_cde && !s_cde {
            touching.entry(s).or_default().push((s, d));
        } else if s_cde && !d_cde {
            touching.entry(d).or_default().push((s, d));
        }
    });
    let cde_namespaces: BTreeSet<&str> = cde
        .iter()
        .map(|&c| analysis.classes[c].namespace.as_str())
        .collect();
    let explain_pair = |s: Endpoint, d: Endpoint| {
        explain(
            analysis,
            analysis.endpoint_name(s),
            analysis.endpoint_name(d),
            &analysis.verdict(s, d),
        )
    };
    let mut workloads = Vec::new();
    for (wi, workload) in cluster.workloads.iter().enumerate() {
        if workload.kind == "Probe" {
            continue;
        }
        let class = analysis.class_of[wi];
        let mut reasons = Vec::new();
        let mut paths = Vec::new();
        let scope = if let Some(reason) = cde_reason(cluster, workload) {
            reasons.push(reason);
            Scope::Cde
        } else {
            for &(s, d) in touching
                .get(&Endpoint::Class(class))
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                let explanation = explain_pair(s, d);
                reasons.push(format!(
                    "network path {} => {} : {}",
                    explanation.from, explanation.to, explanation.connections
                ));
                paths.push(explanation);
            }
            for binding in &cluster.bindings {
                let bound = binding
                    .service_accounts
                    .iter()
                    .any(|(ns, sa)| *ns == workload.namespace && *sa == workload.service_account);
                let over_cde = binding
                    .namespace
                    .as_deref()
                    .is_none_or(|ns| cde_namespaces.contains(ns));
                if bound && over_cde {
                    reasons.push(format!(
                        "administers the CDE: service account `{}` bound to role `{}` by {} `{}` at {}:{}",
                        workload.service_account, binding.role, binding.kind, binding.name, binding.path, binding.line
                    ));
                }
            }
            if let Some(reason) = declared_connected(cluster, workload) {
                reasons.push(reason);
            }
            if reasons.is_empty() {
                reasons.push(
                    "no allowed connection to or from any CDE workload, no administrative access"
                        .to_owned(),
                );
                Scope::OutOfScope
            } else {
                Scope::ConnectedTo
            }
        };
        workloads.push(Classified {
            workload: workload.display(),
            location: workload.location(),
            scope,
            reasons,
            paths,
        });
    }
    let mut external_into_cde = Vec::new();
    let mut cde_to_external = Vec::new();
    for (endpoint, pairs) in &touching {
        if let Endpoint::Ip(_) = endpoint {
            for &(s, d) in pairs {
                let explanation = explain_pair(s, d);
                if matches!(s, Endpoint::Ip(_)) {
                    external_into_cde.push(explanation);
                } else {
                    cde_to_external.push(explanation);
                }
            }
        }
    }
    ScopeReport {
        workloads,
        external_into_cde,
        cde_to_external,
    }
}
