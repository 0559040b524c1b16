//! The scan pipeline: targets are collected into an inventory, the selected analyzers run
//! over it, accepted risks are applied, and the result is a [`ScanReport`].

use cdeguard_collect::{CollectOptions, Target};
use cdeguard_model::ScanReport;
use cdeguard_model::report::{RuleRun, SCHEMA_VERSION, ToolInfo};
use cdeguard_rules::{Rule, RuleSet};

/// What to scan with.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    pub rule_sets: Vec<RuleSet>,
    pub collect: CollectOptions,
}

impl Default for ScanOptions {
    fn default() -> Self {
        Self {
            rule_sets: RuleSet::ALL.to_vec(),
            collect: CollectOptions::default(),
        }
    }
}

/// The rules `sets` select, in registration order.
#[must_use]
pub fn selected_rules(sets: &[RuleSet]) -> Vec<&'static Rule> {
    cdeguard_rules::all_rules()
        .iter()
        .copied()
        .filter(|r| r.selected_by(sets))
        .collect()
}

fn rule_run(rule: &'static Rule) -> RuleRun {
    RuleRun {
        id: rule.id,
        title: rule.title,
        severity: rule.severity,
        pci: rule.pci,
        cis: rule.cis,
        inputs: rule.inputs,
        help: rule.summary(),
        remediation: rule.remediation,
    }
}

/// Runs a whole scan.
#[must_use]
pub fn scan(targets: &[Target], options: &ScanOptions) -> ScanReport {
    let started_at = jiff::Timestamp::now();
    let inventory = cdeguard_collect::collect(targets, &options.collect);
    let rules = selected_rules(&options.rule_sets);
    let findings = cdeguard_rules::run(&inventory, &rules);
    ScanReport {
        schema_version: SCHEMA_VERSION,
        tool: ToolInfo {
            name: "cdeguard",
            version: env!("CARGO_PKG_VERSION"),
        },
        started_at: started_at.to_string(),
        finished_at: jiff::Timestamp::now().to_string(),
        inputs: inventory.sources,
        findings,
        errors: inventory.errors,
        images: inventory.images,
        rules: rules.into_iter().map(rule_run).collect(),
    }
}
