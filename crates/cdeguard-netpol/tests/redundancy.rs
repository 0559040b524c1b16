//! Redundant NetworkPolicy rules, shadowed AuthorizationPolicy ALLOW rules and exposure
//! through Ingress/HTTPRoute, as the segmentation test reports them.

use cdeguard_collect::Target;
use cdeguard_netpol::engine::Options;
use cdeguard_netpol::policy::Direction;
use cdeguard_netpol::redundancy::{redundant_peers, redundant_rules, shadowed_allow_rules};
use cdeguard_netpol::segmentation::{FindingKind, test};
use cdeguard_netpol::{Analysis, Cluster, load};

fn cluster(yaml: &str) -> Cluster {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("redundancy.yaml");
    std::fs::write(&path, yaml).expect("write");
    let c = load(&[Target::Path(path)]);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    c
}

const BASE: &str = "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: pay, labels: {pci.cdeguard.io/scope: cde, istio-injection: enabled}}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: web, labels: {istio-injection: enabled}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: api, namespace: pay, labels: {app: api}}\nspec: {containers: [{name: c, image: x, ports: [{name: https, containerPort: 8443}]}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: worker, namespace: pay, labels: {app: worker}}\nspec: {containers: [{name: c, image: x}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: shop, namespace: web, labels: {app: shop}}\nspec: {serviceAccountName: shop, containers: [{name: c, image: x}]}\n";

fn network_policy(name: &str, selector: &str, ingress: &str) -> String {
    format!(
        "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: {name}, namespace: pay}}\nspec:\n  podSelector: {selector}\n  policyTypes: [Ingress]\n  ingress:\n{ingress}"
    )
}

/// `(policy name, rule index)` of each redundant rule and of its covering rule.
fn redundant(yaml: &str) -> Vec<((String, usize), (String, usize))> {
    let cluster = cluster(yaml);
    let analysis = Analysis::new(&cluster, Options::default());
    redundant_rules(&analysis)
        .into_iter()
        .map(|r| {
            assert_eq!(r.direction, Direction::Ingress);
            let name = |p: usize| cluster.policies[p].name.clone();
            (
                (name(r.redundant.policy), r.redundant.rule),
                (name(r.covered_by.policy), r.covered_by.rule),
            )
        })
        .collect()
}

fn pair(a: &str, i: usize, b: &str, j: usize) -> ((String, usize), (String, usize)) {
    ((a.to_owned(), i), (b.to_owned(), j))
}

#[test]
fn a_rule_inside_a_wider_rule_of_a_policy_selecting_the_same_pods_is_redundant() {
    let wide = network_policy("allow-namespace", "{}", "  - from: [{podSelector: {}}]\n");
    let narrow = network_policy(
        "allow-worker",
        "{matchLabels: {app: api}}",
        "  - from: [{podSelector: {matchLabels: {app: worker}}}]\n    ports: [{port: 8443}]\n  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: web}}}]\n",
    );
    assert_eq!(
        redundant(&(BASE.to_owned() + &wide + &narrow)),
        [pair("allow-worker", 0, "allow-namespace", 0)],
        "the rule from web is not covered (other namespace)"
    );
    // The wider policy selecting fewer pods does not cover a rule of a policy selecting more.
    let wide_on_api = network_policy(
        "allow-namespace",
        "{matchLabels: {app: api}}",
        "  - from: [{podSelector: {}}]\n",
    );
    let narrow_on_all = network_policy(
        "allow-worker",
        "{}",
        "  - from: [{podSelector: {matchLabels: {app: worker}}}]\n",
    );
    assert!(redundant(&(BASE.to_owned() + &wide_on_api + &narrow_on_all)).is_empty());
    // A rule matching no pod at all is stale, not covered.
    let stale = network_policy(
        "stale",
        "{matchLabels: {app: api}}",
        "  - from: [{podSelector: {matchLabels: {app: gone}}}]\n",
    );
    assert!(redundant(&(BASE.to_owned() + &wide + &stale)).is_empty());
}

