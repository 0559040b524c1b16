//! `cdeguard netpol` and `cdeguard scope` end to end on `examples/netpol/`: exit codes,
//! the policies cited, JSON and DOT output, bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn cdeguard(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cdeguard"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("run cdeguard")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const SEGMENTED: &str = "examples/netpol/segmented";
const BROKEN: &str = "examples/netpol/broken";

#[test]
fn segmentation_test_passes_for_the_segmented_example() {
    let out = cdeguard(&["netpol", "test", SEGMENTED]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("Result: PASSED"));
    assert!(text.contains("PASS  Workload marketing/blog[Deployment]"));
    assert!(text.contains("PASS  External 0.0.0.0-255.255.255.255"));
    assert!(text.contains("OK    mTLS (PCI DSS 4.2.1) vault/card-vault-db[Deployment]: STRICT"));
}

#[test]
fn segmentation_test_catches_the_broken_variant_and_cites_the_rule() {
    let out = cdeguard(&["netpol", "test", "--format", "json", SEGMENTED, BROKEN]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["passed"], false);
    assert_eq!(report["requirement"], "PCI DSS v4.0.1 11.4.5");
    let subject = |name: &str| {
        report["subjects"]
            .as_array()
            .expect("subjects")
            .iter()
            .find(|s| s["subject"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("subject {name}"))
    };
    // The blog pod has no sidecar: NetworkPolicy lets it through, but the STRICT port
    // rejects its plaintext, so the mesh closes the path.
    let blog = subject("marketing/blog[Deployment]");
    assert_eq!(blog["isolated"], true);
    assert_eq!(blog["closed_by_mesh"][0]["mesh"][0]["transport"], "broken");
    // Any new pod of marketing may have a sidecar: mTLS, and `allow-metrics` allows it.
    let new_pod = subject("marketing/<any new pod>");
    assert_eq!(new_pod["isolated"], false);
    let path = &new_pod["paths"][0];
    assert_eq!(path["connections"], "{protocols:TCP,dst_ports:9090}");
    let rule = &path["ingress"]["allowed_by"][0];
    assert_eq!(rule["policy"], "payments/allow-metrics-from-anywhere");
    assert_eq!(
        rule["rule"],
        "examples/netpol/broken/allow-metrics-from-anywhere.yaml:11"
    );
    let mesh = &path["mesh"][0];
    assert_eq!(mesh["transport"], "mtls");
    assert!(
        mesh["authorization"]["by"]
            .as_str()
            .is_some_and(|by| by.starts_with("AuthorizationPolicy payments/allow-metrics (")),
        "{mesh}"
    );
    let plaintext: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["kind"] == "plaintext-into-cde")
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert_eq!(plaintext.len(), 1, "{plaintext:?}");
    assert!(plaintext[0].contains("vault/card-vault-db[Deployment] accepts plaintext on TCP/5432 from payments/payment-api[Deployment]"));
    let vault = report["mtls"]
        .as_array()
        .expect("mtls")
        .iter()
        .find(|m| m["workload"] == "vault/card-vault-db[Deployment]")
        .expect("vault mtls");
    assert_eq!(vault["enforced"], false);
    assert_eq!(vault["port_modes"]["9187"], "PERMISSIVE");
}

