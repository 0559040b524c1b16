//! Rendering reachability: the full matrix (text, JSON, DOT) and per-pair explanations.
//!
//! What: one line (or JSON edge, or DOT edge) per pair of endpoints with some allowed
//! connection, `SRC => DST : connections` in the notation of IBM's
//! network-config-analyzer; explanations name the policies (namespace/name, file:line)
//! that isolate each side and the rules that allow the traffic.
//!
//! Why: PCI DSS 1.2.3/1.2.4 ask for an accurate network diagram and data-flow diagram;
//! the matrix and the DOT graph are that diagram for the cluster network, and each answer
//! is evidence only when it cites its policies.
//!
//! Example: `default/frontend[Deployment] => default/cart[Deployment] :
//! {protocols:TCP,dst_ports:7070}`; in a mesh the line goes on with the Istio verdict
//! per port: `/ mesh: TCP/7070: mTLS, allowed`.

use std::collections::{BTreeSet, HashMap};
use std::io::{self, Write};

use serde::Serialize;

use crate::engine::{Analysis, DirectionVerdict, Endpoint, Verdict};
use crate::ipset::IpRange;
use crate::mesh_verdict::{Mesh, MeshVerdict};
use crate::ports::{Conns, Protocol};

/// Output format of the matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Dot,
}

/// Why one direction allowed or blocked a pair, as evidence.
#[derive(Clone, Debug, Serialize)]
pub struct DirectionReason {
    pub direction: crate::policy::Direction,
    /// Whether policies decide this direction.
    pub enforced: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'static str>,
    /// Policies selecting the pod for this direction: `ns/name (file:line)`.
    pub isolated_by: Vec<String>,
    pub allowed_by: Vec<RuleReason>,
    pub connections: String,
}

/// One rule that allowed traffic.
#[derive(Clone, Debug, Serialize)]
pub struct RuleReason {
    pub policy: String,
    /// `file:line` of the rule.
    pub rule: String,
    pub connections: String,
}

/// Both directions of a pair.
#[derive(Clone, Debug, Serialize)]
pub struct Explanation {
    pub from: String,
    pub to: String,
    pub allowed: bool,
    pub connections: String,
    pub egress: DirectionReason,
    pub ingress: DirectionReason,
    /// The Istio layer per port, when the manifests configure a mesh.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mesh: Vec<MeshVerdict>,
}

fn direction_reason(analysis: &Analysis<'_>, verdict: &DirectionVerdict) -> DirectionReason {
    let policies = &analysis.cluster.policies;
    DirectionReason {
        direction: verdict.direction,
        enforced: verdict.isolated,
        note: verdict.unenforced_reason,
        isolated_by: verdict
            .selecting
            .iter()
            .map(|&p| policies[p].reference())
            .collect(),
        allowed_by: verdict
            .allowances
            .iter()
            .map(|a| RuleReason {
                policy: policies[a.policy].id(),
                rule: format!("{}:{}", policies[a.policy].path, a.rule_line),
                connections: a.conns.to_string(),
            })
            .collect(),
        connections: verdict.conns.to_string(),
    }
}

/// Explains a verdict with the policies responsible.
#[must_use]
pub fn explain(
    analysis: &Analysis<'_>,
    from: String,
    to: String,
    verdict: &Verdict,
) -> Explanation {
    Explanation {
        from,
        to,
        allowed: !verdict.conns.is_empty(),
        connections: verdict.conns.to_string(),
        egress: direction_reason(analysis, &verdict.egress),
        ingress: direction_reason(analysis, &verdict.ingress),
        mesh: Vec::new(),
    }
}

/// Human-readable lines of an explanation (indented by two spaces).
#[must_use]
pub fn explanation_lines(explanation: &Explanation) -> Vec<String> {
    let mut lines = Vec::new();
    for reason in [&explanation.egress, &explanation.ingress] {
        let side = match reason.direction {
            crate::policy::Direction::Egress => format!("egress of {}", explanation.from),
            crate::policy::Direction::Ingress => format!("ingress of {}", explanation.to),
        };
        if !reason.enforced {
            lines.push(format!(
                "  {side}: allowed ({})",
                reason.note.unwrap_or("not enforced")
            ));
            continue;
        }
        lines.push(format!(
            "  {side}: isolated by {}",
            reason.isolated_by.join(", ")
        ));
        if reason.allowed_by.is_empty() {
            lines.push("    no rule of these policies allows this traffic: BLOCKED".to_owned());
        }
        for rule in &reason.allowed_by {
            lines.push(format!(
                "    allowed by {} rule at {}: {}",
                rule.policy, rule.rule, rule.connections
            ));
        }
    }
    for verdict in &explanation.mesh {
        lines.push(format!(
            "  mesh {} {verdict}",
            if verdict.open { "OPEN  " } else { "CLOSED" }
        ));
    }
    lines
}

