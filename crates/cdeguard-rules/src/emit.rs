//! Turning a rule's observations into [`Finding`]s with the rule's metadata attached.

use cdeguard_model::docker::{ContainerConfig, ContainerOrigin, Dockerfile};
use cdeguard_model::{Finding, ImageInfo, Inventory, K8sObject, Resource, Severity};

use crate::Rule;

/// One problem a rule found: where, what, the evidence, and an optional severity that
/// overrides the rule's default.
pub(crate) struct Problem {
    pub(crate) line: u32,
    message: String,
    evidence: String,
    pub(crate) severity: Option<Severity>,
}

impl Problem {
    pub(crate) fn new(line: u32, message: impl Into<String>, evidence: impl Into<String>) -> Self {
        Self {
            line,
            message: message.into(),
            evidence: evidence.into(),
            severity: None,
        }
    }
}

/// Collects the findings of one rule. Rules call the `k8s`, `container` or `dockerfile`
/// helpers (or build a [`Resource`] and call [`Emitter::emit`]).
pub struct Emitter<'a> {
    rule: &'static Rule,
    inventory: &'a Inventory,
    findings: Vec<Finding>,
}

impl<'a> Emitter<'a> {
    #[must_use]
    pub fn new(rule: &'static Rule, inventory: &'a Inventory) -> Self {
        Self {
            rule,
            inventory,
            findings: Vec::new(),
        }
    }

    #[must_use]
    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }

    /// Reports a finding on `resource` at the rule's severity.
    pub fn emit(
        &mut self,
        resource: Resource,
        message: impl Into<String>,
        evidence: impl Into<String>,
    ) {
        self.emit_with_severity(self.rule.severity, resource, message, evidence);
    }

    /// Reports a finding with a severity other than the rule's default (e.g. a hostPath
    /// mount of the container runtime socket is worse than one of a data folder).
    pub fn emit_with_severity(
        &mut self,
        severity: Severity,
        resource: Resource,
        message: impl Into<String>,
        evidence: impl Into<String>,
    ) {
        let rule = self.rule;
        self.findings.push(Finding {
            rule_id: rule.id.to_owned(),
            title: rule.title.to_owned(),
            severity,
            pci: rule.pci.iter().map(|s| (*s).to_owned()).collect(),
            cis: rule.cis.to_vec(),
            resource,
            message: message.into(),
            evidence: evidence.into(),
            remediation: rule.remediation.to_owned(),
            fingerprint: None,
            vulnerability: None,
            suppressed: None,
        });
    }

    /// Reports a [`Problem`] on `resource`.
    pub(crate) fn problem(&mut self, resource: Resource, problem: Problem) {
        let severity = problem.severity.unwrap_or(self.rule.severity);
        self.emit_with_severity(severity, resource, problem.message, problem.evidence);
    }

    /// The resource of a Kubernetes object, at `line`, optionally for one container.
    #[must_use]
    pub fn k8s_resource(&self, object: &K8sObject, line: u32, container: Option<&str>) -> Resource {
        Resource {
            kind: object.kind.clone(),
            namespace: object.namespace.clone(),
            name: object.name.clone(),
            container: container.map(str::to_owned),
            file: self.inventory.path(object.loc).to_owned(),
            line: Some(if line == 0 { object.loc.line } else { line }),
            layer: None,
        }
    }

    /// Reports a finding on a Kubernetes object.
    pub fn k8s(
        &mut self,
        object: &K8sObject,
        line: u32,
        container: Option<&str>,
        message: impl Into<String>,
        evidence: impl Into<String>,
    ) {
        let resource = self.k8s_resource(object, line, container);
        self.emit(resource, message, evidence);
    }

    /// The resource of a Compose service or `docker inspect` container.
    #[must_use]
    pub fn container_resource(&self, container: &ContainerConfig, line: u32) -> Resource {
        Resource {
            kind: match container.origin {
                ContainerOrigin::Compose => "ComposeService",
                ContainerOrigin::DockerInspect => "Container",
            }
            .to_owned(),
            namespace: None,
            name: container.name.clone(),
            container: None,
            file: self.inventory.path(container.loc).to_owned(),
            line: Some(if line == 0 { container.loc.line } else { line }),
            layer: None,
        }
    }

    /// Reports a finding on a Compose service or `docker inspect` container.
    pub fn container(
        &mut self,
        container: &ContainerConfig,
        line: u32,
        message: impl Into<String>,
        evidence: impl Into<String>,
    ) {
        let resource = self.container_resource(container, line);
        self.emit(resource, message, evidence);
    }

    /// The resource of a Dockerfile (named after its file).
    #[must_use]
    pub fn dockerfile_resource(&self, dockerfile: &Dockerfile, line: u32) -> Resource {
        let file = self.inventory.path(dockerfile.loc).to_owned();
        let name = std::path::Path::new(&file)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or(&file)
            .to_owned();
        Resource {
            kind: "Dockerfile".to_owned(),
            namespace: None,
            name,
            container: None,
            file,
            line: Some(if line == 0 { dockerfile.loc.line } else { line }),
            layer: None,
        }
    }

    /// Reports a finding on a Dockerfile instruction.
    pub fn dockerfile(
        &mut self,
        dockerfile: &Dockerfile,
        line: u32,
        message: impl Into<String>,
        evidence: impl Into<String>,
    ) {
        let resource = self.dockerfile_resource(dockerfile, line);
        self.emit(resource, message, evidence);
    }

    /// The resource of an image, root filesystem or SBOM (named after its file).
    #[must_use]
    pub fn image_resource(&self, image: &ImageInfo) -> Resource {
        Resource {
            kind: "Image".to_owned(),
            namespace: None,
            name: image.display_name().to_owned(),
            container: None,
            file: image.loc.map_or_else(
                || image.reference.clone(),
                |loc| self.inventory.path(loc).to_owned(),
            ),
            line: Some(1),
            layer: None,
        }
    }

    /// Reports a finding on an image.
    pub fn image(
        &mut self,
        image: &ImageInfo,
        message: impl Into<String>,
        evidence: impl Into<String>,
    ) {
        let resource = self.image_resource(image);
        self.emit(resource, message, evidence);
    }
}
