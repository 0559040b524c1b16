//! NetworkPolicy objects as the API server stores them (validated and defaulted).
//!
//! What: [`Policy::parse`] reads a `networking.k8s.io/v1` NetworkPolicy into its
//! direction rules: `policyTypes` defaulting (Ingress always; Egress only when the spec
//! has a non-empty `egress` list, as `SetDefaults_NetworkPolicy` does), peers (pod and
//! namespace selectors ANDed inside one peer; `ipBlock` with `except`), and ports
//! (number, name, `endPort`, protocol defaulting to TCP).
//!
//! Why: PCI DSS 1.2.1, 1.3.1, 1.3.2 and 1.4.1 rest on what the policies actually allow;
//! an invalid policy is rejected by the API server, so it must not silently count.
//!
//! Example: a policy with `egress: []` and no `policyTypes` does NOT isolate egress
//! (defaulting only adds Egress for a non-empty list), while `policyTypes: [Egress]`
//! with no egress rules denies all egress.
//!
//! Fix for a rejected policy: the error names the file, the line and the field.

use cdeguard_model::{K8sObject, Node};

use crate::ipset::{IpSet, parse_cidr};
use crate::ports::{PortRef, PortSpec, Protocol};
use crate::selector::Selector;

/// Traffic direction relative to the selected pods.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Direction {
    Ingress,
    Egress,
}

/// Which namespaces a pod peer covers.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum NamespaceScope {
    /// No `namespaceSelector`: the policy's own namespace.
    Own(String),
    /// `namespaceSelector` (empty = every namespace).
    Selected(Selector),
}

/// One entry of a rule's `from`/`to` list.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Peer {
    Pods {
        namespaces: NamespaceScope,
        pods: Selector,
        line: u32,
    },
    IpBlock {
        addresses: IpSet,
        /// As written: `cidr except a, b`.
        text: String,
        line: u32,
    },
}

/// One ingress or egress rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub line: u32,
    /// `None`: `from`/`to` absent or empty, every peer (pods and addresses).
    pub peers: Option<Vec<Peer>>,
    /// Empty: every protocol and port.
    pub ports: Vec<PortSpec>,
}

/// A parsed NetworkPolicy.
#[derive(Clone, Debug)]
pub struct Policy {
    pub name: String,
    pub namespace: String,
    pub path: String,
    pub line: u32,
    pub pod_selector: Selector,
    /// `Some` when the policy isolates ingress (possibly with no rules = deny all).
    pub ingress: Option<Vec<Rule>>,
    /// `Some` when the policy isolates egress.
    pub egress: Option<Vec<Rule>>,
}

/// A rejected field: line and message (the caller adds the file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub line: u32,
    pub message: String,
}

fn field_error(line: u32, message: impl Into<String>) -> FieldError {
    FieldError {
        line,
        message: message.into(),
    }
}

impl Policy {
    /// `{namespace}/{name}`.
    #[must_use]
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// `{namespace}/{name} ({file}:{line})`.
    #[must_use]
    pub fn reference(&self) -> String {
        format!(
            "{}/{} ({}:{})",
            self.namespace, self.name, self.path, self.line
        )
    }

    /// The rules of one direction, `None` when the policy does not isolate it.
    #[must_use]
    pub fn rules(&self, direction: Direction) -> Option<&[Rule]> {
        match direction {
            Direction::Ingress => self.ingress.as_deref(),
            Direction::Egress => self.egress.as_deref(),
        }
    }