#[test]
fn named_ports_are_compared_after_resolution_and_equal_rules_report_the_later_one() {
    let by_number = network_policy(
        "by-number",
        "{matchLabels: {app: api}}",
        "  - from: [{podSelector: {matchLabels: {app: worker}}}]\n    ports: [{port: 8443}]\n",
    );
    let by_name = network_policy(
        "by-name",
        "{matchLabels: {app: api}}",
        "  - from: [{podSelector: {matchLabels: {app: worker}}}]\n    ports: [{port: https}]\n",
    );
    assert_eq!(
        redundant(&(BASE.to_owned() + &by_number + &by_name)),
        [pair("by-name", 0, "by-number", 0)],
        "https resolves to 8443 on api: the same set, the later rule reported once"
    );
    let other_port = network_policy(
        "other-port",
        "{matchLabels: {app: api}}",
        "  - from: [{podSelector: {matchLabels: {app: worker}}}]\n    ports: [{port: 9090}]\n",
    );
    assert!(redundant(&(BASE.to_owned() + &by_number + &other_port)).is_empty());
}

#[test]
fn a_peer_inside_another_peer_of_the_same_rule_is_redundant() {
    let rule = network_policy(
        "peers",
        "{matchLabels: {app: api}}",
        "  - from:\n    - podSelector: {matchLabels: {app: worker}}\n    - podSelector: {}\n    - ipBlock: {cidr: 10.0.0.0/8}\n    - ipBlock: {cidr: 10.1.0.0/16}\n    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: web}}\n    - podSelector: {matchLabels: {app: gone}}\n",
    );
    let yaml = BASE.to_owned() + &rule;
    let cluster = cluster(&yaml);
    let analysis = Analysis::new(&cluster, Options::default());
    let found: Vec<(usize, usize)> = redundant_peers(&analysis)
        .iter()
        .map(|p| (p.peer.0, p.covered_by.0))
        .collect();
    assert_eq!(
        found,
        [(0, 1), (3, 2)],
        "worker inside all pods of pay, 10.1/16 inside 10/8; web's pods are elsewhere; `gone` matches nothing (stale, not covered)"
    );
    let line_of = |needle: &str| yaml.lines().position(|l| l.contains(needle)).expect("line") + 1;
    let peers = redundant_peers(&analysis);
    assert_eq!(peers[1].peer.1 as usize, line_of("10.1.0.0/16"));
    assert_eq!(peers[1].covered_by.1 as usize, line_of("10.0.0.0/8"));
}

const ALLOW: &str = "---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: api, namespace: pay}\nspec:\n  selector: {matchLabels: {app: api}}\n  rules:\n  - from: [{source: {principals: [cluster.local/ns/web/sa/shop]}}]\n    to: [{operation: {ports: [\"8443\"]}}]\n  - from: [{source: {principals: [cluster.local/ns/pay/sa/worker]}}]\n";

#[test]
fn an_allow_rule_inside_a_deny_rule_of_a_policy_covering_its_workloads_is_shadowed() {
    let deny = "---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: no-web, namespace: pay}\nspec:\n  action: DENY\n  rules:\n  - from: [{source: {namespaces: [web]}}]\n";
    let cluster = cluster(&(BASE.to_owned() + ALLOW + deny));
    let shadowed = shadowed_allow_rules(&cluster);
    assert_eq!(shadowed.len(), 1, "{shadowed:?}");
    let policy = |p: usize| &cluster.authorization_policies[p].name;
    assert_eq!(
        (policy(shadowed[0].allow.policy), shadowed[0].allow.rule),
        (&"api".to_owned(), 0),
        "the rule for web's principal, not the one for pay/worker"
    );
    assert_eq!(policy(shadowed[0].denied_by.policy), "no-web");
    // A DENY that needs a condition the ALLOW rule does not have shadows nothing, nor
    // does one that applies to other workloads only.
    let conditional = deny.replace(
        "  - from: [{source: {namespaces: [web]}}]\n",
        "  - from: [{source: {namespaces: [web]}}]\n    when: [{key: \"request.headers[x-debug]\", values: [\"1\"]}]\n",
    );
    assert!(shadowed_allow_rules(&cluster_of(&conditional)).is_empty());
    let elsewhere = deny.replace(
        "  action: DENY\n",
        "  selector: {matchLabels: {app: worker}}\n  action: DENY\n",
    );
    assert!(shadowed_allow_rules(&cluster_of(&elsewhere)).is_empty());
}

