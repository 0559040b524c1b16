//! One test per NetworkPolicy semantic rule: each fails if the rule is implemented wrong.

use cdeguard_collect::Target;
use cdeguard_netpol::engine::{Endpoint, HostNetwork, Options};
use cdeguard_netpol::ipset::IpRange;
use cdeguard_netpol::ports::Protocol;
use cdeguard_netpol::{Analysis, Cluster, load};

/// Loads manifests written to a temporary `cluster.yaml`.
fn cluster_with_errors(yaml: &str) -> Cluster {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("cluster.yaml");
    std::fs::write(&path, yaml).expect("write");
    load(&[Target::Path(path)])
}

fn cluster(yaml: &str) -> Cluster {
    let c = cluster_with_errors(yaml);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    c
}

fn pod(name: &str, ns: &str, labels: &str) -> String {
    format!(
        "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: {ns}, labels: {{{labels}}}}}\nspec:\n  containers:\n  - name: c\n    image: x\n    ports:\n    - {{name: http, containerPort: 8080}}\n    - {{name: dns, containerPort: 53, protocol: UDP}}\n"
    )
}

fn policy(name: &str, ns: &str, spec: &str) -> String {
    format!(
        "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n{spec}\n"
    )
}

struct World<'c> {
    analysis: Analysis<'c>,
}

impl World<'_> {
    fn endpoint(&self, id: &str) -> Endpoint {
        if let Ok(ip) = id.parse() {
            return Endpoint::Ip(IpRange::address(ip));
        }
        let (ns, name) = id.split_once('/').expect("ns/name");
        let index = self
            .analysis
            .cluster
            .workloads
            .iter()
            .position(|w| w.namespace == ns && w.name == name)
            .expect("workload");
        self.analysis.endpoint_of(index)
    }

    fn allows(&self, from: &str, to: &str, protocol: Protocol, port: u16) -> bool {
        let (mut s, mut d) = (self.endpoint(from), self.endpoint(to));
        if let Endpoint::Ip(r) = s {
            s = Endpoint::Ip(self.analysis.atom_of(r, true));
        }
        if let Endpoint::Ip(r) = d {
            d = Endpoint::Ip(self.analysis.atom_of(r, false));
        }
        self.analysis.verdict(s, d).conns.contains(protocol, port)
    }

    fn tcp(&self, from: &str, to: &str, port: u16) -> bool {
        self.allows(from, to, Protocol::Tcp, port)
    }
}

fn world(c: &Cluster) -> World<'_> {
    World {
        analysis: Analysis::new(c, Options::default()),
    }
}

fn base() -> String {
    [
        pod("a", "app", "role: a"),
        pod("b", "app", "role: b"),
        pod("db", "data", "role: db"),
        pod("x", "other", "role: x"),
        "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: data, labels: {tier: data}}\n"
            .to_owned(),
    ]
    .concat()
}

#[test]
fn default_allow_until_selected_for_that_direction() {
    let c =
        cluster(&(base() + &policy("in", "data", "  podSelector: {}\n  policyTypes: [Ingress]")));
    let w = world(&c);
    assert!(!w.tcp("app/a", "data/db", 80), "ingress isolated");
    assert!(w.tcp("data/db", "app/a", 80), "egress of db still open");
    assert!(w.tcp("app/a", "app/b", 80), "other namespaces untouched");
}

#[test]
fn policies_are_a_union() {
    let p1 = policy(
        "from-a",
        "data",
        "  podSelector: {}\n  ingress:\n  - from:\n    - namespaceSelector: {}\n      podSelector: {matchLabels: {role: a}}",
    );
    let p2 = policy(
        "from-b",
        "data",
        "  podSelector: {}\n  ingress:\n  - from:\n    - namespaceSelector: {}\n      podSelector: {matchLabels: {role: b}}",
    );
    let c = cluster(&(base() + &p1 + &p2));
    let w = world(&c);
    assert!(w.tcp("app/a", "data/db", 80));
    assert!(w.tcp("app/b", "data/db", 80));
    assert!(!w.tcp("other/x", "data/db", 80));
    let verdict = w
        .analysis
        .verdict(w.endpoint("app/b"), w.endpoint("data/db"));
    assert_eq!(verdict.ingress.selecting.len(), 2);
    assert_eq!(verdict.ingress.allowances.len(), 1, "only from-b allows b");
}

