//! The scope and reachability graph as a self-contained SVG picture.
//!
//! What: one box per workload, in columns by scope (CDE, connected-to, out of scope) and
//! one column for external address ranges, sorted by name inside a column, so the same
//! manifests always give the same picture; one arrow per allowed connection (class
//! edges expanded to their workloads), its tooltip the allowed ports. CDE boxes carry
//! the `cde` class (red), arrows into the CDE the `into-cde` class. When there are more
//! than [`MAX_EDGES`] arrows, those touching the CDE are drawn first and the rest are
//! counted in the caption. No script, no external resource: the SVG can be inlined in an
//! HTML report or opened from disk.
//!
//! Why: PCI DSS 1.2.3 and 1.2.4 ask for an accurate network diagram and data-flow
//! diagram showing the CDE and its connections; 12.5.2 asks for the scope. This is that
//! diagram, derived from the same analysis as the segmentation test.
//!
//! Example: `cdeguard scope --format svg examples/netpol/segmented > scope.svg`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use cdeguard_model::escape::markup;

use crate::engine::{Analysis, Endpoint};
use crate::scope::{Scope, ScopeReport};

/// Arrows drawn at most.
pub const MAX_EDGES: usize = 400;

const BOX_WIDTH: usize = 300;
const BOX_HEIGHT: usize = 26;
const ROW: usize = 36;
const COLUMN: usize = 420;
const TOP: usize = 70;
const LEFT: usize = 20;

/// Columns, left to right.
const COLUMNS: [(&str, &str); 4] = [
    ("cde", "CDE"),
    ("connected", "Connected-to / security-impacting"),
    ("out-of-scope", "Out of scope"),
    ("external", "External address ranges"),
];

fn column_of(scope: Scope) -> usize {
    match scope {
        Scope::Cde => 0,
        Scope::ConnectedTo => 1,
        Scope::OutOfScope => 2,
    }
}

/// Text cut to what fits a box.
fn fit(text: &str) -> String {
    const MAX: usize = 44;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        let head: String = text.chars().take(MAX - 1).collect();
        format!("{head}…")
    }
}

