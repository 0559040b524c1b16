//! The Istio layer against the semantics of Istio's reference documentation: each
//! scenario in `tests/data/istio/` mirrors an example of the AuthorizationPolicy,
//! PeerAuthentication or DestinationRule reference pages (named in the file), run on the
//! cluster of `cluster.yaml`, with the verdicts the documentation gives.

use std::path::PathBuf;

use cdeguard_collect::Target;
use cdeguard_netpol::authorization::Decision;
use cdeguard_netpol::mesh_verdict::{Client, Mesh, MeshVerdict, Transport};
use cdeguard_netpol::ports::{Conns, PortRanges, Protocol};
use cdeguard_netpol::{Cluster, load};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/istio")
        .join(name)
}

fn cluster(scenarios: &[&str]) -> Cluster {
    let mut targets = vec![Target::Path(data("cluster.yaml"))];
    targets.extend(scenarios.iter().map(|s| Target::Path(data(s))));
    let cluster = load(&targets);
    assert!(cluster.errors.is_empty(), "{:?}", cluster.errors);
    cluster
}

fn workload(cluster: &Cluster, id: &str) -> usize {
    cluster
        .workloads
        .iter()
        .position(|w| w.id() == id)
        .unwrap_or_else(|| panic!("no workload {id}"))
}

fn tcp(first: u16, last: u16) -> Conns {
    Conns::of(Protocol::Tcp, PortRanges::range(first, last))
}

/// The mesh verdict from `client` to `foo/httpbin` on container port 80.
fn to_httpbin(cluster: &Cluster, client: &str) -> MeshVerdict {
    let mesh = Mesh::new(cluster);
    let c = workload(cluster, client);
    let server = workload(cluster, "foo/httpbin");
    let mut verdicts = mesh.verdicts(Client::Workload(c), server, &tcp(80, 80));
    assert_eq!(verdicts.len(), 1);
    verdicts.remove(0)
}

fn denied(v: &MeshVerdict) -> bool {
    v.authorization.is_denied() && !v.open
}

fn allowed(v: &MeshVerdict) -> bool {
    matches!(v.authorization, Decision::Allowed { .. }) && v.open
}

fn conditional(v: &MeshVerdict) -> Option<String> {
    match &v.authorization {
        Decision::Conditional { conditions } if v.open => Some(conditions.join("; ")),
        _ => None,
    }
}

#[test]
fn no_policy_allows_and_permissive_accepts_both() {
    let c = cluster(&[]);
    let v = to_httpbin(&c, "default/sleep");
    assert!(allowed(&v));
    assert_eq!(v.transport, Transport::Mtls, "auto mTLS between sidecars");
    let v = to_httpbin(&c, "legacy/sleep");
    assert!(allowed(&v));
    assert_eq!(v.transport, Transport::Plaintext, "PERMISSIVE by default");
}

#[test]
fn allow_policy_with_principals_namespaces_and_http_fields() {
    let c = cluster(&["authz-httpbin-allow.yaml"]);
    // The documented sources are allowed, for GET /info* or POST /data with the JWT only.
    for client in ["default/sleep", "test/client"] {
        let v = to_httpbin(&c, client);
        let conditions = conditional(&v).unwrap_or_else(|| panic!("{client}: {v}"));
        assert!(conditions.contains("methods GET"), "{conditions}");
        assert!(conditions.contains("paths /info*"), "{conditions}");
        assert!(
            conditions.contains("request.auth.claims[iss]"),
            "{conditions}"
        );
    }
    // Any other source: denied ("any other requests will be denied").
    assert!(denied(&to_httpbin(&c, "foo/sleep")));
    // Plaintext has no principal and no namespace.
    assert!(denied(&to_httpbin(&c, "legacy/sleep")));
    // The policy names no selector: it applies to every workload of foo.
    let mesh = Mesh::new(&c);
    let v = mesh.verdicts(
        Client::Workload(workload(&c, "foo/sleep")),
        workload(&c, "foo/unlisted"),
        &tcp(80, 80),
    );
    assert!(!v[0].open);
}

#[test]
fn deny_not_namespaces() {
    let c = cluster(&["authz-deny-other-namespaces.yaml"]);
    assert!(allowed(&to_httpbin(&c, "foo/sleep")));
    let v = to_httpbin(&c, "test/client");
    assert!(denied(&v));
    assert!(v.to_string().contains("foo/httpbin-deny"), "{v}");
    // No mTLS, no namespace: "not in foo" holds and the request is denied.
    assert!(denied(&to_httpbin(&c, "legacy/sleep")));
}

#[test]
fn empty_rule_allows_all_and_no_rules_allow_nothing() {
    let c = cluster(&["authz-allow-all.yaml"]);
    for client in ["foo/sleep", "test/client", "legacy/sleep"] {
        assert!(allowed(&to_httpbin(&c, client)), "{client}");
    }
    let c = cluster(&["authz-allow-nothing.yaml"]);
    for client in ["foo/sleep", "test/client", "legacy/sleep"] {
        assert!(denied(&to_httpbin(&c, client)), "{client}");
    }
}

#[test]
fn deny_is_evaluated_before_allow() {
    let c = cluster(&["authz-allow-all.yaml", "authz-deny-all.yaml"]);
    let v = to_httpbin(&c, "foo/sleep");
    assert!(denied(&v));
    assert!(v.to_string().contains("foo/deny-all"), "{v}");
}

#[test]
fn root_namespace_policy_applies_mesh_wide() {
    let c = cluster(&["authz-root-allow-nothing.yaml"]);
    assert!(denied(&to_httpbin(&c, "foo/sleep")));
    // A namespace ALLOW policy adds to it: ALLOW policies are ORed.
    let c = cluster(&["authz-root-allow-nothing.yaml", "authz-allow-all.yaml"]);
    assert!(allowed(&to_httpbin(&c, "foo/sleep")));
}