#[test]
fn a_connection_needs_both_egress_and_ingress() {
    let egress_ok = policy(
        "a-out",
        "app",
        "  podSelector: {matchLabels: {role: a}}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - namespaceSelector: {matchLabels: {tier: data}}",
    );
    let ingress_deny = policy(
        "deny",
        "data",
        "  podSelector: {}\n  policyTypes: [Ingress]",
    );
    let c = cluster(&(base() + &egress_ok));
    assert!(world(&c).tcp("app/a", "data/db", 5432));
    assert!(
        !world(&c).tcp("app/a", "other/x", 5432),
        "egress blocks other"
    );
    let c = cluster(&(base() + &egress_ok + &ingress_deny));
    assert!(!world(&c).tcp("app/a", "data/db", 5432), "ingress denies");
}

#[test]
fn pod_and_namespace_selector_in_one_peer_are_anded_separate_peers_ored() {
    let and = policy(
        "and",
        "data",
        "  podSelector: {}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: app}}\n      podSelector: {matchLabels: {role: a}}",
    );
    let or = policy(
        "or",
        "data",
        "  podSelector: {}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: app}}\n    - podSelector: {matchLabels: {role: a}}",
    );
    let c = cluster(&(base() + &and));
    let w = world(&c);
    assert!(w.tcp("app/a", "data/db", 1));
    assert!(!w.tcp("app/b", "data/db", 1));
    let c = cluster(&(base() + &or));
    let w = world(&c);
    assert!(w.tcp("app/b", "data/db", 1), "namespace peer alone");
    assert!(!w.tcp("other/x", "data/db", 1));
}

#[test]
fn pod_selector_alone_means_the_policy_namespace() {
    let p = policy(
        "same-ns",
        "data",
        "  podSelector: {}\n  ingress:\n  - from:\n    - podSelector: {matchLabels: {role: a}}",
    );
    let c = cluster(&(base() + &pod("a2", "data", "role: a") + &p));
    let w = world(&c);
    assert!(!w.tcp("app/a", "data/db", 1), "role=a in another namespace");
    assert!(w.tcp("data/a2", "data/db", 1));
}

#[test]
fn match_expressions_operators() {
    let p = policy(
        "exprs",
        "data",
        "  podSelector: {}\n  ingress:\n  - from:\n    - namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [other]}]}\n      podSelector: {matchExpressions: [{key: role, operator: In, values: [a, x]}, {key: canary, operator: DoesNotExist}]}",
    );
    let c = cluster(&(base() + &pod("a3", "app", "role: a, canary: 'yes'") + &p));
    let w = world(&c);
    assert!(w.tcp("app/a", "data/db", 1));
    assert!(!w.tcp("app/a3", "data/db", 1), "DoesNotExist");
    assert!(!w.tcp("other/x", "data/db", 1), "NotIn on the namespace");
    assert!(!w.tcp("app/b", "data/db", 1), "In");
}

#[test]
fn ip_blocks_with_except_ipv4_and_ipv6() {
    let p = policy(
        "ips",
        "data",
        "  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}\n    - ipBlock: {cidr: '2001:db8::/32', except: ['2001:db8:1::/48']}",
    );
    let c = cluster(&(base() + &p));
    let w = world(&c);
    assert!(w.tcp("10.2.3.4", "data/db", 443));
    assert!(!w.tcp("10.1.3.4", "data/db", 443));
    assert!(!w.tcp("192.168.0.1", "data/db", 443));
    assert!(w.tcp("2001:db8:2::1", "data/db", 443));
    assert!(!w.tcp("2001:db8:1::1", "data/db", 443));
    assert!(
        !w.tcp("app/a", "data/db", 443),
        "ipBlock does not select pods"
    );
    assert!(
        w.tcp("192.168.0.1", "app/a", 443),
        "unselected pods accept external traffic"
    );
}

