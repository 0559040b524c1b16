//! ## What it checks
//! Container images referenced without a `@sha256:` digest, in Kubernetes workloads and
//! Compose services. `:latest` or no tag at all is worse (medium) than a fixed tag (low).
//!
//! ## Why it matters
//! A tag can be moved: what runs in the CDE is then not the image that was scanned and
//! approved. The software inventory (PCI DSS 6.3.2) and change control (6.5.1) need the
//! exact image; CIS Kubernetes v1.12 5.5.1 (image provenance).
//!
//! ## Failing example
//! ```yaml
//! image: rabbitmq:latest
//! ```
//!
//! ## Passing example
//! ```yaml
//! image: registry.example.com/payments/api@sha256:3f1d0b9c5a7e2d4f6b8a0c1e3d5f7a9b2c4e6f8a0b1c3d5e7f9a2b4c6d8e0f1a
//! ```
//!
//! ## How to fix
//! Reference images by digest (keep the tag for readers: `name:1.2.3@sha256:…`).

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use crate::pod::containers;
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PCI-001",
    name: "image-not-pinned-by-digest",
    title: "Image not pinned by digest",
    severity: Severity::Low,
    sets: &[RuleSet::Pci, RuleSet::CisKubernetes],
    pci: &["6.3.2", "6.5.1"],
    cis: &[Cis::k8s("5.5.1")],
    inputs: &[InputFormat::Kubernetes, InputFormat::Compose],
    remediation: "Pin the image by digest: name:tag@sha256:<digest>.",
    source: include_str!("unpinned_image.rs"),
    check,
};

/// The tag of an image reference, if any (`None` for a bare name).
fn tag(image: &str) -> Option<&str> {
    let last = image.rsplit('/').next().unwrap_or(image);
    last.split_once(':').map(|(_, tag)| tag)
}

/// Severity and description when an image is not pinned; `None` when it is.
pub(crate) fn image_pinning(image: &str) -> Option<(Severity, String)> {
    if image.contains("@sha256:") {
        return None;
    }
    match tag(image) {
        None => Some((Severity::Medium, format!("image `{image}` has no tag (implies :latest) and no digest"))),
        Some("latest") => Some((Severity::Medium, format!("image `{image}` uses the mutable :latest tag"))),
        Some(_) => Some((Severity::Low, format!("image `{image}` is pinned by tag only, not by digest"))),
    }
}

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        for c in containers(&pod) {
            let Some(node) = c.node.get("image") else { continue };
            let image = node.as_str().unwrap_or_default();
            if let Some((severity, message)) = image_pinning(image) {
                let resource = out.k8s_resource(object, node.line, Some(c.name()));
                out.emit_with_severity(severity, resource, message, format!("{}.image = {image}", c.path));
            }
        }
    }
    for container in &inventory.containers {
        let Some(image) = container.image.as_deref() else { continue };
        if let Some((severity, message)) = image_pinning(image) {
            let resource = out.container_resource(container, container.line_of("image"));
            out.emit_with_severity(severity, resource, message, format!("image = {image}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_read_after_the_last_slash() {
        assert_eq!(tag("registry:5000/app"), None);
        assert_eq!(tag("registry:5000/app:1.2"), Some("1.2"));
        assert!(image_pinning("app:1.2@sha256:ab").is_none());
        assert_eq!(image_pinning("rabbitmq").map(|(s, _)| s), Some(Severity::Medium));
    }
}
