//! The Istio layer of one connection: transport (mTLS, TLS, plaintext or broken) and the
//! AuthorizationPolicy decision, on top of the NetworkPolicy verdict.
//!
//! What: the client side is the DestinationRule TLS mode for the Service that forwards
//! to the destination port ([`crate::destination_rule`]), or auto mTLS; the server side
//! is the destination's sidecar and PeerAuthentication mode for that port
//! ([`crate::mesh`]). Plaintext into a STRICT port, Istio mTLS into a pod without a
//! sidecar or into a DISABLE port, and TLS origination (SIMPLE/MUTUAL) into a STRICT port
//! break the connection. A client sidecar calling a pod no Service selects passes the
//! connection through in plaintext. The request is then decided by the destination's
//! AuthorizationPolicies ([`crate::authorization`]) with the peer identity mTLS gives.
//! Only TCP is intercepted: UDP and SCTP pass the sidecar unchanged. A pod anyone may
//! create in a namespace (a segmentation subject) is evaluated with and without a
//! sidecar and with any service account of its namespace, and the more open answer
//! counts. A connection is open only when the transport works and authorization does
//! not deny it.
//!
//! Why: PCI DSS 4.2.1 (strong cryptography in transit) and 1.3.1 (inbound CDE traffic
//! restricted): in a mesh, NetworkPolicy alone neither proves encryption nor the final
//! access decision; the segmentation test (11.4.5) counts a path only if both layers
//! allow it.
//!
//! Example: `storefront -> payments/checkout:8443`, NetworkPolicy allows, checkout is
//! STRICT, no DestinationRule, a DENY policy names `storefront`'s namespace: `allowed
//! (L4) / mTLS, denied by AuthorizationPolicy payments/deny-storefront (file:line)`.
//!
//! Fix: see the DestinationRule, PeerAuthentication and AuthorizationPolicy modules.

use std::collections::BTreeSet;
use std::fmt;

use serde::Serialize;

use crate::authorization::{Decision, Peer, Request, decide};
use crate::cluster::{Cluster, Workload};
use crate::destination_rule::{TlsMode, rule_for};
use crate::engine::{Analysis, Endpoint};
use crate::ipset::IpRange;
use crate::mesh::{MtlsStatus, injection_enabled, mtls_status};
use crate::ports::{Conns, Protocol};

/// How the bytes travel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Transport {
    /// Istio mutual TLS: encrypted, peer identity known.
    Mtls,
    /// TLS originated by the client (DestinationRule SIMPLE/MUTUAL): encrypted, no Istio
    /// identity; the application terminates it.
    Tls,
    Plaintext,
    /// The two sides disagree: the connection fails.
    Broken,
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Transport::Mtls => "mTLS",
            Transport::Tls => "TLS (not mutual)",
            Transport::Plaintext => "plaintext",
            Transport::Broken => "broken",
        })
    }
}

/// The mesh verdict for one port (or group of ports) of a connection.
#[derive(Clone, Debug, Serialize)]
pub struct MeshVerdict {
    /// `TCP/8443`, `other TCP ports`, `UDP`...
    pub ports: String,
    pub transport: Transport,
    /// Which settings decided the transport.
    pub transport_reason: String,
    pub authorization: Decision,
    /// Transport works and authorization does not deny.
    pub open: bool,
}

impl MeshVerdict {
    /// `mTLS, allowed` / `plaintext, denied` / `broken`: the verdict in a few words.
    #[must_use]
    pub fn short(&self) -> String {
        let decision = match &self.authorization {
            _ if self.transport == Transport::Broken => return format!("{}: broken", self.ports),
            Decision::Allowed { .. } => "allowed",
            Decision::Denied { .. } => "denied",
            Decision::Conditional { .. } => "allowed for some requests",
        };
        format!("{}: {}, {decision}", self.ports, self.transport)
    }
}

impl fmt::Display for MeshVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.transport == Transport::Broken {
            return write!(
                f,
                "{}: allowed (L4) / connection fails ({})",
                self.ports, self.transport_reason
            );
        }
        write!(
            f,
            "{}: allowed (L4) / {}, {} [{}]",
            self.ports, self.transport, self.authorization, self.transport_reason
        )
    }
}

/// The client of a connection.
#[derive(Clone, Copy, Debug)]
pub enum Client {
    /// A workload as declared.
    Workload(usize),
    /// A pod anyone allowed to deploy in the workload's namespace may create: sidecar or
    /// not, any service account (index of the probe workload).
    AnyPodLike(usize),
    /// An address outside the cluster's pods.
    Address(IpRange),
}

/// The cluster's mesh configuration, with every workload's sidecar and mTLS status.
pub struct Mesh<'c> {
    pub cluster: &'c Cluster,
    /// Per workload.
    pub mtls: Vec<MtlsStatus>,
}