#[test]
fn egress_ip_blocks_cut_destinations() {
    let p = policy(
        "out",
        "app",
        "  podSelector: {matchLabels: {role: a}}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}",
    );
    let c = cluster(&(base() + &p));
    let w = world(&c);
    assert!(w.tcp("app/a", "8.8.8.8", 443));
    assert!(
        !w.tcp("app/a", "169.254.169.254", 80),
        "metadata endpoint excepted"
    );
    assert!(
        !w.tcp("app/a", "app/b", 80),
        "pods are not matched by ipBlock"
    );
    assert!(!w.tcp("app/a", "::1", 80), "IPv6 not in the block");
}

#[test]
fn named_ports_resolve_against_the_destination() {
    let other_http = "---\napiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: data, labels: {role: web}}\nspec:\n  containers:\n  - name: c\n    image: x\n    ports:\n    - {name: http, containerPort: 9090}\n";
    let p = policy(
        "egress-named",
        "app",
        "  podSelector: {matchLabels: {role: a}}\n  policyTypes: [Egress]\n  egress:\n  - ports: [{port: http}, {port: dns, protocol: UDP}]",
    );
    let c = cluster(&(base() + other_http + &p));
    let w = world(&c);
    assert!(w.tcp("app/a", "data/db", 8080), "db's http is 8080");
    assert!(!w.tcp("app/a", "data/db", 9090));
    assert!(w.tcp("app/a", "data/web", 9090), "web's http is 9090");
    assert!(!w.tcp("app/a", "data/web", 8080));
    assert!(w.allows("app/a", "data/db", Protocol::Udp, 53));
    assert!(
        !w.allows("app/a", "data/web", Protocol::Udp, 53),
        "web has no dns port"
    );
    assert!(
        !w.tcp("app/a", "1.2.3.4", 8080),
        "an address has no named ports"
    );
}

#[test]
fn end_port_ranges_and_protocols() {
    let p = policy(
        "ranges",
        "data",
        "  podSelector: {}\n  ingress:\n  - ports:\n    - {port: 8000, endPort: 8080}\n    - {port: 53, protocol: UDP}\n    - {port: 3868, protocol: SCTP}",
    );
    let c = cluster(&(base() + &p));
    let w = world(&c);
    assert!(w.tcp("app/a", "data/db", 8000) && w.tcp("app/a", "data/db", 8080));
    assert!(!w.tcp("app/a", "data/db", 7999) && !w.tcp("app/a", "data/db", 8081));
    assert!(w.allows("app/a", "data/db", Protocol::Udp, 53));
    assert!(!w.tcp("app/a", "data/db", 53), "UDP rule is not TCP");
    assert!(w.allows("app/a", "data/db", Protocol::Sctp, 3868));
    assert!(
        !w.allows("app/a", "data/db", Protocol::Udp, 8000),
        "default protocol TCP"
    );
}

#[test]
fn policy_types_defaulting() {
    // No policyTypes and `egress: []`: defaulting adds only Ingress.
    let empty_egress = policy(
        "e",
        "app",
        "  podSelector: {matchLabels: {role: a}}\n  egress: []",
    );
    let c = cluster(&(base() + &empty_egress));
    let w = world(&c);
    assert!(w.tcp("app/a", "other/x", 80), "egress not isolated");
    assert!(
        !w.tcp("other/x", "app/a", 80),
        "ingress isolated by default"
    );
    // No policyTypes and a non-empty egress list: Egress is added too.
    let some_egress = policy(
        "e",
        "app",
        "  podSelector: {matchLabels: {role: a}}\n  egress:\n  - to: [{podSelector: {matchLabels: {role: b}}}]",
    );
    let c = cluster(&(base() + &some_egress));
    let w = world(&c);
    assert!(!w.tcp("app/a", "other/x", 80));
    assert!(w.tcp("app/a", "app/b", 80));
    // policyTypes [Egress] only: ingress rules are ignored, ingress stays open.
    let egress_only = policy(
        "e",
        "app",
        "  podSelector: {matchLabels: {role: a}}\n  policyTypes: [Egress]\n  ingress: [{from: [{podSelector: {matchLabels: {role: b}}}]}]",
    );
    let c = cluster(&(base() + &egress_only));
    let w = world(&c);
    assert!(w.tcp("other/x", "app/a", 80));
    assert!(!w.tcp("app/a", "other/x", 80), "egress denied");
}

