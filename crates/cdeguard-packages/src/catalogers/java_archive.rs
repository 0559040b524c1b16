//! Java archives (`.jar`, `.war`, `.ear`, `.jpi`, `.hpi`), read in memory, never
//! extracted: every `META-INF/maven/<group>/<artifact>/pom.properties` is a package;
//! without one, `META-INF/MANIFEST.MF` (`Implementation-*` / `Bundle-*`) or the file name
//! (`name-1.2.3.jar`) names it. Nested archives (`WEB-INF/lib`, `BOOT-INF/lib`, ...) are
//! read recursively. Zip bombs are bounded: nesting depth, entry count, and the total
//! number of decompressed bytes per top-level archive.

use std::io::{Cursor, Read};

use cdeguard_model::{Ecosystem, Package};

use super::{Cataloger, lang_package};
use crate::{CatalogError, Context, FileMeta};

pub(crate) struct JavaArchive;

const MAX_DEPTH: u32 = 3;
const MAX_ENTRIES: usize = 100_000;
/// Decompressed bytes read per top-level archive (nested archives and metadata files).
const MAX_INFLATED: u64 = 512 * 1024 * 1024;
const MAX_METADATA_FILE: u64 = 1024 * 1024;

const EXTENSIONS: &[&str] = &[".jar", ".war", ".ear", ".jpi", ".hpi", ".par", ".sar"];

fn is_archive(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    EXTENSIONS.iter().any(|e| lower.ends_with(e))
}

impl Cataloger for JavaArchive {
    fn id(&self) -> &'static str {
        "java-archive"
    }
    fn version(&self) -> u32 {
        1
    }
    fn required(&self, file: &FileMeta<'_>) -> bool {
        is_archive(file.name())
    }
    fn max_size(&self) -> u64 {
        256 * 1024 * 1024
    }
    fn catalog(
        &self,
        path: &str,
        bytes: &[u8],
        _ctx: &Context<'_>,
    ) -> Result<Vec<Package>, CatalogError> {
        let mut budget = MAX_INFLATED;
        let mut packages = Vec::new();
        read_archive(path, path, bytes, 0, &mut budget, &mut packages)?;
        Ok(packages)
    }
}

/// Reads one archive; `display` is `outer.war!/WEB-INF/lib/inner.jar` for nested ones.
fn read_archive(
    found_in: &str,
    display: &str,
    bytes: &[u8],
    depth: u32,
    budget: &mut u64,
    out: &mut Vec<Package>,
) -> Result<(), CatalogError> {
    let err = |m: String| CatalogError::new(display, None, m);
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| err(format!("not a readable zip archive: {e}")))?;
    if zip.len() > MAX_ENTRIES {
        return Err(err(format!(
            "{} entries, more than the {MAX_ENTRIES} limit",
            zip.len()
        )));
    }
    let mut manifest = None;
    let mut found_pom = false;
    let mut nested = Vec::new();
    for index in 0..zip.len() {
        let mut entry = match zip.by_index(index) {
            Ok(e) => e,
            Err(e) => return Err(err(format!("entry {index}: {e}"))),
        };
        let Ok(name) = entry.name().map(std::borrow::Cow::into_owned) else {
            continue;
        };
        let is_pom = name.starts_with("META-INF/maven/") && name.ends_with("/pom.properties");
        let is_manifest = name.eq_ignore_ascii_case("META-INF/MANIFEST.MF");
        let is_nested = depth < MAX_DEPTH && is_archive(&name);
        if !(is_pom || is_manifest || is_nested) {
            continue;
        }
        let limit = if is_nested {
            *budget
        } else {
            MAX_METADATA_FILE.min(*budget)
        };
        let mut content = Vec::new();
        (&mut entry)
            .take(limit + 1)
            .read_to_end(&mut content)
            .map_err(|e| err(format!("{name}: {e}")))?;
        if content.len() as u64 > limit {
            return Err(err(format!(
                "{name}: inflates past the {MAX_INFLATED} byte budget (zip bomb?)"
            )));
        }
        *budget -= content.len() as u64;
        if is_pom {
            if let Some(p) = pom_properties(&content, found_in) {
                out.push(p);
                found_pom = true;
            }
        } else if is_manifest {
            manifest = Some(content);
        } else {
            nested.push((name, content));
        }
    }
    if !found_pom {
        let file_name = display.rsplit(['/', '!']).next().unwrap_or(display);
        if let Some(p) = manifest
            .as_deref()
            .and_then(|m| from_manifest(m, file_name, found_in))
            .or_else(|| from_file_name(file_name, found_in))
        {
            out.push(p);
        }
    }
    for (name, content) in nested {
        let inner = format!("{display}!/{name}");
        // A nested entry that is not a zip is skipped, not fatal for the outer archive.
        let _ = read_archive(found_in, &inner, &content, depth + 1, budget, out);
    }
    Ok(())
}

