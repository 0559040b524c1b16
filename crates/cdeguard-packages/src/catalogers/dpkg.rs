//! Debian packages: `/var/lib/dpkg/status` and distroless `/var/lib/dpkg/status.d/*`.
//!
//! A package counts when its `Status` third word is `installed` (files in `status.d`
//! carry no `Status`: every entry there is installed). `Source: name (version)` gives
//! the source package; without a version the source version is the binary's.

use cdeguard_model::{Ecosystem, Package};

use super::{Cataloger, os_package};
use crate::text::{stanzas, utf8};
use crate::{CatalogError, Context, FileMeta};

pub(crate) struct Dpkg;

impl Cataloger for Dpkg {
    fn id(&self) -> &'static str {
        "dpkg"
    }
    fn version(&self) -> u32 {
        1
    }
    fn required(&self, file: &FileMeta<'_>) -> bool {
        file.path == "/var/lib/dpkg/status"
            || file
                .path
                .strip_prefix("/var/lib/dpkg/status.d/")
                .is_some_and(|name| !name.contains('/') && !name.ends_with(".md5sums"))
    }
    fn catalog(
        &self,
        path: &str,
        bytes: &[u8],
        ctx: &Context<'_>,
    ) -> Result<Vec<Package>, CatalogError> {
        let text = utf8(path, bytes)?;
        let distroless = path.contains("/status.d/");
        let mut packages = Vec::new();
        for stanza in stanzas(text, false) {
            match stanza.get("Status") {
                Some(status) => {
                    let words: Vec<&str> = status.split_whitespace().collect();
                    if words.len() != 3 {
                        return Err(CatalogError::new(
                            path,
                            Some(stanza.line),
                            format!("invalid Status field `{status}`"),
                        ));
                    }
                    if words[2] != "installed" {
                        continue;
                    }
                }
                None if !distroless => continue,
                None => {}
            }
            let (Some(name), Some(version)) = (stanza.get("Package"), stanza.get("Version")) else {
                continue;
            };
            if name.is_empty() || version.is_empty() {
                continue;
            }
            let arch = stanza.get("Architecture").unwrap_or_default();
            let mut package = os_package(
                ctx,
                Ecosystem::Debian,
                "deb",
                name,
                version,
                &[("arch", arch)],
                path,
            );
            let (source_name, source_version) = match stanza.get("Source") {
                Some(source) => match source.split_once(" (") {
                    Some((n, v)) => (n.trim(), v.trim_end_matches(')').trim()),
                    None => (source.trim(), version),
                },
                None => (name, version),
            };
            package.source_name = Some(source_name.to_owned());
            package.source_version = Some(source_version.to_owned());
            packages.push(package);
        }
        Ok(packages)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(path: &str, text: &str) -> Vec<Package> {
        Dpkg.catalog(path, text.as_bytes(), &Context::default())
            .unwrap()
    }

    #[test]
    fn only_installed_status() {
        let text = "Package: a\nStatus: install ok installed\nVersion: 1\n\nPackage: b\nStatus: deinstall ok config-files\nVersion: 1\n\nPackage: c\nVersion: 2\n";
        let names: Vec<_> = run("/var/lib/dpkg/status", text)
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(names, ["a"]);
        assert_eq!(
            run("/var/lib/dpkg/status.d/c", "Package: c\nVersion: 2\n").len(),
            1
        );
    }

    #[test]
    fn source_package_and_purl() {
        let text = "Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl (3.0.11-1~deb12u2)\nVersion: 3.0.11-1~deb12u2\n";
        let p = &run("/var/lib/dpkg/status", text)[0];
        assert_eq!(
            (p.source_name.as_deref(), p.source_version.as_deref()),
            (Some("openssl"), Some("3.0.11-1~deb12u2"))
        );
        assert_eq!(p.purl, "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64");
        let bad = Dpkg.catalog(
            "/var/lib/dpkg/status",
            b"Package: a\nStatus: broken\nVersion: 1\n",
            &Context::default(),
        );
        assert_eq!(bad.unwrap_err().line, Some(1));
    }
}