    /// Reads a NetworkPolicy object found in `path`.
    pub fn parse(object: &K8sObject, path: &str) -> Result<Policy, FieldError> {
        let namespace = object.namespace_or_default().to_owned();
        let spec = object
            .body
            .get("spec")
            .filter(|s| s.is_map())
            .ok_or_else(|| field_error(object.loc.line, "NetworkPolicy without `spec`"))?;
        let pod_selector = match spec.get("podSelector") {
            Some(node) => Selector::parse(node).map_err(|e| field_error(e.line, e.message))?,
            None => {
                return Err(field_error(
                    spec.line,
                    "`spec.podSelector` is required (use `{}` for every pod)",
                ));
            }
        };
        let (ingress_isolated, egress_isolated) = policy_types(spec)?;
        let rules = |key: &str, peers_key: &str| -> Result<Vec<Rule>, FieldError> {
            spec.get(key)
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .map(|rule| parse_rule(rule, peers_key, &namespace))
                .collect()
        };
        let ingress = if ingress_isolated {
            Some(rules("ingress", "from")?)
        } else {
            None
        };
        let egress = if egress_isolated {
            Some(rules("egress", "to")?)
        } else {
            None
        };
        Ok(Policy {
            name: object.name.clone(),
            namespace,
            path: path.to_owned(),
            line: object.loc.line,
            pod_selector,
            ingress,
            egress,
        })
    }
}

/// `(ingress, egress)` isolation after defaulting.
fn policy_types(spec: &Node) -> Result<(bool, bool), FieldError> {
    let types = spec.get("policyTypes").filter(|t| !t.is_null());
    match types.map(Node::items) {
        Some(items) if !items.is_empty() => {
            let (mut ingress, mut egress) = (false, false);
            for item in items {
                match item.as_str() {
                    Some("Ingress") => ingress = true,
                    Some("Egress") => egress = true,
                    _ => {
                        return Err(field_error(
                            item.line,
                            "`policyTypes` entries must be `Ingress` or `Egress`",
                        ));
                    }
                }
            }
            Ok((ingress, egress))
        }
        _ => {
            let has_egress_rules = spec.get("egress").is_some_and(|e| !e.items().is_empty());
            Ok((true, has_egress_rules))
        }
    }
}

fn parse_rule(rule: &Node, peers_key: &str, namespace: &str) -> Result<Rule, FieldError> {
    if !rule.is_null() && !rule.is_map() {
        return Err(field_error(rule.line, "a rule must be a mapping"));
    }
    let peer_nodes = rule.get(peers_key).map(Node::items).unwrap_or_default();
    let peers = if peer_nodes.is_empty() {
        None
    } else {
        Some(
            peer_nodes
                .iter()
                .map(|p| parse_peer(p, namespace))
                .collect::<Result<Vec<_>, _>>()?,
        )
    };
    let ports = rule
        .get("ports")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .map(parse_port)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Rule {
        line: rule.line,
        peers,
        ports,
    })
}

fn parse_peer(peer: &Node, namespace: &str) -> Result<Peer, FieldError> {
    let pod_selector = peer.get("podSelector").filter(|n| !n.is_null());
    let ns_selector = peer.get("namespaceSelector").filter(|n| !n.is_null());
    let ip_block = peer.get("ipBlock").filter(|n| !n.is_null());
    let selector = |node: &Node| Selector::parse(node).map_err(|e| field_error(e.line, e.message));
    match (pod_selector, ns_selector, ip_block) {
        (None, None, None) => Err(field_error(
            peer.line,
            "a peer needs `podSelector`, `namespaceSelector` or `ipBlock`",
        )),
        (_, _, Some(block)) if pod_selector.is_some() || ns_selector.is_some() => Err(field_error(
            block.line,
            "`ipBlock` cannot be combined with `podSelector` or `namespaceSelector`",
        )),
        (_, _, Some(block)) => parse_ip_block(block),
        (pods, namespaces, None) => Ok(Peer::Pods {
            namespaces: match namespaces {
                Some(node) => NamespaceScope::Selected(selector(node)?),
                None => NamespaceScope::Own(namespace.to_owned()),
            },
            pods: match pods {
                Some(node) => selector(node)?,
                None => Selector::everything(),
            },
            line: peer.line,
        }),
    }
}

