//! Every line of the upstream version-ordering vectors (google/osv-scalibr
//! `semantic/testdata`, and apk-tools' own `test/unit/version.data`) holds for cdeguard's
//! comparison, in both directions.

use std::cmp::Ordering;
use std::path::Path;

use cdeguard_model::Ecosystem;
use cdeguard_version::{compare, parse_relation};

fn check(file: &str, ecosystem: Ecosystem) -> usize {
    check_with_superseded(file, ecosystem, &[])
}

/// A vector line the ecosystem's current reference implementation contradicts: the pair,
/// and the ordering the reference gives (which cdeguard must give instead).
struct Superseded {
    a: &'static str,
    b: &'static str,
    reference: Ordering,
}

/// Like `check`, except that the `superseded` pairs must get the reference's ordering;
/// every superseded pair must occur in the file (a stale entry fails the test).
fn check_with_superseded(file: &str, ecosystem: Ecosystem, superseded: &[Superseded]) -> usize {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut wrong = Vec::new();
    let mut checked = 0;
    let mut superseded_seen = 0;
    for (n, line) in text.lines().enumerate() {
        let Some((a, mut expected, b)) = parse_relation(line) else {
            continue;
        };
        checked += 1;
        if let Some(s) = superseded.iter().find(|s| s.a == a && s.b == b) {
            superseded_seen += 1;
            assert_ne!(expected, s.reference, "{file}:{}: not superseded", n + 1);
            expected = s.reference;
        }
        let forward = compare(ecosystem, &a, &b);
        let backward = compare(ecosystem, &b, &a);
        if forward != Ok(expected) || backward != Ok(expected.reverse()) {
            wrong.push(format!(
                "{file}:{}: {line} (got {forward:?} / reverse {backward:?})",
                n + 1
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(
        superseded_seen,
        superseded.len(),
        "{file}: stale superseded entries"
    );
    checked
}

/// osv-scalibr's Maven vectors that Maven itself (3.8.7 through 3.9.x, the
/// `ComparableVersion` in Debian's `maven` package and the one Maven builds use today)
/// orders differently; `tests/differential.rs` checks cdeguard against that jar.
/// All but the first come from `maven-versions-generated.txt`, generated with a Maven
/// older than MNG-7644 (3.8.7, Dec 2022), which made `1.0.X1` read as `1.0-X1`: with
/// it, a qualifier after `.` no longer sorts below a number after `-`. The first is
/// hand-written: osv-scalibr drops the `ga` in `1-ga-1`, which no Maven release does.
const MAVEN_SUPERSEDED: [Superseded; 19] = [
    sup("1-1", "1-ga-1", Ordering::Greater),
    sup("1.0.0-RC16", "1.0.0.RC8-beta", Ordering::Greater),
    sup(
        "1.0.0-gradle-rework-beta3",
        "1.0.0.RC7-3",
        Ordering::Greater,
    ),
    sup("2.9.0-1", "2.9.0.RC1", Ordering::Greater),
    sup("6.1.12.rc5", "6.1.12rc1", Ordering::Greater),
    sup("1.1.31.sec10", "1.1.31_noneautotype", Ordering::Greater),
    sup("1.1.34.sec10", "1.1.34_noneautotype", Ordering::Greater),
    sup("1.1.46.sec10", "1.1.46_noneautotype", Ordering::Greater),
    sup(
        "1.2.8.sec10_noneautotype",
        "1.2.8_noneautotype",
        Ordering::Greater,
    ),
    sup("1.2.31.sec10", "1.2.31_noneautotype", Ordering::Greater),
    sup("1.2.48.sec10", "1.2.48_noneautotype", Ordering::Greater),
    sup("1.2.50.sec10", "1.2.50_noneautotype", Ordering::Greater),
    sup("1.2.54.sec10", "1.2.54_noneautotype", Ordering::Greater),
    sup("1.2.57.sec10", "1.2.57_noneautotype", Ordering::Greater),
    sup("1.2.60.sec10", "1.2.60_noneautotype", Ordering::Greater),
    sup("1.2.67.sec10", "1.2.67_noneautotype", Ordering::Greater),
    sup("1.0.0rc0", "1.0.beta8", Ordering::Greater),
    sup("1.5.9.RC1", "1.5.9-RC0", Ordering::Greater),
    sup("1.1.0-01-glassfish", "1.1.0.Beta1", Ordering::Greater),
];

const fn sup(a: &'static str, b: &'static str, reference: Ordering) -> Superseded {
    Superseded { a, b, reference }
}

#[test]
fn debian_vectors() {
    assert!(check("debian-versions.txt", Ecosystem::Debian) >= 20);
}

#[test]
fn redhat_vectors() {
    assert!(check("redhat-versions.txt", Ecosystem::RedHat) >= 100);
}

#[test]
fn semver_vectors() {
    assert!(check("semver-versions.txt", Ecosystem::Npm) >= 50);
}

#[test]
fn pypi_vectors() {
    assert!(check("pypi-versions.txt", Ecosystem::PyPI) >= 30);
}

#[test]
fn alpine_vectors() {
    assert!(check("alpine-versions.txt", Ecosystem::Alpine) >= 600);
}

#[test]
fn maven_vectors() {
    let (hand, generated) = MAVEN_SUPERSEDED.split_at(1);
    assert!(check_with_superseded("maven-versions.txt", Ecosystem::Maven, hand) >= 50);
    assert!(
        check_with_superseded("maven-versions-generated.txt", Ecosystem::Maven, generated) >= 5000
    );
}

#[test]
fn packagist_vectors() {
    assert!(check("packagist-versions.txt", Ecosystem::Packagist) >= 50);
    assert!(check("packagist-versions-generated.txt", Ecosystem::Packagist) >= 5000);
}

#[test]
fn rubygems_vectors() {
    assert!(check("rubygems-versions.txt", Ecosystem::RubyGems) >= 10);
    assert!(check("rubygems-versions-generated.txt", Ecosystem::RubyGems) >= 2000);
}

#[test]
fn nuget_vectors() {
    assert!(check("nuget-versions.txt", Ecosystem::NuGet) >= 30);
}

/// apk-tools' own test data. Only its ordering lines (`A < B`, `A = B`, `A > B`, with an
/// optional `# comment`) are about ordering; `~` lines test apk's fuzzy dependency
/// matching and single-version lines test apk's validity check, neither of which OSV
/// matching uses.
#[test]
fn apk_tools_vectors() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/apk-tools-version.data");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let relation = line.split('#').next().unwrap_or_default();
        let fields: Vec<&str> = relation.split_whitespace().collect();
        let [a, op, b] = fields[..] else { continue };
        let expected = match op {
            "<" => Ordering::Less,
            "=" => Ordering::Equal,
            ">" => Ordering::Greater,
            _ => continue,
        };
        checked += 1;
        let forward = compare(Ecosystem::Alpine, a, b);
        let backward = compare(Ecosystem::Alpine, b, a);
        if forward != Ok(expected) || backward != Ok(expected.reverse()) {
            wrong.push(format!("apk-tools-version.data:{}: {line}", n + 1));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(checked >= 700, "only {checked} ordering lines");
}

/// Every ecosystem's ordering is a total preorder on the versions its vectors mention:
/// antisymmetric, and consistent once sorted (each version `<=` every later one, which
/// fails if transitivity is broken). At most 400 versions per ecosystem (evenly spread
/// over the file) keep the all-pairs check fast. Alpine's check covers well-formed
/// versions only: malformed ones compare as strings among themselves and by parts with
/// well-formed ones (as in OSV), which cannot be transitive.
#[test]
fn orderings_are_total_on_the_vector_versions() {
    let files = [
        ("debian-versions.txt", Ecosystem::Debian),
        ("redhat-versions.txt", Ecosystem::RedHat),
        ("semver-versions.txt", Ecosystem::Npm),
        ("pypi-versions.txt", Ecosystem::PyPI),
        ("alpine-versions.txt", Ecosystem::Alpine),
        ("apk-tools-version.data", Ecosystem::Alpine),
        ("maven-versions-generated.txt", Ecosystem::Maven),
        ("packagist-versions-generated.txt", Ecosystem::Packagist),
        ("rubygems-versions-generated.txt", Ecosystem::RubyGems),
        ("nuget-versions.txt", Ecosystem::NuGet),
    ];
    for (file, ecosystem) in files {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/data")
                .join(file),
        )
        .unwrap();
        let mut all: Vec<String> = text
            .lines()
            .map(|l| l.split('#').next().unwrap_or_default())
            .filter_map(parse_relation)
            .flat_map(|(a, _, b)| [a, b])
            .collect();
        if ecosystem == Ecosystem::Alpine {
            all.retain(|v| cdeguard_version::alpine::is_well_formed(v));
        }
        all.sort();
        all.dedup();
        let step = all.len().div_ceil(400).max(1);
        let sample: Vec<&String> = all.iter().step_by(step).collect();
        let cmp = |a: &str, b: &str| compare(ecosystem, a, b).unwrap();
        for a in &sample {
            for b in &sample {
                assert_eq!(cmp(a, b), cmp(b, a).reverse(), "{file}: {a} vs {b}");
            }
        }
        // Insertion sort: needs only the comparison, never panics on an inconsistent one.
        let mut sorted: Vec<&String> = Vec::new();
        for v in sample {
            let at = sorted.partition_point(|s| cmp(s, v) != Ordering::Greater);
            sorted.insert(at, v);
        }
        for (i, a) in sorted.iter().enumerate() {
            for b in &sorted[i + 1..] {
                assert_ne!(cmp(a, b), Ordering::Greater, "{file}: {a} sorts before {b}");
            }
        }
    }
}
