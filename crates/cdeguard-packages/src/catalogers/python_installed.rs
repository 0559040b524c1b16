//! Installed Python distributions: `*.dist-info/METADATA` (wheels, pip) and
//! `*.egg-info/PKG-INFO` or an `*.egg-info` file (setuptools), read from their headers
//! (`Name`, `Version`, `License-Expression` / `License` / licence classifiers).

use cdeguard_model::{Ecosystem, Package};

use super::{Cataloger, lang_package};
use crate::text::stanzas;
use crate::{CatalogError, Context, FileMeta};

pub(crate) struct PythonInstalled;

impl Cataloger for PythonInstalled {
    fn id(&self) -> &'static str {
        "python-installed"
    }
    fn version(&self) -> u32 {
        1
    }
    fn required(&self, file: &FileMeta<'_>) -> bool {
        let parent = file.path.rsplit('/').nth(1).unwrap_or_default();
        (file.name() == "METADATA" && parent.ends_with(".dist-info"))
            || (file.name() == "PKG-INFO" && parent.ends_with(".egg-info"))
            || file.name().ends_with(".egg-info")
    }
    fn max_size(&self) -> u64 {
        4 * 1024 * 1024
    }
    fn catalog(
        &self,
        path: &str,
        bytes: &[u8],
        _ctx: &Context<'_>,
    ) -> Result<Vec<Package>, CatalogError> {
        // Descriptions may hold any bytes; headers are what matter.
        let text = String::from_utf8_lossy(bytes);
        let Some(headers) = stanzas(&text, true).into_iter().next() else {
            return Err(CatalogError::new(path, None, "empty metadata"));
        };
        let (Some(name), Some(version)) = (headers.get("Name"), headers.get("Version")) else {
            return Err(CatalogError::new(
                path,
                None,
                "metadata without Name and Version",
            ));
        };
        let mut p = lang_package(Ecosystem::PyPI, name, version, path);
        p.licenses = licences(&headers);
        Ok(vec![p])
    }
}

fn licences(headers: &crate::text::Stanza<'_>) -> Vec<String> {
    if let Some(expr) = headers.get("License-Expression").filter(|l| !l.is_empty()) {
        return vec![expr.to_owned()];
    }
    if let Some(licence) = headers
        .get("License")
        .filter(|l| !l.is_empty() && !l.contains('\n') && l.len() < 100 && *l != "UNKNOWN")
    {
        return vec![licence.to_owned()];
    }
    headers
        .all("Classifier")
        .filter_map(|c| c.strip_prefix("License :: OSI Approved :: "))
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wheel_metadata() {
        let meta = b"Metadata-Version: 2.1\nName: Flask\nVersion: 3.0.3\nLicense: BSD-3-Clause\n\nLong description\nName: nope\n";
        let p = PythonInstalled
            .catalog(
                "/usr/lib/python3/dist-packages/Flask-3.0.3.dist-info/METADATA",
                meta,
                &Context::default(),
            )
            .unwrap();
        assert_eq!(
            (
                p[0].name.as_str(),
                p[0].version.as_str(),
                p[0].purl.as_str()
            ),
            ("Flask", "3.0.3", "pkg:pypi/flask@3.0.3")
        );
        assert_eq!(p[0].licenses, ["BSD-3-Clause"]);
        let classifier =
            b"Name: x\nVersion: 1\nClassifier: License :: OSI Approved :: MIT License\n";
        assert_eq!(
            PythonInstalled
                .catalog("a.egg-info", classifier, &Context::default())
                .unwrap()[0]
                .licenses,
            ["MIT License"]
        );
        assert!(
            PythonInstalled
                .catalog("m", b"Name: x\n", &Context::default())
                .is_err()
        );
    }

    #[test]
    fn selects_metadata_files() {
        let meta = |path| FileMeta {
            path,
            mode: 0o644,
            size: 10,
        };
        assert!(PythonInstalled.required(&meta(
            "/usr/lib/python3.11/site-packages/six-1.16.0.dist-info/METADATA"
        )));
        assert!(PythonInstalled.required(&meta(
            "/usr/lib/python3/dist-packages/foo.egg-info/PKG-INFO"
        )));
        assert!(!PythonInstalled.required(&meta("/usr/lib/python3/dist-packages/foo/METADATA")));
    }
}