/// Renders the graph of `analysis` with the scope of `report` (from `scope::classify` on
/// the same analysis).
#[must_use]
pub fn svg(analysis: &Analysis<'_>, report: &ScopeReport) -> String {
    let cluster = analysis.cluster;
    // Workload display name -> column; a name shared by several workloads keeps the
    // innermost scope.
    let mut column: BTreeMap<String, usize> = BTreeMap::new();
    for classified in &report.workloads {
        let c = column_of(classified.scope);
        column
            .entry(classified.workload.clone())
            .and_modify(|old| *old = (*old).min(c))
            .or_insert(c);
    }
    let names_of = |endpoint: Endpoint| -> Vec<String> {
        match endpoint {
            Endpoint::Ip(range) => vec![range.to_string()],
            Endpoint::Class(c) => {
                let names: BTreeSet<String> = analysis.classes[c]
                    .members
                    .iter()
                    .map(|&w| &cluster.workloads[w])
                    .filter(|w| w.kind != "Probe")
                    .map(crate::cluster::Workload::display)
                    .collect();
                names.into_iter().collect()
            }
        }
    };
    let mut edges: BTreeSet<(bool, String, String, String)> = BTreeSet::new();
    analysis.for_each_edge(|s, d, conns| {
        let conns = conns.to_string();
        for from in names_of(s) {
            if matches!(s, Endpoint::Ip(_)) {
                column.entry(from.clone()).or_insert(3);
            }
            for to in names_of(d) {
                if matches!(d, Endpoint::Ip(_)) {
                    column.entry(to.clone()).or_insert(3);
                }
                if from == to {
                    continue;
                }
                let touches_cde = column.get(&from) == Some(&0) || column.get(&to) == Some(&0);
                // `!touches_cde` sorts the CDE's edges first.
                edges.insert((!touches_cde, from.clone(), to, conns.clone()));
            }
        }
    });
    let mut rows = [0usize; 4];
    let mut position: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (name, &c) in &column {
        position.insert(name, (LEFT + c * COLUMN, TOP + rows[c] * ROW));
        rows[c] += 1;
    }
    let height = TOP + rows.iter().max().copied().unwrap_or(0).max(1) * ROW + 40;
    let width = LEFT * 2 + 3 * COLUMN + BOX_WIDTH;
    let drawn = edges.len().min(MAX_EDGES);
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="cdeguard-graph" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(
        out,
        "<title>Scope and reachability: {} workloads, {} allowed connections{}</title>",
        report.workloads.len(),
        edges.len(),
        if drawn < edges.len() {
            format!(" ({} not drawn)", edges.len() - drawn)
        } else {
            String::new()
        }
    );
    out.push_str(concat!(
        "<style>",
        ".node rect{fill:#f2f4f7;stroke:#667085;rx:4}",
        ".node.cde rect{fill:#f4a6a6;stroke:#c0001a;stroke-width:2}",
        ".node.connected rect{fill:#fde7b0;stroke:#b27600}",
        ".node.external rect{fill:#fff;stroke:#667085;stroke-dasharray:4 3}",
        ".edge{fill:none;stroke:#98a2b3;stroke-width:1;marker-end:url(#arrow)}",
        ".edge.into-cde{stroke:#c0001a;stroke-width:1.5;marker-end:url(#arrow-cde)}",
        ".column-title{font-weight:bold;font-size:14px}",
        "</style>\n",
        "<defs>",
        r##"<marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#98a2b3"/></marker>"##,
        r##"<marker id="arrow-cde" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#c0001a"/></marker>"##,
        "</defs>\n"
    ));
    for (c, (_, title)) in COLUMNS.iter().enumerate() {
        let _ = writeln!(
            out,
            r#"<text class="column-title" x="{}" y="{}">{} ({})</text>"#,
            LEFT + c * COLUMN,
            TOP - 24,
            markup(title),
            rows[c]
        );
    }
    for (_, from, to, conns) in edges.iter().take(drawn) {
        let (Some(&(x1, y1)), Some(&(x2, y2))) =
            (position.get(from.as_str()), position.get(to.as_str()))
        else {
            continue;
        };
        let (sx, sy) = (x1 + BOX_WIDTH, y1 + BOX_HEIGHT / 2);
        let (ex, ey) = if x2 > x1 {
            (x2, y2 + BOX_HEIGHT / 2)
        } else {
            (x2 + BOX_WIDTH, y2 + BOX_HEIGHT / 2)
        };
        // Same column or backwards: a loop out to the right of the column.
        let bulge = if x2 > x1 { (ex - sx) / 2 } else { 60 };
        let class = if column.get(to) == Some(&0) {
            "edge into-cde"
        } else {
            "edge"
        };
        let _ = writeln!(
            out,
            r#"<path class="{class}" d="M{sx},{sy} C{},{sy} {},{ey} {ex},{ey}"><title>{} =&gt; {} : {}</title></path>"#,
            sx + bulge,
            if x2 > x1 { ex - bulge } else { ex + bulge },
            markup(from),
            markup(to),
            markup(conns)
        );
    }
    for (name, &(x, y)) in &position {
        let c = column[*name];
        let _ = writeln!(
            out,
            r#"<g class="node {}" data-name="{}"><title>{}</title><rect x="{x}" y="{y}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}"/><text x="{}" y="{}">{}</text></g>"#,
            COLUMNS[c].0,
            markup(name),
            markup(name),
            x + 8,
            y + 17,
            markup(&fit(name))
        );
    }
    out.push_str("</svg>\n");
    out
}

/// The graph in a minimal self-contained HTML page.
#[must_use]
pub fn html(analysis: &Analysis<'_>, report: &ScopeReport) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>cdeguard scope and reachability</title></head>\n<body style=\"font-family:sans-serif\"><h1>Scope and reachability</h1>\n<p>Red: CDE. Red arrows: connections NetworkPolicies allow into the CDE (hover for ports).</p>\n{}</body></html>\n",
        svg(analysis, report)
    )
}
