//! Least-privilege Istio AuthorizationPolicies from observed flows.
//!
//! What: for every workload that received TCP flows (the sidecar intercepts TCP only), one
//! ALLOW policy whose `selector` is the workload's minimal label selector (as for the
//! NetworkPolicies of [`crate::generate`]) and whose rules allow exactly the observed
//! (source, port, request) combinations; plus an `allow-nothing` policy (`spec: {}`) in
//! every namespace the flows involve, the mesh counterpart of `default-deny`. A source is
//! named by what the destination's sidecar can verify:
//! - a workload whose connection is Istio mTLS (as [`crate::mesh_verdict`] computes it
//!   from sidecars, PeerAuthentication, DestinationRules and Services; a client sidecar
//!   when the destination has none yet) by its principal `cluster.local/ns/NS/sa/SA`;
//! - an address outside the cluster by `ipBlocks: [ADDRESS/32]` (`/128`);
//! - a workload that reaches the destination in plaintext has no identity, and its pod
//!   address is not in the manifests: `notPrincipals: ["*"]` (requests without a peer
//!   identity), narrowed to that workload by the generated NetworkPolicies.
//!
//! Ports are `to.operation.ports`; when a (source, destination, port) has flows carrying
//! HTTP requests (Hubble `l7.http`, `http` of a cdeguard record), its operations also
//! name the `methods` and `paths` seen. Sources with the same operations share one rule;
//! paths seen with the same method on the same ports share one operation (every
//! combination a rule allows was observed). Policies in the root namespace
//! (`istio-system`) apply mesh-wide, so its workloads get none. Output is sorted: the same
//! flows give the same policies byte for byte.
//!
//! Why: PCI DSS 1.2.1, 1.3.1 and 7.2.1: in a mesh the destination's sidecar enforces who
//! (by verified identity, not address) may call what; observed traffic is the evidence of
//! what is necessary. Fed back into the engine with the generated NetworkPolicies, they
//! allow exactly the observed flows (`tests/generate.rs`).
//!
//! Example: `storefront -> payments/checkout TCP/8443`, both injected, STRICT:
//! `{selector: {matchLabels: {app: checkout}}, action: ALLOW, rules: [{from: [{source:
//! {principals: [cluster.local/ns/storefront/sa/storefront]}}], to: [{operation: {ports:
//! ["8443"]}}]}]}`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::net::IpAddr;

use crate::authorization::TRUST_DOMAIN;
use crate::cluster::Cluster;
use crate::generate::{
    Flow, FlowEndpoint, involved_namespaces, labels_yaml, minimal_selector, quote, workload_stem,
};
use crate::mesh::{ROOT_NAMESPACE, injection_enabled};
use crate::mesh_verdict::{Client, Mesh, Transport};
use crate::ports::{Conns, PortRanges, Protocol};

/// A source as the destination's sidecar identifies it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Source {
    Principal(String),
    Address(IpAddr),
    /// A workload reaching the destination in plaintext: no identity.
    WithoutIdentity,
}

/// An operation: ports, and the method and paths when the flows carried HTTP requests.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Operation {
    ports: BTreeSet<u16>,
    /// `None`: any request on these ports.
    http: Option<(String, BTreeSet<String>)>,
}

fn source_of(cluster: &Cluster, mesh: &Mesh<'_>, flow: &Flow, destination: usize) -> Source {
    let source = match &flow.source {
        FlowEndpoint::Ip(ip) => return Source::Address(*ip),
        FlowEndpoint::Workload(w) => *w,
    };
    let mtls = if mesh.mtls[destination].sidecar {
        let conns = Conns::of(Protocol::Tcp, PortRanges::range(flow.port, flow.port));
        mesh.verdicts(Client::Workload(source), destination, &conns)
            .first()
            .is_some_and(|v| v.transport == Transport::Mtls)
    } else {
        // Not enforced yet: once the destination is injected, auto mTLS gives clients
        // with a sidecar their identity.
        injection_enabled(cluster, &cluster.workloads[source])
    };
    if mtls {
        let workload = &cluster.workloads[source];
        Source::Principal(format!(
            "{TRUST_DOMAIN}/ns/{}/sa/{}",
            workload.namespace, workload.service_account
        ))
    } else {
        Source::WithoutIdentity
    }
}

/// The operations of one source: plain ports, then per method the paths seen on the same
/// ports. A port with any HTTP request observed is restricted to the requests observed.
fn operations(requests: &BTreeMap<u16, BTreeSet<(String, String)>>) -> Vec<Operation> {
    let any_request: BTreeSet<u16> = requests
        .iter()
        .filter(|(_, seen)| seen.is_empty())
        .map(|(&port, _)| port)
        .collect();
    let mut ports_of: BTreeMap<(&str, &str), BTreeSet<u16>> = BTreeMap::new();
    for (&port, seen) in requests {
        for (method, path) in seen {
            ports_of
                .entry((method.as_str(), path.as_str()))
                .or_default()
                .insert(port);
        }
    }
    let mut paths_of: BTreeMap<(&str, BTreeSet<u16>), BTreeSet<String>> = BTreeMap::new();
    for ((method, path), ports) in ports_of {
        paths_of
            .entry((method, ports))
            .or_default()
            .insert(path.to_owned());
    }
    let mut out = Vec::new();
    if !any_request.is_empty() {
        out.push(Operation {
            ports: any_request,
            http: None,
        });
    }
    out.extend(
        paths_of
            .into_iter()
            .map(|((method, ports), paths)| Operation {
                ports,
                http: Some((method.to_owned(), paths)),
            }),
    );
    out
}

