//! Does a VEX product id name this package? Package URLs
//! (<https://github.com/package-url/purl-spec>) compared component by component.

/// Whether the VEX `product` applies to the package `purl`: same type, namespace and name;
/// the same version if the product names one (a versionless product covers every
/// version); and every qualifier the product gives present in the purl with the same
/// value (`pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64` does not cover the armv7 build, while
/// `pkg:apk/wolfi/git` covers all). Components are percent-decoded; the type, and the
/// namespace and name of the types whose purl definition makes them case-insensitive
/// (bitbucket, composer, github, hex, npm, pypi, with pypi's `_` → `-`), compare
/// normalised. A product that is not a purl matches only the identical string.
///
/// ```
/// use cdeguard_vex::product_matches;
/// assert!(product_matches("pkg:maven/org.example/lib", "pkg:maven/org.example/lib@1.2?type=jar"));
/// assert!(!product_matches("pkg:maven/org.example/lib@1.3", "pkg:maven/org.example/lib@1.2"));
/// ```
#[must_use]
pub fn product_matches(product: &str, purl: &str) -> bool {
    let (Some(product), Some(package)) = (Purl::parse(product), Purl::parse(purl)) else {
        return product == purl;
    };
    product.kind == package.kind
        && product.namespace == package.namespace
        && product.name == package.name
        && product
            .version
            .as_ref()
            .is_none_or(|version| package.version.as_ref() == Some(version))
        && product
            .qualifiers
            .iter()
            .all(|qualifier| package.qualifiers.contains(qualifier))
}

struct Purl {
    kind: String,
    namespace: String,
    name: String,
    version: Option<String>,
    qualifiers: Vec<(String, String)>,
}

impl Purl {
    /// `pkg:type/namespace/name@version?qualifiers#subpath`; `None` for anything else.
    fn parse(text: &str) -> Option<Self> {
        let scheme = text.get(..4)?;
        if !scheme.eq_ignore_ascii_case("pkg:") {
            return None;
        }
        let rest = text[4..].trim_start_matches('/');
        let rest = rest
            .split_once('#')
            .map_or(rest, |(before, _subpath)| before);
        let (rest, qualifiers) = rest.split_once('?').unwrap_or((rest, ""));
        let (kind, path) = rest.split_once('/')?;
        let (path, version) = match path.rsplit_once('@') {
            Some((path, version)) => (path, Some(decode(version))),
            None => (path, None),
        };
        let path = path.trim_end_matches('/');
        let (namespace, name) = path.rsplit_once('/').unwrap_or(("", path));
        if kind.is_empty() || name.is_empty() {
            return None;
        }
        let kind = kind.to_ascii_lowercase();
        let mut namespace = namespace
            .split('/')
            .filter(|segment| !segment.is_empty())
            .map(decode)
            .collect::<Vec<_>>()
            .join("/");
        let mut name = decode(name);
        if matches!(
            kind.as_str(),
            "bitbucket" | "composer" | "github" | "hex" | "npm" | "pypi"
        ) {
            namespace = namespace.to_lowercase();
            name = name.to_lowercase();
        }
        if kind == "pypi" {
            name = name.replace('_', "-");
        }
        let qualifiers = qualifiers
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .filter(|(_, value)| !value.is_empty())
            .map(|(key, value)| (key.to_ascii_lowercase(), decode(value)))
            .collect();
        Some(Self {
            kind,
            namespace,
            name,
            version,
            qualifiers,
        })
    }
}

/// Percent-decodes a purl component (invalid escapes are kept as written).
fn decode(component: &str) -> String {
    let bytes = component.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escaped = (bytes[index] == b'%')
            .then(|| component.get(index + 1..index + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        if let Some(byte) = escaped {
            out.push(byte);
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::product_matches;

    #[test]
    fn version_and_qualifiers() {
        let armv7 = "pkg:apk/wolfi/git@2.39.0-r1?arch=armv7";
        assert!(product_matches(armv7, armv7));
        assert!(product_matches(
            armv7,
            "pkg:apk/wolfi/git@2.39.0-r1?distro=wolfi&arch=armv7"
        ));
        assert!(!product_matches(
            armv7,
            "pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64"
        ));
        assert!(!product_matches(armv7, "pkg:apk/wolfi/git@2.39.0-r1"));
        assert!(!product_matches(
            armv7,
            "pkg:apk/wolfi/git@2.39.0-r2?arch=armv7"
        ));
        assert!(product_matches(
            "pkg:apk/wolfi/git",
            "pkg:apk/wolfi/git@2.39.0-r2?arch=armv7"
        ));
        assert!(!product_matches(
            "pkg:apk/wolfi/git",
            "pkg:apk/alpine/git@2.39.0-r2"
        ));
        assert!(!product_matches(
            "pkg:apk/wolfi/git",
            "pkg:deb/wolfi/git@2.39.0-r2"
        ));
        assert!(!product_matches(
            "pkg:apk/wolfi/git",
            "pkg:apk/wolfi/git-lfs@1"
        ));
    }

    #[test]
    fn encoding_and_case() {
        assert!(product_matches(
            "pkg:deb/debian/curl@7.88.1-10%2Bdeb12u5",
            "pkg:deb/debian/curl@7.88.1-10+deb12u5"
        ));
        assert!(product_matches(
            "pkg:npm/%40angular/core@16.0.0",
            "pkg:npm/@angular/core@16.0.0"
        ));
        assert!(product_matches(
            "pkg:PyPI/Django_Rest@3.1",
            "pkg:pypi/django-rest@3.1"
        ));
        assert!(!product_matches(
            "pkg:maven/Org.Example/Lib",
            "pkg:maven/org.example/lib"
        ));
        assert!(product_matches(
            "pkg:github/Package-URL/purl-spec",
            "pkg:github/package-url/purl-spec@v1"
        ));
    }

    #[test]
    fn non_purl_products_match_exactly() {
        assert!(product_matches("product-ABC", "product-ABC"));
        assert!(!product_matches("product-ABC", "pkg:generic/product-ABC"));
        assert!(!product_matches("pkg:maven/%zz", "pkg:maven/lib"));
    }
}
