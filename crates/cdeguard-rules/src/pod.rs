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

    /// A field of the container entry, if set (and not null).
    #[must_use]
    pub fn field(&self, keys: &[&str]) -> Option<&Node> {
        self.node.path(keys).filter(|n| !n.is_null())
    }

    /// The field path of `keys` below this container, e.g.
    /// `spec.containers[0].securityContext.privileged`.
    #[must_use]
    pub fn path_to(&self, keys: &[&str]) -> FieldPath {
        keys.iter()
            .fold(self.path.clone(), |path, key| path.key(key))
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

/// The pod's volumes (`spec.volumes[]`), each with its field path.
pub fn volumes<'a>(template: &PodTemplate<'a>) -> impl Iterator<Item = (FieldPath, &'a Node)> {
    let path = pod_path(template, &["volumes"]);
    template
        .spec
        .get("volumes")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(move |(index, node)| (path.index(index), node))
}

/// A field of the pod spec, if set (and not null): `pod_field(&t, &["os", "name"])`.
#[must_use]
pub fn pod_field<'a>(template: &PodTemplate<'a>, keys: &[&str]) -> Option<&'a Node> {
    template.spec.path(keys).filter(|n| !n.is_null())
}

/// The field path of `keys` below the pod spec, e.g. `spec.template.spec.hostPID`.
#[must_use]
pub fn pod_path(template: &PodTemplate<'_>, keys: &[&str]) -> FieldPath {
    keys.iter()
        .fold(FieldPath::new(template.spec_path), |path, key| {
            path.key(key)
        })
}

/// The field path of the pod template's metadata, e.g. `spec.template.metadata`.
#[must_use]
pub fn metadata_path(template: &PodTemplate<'_>) -> FieldPath {
    let parent = template
        .spec_path
        .strip_suffix("spec")
        .unwrap_or_default()
        .trim_end_matches('.');
    FieldPath::new(parent).key("metadata")
}

/// Evidence text `path = value`: scalars as written, mappings and lists as compact JSON.
#[must_use]
pub fn evidence(path: &FieldPath, node: &Node) -> String {
    let value = node
        .scalar_text()
        .unwrap_or_else(|| node.to_json().to_string());
    format!("{path} = {value}")
}
