//! Built-in configuration rules.
//!
//! Every rule is one file: a `//!` doc comment that *is* its documentation (sections
//! `## What it checks`, `## Why it matters`, `## Failing example`, `## Passing example`,
//! `## How to fix`), a `pub(crate) const RULE: Rule`, its check function, and a fixture
//! folder `tests/fixtures/<RULE-ID>/` whose resources named `fail*` must be flagged and
//! `pass*` must not. Registering a rule is one word in its group's `rule_modules!` list.
//! The network segmentation rules (`network/`, CDG-NET-*) are documentation and metadata
//! only: the scan's segmentation test produces their findings.

pub mod credentials;
pub mod docker;
pub mod dockerfile;
mod emit;
pub mod image;
pub mod k8s;
pub mod network;
pub mod pci;
pub mod pod;
pub mod ports;
pub mod pss;
pub mod rbac;
mod registry;

pub use emit::Emitter;
pub use registry::{all_rules, find_rule};

use cdeguard_model::{Cis, Finding, InputFormat, Inventory, Severity};
use rayon::prelude::*;

/// A selectable group of rules (`--rules`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RuleSet {
    /// Pod Security Standards, baseline level.
    PssBaseline,
    /// Pod Security Standards, restricted level (selecting it also selects baseline).
    PssRestricted,
    CisKubernetes,
    CisDocker,
    Pci,
}

impl RuleSet {
    pub const ALL: [RuleSet; 5] = [
        RuleSet::PssBaseline,
        RuleSet::PssRestricted,
        RuleSet::CisKubernetes,
        RuleSet::CisDocker,
        RuleSet::Pci,
    ];

    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            RuleSet::PssBaseline => "pss-baseline",
            RuleSet::PssRestricted => "pss-restricted",
            RuleSet::CisKubernetes => "cis-kubernetes",
            RuleSet::CisDocker => "cis-docker",
            RuleSet::Pci => "pci",
        }
    }

    /// Parses a comma-separated `--rules` value (`all` selects every set).
    ///
    /// # Errors
    /// Names the unknown set.
    pub fn parse_list(list: &str) -> Result<Vec<RuleSet>, String> {
        let mut sets = Vec::new();
        for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if name == "all" {
                sets.extend(RuleSet::ALL);
                continue;
            }
            let set = RuleSet::ALL
                .into_iter()
                .find(|s| s.name() == name)
                .ok_or_else(|| {
                    let known: Vec<_> = RuleSet::ALL.iter().map(|s| s.name()).collect();
                    format!(
                        "unknown rule set `{name}` (expected {} or all)",
                        known.join(", ")
                    )
                })?;
            sets.push(set);
        }
        Ok(sets)
    }
}

/// A built-in rule. Construct one per rule file; see the crate docs.
#[derive(Debug)]
pub struct Rule {
    /// Stable id, e.g. `CDG-K8S-010`. Never reused or renumbered once released.
    pub id: &'static str,
    /// Short kebab-case name, e.g. `workload-in-default-namespace`.
    pub name: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub sets: &'static [RuleSet],
    /// PCI DSS v4.0.1 requirement ids.
    pub pci: &'static [&'static str],
    pub cis: &'static [Cis],
    /// Input formats the rule reads.
    pub inputs: &'static [InputFormat],
    /// One-paragraph fix, shown next to every finding.
    pub remediation: &'static str,
    /// The rule's own source file (`include_str!`), whose `//!` comment is the doc.
    pub source: &'static str,
    pub check: fn(&Inventory, &mut Emitter<'_>),
}

impl Rule {
    /// The rule's documentation: its file's `//!` comment.
    #[must_use]
    pub fn doc(&self) -> String {
        doc_comment(self.source)
    }

    /// The first paragraph of the doc (for SARIF help and `rules` listings).
    #[must_use]
    pub fn summary(&self) -> String {
        first_paragraph(&self.doc())
    }

    /// Whether the rule belongs to any of `sets`. Selecting `pss-restricted` also
    /// selects baseline rules: the restricted level includes every baseline control,
    /// except those a restricted rule overrides (as upstream Pod Security Admission does).
    #[must_use]
    pub fn selected_by(&self, sets: &[RuleSet]) -> bool {
        sets.iter().any(|s| {
            self.sets.contains(s)
                || (*s == RuleSet::PssRestricted
                    && self.sets.contains(&RuleSet::PssBaseline)
                    && !pss::overridden_at_restricted(self))
        })
    }

    /// Runs this rule alone.
    #[must_use]
    pub fn run(&'static self, inventory: &Inventory) -> Vec<Finding> {
        let mut emitter = Emitter::new(self, inventory);
        (self.check)(inventory, &mut emitter);
        emitter.into_findings()
    }
}

/// The leading `//!` comment of a source file, without the markers.
pub(crate) fn doc_comment(source: &str) -> String {
    let mut doc = String::new();
    for line in source.lines() {
        let Some(rest) = line.strip_prefix("//!") else {
            if doc.is_empty() { continue } else { break }
        };
        doc.push_str(rest.strip_prefix(' ').unwrap_or(rest));
        doc.push('\n');
    }
    doc
}

/// The first paragraph of a doc, headings skipped, lines joined.
pub(crate) fn first_paragraph(doc: &str) -> String {
    doc.lines()
        .skip_while(|l| l.trim().is_empty() || l.starts_with('#'))
        .take_while(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs the selected rules in parallel; findings come back in a deterministic order
/// (file, line, rule id, container).
#[must_use]
pub fn run(inventory: &Inventory, rules: &[&'static Rule]) -> Vec<Finding> {
    let mut findings: Vec<Finding> = rules.par_iter().flat_map(|r| r.run(inventory)).collect();
    findings.sort_by(|a, b| {
        (
            &a.resource.file,
            a.resource.line,
            &a.rule_id,
            &a.resource.container,
            &a.evidence,
        )
            .cmp(&(
                &b.resource.file,
                b.resource.line,
                &b.rule_id,
                &b.resource.container,
                &b.evidence,
            ))
    });
    findings
}

/// Declares a group's rule modules and its `RULES` list: one word per rule.
macro_rules! rule_modules {
    ($($module:ident),* $(,)?) => {
        $(mod $module;)*
        /// The rules of this group, in registration order.
        pub(crate) const RULES: &[&crate::Rule] = &[$(&$module::RULE),*];
    };
}
pub(crate) use rule_modules;
