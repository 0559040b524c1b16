//! Least-privilege NetworkPolicies from observed flows.
//!
//! What: reads flows (Cilium Hubble `hubble observe -o json` lines, or cdeguard's own
//! NDJSON records), maps each endpoint to a workload of the manifests (by name or by
//! labels) or to an address, and writes a `default-deny` per namespace involved plus, per
//! workload, one ingress and one egress policy whose rules allow exactly the observed
//! (peer, protocol, port) triples. Selectors are the smallest set of the workload's labels
//! that selects exactly its pods in its namespace (first in sorted order), addresses
//! become `/32` or `/128` blocks. Output order is sorted, so the same flows give the same
//! policies byte for byte.
//!
//! Why: PCI DSS 1.2.1 and 1.3.1/1.3.2 ask that only necessary traffic be allowed;
//! observed traffic is the best evidence of what is necessary.
//!
//! cdeguard NDJSON flow record, one per line (`#` lines and blank lines ignored):
//! `{"src": {"namespace": "shop", "pod": "checkout"}, "dst": {"namespace": "pay",
//! "labels": {"app": "api"}}, "protocol": "TCP", "port": 8443}`; an endpoint is
//! `{"namespace", "pod"}` (a workload name, or a pod whose owner is that workload),
//! `{"namespace", "labels"}` (the workload whose pod labels are contained in these), or
//! `{"ip": "203.0.113.9"}`; `protocol` defaults to TCP; an optional `"http": {"method":
//! "POST", "path": "/v1/charges"}` is the request the flow carried (query string dropped).
//!
//! Hubble: `flow.source`/`flow.destination` (`namespace`, `labels` as `k8s:key=value`),
//! `flow.IP.source`/`destination` for endpoints outside the cluster, `flow.l4.TCP|UDP|SCTP
//! .destination_port`; only `FORWARDED` flows that are not replies count, and of L7 flows
//! only requests (`l7.type: REQUEST`), whose `l7.http` method and URL path are kept. The
//! NetworkPolicies ignore the requests; the AuthorizationPolicies of
//! [`crate::generate_authorization`] name them.
//!
//! Fed back into the engine together with the manifests, the policies allow exactly the
//! observed flows between the workloads involved (test `tests/generate.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::net::IpAddr;

use crate::cluster::{Cluster, NAMESPACE_NAME_LABEL};
use crate::ports::Protocol;
use crate::selector::Labels;

/// One side of a flow after resolution.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FlowEndpoint {
    /// Index into `Cluster::workloads`.
    Workload(usize),
    Ip(IpAddr),
}

/// An HTTP request seen on a flow (Hubble `l7.http`, or `http` of a cdeguard record).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct HttpRequest {
    /// Empty when the flow does not say.
    pub method: String,
    /// The URL path, without query string or fragment.
    pub path: String,
}

/// An observed connection.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Flow {
    pub source: FlowEndpoint,
    pub destination: FlowEndpoint,
    pub protocol: Protocol,
    pub port: u16,
    /// The request, when the flow carries L7 information.
    pub http: Option<HttpRequest>,
}

/// Parses flow lines (Hubble JSON or cdeguard NDJSON, detected per line). Errors name
/// the line.
pub fn parse_flows(cluster: &Cluster, text: &str) -> Result<Vec<Flow>, String> {
    let mut flows = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line_no = index + 1;
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let value: serde_json::Value =
            serde_json::from_str(trimmed).map_err(|e| format!("line {line_no}: not JSON: {e}"))?;
        let parsed = if value.get("src").is_some() {
            parse_record(cluster, &value).map(Some)
        } else {
            parse_hubble(cluster, value.get("flow").unwrap_or(&value))
        };
        match parsed {
            Ok(Some(flow)) => flows.push(flow),
            Ok(None) => {}
            Err(e) => return Err(format!("line {line_no}: {e}")),
        }
    }
    flows.sort();
    flows.dedup();
    Ok(flows)
}

