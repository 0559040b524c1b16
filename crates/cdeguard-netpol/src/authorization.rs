//! Istio `AuthorizationPolicy`: which requests the destination's sidecar lets through.
//!
//! What: the policies that apply to a workload are the root namespace's (`istio-system`)
//! without selector (mesh-wide) or whose `selector` matches it, its namespace's without
//! selector, those whose `selector` matches it, and those whose `targetRefs` name a
//! Service of its namespace that selects it (`targetRefs` to a Gateway apply to the
//! gateway, not to the workload). They are evaluated in Istio's order: a matching CUSTOM
//! policy hands the request to its external provider; a matching DENY policy denies; with
//! no ALLOW policy the request is allowed; otherwise a matching ALLOW policy allows and
//! anything else is denied. AUDIT policies never change the decision. An ALLOW policy
//! without rules matches nothing (it denies all); a rule `{}` matches everything. Inside
//! a rule, `from`, `to` and `when` are ANDed; the entries of `from` (and of `to`) are
//! ORed; the fields of one source or operation are ANDed; the values of one field are
//! ORed; `notX` negates. Values match exactly, by prefix (`abc*`), by suffix (`*abc`)
//! or, for `*`, any non-empty value. Principals (`cluster.local/ns/NS/sa/SA`) and
//! namespaces come from the peer's mTLS certificate: a plaintext request has neither.
//! What cannot be known from manifests makes a match conditional, listed in the verdict:
//! HTTP fields (`hosts`, `methods`, `paths`), JWT principals, `when` conditions, a pod's
//! IP against `ipBlocks`, a port when the question is about every port, the service
//! account of a pod anyone may create, and a CUSTOM provider's answer.
//!
//! Why: PCI DSS 1.3.1 and 7.2.1 restrict access into the CDE to what is necessary; in a
//! mesh, AuthorizationPolicy is the control that does so per identity, on top of
//! NetworkPolicy. A path NetworkPolicy allows but a DENY policy blocks is not open.
//!
//! Example (failing): `payments` has an ALLOW policy `{from: [{source: {namespaces:
//! [storefront]}}]}` and PeerAuthentication PERMISSIVE: a plaintext client in
//! `marketing` has no namespace, is not matched, and is denied; a client in `storefront`
//! with a sidecar is allowed. Passing: every CDE workload has an ALLOW policy naming the
//! principals that need it.
//!
//! Fix: add a namespace-wide `allow-nothing` (`spec: {}`) in each CDE namespace, then
//! ALLOW policies naming the connected-to principals (and ports).

use std::fmt;

use serde::Serialize;

use cdeguard_model::{K8sObject, Node};

use crate::cluster::{Cluster, Workload};
use crate::ipset::{IpRange, parse_cidr};
use crate::mesh::{ROOT_NAMESPACE, istio_selector};
use crate::selector::Selector;

/// The trust domain of workload principals.
pub const TRUST_DOMAIN: &str = "cluster.local";

/// `action` of a policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Allow,
    Deny,
    Audit,
    /// The external authorizer named by `provider.name`.
    Custom(String),
}

/// What a field of a source, operation or condition compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attribute {
    Principal,
    RequestPrincipal,
    Namespace,
    IpBlock,
    RemoteIpBlock,
    Host,
    Port,
    Method,
    Path,
    /// A `when` condition (`key` kept in the values' description).
    Condition,
}

/// One field (`principals`, `notPorts`, a `when` key ...) with its values.
#[derive(Clone, Debug)]
pub struct Field {
    pub attribute: Attribute,
    /// The field's name as written (`notPrincipals`, `request.headers[x]`).
    pub name: String,
    pub values: Vec<String>,
    pub negated: bool,
}

/// A rule: `from` entries (ORed, each a list of ANDed fields), `to` entries, `when`.
#[derive(Clone, Debug)]
pub struct AuthorizationRule {
    pub line: u32,
    pub from: Vec<Vec<Field>>,
    pub to: Vec<Vec<Field>>,
    pub when: Vec<Field>,
}

/// Where a policy applies inside its namespace.
#[derive(Clone, Debug)]
pub enum Target {
    /// No `selector` or `targetRefs`: every workload (of the mesh, in the root namespace).
    All,
    Selector(Selector),
    /// `targetRefs` of kind Service: the workloads those Services select.
    Services(Vec<String>),
    /// `targetRefs` to Gateways only: no sidecar workload.
    Gateways,
}

