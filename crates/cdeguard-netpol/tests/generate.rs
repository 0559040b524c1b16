//! `generate`: policies from observed flows allow exactly those flows when fed back.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use cdeguard_collect::Target;
use cdeguard_netpol::engine::{Endpoint, Options};
use cdeguard_netpol::generate::{Flow, FlowEndpoint, parse_flows, policies_yaml};
use cdeguard_netpol::generate_authorization::authorization_policies_yaml;
use cdeguard_netpol::ipset::IpRange;
use cdeguard_netpol::mesh_verdict::{Client, Mesh, Transport, any_open};
use cdeguard_netpol::ports::{Conns, PortRanges, Protocol};
use cdeguard_netpol::{Analysis, Cluster, load};

fn example(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/netpol")
        .join(path)
}

fn manifests() -> Vec<Target> {
    ["segmented/namespaces.yaml", "segmented/workloads.yaml"]
        .iter()
        .map(|p| Target::Path(example(p)))
        .collect()
}

fn load_ok(targets: &[Target]) -> Cluster {
    let cluster = load(targets);
    assert!(cluster.errors.is_empty(), "{:?}", cluster.errors);
    cluster
}

fn generated(flows_file: &str) -> (Cluster, Vec<Flow>, String) {
    let cluster = load_ok(&manifests());
    let text = std::fs::read_to_string(example(flows_file)).expect("flows");
    let flows = parse_flows(&cluster, &text).expect("flows parse");
    let yaml = policies_yaml(&cluster, &flows);
    (cluster, flows, yaml)
}

fn endpoint_of(analysis: &Analysis<'_>, endpoint: &FlowEndpoint, as_source: bool) -> Endpoint {
    match endpoint {
        FlowEndpoint::Workload(w) => analysis.endpoint_of(*w),
        FlowEndpoint::Ip(ip) => Endpoint::Ip(analysis.atom_of(IpRange::address(*ip), as_source)),
    }
}

/// The connections the flows show per pair of endpoints, and the pod classes involved.
fn observed_edges(
    analysis: &Analysis<'_>,
    flows: &[Flow],
) -> (BTreeMap<(Endpoint, Endpoint), Conns>, BTreeSet<Endpoint>) {
    let mut expected: BTreeMap<(Endpoint, Endpoint), Conns> = BTreeMap::new();
    let mut involved: BTreeSet<Endpoint> = BTreeSet::new();
    for flow in flows {
        let (s, d) = (
            endpoint_of(analysis, &flow.source, true),
            endpoint_of(analysis, &flow.destination, false),
        );
        involved.extend(
            [s, d]
                .into_iter()
                .filter(|e| matches!(e, Endpoint::Class(_))),
        );
        let conns = Conns::of(flow.protocol, PortRanges::range(flow.port, flow.port));
        let entry = expected.entry((s, d)).or_default();
        *entry = entry.union(&conns);
    }
    (expected, involved)
}

#[test]
fn generated_policies_allow_exactly_the_observed_flows() {
    let (_, flows, yaml) = generated("flows/observed.ndjson");
    assert_eq!(flows.len(), 8);
    let dir = tempfile::tempdir().expect("tempdir");
    let policy_file = dir.path().join("generated.yaml");
    std::fs::write(&policy_file, &yaml).expect("write");
    let mut targets = manifests();
    targets.push(Target::Path(policy_file));
    // Same workload order as the first load: indexes in `flows` stay valid.
    let cluster = load_ok(&targets);
    assert_eq!(
        cluster.policies.len(),
        5 + 9,
        "5 default-deny, 9 workload policies"
    );
    let analysis = Analysis::new(&cluster, Options::default());

    let endpoint = |e: &FlowEndpoint, as_source: bool| endpoint_of(&analysis, e, as_source);
    let (expected, involved) = observed_edges(&analysis, &flows);
    let mut seen = BTreeSet::new();
    analysis.for_each_edge(|s, d, conns| {
        if !(involved.contains(&s) || involved.contains(&d)) {
            return; // neither side in the flows: not governed by the generated policies
        }
        let want = expected.get(&(s, d));
        assert_eq!(
            Some(conns),
            want,
            "{} => {} allows {conns}",
            analysis.endpoint_name(s),
            analysis.endpoint_name(d)
        );
        seen.insert((s, d));
    });
    let missing: Vec<_> = expected.keys().filter(|k| !seen.contains(*k)).collect();
    assert!(missing.is_empty(), "observed but not allowed: {missing:?}");
    let neighbour = endpoint(&FlowEndpoint::Ip("198.51.100.8".parse().expect("ip")), true);
    let from_outside = flows
        .iter()
        .find(|f| matches!(f.source, FlowEndpoint::Ip(_)))
        .expect("the flow from 198.51.100.7");
    let storefront = endpoint(&from_outside.destination, false);
    assert!(
        analysis.verdict(neighbour, storefront).conns.is_empty(),
        "only the observed address"
    );
}