#[test]
fn check_answers_with_exit_codes_and_policies() {
    let allowed = cdeguard(&[
        "netpol",
        "check",
        SEGMENTED,
        "--from",
        "storefront/storefront",
        "--to",
        "payments/checkout",
        "--port",
        "https",
    ]);
    assert_eq!(allowed.status.code(), Some(0));
    let text = stdout(&allowed);
    assert!(
        text.contains("mesh OPEN   TCP/8443: allowed (L4) / mTLS, allowed (AuthorizationPolicy payments/checkout (examples/netpol/segmented/mesh.yaml:"),
        "{text}"
    );
    assert!(text.starts_with(
        "ALLOWED: storefront/storefront[Deployment] => payments/checkout[Deployment] : TCP/8443"
    ));
    assert!(text.contains(
        "allowed by payments/checkout rule at examples/netpol/segmented/networkpolicies.yaml:"
    ));

    let blocked = cdeguard(&[
        "netpol",
        "check",
        SEGMENTED,
        "--from",
        "marketing/app=blog",
        "--to",
        "vault/card-vault-db",
        "--port",
        "5432/TCP",
    ]);
    assert_eq!(blocked.status.code(), Some(1));
    let text = stdout(&blocked);
    assert!(text.starts_with("BLOCKED:"));
    assert!(text.contains(
        "isolated by vault/default-deny (examples/netpol/segmented/networkpolicies.yaml:"
    ));

    let udp = cdeguard(&[
        "netpol",
        "check",
        SEGMENTED,
        "--from",
        "payments/checkout",
        "--to",
        "kube-system/coredns",
        "--port",
        "53/UDP",
    ]);
    assert_eq!(udp.status.code(), Some(0), "{}", stdout(&udp));
    let external = cdeguard(&[
        "netpol",
        "check",
        SEGMENTED,
        "--from",
        "203.0.113.7",
        "--to",
        "payments/checkout",
    ]);
    assert_eq!(external.status.code(), Some(1));
    assert!(stdout(&external).starts_with("BLOCKED: 203.0.113.7 => payments/checkout[Deployment]"));
}

#[test]
fn check_rejects_bad_endpoints_and_ports_with_exit_2() {
    for args in [
        [
            "--from",
            "nowhere/nothing",
            "--to",
            "payments/checkout",
            "--port",
            "80",
        ],
        [
            "--from",
            "storefront/storefront",
            "--to",
            "payments/checkout",
            "--port",
            "80/ICMP",
        ],
        [
            "--from",
            "storefront/storefront",
            "--to",
            "payments/checkout",
            "--port",
            "nosuchport",
        ],
        [
            "--from",
            "not-an-endpoint",
            "--to",
            "payments/checkout",
            "--port",
            "80",
        ],
    ] {
        let mut full = vec!["netpol", "check", SEGMENTED];
        full.extend(args);
        let out = cdeguard(&full);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("error"),
            "{args:?}"
        );
    }
}

#[test]
fn matrix_json_and_dot() {
    let out = cdeguard(&[
        "netpol",
        "matrix",
        "--format",
        "json",
        "--explain",
        SEGMENTED,
    ]);
    assert_eq!(out.status.code(), Some(0));
    let matrix: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let edges = matrix["edges"].as_array().expect("edges");
    let edge = edges
        .iter()
        .find(|e| {
            e["from"] == "storefront/storefront[Deployment]"
                && e["to"] == "payments/checkout[Deployment]"
        })
        .expect("storefront -> checkout");
    assert_eq!(edge["ports"]["TCP"], serde_json::json!([[8443, 8443]]));
    assert_eq!(
        edge["explanation"]["ingress"]["allowed_by"][0]["policy"],
        "payments/checkout"
    );
    assert!(
        !edges
            .iter()
            .any(|e| e["from"] == "marketing/blog[Deployment]"
                && e["to"] == "payments/checkout[Deployment]"),
        "blog must not reach checkout"
    );
    let dot = stdout(&cdeguard(&[
        "netpol", "matrix", "--format", "dot", SEGMENTED,
    ]));
    assert!(dot.starts_with("digraph reachability {"));
    assert!(
        dot.contains("\"payments/checkout[Deployment]\" [style=filled, fillcolor=\"#f4a6a6\""),
        "CDE highlighted"
    );
    assert!(dot.contains("\"storefront/storefront[Deployment]\" -> \"payments/checkout[Deployment]\" [label=\"{protocols:TCP,dst_ports:8443}\"];"));
}