fn strings_yaml<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    let quoted: Vec<String> = values.into_iter().map(quote).collect();
    format!("[{}]", quoted.join(", "))
}

fn sources_yaml(sources: &BTreeSet<Source>) -> String {
    let mut principals = Vec::new();
    let mut blocks = Vec::new();
    let mut without_identity = false;
    for source in sources {
        match source {
            Source::Principal(p) => principals.push(p.clone()),
            Source::Address(ip) => {
                blocks.push(format!("{ip}/{}", if ip.is_ipv4() { 32 } else { 128 }));
            }
            Source::WithoutIdentity => without_identity = true,
        }
    }
    let mut entries = Vec::new();
    if !principals.is_empty() {
        entries.push(format!(
            "{{source: {{principals: {}}}}}",
            strings_yaml(principals.iter().map(String::as_str))
        ));
    }
    if !blocks.is_empty() {
        entries.push(format!(
            "{{source: {{ipBlocks: {}}}}}",
            strings_yaml(blocks.iter().map(String::as_str))
        ));
    }
    if without_identity {
        entries.push("{source: {notPrincipals: [\"*\"]}}".to_owned());
    }
    format!("[{}]", entries.join(", "))
}

fn operations_yaml(operations: &[Operation]) -> String {
    let entries: Vec<String> = operations
        .iter()
        .map(|operation| {
            let ports: Vec<String> = operation.ports.iter().map(u16::to_string).collect();
            let mut fields = vec![format!(
                "ports: {}",
                strings_yaml(ports.iter().map(String::as_str))
            )];
            if let Some((method, paths)) = &operation.http {
                if !method.is_empty() {
                    fields.push(format!("methods: {}", strings_yaml([method.as_str()])));
                }
                fields.push(format!(
                    "paths: {}",
                    strings_yaml(paths.iter().map(String::as_str))
                ));
            }
            format!("{{operation: {{{}}}}}", fields.join(", "))
        })
        .collect();
    format!("[{}]", entries.join(", "))
}

/// Writes the AuthorizationPolicies for `flows` as a multi-document YAML stream.
#[must_use]
pub fn authorization_policies_yaml(cluster: &Cluster, flows: &[Flow]) -> String {
    let mesh = Mesh::new(cluster);
    // destination -> source -> port -> requests seen (empty: plain TCP)
    type Seen = BTreeMap<Source, BTreeMap<u16, BTreeSet<(String, String)>>>;
    let mut per_destination: BTreeMap<usize, Seen> = BTreeMap::new();
    for flow in flows.iter().filter(|f| f.protocol == Protocol::Tcp) {
        let FlowEndpoint::Workload(d) = flow.destination else {
            continue;
        };
        if cluster.workloads[d].namespace == ROOT_NAMESPACE {
            continue;
        }
        let requests = per_destination
            .entry(d)
            .or_default()
            .entry(source_of(cluster, &mesh, flow, d))
            .or_default()
            .entry(flow.port)
            .or_default();
        if let Some(http) = &flow.http {
            requests.insert((http.method.clone(), http.path.clone()));
        }
    }
    let mut out = String::from(
        "# Generated by `cdeguard netpol generate` from observed flows: Istio allows nothing, then exactly the flows seen.\n",
    );
    for ns in involved_namespaces(cluster, flows) {
        if ns == ROOT_NAMESPACE {
            continue; // a selector-less policy there would apply to the whole mesh
        }
        let _ = write!(
            out,
            "---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {{name: allow-nothing, namespace: {}}}\nspec: {{}}\n",
            quote(ns)
        );
    }
    let mut documents: BTreeMap<(String, String), String> = BTreeMap::new();
    for (d, sources) in per_destination {
        let workload = &cluster.workloads[d];
        let mut rules: BTreeMap<Vec<Operation>, BTreeSet<Source>> = BTreeMap::new();
        for (source, requests) in sources {
            rules
                .entry(operations(&requests))
                .or_default()
                .insert(source);
        }
        let name = workload_stem(cluster, d);
        let mut doc = format!(
            "---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {{name: {}, namespace: {}}}\nspec:\n  selector: {{matchLabels: {}}}\n  action: ALLOW\n  rules:\n",
            quote(&name),
            quote(&workload.namespace),
            labels_yaml(&minimal_selector(cluster, d))
        );
        for (operations, sources) in rules {
            let _ = write!(
                doc,
                "    - from: {}\n      to: {}\n",
                sources_yaml(&sources),
                operations_yaml(&operations)
            );
        }
        documents.insert((workload.namespace.clone(), name), doc);
    }
    for doc in documents.into_values() {
        out.push_str(&doc);
    }
    out
}
