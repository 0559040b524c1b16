//! SBOM formats: the packages of the images, root filesystems and SBOMs scanned, as
//! CycloneDX 1.6 or SPDX 2.3 JSON (writers in `cdeguard_packages::sbom`).

use std::io::{self, Write};

use cdeguard_model::ScanReport;
use cdeguard_packages::sbom::{Subject, cyclonedx, spdx};

use crate::Format;

pub(crate) fn render(report: &ScanReport, format: Format, out: &mut dyn Write) -> io::Result<()> {
    let subject = Subject {
        images: &report.images,
        tool_version: report.tool.version,
        timestamp: &report.started_at,
    };
    match format {
        Format::Spdx => spdx::write(&subject, out),
        _ => cyclonedx::write(&subject, out),
    }
}
