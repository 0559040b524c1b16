//! Renders a [`ScanReport`] in every output format. All formats render the same findings;
//! none of them judges or filters.

mod csv;
mod html;
mod json;
mod junit;
pub mod requirements;
mod sarif;
mod sbom;
mod terminal;

use std::io::{self, Write};

use cdeguard_model::ScanReport;

/// An output format (`--format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Terminal,
    Json,
    Sarif,
    Html,
    Junit,
    Csv,
    /// CycloneDX 1.6 JSON SBOM of the images scanned.
    CycloneDx,
    /// SPDX 2.3 JSON SBOM of the images scanned.
    Spdx,
}

impl Format {
    pub const ALL: [Format; 8] = [
        Format::Terminal,
        Format::Json,
        Format::Sarif,
        Format::Html,
        Format::Junit,
        Format::Csv,
        Format::CycloneDx,
        Format::Spdx,
    ];

    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Format::Terminal => "terminal",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Html => "html",
            Format::Junit => "junit",
            Format::Csv => "csv",
            Format::CycloneDx => "cyclonedx",
            Format::Spdx => "spdx",
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| {
                let known: Vec<_> = Format::ALL.iter().map(|f| f.name()).collect();
                format!(
                    "unknown format `{s}` (expected one of: {})",
                    known.join(", ")
                )
            })
    }
}

/// Terminal rendering options.
#[derive(Clone, Copy, Debug, Default)]
pub struct TerminalOptions {
    /// ANSI colours (on a TTY).
    pub color: bool,
}

/// Writes `report` in `format` to `out`.
///
/// # Errors
/// I/O errors of `out`.
pub fn render(
    report: &ScanReport,
    format: Format,
    terminal: TerminalOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Terminal => terminal::render(report, terminal, out),
        Format::Json => json::render(report, out),
        Format::Sarif => sarif::render(report, out),
        Format::Html => html::render(report, out),
        Format::Junit => junit::render(report, out),
        Format::Csv => csv::render(report, out),
        Format::CycloneDx | Format::Spdx => sbom::render(report, format, out),
    }
}
