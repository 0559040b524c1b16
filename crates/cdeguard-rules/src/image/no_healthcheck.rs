//! ## What it checks
//! Images without a `HEALTHCHECK`, or with `HEALTHCHECK NONE`.
//!
//! ## Why it matters
//! Without a health check a hung or compromised service keeps receiving traffic and
//! nobody is alerted; availability of security-relevant services is part of the
//! configuration standard. PCI DSS 2.2.1/2.2.6 (configuration standards applied); CIS
//! Docker v1.6.0 4.6.
//!
//! ## Failing example
//! ```dockerfile
//! FROM nginx:1.27
//! ```
//!
//! ## Passing example
//! ```dockerfile
//! HEALTHCHECK --interval=30s CMD curl -fsS http://localhost/healthz || exit 1
//! ```
//!
//! ## How to fix
//! Add a `HEALTHCHECK` instruction (or rely on Kubernetes liveness/readiness probes and
//! document it as an accepted risk).

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-IMG-008",
    name: "image-no-healthcheck",
    title: "Image has no HEALTHCHECK",
    severity: Severity::Low,
    sets: &[RuleSet::CisDocker],
    pci: &["2.2.1", "2.2.6"],
    cis: &[Cis::docker("4.6")],
    inputs: &[InputFormat::Image],
    remediation: "Add a HEALTHCHECK instruction to the Dockerfile (or liveness/readiness probes in the pod spec).",
    source: include_str!("no_healthcheck.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for image in super::configured(inventory) {
        match image.config.healthcheck.as_deref() {
            None | Some([]) => out.image(image, "no HEALTHCHECK", "config.Healthcheck unset"),
            Some([none, ..]) if none == "NONE" => out.image(image, "HEALTHCHECK disabled", "config.Healthcheck.Test = [\"NONE\"]"),
            Some(_) => {}
        }
    }
}
