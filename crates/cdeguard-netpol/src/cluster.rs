//! The cluster as NetworkPolicy sees it, read from an [`Inventory`].
//!
//! What: workloads (Pods and the pod templates of Deployments, StatefulSets, DaemonSets,
//! ReplicaSets, ReplicationControllers, Jobs, CronJobs) with their labels, named container
//! ports and host networking; namespaces with their labels, including the
//! `kubernetes.io/metadata.name` label the API server always sets; NetworkPolicies;
//! Services; Secrets and RBAC bindings (evidence for scope); Istio PeerAuthentications,
//! DestinationRules and AuthorizationPolicies.
//!
//! Why: PCI DSS 12.5.2 (scope) and 1.2-1.4 (network controls) are decided by these
//! objects only; a namespace that is referenced but not declared still exists with its
//! implicit label, so selectors on it must still work.
//!
//! Example: `kind: Namespace, metadata: {name: pay}` gets labels
//! `{kubernetes.io/metadata.name: pay}`.
//!
//! Bad input (an invalid policy, a duplicate object) becomes an [`InputError`] with file
//! and line; the rest is analysed.

use std::collections::{BTreeMap, BTreeSet};

use cdeguard_model::{InputError, Inventory, K8sObject, Node, PodTemplate};

use crate::authorization::{AuthorizationPolicy, parse_authorization_policy};
use crate::destination_rule::{DestinationRule, parse_destination_rule};
use crate::mesh::{PeerAuthentication, parse_peer_authentication};
use crate::policy::{Policy, is_valid_port_name};
use crate::ports::{NamedPorts, Protocol};
use crate::selector::Labels;

/// The label the API server sets on every namespace (Kubernetes 1.21+).
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// A namespace and its labels.
#[derive(Clone, Debug)]
pub struct Namespace {
    pub name: String,
    pub labels: Labels,
    pub annotations: Labels,
    /// `file:line` of the Namespace object, `None` when only referenced.
    pub declared_at: Option<String>,
}

/// A workload: one pod, or the pods of one controller (all alike to NetworkPolicy).
#[derive(Clone, Debug)]
pub struct Workload {
    pub kind: String,
    pub name: String,
    pub namespace: String,
    /// Labels of the pods (the template's for controllers).
    pub labels: Labels,
    /// Annotations of the object and of its pod template.
    pub annotations: Labels,
    pub named_ports: NamedPorts,
    pub host_network: bool,
    pub service_account: String,
    /// Names of Secrets mounted or referenced from the environment.
    pub secrets: BTreeSet<String>,
    /// `ownerReferences[0]` of a Pod: `(kind, name)`.
    pub owner: Option<(String, String)>,
    pub path: String,
    pub line: u32,
}

impl Workload {
    /// `namespace/name`.
    #[must_use]
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// `namespace/name[Kind]`, the owner's name and kind for a Pod with an owner.
    #[must_use]
    pub fn display(&self) -> String {
        match &self.owner {
            Some((kind, name)) => format!("{}/{name}[{kind}]", self.namespace),
            None => format!("{}/{}[{}]", self.namespace, self.name, self.kind),
        }
    }

    /// `file:line`.
    #[must_use]
    pub fn location(&self) -> String {
        format!("{}:{}", self.path, self.line)
    }
}

/// A Service (exposure evidence).
#[derive(Clone, Debug)]
pub struct Service {
    pub name: String,
    pub namespace: String,
    pub service_type: String,
    /// `None`: no selector (endpoints managed by hand).
    pub selector: Option<Labels>,
    pub ports: Vec<ServicePort>,
    pub path: String,
    pub line: u32,
}

/// A Service port and the pod port it forwards to.
#[derive(Clone, Debug)]
pub struct ServicePort {
    pub port: u16,
    /// `targetPort`: a number, or a container port name; the port itself when absent.
    pub target: TargetPort,
}

/// A Service's `targetPort`.
#[derive(Clone, Debug)]
pub enum TargetPort {
    Number(u16),
    Name(String),
}

