//! Software packages found in images, root filesystems, lockfiles and SBOMs, as the
//! vulnerability matcher and the SBOM writers consume them.

use serde::{Deserialize, Serialize};

/// A package ecosystem, named as in the OSV schema (`affected[].package.ecosystem`,
/// without the `:release` suffix that distro ecosystems carry).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Ecosystem {
    #[serde(rename = "Debian")]
    Debian,
    #[serde(rename = "Ubuntu")]
    Ubuntu,
    #[serde(rename = "Alpine")]
    Alpine,
    #[serde(rename = "Red Hat")]
    RedHat,
    #[serde(rename = "Rocky Linux")]
    RockyLinux,
    #[serde(rename = "AlmaLinux")]
    AlmaLinux,
    #[serde(rename = "SUSE")]
    Suse,
    #[serde(rename = "PyPI")]
    PyPI,
    #[serde(rename = "npm")]
    Npm,
    #[serde(rename = "crates.io")]
    CratesIo,
    #[serde(rename = "Go")]
    Go,
    #[serde(rename = "Maven")]
    Maven,
    #[serde(rename = "RubyGems")]
    RubyGems,
    #[serde(rename = "Packagist")]
    Packagist,
    #[serde(rename = "NuGet")]
    NuGet,
}

impl Ecosystem {
    pub const ALL: [Ecosystem; 15] = [
        Ecosystem::Debian,
        Ecosystem::Ubuntu,
        Ecosystem::Alpine,
        Ecosystem::RedHat,
        Ecosystem::RockyLinux,
        Ecosystem::AlmaLinux,
        Ecosystem::Suse,
        Ecosystem::PyPI,
        Ecosystem::Npm,
        Ecosystem::CratesIo,
        Ecosystem::Go,
        Ecosystem::Maven,
        Ecosystem::RubyGems,
        Ecosystem::Packagist,
        Ecosystem::NuGet,
    ];

    /// The OSV ecosystem name.
    #[must_use]
    pub fn osv_name(self) -> &'static str {
        match self {
            Ecosystem::Debian => "Debian",
            Ecosystem::Ubuntu => "Ubuntu",
            Ecosystem::Alpine => "Alpine",
            Ecosystem::RedHat => "Red Hat",
            Ecosystem::RockyLinux => "Rocky Linux",
            Ecosystem::AlmaLinux => "AlmaLinux",
            Ecosystem::Suse => "SUSE",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::Npm => "npm",
            Ecosystem::CratesIo => "crates.io",
            Ecosystem::Go => "Go",
            Ecosystem::Maven => "Maven",
            Ecosystem::RubyGems => "RubyGems",
            Ecosystem::Packagist => "Packagist",
            Ecosystem::NuGet => "NuGet",
        }
    }

    /// Parses an OSV ecosystem name, ignoring a `:release` suffix (`Debian:12`).
    #[must_use]
    pub fn from_osv(name: &str) -> Option<Self> {
        let base = name.split(':').next().unwrap_or(name);
        Ecosystem::ALL.into_iter().find(|e| e.osv_name() == base)
    }

    /// True for operating-system package ecosystems (matched per distro release).
    #[must_use]
    pub fn is_os(self) -> bool {
        matches!(
            self,
            Ecosystem::Debian
                | Ecosystem::Ubuntu
                | Ecosystem::Alpine
                | Ecosystem::RedHat
                | Ecosystem::RockyLinux
                | Ecosystem::AlmaLinux
                | Ecosystem::Suse
        )
    }
}

impl std::fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.osv_name())
    }
}

/// One installed or locked package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    pub ecosystem: Ecosystem,
    pub name: String,
    pub version: String,
    /// Package URL (purl), e.g. `pkg:deb/debian/openssl@3.0.11-1~deb12u2?distro=debian-12`.
    pub purl: String,
    /// Distro release for OS packages, as in OSV (`12` for `Debian:12`, `v3.20` for Alpine).
    pub distro_release: Option<String>,
    /// Source package (Debian/RPM advisories are per source package).
    pub source_name: Option<String>,
    pub source_version: Option<String>,
    /// Declared licences (SPDX expressions where possible).
    pub licenses: Vec<String>,
    /// Digest of the image layer the package came from, for image inputs.
    pub layer: Option<String>,
    /// File the package was found in (package database, lockfile, metadata file).
    pub found_in: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osv_names_round_trip_and_drop_release() {
        for eco in Ecosystem::ALL {
            assert_eq!(Ecosystem::from_osv(eco.osv_name()), Some(eco));
        }
        assert_eq!(Ecosystem::from_osv("Debian:12"), Some(Ecosystem::Debian));
        assert_eq!(
            Ecosystem::from_osv("Ubuntu:22.04:LTS"),
            Some(Ecosystem::Ubuntu)
        );
        assert_eq!(Ecosystem::from_osv("Hackage"), None);
        assert!(Ecosystem::Alpine.is_os() && !Ecosystem::PyPI.is_os());
    }
}