#[test]
fn scope_classifies_with_reasons() {
    let out = cdeguard(&["scope", "--format", "json", SEGMENTED]);
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let scope_of = |name: &str| {
        report["workloads"]
            .as_array()
            .expect("workloads")
            .iter()
            .find(|w| w["workload"] == name)
            .unwrap_or_else(|| panic!("{name}"))
            .clone()
    };
    assert_eq!(scope_of("payments/checkout[Deployment]")["scope"], "cde");
    let storefront = scope_of("storefront/storefront[Deployment]");
    assert_eq!(storefront["scope"], "connected-to");
    assert_eq!(
        storefront["paths"][0]["to"],
        "payments/checkout[Deployment]"
    );
    let dns = scope_of("kube-system/coredns[Deployment]");
    assert_eq!(dns["scope"], "connected-to", "the CDE reaches DNS");
    let blog = scope_of("marketing/blog[Deployment]");
    assert_eq!(blog["scope"], "out-of-scope");
    assert!(
        blog["reasons"][0]
            .as_str()
            .expect("reason")
            .starts_with("no allowed connection")
    );
}

#[test]
fn invalid_policies_exit_2_with_file_and_line_but_the_rest_is_analysed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: bad, namespace: payments}\nspec:\n  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock: {cidr: 10.0.0.0/99}\n",
    )
    .expect("write");
    let bad_path = bad.to_str().expect("utf-8 path");
    let out = cdeguard(&["netpol", "matrix", SEGMENTED, bad_path]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("{bad_path}:8:")), "{stderr}");
    assert!(
        stdout(&out).contains("storefront/storefront[Deployment] => payments/checkout[Deployment]")
    );
}