#[test]
fn generation_is_deterministic_and_independent_of_flow_order() {
    let (cluster, _, yaml) = generated("flows/observed.ndjson");
    let text = std::fs::read_to_string(example("flows/observed.ndjson")).expect("flows");
    let mut lines: Vec<&str> = text.lines().collect();
    lines.reverse();
    let reversed = parse_flows(&cluster, &lines.join("\n")).expect("parse");
    assert_eq!(policies_yaml(&cluster, &reversed), yaml);
    assert!(
        yaml.contains("podSelector: {matchLabels: {\"app\": \"checkout\"}}"),
        "minimal selector"
    );
    assert!(yaml.contains("{ipBlock: {cidr: \"203.0.113.10/32\"}}"));
}

#[test]
fn hubble_flows_skip_replies_and_drops() {
    let (cluster, flows, yaml) = generated("flows/hubble.json");
    assert_eq!(flows.len(), 4, "{flows:?}");
    let name = |e: &FlowEndpoint| match e {
        FlowEndpoint::Workload(w) => cluster.workloads[*w].id(),
        FlowEndpoint::Ip(ip) => ip.to_string(),
    };
    let described: BTreeSet<String> = flows
        .iter()
        .map(|f| {
            format!(
                "{} -> {} {}/{}",
                name(&f.source),
                name(&f.destination),
                f.protocol.name(),
                f.port
            )
        })
        .collect();
    assert_eq!(
        described,
        [
            "payments/checkout -> payments/payment-api TCP/8443",
            "payments/payment-api -> 203.0.113.10 TCP/443",
            "payments/payment-api -> kube-system/coredns UDP/53",
            "storefront/storefront -> payments/checkout TCP/8443",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect()
    );
    assert!(!yaml.contains("blog"), "the dropped flow is not allowed");
}

#[test]
fn bad_flow_lines_are_rejected_with_their_line() {
    let cluster = load_ok(&manifests());
    let err = parse_flows(&cluster, "{\"src\": {\"ip\": \"10.0.0.1\"}, \"dst\": {\"namespace\": \"nope\", \"pod\": \"x\"}, \"port\": 80}")
        .unwrap_err();
    assert!(
        err.starts_with("line 1:") && err.contains("nope/x"),
        "{err}"
    );
    let err = parse_flows(
        &cluster,
        "\n{\"src\": {\"ip\": \"10.0.0.1\"}, \"dst\": {\"ip\": \"10.0.0.2\"}, \"port\": 0}",
    )
    .unwrap_err();
    assert!(err.starts_with("line 2:"), "{err}");
    assert!(
        parse_flows(&cluster, "not json")
            .unwrap_err()
            .starts_with("line 1: not JSON")
    );
}

fn oracles() -> PathBuf {
    std::env::var_os("CDEGUARD_ORACLES").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.oracles"),
        PathBuf::from,
    )
}