fn parse_record(cluster: &Cluster, value: &serde_json::Value) -> Result<Flow, String> {
    let endpoint = |key: &str| -> Result<FlowEndpoint, String> {
        let node = value.get(key).ok_or_else(|| format!("missing `{key}`"))?;
        if let Some(ip) = node.get("ip").and_then(serde_json::Value::as_str) {
            return ip
                .parse()
                .map(FlowEndpoint::Ip)
                .map_err(|_| format!("`{key}.ip` `{ip}` is not an IP address"));
        }
        let namespace = node
            .get("namespace")
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| format!("`{key}` needs `ip`, or `namespace` with `pod` or `labels`"))?;
        if let Some(pod) = node.get("pod").and_then(serde_json::Value::as_str) {
            return find_by_name(cluster, namespace, pod).ok_or_else(|| {
                format!("`{key}`: no workload `{namespace}/{pod}` in the manifests")
            });
        }
        let labels = string_map(node.get("labels"));
        find_by_labels(cluster, namespace, &labels)
            .ok_or_else(|| format!("`{key}`: no workload in `{namespace}` with labels {labels:?}"))
    };
    let protocol = match value.get("protocol").and_then(serde_json::Value::as_str) {
        None => Protocol::Tcp,
        Some(p) => {
            Protocol::parse(p).ok_or_else(|| format!("protocol `{p}` is not TCP, UDP or SCTP"))?
        }
    };
    let port = value
        .get("port")
        .and_then(serde_json::Value::as_u64)
        .and_then(|p| u16::try_from(p).ok())
        .filter(|p| *p >= 1)
        .ok_or("`port` must be a number in 1..=65535")?;
    let http = match value.get("http") {
        None => None,
        Some(http) => {
            let field = |key: &str| http.get(key).and_then(serde_json::Value::as_str);
            let path = field("path").ok_or("`http` needs a `path` string")?;
            if !path.starts_with('/') {
                return Err(format!("`http.path` `{path}` does not start with `/`"));
            }
            Some(HttpRequest {
                method: field("method").unwrap_or_default().to_owned(),
                path: url_path(path).to_owned(),
            })
        }
    };
    Ok(Flow {
        source: endpoint("src")?,
        destination: endpoint("dst")?,
        protocol,
        port,
        http,
    })
}

/// The path of a URL or request target: scheme and authority, query string and fragment
/// removed (what Istio's `paths` are matched against).
fn url_path(url: &str) -> &str {
    let after_authority = match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => url,
    };
    let end = after_authority
        .find(['?', '#'])
        .unwrap_or(after_authority.len());
    &after_authority[..end]
}

