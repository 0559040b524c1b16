//! ## What it checks
//! Pod Security Standards, baseline, **HostPath Volumes** (upstream check
//! `hostPathVolumes`, policy v1.0, current in v1.37): no entry of `spec.volumes` may
//! have a `hostPath` source (null counts as unset). Findings on the container runtime
//! socket, `/`, `/etc`, `/proc`, `/sys`, `/var/lib/kubelet` and similar node paths are
//! critical, other host paths high.
//!
//! At the restricted level this rule is replaced by `pss-restricted-volumes`
//! (CDG-PSS-013), which forbids `hostPath` along with every other non-ephemeral volume
//! type, as upstream does.
//!
//! ## Why it matters
//! A hostPath volume reads or writes the node's filesystem: the runtime socket gives the
//! node away, `/var/log` lets a workload tamper with audit logs (PCI DSS 10.3.2), system
//! folders let it change the node unnoticed (11.5.2). PCI DSS 2.2.6; CIS Kubernetes
//! v1.12 5.2.11.
//!
//! ## Failing example
//! ```yaml
//! volumes:
//! - name: docker
//!   hostPath:
//!     path: /var/run/docker.sock
//! ```
//!
//! ## Passing example
//! ```yaml
//! volumes:
//! - name: cache
//!   emptyDir: {}
//! ```
//!
//! ## How to fix
//! Replace the hostPath volume by an `emptyDir`, a `configMap`/`secret`, or a
//! PersistentVolumeClaim; node agents that need host files belong outside the CDE.

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::host_path_severity;
use crate::pod::{evidence, volumes};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-005",
    name: "pss-host-path-volumes",
    title: "hostPath volume (Pod Security baseline)",
    severity: Severity::High,
    sets: &[RuleSet::PssBaseline, RuleSet::CisKubernetes],
    pci: &["2.2.6", "10.3.2", "11.5.2"],
    cis: &[Cis::k8s("5.2.11")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Replace hostPath volumes by emptyDir, configMap, secret or PersistentVolumeClaim volumes.",
    source: include_str!("host_path_volumes.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        for (path, volume) in volumes(&pod) {
            let Some(host_path) = volume.get("hostPath").filter(|n| !n.is_null()) else {
                continue;
            };
            let name = super::text(volume.get("name"));
            let resource = out.k8s_resource(object, host_path.line, None);
            out.emit_with_severity(
                host_path_severity(host_path),
                resource,
                format!("volume {name:?} mounts a hostPath"),
                evidence(&path.key("hostPath"), host_path),
            );
        }
    }
}