/// Validates every document of a YAML stream against a JSON schema of `tests/data/`;
/// returns how many were checked. Panics, naming the document, on the first invalid one.
fn assert_valid(schema: &str, yaml: &str, what: &str) -> usize {
    let (documents, error) =
        cdeguard_collect::yaml::parse_stream(yaml, cdeguard_collect::yaml::Limits::default());
    assert!(error.is_none(), "{error:?}");
    let dir = tempfile::tempdir().expect("tempdir");
    for (i, document) in documents.iter().enumerate() {
        let path = dir.path().join(format!("document-{i}.json"));
        std::fs::write(&path, document.root.to_json().to_string()).expect("write");
        let out = validate(schema, &path);
        assert!(
            out.status.success(),
            "{what} document {i} is invalid:\n{}{}\n{yaml}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    documents.len()
}

/// Runs `.ci/validate-json-schema.py` on one JSON document.
fn validate(schema: &str, document: &Path) -> std::process::Output {
    let python = oracles().join("venv/bin/python");
    assert!(
        python.exists(),
        "{} missing: run `.ci/setup` to install Python jsonschema",
        python.display()
    );
    let schema = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(schema);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.ci/validate-json-schema.py");
    std::process::Command::new(&python)
        .arg(&script)
        .arg(&schema)
        .arg(document)
        .output()
        .expect("python runs")
}

/// The schema rejects a misspelt field (the check is not vacuous).
fn assert_rejected(schema: &str, json: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, json).expect("write");
    assert!(
        !validate(schema, &bad).status.success(),
        "a misspelt field must be rejected: {json}"
    );
}

const NETWORK_POLICY_SCHEMA: &str = "k8s-schema/networkpolicy-networking-v1.json";
const AUTHORIZATION_POLICY_SCHEMA: &str = "istio-schema/authorizationpolicy-security-v1.json";

/// The Kubernetes v1.37 OpenAPI (JSON schema, strict) accepts every generated policy:
/// what `kubectl apply --dry-run=client` checks of their shape.
#[test]
fn generated_policies_are_valid_against_the_kubernetes_schema() {
    let mut checked = 0;
    for flows in ["flows/observed.ndjson", "flows/hubble.json"] {
        let (_, _, yaml) = generated(flows);
        checked += assert_valid(NETWORK_POLICY_SCHEMA, &yaml, flows);
    }
    assert!(checked >= 4, "only {checked} policies generated");
    assert_rejected(
        NETWORK_POLICY_SCHEMA,
        r#"{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"x"},"spec":{"podSelector":{},"ingress":[{"ports":[{"port":80,"protocl":"TCP"}]}]}}"#,
    );
}

fn mesh_data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/generate-mesh")
        .join(path)
}

/// The segmented example's namespaces and workloads with `generate-mesh/mesh.yaml`
/// (STRICT mesh-wide, PERMISSIVE storefront), plus extra files.
fn mesh_targets(extra: &[&Path]) -> Vec<Target> {
    let mut targets = manifests();
    targets.push(Target::Path(mesh_data("mesh.yaml")));
    targets.extend(extra.iter().map(|p| Target::Path(p.to_path_buf())));
    targets
}

/// NetworkPolicies and AuthorizationPolicies generated from `generate-mesh/flows.ndjson`.
fn generated_with_mesh() -> (Vec<Flow>, String, String) {
    let cluster = load_ok(&mesh_targets(&[]));
    let text = std::fs::read_to_string(mesh_data("flows.ndjson")).expect("flows");
    let flows = parse_flows(&cluster, &text).expect("flows parse");
    let network = policies_yaml(&cluster, &flows);
    let authorization = authorization_policies_yaml(&cluster, &flows);
    (flows, network, authorization)
}

/// Whether the mesh leaves TCP `port` open from `source` to `destination`.
fn mesh_open(
    analysis: &Analysis<'_>,
    mesh: &Mesh<'_>,
    source: Endpoint,
    destination: Endpoint,
    port: u16,
) -> bool {
    let conns = Conns::of(Protocol::Tcp, PortRanges::range(port, port));
    let verdicts = mesh.endpoint_verdicts(analysis, source, destination, &conns);
    // Towards an address outside the cluster no sidecar decides.
    verdicts.is_empty() || any_open(&verdicts)
}

