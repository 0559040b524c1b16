//! Istio mutual TLS as it applies to a workload: sidecar injection and the effective
//! PeerAuthentication mode, per port.
//!
//! What: a workload has a sidecar when its namespace is labelled `istio-injection:
//! enabled` (or `istio.io/rev`) and the pod is not annotated/labelled
//! `sidecar.istio.io/inject: "false"`, or the pod opts in with `"true"`. The effective
//! mode is Istio's precedence: a PeerAuthentication in the workload's namespace whose
//! `selector` matches it, then one without selector in its namespace, then the mesh-wide
//! one in the root namespace (`istio-system`), else PERMISSIVE; `UNSET` inherits from the
//! next level; `portLevelMtls` (workload-level policies only) overrides per port.
//!
//! Why: PCI DSS 4.2.1 requires strong cryptography for cardholder data in transit; inside
//! a cluster that is mTLS enforced (STRICT) on every port of every CDE workload.
//! PERMISSIVE or DISABLE, or no sidecar, accepts plaintext.
//!
//! Example: namespace `payments` injected, `PeerAuthentication {name: default, namespace:
//! istio-system, spec: {mtls: {mode: STRICT}}}` plus one selecting `app: legacy` with
//! `portLevelMtls: {8080: {mode: PERMISSIVE}}`: every payments workload is STRICT except
//! `legacy` on port 8080.
//!
//! Fix: inject the sidecar and apply a STRICT PeerAuthentication to the CDE namespaces.

use std::collections::BTreeMap;

use serde::Serialize;

use cdeguard_model::{K8sObject, Node};

use crate::cluster::{Cluster, Workload};
use crate::selector::{Labels, Selector};

/// The namespace whose selector-less PeerAuthentication applies mesh-wide.
pub const ROOT_NAMESPACE: &str = "istio-system";

/// A PeerAuthentication as read.
#[derive(Clone, Debug)]
pub struct PeerAuthentication {
    pub name: String,
    pub namespace: String,
    /// `None`: namespace- or mesh-wide.
    pub selector: Option<Selector>,
    /// `STRICT`, `PERMISSIVE`, `DISABLE`; `None` for `UNSET` or absent.
    pub mode: Option<String>,
    pub port_modes: BTreeMap<u16, String>,
    pub location: String,
}

/// An Istio workload selector (`{matchLabels: ...}`); `None` when empty (the policy
/// applies to the whole namespace).
pub(crate) fn istio_selector(selector: &Node) -> Option<Selector> {
    let node = selector.get("matchLabels")?;
    let labels: Labels = node
        .entries()
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), v.scalar_text()?)))
        .collect();
    (!labels.is_empty()).then(|| Selector::from_labels(labels))
}

/// Reads a PeerAuthentication object.
pub fn parse_peer_authentication(
    object: &K8sObject,
    path: &str,
) -> Result<PeerAuthentication, (u32, String)> {
    let spec = object.body.get("spec").unwrap_or(Node::null());
    let selector = spec.get("selector").and_then(istio_selector);
    let mode_of = |node: Option<&Node>| -> Result<Option<String>, (u32, String)> {
        match node.and_then(|n| n.get("mode")) {
            None => Ok(None),
            Some(m) => match m.as_str() {
                Some("UNSET") => Ok(None),
                Some(mode @ ("STRICT" | "PERMISSIVE" | "DISABLE")) => Ok(Some(mode.to_owned())),
                _ => Err((
                    m.line,
                    "mTLS `mode` must be UNSET, DISABLE, PERMISSIVE or STRICT".to_owned(),
                )),
            },
        }
    };
    let mut port_modes = BTreeMap::new();
    for (port, setting) in spec
        .get("portLevelMtls")
        .map(Node::entries)
        .unwrap_or_default()
    {
        let number: u16 = port.parse().ok().filter(|p| *p >= 1).ok_or_else(|| {
            (
                setting.line,
                format!("portLevelMtls key `{port}` is not a port number"),
            )
        })?;
        if let Some(mode) = mode_of(Some(setting))? {
            port_modes.insert(number, mode);
        }
    }
    Ok(PeerAuthentication {
        name: object.name.clone(),
        namespace: object.namespace_or_default().to_owned(),
        selector,
        mode: mode_of(spec.get("mtls"))?,
        port_modes,
        location: format!("{path}:{}", object.loc.line),
    })
}