impl Service {
    /// Whether the Service's selector picks the workload.
    #[must_use]
    pub fn selects(&self, workload: &Workload) -> bool {
        self.namespace == workload.namespace
            && self
                .selector
                .as_ref()
                .is_some_and(|s| s.iter().all(|(k, v)| workload.labels.get(k) == Some(v)))
    }

    /// The Service's fully qualified host name.
    #[must_use]
    pub fn host(&self) -> String {
        format!("{}.{}.svc.cluster.local", self.name, self.namespace)
    }

    /// The Service ports that forward to container port `port` of `workload`.
    pub fn ports_to<'a>(
        &'a self,
        workload: &'a Workload,
        port: u16,
    ) -> impl Iterator<Item = &'a ServicePort> {
        self.ports.iter().filter(move |p| match &p.target {
            TargetPort::Number(n) => *n == port,
            TargetPort::Name(name) => workload
                .named_ports
                .get(name)
                .is_some_and(|&(_, number)| number == port),
        })
    }
}

/// An Ingress or Gateway API HTTPRoute: the Services it routes traffic from outside the
/// cluster to.
#[derive(Clone, Debug)]
pub struct Route {
    /// `Ingress` or `HTTPRoute`.
    pub kind: String,
    pub name: String,
    pub namespace: String,
    /// `(namespace, name)` of the backend Services.
    pub backends: BTreeSet<(String, String)>,
    pub path: String,
    pub line: u32,
}

/// A Secret's metadata (never its data).
#[derive(Clone, Debug)]
pub struct SecretMeta {
    pub name: String,
    pub namespace: String,
    pub labels: Labels,
    pub annotations: Labels,
}

/// A RoleBinding or ClusterRoleBinding: who gets which role where.
#[derive(Clone, Debug)]
pub struct Binding {
    pub kind: String,
    pub name: String,
    /// `None` for a ClusterRoleBinding (cluster-wide).
    pub namespace: Option<String>,
    pub role: String,
    /// Service accounts bound, as `(namespace, name)`.
    pub service_accounts: Vec<(String, String)>,
    pub path: String,
    pub line: u32,
}

/// Everything the reachability engine and the scope classifier read.
#[derive(Clone, Debug, Default)]
pub struct Cluster {
    pub namespaces: BTreeMap<String, Namespace>,
    pub workloads: Vec<Workload>,
    pub policies: Vec<Policy>,
    pub services: Vec<Service>,
    pub routes: Vec<Route>,
    pub secrets: Vec<SecretMeta>,
    pub bindings: Vec<Binding>,
    pub peer_authentications: Vec<PeerAuthentication>,
    pub destination_rules: Vec<DestinationRule>,
    pub authorization_policies: Vec<AuthorizationPolicy>,
    pub errors: Vec<InputError>,
}