/// Generated NetworkPolicies and AuthorizationPolicies fed back together: for every pair
/// of endpoints involving a workload of the flows, the connections both layers leave
/// open are exactly the observed ones.
#[test]
fn generated_authorization_and_network_policies_allow_exactly_the_observed_flows() {
    let (flows, network, authorization) = generated_with_mesh();
    assert!(flows.iter().any(|f| f.http.is_some()), "L7 flows read");
    let dir = tempfile::tempdir().expect("tempdir");
    let (np, ap) = (dir.path().join("np.yaml"), dir.path().join("ap.yaml"));
    std::fs::write(&np, &network).expect("write");
    std::fs::write(&ap, &authorization).expect("write");
    let cluster = load_ok(&mesh_targets(&[&np, &ap]));
    assert_eq!(
        cluster.authorization_policies.len(),
        6 + 5,
        "6 allow-nothing, 5 destinations with TCP flows:\n{authorization}"
    );
    let analysis = Analysis::new(&cluster, Options::default());
    let mesh = Mesh::new(&cluster);
    let (expected, involved) = observed_edges(&analysis, &flows);
    let mut open_edges: BTreeMap<(Endpoint, Endpoint), Conns> = BTreeMap::new();
    let mut checked_ports = 0;
    analysis.for_each_edge(|s, d, conns| {
        if !(involved.contains(&s) || involved.contains(&d)) {
            return;
        }
        let mut open = Conns::none();
        for protocol in [Protocol::Udp, Protocol::Sctp] {
            open = open.union(&Conns::of(protocol, conns.ports(protocol).clone()));
        }
        let tcp = conns.ports(Protocol::Tcp);
        assert!(tcp.ranges().len() <= 8 && !tcp.is_all(), "{conns}");
        for &(first, last) in tcp.ranges() {
            for port in first..=last {
                checked_ports += 1;
                if mesh_open(&analysis, &mesh, s, d, port) {
                    open = open.union(&Conns::of(Protocol::Tcp, PortRanges::range(port, port)));
                }
            }
        }
        if !open.is_empty() {
            open_edges.insert((s, d), open);
        }
    });
    assert!(checked_ports >= 6, "{checked_ports}");
    let name = |(s, d): &(Endpoint, Endpoint)| {
        format!(
            "{} => {}",
            analysis.endpoint_name(*s),
            analysis.endpoint_name(*d)
        )
    };
    let describe = |edges: &BTreeMap<(Endpoint, Endpoint), Conns>| -> Vec<String> {
        edges
            .iter()
            .map(|(k, c)| format!("{}: {c}", name(k)))
            .collect()
    };
    assert_eq!(describe(&open_edges), describe(&expected));
}

/// The AuthorizationPolicies alone (no NetworkPolicy restricts L4): every client with an
/// mTLS identity reaches exactly the ports it was observed on, and only the observed
/// external address passes the `ipBlocks` rule. (The unmeshed blog's flow is left out:
/// a client without identity gets a `notPrincipals: ["*"]` rule that admits any
/// plaintext client on that port, which only the NetworkPolicies narrow.)
#[test]
fn generated_authorization_policies_alone_admit_only_observed_identities() {
    let (mut flows, _, _) = generated_with_mesh();
    let first = load_ok(&mesh_targets(&[]));
    flows.retain(|f| match f.source {
        FlowEndpoint::Workload(w) => first.workloads[w].name != "blog",
        FlowEndpoint::Ip(_) => true,
    });
    let authorization = authorization_policies_yaml(&first, &flows);
    assert!(!authorization.contains("notPrincipals"), "{authorization}");
    let dir = tempfile::tempdir().expect("tempdir");
    let ap = dir.path().join("ap.yaml");
    std::fs::write(&ap, &authorization).expect("write");
    let cluster = load_ok(&mesh_targets(&[&ap]));
    let mesh = Mesh::new(&cluster);
    let observed: BTreeSet<(FlowEndpoint, usize, u16)> = flows
        .iter()
        .filter(|f| f.protocol == Protocol::Tcp)
        .filter_map(|f| match f.destination {
            FlowEndpoint::Workload(d) => Some((f.source.clone(), d, f.port)),
            FlowEndpoint::Ip(_) => None,
        })
        .collect();
    let mut ports: BTreeSet<u16> = observed.iter().map(|&(_, _, p)| p).collect();
    for workload in &cluster.workloads {
        ports.extend(workload.named_ports.values().map(|&(_, n)| n));
    }
    let (mut mtls_pairs, mut open) = (0, 0);
    for (s, client) in cluster.workloads.iter().enumerate() {
        for (d, server) in cluster.workloads.iter().enumerate() {
            if s == d || !mesh.mtls[d].sidecar || !mesh.mtls[s].sidecar {
                continue;
            }
            for &port in &ports {
                let conns = Conns::of(Protocol::Tcp, PortRanges::range(port, port));
                let verdicts = mesh.verdicts(Client::Workload(s), d, &conns);
                if verdicts[0].transport != Transport::Mtls {
                    continue;
                }
                mtls_pairs += 1;
                open += usize::from(any_open(&verdicts));
                assert_eq!(
                    any_open(&verdicts),
                    observed.contains(&(FlowEndpoint::Workload(s), d, port)),
                    "{} -> {} TCP/{port}: {}",
                    client.id(),
                    server.id(),
                    verdicts[0]
                );
            }
        }
    }
    assert!(mtls_pairs >= 20, "{mtls_pairs}");
    assert_eq!(open, 4, "the four observed mTLS flows");
    let storefront = cluster
        .workloads
        .iter()
        .position(|w| w.name == "storefront")
        .expect("storefront");
    // One address at a time (without NetworkPolicies all addresses are one atom).
    let from = |ip: &str| {
        let address = IpRange::address(ip.parse().expect("ip"));
        let conns = Conns::of(Protocol::Tcp, PortRanges::range(8080, 8080));
        any_open(&mesh.verdicts(Client::Address(address), storefront, &conns))
    };
    assert!(from("198.51.100.7"), "the observed address");
    assert!(!from("198.51.100.8"), "a neighbouring address");
}