fn cluster_of(deny: &str) -> Cluster {
    cluster(&(BASE.to_owned() + ALLOW + deny))
}

#[test]
fn segmentation_reports_redundant_and_shadowed_rules_at_their_lines() {
    let wide = network_policy("allow-namespace", "{}", "  - from: [{podSelector: {}}]\n");
    let narrow = network_policy(
        "allow-worker",
        "{matchLabels: {app: api}}",
        "  - from: [{podSelector: {matchLabels: {app: worker}}}]\n",
    );
    let deny = "---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: deny-all-web, namespace: pay}\nspec:\n  action: DENY\n  rules:\n  - from: [{source: {namespaces: [\"w*\"]}}]\n";
    let yaml = BASE.to_owned() + &wide + &narrow + ALLOW + deny;
    let report = test(&cluster(&yaml), Options::default());
    let found = |kind: FindingKind| {
        report
            .findings
            .iter()
            .filter(|f| f.kind == kind)
            .collect::<Vec<_>>()
    };
    let redundant = found(FindingKind::RedundantRule);
    assert_eq!(redundant.len(), 1, "{:#?}", report.findings);
    assert_eq!(redundant[0].object.name, "allow-worker");
    let rule_line = yaml
        .lines()
        .position(|l| l.contains("{app: worker}}}]") && !l.contains("ports"))
        .expect("rule line");
    assert_eq!(redundant[0].object.line as usize, rule_line + 1);
    assert!(
        redundant[0].message.contains("allow-namespace"),
        "{}",
        redundant[0].message
    );
    let shadowed = found(FindingKind::ShadowedAllowRule);
    assert_eq!(shadowed.len(), 1, "{:#?}", report.findings);
    assert_eq!(shadowed[0].object.kind, "AuthorizationPolicy");
    assert!(shadowed[0].message.contains("deny-all-web"));
}

#[test]
fn ingress_and_http_route_to_a_service_selecting_cde_pods_are_exposure() {
    let service = "---\napiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: pay}\nspec: {selector: {app: api}, ports: [{port: 443}]}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: shop, namespace: web}\nspec: {selector: {app: shop}, ports: [{port: 80}]}\n";
    let ingress = "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: public, namespace: pay}\nspec:\n  rules:\n  - host: pay.example\n    http:\n      paths:\n      - {path: /, pathType: Prefix, backend: {service: {name: api, port: {number: 443}}}}\n";
    let route = "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: checkout, namespace: web}\nspec:\n  parentRefs: [{name: gw}]\n  rules:\n  - backendRefs: [{name: shop, port: 80}, {name: api, namespace: pay, port: 443}]\n";
    let shop_only = "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: shop, namespace: web}\nspec: {defaultBackend: {service: {name: shop, port: {number: 80}}}}\n";
    let report = test(
        &cluster(&(BASE.to_owned() + service + ingress + route + shop_only)),
        Options::default(),
    );
    let exposed: Vec<(&str, &str)> = report
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::ExposedOutsideCluster)
        .map(|f| (f.object.kind.as_str(), f.object.name.as_str()))
        .collect();
    assert_eq!(
        exposed,
        [("Ingress", "public"), ("HTTPRoute", "checkout")],
        "{:#?}",
        report.findings
    );
}
