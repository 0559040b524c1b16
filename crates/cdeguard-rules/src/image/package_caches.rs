//! ## What it checks
//! Package manager caches left in the image: downloaded `.deb`/`.apk`/`.rpm` files, apt
//! lists, pip/npm/yarn/go/cargo/maven caches.
//!
//! ## Why it matters
//! Caches add size and components nobody inventories or patches, and keep package
//! indexes an attacker can use. PCI DSS 2.2.4 (only necessary components) and 6.3.2
//! (software inventory); NIST SP 800-190 image bloat.
//!
//! ## Failing example
//! ```dockerfile
//! RUN apt-get update && apt-get install -y curl
//! ```
//!
//! ## Passing example
//! ```dockerfile
//! RUN apt-get update && apt-get install -y --no-install-recommends curl \
//!  && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb
//! ```
//!
//! ## How to fix
//! Clean caches in the same `RUN` that fills them (`apt-get clean`, `rm -rf
//! /var/lib/apt/lists/*`, `apk add --no-cache`, `pip install --no-cache-dir`), or use a
//! multi-stage build.

use cdeguard_model::{InputFormat, Inventory, Severity};

use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-IMG-004",
    name: "image-package-caches",
    title: "Package manager caches left in the image",
    severity: Severity::Low,
    sets: &[RuleSet::CisDocker, RuleSet::Pci],
    pci: &["2.2.4"],
    cis: &[],
    inputs: &[InputFormat::Image],
    remediation: "Clean package caches in the RUN that creates them (apt-get clean, rm -rf /var/lib/apt/lists/*, apk --no-cache, pip --no-cache-dir), or use a multi-stage build.",
    source: include_str!("package_caches.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for image in &inventory.images {
        let caches = &image.files.package_caches;
        if !caches.is_empty() {
            let total: u64 = caches.iter().map(|c| c.size).sum();
            let listed: Vec<String> = caches.iter().map(|c| format!("{} ({} bytes)", c.path, c.size)).collect();
            out.image(image, format!("package caches hold {total} bytes"), listed.join(", "));
        }
    }
}