#[test]
fn generated_authorization_policies_name_principals_addresses_and_requests() {
    let (_, _, authorization) = generated_with_mesh();
    for expected in [
        "principals: [\"cluster.local/ns/storefront/sa/storefront\"]",
        "{source: {ipBlocks: [\"198.51.100.7/32\"]}}",
        "{source: {notPrincipals: [\"*\"]}}",
        "{operation: {ports: [\"8443\"], methods: [\"POST\"], paths: [\"/v1/charges\", \"/v1/refunds\"]}}",
        "{operation: {ports: [\"8443\"], methods: [\"GET\"], paths: [\"/cart\"]}}",
        "selector: {matchLabels: {\"app\": \"card-vault-db\"}}",
    ] {
        assert!(
            authorization.contains(expected),
            "{expected} in\n{authorization}"
        );
    }
    assert!(
        !authorization.contains("coredns"),
        "UDP flows are not intercepted: no policy"
    );
    let cluster = load_ok(&mesh_targets(&[]));
    let text = std::fs::read_to_string(mesh_data("flows.ndjson")).expect("flows");
    let mut lines: Vec<&str> = text.lines().collect();
    lines.reverse();
    let reversed = parse_flows(&cluster, &lines.join("\n")).expect("parse");
    assert_eq!(
        authorization_policies_yaml(&cluster, &reversed),
        authorization,
        "deterministic"
    );
}

#[test]
fn hubble_l7_requests_become_paths_and_responses_are_skipped() {
    let cluster = load_ok(&mesh_targets(&[]));
    let text = std::fs::read_to_string(mesh_data("hubble-l7.json")).expect("flows");
    let flows = parse_flows(&cluster, &text).expect("parse");
    assert_eq!(flows.len(), 1, "{flows:?}");
    let http = flows[0].http.as_ref().expect("l7.http");
    assert_eq!((http.method.as_str(), http.path.as_str()), ("GET", "/cart"));
    let yaml = authorization_policies_yaml(&cluster, &flows);
    assert!(
        yaml.contains("{operation: {ports: [\"8443\"], methods: [\"GET\"], paths: [\"/cart\"]}}"),
        "{yaml}"
    );
}

/// Istio's AuthorizationPolicy CRD schema (strict) accepts every generated policy.
#[test]
fn generated_authorization_policies_are_valid_against_the_istio_schema() {
    let (_, _, authorization) = generated_with_mesh();
    let checked = assert_valid(AUTHORIZATION_POLICY_SCHEMA, &authorization, "flows.ndjson");
    assert_eq!(checked, 11);
    assert_rejected(
        AUTHORIZATION_POLICY_SCHEMA,
        r#"{"apiVersion":"security.istio.io/v1","kind":"AuthorizationPolicy","metadata":{"name":"x"},"spec":{"action":"ALLOW","rules":[{"from":[{"source":{"principal":["cluster.local/ns/a/sa/b"]}}]}]}}"#,
    );
    assert_rejected(
        AUTHORIZATION_POLICY_SCHEMA,
        r#"{"apiVersion":"security.istio.io/v1","kind":"AuthorizationPolicy","metadata":{"name":"x"},"spec":{"action":"PERMIT"}}"#,
    );
}