#[test]
fn generate_writes_policies_that_allow_the_observed_flows_only() {
    let manifests = [
        "examples/netpol/segmented/namespaces.yaml",
        "examples/netpol/segmented/workloads.yaml",
    ];
    let mut args = vec![
        "netpol",
        "generate",
        "--flows",
        "examples/netpol/flows/observed.ndjson",
    ];
    args.extend(manifests);
    let out = cdeguard(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let generated = dir.path().join("generated.yaml");
    std::fs::write(&generated, &out.stdout).expect("write");
    let generated = generated.to_str().expect("utf-8 path");
    let check = |from: &str, to: &str, port: &str| {
        let mut args = vec![
            "netpol", "check", "--from", from, "--to", to, "--port", port, generated,
        ];
        args.extend(manifests);
        cdeguard(&args).status.code()
    };
    assert_eq!(
        check("storefront/storefront", "payments/checkout", "8443"),
        Some(0)
    );
    assert_eq!(
        check("storefront/storefront", "payments/checkout", "9090"),
        Some(1),
        "port not observed"
    );
    assert_eq!(
        check("marketing/blog", "payments/checkout", "8443"),
        Some(1),
        "source not observed"
    );
    assert_eq!(
        check("198.51.100.7", "storefront/storefront", "8080"),
        Some(0)
    );
    let bad = cdeguard(&["netpol", "generate", "--flows", "Cargo.toml", SEGMENTED]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("Cargo.toml: line 1: not JSON"));
}

#[test]
fn generate_adds_authorization_policies_when_the_mesh_is_present() {
    let flows = "examples/netpol/flows/observed.ndjson";
    // The segmented example injects sidecars: the mesh is present.
    let auto = cdeguard(&["netpol", "generate", "--flows", flows, SEGMENTED]);
    assert_eq!(auto.status.code(), Some(0));
    let yaml = stdout(&auto);
    assert!(yaml.contains("kind: NetworkPolicy"), "{yaml}");
    assert!(
        yaml.contains(
            "- from: [{source: {principals: [\"cluster.local/ns/payments/sa/payment-api\"]}}]\n      to: [{operation: {ports: [\"5432\"]}}]"
        ),
        "{yaml}"
    );
    let none = cdeguard(&[
        "netpol", "generate", "--flows", flows, "--mesh", "none", SEGMENTED,
    ]);
    assert!(!stdout(&none).contains("AuthorizationPolicy"));
    assert!(stdout(&none).contains("kind: NetworkPolicy"));
    // Without any Istio configuration `--mesh istio` still writes them.
    let dir = tempfile::tempdir().expect("tempdir");
    let workloads = dir.path().join("workloads.yaml");
    std::fs::write(
        &workloads,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: n, labels: {app: a}}\nspec: {containers: [{name: a, image: a}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: n, labels: {app: b}}\nspec: {containers: [{name: b, image: b}]}\n",
    )
    .expect("write");
    let flows = dir.path().join("flows.ndjson");
    std::fs::write(
        &flows,
        r#"{"src": {"namespace": "n", "pod": "a"}, "dst": {"namespace": "n", "pod": "b"}, "port": 80}"#,
    )
    .expect("write");
    let (workloads, flows) = (
        workloads.to_str().expect("utf-8"),
        flows.to_str().expect("utf-8"),
    );
    let plain = cdeguard(&["netpol", "generate", "--flows", flows, workloads]);
    assert!(!stdout(&plain).contains("AuthorizationPolicy"));
    let forced = cdeguard(&[
        "netpol", "generate", "--flows", flows, "--mesh", "istio", workloads,
    ]);
    assert!(
        stdout(&forced).contains("{source: {notPrincipals: [\"*\"]}}"),
        "no sidecars in the manifests: the client has no identity\n{}",
        stdout(&forced)
    );
}

#[test]
fn check_shows_the_mesh_verdict_next_to_the_network_policy_one() {
    // In the broken variant the metrics port is open at both layers, and says by what.
    let metrics = cdeguard(&[
        "netpol",
        "check",
        SEGMENTED,
        BROKEN,
        "--from",
        "storefront/storefront",
        "--to",
        "payments/checkout",
        "--port",
        "metrics",
    ]);
    let text = stdout(&metrics);
    assert_eq!(metrics.status.code(), Some(0), "{text}");
    assert!(text.contains("mesh OPEN   TCP/9090: allowed (L4) / mTLS, allowed (AuthorizationPolicy payments/allow-metrics"), "{text}");
}

#[test]
fn scope_and_matrix_draw_a_well_formed_svg_with_the_cde_highlighted() {
    for args in [
        vec!["scope", "--format", "svg", SEGMENTED],
        vec!["netpol", "matrix", "--format", "svg", SEGMENTED],
    ] {
        let out = cdeguard(&args);
        assert_eq!(out.status.code(), Some(0));
        let svg = stdout(&out);
        assert!(
            svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
            "{svg}"
        );
        assert!(
            svg.contains(r#"<g class="node cde" data-name="vault/card-vault-db[Deployment]">"#)
        );
        assert!(
            svg.contains(r#"<g class="node out-of-scope" data-name="marketing/blog[Deployment]">"#)
        );
        assert!(!svg.contains("<script") && !svg.contains("href=\"http"));
    }
    let html = stdout(&cdeguard(&["scope", "--format", "html", SEGMENTED]));
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<svg"));
}

#[test]
fn scan_reports_segmentation_findings_in_every_format() {
    let json = cdeguard(&["scan", "--format", "json", SEGMENTED, BROKEN]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    let ids: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule_id"].as_str())
        .filter(|id| id.starts_with("CDG-NET-"))
        .collect();
    for id in ["CDG-NET-001", "CDG-NET-007", "CDG-NET-008"] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    let reachable = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule_id"] == "CDG-NET-001")
        .expect("CDG-NET-001");
    assert_eq!(reachable["resource"]["namespace"], "payments");
    assert!(
        reachable["evidence"]
            .as_str()
            .is_some_and(|e| e.contains("allow-metrics-from-anywhere.yaml:11")),
        "{reachable}"
    );
    let clean = cdeguard(&["scan", "--format", "json", SEGMENTED]);
    let clean: serde_json::Value = serde_json::from_slice(&clean.stdout).expect("json");
    assert!(
        clean["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .all(|f| !f["rule_id"].as_str().unwrap_or("").starts_with("CDG-NET-")),
        "the segmented example has no segmentation finding"
    );
    let sarif = stdout(&cdeguard(&["scan", "--format", "sarif", SEGMENTED, BROKEN]));
    assert!(sarif.contains("CDG-NET-001"));
    let html = stdout(&cdeguard(&["scan", "--format", "html", SEGMENTED, BROKEN]));
    assert!(html.contains("CDG-NET-008") && html.contains(r#"<g class="node cde""#));
}
