//! Istio `DestinationRule` TLS settings: what a client sidecar sends to a Service.
//!
//! What: `spec.trafficPolicy.tls.mode` (DISABLE, SIMPLE, MUTUAL, ISTIO_MUTUAL) and
//! `portLevelSettings[].tls` (by Service port number) of the rule that applies to a
//! client calling a host. A short `host` (`reviews`) means the Service in the rule's
//! namespace; `*.ns.svc.cluster.local`, `*.local` and `*` are wildcards. A rule is
//! visible to the client's namespace when `exportTo` is absent or lists `*`, the
//! client's namespace, or `.` for its own namespace. Istio looks in the client's
//! namespace first, then in the Service's namespace, then in the root namespace
//! (`istio-system`, the mesh-wide default); within one namespace the most specific host
//! wins (exact, then the longest wildcard). A rule with `workloadSelector` applies only
//! to the clients it selects in its namespace. Without a rule (or TLS settings) the
//! client uses auto mTLS: Istio mTLS to a server with a sidecar unless the server's
//! PeerAuthentication for that port is DISABLE, plaintext otherwise.
//!
//! Why: PCI DSS 4.2.1 requires strong cryptography for cardholder data in transit. A
//! `tls: {mode: DISABLE}` rule makes clients send plaintext even where the server is
//! PERMISSIVE, and to a STRICT server the connection breaks.
//!
//! Example (failing): `DestinationRule {host: card-vault, trafficPolicy: {tls: {mode:
//! DISABLE}}}` in `payments`: every payments client sends plaintext to card-vault.
//! Passing: no rule (auto mTLS) or `mode: ISTIO_MUTUAL`.
//!
//! Fix: delete the DISABLE setting or set `ISTIO_MUTUAL`; keep `exportTo` narrow.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use cdeguard_model::{K8sObject, Node};

use crate::cluster::Workload;
use crate::mesh::{ROOT_NAMESPACE, istio_selector};
use crate::selector::Selector;

/// A client TLS mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TlsMode {
    Disable,
    Simple,
    Mutual,
    IstioMutual,
}

impl TlsMode {
    fn parse(text: &str) -> Option<TlsMode> {
        match text {
            "DISABLE" => Some(TlsMode::Disable),
            "SIMPLE" => Some(TlsMode::Simple),
            "MUTUAL" => Some(TlsMode::Mutual),
            "ISTIO_MUTUAL" => Some(TlsMode::IstioMutual),
            _ => None,
        }
    }
}

impl fmt::Display for TlsMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TlsMode::Disable => "DISABLE",
            TlsMode::Simple => "SIMPLE",
            TlsMode::Mutual => "MUTUAL",
            TlsMode::IstioMutual => "ISTIO_MUTUAL",
        })
    }
}

/// A DestinationRule as read.
#[derive(Clone, Debug)]
pub struct DestinationRule {
    pub name: String,
    pub namespace: String,
    /// The host, short names expanded to `name.namespace.svc.cluster.local`.
    pub host: String,
    /// `exportTo`; empty means everywhere.
    pub export_to: Vec<String>,
    pub workload_selector: Option<Selector>,
    pub mode: Option<TlsMode>,
    /// Service port to mode.
    pub port_modes: BTreeMap<u16, TlsMode>,
    pub location: String,
}

impl DestinationRule {
    /// `DestinationRule ns/name (file:line)`.
    #[must_use]
    pub fn reference(&self) -> String {
        format!(
            "DestinationRule {}/{} ({})",
            self.namespace, self.name, self.location
        )
    }

    fn visible_from(&self, namespace: &str) -> bool {
        self.export_to.is_empty()
            || self
                .export_to
                .iter()
                .any(|e| e == "*" || e == namespace || (e == "." && self.namespace == namespace))
    }

    /// How specific the host is: exact hosts first, then longer wildcards; `None` when the
    /// host does not match.
    fn specificity(&self, host: &str) -> Option<(bool, usize)> {
        if self.host == host {
            return Some((true, self.host.len()));
        }
        let suffix = self.host.strip_prefix('*')?;
        host.ends_with(suffix).then_some((false, suffix.len()))
    }

    /// The TLS mode for a Service port: its port-level setting, else the rule's.
    #[must_use]
    pub fn mode_for(&self, port: u16) -> Option<TlsMode> {
        self.port_modes.get(&port).copied().or(self.mode)
    }
}

fn tls_mode(tls: Option<&Node>) -> Result<Option<TlsMode>, (u32, String)> {
    match tls.and_then(|t| t.get("mode")) {
        None => Ok(None),
        Some(mode) => mode
            .as_str()
            .and_then(TlsMode::parse)
            .map(Some)
            .ok_or_else(|| {
                (
                    mode.line,
                    "tls `mode` must be DISABLE, SIMPLE, MUTUAL or ISTIO_MUTUAL".to_owned(),
                )
            }),
    }
}

/// Reads a DestinationRule object; an error carries the line and the reason.
pub fn parse_destination_rule(
    object: &K8sObject,
    path: &str,
) -> Result<DestinationRule, (u32, String)> {
    let spec = object.body.get("spec").unwrap_or(Node::null());
    let namespace = object.namespace_or_default().to_owned();
    let host = spec
        .get("host")
        .and_then(Node::as_str)
        .filter(|h| !h.is_empty())
        .ok_or_else(|| (spec.line, "`host` is required".to_owned()))?;
    let host = if host.contains('.') || host.starts_with('*') {
        host.to_owned()
    } else {
        format!("{host}.{namespace}.svc.cluster.local")
    };
    let policy = spec.get("trafficPolicy");
    let mut port_modes = BTreeMap::new();
    for setting in policy
        .and_then(|p| p.get("portLevelSettings"))
        .map(Node::items)
        .unwrap_or_default()
    {
        let number = setting
            .path(&["port", "number"])
            .and_then(Node::as_i64)
            .and_then(|n| u16::try_from(n).ok())
            .filter(|n| *n >= 1)
            .ok_or_else(|| {
                (
                    setting.line,
                    "portLevelSettings need `port.number` in 1..=65535".to_owned(),
                )
            })?;
        if let Some(mode) = tls_mode(setting.get("tls"))? {
            port_modes.insert(number, mode);
        }
    }
    let export_to = spec
        .get("exportTo")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::scalar_text)
        .collect();
    let workload_selector = spec.get("workloadSelector").and_then(istio_selector);
    Ok(DestinationRule {
        name: object.name.clone(),
        namespace,
        host,
        export_to,
        workload_selector,
        mode: tls_mode(policy.and_then(|p| p.get("tls")))?,
        port_modes,
        location: format!("{path}:{}", object.loc.line),
    })
}

/// The rule a client uses for `host` (Istio's lookup order), if any.
#[must_use]
pub fn rule_for<'r>(
    rules: &'r [DestinationRule],
    client: &Workload,
    host: &str,
    service_namespace: &str,
) -> Option<&'r DestinationRule> {
    let best_in = |namespace: &str| {
        rules
            .iter()
            .filter(|r| r.namespace == namespace && r.visible_from(&client.namespace))
            .filter(|r| match &r.workload_selector {
                None => true,
                Some(s) => r.namespace == client.namespace && s.matches(&client.labels),
            })
            .filter_map(|r| Some((r.specificity(host)?, r)))
            .max_by_key(|(specificity, _)| *specificity)
            .map(|(_, r)| r)
    };
    best_in(&client.namespace)
        .or_else(|| best_in(service_namespace))
        .or_else(|| best_in(ROOT_NAMESPACE))
}