/// An AuthorizationPolicy as read.
#[derive(Clone, Debug)]
pub struct AuthorizationPolicy {
    pub name: String,
    pub namespace: String,
    pub target: Target,
    pub action: Action,
    /// `None`: `rules` absent (ALLOW: matches nothing).
    pub rules: Vec<AuthorizationRule>,
    pub location: String,
}

impl AuthorizationPolicy {
    /// `AuthorizationPolicy ns/name (file:line)`.
    #[must_use]
    pub fn reference(&self) -> String {
        format!(
            "AuthorizationPolicy {}/{} ({})",
            self.namespace, self.name, self.location
        )
    }
}

const SOURCE_FIELDS: [(&str, Attribute); 5] = [
    ("principals", Attribute::Principal),
    ("requestPrincipals", Attribute::RequestPrincipal),
    ("namespaces", Attribute::Namespace),
    ("ipBlocks", Attribute::IpBlock),
    ("remoteIpBlocks", Attribute::RemoteIpBlock),
];

const OPERATION_FIELDS: [(&str, Attribute); 4] = [
    ("hosts", Attribute::Host),
    ("ports", Attribute::Port),
    ("methods", Attribute::Method),
    ("paths", Attribute::Path),
];

fn strings(node: &Node, what: &str) -> Result<Vec<String>, (u32, String)> {
    node.items()
        .iter()
        .map(|v| {
            v.scalar_text()
                .ok_or_else(|| (v.line, format!("`{what}` values must be strings")))
        })
        .collect()
}

