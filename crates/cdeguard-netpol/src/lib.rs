//! Exact Kubernetes NetworkPolicy reachability, PCI DSS scope and segmentation tests.
//!
//! `cluster` reads workloads, namespaces, policies, services, secrets and RBAC bindings
//! from an `Inventory` (`cdeguard-collect`); `engine` computes which connections the
//! policies allow between equivalence classes of pods and external address atoms, with
//! the policies responsible; `matrix` renders the full matrix (text, JSON, DOT); `scope`
//! classifies workloads as CDE, connected-to/security-impacting or out of scope (PCI DSS
//! 12.5.2); `segmentation` is the PCI DSS 11.4.5 segmentation test; `generate` writes
//! least-privilege NetworkPolicies from observed flows and `generate_authorization` the
//! Istio AuthorizationPolicies that go with them; `mesh` computes Istio mTLS per workload;
//! `destination_rule` and `authorization` read the other Istio policies and `mesh_verdict`
//! layers transport and authorization on top of a NetworkPolicy verdict; `redundancy`
//! finds redundant NetworkPolicy rules and AuthorizationPolicy ALLOW rules a DENY shadows.

pub mod authorization;
pub mod cluster;
pub mod destination_rule;
pub mod engine;
pub mod generate;
pub mod generate_authorization;
pub mod graph;
pub mod ipset;
pub mod matrix;
pub mod mesh;
pub mod mesh_verdict;
pub mod policy;
pub mod ports;
pub mod redundancy;
pub mod scope;
pub mod segmentation;
pub mod selector;

pub use cluster::Cluster;
pub use engine::{Analysis, Endpoint, HostNetwork, Options, Verdict};

use cdeguard_collect::{CollectOptions, Target};
use cdeguard_model::InputError;

/// Reads manifests (files, folders, `-`) into a cluster. Reader errors and invalid
/// objects are returned in `Cluster::errors`; everything else is analysed.
#[must_use]
pub fn load(targets: &[Target]) -> Cluster {
    let inventory = cdeguard_collect::collect(targets, &CollectOptions::default());
    let mut cluster = Cluster::from_inventory(&inventory);
    let mut errors: Vec<InputError> = inventory.errors;
    errors.append(&mut cluster.errors);
    cluster.errors = errors;
    cluster
}