fn parse_ip_block(block: &Node) -> Result<Peer, FieldError> {
    let cidr_node = block
        .get("cidr")
        .ok_or_else(|| field_error(block.line, "`ipBlock` needs `cidr`"))?;
    let cidr_text = cidr_node
        .as_str()
        .ok_or_else(|| field_error(cidr_node.line, "`ipBlock.cidr` must be a string"))?;
    let cidr = parse_cidr(cidr_text).map_err(|m| field_error(cidr_node.line, m))?;
    let mut addresses = IpSet::from_range(cidr);
    let mut excepts = Vec::new();
    for except in block.get("except").map(Node::items).unwrap_or_default() {
        let text = except
            .as_str()
            .ok_or_else(|| field_error(except.line, "`except` entries must be strings"))?;
        let hole = parse_cidr(text).map_err(|m| field_error(except.line, m))?;
        if hole.family != cidr.family || hole.first < cidr.first || hole.last > cidr.last {
            return Err(field_error(
                except.line,
                format!("except `{text}` is not inside cidr `{cidr_text}`"),
            ));
        }
        addresses = addresses.subtract(&hole);
        excepts.push(text.to_owned());
    }
    let text = if excepts.is_empty() {
        cidr_text.to_owned()
    } else {
        format!("{cidr_text} except {}", excepts.join(", "))
    };
    Ok(Peer::IpBlock {
        addresses,
        text,
        line: block.line,
    })
}

/// IANA service name rules (`IsValidPortName`): 1-15 characters, lower-case letters,
/// digits and `-`, at least one letter, no leading, trailing or double `-`.
#[must_use]
pub fn is_valid_port_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 15
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && name.bytes().any(|b| b.is_ascii_lowercase())
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--")
}

fn parse_port(entry: &Node) -> Result<PortSpec, FieldError> {
    let protocol = match entry.get("protocol").filter(|p| !p.is_null()) {
        None => Protocol::Tcp,
        Some(node) => match node.as_str() {
            Some("TCP") => Protocol::Tcp,
            Some("UDP") => Protocol::Udp,
            Some("SCTP") => Protocol::Sctp,
            _ => {
                return Err(field_error(
                    node.line,
                    "`protocol` must be TCP, UDP or SCTP",
                ));
            }
        },
    };
    let end_port = entry.get("endPort").filter(|p| !p.is_null());
    let port = match entry.get("port").filter(|p| !p.is_null()) {
        None => {
            if let Some(end) = end_port {
                return Err(field_error(end.line, "`endPort` needs a numeric `port`"));
            }
            PortRef::Any
        }
        Some(node) => match (node.as_i64(), node.as_str()) {
            (Some(number), _) => {
                let first = port_number(number, node.line)?;
                let last = match end_port {
                    None => first,
                    Some(end) => {
                        let last = end
                            .as_i64()
                            .ok_or_else(|| field_error(end.line, "`endPort` must be a number"))
                            .and_then(|n| port_number(n, end.line))?;
                        if last < first {
                            return Err(field_error(
                                end.line,
                                format!("`endPort` {last} is below `port` {first}"),
                            ));
                        }
                        last
                    }
                };
                PortRef::Range(first, last)
            }
            (None, Some(name)) => {
                if let Some(end) = end_port {
                    return Err(field_error(end.line, "`endPort` needs a numeric `port`"));
                }
                if !is_valid_port_name(name) {
                    return Err(field_error(
                        node.line,
                        format!("`{name}` is neither a port number nor a valid port name"),
                    ));
                }
                PortRef::Named(name.to_owned())
            }
            _ => return Err(field_error(node.line, "`port` must be a number or a name")),
        },
    };
    Ok(PortSpec { protocol, port })
}

fn port_number(number: i64, line: u32) -> Result<u16, FieldError> {
    u16::try_from(number)
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| field_error(line, format!("port {number} is not in 1..=65535")))
}