fn parse_hubble(cluster: &Cluster, flow: &serde_json::Value) -> Result<Option<Flow>, String> {
    let verdict = flow.get("verdict").and_then(serde_json::Value::as_str);
    let is_reply = flow.get("is_reply").and_then(serde_json::Value::as_bool) == Some(true);
    let l7 = flow.get("l7");
    let is_response = l7
        .and_then(|l| l.get("type"))
        .and_then(serde_json::Value::as_str)
        .is_some_and(|t| t != "REQUEST");
    if verdict != Some("FORWARDED") || is_reply || is_response {
        return Ok(None);
    }
    let http = l7
        .and_then(|l| l.get("http"))
        .map(|http| {
            let field = |key: &str| {
                http.get(key)
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default()
            };
            HttpRequest {
                method: field("method").to_owned(),
                path: url_path(field("url")).to_owned(),
            }
        })
        .filter(|request| !request.path.is_empty());
    let Some(l4) = flow.get("l4") else {
        return Ok(None); // ICMP and other protocols: no port to allow
    };
    let (protocol, port) = [
        ("TCP", Protocol::Tcp),
        ("UDP", Protocol::Udp),
        ("SCTP", Protocol::Sctp),
    ]
    .into_iter()
    .find_map(|(key, protocol)| {
        let port = l4.get(key)?.get("destination_port")?.as_u64()?;
        Some((protocol, u16::try_from(port).ok()?))
    })
    .ok_or("`l4` has no TCP, UDP or SCTP destination_port")?;
    let endpoint = |side: &str, ip_key: &str| -> Result<FlowEndpoint, String> {
        let node = flow.get(side).cloned().unwrap_or_default();
        let namespace = node
            .get("namespace")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("");
        if !namespace.is_empty() {
            let labels: Labels = node
                .get("labels")
                .and_then(serde_json::Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .filter_map(serde_json::Value::as_str)
                .filter_map(|l| l.strip_prefix("k8s:"))
                .filter_map(|l| l.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            return find_by_labels(cluster, namespace, &labels).ok_or_else(|| {
                format!("`{side}`: no workload in `{namespace}` matches the flow's labels")
            });
        }
        let ip = flow
            .get("IP")
            .and_then(|i| i.get(ip_key))
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| format!("`{side}` has neither a namespace nor `IP.{ip_key}`"))?;
        ip.parse()
            .map(FlowEndpoint::Ip)
            .map_err(|_| format!("`IP.{ip_key}` `{ip}` is not an IP address"))
    };
    Ok(Some(Flow {
        source: endpoint("source", "source")?,
        destination: endpoint("destination", "destination")?,
        protocol,
        port,
        http,
    }))
}

fn string_map(value: Option<&serde_json::Value>) -> Labels {
    value
        .and_then(serde_json::Value::as_object)
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

fn find_by_name(cluster: &Cluster, namespace: &str, name: &str) -> Option<FlowEndpoint> {
    cluster
        .workloads
        .iter()
        .position(|w| {
            w.namespace == namespace
                && (w.name == name || w.owner.as_ref().is_some_and(|(_, owner)| owner == name))
        })
        .map(FlowEndpoint::Workload)
}

/// The workload whose pod labels are all present (with equal values) in `labels`; the one
/// with the most labels when several fit.
fn find_by_labels(cluster: &Cluster, namespace: &str, labels: &Labels) -> Option<FlowEndpoint> {
    cluster
        .workloads
        .iter()
        .enumerate()
        .filter(|(_, w)| {
            w.namespace == namespace
                && !w.labels.is_empty()
                && w.labels.iter().all(|(k, v)| labels.get(k) == Some(v))
        })
        .max_by_key(|(i, w)| (w.labels.len(), std::cmp::Reverse(*i)))
        .map(|(i, _)| FlowEndpoint::Workload(i))
}

/// The smallest subset of the workload's labels (first in sorted order) selecting exactly
/// the workloads of its namespace that have the same labels.
pub(crate) fn minimal_selector(cluster: &Cluster, workload: usize) -> Labels {
    let target = &cluster.workloads[workload];
    let peers: Vec<&Labels> = cluster
        .workloads
        .iter()
        .filter(|w| w.namespace == target.namespace)
        .map(|w| &w.labels)
        .collect();
    let keys: Vec<&String> = target.labels.keys().collect();
    let selects_exactly = |subset: &Labels| {
        peers.iter().all(|labels| {
            let selected = subset.iter().all(|(k, v)| labels.get(k) == Some(v));
            selected == (*labels == &target.labels)
        })
    };
    for size in 1..=keys.len() {
        let mut combination: Vec<usize> = (0..size).collect();
        loop {
            let subset: Labels = combination
                .iter()
                .map(|&i| (keys[i].clone(), target.labels[keys[i]].clone()))
                .collect();
            if selects_exactly(&subset) {
                return subset;
            }
            // Next combination in lexicographic order.
            let Some(pos) = (0..size)
                .rev()
                .find(|&i| combination[i] < keys.len() - size + i)
            else {
                break;
            };
            combination[pos] += 1;
            for i in pos + 1..size {
                combination[i] = combination[i - 1] + 1;
            }
        }
    }
    target.labels.clone()
}

pub(crate) fn quote(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}

pub(crate) fn labels_yaml(labels: &Labels) -> String {
    let pairs: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{}: {}", quote(k), quote(v)))
        .collect();
    format!("{{{}}}", pairs.join(", "))
}

/// A rule peer as YAML flow mapping, seen from a policy in `policy_namespace`.
fn peer_yaml(cluster: &Cluster, endpoint: &FlowEndpoint, policy_namespace: &str) -> String {
    match endpoint {
        FlowEndpoint::Ip(ip) => {
            let prefix = if ip.is_ipv4() { 32 } else { 128 };
            format!(
                "{{ipBlock: {{cidr: {}}}}}",
                quote(&format!("{ip}/{prefix}"))
            )
        }
        FlowEndpoint::Workload(w) => {
            let workload = &cluster.workloads[*w];
            let pods = labels_yaml(&minimal_selector(cluster, *w));
            if workload.namespace == policy_namespace {
                format!("{{podSelector: {{matchLabels: {pods}}}}}")
            } else {
                let ns: Labels =
                    [(NAMESPACE_NAME_LABEL.to_owned(), workload.namespace.clone())].into();
                format!(
                    "{{namespaceSelector: {{matchLabels: {}}}, podSelector: {{matchLabels: {pods}}}}}",
                    labels_yaml(&ns)
                )
            }
        }
    }
}

/// The namespaces of the workloads on either side of the flows.
pub(crate) fn involved_namespaces<'c>(cluster: &'c Cluster, flows: &[Flow]) -> BTreeSet<&'c str> {
    flows
        .iter()
        .flat_map(|f| [&f.source, &f.destination])
        .filter_map(|e| match e {
            FlowEndpoint::Workload(w) => Some(cluster.workloads[*w].namespace.as_str()),
            FlowEndpoint::Ip(_) => None,
        })
        .collect()
}

