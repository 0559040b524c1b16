//! Scope classification: each kind of evidence puts a workload where PCI DSS 12.5.2 says.

use cdeguard_collect::Target;
use cdeguard_netpol::engine::Options;
use cdeguard_netpol::scope::{Scope, classify};
use cdeguard_netpol::{Analysis, Cluster, load};

fn cluster(yaml: &str) -> Cluster {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("scope.yaml");
    std::fs::write(&path, yaml).expect("write");
    let c = load(&[Target::Path(path)]);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    c
}

fn deployment(ns: &str, name: &str, labels: &str, extra_spec: &str) -> String {
    format!(
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}{labels}}}}}\n    spec:\n{extra_spec}      containers: [{{name: c, image: x}}]\n"
    )
}

const ISOLATE_PAY: &str = "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: pay}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n";

fn scope_of(c: &Cluster, id: &str) -> (Scope, Vec<String>) {
    let analysis = Analysis::new(c, Options::default());
    let report = classify(&analysis);
    let w = report
        .workloads
        .into_iter()
        .find(|w| w.workload.starts_with(id))
        .unwrap_or_else(|| panic!("{id}"));
    (w.scope, w.reasons)
}

#[test]
fn cde_by_label_namespace_data_store_and_secret() {
    let yaml = [
        "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: pay, labels: {pci.cdeguard.io/scope: cde}}\n".to_owned(),
        deployment("pay", "api", "", ""),
        deployment("shop", "labelled", ", pci.cdeguard.io/scope: cde", ""),
        deployment("shop", "db", ", pci.cdeguard.io/data-store: 'true'", ""),
        deployment(
            "shop",
            "tokens",
            "",
            "      volumes: [{name: v, secret: {secretName: pan-key}}]\n",
        ),
        "---\napiVersion: v1\nkind: Secret\nmetadata: {name: pan-key, namespace: shop, labels: {pci.cdeguard.io/scope: cde}}\n".to_owned(),
        ISOLATE_PAY.to_owned(),
    ]
    .concat();
    let c = cluster(&yaml);
    for (id, evidence) in [
        ("pay/api", "namespace `pay`"),
        ("shop/labelled", "declared `pci.cdeguard.io/scope: cde`"),
        ("shop/db", "card data store"),
        ("shop/tokens", "Secret `pan-key`"),
    ] {
        let (scope, reasons) = scope_of(&c, id);
        assert_eq!(scope, Scope::Cde, "{id}");
        assert!(reasons[0].contains(evidence), "{id}: {reasons:?}");
    }
}

#[test]
fn connected_by_network_path_or_administration_out_of_scope_otherwise() {
    let yaml = [
        "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: pay, labels: {pci.cdeguard.io/scope: cde}}\n".to_owned(),
        deployment("pay", "api", "", ""),
        deployment("shop", "web", "", ""),
        deployment("tools", "ci", "", "      serviceAccountName: deployer\n"),
        deployment("tools", "wiki", "", ""),
        ISOLATE_PAY.to_owned(),
        "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: from-web, namespace: pay}\nspec:\n  podSelector: {}\n  ingress:\n  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}}]\n    ports: [{port: 443}]\n".to_owned(),
        "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: deployer, namespace: pay}\nsubjects: [{kind: ServiceAccount, name: deployer, namespace: tools}]\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}\n".to_owned(),
    ]
    .concat();
    let c = cluster(&yaml);
    let (scope, reasons) = scope_of(&c, "shop/web");
    assert_eq!(scope, Scope::ConnectedTo);
    assert_eq!(
        reasons[0],
        "network path shop/web[Deployment] => pay/api[Deployment] : {protocols:TCP,dst_ports:443}"
    );
    let (scope, reasons) = scope_of(&c, "tools/ci");
    assert_eq!(scope, Scope::ConnectedTo);
    assert!(
        reasons[0]
            .starts_with("administers the CDE: service account `deployer` bound to role `edit`"),
        "{reasons:?}"
    );
    let (scope, _) = scope_of(&c, "tools/wiki");
    assert_eq!(scope, Scope::OutOfScope);
}
