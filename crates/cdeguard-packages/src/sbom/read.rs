//! Reading CycloneDX (JSON, any 1.x) and SPDX (2.x JSON) documents back into packages:
//! every component or package with a purl whose type maps to an OSV ecosystem.

use cdeguard_model::{Ecosystem, Package};

use crate::CatalogError;
use crate::purl::{Parsed, parse};

/// The SBOM flavour of a JSON document, by its marker fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SbomFormat {
    CycloneDx,
    Spdx,
}

/// Recognises an SBOM from the first bytes of a JSON document.
#[must_use]
pub fn detect(text: &str) -> Option<SbomFormat> {
    let head = &text[..text.floor_char_boundary(64 * 1024)];
    if head.contains("\"bomFormat\"") && head.contains("CycloneDX") {
        Some(SbomFormat::CycloneDx)
    } else if head.contains("\"spdxVersion\"") {
        Some(SbomFormat::Spdx)
    } else {
        None
    }
}

/// Packages of an SBOM, plus the purls that name no supported ecosystem (skipped).
#[derive(Debug, Default)]
pub struct SbomPackages {
    pub format: Option<SbomFormat>,
    pub packages: Vec<Package>,
    pub skipped: Vec<String>,
}

/// Reads an SBOM.
///
/// # Errors
/// Names the file and line when the JSON does not parse or is not an SBOM.
pub fn read(path: &str, bytes: &[u8]) -> Result<SbomPackages, CatalogError> {
    let text = crate::text::utf8(path, bytes)?;
    let mut out = SbomPackages {
        format: detect(text),
        ..SbomPackages::default()
    };
    let purls: Vec<(String, Vec<String>)> = match out.format {
        Some(SbomFormat::CycloneDx) => {
            let bom: super::cyclonedx::Bom =
                serde_json::from_str(text).map_err(|e| CatalogError::json(path, &e))?;
            let mut purls = Vec::new();
            collect_purls(&bom.components, 0, &mut purls);
            purls
        }
        Some(SbomFormat::Spdx) => {
            let doc: super::spdx::Document =
                serde_json::from_str(text).map_err(|e| CatalogError::json(path, &e))?;
            doc.packages
                .iter()
                .flat_map(|p| {
                    let licenses: Vec<String> = p
                        .license_declared
                        .iter()
                        .filter(|l| !matches!(l.as_str(), "NOASSERTION" | "NONE"))
                        .cloned()
                        .collect();
                    p.external_refs
                        .iter()
                        .filter(|r| r.reference_type == "purl")
                        .map(move |r| (r.reference_locator.clone(), licenses.clone()))
                })
                .collect()
        }
        None => {
            return Err(CatalogError::new(
                path,
                None,
                "not a CycloneDX or SPDX JSON document",
            ));
        }
    };
    for (purl, licenses) in purls {
        match parse(&purl).and_then(|p| to_package(&p, &purl, path)) {
            Some(mut package) => {
                package.licenses = licenses;
                out.packages.push(package);
            }
            None => out.skipped.push(purl),
        }
    }
    Ok(out)
}

/// Components in document order, nested ones after their parent (depth-bounded).
fn collect_purls(
    components: &[super::cyclonedx::Component],
    depth: u32,
    out: &mut Vec<(String, Vec<String>)>,
) {
    if depth > 64 {
        return;
    }
    for c in components {
        if let Some(purl) = &c.purl {
            let licenses = c
                .licenses
                .iter()
                .filter_map(|l| {
                    l.expression.clone().or_else(|| {
                        l.license
                            .as_ref()
                            .and_then(|l| l.id.clone().or_else(|| l.name.clone()))
                    })
                })
                .collect();
            out.push((purl.clone(), licenses));
        }
        collect_purls(&c.components, depth + 1, out);
    }
}

