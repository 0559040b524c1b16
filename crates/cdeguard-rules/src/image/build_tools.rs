//! ## What it checks
//! Compilers, build systems and debuggers present in the image (`gcc`, `make`, `go`,
//! `cargo`, `javac`, `gdb`, ...).
//!
//! ## Why it matters
//! Build tools in a production image let an intruder compile and run tooling in place
//! and widen the attack surface with unpatched components. PCI DSS 2.2.4 (enable only
//! necessary components); CIS Docker v1.6.0 4.3 (no unnecessary packages).
//!
//! ## Failing example
//! ```dockerfile
//! FROM golang:1.22
//! COPY . .
//! RUN go build -o /app .
//! ```
//!
//! ## Passing example
//! ```dockerfile
//! FROM golang:1.22 AS build
//! RUN go build -o /app .
//! FROM gcr.io/distroless/static
//! COPY --from=build /app /app
//! ```
//!
//! ## How to fix
//! Build in a separate stage and copy only the artefacts into a minimal runtime image.

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-IMG-005",
    name: "image-build-tools",
    title: "Build tools left in the image",
    severity: Severity::Low,
    sets: &[RuleSet::CisDocker, RuleSet::Pci],
    pci: &["2.2.4"],
    cis: &[Cis::docker("4.3")],
    inputs: &[InputFormat::Image],
    remediation: "Use a multi-stage build: compile in a builder stage and copy only the artefacts into a minimal runtime image.",
    source: include_str!("build_tools.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for image in &inventory.images {
        let tools = &image.files.build_tools;
        if !tools.is_empty() {
            let listed: Vec<&str> = tools.iter().map(|t| t.path.as_str()).collect();
            out.image(image, format!("{} build tool(s) present", tools.len()), listed.join(", "));
        }
    }
}