/// The mTLS status of one workload.
#[derive(Clone, Debug, Serialize)]
pub struct MtlsStatus {
    pub workload: String,
    pub sidecar: bool,
    /// Effective mode for ports without a port-level override.
    pub mode: String,
    /// Which policy decided (`ns/name (file:line)`), or the default.
    pub decided_by: String,
    /// Port-level modes that differ from `mode`.
    pub port_modes: BTreeMap<u16, String>,
    /// Whether every port only accepts mTLS.
    pub enforced: bool,
}

impl MtlsStatus {
    /// `STRICT, port 8080: DISABLE (ns/name (file:line))`.
    #[must_use]
    pub fn describe(&self) -> String {
        let ports: String = self
            .port_modes
            .iter()
            .map(|(port, mode)| format!(", port {port}: {mode}"))
            .collect();
        format!("{}{ports} ({})", self.mode, self.decided_by)
    }
}

/// Whether the workload's pods get an Istio sidecar.
#[must_use]
pub fn injection_enabled(cluster: &Cluster, workload: &Workload) -> bool {
    let opt = workload
        .annotations
        .get("sidecar.istio.io/inject")
        .or_else(|| workload.labels.get("sidecar.istio.io/inject"))
        .map(String::as_str);
    let namespace_on = cluster
        .namespaces
        .get(&workload.namespace)
        .is_some_and(|ns| {
            ns.labels.get("istio-injection").map(String::as_str) == Some("enabled")
                || ns.labels.contains_key("istio.io/rev")
        });
    match opt {
        Some("false") => false,
        Some("true") => true,
        _ => namespace_on,
    }
}

/// The effective mTLS of a workload under `policies`.
#[must_use]
pub fn mtls_status(
    cluster: &Cluster,
    policies: &[PeerAuthentication],
    workload: &Workload,
) -> MtlsStatus {
    let sidecar = injection_enabled(cluster, workload);
    let workload_level = policies
        .iter()
        .filter(|p| p.namespace == workload.namespace)
        .find(|p| {
            p.selector
                .as_ref()
                .is_some_and(|s| s.matches(&workload.labels))
        });
    let namespace_level = policies
        .iter()
        .find(|p| p.namespace == workload.namespace && p.selector.is_none());
    let mesh_level = policies
        .iter()
        .find(|p| p.namespace == ROOT_NAMESPACE && p.selector.is_none());
    let (mode, decided_by) = [workload_level, namespace_level, mesh_level]
        .into_iter()
        .flatten()
        .find_map(|p| {
            Some((
                p.mode.clone()?,
                format!("{}/{} ({})", p.namespace, p.name, p.location),
            ))
        })
        .unwrap_or_else(|| {
            (
                "PERMISSIVE".to_owned(),
                "Istio default (no PeerAuthentication)".to_owned(),
            )
        });
    let port_modes: BTreeMap<u16, String> = workload_level
        .map(|p| {
            p.port_modes
                .iter()
                .filter(|(_, m)| **m != mode)
                .map(|(k, m)| (*k, m.clone()))
                .collect()
        })
        .unwrap_or_default();
    let enforced = sidecar && mode == "STRICT" && port_modes.values().all(|m| m == "STRICT");
    MtlsStatus {
        workload: workload.display(),
        sidecar,
        mode: if sidecar {
            mode
        } else {
            "NONE (no sidecar)".to_owned()
        },
        decided_by,
        port_modes,
        enforced,
    }
}
