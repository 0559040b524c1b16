//! `generate`: policies from observed flows allow exactly those flows when fed back.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use cdeguard_collect::Target;
use cdeguard_netpol::engine::{Endpoint, Options};
use cdeguard_netpol::generate::{Flow, FlowEndpoint, parse_flows, policies_yaml};
use cdeguard_netpol::ipset::IpRange;
use cdeguard_netpol::ports::{Conns, PortRanges};
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

    let endpoint = |e: &FlowEndpoint, as_source: bool| match e {
        FlowEndpoint::Workload(w) => analysis.endpoint_of(*w),
        FlowEndpoint::Ip(ip) => Endpoint::Ip(analysis.atom_of(IpRange::address(*ip), as_source)),
    };
    let mut expected: BTreeMap<(Endpoint, Endpoint), Conns> = BTreeMap::new();
    let mut involved: BTreeSet<Endpoint> = BTreeSet::new();
    for flow in &flows {
        let (s, d) = (
            endpoint(&flow.source, true),
            endpoint(&flow.destination, false),
        );
        for e in [s, d] {
            if let Endpoint::Class(_) = e {
                involved.insert(e);
            }
        }
        let conns = Conns::of(flow.protocol, PortRanges::range(flow.port, flow.port));
        let entry = expected.entry((s, d)).or_default();
        *entry = entry.union(&conns);
    }
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

/// The Kubernetes v1.37 OpenAPI (JSON schema, strict) accepts every generated policy:
/// what `kubectl apply --dry-run=client` checks of their shape.
#[test]
fn generated_policies_are_valid_against_the_kubernetes_schema() {
    let python = oracles().join("venv/bin/python");
    assert!(
        python.exists(),
        "{} missing: run `.ci/setup` to install Python jsonschema",
        python.display()
    );
    let schema = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/k8s-schema/networkpolicy-networking-v1.json");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.ci/validate-json-schema.py");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut checked = 0;
    for flows in ["flows/observed.ndjson", "flows/hubble.json"] {
        let (_, _, yaml) = generated(flows);
        let (documents, error) =
            cdeguard_collect::yaml::parse_stream(&yaml, cdeguard_collect::yaml::Limits::default());
        assert!(error.is_none(), "{error:?}");
        for (i, document) in documents.iter().enumerate() {
            let path = dir.path().join(format!("policy-{checked}.json"));
            std::fs::write(&path, document.root.to_json().to_string()).expect("write");
            let out = std::process::Command::new(&python)
                .arg(&script)
                .arg(&schema)
                .arg(&path)
                .output()
                .expect("python runs");
            assert!(
                out.status.success(),
                "{flows} document {i} is not a valid NetworkPolicy:\n{}{}\n{yaml}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            checked += 1;
        }
    }
    assert!(checked >= 4, "only {checked} policies generated");
    // The schema does reject a malformed policy (the check is not vacuous).
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"x"},"spec":{"podSelector":{},"ingress":[{"ports":[{"port":80,"protocl":"TCP"}]}]}}"#,
    )
    .expect("write");
    let out = std::process::Command::new(&python)
        .arg(&script)
        .arg(&schema)
        .arg(&bad)
        .output()
        .expect("python runs");
    assert!(!out.status.success(), "a misspelt field must be rejected");
}
