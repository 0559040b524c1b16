//! ## What it checks
//! Images whose configuration sets no `USER`, or sets user `0` / `root`, so every
//! container started from them runs as root unless the runtime overrides it.
//!
//! ## Why it matters
//! A process running as root inside a container is one kernel or runtime bug away from
//! root on the node. PCI DSS 2.2.5/7.2.1 ask for least privilege; CIS Docker v1.6.0 4.1
//! ("Ensure that a user for the container has been created").
//!
//! ## Failing example
//! ```dockerfile
//! FROM debian:12
//! COPY app /app       # no USER: runs as root
//! ```
//!
//! ## Passing example
//! ```dockerfile
//! FROM debian:12
//! RUN useradd -r -u 10001 app
//! USER 10001
//! ```
//!
//! ## How to fix
//! Create an unprivileged user in the image and end the Dockerfile with `USER <uid>`.

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-IMG-001",
    name: "image-runs-as-root",
    title: "Image runs as root",
    severity: Severity::Medium,
    sets: &[RuleSet::CisDocker, RuleSet::Pci],
    pci: &["2.2.5", "7.2.1"],
    cis: &[Cis::docker("4.1")],
    inputs: &[InputFormat::Image],
    remediation: "Add an unprivileged user to the image and set `USER <uid>` as the last user instruction.",
    source: include_str!("runs_as_root.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for image in super::configured(inventory).filter(|i| i.runs_as_root()) {
        let evidence = match &image.config.user {
            None => "config.User unset".to_owned(),
            Some(user) => format!("config.User = {user:?}"),
        };
        out.image(image, "the image runs as root", evidence);
    }
}