fn to_package(p: &Parsed, purl: &str, path: &str) -> Option<Package> {
    let ns = p.namespace.as_deref().unwrap_or_default();
    let (ecosystem, name) = match p.kind.as_str() {
        "deb" => (
            if ns == "ubuntu" {
                Ecosystem::Ubuntu
            } else {
                Ecosystem::Debian
            },
            p.name.clone(),
        ),
        "apk" => (Ecosystem::Alpine, p.name.clone()),
        "rpm" => (
            match ns {
                "rocky" | "rocky-linux" => Ecosystem::RockyLinux,
                "almalinux" => Ecosystem::AlmaLinux,
                "suse" | "opensuse" | "sles" => Ecosystem::Suse,
                _ => Ecosystem::RedHat,
            },
            p.name.clone(),
        ),
        "pypi" => (Ecosystem::PyPI, p.name.clone()),
        "npm" if !ns.is_empty() => (Ecosystem::Npm, format!("{ns}/{}", p.name)),
        "npm" => (Ecosystem::Npm, p.name.clone()),
        "cargo" => (Ecosystem::CratesIo, p.name.clone()),
        "golang" if !ns.is_empty() => (Ecosystem::Go, format!("{ns}/{}", p.name)),
        "golang" => (Ecosystem::Go, p.name.clone()),
        "maven" => (Ecosystem::Maven, format!("{ns}:{}", p.name)),
        "gem" => (Ecosystem::RubyGems, p.name.clone()),
        "composer" => (Ecosystem::Packagist, format!("{ns}/{}", p.name)),
        "nuget" => (Ecosystem::NuGet, p.name.clone()),
        _ => return None,
    };
    let mut version = p.version.clone();
    if ecosystem == Ecosystem::Go {
        version = version.trim_start_matches('v').to_owned();
    }
    if p.kind == "rpm"
        && let Some(epoch) = p.qualifier("epoch").filter(|e| *e != "0")
        && !version.contains(':')
    {
        version = format!("{epoch}:{version}");
    }
    let mut package = crate::package(ecosystem, &name, &version, purl.to_owned(), path);
    if ecosystem.is_os() {
        package.distro_release = p
            .qualifier("distro")
            .and_then(|d| distro_release(ecosystem, d));
        package.source_name = p
            .qualifier("upstream")
            .or_else(|| p.qualifier("source"))
            .map(|s| s.split('@').next().unwrap_or(s).to_owned());
        package.source_version = p.qualifier("source-version").map(str::to_owned);
    }
    Some(package)
}

/// purl `distro` qualifiers (`debian-12`, `bookworm`, `alpine-3.20.3`, `3.18`) -> OSV release.
fn distro_release(ecosystem: Ecosystem, distro: &str) -> Option<String> {
    let version = distro.rsplit('-').next().unwrap_or(distro);
    let debian_codename = |c: &str| match c {
        "stretch" => Some("9"),
        "buster" => Some("10"),
        "bullseye" => Some("11"),
        "bookworm" => Some("12"),
        "trixie" => Some("13"),
        _ => None,
    };
    match ecosystem {
        Ecosystem::Debian => debian_codename(version).map(str::to_owned).or_else(|| {
            version
                .split('.')
                .next()
                .filter(|v| v.chars().all(|c| c.is_ascii_digit()) && !v.is_empty())
                .map(str::to_owned)
        }),
        Ecosystem::Alpine => {
            let mut parts = version.trim_start_matches('v').split('.');
            Some(format!("v{}.{}", parts.next()?, parts.next()?))
        }
        _ => Some(version.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cyclonedx_nested_components() {
        let text = br#"{"bomFormat": "CycloneDX", "specVersion": "1.4", "components": [
          {"type": "library", "name": "x", "purl": "pkg:npm/%40s/x@1.0.0", "licenses": [{"license": {"id": "MIT"}}],
           "components": [{"type": "library", "name": "y", "purl": "pkg:deb/debian/y@1.0?distro=bookworm"}]},
          {"type": "library", "name": "z", "purl": "pkg:hackage/z@1"}]}"#;
        let got = read("bom.json", text).unwrap();
        assert_eq!(got.format, Some(SbomFormat::CycloneDx));
        assert_eq!(got.packages[0].name, "@s/x");
        assert_eq!(got.packages[0].licenses, ["MIT"]);
        assert_eq!(
            (
                got.packages[1].ecosystem,
                got.packages[1].distro_release.as_deref()
            ),
            (Ecosystem::Debian, Some("12"))
        );
        assert_eq!(got.skipped, ["pkg:hackage/z@1"]);
    }

    #[test]
    fn spdx_external_refs() {
        let text = br#"{"spdxVersion": "SPDX-2.3", "packages": [{"SPDXID": "SPDXRef-1", "name": "musl", "downloadLocation": "NOASSERTION",
          "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:apk/alpine/musl@1.2.4-r2?distro=alpine-3.18.4"}]}]}"#;
        let got = read("sbom.spdx.json", text).unwrap();
        assert_eq!(
            (
                got.packages[0].ecosystem,
                got.packages[0].distro_release.as_deref()
            ),
            (Ecosystem::Alpine, Some("v3.18"))
        );
        assert!(read("x.json", b"{\"a\": 1}").is_err());
        assert_eq!(
            read("x.json", b"{\"spdxVersion\": [").unwrap_err().line,
            Some(1)
        );
    }
}
