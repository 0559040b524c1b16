//! Human-readable terminal output, grouped by severity; coloured on a TTY.

use std::io::{self, Write};

use cdeguard_model::{Finding, ScanReport, Severity};

use crate::TerminalOptions;

fn paint(color: bool, code: &str, text: &str) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

fn severity_code(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "1;31",
        Severity::High => "31",
        Severity::Medium => "33",
        Severity::Low => "36",
        Severity::Info => "2",
    }
}

fn location(f: &Finding) -> String {
    match f.resource.line {
        Some(line) => format!("{}:{line}", f.resource.file),
        None => f.resource.file.clone(),
    }
}

fn resource_label(f: &Finding) -> String {
    let r = &f.resource;
    let mut label = r.kind.clone();
    label.push(' ');
    if let Some(ns) = &r.namespace {
        label.push_str(ns);
        label.push('/');
    }
    label.push_str(&r.name);
    if let Some(c) = &r.container {
        label.push_str(&format!(" (container {c})"));
    }
    label
}

pub(crate) fn render(
    report: &ScanReport,
    options: TerminalOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let color = options.color;
    for severity in Severity::ALL {
        let group: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.severity == severity && !f.is_suppressed())
            .collect();
        if group.is_empty() {
            continue;
        }
        let heading = format!("{} ({})", severity.as_str().to_uppercase(), group.len());
        writeln!(out, "{}", paint(color, severity_code(severity), &heading))?;
        for f in group {
            writeln!(
                out,
                "  {} {} {}",
                paint(color, "1", &f.rule_id),
                f.title,
                paint(color, "2", &format!("[PCI {}]", f.pci.join(", ")))
            )?;
            writeln!(out, "    {} {}", location(f), resource_label(f))?;
            writeln!(out, "    {}", f.message)?;
            if !f.evidence.is_empty() {
                writeln!(out, "    evidence: {}", f.evidence)?;
            }
            writeln!(out, "    fix: {}", f.remediation)?;
        }
        writeln!(out)?;
    }
    let accepted: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.is_suppressed())
        .collect();
    if !accepted.is_empty() {
        writeln!(
            out,
            "{}",
            paint(color, "2", &format!("ACCEPTED RISKS ({})", accepted.len()))
        )?;
        for f in accepted {
            let why = f
                .suppressed
                .as_ref()
                .map(|s| s.justification.as_str())
                .unwrap_or_default();
            writeln!(
                out,
                "  {} {} {}: {why}",
                f.rule_id,
                location(f),
                resource_label(f)
            )?;
        }
        writeln!(out)?;
    }
    for e in &report.errors {
        writeln!(out, "{} {e}", paint(color, "31", "error:"))?;
    }
    let open = report
        .findings
        .iter()
        .filter(|f| !f.is_suppressed())
        .count();
    let counts: Vec<String> = Severity::ALL
        .iter()
        .map(|s| {
            let n = report
                .findings
                .iter()
                .filter(|f| f.severity == *s && !f.is_suppressed())
                .count();
            format!("{n} {s}")
        })
        .collect();
    writeln!(
        out,
        "{} findings ({}), {} accepted, {} inputs, {} input errors",
        open,
        counts.join(", "),
        report.findings.len() - open,
        report.inputs.len(),
        report.errors.len()
    )
}