/// `name-kind`: the stem of the generated policies' names for a workload.
pub(crate) fn workload_stem(cluster: &Cluster, workload: usize) -> String {
    let workload = &cluster.workloads[workload];
    format!("{}-{}", workload.name, workload.kind.to_ascii_lowercase())
}

/// Writes the policies for `flows` as a multi-document YAML stream.
#[must_use]
pub fn policies_yaml(cluster: &Cluster, flows: &[Flow]) -> String {
    // (workload, direction) -> peer -> ports
    type Rules = BTreeMap<FlowEndpoint, BTreeSet<(Protocol, u16)>>;
    let mut ingress: BTreeMap<usize, Rules> = BTreeMap::new();
    let mut egress: BTreeMap<usize, Rules> = BTreeMap::new();
    for flow in flows {
        if let FlowEndpoint::Workload(d) = flow.destination {
            ingress
                .entry(d)
                .or_default()
                .entry(flow.source.clone())
                .or_default()
                .insert((flow.protocol, flow.port));
        }
        if let FlowEndpoint::Workload(s) = flow.source {
            egress
                .entry(s)
                .or_default()
                .entry(flow.destination.clone())
                .or_default()
                .insert((flow.protocol, flow.port));
        }
    }
    let mut out = String::new();
    out.push_str("# Generated by `cdeguard netpol generate` from observed flows: default deny, then exactly the flows seen.\n");
    for ns in &involved_namespaces(cluster, flows) {
        let _ = write!(
            out,
            "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: default-deny, namespace: {}}}\nspec:\n  podSelector: {{}}\n  policyTypes: [Ingress, Egress]\n",
            quote(ns)
        );
    }
    let mut documents: BTreeMap<(String, String), String> = BTreeMap::new();
    for (direction, per_workload) in [("Ingress", &ingress), ("Egress", &egress)] {
        for (&w, rules) in per_workload {
            let workload = &cluster.workloads[w];
            let (list_key, peer_key) = if direction == "Ingress" {
                ("ingress", "from")
            } else {
                ("egress", "to")
            };
            let name = format!("{}-{list_key}", workload_stem(cluster, w));
            let mut doc = format!(
                "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: {}, namespace: {}}}\nspec:\n  podSelector: {{matchLabels: {}}}\n  policyTypes: [{direction}]\n  {list_key}:\n",
                quote(&name),
                quote(&workload.namespace),
                labels_yaml(&minimal_selector(cluster, w))
            );
            for (peer, ports) in rules {
                let ports: Vec<String> = ports
                    .iter()
                    .map(|(protocol, port)| {
                        format!("{{protocol: {}, port: {port}}}", protocol.name())
                    })
                    .collect();
                let _ = write!(
                    doc,
                    "    - {peer_key}: [{}]\n      ports: [{}]\n",
                    peer_yaml(cluster, peer, &workload.namespace),
                    ports.join(", ")
                );
            }
            documents.insert((workload.namespace.clone(), name), doc);
        }
    }
    for doc in documents.into_values() {
        out.push_str(&doc);
    }
    out
}
