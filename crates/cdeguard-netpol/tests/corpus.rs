//! Reachability against third-party expected results (see `tests/data/README.md`):
//! the ahmetb recipes' "Try it out" probes, IBM network-config-analyzer's connectivity
//! maps and cyclonus' probe truth tables.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cdeguard_collect::Target;
use cdeguard_collect::yaml::{Limits, parse_stream};
use cdeguard_model::Node;
use cdeguard_netpol::engine::{Endpoint, HostNetwork, Options};
use cdeguard_netpol::ipset::{Family, IpRange};
use cdeguard_netpol::ports::Protocol;
use cdeguard_netpol::selector::Labels;
use cdeguard_netpol::{Analysis, Cluster, load};

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path)
}

fn load_files(paths: &[PathBuf]) -> Cluster {
    let targets: Vec<Target> = paths.iter().map(|p| Target::Path(p.clone())).collect();
    let cluster = load(&targets);
    assert!(
        cluster.errors.is_empty(),
        "input errors: {:?}",
        cluster.errors
    );
    cluster
}

fn labels_of(node: &Node) -> Labels {
    node.entries()
        .iter()
        .map(|(k, v)| (k.clone(), v.scalar_text().expect("label value")))
        .collect()
}

/// Adds a probe endpoint described as `{namespace, labels}`, `{ip}` or a pod name.
fn endpoint_spec(cluster: &mut Cluster, node: &Node, pods: &[(String, usize)]) -> EndpointSpec {
    if let Some(name) = node.as_str() {
        let (_, index) = pods.iter().find(|(n, _)| n == name).expect("named pod");
        return EndpointSpec::Pod(*index);
    }
    if let Some(ip) = node.get("ip").and_then(Node::as_str) {
        return EndpointSpec::Ip(IpRange::address(ip.parse().expect("ip")));
    }
    let namespace = node
        .get("namespace")
        .and_then(Node::as_str)
        .expect("namespace");
    let labels = labels_of(node.get("labels").unwrap_or(Node::null()));
    EndpointSpec::Pod(cluster.add_probe_pod(namespace, labels, "probe"))
}

enum EndpointSpec {
    Pod(usize),
    Ip(IpRange),
}

fn resolve(analysis: &Analysis<'_>, spec: &EndpointSpec, as_source: bool) -> Endpoint {
    match spec {
        EndpointSpec::Pod(w) => analysis.endpoint_of(*w),
        EndpointSpec::Ip(range) => Endpoint::Ip(analysis.atom_of(*range, as_source)),
    }
}

/// Runs one recipe (or one variant of it) and returns the number of probes checked.
fn run_recipe(
    dir: &Path,
    policies: &[Node],
    pods_node: &[Node],
    namespaces: &[Node],
    probes: &[Node],
    id: &str,
) -> usize {
    let files: Vec<PathBuf> = policies
        .iter()
        .map(|p| dir.join(p.as_str().expect("policy file")))
        .collect();
    let mut cluster = load_files(&files);
    for ns in namespaces {
        cluster.namespace_entry(ns.as_str().expect("namespace"));
    }
    let mut pods = Vec::new();
    for pod in pods_node {
        let name = pod.get("name").and_then(Node::as_str).expect("pod name");
        let namespace = pod
            .get("namespace")
            .and_then(Node::as_str)
            .expect("pod namespace");
        let index = cluster.add_probe_pod(
            namespace,
            labels_of(pod.get("labels").unwrap_or(Node::null())),
            name,
        );
        pods.push((name.to_owned(), index));
    }
    let mut cases = Vec::new();
    for probe in probes {
        let from = endpoint_spec(&mut cluster, probe.get("from").expect("from"), &pods);
        let to = endpoint_spec(&mut cluster, probe.get("to").expect("to"), &pods);
        let port =
            u16::try_from(probe.get("port").and_then(Node::as_i64).expect("port")).expect("port");
        let protocol = probe
            .get("protocol")
            .and_then(Node::as_str)
            .map_or(Protocol::Tcp, |p| Protocol::parse(p).expect("protocol"));
        let allowed = probe.get("verdict").and_then(Node::as_str) == Some("allowed");
        cases.push((from, to, port, protocol, allowed, probe.line));
    }
    let analysis = Analysis::new(&cluster, Options::default());
    for (from, to, port, protocol, allowed, line) in &cases {
        let verdict = analysis.verdict(
            resolve(&analysis, from, true),
            resolve(&analysis, to, false),
        );
        assert_eq!(
            verdict.conns.contains(*protocol, *port),
            *allowed,
            "{id}: probe at expected.yaml:{line} ({protocol:?}/{port}) computed {}",
            verdict.conns
        );
    }
    cases.len()
}

