//! Lookup keys: `ecosystem[:release]` + NUL + normalised package name, built the same
//! way for OSV records (at import) and for catalogued packages (at match time), so one
//! exact `fst` lookup finds every advisory of a package.

use cdeguard_model::{Ecosystem, Package};

/// The ecosystem and release of an OSV `affected[].package.ecosystem` string, with the
/// release normalised to what the package catalogers report (`Ubuntu:22.04:LTS` ->
/// `22.04`, `Red Hat:enterprise_linux:9::appstream` -> `9`). `None` for ecosystems
/// cdeguard does not catalog.
#[must_use]
pub fn osv_ecosystem(value: &str) -> Option<(Ecosystem, Option<String>)> {
    let ecosystem = Ecosystem::from_osv(value)?;
    let rest = value
        .split_once(':')
        .map(|(_, r)| r)
        .filter(|r| !r.is_empty());
    let release = rest.map(|rest| match ecosystem {
        Ecosystem::Ubuntu => rest.trim_end_matches(":LTS").to_owned(),
        Ecosystem::RedHat => rest
            .split(':')
            .find_map(|part| {
                let major = part.split('.').next()?;
                (!major.is_empty() && major.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| major.to_owned())
            })
            .unwrap_or_else(|| rest.to_owned()),
        Ecosystem::RockyLinux | Ecosystem::AlmaLinux => {
            rest.split('.').next().unwrap_or(rest).to_owned()
        }
        _ => rest.to_owned(),
    });
    Some((ecosystem, release))
}

/// The package name as the ecosystem compares names: PyPI per PEP 503 (lowercase, runs
/// of `-_.` as one `-`), NuGet, Packagist and Go module paths case-insensitively
/// (NuGet ids and Composer names are case-insensitive; Go paths are compared as
/// written, so only NuGet and Packagist are folded), everything else as written.
#[must_use]
pub fn normalise_name(ecosystem: Ecosystem, name: &str) -> String {
    match ecosystem {
        Ecosystem::PyPI => {
            let mut out = String::with_capacity(name.len());
            let mut in_separator = false;
            for c in name.trim().chars() {
                if matches!(c, '-' | '_' | '.') {
                    if !in_separator {
                        out.push('-');
                    }
                    in_separator = true;
                } else {
                    // ASCII first: `to_lowercase` is a Unicode table lookup.
                    if c.is_ascii() {
                        out.push(c.to_ascii_lowercase());
                    } else {
                        out.extend(c.to_lowercase());
                    }
                    in_separator = false;
                }
            }
            out
        }
        Ecosystem::NuGet | Ecosystem::Packagist => name.trim().to_lowercase(),
        _ => name.trim().to_owned(),
    }
}

/// The key of an ecosystem, optional release and package name.
#[must_use]
pub fn key(ecosystem: Ecosystem, release: Option<&str>, name: &str) -> Vec<u8> {
    let mut key = ecosystem.osv_name().as_bytes().to_vec();
    if let Some(release) = release {
        key.push(b':');
        key.extend_from_slice(release.as_bytes());
    }
    key.push(0);
    key.extend_from_slice(normalise_name(ecosystem, name).as_bytes());
    key
}

/// The name advisories use for a catalogued package: the source package for OS
/// packages (Debian and RPM advisories are per source package), else the name.
#[must_use]
pub fn advisory_name(package: &Package) -> &str {
    if package.ecosystem.is_os() {
        package.source_name.as_deref().unwrap_or(&package.name)
    } else {
        &package.name
    }
}

/// The version advisories compare for a catalogued package: the source package's
/// version for OS packages when the database records one that differs (a binNMU
/// `+b1` or a binary built from an older source), else the version.
#[must_use]
pub fn advisory_version(package: &Package) -> &str {
    if package.ecosystem.is_os() {
        package
            .source_version
            .as_deref()
            .unwrap_or(&package.version)
    } else {
        &package.version
    }
}

/// Keys to look a package up under: with its distro release, and without one (records
/// that name no release apply to all).
#[must_use]
pub fn package_keys(package: &Package) -> Vec<Vec<u8>> {
    let name = advisory_name(package);
    let mut keys = vec![key(package.ecosystem, None, name)];
    if let Some(release) = &package.distro_release {
        keys.insert(0, key(package.ecosystem, Some(release), name));
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distro_releases_normalise_to_catalogued_form() {
        let cases = [
            ("Debian:12", Ecosystem::Debian, Some("12")),
            ("Ubuntu:22.04:LTS", Ecosystem::Ubuntu, Some("22.04")),
            ("Alpine:v3.20", Ecosystem::Alpine, Some("v3.20")),
            (
                "Red Hat:enterprise_linux:9::appstream",
                Ecosystem::RedHat,
                Some("9"),
            ),
            ("Rocky Linux:9", Ecosystem::RockyLinux, Some("9")),
            ("AlmaLinux:8", Ecosystem::AlmaLinux, Some("8")),
            ("PyPI", Ecosystem::PyPI, None),
        ];
        for (raw, eco, release) in cases {
            assert_eq!(
                osv_ecosystem(raw),
                Some((eco, release.map(str::to_owned))),
                "{raw}"
            );
        }
        assert_eq!(osv_ecosystem("Hackage"), None);
    }

    #[test]
    fn names_normalise_per_ecosystem() {
        assert_eq!(
            normalise_name(Ecosystem::PyPI, "Foo__Bar.baz"),
            "foo-bar-baz"
        );
        assert_eq!(
            normalise_name(Ecosystem::NuGet, "Newtonsoft.Json"),
            "newtonsoft.json"
        );
        assert_eq!(normalise_name(Ecosystem::Npm, "@Scope/Pkg"), "@Scope/Pkg");
        assert_eq!(
            key(Ecosystem::Debian, Some("12"), "openssl"),
            b"Debian:12\0openssl".to_vec()
        );
    }
}