#[test]
fn empty_from_and_empty_rule_allow_everything() {
    let p = policy("all", "data", "  podSelector: {}\n  ingress:\n  - {}");
    let c = cluster(&(base() + &p));
    let w = world(&c);
    assert!(w.tcp("other/x", "data/db", 1) && w.tcp("8.8.8.8", "data/db", 1));
    assert!(
        w.analysis
            .verdict(w.endpoint("other/x"), w.endpoint("data/db"))
            .conns
            .is_all()
    );
}

#[test]
fn implicit_namespace_name_label_on_undeclared_namespaces() {
    let p = policy(
        "by-name",
        "data",
        "  podSelector: {}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: other}}",
    );
    let c = cluster(&(base() + &p));
    assert!(c.namespaces["other"].declared_at.is_none());
    let w = world(&c);
    assert!(w.tcp("other/x", "data/db", 1));
    assert!(!w.tcp("app/a", "data/db", 1));
}

#[test]
fn host_network_pods_are_unenforced_by_default_and_enforced_like_pods_on_request() {
    let host = "---\napiVersion: v1\nkind: Pod\nmetadata: {name: h, namespace: data, labels: {role: db}}\nspec:\n  hostNetwork: true\n  containers: [{name: c, image: x}]\n";
    let deny = policy(
        "deny",
        "data",
        "  podSelector: {}\n  policyTypes: [Ingress, Egress]",
    );
    let from_db = policy(
        "from-db",
        "app",
        "  podSelector: {}\n  ingress:\n  - from:\n    - namespaceSelector: {}\n      podSelector: {matchLabels: {role: db}}",
    );
    let c = cluster(&(base() + host + &deny + &from_db));
    let w = world(&c);
    assert!(
        w.tcp("app/a", "data/h", 22),
        "policies do not apply to host-network pods"
    );
    assert!(!w.tcp("app/a", "data/db", 22));
    assert!(
        !w.tcp("data/h", "app/a", 22),
        "host-network source is not matched by pod selectors"
    );
    let like_pods = World {
        analysis: Analysis::new(
            &c,
            Options {
                host_network: HostNetwork::LikePods,
            },
        ),
    };
    assert!(!like_pods.tcp("app/a", "data/h", 22));
    assert!(
        !like_pods.tcp("data/h", "app/a", 22),
        "egress denied by deny"
    );
}

#[test]
fn invalid_policies_are_reported_with_file_and_line_and_the_rest_analysed() {
    let bad_op = policy(
        "bad-op",
        "data",
        "  podSelector: {matchExpressions: [{key: a, operator: Equals, values: [b]}]}",
    );
    let bad_cidr = policy(
        "bad-cidr",
        "data",
        "  podSelector: {}\n  ingress:\n  - from: [{ipBlock: {cidr: 10.0.0.0/40}}]",
    );
    let bad_port = policy(
        "bad-port",
        "data",
        "  podSelector: {}\n  ingress:\n  - ports: [{port: Not_A_Name}]",
    );
    let bad_end = policy(
        "bad-end",
        "data",
        "  podSelector: {}\n  ingress:\n  - ports: [{port: 90, endPort: 80}]",
    );
    let good = policy(
        "deny",
        "data",
        "  podSelector: {}\n  policyTypes: [Ingress]",
    );
    let c = cluster_with_errors(
        &(base() + &bad_op + &bad_cidr + &bad_port + &bad_end + &good + &pod("a", "app", "dup: x")),
    );
    let messages: Vec<String> = c.errors.iter().map(ToString::to_string).collect();
    assert_eq!(messages.len(), 5, "{messages:#?}");
    for (message, needle) in messages.iter().zip([
        "Equals",
        "0..=32",
        "Not_A_Name",
        "below",
        "duplicate Pod `a`",
    ]) {
        assert!(message.contains("cluster.yaml:"), "{message}");
        assert!(message.contains(needle), "{message} lacks {needle}");
    }
    assert_eq!(c.policies.len(), 1);
    assert!(
        !world(&c).tcp("app/a", "data/db", 1),
        "the valid policy still applies"
    );
}

