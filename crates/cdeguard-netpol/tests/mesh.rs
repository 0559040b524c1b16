//! Istio mTLS precedence, inheritance, sidecar injection and port-level overrides.

use cdeguard_collect::Target;
use cdeguard_netpol::mesh::{MtlsStatus, mtls_status};
use cdeguard_netpol::{Cluster, load};

fn cluster_with_errors(yaml: &str) -> Cluster {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("mesh.yaml");
    std::fs::write(&path, yaml).expect("write");
    load(&[Target::Path(path)])
}

fn status(yaml: &str, workload: &str) -> MtlsStatus {
    let c = cluster_with_errors(yaml);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let w = c
        .workloads
        .iter()
        .find(|w| w.name == workload)
        .expect("workload");
    mtls_status(&c, &c.peer_authentications, w)
}

const BASE: &str = "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: pay, labels: {istio-injection: enabled}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: api, namespace: pay, labels: {app: api}}\nspec: {containers: [{name: c, image: x}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: raw, namespace: pay, labels: {app: raw}, annotations: {sidecar.istio.io/inject: 'false'}}\nspec: {containers: [{name: c, image: x}]}\n";

fn pa(name: &str, ns: &str, spec: &str) -> String {
    format!(
        "---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {{name: {name}, namespace: {ns}}}\nspec: {spec}\n"
    )
}

#[test]
fn default_is_permissive() {
    let s = status(BASE, "api");
    assert!(s.sidecar && !s.enforced);
    assert_eq!(s.mode, "PERMISSIVE");
}

#[test]
fn workload_beats_namespace_beats_mesh() {
    let mesh = pa("default", "istio-system", "{mtls: {mode: STRICT}}");
    let ns = pa("ns", "pay", "{mtls: {mode: PERMISSIVE}}");
    let wl = pa(
        "wl",
        "pay",
        "{selector: {matchLabels: {app: api}}, mtls: {mode: STRICT}}",
    );
    assert!(status(&(BASE.to_owned() + &mesh), "api").enforced);
    let s = status(&(BASE.to_owned() + &mesh + &ns), "api");
    assert_eq!((s.mode.as_str(), s.enforced), ("PERMISSIVE", false));
    assert!(s.decided_by.starts_with("pay/ns ("));
    let s = status(&(BASE.to_owned() + &mesh + &ns + &wl), "api");
    assert!(s.enforced && s.decided_by.starts_with("pay/wl ("));
}

#[test]
fn unset_inherits_and_port_level_overrides() {
    let mesh = pa("default", "istio-system", "{mtls: {mode: STRICT}}");
    let unset = pa(
        "wl",
        "pay",
        "{selector: {matchLabels: {app: api}}, mtls: {mode: UNSET}, portLevelMtls: {8080: {mode: DISABLE}}}",
    );
    let s = status(&(BASE.to_owned() + &mesh + &unset), "api");
    assert_eq!(s.mode, "STRICT", "UNSET inherits the mesh mode");
    assert_eq!(s.port_modes.get(&8080).map(String::as_str), Some("DISABLE"));
    assert!(!s.enforced, "one plaintext port");
}

#[test]
fn no_sidecar_means_no_mtls() {
    let mesh = pa("default", "istio-system", "{mtls: {mode: STRICT}}");
    let s = status(&(BASE.to_owned() + &mesh), "raw");
    assert!(!s.sidecar && !s.enforced);
}

#[test]
fn invalid_mode_is_an_error_with_a_line() {
    let c = cluster_with_errors(&(BASE.to_owned() + &pa("bad", "pay", "{mtls: {mode: ON}}")));
    assert_eq!(c.errors.len(), 1);
    let message = c.errors[0].to_string();
    assert!(
        message.contains("mesh.yaml:") && message.contains("STRICT"),
        "{message}"
    );
}
