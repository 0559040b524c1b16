//! A self-contained HTML report for assessors: no external assets (inline CSS and SVG),
//! printable, organised by PCI DSS v4.0.1 requirement.

use std::fmt::Write as _;
use std::io::{self, Write};

use cdeguard_model::{Finding, ScanReport, Severity};

use crate::requirements::{RequirementResult, Status, evaluate};
use cdeguard_model::escape::markup;

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1200px;color:#1b1f24;padding:0 1em}\
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:2em;border-bottom:1px solid #d0d7de;padding-bottom:.2em}\
table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #d0d7de;padding:.35em .5em;text-align:left;vertical-align:top}\
th{background:#f6f8fa}.badge{display:inline-block;padding:.1em .5em;border-radius:1em;font-size:.85em;font-weight:600;white-space:nowrap}\
.fail,.critical{background:#ffebe9;color:#a40e26}.high{background:#fff1e5;color:#953800}.medium{background:#fff8c5;color:#7d4e00}\
.low,.info{background:#ddf4ff;color:#0550ae}.pass{background:#dafbe1;color:#116329}.excepted{background:#fbefff;color:#6e40c9}\
.na,.manual,.not-evaluated{background:#eaeef2;color:#424a53}.muted{color:#57606a}code{font-size:.9em;background:#f6f8fa;padding:0 .2em;word-break:break-all}\
.note{border-left:4px solid #0969da;background:#ddf4ff;padding:.5em 1em}.graph{overflow-x:auto}@media print{h2{page-break-after:avoid}tr{page-break-inside:avoid}}";

fn status_class(status: &Status) -> &'static str {
    match status {
        Status::Fail => "fail",
        Status::Excepted => "excepted",
        Status::Pass => "pass",
        Status::NotApplicable(_) => "na",
        Status::NotEvaluated(_) => "not-evaluated",
        Status::Manual => "manual",
    }
}

/// Inline SVG bar chart of open findings per severity.
fn severity_chart(report: &ScanReport) -> String {
    let counts: Vec<(Severity, usize)> = Severity::ALL
        .iter()
        .map(|s| {
            (
                *s,
                report
                    .findings
                    .iter()
                    .filter(|f| f.severity == *s && !f.is_suppressed())
                    .count(),
            )
        })
        .collect();
    let max = counts.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let colours = ["#cf222e", "#bc4c00", "#bf8700", "#0969da", "#8c959f"];
    let mut svg = String::from(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="520" height="150" role="img" aria-label="Open findings by severity">"#,
    );
    for (i, ((severity, n), colour)) in counts.iter().zip(colours).enumerate() {
        let y = 10 + i * 27;
        let width = 360 * n / max;
        let _ = write!(
            svg,
            r#"<text x="0" y="{}" font-size="13">{}</text><rect x="80" y="{y}" width="{width}" height="20" fill="{colour}"/><text x="{}" y="{}" font-size="13">{n}</text>"#,
            y + 15,
            severity.as_str(),
            86 + width,
            y + 15
        );
    }
    svg.push_str("</svg>");
    svg
}

fn location(f: &Finding) -> String {
    let mut location = match f.resource.line {
        Some(line) => format!("{}:{line}", f.resource.file),
        None => f.resource.file.clone(),
    };
    if let Some(layer) = &f.resource.layer {
        let _ = write!(location, " in {layer}");
    }
    location
}

fn resource(f: &Finding) -> String {
    let r = &f.resource;
    let mut s = format!(
        "{} {}",
        r.kind,
        r.namespace
            .as_ref()
            .map_or(String::new(), |n| format!("{n}/"))
            + &r.name
    );
    if let Some(c) = &r.container {
        let _ = write!(s, " (container {c})");
    }
    s
}

fn requirement_rows(results: &[RequirementResult]) -> String {
    let mut rows = String::new();
    for r in results {
        let reason = r
            .status
            .reason()
            .map(|x| format!(" <span class=\"muted\">({})</span>", markup(x)))
            .unwrap_or_default();
        let _ = write!(
            rows,
            "<tr id=\"req-{id}\"><td>{id}</td><td>{title}</td><td><span class=\"badge {class}\">{label}</span>{reason}</td><td>{open}</td><td>{accepted}</td><td>{rules}</td></tr>",
            id = markup(r.id),
            title = markup(r.title),
            class = status_class(&r.status),
            label = r.status.label(),
            open = r.open_findings,
            accepted = r.accepted_findings,
            rules = markup(&r.rules.join(", ")),
        );
    }
    rows
}

fn finding_rows(findings: &[&Finding]) -> String {
    let mut rows = String::new();
    for f in findings {
        let cis: Vec<String> = f.cis.iter().map(ToString::to_string).collect();
        let accepted = f.suppressed.as_ref().map_or(String::new(), |s| {
            format!(
                "<br><span class=\"badge excepted\">accepted risk</span> {}{}",
                markup(&s.justification),
                s.expires.as_ref().map_or(String::new(), |e| format!(
                    " <span class=\"muted\">(expires {})</span>",
                    markup(e)
                ))
            )
        });
        let _ = write!(
            rows,
            "<tr><td><span class=\"badge {sev}\">{sev}</span></td><td><code>{rule}</code><br>{title}</td><td>{resource}<br><code>{loc}</code></td><td>{message}<br><span class=\"muted\">evidence:</span> <code>{evidence}</code>{accepted}</td><td>{fix}</td><td>{pci}<br><span class=\"muted\">{cis}</span></td></tr>",
            sev = f.severity.as_str(),
            rule = markup(&f.rule_id),
            title = markup(&f.title),
            resource = markup(&resource(f)),
            loc = markup(&location(f)),
            message = markup(&f.message),
            evidence = markup(&f.evidence),
            fix = markup(&f.remediation),
            pci = markup(&f.pci.join(", ")),
            cis = markup(&cis.join(", ")),
        );
    }
    rows
}

pub(crate) fn render(report: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    let results = evaluate(report);
    let count = |label: &str| results.iter().filter(|r| r.status.label() == label).count();
    let mut open: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| !f.is_suppressed())
        .collect();
    open.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.rule_id.cmp(&b.rule_id))
    });
    let accepted: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.is_suppressed())
        .collect();
    let mut inputs = String::new();
    for i in &report.inputs {
        let _ = write!(
            inputs,
            "<tr><td><code>{}</code></td><td>{:?}</td><td>{}</td><td><code>{}</code></td></tr>",
            markup(&i.path),
            i.format,
            i.size,
            markup(&i.sha256)
        );
    }
    let mut errors = String::new();
    for e in &report.errors {
        let _ = write!(errors, "<li><code>{}</code></li>", markup(&e.to_string()));
    }
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
<title>cdeguard report: PCI DSS v4.0.1 evidence</title><style>{STYLE}</style></head><body>\
<h1>PCI DSS v4.0.1 evidence report</h1>\
<p class=\"muted\">Generated by {tool} {version} · scan started {started} · finished {finished} · {ninputs} inputs · {nfindings} findings ({nopen} open, {naccepted} accepted risks) · {nerrors} input errors</p>\
<p class=\"note\">This report is evidence produced by automated checks. Whether a requirement is in place is the assessor's determination; \
<em>pass</em> means only that the automated checks listed found no weakness in the inputs scanned.</p>\
<h2>Summary by requirement</h2>\
<p>{nfail} fail · {nexc} excepted · {npass} pass · {nna} not applicable · {nne} not evaluated · {nman} manual</p>\
<table><thead><tr><th>Requirement</th><th>Title (paraphrased)</th><th>Result</th><th>Open</th><th>Accepted</th><th>Automated checks</th></tr></thead><tbody>{req_rows}</tbody></table>\
<h2>Open findings by severity</h2>{chart}\
<h2>Findings</h2><table><thead><tr><th>Severity</th><th>Rule</th><th>Resource</th><th>Finding</th><th>Fix</th><th>PCI DSS / CIS</th></tr></thead><tbody>{open_rows}</tbody></table>\
{graph_section}\
<h2>Accepted risks</h2>{accepted_section}\
<h2>Scan inputs</h2><table><thead><tr><th>Path</th><th>Format</th><th>Bytes</th><th>SHA-256</th></tr></thead><tbody>{inputs}</tbody></table>\
<h2>Input errors</h2>{errors_section}\
</body></html>\n",
        tool = markup(report.tool.name),
        version = markup(report.tool.version),
        started = markup(&report.started_at),
        finished = markup(&report.finished_at),
        ninputs = report.inputs.len(),
        nfindings = report.findings.len(),
        nopen = open.len(),
        naccepted = accepted.len(),
        nerrors = report.errors.len(),
        nfail = count("fail"),
        nexc = count("excepted"),
        npass = count("pass"),
        nna = count("not applicable"),
        nne = count("not evaluated"),
        nman = count("manual"),
        req_rows = requirement_rows(&results),
        chart = severity_chart(report),
        open_rows = finding_rows(&open),
        // Markup built by cdeguard-netpol's graph module, which escapes every name.
        graph_section = report.network_graph.as_deref().map_or_else(String::new, |svg| {
            format!(
                "<h2>Network scope and reachability (PCI DSS 1.2.3, 1.2.4, 12.5.2)</h2><p class=\"muted\">Columns: CDE (red), connected-to, out of scope, external ranges; arrows: connections NetworkPolicies allow (red into the CDE; hover for ports).</p><div class=\"graph\">{svg}</div>"
            )
        }),
        accepted_section = if accepted.is_empty() {
            "<p class=\"muted\">None.</p>".to_owned()
        } else {
            format!(
                "<table><thead><tr><th>Severity</th><th>Rule</th><th>Resource</th><th>Finding</th><th>Fix</th><th>PCI DSS / CIS</th></tr></thead><tbody>{}</tbody></table>",
                finding_rows(&accepted)
            )
        },
        errors_section = if errors.is_empty() {
            "<p class=\"muted\">None.</p>".to_owned()
        } else {
            format!("<ul>{errors}</ul>")
        },
    );
    out.write_all(html.as_bytes())
}
