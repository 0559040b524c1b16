//! The segmentation test's subjects, verdict and findings.

use cdeguard_collect::Target;
use cdeguard_netpol::engine::Options;
use cdeguard_netpol::segmentation::{SubjectKind, test};
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
