//! JSON report: the [`ScanReport`] as documented in `docs/json-report.md`, plus the
//! per-requirement `requirements` summary.

use std::io::{self, Write};

use cdeguard_model::ScanReport;

pub(crate) fn render(report: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    let mut value = serde_json::to_value(report)?;
    value["requirements"] = serde_json::to_value(crate::requirements::evaluate(report))?;
    serde_json::to_writer_pretty(&mut *out, &value)?;
    writeln!(out)
}