/// Ports listed one by one at most; beyond, the ports the configuration names plus one
/// representative of the rest.
const MAX_LISTED_PORTS: u32 = 16;

impl<'c> Mesh<'c> {
    #[must_use]
    pub fn new(cluster: &'c Cluster) -> Self {
        let mtls = cluster
            .workloads
            .iter()
            .map(|w| mtls_status(cluster, &cluster.peer_authentications, w))
            .collect();
        Mesh { cluster, mtls }
    }

    /// Whether the manifests configure Istio at all (policies or sidecar injection).
    #[must_use]
    pub fn present(&self) -> bool {
        !self.cluster.peer_authentications.is_empty()
            || !self.cluster.destination_rules.is_empty()
            || !self.cluster.authorization_policies.is_empty()
            || self.mtls.iter().any(|m| m.sidecar)
    }

    fn server_mode(&self, server: usize, port: u16) -> &str {
        let status = &self.mtls[server];
        status
            .port_modes
            .get(&port)
            .map_or(status.mode.as_str(), String::as_str)
    }

    /// The transport from a client (with or without sidecar) to `server` on TCP `port`.
    fn transport(
        &self,
        client: Option<&Workload>,
        client_sidecar: bool,
        server: usize,
        port: u16,
    ) -> (Transport, String) {
        let status = &self.mtls[server];
        let server_workload = &self.cluster.workloads[server];
        let strict = status.sidecar && self.server_mode(server, port) == "STRICT";
        let server_side = if status.sidecar {
            format!(
                "server {} on port {port} ({})",
                self.server_mode(server, port),
                status.decided_by
            )
        } else {
            "server has no sidecar".to_owned()
        };
        let plaintext = |why: &str| {
            if strict {
                (
                    Transport::Broken,
                    format!("{why}, plaintext to a STRICT port; {server_side}"),
                )
            } else {
                (Transport::Plaintext, format!("{why}; {server_side}"))
            }
        };
        let Some(client) = client.filter(|_| client_sidecar) else {
            return plaintext("client has no sidecar");
        };
        let service = self
            .cluster
            .services
            .iter()
            .filter(|s| s.selects(server_workload))
            .find_map(|s| Some((s, s.ports_to(server_workload, port).next()?.port)));
        let Some((service, service_port)) = service else {
            return plaintext(
                "no Service forwards to this port: the client sidecar passes it through",
            );
        };
        let rule = rule_for(
            &self.cluster.destination_rules,
            client,
            &service.host(),
            &service.namespace,
        );
        let (mode, client_side) = match rule.and_then(|r| Some((r.mode_for(service_port)?, r))) {
            Some((mode, r)) => (mode, format!("client {mode} by {}", r.reference())),
            None if status.sidecar && self.server_mode(server, port) != "DISABLE" => {
                (TlsMode::IstioMutual, "client auto mTLS".to_owned())
            }
            None => (TlsMode::Disable, "client auto mTLS: plaintext".to_owned()),
        };
        match mode {
            TlsMode::Disable => plaintext(&client_side),
            TlsMode::IstioMutual
                if status.sidecar && self.server_mode(server, port) != "DISABLE" =>
            {
                (Transport::Mtls, format!("{client_side}; {server_side}"))
            }
            TlsMode::IstioMutual => (
                Transport::Broken,
                format!("{client_side}, but the server does not accept Istio mTLS; {server_side}"),
            ),
            TlsMode::Simple | TlsMode::Mutual if strict => (
                Transport::Broken,
                format!("{client_side} is not Istio mTLS; {server_side}"),
            ),
            TlsMode::Simple | TlsMode::Mutual => (
                Transport::Tls,
                format!("{client_side}, the application terminates TLS; {server_side}"),
            ),
        }
    }

    fn verdict_for_port(
        &self,
        client: Client,
        server: usize,
        port: u16,
        label: String,
    ) -> MeshVerdict {
        let cluster = self.cluster;
        let server_workload = &cluster.workloads[server];
        let options: Vec<(Option<&Workload>, bool, Peer)> = match client {
            Client::Workload(w) => {
                let workload = &cluster.workloads[w];
                vec![(
                    Some(workload),
                    injection_enabled(cluster, workload),
                    Peer::Pod {
                        namespace: workload.namespace.clone(),
                        service_account: Some(workload.service_account.clone()),
                    },
                )]
            }
            Client::AnyPodLike(w) => {
                let workload = &cluster.workloads[w];
                let peer = Peer::Pod {
                    namespace: workload.namespace.clone(),
                    service_account: None,
                };
                vec![
                    (Some(workload), true, peer.clone()),
                    (Some(workload), false, peer),
                ]
            }
            Client::Address(range) => vec![(None, false, Peer::Address(range))],
        };
        let verdicts = options.into_iter().map(|(workload, sidecar, peer)| {
            let (transport, transport_reason) = self.transport(workload, sidecar, server, port);
            let request = Request {
                peer,
                mtls: transport == Transport::Mtls,
                port: Some(port),
            };
            let authorization = decide(
                cluster,
                &cluster.authorization_policies,
                server_workload,
                self.mtls[server].sidecar,
                &request,
            );
            let open = transport != Transport::Broken && !authorization.is_denied();
            MeshVerdict {
                ports: label.clone(),
                transport,
                transport_reason,
                authorization,
                open,
            }
        });
        // The more open answer, and among open ones the weaker transport.
        verdicts
            .max_by_key(|v| (v.open, v.transport))
            .expect("at least one client option")
    }

