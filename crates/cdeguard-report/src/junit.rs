//! JUnit XML for CI systems: one test suite per rule that ran, one test case per resource
//! the rule flagged (failure), accepted risks as skipped, and a passing case for rules
//! that found nothing.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use cdeguard_model::{Finding, ScanReport};

use cdeguard_model::escape::markup;

pub(crate) fn render(report: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    let mut by_rule: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        let run = cdeguard_model::report::run_of(&report.rules, &f.rule_id);
        by_rule
            .entry(run.map_or(f.rule_id.as_str(), |r| r.id))
            .or_default()
            .push(f);
    }
    let mut suites = String::new();
    let (mut total, mut failures, mut skipped) = (0, 0, 0);
    for rule in &report.rules {
        let findings = by_rule.remove(rule.id).unwrap_or_default();
        let mut cases = String::new();
        let (mut suite_failures, mut suite_skipped) = (0, 0);
        if findings.is_empty() {
            let _ = write!(
                cases,
                "<testcase classname=\"{id}\" name=\"no findings\"/>",
                id = markup(rule.id)
            );
        }
        for f in &findings {
            let mut location = format!("{}:{}", f.resource.file, f.resource.line.unwrap_or(0));
            if let Some(layer) = &f.resource.layer {
                let _ = write!(location, " in {layer}");
            }
            let name = format!("{} {} ({location})", f.resource.kind, f.resource.name);
            let body = match &f.suppressed {
                Some(s) => {
                    suite_skipped += 1;
                    format!(
                        "<skipped message=\"accepted risk: {}\"/>",
                        markup(&s.justification)
                    )
                }
                None => {
                    suite_failures += 1;
                    format!(
                        "<failure type=\"{sev}\" message=\"{msg}\">{evidence}\nPCI DSS v4.0.1: {pci}\nFix: {fix}</failure>",
                        sev = f.severity.as_str(),
                        msg = markup(&f.message),
                        evidence = markup(&f.evidence),
                        pci = markup(&f.pci.join(", ")),
                        fix = markup(&f.remediation),
                    )
                }
            };
            let _ = write!(
                cases,
                "<testcase classname=\"{}\" name=\"{}\" file=\"{}\">{body}</testcase>",
                markup(rule.id),
                markup(&name),
                markup(&f.resource.file)
            );
        }
        let tests = findings.len().max(1);
        total += tests;
        failures += suite_failures;
        skipped += suite_skipped;
        let _ = writeln!(
            suites,
            "<testsuite name=\"{id} {title}\" tests=\"{tests}\" failures=\"{suite_failures}\" skipped=\"{suite_skipped}\" errors=\"0\">{cases}</testsuite>",
            id = markup(rule.id),
            title = markup(rule.title),
        );
    }
    if !report.errors.is_empty() {
        let mut cases = String::new();
        for e in &report.errors {
            let _ = write!(
                cases,
                "<testcase classname=\"input\" name=\"{}\"><error message=\"{}\"/></testcase>",
                markup(&e.path),
                markup(&e.to_string())
            );
        }
        total += report.errors.len();
        let _ = writeln!(
            suites,
            "<testsuite name=\"inputs\" tests=\"{n}\" failures=\"0\" skipped=\"0\" errors=\"{n}\">{cases}</testsuite>",
            n = report.errors.len()
        );
    }
    write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"cdeguard\" tests=\"{total}\" failures=\"{failures}\" skipped=\"{skipped}\" errors=\"{}\">\n{suites}</testsuites>\n",
        report.errors.len()
    )
}
