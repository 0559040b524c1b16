//! Helpers for walking a pod spec the way the Kubernetes API defines it.

use cdeguard_model::node::FieldPath;
use cdeguard_model::{Node, PodTemplate};

/// Which list of the pod spec a container comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerList {
    Containers,
    InitContainers,
    EphemeralContainers,
}

impl ContainerList {
    pub const ALL: [ContainerList; 3] = [
        ContainerList::InitContainers,
        ContainerList::Containers,
        ContainerList::EphemeralContainers,
    ];

    #[must_use]
    pub fn field(self) -> &'static str {
        match self {
            ContainerList::Containers => "containers",
            ContainerList::InitContainers => "initContainers",
            ContainerList::EphemeralContainers => "ephemeralContainers",
        }
    }
}

/// One container of a pod spec, with the field path of its entry.
#[derive(Clone, Debug)]
pub struct ContainerRef<'a> {
    pub list: ContainerList,
    pub index: usize,
    pub node: &'a Node,
    /// e.g. `spec.template.spec.containers[0]`.
    pub path: FieldPath,
}

impl ContainerRef<'_> {
    /// The container's name (empty if missing).
    #[must_use]
    pub fn name(&self) -> &str {
        self.node
            .get("name")
            .and_then(Node::as_str)
            .unwrap_or_default()
    }

    /// A field under `securityContext`, if set (and not null).
    #[must_use]
    pub fn security_context(&self, keys: &[&str]) -> Option<&Node> {
        let sc = self.node.get("securityContext")?;
        sc.path(keys).filter(|n| !n.is_null())
    }
}

/// Every container of a pod spec: init containers, containers, ephemeral containers.
pub fn containers<'a>(template: &PodTemplate<'a>) -> impl Iterator<Item = ContainerRef<'a>> {
    let spec = template.spec;
    let base = FieldPath::new(template.spec_path);
    ContainerList::ALL.into_iter().flat_map(move |list| {
        let path = base.key(list.field());
        spec.get(list.field())
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .enumerate()
            .map(move |(index, node)| ContainerRef {
                list,
                index,
                node,
                path: path.index(index),
            })
    })
}

/// A pod-level field under `spec.securityContext`, if set (and not null).
#[must_use]
pub fn pod_security_context<'a>(template: &PodTemplate<'a>, keys: &[&str]) -> Option<&'a Node> {
    template
        .spec
        .get("securityContext")?
        .path(keys)
        .filter(|n| !n.is_null())
}

/// `spec.os.name == windows`: upstream exempts such pods from some restricted checks.
#[must_use]
pub fn is_windows(template: &PodTemplate<'_>) -> bool {
    template.spec.path(&["os", "name"]).and_then(Node::as_str) == Some("windows")
}

/// `spec.hostUsers: false`: the pod runs in a user namespace, which relaxes some checks
/// from Pod Security Standards v1.35 on.
#[must_use]
pub fn in_user_namespace(template: &PodTemplate<'_>) -> bool {
    template.spec.get("hostUsers").and_then(Node::as_bool) == Some(false)
}

/// The path of a pod-level security context field, e.g. `spec.securityContext.runAsUser`.
#[must_use]
pub fn pod_field_path(template: &PodTemplate<'_>, keys: &[&str]) -> String {
    let mut path = FieldPath::new(template.spec_path).key("securityContext");
    for key in keys {
        path = path.key(key);
    }
    path.to_string()
}

impl ContainerRef<'_> {
    /// The path of a container security context field.
    #[must_use]
    pub fn field_path(&self, keys: &[&str]) -> String {
        let mut path = self.path.key("securityContext");
        for key in keys {
            path = path.key(key);
        }
        path.to_string()
    }
}