impl Cluster {
    /// Reads the cluster objects of an inventory. Objects that are invalid or duplicated
    /// add an error and are left out.
    #[must_use]
    pub fn from_inventory(inventory: &Inventory) -> Cluster {
        let mut cluster = Cluster::default();
        let mut seen: BTreeMap<(String, String, String), String> = BTreeMap::new();
        for object in &inventory.objects {
            let path = inventory.path(object.loc).to_owned();
            let here = format!("{path}:{}", object.loc.line);
            let namespace = object.namespace_or_default().to_owned();
            let key_ns = if object.kind == "Namespace" {
                String::new()
            } else {
                namespace.clone()
            };
            if is_read_kind(&object.kind) {
                let key = (object.kind.clone(), key_ns, object.name.clone());
                if let Some(first) = seen.get(&key) {
                    cluster.errors.push(InputError {
                        path,
                        line: Some(object.loc.line),
                        message: format!(
                            "duplicate {} `{}` (first defined at {first}); this copy is ignored",
                            object.kind, object.name
                        ),
                    });
                    continue;
                }
                seen.insert(key, here);
            }
            match object.kind.as_str() {
                "Namespace" => {
                    let ns = cluster.namespace_entry(&object.name);
                    ns.labels.extend(object.labels.clone());
                    ns.labels
                        .insert(NAMESPACE_NAME_LABEL.to_owned(), object.name.clone());
                    ns.annotations.extend(object.annotations.clone());
                    ns.declared_at = Some(format!("{path}:{}", object.loc.line));
                }
                "NetworkPolicy" => match Policy::parse(object, &path) {
                    Ok(policy) => {
                        cluster.namespace_entry(&policy.namespace);
                        cluster.policies.push(policy);
                    }
                    Err(e) => cluster.errors.push(InputError {
                        path,
                        line: Some(e.line),
                        message: format!("NetworkPolicy `{}`: {}", object.name, e.message),
                    }),
                },
                "Service" => cluster.services.push(read_service(object, path)),
                "Ingress" | "HTTPRoute" => cluster.routes.push(read_route(object, path)),
                "Secret" => cluster.secrets.push(SecretMeta {
                    name: object.name.clone(),
                    namespace,
                    labels: object.labels.clone(),
                    annotations: object.annotations.clone(),
                }),
                "PeerAuthentication" => keep_or_report(
                    parse_peer_authentication(object, &path),
                    &mut cluster.peer_authentications,
                    &mut cluster.errors,
                    object,
                    path,
                ),
                "DestinationRule" => keep_or_report(
                    parse_destination_rule(object, &path),
                    &mut cluster.destination_rules,
                    &mut cluster.errors,
                    object,
                    path,
                ),
                "AuthorizationPolicy" => keep_or_report(
                    parse_authorization_policy(object, &path),
                    &mut cluster.authorization_policies,
                    &mut cluster.errors,
                    object,
                    path,
                ),
                "RoleBinding" | "ClusterRoleBinding" => {
                    cluster.bindings.push(read_binding(object, path));
                }
                _ => {
                    if let Some(template) = object.pod_template() {
                        match read_workload(object, template, path) {
                            Ok(workload) => {
                                cluster.namespace_entry(&workload.namespace);
                                cluster.workloads.push(workload);
                            }
                            Err(e) => cluster.errors.push(e),
                        }
                    }
                }
            }
        }
        cluster
    }

    /// The namespace, created with its implicit label when first referenced.
    pub fn namespace_entry(&mut self, name: &str) -> &mut Namespace {
        self.namespaces
            .entry(name.to_owned())
            .or_insert_with(|| Namespace {
                name: name.to_owned(),
                labels: [(NAMESPACE_NAME_LABEL.to_owned(), name.to_owned())].into(),
                annotations: Labels::new(),
                declared_at: None,
            })
    }

    /// Adds a hypothetical pod (a probe endpoint) and returns its index.
    pub fn add_probe_pod(&mut self, namespace: &str, labels: Labels, name: &str) -> usize {
        self.namespace_entry(namespace);
        self.workloads.push(Workload {
            kind: "Probe".to_owned(),
            name: name.to_owned(),
            namespace: namespace.to_owned(),
            labels,
            annotations: Labels::new(),
            named_ports: NamedPorts::new(),
            host_network: false,
            service_account: "default".to_owned(),
            secrets: BTreeSet::new(),
            owner: None,
            path: "<probe>".to_owned(),
            line: 0,
        });
        self.workloads.len() - 1
    }
}

/// Keeps a parsed Istio object, or reports why it was left out (file, line, object).
fn keep_or_report<T>(
    parsed: Result<T, (u32, String)>,
    list: &mut Vec<T>,
    errors: &mut Vec<InputError>,
    object: &K8sObject,
    path: String,
) {
    match parsed {
        Ok(item) => list.push(item),
        Err((line, message)) => errors.push(InputError {
            path,
            line: Some(line),
            message: format!("{} `{}`: {message}", object.kind, object.name),
        }),
    }
}

fn is_read_kind(kind: &str) -> bool {
    matches!(
        kind,
        "Namespace"
            | "NetworkPolicy"
            | "Service"
            | "Secret"
            | "RoleBinding"
            | "ClusterRoleBinding"
            | "PeerAuthentication"
            | "DestinationRule"
            | "AuthorizationPolicy"
            | "Ingress"
            | "HTTPRoute"
    ) || cdeguard_model::inventory::WORKLOAD_KINDS.contains(&kind)
}

