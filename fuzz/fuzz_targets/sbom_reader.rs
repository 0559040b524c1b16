//! Fuzzes the SBOM reader (CycloneDX and SPDX JSON): any input is packages or a
//! `CatalogError`, never a panic. What it accepts must survive our own writers: the
//! packages written back as CycloneDX 1.6 and SPDX 2.3 must read again.
#![no_main]

use cdeguard_model::ImageInfo;
use cdeguard_model::image::ImageKind;
use cdeguard_packages::sbom::{Subject, cyclonedx, read, spdx};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(sbom) = read::read("fuzz.json", data) else {
        return;
    };
    let image = ImageInfo {
        packages: sbom.packages,
        ..ImageInfo::new("fuzz", ImageKind::RootFs)
    };
    let images = [image];
    let subject = Subject {
        images: &images,
        tool_version: "0",
        timestamp: "2026-01-01T00:00:00Z",
    };
    for write in [cyclonedx::write, spdx::write] {
        let mut out = Vec::new();
        write(&subject, &mut out).expect("writing to memory succeeds");
        let again = read::read("fuzz-rewritten.json", &out).expect("our own SBOM reads back");
        assert_eq!(
            again.packages.len(),
            images[0].packages.len(),
            "packages lost in a round trip"
        );
    }
});
