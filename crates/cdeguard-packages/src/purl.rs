//! Package URLs (<https://github.com/package-url/purl-spec>): building them per
//! ecosystem with the spec's percent-encoding, and splitting them when SBOMs are read.

use cdeguard_model::Ecosystem;

/// Percent-encodes a purl component (everything but unreserved characters).
#[must_use]
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes (invalid escapes are kept as written).
#[must_use]
pub fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `pkg:<type>/<namespace>/<name>@<version>?<qualifiers>`; the namespace may hold `/`.
#[must_use]
pub fn build(
    kind: &str,
    namespace: Option<&str>,
    name: &str,
    version: &str,
    qualifiers: &[(&str, &str)],
) -> String {
    let mut purl = format!("pkg:{kind}/");
    if let Some(ns) = namespace.filter(|n| !n.is_empty()) {
        for segment in ns.split('/') {
            purl.push_str(&encode(segment));
            purl.push('/');
        }
    }
    purl.push_str(&encode(name));
    if !version.is_empty() {
        purl.push('@');
        purl.push_str(&encode(version));
    }
    let mut quals: Vec<_> = qualifiers.iter().filter(|(_, v)| !v.is_empty()).collect();
    quals.sort();
    for (i, (k, v)) in quals.iter().enumerate() {
        purl.push(if i == 0 { '?' } else { '&' });
        purl.push_str(k);
        purl.push('=');
        purl.push_str(&encode(v));
    }
    purl
}

/// The purl of a language package (OS packages build theirs with their distro).
#[must_use]
pub fn language(ecosystem: Ecosystem, name: &str, version: &str) -> String {
    match ecosystem {
        Ecosystem::PyPI => build("pypi", None, &normalize_python(name), version, &[]),
        Ecosystem::Npm => match name.strip_prefix('@').and_then(|n| n.split_once('/')) {
            Some((scope, bare)) => build("npm", Some(&format!("@{scope}")), bare, version, &[]),
            None => build("npm", None, name, version, &[]),
        },
        Ecosystem::CratesIo => build("cargo", None, name, version, &[]),
        Ecosystem::Go => match name.rsplit_once('/') {
            Some((ns, bare)) => build("golang", Some(ns), bare, version, &[]),
            None => build("golang", None, name, version, &[]),
        },
        Ecosystem::Maven => match name.split_once(':') {
            Some((group, artifact)) => build("maven", Some(group), artifact, version, &[]),
            None => build("maven", None, name, version, &[]),
        },
        Ecosystem::RubyGems => build("gem", None, name, version, &[]),
        Ecosystem::Packagist => match name.split_once('/') {
            Some((vendor, bare)) => build("composer", Some(vendor), bare, version, &[]),
            None => build("composer", None, name, version, &[]),
        },
        Ecosystem::NuGet => build("nuget", None, name, version, &[]),
        os => build(
            &os.osv_name().to_ascii_lowercase(),
            None,
            name,
            version,
            &[],
        ),
    }
}

/// PEP 503 normalised name: lower case, runs of `-_.` become `-`.
#[must_use]
pub fn normalize_python(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut last_sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !last_sep {
                out.push('-');
            }
            last_sep = true;
        } else {
            out.push(c.to_ascii_lowercase());
            last_sep = false;
        }
    }
    out
}

/// A parsed purl: type, namespace, name, version, qualifiers (decoded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub version: String,
    pub qualifiers: Vec<(String, String)>,
}

impl Parsed {
    #[must_use]
    pub fn qualifier(&self, key: &str) -> Option<&str> {
        self.qualifiers
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Splits a purl; `None` when it is not one.
#[must_use]
pub fn parse(purl: &str) -> Option<Parsed> {
    let rest = purl.strip_prefix("pkg:")?.trim_start_matches('/');
    let rest = rest.split('#').next().unwrap_or(rest);
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (kind, path) = rest.split_once('/')?;
    let (path, version) = match path.rsplit_once('@') {
        Some((p, v)) => (p, decode(v)),
        None => (path, String::new()),
    };
    let (namespace, name) = match path.trim_end_matches('/').rsplit_once('/') {
        Some((ns, n)) => (
            Some(ns.split('/').map(decode).collect::<Vec<_>>().join("/")),
            decode(n),
        ),
        None => (None, decode(path)),
    };
    let qualifiers = query
        .split('&')
        .filter_map(|q| q.split_once('='))
        .map(|(k, v)| (k.to_ascii_lowercase(), decode(v)))
        .collect();
    Some(Parsed {
        kind: kind.to_ascii_lowercase(),
        namespace,
        name,
        version,
        qualifiers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_spec_examples() {
        assert_eq!(
            language(Ecosystem::Npm, "@angular/core", "1.0.0"),
            "pkg:npm/%40angular/core@1.0.0"
        );
        assert_eq!(
            language(Ecosystem::PyPI, "Django_Rest.framework", "3.1"),
            "pkg:pypi/django-rest-framework@3.1"
        );
        assert_eq!(
            language(Ecosystem::Maven, "org.apache:commons-lang3", "3.1"),
            "pkg:maven/org.apache/commons-lang3@3.1"
        );
        assert_eq!(
            language(Ecosystem::Go, "github.com/a/b", "v1.2.3"),
            "pkg:golang/github.com/a/b@v1.2.3"
        );
        assert_eq!(
            build(
                "deb",
                Some("debian"),
                "libc6",
                "2.36-9+deb12u4",
                &[("distro", "debian-12"), ("arch", "amd64")]
            ),
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12"
        );
    }

    #[test]
    fn parse_round_trips() {
        let p = parse("pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12").unwrap();
        assert_eq!(
            (
                p.kind.as_str(),
                p.namespace.as_deref(),
                p.name.as_str(),
                p.version.as_str()
            ),
            ("deb", Some("debian"), "libc6", "2.36-9+deb12u4")
        );
        assert_eq!(p.qualifier("distro"), Some("debian-12"));
        let g = parse("pkg:golang/github.com/a/b@v1").unwrap();
        assert_eq!(g.namespace.as_deref(), Some("github.com/a"));
        assert_eq!(
            parse("pkg:npm/%40x/y@1").unwrap().namespace.as_deref(),
            Some("@x")
        );
        assert!(parse("npm/x").is_none());
    }
}
