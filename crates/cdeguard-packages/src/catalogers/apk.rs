//! Alpine packages: `/lib/apk/db/installed`, paragraphs of one-letter `K:value` lines
//! (`P` name, `V` version, `A` arch, `o` origin = source package, `L` licence).

use cdeguard_model::{Ecosystem, Package};

use super::{Cataloger, os_package};
use crate::text::utf8;
use crate::{CatalogError, Context, FileMeta};

pub(crate) struct Apk;

impl Cataloger for Apk {
    fn id(&self) -> &'static str {
        "apk"
    }
    fn version(&self) -> u32 {
        1
    }
    fn required(&self, file: &FileMeta<'_>) -> bool {
        file.path == "/lib/apk/db/installed"
    }
    fn catalog(
        &self,
        path: &str,
        bytes: &[u8],
        ctx: &Context<'_>,
    ) -> Result<Vec<Package>, CatalogError> {
        let text = utf8(path, bytes)?;
        let mut packages = Vec::new();
        let mut fields: Vec<(char, &str)> = Vec::new();
        let mut flush = |fields: &mut Vec<(char, &str)>| {
            let get = |k: char| fields.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
            if let (Some(name), Some(version)) = (get('P'), get('V')) {
                let arch = get('A').unwrap_or_default();
                let mut p = os_package(
                    ctx,
                    Ecosystem::Alpine,
                    "apk",
                    name,
                    version,
                    &[("arch", arch)],
                    path,
                );
                p.source_name = Some(get('o').unwrap_or(name).to_owned());
                p.source_version = Some(version.to_owned());
                p.licenses = get('L').map(|l| vec![l.to_owned()]).unwrap_or_default();
                packages.push(p);
            }
            fields.clear();
        };
        for (index, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.is_empty() {
                flush(&mut fields);
                continue;
            }
            let mut chars = line.chars();
            match (chars.next(), chars.next()) {
                (Some(key), Some(':')) => fields.push((key, &line[key.len_utf8() + 1..])),
                _ => {
                    let line_no = u32::try_from(index + 1).ok();
                    return Err(CatalogError::new(
                        path,
                        line_no,
                        format!(
                            "expected `K:value`, found `{}`",
                            line.chars().take(40).collect::<String>()
                        ),
                    ));
                }
            }
        }
        flush(&mut fields);
        Ok(packages)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_and_origin() {
        let text = "P:musl\nV:1.2.4-r2\nA:x86_64\nL:MIT\no:musl\n\nP:busybox-binsh\nV:1.36.1-r5\no:busybox\n";
        let p = Apk
            .catalog(
                "/lib/apk/db/installed",
                text.as_bytes(),
                &Context::default(),
            )
            .unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[1].source_name.as_deref(), Some("busybox"));
        assert_eq!(p[0].licenses, ["MIT"]);
        assert_eq!(p[0].purl, "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64");
        let err = Apk
            .catalog("x", b"P:a\nnot a field\n", &Context::default())
            .unwrap_err();
        assert_eq!(err.line, Some(2));
    }
}