#[test]
fn ahmetb_recipes_match_every_probe() {
    let text = std::fs::read_to_string(data("recipes/expected.yaml")).expect("expected.yaml");
    let (docs, error) = parse_stream(&text, Limits::default());
    assert!(error.is_none());
    let root = &docs[0].root;
    let mut probes = 0;
    let mut recipes = 0;
    for recipe in root.get("recipes").expect("recipes").items() {
        let id = recipe.get("id").and_then(Node::as_str).expect("id");
        let dir = data("recipes").join(id);
        let pods = recipe.get("pods").map(Node::items).unwrap_or_default();
        let namespaces = recipe
            .get("namespaces")
            .map(Node::items)
            .unwrap_or_default();
        let variants: Vec<&Node> = match recipe.get("variants") {
            Some(v) => v.items().iter().collect(),
            None => vec![recipe],
        };
        for variant in variants {
            let policies = variant.get("policies").map(Node::items).unwrap_or_default();
            let checks = variant.get("probes").map(Node::items).unwrap_or_default();
            probes += run_recipe(&dir, policies, pods, namespaces, checks, id);
        }
        recipes += 1;
    }
    assert_eq!(recipes, 8);
    assert_eq!(probes, 18, "every transcribed probe ran");
}

#[test]
fn recipe_03_default_deny_blocks_every_pod_of_the_namespace() {
    // expected.yaml has no probes for recipe 03, only its stated semantics: "podSelector {}
    // selects all pods in namespace default; no ingress rules => all ingress dropped".
    let mut cluster = load_files(&[data(
        "recipes/03-deny-all-non-whitelisted-traffic-in-the-namespace/policy-1-default-deny-all.yaml",
    )]);
    let target = cluster.add_probe_pod("default", [("app".into(), "x".into())].into(), "t");
    let same_ns = cluster.add_probe_pod("default", Labels::new(), "a");
    let other_ns = cluster.add_probe_pod("other", Labels::new(), "b");
    let other_target = cluster.add_probe_pod("other", [("app".into(), "x".into())].into(), "c");
    let analysis = Analysis::new(&cluster, Options::default());
    let e = |w| analysis.endpoint_of(w);
    assert!(analysis.verdict(e(same_ns), e(target)).conns.is_empty());
    assert!(analysis.verdict(e(other_ns), e(target)).conns.is_empty());
    assert!(
        analysis.verdict(e(target), e(other_target)).conns.is_all(),
        "egress and other namespaces untouched"
    );
}

/// The NCA `txt_no_fw_rules` lines of our matrix: workloads as `ns/name[Kind]`, IPv4
/// ranges, self-connections of a workload left out (NCA prints none).
fn nca_lines(analysis: &Analysis<'_>) -> BTreeSet<String> {
    let names = |endpoint: Endpoint| -> Vec<String> {
        match endpoint {
            Endpoint::Ip(range) => vec![range.to_string()],
            Endpoint::Class(c) => {
                let mut n: Vec<String> = analysis.classes[c]
                    .members
                    .iter()
                    .map(|&w| analysis.cluster.workloads[w].display())
                    .collect();
                n.sort();
                n.dedup();
                n
            }
        }
    };
    let mut lines = BTreeSet::new();
    analysis.for_each_edge(|s, d, conns| {
        let v6 = |e: Endpoint| matches!(e, Endpoint::Ip(r) if r.family == Family::V6);
        if v6(s) || v6(d) {
            return;
        }
        for from in names(s) {
            for to in names(d) {
                if from != to {
                    lines.insert(format!("{from} => {to} : {conns}"));
                }
            }
        }
    });
    lines
}

