//! `go.mod`: `require` directives (single and blocks), with `replace` directives applied
//! (a replacement by a local path drops the module: it is not fetched from anywhere).

use std::collections::BTreeMap;

use cdeguard_model::{Ecosystem, Package};

use super::{Cataloger, lang_package};
use crate::text::utf8;
use crate::{CatalogError, Context, FileMeta};

pub(crate) struct GoMod;

impl Cataloger for GoMod {
    fn id(&self) -> &'static str {
        "go-mod"
    }
    fn version(&self) -> u32 {
        1
    }
    fn required(&self, file: &FileMeta<'_>) -> bool {
        file.name() == "go.mod"
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
        let mut requires: Vec<(String, String)> = Vec::new();
        // (old module, old version or "") -> Some((new module, new version)) or None (local).
        let mut replaces: BTreeMap<(String, String), Option<(String, String)>> = BTreeMap::new();
        let mut block: Option<&str> = None;
        for (index, raw) in text.lines().enumerate() {
            let line = raw.split("//").next().unwrap_or(raw).trim();
            if line.is_empty() {
                continue;
            }
            let line_no = u32::try_from(index + 1).ok();
            let (directive, rest) = match block {
                Some(d) if line == ")" => {
                    let _ = d;
                    block = None;
                    continue;
                }
                Some(d) => (d, line),
                None => {
                    let (d, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
                    let rest = rest.trim();
                    if rest == "(" {
                        block = Some(d);
                        continue;
                    }
                    (d, rest)
                }
            };
            let words: Vec<&str> = rest
                .split_whitespace()
                .map(|w| w.trim_matches('"'))
                .collect();
            match directive {
                "require" => match words.as_slice() {
                    [module, version, ..] => {
                        requires.push(((*module).to_owned(), (*version).to_owned()))
                    }
                    _ => {
                        return Err(CatalogError::new(
                            path,
                            line_no,
                            format!("malformed require `{rest}`"),
                        ));
                    }
                },
                "replace" => {
                    let Some(arrow) = words.iter().position(|w| *w == "=>") else {
                        return Err(CatalogError::new(
                            path,
                            line_no,
                            format!("malformed replace `{rest}`"),
                        ));
                    };
                    let old = (
                        words[0].to_owned(),
                        words
                            .get(1)
                            .filter(|_| arrow == 2)
                            .map(|v| (*v).to_owned())
                            .unwrap_or_default(),
                    );
                    let new = match &words[arrow + 1..] {
                        [module, version] => Some(((*module).to_owned(), (*version).to_owned())),
                        _ => None,
                    };
                    replaces.insert(old, new);
                }
                "module" | "go" | "toolchain" | "exclude" | "retract" | "godebug" | "tool"
                | "ignore" => {}
                other => {
                    return Err(CatalogError::new(
                        path,
                        line_no,
                        format!("unknown directive `{other}`"),
                    ));
                }
            }
        }
        let mut packages = Vec::new();
        for (module, version) in requires {
            let replacement = replaces
                .get(&(module.clone(), version.clone()))
                .or_else(|| replaces.get(&(module.clone(), String::new())));
            let (name, version) = match replacement {
                Some(Some(new)) => new.clone(),
                Some(None) => continue,
                None => (module, version),
            };
            packages.push(lang_package(
                Ecosystem::Go,
                &name,
                version.trim_start_matches('v'),
                path,
            ));
            if let Some(p) = packages.last_mut() {
                p.purl = crate::purl::language(Ecosystem::Go, &name, &version);
            }
        }
        Ok(packages)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requires_and_replaces() {
        let text = "module m\n\ngo 1.21\n\nrequire (\n    golang.org/x/net v1.2.3\n    golang.org/x/net v0.5.6 // indirect\n    example.com/local v1.0.0\n)\nrequire github.com/a/b v2.0.0+incompatible\n\nreplace (\n    golang.org/x/net v1.2.3 => example.com/fork/net v1.4.5\n)\nreplace example.com/local => ../local\n";
        let p = GoMod
            .catalog("go.mod", text.as_bytes(), &Context::default())
            .unwrap();
        let got: Vec<_> = p
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("example.com/fork/net", "1.4.5"),
                ("golang.org/x/net", "0.5.6"),
                ("github.com/a/b", "2.0.0+incompatible")
            ]
        );
        assert_eq!(p[0].purl, "pkg:golang/example.com/fork/net@v1.4.5");
        assert_eq!(
            GoMod
                .catalog("go.mod", b"module m\nbogus x\n", &Context::default())
                .unwrap_err()
                .line,
            Some(2)
        );
    }
}
