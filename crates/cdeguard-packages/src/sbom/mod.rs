//! SBOMs: CycloneDX 1.6 JSON and SPDX 2.3 JSON writers (own serde models, validated
//! against the official JSON schemas in tests) and readers that turn either back into
//! packages.

pub mod cyclonedx;
pub mod read;
pub mod spdx;

use cdeguard_model::ImageInfo;
use sha2::{Digest as _, Sha256};

/// What an SBOM describes: the images and root filesystems of one scan.
#[derive(Clone, Copy, Debug)]
pub struct Subject<'a> {
    pub images: &'a [ImageInfo],
    /// `cdeguard` version.
    pub tool_version: &'a str,
    /// RFC 3339 UTC timestamp, seconds precision (`2026-11-22T12:00:00Z`).
    pub timestamp: &'a str,
}

impl Subject<'_> {
    /// A name for the document: the image name, or `cdeguard-scan` for several.
    #[must_use]
    pub fn name(&self) -> String {
        match self.images {
            [one] => one.display_name().to_owned(),
            _ => "cdeguard-scan".to_owned(),
        }
    }

    /// A UUID derived from the content, so the same scan yields the same document.
    #[must_use]
    pub fn uuid(&self) -> String {
        let mut hasher = Sha256::new();
        for image in self.images {
            hasher.update(image.reference.as_bytes());
            hasher.update(image.id.as_deref().unwrap_or_default().as_bytes());
            for p in &image.packages {
                hasher.update(p.purl.as_bytes());
                hasher.update(p.found_in.as_bytes());
            }
        }
        hasher.update(self.timestamp.as_bytes());
        let h = hasher.finalize();
        let hex = cdeguard_model::hex(&h[..16]);
        // Version 4 / variant 1 layout (random-looking bits taken from the hash).
        format!(
            "{}-{}-4{}-{}{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[13..16],
            ["8", "9", "a", "b"][usize::from(h[8] & 3)],
            &hex[17..20],
            &hex[20..32]
        )
    }
}

/// Cuts a timestamp to whole seconds in UTC (`...T12:00:00.123Z` -> `...T12:00:00Z`).
#[must_use]
pub fn whole_seconds(timestamp: &str) -> String {
    match timestamp.split_once('.') {
        Some((head, _)) => format!("{head}Z"),
        None => timestamp.to_owned(),
    }
}