fn properties(bytes: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(bytes)
        .lines()
        .filter(|l| !l.trim_start().starts_with(['#', '!']))
        .filter_map(|l| l.split_once(['=', ':']))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

fn pom_properties(bytes: &[u8], found_in: &str) -> Option<Package> {
    let props = properties(bytes);
    let get = |k: &str| {
        props
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    };
    let (group, artifact, version) = (get("groupId")?, get("artifactId")?, get("version")?);
    Some(maven(group, artifact, version, found_in))
}

fn maven(group: &str, artifact: &str, version: &str, found_in: &str) -> Package {
    lang_package(
        Ecosystem::Maven,
        &format!("{group}:{artifact}"),
        version,
        found_in,
    )
}

/// `MANIFEST.MF` main section; continuation lines start with one space.
fn manifest_fields(bytes: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(bytes);
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            break;
        }
        if let Some(cont) = line.strip_prefix(' ') {
            if let Some((_, v)) = fields.last_mut() {
                v.push_str(cont);
            }
        } else if let Some((k, v)) = line.split_once(':') {
            fields.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    fields
}

fn from_manifest(bytes: &[u8], file_name: &str, found_in: &str) -> Option<Package> {
    let fields = manifest_fields(bytes);
    let get = |k: &str| {
        fields
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.split(';').next().unwrap_or(v).trim())
            .filter(|v| !v.is_empty())
    };
    let version = get("Implementation-Version")
        .or_else(|| get("Bundle-Version"))
        .or_else(|| get("Specification-Version"))?;
    let symbolic = get("Bundle-SymbolicName");
    let from_file = file_name.rsplit_once('-').map(|(n, _)| n);
    let artifact = from_file
        .or_else(|| get("Implementation-Title"))
        .or(symbolic)?;
    let group = get("Implementation-Vendor-Id")
        .or_else(|| get("Automatic-Module-Name").and_then(|m| m.rsplit_once('.').map(|(g, _)| g)))
        .or_else(|| symbolic.and_then(|s| s.rsplit_once('.').map(|(g, _)| g)))
        .unwrap_or(artifact);
    Some(maven(group, artifact, version, found_in))
}

/// `commons-io-2.11.0.jar` -> `commons-io:commons-io@2.11.0`.
fn from_file_name(file_name: &str, found_in: &str) -> Option<Package> {
    let stem = file_name.rsplit_once('.')?.0;
    let split = stem
        .match_indices('-')
        .find(|(i, _)| stem[i + 1..].starts_with(|c: char| c.is_ascii_digit()))?
        .0;
    let (artifact, version) = (&stem[..split], &stem[split + 1..]);
    Some(maven(artifact, artifact, version, found_in))
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        for (name, content) in entries {
            zip.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(content).unwrap();
        }
        zip.finish().unwrap();
        out.into_inner()
    }

    #[test]
    fn pom_properties_and_nested() {
        let inner = zip_of(&[(
            "META-INF/maven/org.slf4j/slf4j-api/pom.properties",
            b"groupId=org.slf4j\nartifactId=slf4j-api\nversion=1.7.36\n",
        )]);
        let outer = zip_of(&[("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\nImplementation-Version: 1.0\nImplementation-Vendor-Id: com.example\n"), ("WEB-INF/lib/slf4j-api-1.7.36.jar", &inner)]);
        let p = JavaArchive
            .catalog("/app/app-1.0.war", &outer, &Context::default())
            .unwrap();
        let got: Vec<_> = p
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("com.example:app", "1.0"),
                ("org.slf4j:slf4j-api", "1.7.36")
            ]
        );
        assert_eq!(p[1].found_in, "/app/app-1.0.war");
    }

    #[test]
    fn manifest_continuations_and_file_names() {
        let m = b"Bundle-SymbolicName: com.google.guava.failure\n access\nBundle-Version: 1.0.1\n";
        let p = from_manifest(m, "failureaccess.jar", "f").unwrap();
        assert_eq!(
            (p.name.as_str(), p.version.as_str()),
            ("com.google.guava:com.google.guava.failureaccess", "1.0.1")
        );
        let f = from_file_name("commons-io-2.11.0.jar", "f").unwrap();
        assert_eq!(
            (f.name.as_str(), f.version.as_str()),
            ("commons-io:commons-io", "2.11.0")
        );
    }

    #[test]
    fn bombs_and_garbage_are_bounded() {
        assert!(
            JavaArchive
                .catalog("x.jar", b"not a zip", &Context::default())
                .is_err()
        );
        let big = vec![0u8; 2 * 1024 * 1024];
        let bomb = zip_of(&[("META-INF/MANIFEST.MF", &big)]);
        let err = JavaArchive
            .catalog("bomb.jar", &bomb, &Context::default())
            .unwrap_err();
        assert!(err.message.contains("budget"), "{err}");
    }
}
