//! ## What it checks
//! Pod Security Standards **restricted**, control "Volume Types": every volume must be one of
//! configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim,
//! projected or secret. A volume with no source counts as emptyDir (the API server's
//! default), as upstream evaluates defaulted pods.
//!
//! ## Why it matters
//! Other volume types reach outside the pod's storage abstraction: host paths, network
//! file systems and block devices mounted with the node's credentials, often without
//! encryption in transit (PCI DSS 4.2.1) or access control that maps to the workload.
//! PCI DSS 2.2.6.
//!
//! ## Failing example
//! ```yaml
//! volumes:
//!   - name: shared
//!     nfs: {server: 10.0.0.5, path: /exports/cards}
//! ```
//!
//! ## Passing example
//! ```yaml
//! volumes:
//!   - name: data
//!     persistentVolumeClaim: {claimName: data}
//! ```
//!
//! ## How to fix
//! Use a PersistentVolumeClaim (the storage class decides the backend) or a CSI volume.

use cdeguard_model::node::FieldPath;
use cdeguard_model::{InputFormat, Inventory, Node, Severity};

use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-013",
    name: "restricted-volume-type",
    title: "Volume type not allowed at restricted level",
    severity: Severity::Medium,
    sets: &[RuleSet::PssRestricted],
    pci: &["2.2.6"],
    cis: &[],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Replace the volume with a PersistentVolumeClaim, CSI, ephemeral, emptyDir, configMap, secret, projected, downwardAPI or image volume.",
    source: include_str!("restricted_volumes.rs"),
    check,
};

const ALLOWED: &[&str] = &["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim", "projected", "secret"];

/// Volume sources of the Kubernetes API that restricted pods may not use.
const RESTRICTED: &[&str] = &[
    "hostPath", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi", "glusterfs", "rbd", "flexVolume",
    "cinder", "cephfs", "flocker", "fc", "azureFile", "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk",
    "portworxVolume", "scaleIO", "storageos",
];

fn set(volume: &Node, key: &str) -> bool {
    volume.get(key).is_some_and(|n| !n.is_null())
}

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        let volumes = pod.spec.get("volumes").map(Node::items).unwrap_or_default();
        for (i, volume) in volumes.iter().enumerate() {
            if ALLOWED.iter().any(|k| set(volume, k)) {
                continue;
            }
            let bad: Vec<&str> = RESTRICTED.iter().copied().filter(|k| set(volume, k)).collect();
            if bad.is_empty() {
                continue; // no source: defaulted to emptyDir
            }
            let name = volume.get("name").and_then(Node::as_str).unwrap_or_default();
            out.k8s(object, volume.line, None, format!("volume `{name}` uses restricted type {}", bad.join(", ")), format!("{} is {}", FieldPath::new(pod.spec_path).key("volumes").index(i), bad.join(", ")));
        }
    }
}
