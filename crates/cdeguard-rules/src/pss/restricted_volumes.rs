//! ## What it checks
//! Pod Security Standards, restricted, **Volume Types** (upstream check
//! `restrictedVolumes`, policy v1.0, current in v1.37): every entry of `spec.volumes` must
//! use one of the volume types `configMap`, `csi`, `downwardAPI`, `emptyDir`, `ephemeral`,
//! `image`, `persistentVolumeClaim`, `projected` or `secret`. Any other source
//! (`hostPath`, `nfs`, `gitRepo`, `iscsi`, `rbd`, `cephfs`, `awsElasticBlockStore`,
//! `azureDisk`, `flexVolume`, ...) is forbidden. A volume without a source is allowed: the
//! API server defaults it to `emptyDir`. Null sources count as unset. This rule replaces
//! the baseline `pss-host-path-volumes` (CDG-PSS-005) at the restricted level; a hostPath
//! finding keeps that rule's severity.
//!
//! ## Why it matters
//! Inline volume sources bypass the storage classes and PersistentVolume reviews of the
//! cluster: they reach the node (`hostPath`), network storage with credentials in the pod
//! spec (`nfs`, `iscsi`, `rbd`), or run code on the node (`gitRepo`, `flexVolume`). CDE
//! data should live only on reviewed storage. PCI DSS 2.2.6, 3.5.1 (stored account data
//! protected).
//!
//! ## Failing example
//! ```yaml
//! volumes:
//! - name: shared
//!   nfs:
//!     server: nfs.example
//!     path: /exports/cardholder
//! ```
//!
//! ## Passing example
//! ```yaml
//! volumes:
//! - name: data
//!   persistentVolumeClaim:
//!     claimName: vault-data
//! ```
//!
//! ## How to fix
//! Move the storage behind a PersistentVolumeClaim (with a reviewed StorageClass or
//! PersistentVolume) or a CSI driver, and use `emptyDir`, `configMap`, `secret` or
//! `projected` volumes for everything else.

use cdeguard_model::{InputFormat, Inventory, Node, Severity};

use super::{host_path_severity, text};
use crate::pod::{evidence, volumes};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-013",
    name: "pss-restricted-volumes",
    title: "Volume type not allowed (Pod Security restricted)",
    severity: Severity::Medium,
    sets: &[RuleSet::PssRestricted],
    pci: &["2.2.6", "3.5.1"],
    cis: &[],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Use configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected or secret volumes only.",
    source: include_str!("restricted_volumes.rs"),
    check,
};

/// Volume sources the restricted level allows.
const ALLOWED: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/// Every other volume source of the Kubernetes API, in upstream's order.
const FORBIDDEN: &[&str] = &[
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
];

fn source<'a>(volume: &'a Node, kind: &str) -> Option<&'a Node> {
    volume.get(kind).filter(|n| !n.is_null())
}

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        for (path, volume) in volumes(&pod) {
            // As upstream: one allowed source admits the volume (the API rejects volumes
            // with several sources anyway).
            if ALLOWED.iter().any(|kind| source(volume, kind).is_some()) {
                continue;
            }
            let Some((kind, node)) = FORBIDDEN
                .iter()
                .find_map(|kind| source(volume, kind).map(|node| (*kind, node)))
            else {
                continue;
            };
            let severity = if kind == "hostPath" {
                host_path_severity(node)
            } else {
                RULE.severity
            };
            let resource = out.k8s_resource(object, node.line, None);
            out.emit_with_severity(
                severity,
                resource,
                format!(
                    "volume {:?} uses restricted volume type {kind:?}",
                    text(volume.get("name"))
                ),
                evidence(&path.key(kind), node),
            );
        }
    }
}