fn string_map(node: Option<&Node>) -> Labels {
    node.map(Node::entries)
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), v.scalar_text()?)))
        .collect()
}

fn read_workload(
    object: &K8sObject,
    template: PodTemplate<'_>,
    path: String,
) -> Result<Workload, InputError> {
    let labels = if object.kind == "Pod" {
        object.labels.clone()
    } else {
        string_map(template.metadata.get("labels"))
    };
    let mut annotations = object.annotations.clone();
    annotations.extend(string_map(template.metadata.get("annotations")));
    let spec = template.spec;
    let mut named_ports = NamedPorts::new();
    let mut secrets = BTreeSet::new();
    for container in spec.get("containers").map(Node::items).unwrap_or_default() {
        for port in container.get("ports").map(Node::items).unwrap_or_default() {
            let Some(name) = port.get("name").and_then(Node::as_str) else {
                continue;
            };
            let bad = |message: String| InputError {
                path: path.clone(),
                line: Some(port.line),
                message: format!("{} `{}`: {message}", object.kind, object.name),
            };
            if !is_valid_port_name(name) {
                return Err(bad(format!("`{name}` is not a valid port name")));
            }
            let number = port
                .get("containerPort")
                .and_then(Node::as_i64)
                .and_then(|n| u16::try_from(n).ok())
                .filter(|n| *n >= 1)
                .ok_or_else(|| bad(format!("port `{name}` needs a containerPort in 1..=65535")))?;
            let protocol = match port.get("protocol").and_then(Node::as_str) {
                None => Protocol::Tcp,
                Some(p) => Protocol::parse(p)
                    .ok_or_else(|| bad(format!("protocol `{p}` is not TCP, UDP or SCTP")))?,
            };
            named_ports.insert(name.to_owned(), (protocol, number));
        }
        collect_env_secrets(container, &mut secrets);
    }
    for container in spec
        .get("initContainers")
        .map(Node::items)
        .unwrap_or_default()
    {
        collect_env_secrets(container, &mut secrets);
    }
    for volume in spec.get("volumes").map(Node::items).unwrap_or_default() {
        if let Some(name) = volume
            .path(&["secret", "secretName"])
            .and_then(Node::as_str)
        {
            secrets.insert(name.to_owned());
        }
        for source in volume
            .path(&["projected", "sources"])
            .map(Node::items)
            .unwrap_or_default()
        {
            if let Some(name) = source.path(&["secret", "name"]).and_then(Node::as_str) {
                secrets.insert(name.to_owned());
            }
        }
    }
    let service_account = spec
        .get("serviceAccountName")
        .or_else(|| spec.get("serviceAccount"))
        .and_then(Node::as_str)
        .unwrap_or("default")
        .to_owned();
    let owner = (object.kind == "Pod")
        .then(|| {
            let first = object
                .body
                .path(&["metadata", "ownerReferences"])?
                .items()
                .first()?;
            Some((
                first.get("kind")?.as_str()?.to_owned(),
                first.get("name")?.as_str()?.to_owned(),
            ))
        })
        .flatten();
    Ok(Workload {
        kind: object.kind.clone(),
        name: object.name.clone(),
        namespace: object.namespace_or_default().to_owned(),
        labels,
        annotations,
        named_ports,
        host_network: spec.get("hostNetwork").and_then(Node::as_bool) == Some(true),
        service_account,
        secrets,
        owner,
        path,
        line: object.loc.line,
    })
}

fn collect_env_secrets(container: &Node, secrets: &mut BTreeSet<String>) {
    for env in container.get("env").map(Node::items).unwrap_or_default() {
        if let Some(name) = env
            .path(&["valueFrom", "secretKeyRef", "name"])
            .and_then(Node::as_str)
        {
            secrets.insert(name.to_owned());
        }
    }
    for from in container
        .get("envFrom")
        .map(Node::items)
        .unwrap_or_default()
    {
        if let Some(name) = from.path(&["secretRef", "name"]).and_then(Node::as_str) {
            secrets.insert(name.to_owned());
        }
    }
}

