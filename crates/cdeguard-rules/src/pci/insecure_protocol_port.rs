//! ## What it checks
//! Ports of clear-text protocols: FTP (20, 21), Telnet (23), TFTP (69), POP3 (110), IMAP
//! (143), SNMP (161), LDAP (389), rexec/rlogin/rsh (512-514), unencrypted Docker API
//! (2375) and VNC (5900), declared as container ports or Service ports; and plain HTTP
//! (80, 8080) on Services exposed outside the cluster (NodePort/LoadBalancer), where no
//! TLS-terminating ingress sits in front.
//!
//! ## Why it matters
//! These protocols send credentials and data unencrypted and must be justified and secured
//! if used at all. PCI DSS 2.2.5 (insecure services), 4.2.1, 2.2.7.
//!
//! ## Failing example
//! ```yaml
//! ports: [{name: telnet, containerPort: 23}]
//! ```
//!
//! ## Passing example
//! ```yaml
//! ports: [{name: https, containerPort: 8443}]
//! ```
//!
//! ## How to fix
//! Replace the protocol by its TLS or SSH counterpart (SFTP, SSH, LDAPS, IMAPS, HTTPS).

use cdeguard_model::{InputFormat, Inventory, K8sObject, Node, Severity};

use crate::pod::containers;
use crate::ports::insecure_protocol;
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PCI-007",
    name: "insecure-protocol-port",
    title: "Clear-text protocol port",
    severity: Severity::Medium,
    sets: &[RuleSet::Pci],
    pci: &["2.2.5", "4.2.1", "2.2.7"],
    cis: &[],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Use the encrypted counterpart of the protocol (HTTPS, SFTP, SSH, LDAPS, IMAPS, TLS-protected Docker API).",
    source: include_str!("insecure_protocol_port.rs"),
    check,
};

fn report(out: &mut Emitter<'_>, object: &K8sObject, port: &Node, container: Option<&str>, protocol: &str, field: &str) {
    let number = port.as_i64().unwrap_or_default();
    out.k8s(object, port.line, container, format!("port {number} serves {protocol} in clear text"), format!("{field} = {number}"));
}

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        for c in containers(&pod) {
            for (i, port) in c.node.get("ports").map(Node::items).unwrap_or_default().iter().enumerate() {
                let Some(number) = port.get("containerPort") else { continue };
                if let Some(protocol) = number.as_i64().and_then(insecure_protocol) {
                    report(out, object, number, Some(c.name()), protocol, &format!("{}.ports[{i}].containerPort", c.path));
                }
            }
        }
    }
    for service in inventory.objects_of_kind("Service") {
        let exposed = matches!(service.body.path(&["spec", "type"]).and_then(Node::as_str), Some("NodePort" | "LoadBalancer"));
        for (i, port) in service.body.path(&["spec", "ports"]).map(Node::items).unwrap_or_default().iter().enumerate() {
            let Some(number) = port.get("port") else { continue };
            let protocol = number.as_i64().and_then(|p| match p {
                80 | 8080 if exposed => Some("HTTP"),
                p => insecure_protocol(p),
            });
            if let Some(protocol) = protocol {
                report(out, service, number, None, protocol, &format!("spec.ports[{i}].port"));
            }
        }
    }
}
