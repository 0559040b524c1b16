//! `requirements*.txt` pins (`name==version`, `name===version`), with extras,
//! environment markers, per-requirement options, comments and continuation lines.
//! Unpinned requirements (`>=`, bare names, URLs) name no installed version and are
//! left out; `-r`/`-c` includes are files of their own.

use cdeguard_model::{Ecosystem, Package};

use super::{Cataloger, lang_package};
use crate::text::utf8;
use crate::{CatalogError, Context, FileMeta};

pub(crate) struct Requirements;

impl Cataloger for Requirements {
    fn id(&self) -> &'static str {
        "python-requirements"
    }
    fn version(&self) -> u32 {
        1
    }
    fn required(&self, file: &FileMeta<'_>) -> bool {
        let name = file.name();
        name.ends_with(".txt")
            && name.contains("requirements")
            && !file.path.contains("/site-packages/")
            && !file.path.contains("/dist-packages/")
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
        let text = utf8(path, bytes)?;
        let mut packages = Vec::new();
        let mut logical = String::new();
        for raw in text.lines() {
            let line = raw.split(" #").next().unwrap_or(raw);
            let line = if line.trim_start().starts_with('#') {
                ""
            } else {
                line
            };
            match line.trim_end().strip_suffix('\\') {
                Some(head) => {
                    logical.push_str(head);
                    logical.push(' ');
                    continue;
                }
                None => logical.push_str(line),
            }
            if let Some((name, version)) = pin(&logical) {
                packages.push(lang_package(Ecosystem::PyPI, name, version, path));
            }
            logical.clear();
        }
        Ok(packages)
    }
}

/// `name[extras] == version ; marker --option` -> (name, version) for exact pins.
fn pin(line: &str) -> Option<(&str, &str)> {
    let line = line.split(" --").next()?.split(';').next()?.trim();
    if line.starts_with('-') || line.contains("://") || line.contains(" @ ") {
        return None;
    }
    let (spec, version) = line.split_once("===").or_else(|| line.split_once("=="))?;
    let name = spec.split('[').next()?.trim();
    let version = version.split(',').next()?.trim();
    let valid_name = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && name.starts_with(|c: char| c.is_ascii_alphanumeric());
    let valid_version = !version.is_empty() && !version.contains(['*', ' ', '$', '=']);
    (valid_name && valid_version && !spec.contains(['<', '>', '!', '~'])).then_some((name, version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_only() {
        assert_eq!(
            pin("requests [security] == 2.8.1 ; python_version < \"2.7\""),
            Some(("requests", "2.8.1"))
        );
        assert_eq!(
            pin("foo5==1.0; python_version < \"2.7\" --hash=sha256:123"),
            Some(("foo5", "1.0"))
        );
        assert_eq!(pin("keyring >= 4.1.1"), None);
        assert_eq!(pin("requests [security] >= 2.8.1, == 2.8.*"), None);
        assert_eq!(pin("qwert==${MY_VARIABLE_1}"), None);
        assert_eq!(pin("-foo==1.0"), None);
        assert_eq!(pin("==1.0"), None);
        let text = "pkgA==1.0 \\\n  --hash=sha256:123\n# c\npkgB==2.0 # note\n";
        let p = Requirements
            .catalog("requirements.txt", text.as_bytes(), &Context::default())
            .unwrap();
        assert_eq!(
            p.iter()
                .map(|p| (p.name.as_str(), p.version.as_str()))
                .collect::<Vec<_>>(),
            [("pkgA", "1.0"), ("pkgB", "2.0")]
        );
    }
}