/// The backend Services of an Ingress (`defaultBackend` and every path's backend;
/// `serviceName` of the old `extensions/v1beta1` form) or an HTTPRoute (`backendRefs` of
/// kind Service, in the route's namespace unless they name another).
fn read_route(object: &K8sObject, path: String) -> Route {
    let spec = object.body.get("spec").unwrap_or(Node::null());
    let namespace = object.namespace_or_default().to_owned();
    let mut backends = BTreeSet::new();
    let text = |node: &Node, key: &str| node.get(key).and_then(Node::as_str).map(str::to_owned);
    if object.kind == "Ingress" {
        let rule_backends = spec
            .get("rules")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .flat_map(|rule| {
                rule.path(&["http", "paths"])
                    .map(Node::items)
                    .unwrap_or_default()
            })
            .filter_map(|p| p.get("backend"));
        for backend in spec
            .get("defaultBackend")
            .or_else(|| spec.get("backend"))
            .into_iter()
            .chain(rule_backends)
        {
            let name = backend
                .path(&["service", "name"])
                .and_then(Node::as_str)
                .map(str::to_owned)
                .or_else(|| text(backend, "serviceName"));
            if let Some(name) = name {
                backends.insert((namespace.clone(), name));
            }
        }
    } else {
        for backend in spec
            .get("rules")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .flat_map(|rule| rule.get("backendRefs").map(Node::items).unwrap_or_default())
        {
            let is_service = text(backend, "kind").is_none_or(|k| k == "Service")
                && text(backend, "group").is_none_or(|g| g.is_empty());
            if let (true, Some(name)) = (is_service, text(backend, "name")) {
                let ns = text(backend, "namespace").unwrap_or_else(|| namespace.clone());
                backends.insert((ns, name));
            }
        }
    }
    Route {
        kind: object.kind.clone(),
        name: object.name.clone(),
        namespace,
        backends,
        path,
        line: object.loc.line,
    }
}

fn read_service(object: &K8sObject, path: String) -> Service {
    let spec = object.body.get("spec").unwrap_or(Node::null());
    Service {
        name: object.name.clone(),
        namespace: object.namespace_or_default().to_owned(),
        service_type: spec
            .get("type")
            .and_then(Node::as_str)
            .unwrap_or("ClusterIP")
            .to_owned(),
        selector: spec
            .get("selector")
            .filter(|s| !s.entries().is_empty())
            .map(|s| string_map(Some(s))),
        ports: spec
            .get("ports")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|p| {
                let port = p
                    .get("port")
                    .and_then(Node::as_i64)
                    .and_then(|n| u16::try_from(n).ok())?;
                let target = match p.get("targetPort") {
                    Some(t) => match t.as_i64().and_then(|n| u16::try_from(n).ok()) {
                        Some(n) => TargetPort::Number(n),
                        None => TargetPort::Name(t.as_str()?.to_owned()),
                    },
                    None => TargetPort::Number(port),
                };
                Some(ServicePort { port, target })
            })
            .collect(),
        path,
        line: object.loc.line,
    }
}

fn read_binding(object: &K8sObject, path: String) -> Binding {
    let namespace =
        (object.kind == "RoleBinding").then(|| object.namespace_or_default().to_owned());
    let service_accounts = object
        .body
        .get("subjects")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter(|s| s.get("kind").and_then(Node::as_str) == Some("ServiceAccount"))
        .filter_map(|s| {
            let name = s.get("name")?.as_str()?.to_owned();
            let ns = s
                .get("namespace")
                .and_then(Node::as_str)
                .map(str::to_owned)
                .or_else(|| namespace.clone())
                .unwrap_or_else(|| "default".to_owned());
            Some((ns, name))
        })
        .collect();
    Binding {
        kind: object.kind.clone(),
        name: object.name.clone(),
        namespace,
        role: object
            .body
            .path(&["roleRef", "name"])
            .and_then(Node::as_str)
            .unwrap_or_default()
            .to_owned(),
        service_accounts,
        path,
        line: object.loc.line,
    }
}