#[derive(Serialize)]
struct JsonEdge<'a> {
    from: &'a str,
    to: &'a str,
    connections: String,
    ports: JsonPorts,
    #[serde(skip_serializing_if = "Option::is_none")]
    explanation: Option<Explanation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    mesh: Vec<MeshVerdict>,
}

#[derive(Serialize)]
struct JsonPorts {
    #[serde(rename = "TCP")]
    tcp: Vec<(u16, u16)>,
    #[serde(rename = "UDP")]
    udp: Vec<(u16, u16)>,
    #[serde(rename = "SCTP")]
    sctp: Vec<(u16, u16)>,
    other_protocols: bool,
}

impl JsonPorts {
    fn of(conns: &Conns) -> Self {
        JsonPorts {
            tcp: conns.ports(Protocol::Tcp).ranges().to_vec(),
            udp: conns.ports(Protocol::Udp).ranges().to_vec(),
            sctp: conns.ports(Protocol::Sctp).ranges().to_vec(),
            other_protocols: conns.other_protocols(),
        }
    }
}

#[derive(Serialize)]
struct JsonClass {
    name: String,
    namespace: String,
    labels: crate::selector::Labels,
    host_network: bool,
    workloads: Vec<JsonWorkload>,
}

#[derive(Serialize)]
struct JsonWorkload {
    kind: String,
    name: String,
    location: String,
}

