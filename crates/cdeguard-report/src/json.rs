//! JSON report: the [`ScanReport`] serialised as documented in `docs/json-report.md`.

use std::io::{self, Write};

use cdeguard_model::ScanReport;

pub(crate) fn render(report: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}
