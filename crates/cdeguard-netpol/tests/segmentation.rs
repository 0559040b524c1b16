//! The segmentation test's subjects, verdict and findings.

use cdeguard_collect::Target;
use cdeguard_netpol::engine::Options;
use cdeguard_netpol::segmentation::{FindingKind, SubjectKind, test};
use cdeguard_netpol::{Cluster, load};

fn cluster(yaml: &str) -> Cluster {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("seg.yaml");
    std::fs::write(&path, yaml).expect("write");
    let c = load(&[Target::Path(path)]);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    c
}

const NAMESPACES: &str = "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: pay, labels: {pci.cdeguard.io/scope: cde}}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: web, labels: {pci.cdeguard.io/scope: connected}}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: blog}\n";

fn pod(ns: &str, name: &str) -> String {
    format!(
        "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: {ns}, labels: {{app: {name}}}}}\nspec: {{containers: [{{name: c, image: x}}]}}\n"
    )
}

fn pods() -> String {
    [pod("pay", "api"), pod("web", "shop"), pod("blog", "wp")].concat()
}

const ISOLATED: &str = "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: pay}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: from-web, namespace: pay}\nspec:\n  podSelector: {}\n  ingress:\n  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: web}}}]\n";

#[test]
fn isolated_cde_passes_and_declared_connected_is_not_a_subject() {
    let report = test(
        &cluster(&(NAMESPACES.to_owned() + &pods() + ISOLATED)),
        Options::default(),
    );
    assert!(report.passed, "{:#?}", report.subjects);
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    let subjects: Vec<&str> = report.subjects.iter().map(|s| s.subject.as_str()).collect();
    assert!(subjects.contains(&"blog/wp[Pod]"));
    assert!(subjects.contains(&"blog/<any new pod>"));
    assert!(subjects.contains(&"<any new namespace>/<any new pod>"));
    assert!(
        !subjects.iter().any(|s| s.starts_with("web/")),
        "web is declared connected"
    );
    assert!(
        report
            .subjects
            .iter()
            .any(|s| matches!(s.kind, SubjectKind::External))
    );
}

#[test]
fn open_cde_fails_for_every_subject_with_findings() {
    let nodeport = "---\napiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: pay}\nspec: {type: NodePort, selector: {app: api}, ports: [{port: 443}]}\n";
    let report = test(
        &cluster(&(NAMESPACES.to_owned() + &pods() + nodeport)),
        Options::default(),
    );
    assert!(!report.passed);
    assert!(
        report.subjects.iter().all(|s| !s.isolated),
        "nothing isolates the CDE"
    );
    let requirements: Vec<&str> = report.findings.iter().map(|f| f.requirement).collect();
    assert_eq!(
        requirements,
        ["1.3.1", "1.3.2", "1.3.2", "1.3.2", "1.4.1"],
        "{:#?}",
        report.findings
    );
    assert!(
        report.findings[4]
            .message
            .contains("NodePort Service pay/api")
    );
    assert!(report.findings[2].message.contains("internet"));
}

#[test]
fn no_cde_cannot_pass() {
    let report = test(&cluster(&pods()), Options::default());
    assert!(report.cde.is_empty() && !report.passed);
}

/// `pay` injected and open to everyone on TCP 8443 at L4, web and blog injected too;
/// the api is behind a Service on that port. (UDP would pass: the sidecar does not
/// intercept it.)
const MESH_BASE: &str = "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: pay, labels: {pci.cdeguard.io/scope: cde, istio-injection: enabled}}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: web, labels: {pci.cdeguard.io/scope: connected, istio-injection: enabled}}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: blog, labels: {istio-injection: enabled}}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: pay}\nspec: {selector: {app: api}, ports: [{port: 8443}]}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: tcp-8443, namespace: pay}\nspec:\n  podSelector: {}\n  ingress: [{ports: [{port: 8443}]}]\n---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: istio-system}\nspec: {mtls: {mode: STRICT}}\n";

const ALLOW_WEB_ONLY: &str = "---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: web-only, namespace: pay}\nspec:\n  rules:\n  - from: [{source: {namespaces: [web]}}]\n";

#[test]
fn a_path_counts_only_if_the_mesh_allows_it_too() {
    let yaml = MESH_BASE.to_owned() + &pods() + ALLOW_WEB_ONLY;
    let report = test(&cluster(&yaml), Options::default());
    // NetworkPolicy allows everyone; STRICT closes external plaintext, the ALLOW policy
    // closes blog (its pods, and any new pod with or without sidecar).
    assert!(report.passed, "{:#?}", report.subjects);
    let wp = report
        .subjects
        .iter()
        .find(|s| s.subject == "blog/wp[Pod]")
        .expect("blog/wp");
    assert!(wp.isolated && !wp.closed_by_mesh.is_empty());
    let mesh = &wp.closed_by_mesh[0].mesh;
    assert!(
        mesh.iter().all(|v| !v.open) && mesh.iter().any(|v| v.to_string().contains("pay/web-only")),
        "{mesh:#?}"
    );
    assert!(
        report.findings.iter().all(|f| f.requirement != "4.2.1"),
        "STRICT everywhere: {:#?}",
        report.findings
    );
}

#[test]
fn permissive_cde_is_open_to_plaintext_and_reported() {
    let permissive = "---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: pay}\nspec: {mtls: {mode: PERMISSIVE}}\n";
    let yaml = MESH_BASE.to_owned() + &pods() + ALLOW_WEB_ONLY + permissive;
    let report = test(&cluster(&yaml), Options::default());
    // Plaintext has no namespace, so the ALLOW policy still denies blog and externals.
    assert!(report.passed, "{:#?}", report.subjects);
    let kinds: Vec<FindingKind> = report.findings.iter().map(|f| f.kind).collect();
    assert!(kinds.contains(&FindingKind::MtlsNotEnforced), "{kinds:?}");
    assert!(
        !kinds.contains(&FindingKind::PlaintextIntoCde),
        "denied plaintext is no finding"
    );
    // Without the ALLOW policy every plaintext client is in.
    let yaml = MESH_BASE.to_owned() + &pods() + permissive;
    let report = test(&cluster(&yaml), Options::default());
    assert!(!report.passed);
    let plaintext: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::PlaintextIntoCde)
        .map(|f| f.message.as_str())
        .collect();
    assert!(!plaintext.is_empty(), "{:#?}", report.findings);
    assert!(
        plaintext.iter().all(|m| m.contains("pay/api[Pod]")),
        "{plaintext:?}"
    );
}