#[test]
fn operation_ports_decide_per_port_and_principal_prefix() {
    let c = cluster(&["authz-ports.yaml"]);
    let mesh = Mesh::new(&c);
    let server = workload(&c, "foo/httpbin");
    let verdicts = mesh.verdicts(
        Client::Workload(workload(&c, "default/sleep")),
        server,
        &tcp(80, 81),
    );
    let by_port: Vec<(&str, bool)> = verdicts
        .iter()
        .map(|v| (v.ports.as_str(), v.open))
        .collect();
    assert_eq!(by_port, [("TCP/80", true), ("TCP/81", false)]);
    assert!(
        denied(&to_httpbin(&c, "test/client")),
        "principal prefix is default's"
    );
}

#[test]
fn custom_is_conditional_audit_and_gateway_policies_do_not_decide() {
    let c = cluster(&["authz-custom-audit-gateway.yaml"]);
    let v = to_httpbin(&c, "foo/sleep");
    let conditions = conditional(&v).expect("CUSTOM makes it conditional");
    assert!(conditions.contains("my-custom-authz"), "{conditions}");
    assert!(conditions.contains("/admin/*"), "{conditions}");
}

#[test]
fn strict_breaks_plaintext_and_keeps_mtls() {
    let c = cluster(&["peer-strict-namespace.yaml"]);
    let v = to_httpbin(&c, "legacy/sleep");
    assert_eq!(v.transport, Transport::Broken);
    assert!(!v.open);
    assert!(v.transport_reason.contains("STRICT"), "{v}");
    assert_eq!(to_httpbin(&c, "test/client").transport, Transport::Mtls);
}

#[test]
fn port_level_disable_makes_auto_mtls_plaintext() {
    let c = cluster(&["peer-port-disable.yaml"]);
    let v = to_httpbin(&c, "test/client");
    assert_eq!(v.transport, Transport::Plaintext, "{v}");
    assert!(v.open);
    // The same DISABLE port with an explicit ISTIO_MUTUAL client breaks.
    let c = cluster(&["peer-port-disable.yaml", "dr-mesh-default.yaml"]);
    assert_eq!(to_httpbin(&c, "foo/sleep").transport, Transport::Broken);
}

#[test]
fn destination_rule_lookup_order_export_and_root_default() {
    let c = cluster(&["dr-mesh-default.yaml"]);
    // foo sees its own ISTIO_MUTUAL rule (exported to `.` only).
    let v = to_httpbin(&c, "foo/sleep");
    assert_eq!(v.transport, Transport::Mtls, "{v}");
    assert!(v.transport_reason.contains("foo/httpbin"), "{v}");
    // test does not see it: the root namespace default DISABLE applies.
    let v = to_httpbin(&c, "test/client");
    assert_eq!(v.transport, Transport::Plaintext, "{v}");
    assert!(v.transport_reason.contains("istio-system/default"), "{v}");
    // With STRICT on the server that plaintext breaks.
    let c = cluster(&["dr-mesh-default.yaml", "peer-strict-namespace.yaml"]);
    assert_eq!(to_httpbin(&c, "test/client").transport, Transport::Broken);
}

#[test]
fn destination_rule_port_level_and_client_namespace_first() {
    let c = cluster(&["dr-port-level.yaml"]);
    // Service port 8000 forwards to container port 80: SIMPLE TLS origination.
    let v = to_httpbin(&c, "foo/sleep");
    assert_eq!(v.transport, Transport::Tls, "{v}");
    // test's own wildcard rule wins over the Service namespace's exact rule.
    let v = to_httpbin(&c, "test/client");
    assert_eq!(v.transport, Transport::Plaintext, "{v}");
    assert!(v.transport_reason.contains("test/httpbin-from-test"), "{v}");
    let c = cluster(&["dr-port-level.yaml", "peer-strict-namespace.yaml"]);
    assert_eq!(to_httpbin(&c, "foo/sleep").transport, Transport::Broken);
}

#[test]
fn pod_without_service_is_passed_through_in_plaintext() {
    let c = cluster(&["peer-strict-namespace.yaml"]);
    let mesh = Mesh::new(&c);
    let v = mesh.verdicts(
        Client::Workload(workload(&c, "default/sleep")),
        workload(&c, "foo/unlisted"),
        &tcp(80, 80),
    );
    assert_eq!(v[0].transport, Transport::Broken, "{}", v[0]);
}

#[test]
fn udp_is_not_intercepted() {
    let c = cluster(&["authz-allow-nothing.yaml"]);
    let mesh = Mesh::new(&c);
    let v = mesh.verdicts(
        Client::Workload(workload(&c, "foo/sleep")),
        workload(&c, "foo/httpbin"),
        &Conns::of(Protocol::Udp, PortRanges::range(53, 53)),
    );
    assert_eq!(v.len(), 1);
    assert!(v[0].open && v[0].ports == "non-TCP");
}

#[test]
fn invalid_policies_are_errors_with_lines() {
    let cluster = load(&[Target::Path(data("invalid.yaml"))]);
    let messages: Vec<String> = cluster.errors.iter().map(ToString::to_string).collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(
        messages[0].contains("invalid.yaml:5") && messages[0].contains("bad-action"),
        "{messages:?}"
    );
    assert!(
        messages[1].contains("STRICT") || messages[1].contains("tls `mode`"),
        "{messages:?}"
    );
    assert!(
        messages[2].contains("`http` is not a number"),
        "{messages:?}"
    );
    assert!(cluster.authorization_policies.is_empty() && cluster.destination_rules.is_empty());
}