fn fields(node: &Node, known: &[(&'static str, Attribute)]) -> Result<Vec<Field>, (u32, String)> {
    let mut out = Vec::new();
    for (name, attribute) in known {
        let negated_name = format!("not{}{}", name[..1].to_ascii_uppercase(), &name[1..]);
        for (field_name, negated) in [((*name).to_owned(), false), (negated_name, true)] {
            let Some(values) = node.get(&field_name) else {
                continue;
            };
            let values = strings(values, &field_name)?;
            for value in &values {
                check_value(*attribute, value).map_err(|m| (node.line, m))?;
            }
            out.push(Field {
                attribute: *attribute,
                name: field_name,
                values,
                negated,
            });
        }
    }
    Ok(out)
}

fn check_value(attribute: Attribute, value: &str) -> Result<(), String> {
    match attribute {
        Attribute::IpBlock | Attribute::RemoteIpBlock => ip_range(value).map(|_| ()),
        Attribute::Port => value
            .parse::<u16>()
            .ok()
            .filter(|p| *p >= 1)
            .map(|_| ())
            .ok_or_else(|| format!("port `{value}` is not a number in 1..=65535")),
        _ => Ok(()),
    }
}

/// An address or CIDR as Istio's `ipBlocks` accept them.
fn ip_range(text: &str) -> Result<IpRange, String> {
    if text.contains('/') {
        parse_cidr(text)
    } else {
        text.parse::<std::net::IpAddr>()
            .map(IpRange::address)
            .map_err(|_| format!("`{text}` is not an IP address or CIDR"))
    }
}

fn parse_rule(rule: &Node) -> Result<AuthorizationRule, (u32, String)> {
    let mut from = Vec::new();
    for entry in rule.get("from").map(Node::items).unwrap_or_default() {
        from.push(fields(
            entry.get("source").unwrap_or(Node::null()),
            &SOURCE_FIELDS,
        )?);
    }
    let mut to = Vec::new();
    for entry in rule.get("to").map(Node::items).unwrap_or_default() {
        to.push(fields(
            entry.get("operation").unwrap_or(Node::null()),
            &OPERATION_FIELDS,
        )?);
    }
    let mut when = Vec::new();
    for condition in rule.get("when").map(Node::items).unwrap_or_default() {
        let key = condition.get("key").and_then(Node::as_str).ok_or_else(|| {
            (
                condition.line,
                "a `when` condition needs a `key`".to_owned(),
            )
        })?;
        for (field, negated) in [("values", false), ("notValues", true)] {
            if let Some(values) = condition.get(field) {
                when.push(Field {
                    attribute: Attribute::Condition,
                    name: key.to_owned(),
                    values: strings(values, field)?,
                    negated,
                });
            }
        }
    }
    Ok(AuthorizationRule {
        line: rule.line,
        from,
        to,
        when,
    })
}

/// Reads an AuthorizationPolicy object; an error carries the line and the reason.
pub fn parse_authorization_policy(
    object: &K8sObject,
    path: &str,
) -> Result<AuthorizationPolicy, (u32, String)> {
    let spec = object.body.get("spec").unwrap_or(Node::null());
    let action = match spec.get("action") {
        None => Action::Allow,
        Some(node) => match node.as_str() {
            Some("ALLOW") => Action::Allow,
            Some("DENY") => Action::Deny,
            Some("AUDIT") => Action::Audit,
            Some("CUSTOM") => Action::Custom(
                spec.path(&["provider", "name"])
                    .and_then(Node::as_str)
                    .ok_or_else(|| (node.line, "CUSTOM needs `provider.name`".to_owned()))?
                    .to_owned(),
            ),
            _ => {
                return Err((
                    node.line,
                    "`action` must be ALLOW, DENY, AUDIT or CUSTOM".to_owned(),
                ));
            }
        },
    };
    let refs: Vec<&Node> = spec
        .get("targetRefs")
        .map(|n| n.items().iter().collect())
        .or_else(|| spec.get("targetRef").map(|n| vec![n]))
        .unwrap_or_default();
    let target = match (
        spec.get("selector").and_then(istio_selector),
        refs.is_empty(),
    ) {
        (Some(_), false) => {
            return Err((
                spec.line,
                "`selector` and `targetRefs` are exclusive".to_owned(),
            ));
        }
        (Some(selector), true) => Target::Selector(selector),
        (None, true) => Target::All,
        (None, false) => {
            let services: Vec<String> = refs
                .iter()
                .filter(|r| r.get("kind").and_then(Node::as_str) == Some("Service"))
                .filter_map(|r| r.get("name").and_then(Node::as_str).map(str::to_owned))
                .collect();
            if services.is_empty() {
                Target::Gateways
            } else {
                Target::Services(services)
            }
        }
    };
    let rules = spec
        .get("rules")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .map(parse_rule)
        .collect::<Result<_, _>>()?;
    Ok(AuthorizationPolicy {
        name: object.name.clone(),
        namespace: object.namespace_or_default().to_owned(),
        target,
        action,
        rules,
        location: format!("{path}:{}", object.loc.line),
    })
}

/// Three-valued match: a request matches, does not, or matches only under conditions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Match {
    No,
    Yes,
    /// Matches the requests that meet these conditions (ORed alternatives, each ANDed).
    Maybe(Vec<String>),
}

impl Match {
    fn and(self, other: Match) -> Match {
        match (self, other) {
            (Match::No, _) | (_, Match::No) => Match::No,
            (Match::Yes, m) | (m, Match::Yes) => m,
            (Match::Maybe(a), Match::Maybe(b)) => {
                Match::Maybe(vec![format!("{} and {}", a.join(" or "), b.join(" or "))])
            }
        }
    }

    fn or(self, other: Match) -> Match {
        match (self, other) {
            (Match::Yes, _) | (_, Match::Yes) => Match::Yes,
            (Match::No, m) | (m, Match::No) => m,
            (Match::Maybe(mut a), Match::Maybe(b)) => {
                a.extend(b);
                Match::Maybe(a)
            }
        }
    }

    fn all(matches: impl IntoIterator<Item = Match>) -> Match {
        matches.into_iter().fold(Match::Yes, Match::and)
    }

    fn any(matches: impl IntoIterator<Item = Match>) -> Match {
        matches.into_iter().fold(Match::No, Match::or)
    }
}

/// Who sends the request, as the destination's sidecar sees it.
#[derive(Clone, Debug)]
pub enum Peer {
    /// A pod; `service_account: None` when it may run as any service account of its
    /// namespace (a pod anyone allowed to deploy there may create).
    Pod {
        namespace: String,
        service_account: Option<String>,
    },
    /// An address outside the cluster's pods.
    Address(IpRange),
}

/// The request being decided.
#[derive(Clone, Debug)]
pub struct Request {
    pub peer: Peer,
    /// Whether the connection is Istio mTLS (the peer's identity is known).
    pub mtls: bool,
    /// Destination port; `None` asks about every port.
    pub port: Option<u16>,
}

/// Istio's string match: exact, `prefix*`, `*suffix`, or `*` for any non-empty value.
#[must_use]
pub fn string_matches(pattern: &str, value: &str) -> bool {
    if pattern == "*" {
        return !value.is_empty();
    }
    if let Some(prefix) = pattern.strip_suffix('*') {
        return value.starts_with(prefix);
    }
    if let Some(suffix) = pattern.strip_prefix('*') {
        return value.ends_with(suffix);
    }
    pattern == value
}

fn principal_match(pattern: &str, peer: &Peer) -> Match {
    let Peer::Pod {
        namespace,
        service_account,
    } = peer
    else {
        return Match::No;
    };
    let prefix = format!("{TRUST_DOMAIN}/ns/{namespace}/sa/");
    match service_account {
        Some(sa) => bool_match(string_matches(pattern, &format!("{prefix}{sa}"))),
        None => {
            // Any service account of the namespace: every one matches, or some may.
            let all = pattern == "*"
                || pattern
                    .strip_suffix('*')
                    .is_some_and(|p| prefix.starts_with(p));
            let some = pattern.starts_with(&prefix)
                || pattern.starts_with('*')
                || pattern
                    .strip_suffix('*')
                    .is_some_and(|p| p.starts_with(&prefix));
            if all {
                Match::Yes
            } else if some {
                Match::Maybe(vec![format!("the pod runs as principal {pattern}")])
            } else {
                Match::No
            }
        }
    }
}

fn bool_match(yes: bool) -> Match {
    if yes { Match::Yes } else { Match::No }
}

fn value_match(field: &Field, value: &str, request: &Request) -> Match {
    match field.attribute {
        Attribute::Principal if request.mtls => principal_match(value, &request.peer),
        Attribute::Namespace if request.mtls => match &request.peer {
            Peer::Pod { namespace, .. } => bool_match(string_matches(value, namespace)),
            Peer::Address(_) => Match::No,
        },
        // Without mTLS there is no peer certificate, so no principal and no namespace.
        Attribute::Principal | Attribute::Namespace => Match::No,
        Attribute::IpBlock | Attribute::RemoteIpBlock => match (&request.peer, ip_range(value)) {
            (Peer::Address(address), Ok(block)) => {
                if block.family != address.family
                    || block.last < address.first
                    || address.last < block.first
                {
                    Match::No
                } else if block.first <= address.first && address.last <= block.last {
                    Match::Yes
                } else {
                    Match::Maybe(vec![format!("source address in {value}")])
                }
            }
            _ => Match::Maybe(vec![format!("source address in {value}")]),
        },
        Attribute::Port => match (request.port, value.parse::<u16>()) {
            (Some(port), Ok(wanted)) => bool_match(port == wanted),
            _ => Match::Maybe(vec![format!("port {value}")]),
        },
        Attribute::RequestPrincipal
        | Attribute::Host
        | Attribute::Method
        | Attribute::Path
        | Attribute::Condition => Match::Maybe(vec![format!("{} {value}", field.name)]),
    }
}

fn field_match(field: &Field, request: &Request) -> Match {
    let any = Match::any(field.values.iter().map(|v| value_match(field, v, request)));
    if !field.negated {
        return any;
    }
    match any {
        Match::Yes => Match::No,
        Match::No => Match::Yes,
        Match::Maybe(_) => Match::Maybe(vec![format!(
            "{} not in [{}]",
            field.name,
            field.values.join(", ")
        )]),
    }
}

fn fields_match(fields: &[Field], request: &Request) -> Match {
    Match::all(fields.iter().map(|f| field_match(f, request)))
}

fn entries_match(entries: &[Vec<Field>], request: &Request) -> Match {
    if entries.is_empty() {
        return Match::Yes;
    }
    Match::any(entries.iter().map(|e| fields_match(e, request)))
}

/// Whether a rule matches the request.
#[must_use]
pub fn rule_matches(rule: &AuthorizationRule, request: &Request) -> Match {
    entries_match(&rule.from, request)
        .and(entries_match(&rule.to, request))
        .and(fields_match(&rule.when, request))
}

/// Whether a policy matches the request (any rule; none when it has no rules).
#[must_use]
pub fn policy_matches(policy: &AuthorizationPolicy, request: &Request) -> Match {
    Match::any(policy.rules.iter().map(|r| rule_matches(r, request)))
}

/// Whether a policy applies to a workload.
#[must_use]
pub fn applies_to(policy: &AuthorizationPolicy, cluster: &Cluster, workload: &Workload) -> bool {
    let in_scope = policy.namespace == workload.namespace || policy.namespace == ROOT_NAMESPACE;
    in_scope
        && match &policy.target {
            Target::All => true,
            Target::Selector(selector) => selector.matches(&workload.labels),
            Target::Services(names) => cluster.services.iter().any(|s| {
                s.namespace == policy.namespace
                    && s.namespace == workload.namespace
                    && names.contains(&s.name)
                    && s.selects(workload)
            }),
            Target::Gateways => false,
        }
}

/// The authorization decision for one request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "decision", rename_all = "kebab-case")]
pub enum Decision {
    /// Allowed; `by` names the ALLOW policy, or why nothing restricts it.
    Allowed {
        by: String,
    },
    Denied {
        by: String,
    },
    /// Allowed only for the requests meeting one of the conditions.
    Conditional {
        conditions: Vec<String>,
    },
}

impl Decision {
    #[must_use]
    pub fn is_denied(&self) -> bool {
        matches!(self, Decision::Denied { .. })
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Decision::Allowed { by } => write!(f, "allowed ({by})"),
            Decision::Denied { by } => write!(f, "denied by {by}"),
            Decision::Conditional { conditions } => {
                write!(f, "allowed for some requests: {}", conditions.join("; "))
            }
        }
    }
}