/// Writes the matrix. `explain` adds the policies responsible to every edge;
/// `highlight` names classes drawn as CDE in DOT; `mesh` (when the manifests configure
/// Istio) adds the mesh verdict of every edge next to the NetworkPolicy one.
pub fn render(
    analysis: &Analysis<'_>,
    format: Format,
    explain_edges: bool,
    highlight: &BTreeSet<usize>,
    mesh: Option<&Mesh<'_>>,
    out: &mut dyn Write,
) -> io::Result<()> {
    // Names once per endpoint and connection sets once per distinct value: a dense
    // matrix has millions of edges.
    let class_names: Vec<String> = (0..analysis.classes.len())
        .map(|c| analysis.class_name(c))
        .collect();
    let mut ip_names: HashMap<IpRange, String> = HashMap::new();
    let mut conn_ids: HashMap<Conns, u32> = HashMap::new();
    let mut conn_sets: Vec<Conns> = Vec::new();
    let mut raw: Vec<(Endpoint, Endpoint, u32)> = Vec::new();
    analysis.for_each_edge(|s, d, c| {
        for endpoint in [s, d] {
            if let Endpoint::Ip(range) = endpoint {
                ip_names.entry(range).or_insert_with(|| range.to_string());
            }
        }
        let id = match conn_ids.get(c) {
            Some(&id) => id,
            None => {
                let id = u32::try_from(conn_sets.len()).unwrap_or(u32::MAX);
                conn_sets.push(c.clone());
                conn_ids.insert(c.clone(), id);
                id
            }
        };
        raw.push((s, d, id));
    });
    let name = |endpoint: Endpoint| -> &str {
        match endpoint {
            Endpoint::Class(c) => &class_names[c],
            Endpoint::Ip(range) => ip_names.get(&range).map_or("", String::as_str),
        }
    };
    raw.sort_by(|a, b| (name(a.0), name(a.1)).cmp(&(name(b.0), name(b.1))));
    let edges: Vec<(&str, &str, Endpoint, Endpoint, &Conns)> = raw
        .iter()
        .map(|&(s, d, id)| (name(s), name(d), s, d, &conn_sets[id as usize]))
        .collect();
    let mesh_verdicts = |s: Endpoint, d: Endpoint, conns: &Conns| -> Vec<MeshVerdict> {
        mesh.map(|m| m.endpoint_verdicts(analysis, s, d, conns))
            .unwrap_or_default()
    };
    let explanation = |s: Endpoint, d: Endpoint, from: &str, to: &str| {
        let verdict = analysis.verdict(s, d);
        let mut explanation = explain(analysis, from.to_owned(), to.to_owned(), &verdict);
        explanation.mesh = mesh_verdicts(s, d, &verdict.conns);
        explanation
    };
    match format {
        Format::Text => {
            for (from, to, s, d, conns) in &edges {
                if explain_edges || mesh.is_none() {
                    writeln!(out, "{from} => {to} : {conns}")?;
                } else {
                    let verdicts: Vec<String> = mesh_verdicts(*s, *d, conns)
                        .iter()
                        .map(MeshVerdict::short)
                        .collect();
                    if verdicts.is_empty() {
                        writeln!(out, "{from} => {to} : {conns}")?;
                    } else {
                        writeln!(
                            out,
                            "{from} => {to} : {conns} / mesh: {}",
                            verdicts.join("; ")
                        )?;
                    }
                }
                if explain_edges {
                    for line in explanation_lines(&explanation(*s, *d, from, to)) {
                        writeln!(out, "{line}")?;
                    }
                }
            }
        }
        Format::Json => {
            let classes: Vec<JsonClass> = (0..analysis.classes.len())
                .map(|c| {
                    let class = &analysis.classes[c];
                    JsonClass {
                        name: analysis.class_name(c),
                        namespace: class.namespace.clone(),
                        labels: class.labels.clone(),
                        host_network: class.host_network,
                        workloads: class
                            .members
                            .iter()
                            .map(|&w| {
                                let w = &analysis.cluster.workloads[w];
                                JsonWorkload {
                                    kind: w.kind.clone(),
                                    name: w.name.clone(),
                                    location: w.location(),
                                }
                            })
                            .collect(),
                    }
                })
                .collect();
            write!(out, "{{\"classes\":")?;
            serde_json::to_writer(&mut *out, &classes)?;
            write!(out, ",\"edges\":[")?;
            for (i, (from, to, s, d, conns)) in edges.iter().enumerate() {
                if i > 0 {
                    write!(out, ",")?;
                }
                let edge = JsonEdge {
                    from,
                    to,
                    connections: conns.to_string(),
                    ports: JsonPorts::of(conns),
                    explanation: explain_edges.then(|| explanation(*s, *d, from, to)),
                    mesh: if explain_edges {
                        Vec::new()
                    } else {
                        mesh_verdicts(*s, *d, conns)
                    },
                };
                writeln!(out)?;
                serde_json::to_writer(&mut *out, &edge)?;
            }
            writeln!(out, "\n]}}")?;
        }
        Format::Dot => {
            writeln!(out, "digraph reachability {{")?;
            writeln!(out, "  rankdir=LR;")?;
            writeln!(out, "  node [shape=box, fontname=\"Helvetica\"];")?;
            let mut nodes: BTreeSet<(String, bool, bool)> = BTreeSet::new();
            for (from, to, s, d, _) in &edges {
                for (name, endpoint) in [(from, s), (to, d)] {
                    let (is_ip, cde) = match endpoint {
                        Endpoint::Ip(_) => (true, false),
                        Endpoint::Class(c) => (false, highlight.contains(c)),
                    };
                    nodes.insert(((*name).to_owned(), is_ip, cde));
                }
            }
            for (name, is_ip, cde) in &nodes {
                let style = match (is_ip, cde) {
                    (true, _) => "shape=ellipse, style=dashed",
                    (false, true) => "style=filled, fillcolor=\"#f4a6a6\", color=red, penwidth=2",
                    (false, false) => "style=rounded",
                };
                writeln!(out, "  {} [{style}];", dot_quote(name))?;
            }
            for (from, to, _, _, conns) in &edges {
                writeln!(
                    out,
                    "  {} -> {} [label={}];",
                    dot_quote(from),
                    dot_quote(to),
                    dot_quote(&conns.to_string())
                )?;
            }
            writeln!(out, "}}")?;
        }
    }
    Ok(())
}

/// A DOT string literal.
#[must_use]
pub fn dot_quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}
