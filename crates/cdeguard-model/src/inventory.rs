//! Facts gathered by `collect`: the inputs read, the objects found in them, and the
//! errors met on the way. Everything downstream reads this and only this.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::docker::{ContainerConfig, Dockerfile};
use crate::image::ImageInfo;
use crate::node::Node;

/// Index of a [`Source`] in [`Inventory::sources`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct SourceId(pub u32);

/// Where a fact came from: an input file and a 1-based line (0 when unknown).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Location {
    pub source: SourceId,
    pub line: u32,
}

impl Location {
    #[must_use]
    pub fn at_line(self, line: u32) -> Self {
        Self { line, ..self }
    }
}

/// The kind of input a file was recognised as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputFormat {
    Kubernetes,
    Compose,
    DockerInspect,
    Dockerfile,
    /// A container image (docker-archive, OCI layout or archive) or root filesystem.
    Image,
    /// A CycloneDX or SPDX JSON SBOM.
    Sbom,
    /// A lockfile or package manifest in a source folder (`requirements.txt`,
    /// `package-lock.json`, `Cargo.lock`, ...).
    Lockfile,
    /// Read but not recognised as any supported format.
    Unknown,
}

/// One input file (or stdin, path `-`), with its SHA-256 for the report's evidence.
#[derive(Clone, Debug, Serialize)]
pub struct Source {
    pub path: String,
    pub sha256: String,
    pub size: u64,
    pub format: InputFormat,
}

/// An input that could not be read or parsed (fully or partly). The run goes on.
#[derive(Clone, Debug, Serialize)]
pub struct InputError {
    pub path: String,
    /// 1-based line, when known.
    pub line: Option<u32>,
    pub message: String,
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

/// A Kubernetes object of any kind (unknown kinds are kept, not dropped).
#[derive(Clone, Debug)]
pub struct K8sObject {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    /// `metadata.namespace` as written; `None` when absent (the API server would use the
    /// namespace of the request, usually `default`).
    pub namespace: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    /// The whole object as parsed.
    pub body: Node,
    /// File and line where the object starts.
    pub loc: Location,
}

/// The pod template of a workload: metadata and spec nodes plus the field path prefix
/// used in evidence (`spec.template.spec` for a Deployment, `spec` for a Pod).
#[derive(Clone, Copy, Debug)]
pub struct PodTemplate<'a> {
    pub metadata: &'a Node,
    pub spec: &'a Node,
    pub spec_path: &'static str,
}

/// The workload kinds whose pod template cdeguard analyses.
pub const WORKLOAD_KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "PodTemplate",
];

impl K8sObject {
    /// The pod template of a workload kind, `None` for any other kind.
    #[must_use]
    pub fn pod_template(&self) -> Option<PodTemplate<'_>> {
        let (meta, spec, spec_path): (&[&str], &[&str], &'static str) = match self.kind.as_str() {
            "Pod" => (&["metadata"], &["spec"], "spec"),
            "Deployment"
            | "StatefulSet"
            | "DaemonSet"
            | "ReplicaSet"
            | "ReplicationController"
            | "Job" => (
                &["spec", "template", "metadata"],
                &["spec", "template", "spec"],
                "spec.template.spec",
            ),
            "CronJob" => (
                &["spec", "jobTemplate", "spec", "template", "metadata"],
                &["spec", "jobTemplate", "spec", "template", "spec"],
                "spec.jobTemplate.spec.template.spec",
            ),
            "PodTemplate" => (
                &["template", "metadata"],
                &["template", "spec"],
                "template.spec",
            ),
            _ => return None,
        };
        let spec = self.body.path(spec)?;
        Some(PodTemplate {
            metadata: self.body.path(meta).unwrap_or(Node::null()),
            spec,
            spec_path,
        })
    }

    /// `namespace` or `default` when unset.
    #[must_use]
    pub fn namespace_or_default(&self) -> &str {
        self.namespace.as_deref().unwrap_or("default")
    }
}

/// Everything `collect` learned from the inputs of one run.
#[derive(Clone, Debug, Default)]
pub struct Inventory {
    pub sources: Vec<Source>,
    pub objects: Vec<K8sObject>,
    /// Container runtime configurations from Compose files and `docker inspect` output.
    pub containers: Vec<ContainerConfig>,
    pub dockerfiles: Vec<Dockerfile>,
    /// Container images, root filesystems and SBOMs read.
    pub images: Vec<ImageInfo>,
    pub errors: Vec<InputError>,
}

impl Inventory {
    /// Registers an input and returns its id.
    pub fn add_source(&mut self, source: Source) -> SourceId {
        let id = SourceId(u32::try_from(self.sources.len()).expect("fewer than 2^32 inputs"));
        self.sources.push(source);
        id
    }

    #[must_use]
    pub fn source(&self, id: SourceId) -> &Source {
        &self.sources[id.0 as usize]
    }

    /// Path of the input a location points into.
    #[must_use]
    pub fn path(&self, loc: Location) -> &str {
        &self.source(loc.source).path
    }

    /// The workloads (objects with a pod template).
    pub fn workloads(&self) -> impl Iterator<Item = (&K8sObject, PodTemplate<'_>)> {
        self.objects
            .iter()
            .filter_map(|o| o.pod_template().map(|t| (o, t)))
    }

    /// Objects of one kind.
    pub fn objects_of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a K8sObject> {
        self.objects.iter().filter(move |o| o.kind == kind)
    }

    /// True when at least one input of this format was read.
    #[must_use]
    pub fn has_format(&self, format: InputFormat) -> bool {
        self.sources.iter().any(|s| s.format == format)
    }

    /// Appends another inventory (e.g. one collected in parallel), remapping source ids.
    pub fn merge(&mut self, other: Inventory) {
        let offset = u32::try_from(self.sources.len()).expect("fewer than 2^32 inputs");
        let remap = |loc: &mut Location| loc.source = SourceId(loc.source.0 + offset);
        self.sources.extend(other.sources);
        self.objects.extend(other.objects.into_iter().map(|mut o| {
            remap(&mut o.loc);
            o
        }));
        self.containers
            .extend(other.containers.into_iter().map(|mut c| {
                remap(&mut c.loc);
                c
            }));
        self.dockerfiles
            .extend(other.dockerfiles.into_iter().map(|mut d| {
                remap(&mut d.loc);
                d
            }));
        self.images.extend(other.images.into_iter().map(|mut i| {
            if let Some(loc) = &mut i.loc {
                remap(loc);
            }
            i
        }));
        self.errors.extend(other.errors);
    }
}