/// Istio's decision for a request to `workload` under `policies` (all of the cluster's;
/// those that do not apply are skipped). `sidecar`: whether the workload has one (without
/// it nothing enforces AuthorizationPolicy).
#[must_use]
pub fn decide(
    cluster: &Cluster,
    policies: &[AuthorizationPolicy],
    workload: &Workload,
    sidecar: bool,
    request: &Request,
) -> Decision {
    if !sidecar {
        return Decision::Allowed {
            by: "no sidecar: AuthorizationPolicy is not enforced".to_owned(),
        };
    }
    let applicable: Vec<&AuthorizationPolicy> = policies
        .iter()
        .filter(|p| applies_to(p, cluster, workload))
        .collect();
    let mut conditions = Vec::new();
    for policy in applicable
        .iter()
        .filter(|p| matches!(p.action, Action::Custom(_)))
    {
        let Action::Custom(provider) = &policy.action else {
            continue;
        };
        match policy_matches(policy, request) {
            Match::No => {}
            Match::Yes => conditions.push(format!(
                "external authorizer `{provider}` allows ({})",
                policy.reference()
            )),
            Match::Maybe(when) => conditions.push(format!(
                "external authorizer `{provider}` allows when {} ({})",
                when.join(" or "),
                policy.reference()
            )),
        }
    }
    for policy in applicable.iter().filter(|p| p.action == Action::Deny) {
        match policy_matches(policy, request) {
            Match::No => {}
            Match::Yes => {
                return Decision::Denied {
                    by: policy.reference(),
                };
            }
            Match::Maybe(when) => conditions.push(format!(
                "not ({}) (denied by {})",
                when.join(" or "),
                policy.reference()
            )),
        }
    }
    let allow: Vec<&&AuthorizationPolicy> = applicable
        .iter()
        .filter(|p| p.action == Action::Allow)
        .collect();
    let allowed_by = if allow.is_empty() {
        "no ALLOW policy applies".to_owned()
    } else {
        let mut maybe = Vec::new();
        let mut yes = None;
        for policy in &allow {
            match policy_matches(policy, request) {
                Match::No => {}
                Match::Yes => {
                    yes = Some(policy.reference());
                    break;
                }
                Match::Maybe(when) => {
                    maybe.push(format!("{} ({})", when.join(" or "), policy.reference()));
                }
            }
        }
        match yes {
            Some(by) => by,
            None if maybe.is_empty() => {
                let names: Vec<String> = allow.iter().map(|p| p.reference()).collect();
                return Decision::Denied {
                    by: format!("no matching ALLOW policy ({})", names.join(", ")),
                };
            }
            None => {
                conditions.push(format!("allowed only if {}", maybe.join(" or ")));
                String::new()
            }
        }
    };
    if conditions.is_empty() {
        Decision::Allowed { by: allowed_by }
    } else {
        Decision::Conditional { conditions }
    }
}