#[test]
fn pods_with_identical_labels_share_one_class() {
    let c = cluster(&(base() + &pod("a-twin", "app", "role: a")));
    let w = world(&c);
    assert_eq!(w.endpoint("app/a"), w.endpoint("app/a-twin"));
    assert_ne!(w.endpoint("app/a"), w.endpoint("app/b"));
}

/// A small deterministic generator (no external crates): xorshift.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[usize::try_from(self.next() % items.len() as u64).unwrap_or(0)]
    }
}

fn random_cluster(seed: u64) -> String {
    let mut rng = Rng(seed);
    let namespaces = ["n1", "n2", "n3"];
    let apps = ["web", "api", "db", "cache"];
    let mut yaml = String::new();
    for ns in namespaces {
        yaml += &format!(
            "---\napiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}, labels: {{env: {}}}}}\n",
            rng.pick(&["prod", "dev"])
        );
    }
    for i in 0..12 {
        yaml += &pod(
            &format!("p{i}"),
            rng.pick(&namespaces),
            &format!("app: {}, tier: {}", rng.pick(&apps), rng.pick(&["1", "2"])),
        );
    }
    let peers = [
        "- podSelector: {matchLabels: {app: web}}",
        "- namespaceSelector: {matchLabels: {env: prod}}",
        "- namespaceSelector: {}\n      podSelector: {matchExpressions: [{key: tier, operator: NotIn, values: ['1']}]}",
        "- ipBlock: {cidr: 10.0.0.0/8, except: [10.9.0.0/16]}",
        "- podSelector: {matchExpressions: [{key: app, operator: In, values: [db, api]}]}",
    ];
    let ports = [
        "",
        "\n    ports: [{port: http}]",
        "\n    ports: [{port: 80, endPort: 90}, {port: dns, protocol: UDP}]",
        "\n    ports: [{port: 53, protocol: UDP}]",
    ];
    for i in 0..6 {
        let direction = rng.pick(&["ingress", "egress"]);
        let peer_key = if direction == "ingress" { "from" } else { "to" };
        let types = if direction == "ingress" {
            "Ingress"
        } else {
            "Egress"
        };
        yaml += &policy(
            &format!("np{i}"),
            rng.pick(&namespaces),
            &format!(
                "  podSelector: {{matchLabels: {{app: {}}}}}\n  policyTypes: [{types}]\n  {direction}:\n  - {peer_key}:\n    {}{}",
                rng.pick(&apps),
                rng.pick(&peers),
                rng.pick(&ports)
            ),
        );
    }
    yaml
}

#[test]
fn matrix_fast_path_agrees_with_pairwise_verdicts_on_random_clusters() {
    for seed in 1..=40u64 {
        let c = cluster(&random_cluster(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15)));
        let analysis = Analysis::new(&c, Options::default());
        let mut fast = std::collections::BTreeMap::new();
        analysis.for_each_edge(|s, d, conns| {
            fast.insert((s, d), conns.clone());
        });
        let n = analysis.classes.len();
        let mut endpoints_src: Vec<Endpoint> = (0..n).map(Endpoint::Class).collect();
        let mut endpoints_dst = endpoints_src.clone();
        endpoints_src.extend(analysis.source_atoms.iter().map(|a| Endpoint::Ip(*a)));
        endpoints_dst.extend(analysis.destination_atoms.iter().map(|a| Endpoint::Ip(*a)));
        for &s in &endpoints_src {
            for &d in &endpoints_dst {
                if matches!((s, d), (Endpoint::Ip(_), Endpoint::Ip(_))) {
                    continue;
                }
                let slow = analysis.verdict(s, d).conns;
                let got = fast.get(&(s, d)).cloned().unwrap_or_default();
                assert_eq!(got, slow, "seed {seed}: {s:?} -> {d:?}");
            }
        }
    }
}
