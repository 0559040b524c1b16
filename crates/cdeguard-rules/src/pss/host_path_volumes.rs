//! ## What it checks
//! Pod Security Standards **baseline**, control "HostPath Volumes": no `spec.volumes[*].hostPath`.
//!
//! ## Why it matters
//! A hostPath volume exposes the node's file system: the container runtime socket, kubelet
//! credentials, other pods' data and the node's logs (which PCI DSS 10.3.2 requires to be
//! protected). PCI DSS 2.2.6, 10.3.2, 11.5.2; CIS Kubernetes v1.12 5.2.11.
//!
//! ## Failing example
//! ```yaml
//! volumes:
//!   - name: docker
//!     hostPath: {path: /var/run/docker.sock}
//! ```
//!
//! ## Passing example
//! ```yaml
//! volumes:
//!   - name: cache
//!     emptyDir: {}
//! ```
//!
//! ## How to fix
//! Use emptyDir, a PersistentVolumeClaim, a ConfigMap/Secret or a CSI driver instead.

use cdeguard_model::{Cis, InputFormat, Inventory, Node, Severity};
use cdeguard_model::node::FieldPath;

use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-005",
    name: "host-path-volume",
    title: "Pod mounts a hostPath volume",
    severity: Severity::High,
    sets: &[RuleSet::PssBaseline, RuleSet::CisKubernetes],
    pci: &["2.2.6", "10.3.2", "11.5.2"],
    cis: &[Cis::k8s("5.2.11")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Replace hostPath volumes with emptyDir, PersistentVolumeClaims, ConfigMaps, Secrets or CSI volumes.",
    source: include_str!("host_path_volumes.rs"),
    check,
};

/// Host paths whose exposure hands over the node.
const CRITICAL_PATHS: &[&str] = &["/", "/etc", "/var/run/docker.sock", "/run/containerd/containerd.sock", "/var/run/crio/crio.sock", "/var/lib/kubelet", "/proc", "/sys", "/root", "/var/log"];

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        let volumes = pod.spec.get("volumes").map(Node::items).unwrap_or_default();
        for (i, volume) in volumes.iter().enumerate() {
            let Some(host_path) = volume.get("hostPath").filter(|n| !n.is_null()) else { continue };
            let path = host_path.get("path").and_then(Node::as_str).unwrap_or_default();
            let evidence = format!("{}.hostPath.path = {path}", FieldPath::new(pod.spec_path).key("volumes").index(i));
            let message = format!("volume `{}` mounts host path `{path}`", volume.get("name").and_then(Node::as_str).unwrap_or_default());
            let resource = out.k8s_resource(object, host_path.line, None);
            let severity = if CRITICAL_PATHS.contains(&path.trim_end_matches('/')) || path == "/" { Severity::Critical } else { RULE.severity };
            out.emit_with_severity(severity, resource, message, evidence);
        }
    }
}