    /// The mesh verdicts of a connection whose NetworkPolicy verdict is `conns`: one per
    /// TCP port when few, else per port the configuration names plus one for the other
    /// ports; one for non-TCP traffic, which the sidecar does not intercept.
    #[must_use]
    pub fn verdicts(&self, client: Client, server: usize, conns: &Conns) -> Vec<MeshVerdict> {
        let tcp = conns.ports(Protocol::Tcp);
        let count: u32 = tcp
            .ranges()
            .iter()
            .map(|(a, b)| u32::from(*b) - u32::from(*a) + 1)
            .sum();
        let mut out = Vec::new();
        if count <= MAX_LISTED_PORTS {
            for &(first, last) in tcp.ranges() {
                for port in first..=last {
                    out.push(self.verdict_for_port(client, server, port, format!("TCP/{port}")));
                }
            }
        } else {
            let named: BTreeSet<u16> = self
                .named_ports(server)
                .into_iter()
                .filter(|p| tcp.contains(*p))
                .collect();
            for &port in &named {
                out.push(self.verdict_for_port(client, server, port, format!("TCP/{port}")));
            }
            let other = tcp
                .ranges()
                .iter()
                .flat_map(|&(a, b)| a..=b)
                .find(|p| !named.contains(p));
            if let Some(port) = other {
                out.push(self.verdict_for_port(client, server, port, "other TCP ports".to_owned()));
            }
        }
        let udp_or_sctp = !conns.ports(Protocol::Udp).is_empty()
            || !conns.ports(Protocol::Sctp).is_empty()
            || conns.other_protocols();
        if udp_or_sctp {
            out.push(MeshVerdict {
                ports: "non-TCP".to_owned(),
                transport: Transport::Plaintext,
                transport_reason: "the sidecar intercepts TCP only".to_owned(),
                authorization: Decision::Allowed {
                    by: "not TCP: AuthorizationPolicy does not apply".to_owned(),
                },
                open: true,
            });
        }
        out
    }

    /// Ports the configuration names for a server: container ports, Service target
    /// ports, port-level mTLS and AuthorizationPolicy ports.
    fn named_ports(&self, server: usize) -> BTreeSet<u16> {
        let cluster = self.cluster;
        let workload = &cluster.workloads[server];
        let mut ports: BTreeSet<u16> = workload.named_ports.values().map(|&(_, n)| n).collect();
        ports.extend(self.mtls[server].port_modes.keys());
        for service in cluster.services.iter().filter(|s| s.selects(workload)) {
            for port in &service.ports {
                if let crate::cluster::TargetPort::Number(n) = port.target {
                    ports.insert(n);
                }
            }
        }
        for policy in cluster
            .authorization_policies
            .iter()
            .filter(|p| crate::authorization::applies_to(p, cluster, workload))
        {
            for rule in &policy.rules {
                for field in rule.to.iter().flatten() {
                    if field.attribute == crate::authorization::Attribute::Port {
                        ports.extend(field.values.iter().filter_map(|v| v.parse::<u16>().ok()));
                    }
                }
            }
        }
        ports
    }
}

impl Mesh<'_> {
    /// The mesh verdicts between two endpoints of an analysis (first member of each
    /// class); none towards an address outside the cluster.
    #[must_use]
    pub fn endpoint_verdicts(
        &self,
        analysis: &Analysis<'_>,
        source: Endpoint,
        destination: Endpoint,
        conns: &Conns,
    ) -> Vec<MeshVerdict> {
        let Endpoint::Class(d) = destination else {
            return Vec::new();
        };
        let client = match source {
            Endpoint::Class(s) => Client::Workload(analysis.classes[s].members[0]),
            Endpoint::Ip(range) => Client::Address(range),
        };
        self.verdicts(client, analysis.classes[d].members[0], conns)
    }
}

/// Whether any of the verdicts leaves the connection open.
#[must_use]
pub fn any_open(verdicts: &[MeshVerdict]) -> bool {
    verdicts.iter().any(|v| v.open)
}