fn expected_lines(path: &str) -> BTreeSet<String> {
    std::fs::read_to_string(data(path))
        .expect("expected output")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

fn assert_same(ours: &BTreeSet<String>, expected: &BTreeSet<String>) {
    let missing: Vec<&String> = expected.difference(ours).collect();
    let extra: Vec<&String> = ours.difference(expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing (NCA has, we do not): {missing:#?}\nextra (we have, NCA does not): {extra:#?}"
    );
}

#[test]
fn nca_online_boutique_connectivity_map_matches_exactly() {
    let cluster = load_files(&[
        data("nca/onlineboutique/kubernetes-manifests.yaml"),
        data("nca/onlineboutique/netpols.yaml"),
        data("nca/onlineboutique/ns.yaml"),
        data("nca/livesim-kube-dns.yaml"),
    ]);
    let analysis = Analysis::new(&cluster, Options::default());
    let expected = expected_lines("nca/onlineboutique/expected.txt");
    assert_eq!(expected.len(), 25);
    assert_same(&nca_lines(&analysis), &expected);
}

#[test]
fn nca_ipblock_connectivity_map_matches_exactly() {
    // NCA applies policies to host-network pods like to any pod; so does this run.
    let cluster = load_files(&[
        data("nca/ipblockstest/netpols.yaml"),
        data("nca/ipblockstest/ns.yaml"),
        data("nca/ipblockstest/pods.yaml"),
    ]);
    let options = Options {
        host_network: HostNetwork::LikePods,
    };
    let analysis = Analysis::new(&cluster, options);
    let expected = expected_lines("nca/ipblockstest/expected.txt");
    assert_eq!(expected.len(), 470);
    assert_same(&nca_lines(&analysis), &expected);
}

/// The cells of the first `count` "Combined:" tables of a cyclonus probe output:
/// `(from, to) -> allowed`, one map per table.
fn cyclonus_tables(text: &str, count: usize) -> Vec<Vec<(String, String, bool)>> {
    let mut tables = Vec::new();
    let mut lines = text.lines();
    while tables.len() < count {
        let Some(line) = lines.next() else { break };
        if line.trim() != "Combined:" {
            continue;
        }
        let mut header: Vec<String> = Vec::new();
        let mut cells = Vec::new();
        for row in lines.by_ref() {
            if row.trim().is_empty() {
                break;
            }
            if !row.starts_with('|') {
                continue;
            }
            let fields: Vec<&str> = row.trim_matches('|').split('|').map(str::trim).collect();
            if header.is_empty() {
                header = fields[1..].iter().map(|f| f.to_ascii_lowercase()).collect();
                continue;
            }
            for (to, mark) in header.iter().zip(&fields[1..]) {
                cells.push((fields[0].to_owned(), to.clone(), *mark == "."));
            }
        }
        tables.push(cells);
    }
    tables
}

#[test]
fn cyclonus_probe_truth_tables_match() {
    let policy_dir = data("cyclonus/policies");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&policy_dir)
        .expect("policies")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    let mut cluster = load_files(&files);
    let probe: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(data("cyclonus/probe.json")).expect("probe.json"),
    )
    .expect("json");
    let resources = &probe["Resources"];
    for (name, labels) in resources["Namespaces"].as_object().expect("namespaces") {
        let labels: Labels = labels
            .as_object()
            .expect("labels")
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().expect("label").to_owned()))
            .collect();
        cluster.namespace_entry(name).labels.extend(labels);
    }
    let mut pods = Vec::new();
    for pod in resources["Pods"].as_array().expect("pods") {
        let namespace = pod["Namespace"].as_str().expect("ns");
        let name = pod["Name"].as_str().expect("name");
        let labels: Labels = pod["Labels"]
            .as_object()
            .expect("labels")
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().expect("label").to_owned()))
            .collect();
        let index = cluster.add_probe_pod(namespace, labels, name);
        for container in pod["Containers"].as_array().expect("containers") {
            let port = u16::try_from(container["Port"].as_u64().expect("port")).expect("port");
            let protocol =
                Protocol::parse(container["Protocol"].as_str().expect("proto")).expect("protocol");
            cluster.workloads[index].named_ports.insert(
                container["PortName"].as_str().expect("name").to_owned(),
                (protocol, port),
            );
        }
        pods.push((format!("{namespace}/{name}"), index));
    }
    let analysis = Analysis::new(&cluster, Options::default());
    let text = std::fs::read_to_string(data("cyclonus/analyze-probe.txt")).expect("probe output");
    // The first two tables probe TCP 80 and 81 (ports the pods serve); the third probes
    // TCP 82, which no container serves, so cyclonus marks it "N" (no server) without
    // evaluating policies: nothing to compare.
    let tables = cyclonus_tables(&text, 2);
    let mut compared = 0;
    for (port, table) in [80u16, 81].into_iter().zip(&tables) {
        assert_eq!(table.len(), 81);
        for (from, to, allowed) in table {
            let endpoint = |name: &str| {
                let (_, w) = pods.iter().find(|(n, _)| n == name).expect("pod");
                analysis.endpoint_of(*w)
            };
            let verdict = analysis.verdict(endpoint(from), endpoint(to));
            assert_eq!(
                verdict.conns.contains(Protocol::Tcp, port),
                *allowed,
                "{from} -> {to} TCP/{port}"
            );
            compared += 1;
        }
    }
    assert_eq!(compared, 162);
}
