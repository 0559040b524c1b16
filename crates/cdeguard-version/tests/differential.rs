//! Differential tests: cdeguard's ordering against each ecosystem's own reference
//! implementation, on at least 10,000 generated version pairs per ecosystem.
//!
//! A seeded generator builds realistic and adversarial versions (epochs, `~`, `^`,
//! letters, pre/post/dev/local parts, long numbers, leading zeros, every separator) and
//! pairs each with a near variant (one or two parts regenerated), so most pairs agree
//! on a long prefix and differ where ordering rules are subtle. All pairs of one
//! ecosystem go to one oracle process on stdin (dpkg has no batch mode: its oracle is a
//! shell loop). The oracles are installed by `.ci/setup` into `$CDEGUARD_ORACLES`
//! (default `<repo>/.oracles`) or come from the Debian packages it installs.
//!
//! Run with `-- --nocapture` to see per-ecosystem counts and timings.
//! Alpine and NuGet have no runnable reference here; `tests/vectors.rs` checks them
//! against upstream vectors (apk-tools' own for Alpine).
#![allow(clippy::print_stdout)] // per-ecosystem counts and oracle timings are the report

use std::cmp::Ordering;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use cdeguard_model::Ecosystem;
use cdeguard_version::compare;

const PAIRS: usize = 10_000;

fn oracles() -> PathBuf {
    std::env::var_os("CDEGUARD_ORACLES").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.oracles"),
        PathBuf::from,
    )
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/oracles")
        .join(name)
}

fn require(path: &Path, what: &str) {
    assert!(
        path.exists(),
        "{what} not found at {}: run `bash .ci/setup` (it installs the version-ordering oracles)",
        path.display()
    );
}

/// xorshift64*: small, seeded, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    /// A version number: mostly small, sometimes with leading zeros, date-like, or
    /// longer than 64 bits (unless `max_digits` caps it).
    fn number(&mut self, max_digits: usize) -> String {
        let n = match self.below(100) {
            0..=64 => (self.below(13)).to_string(),
            65..=74 => format!("0{}", self.below(10)),
            75..=84 => (10 + self.below(9990)).to_string(),
            85..=94 => format!(
                "20{:02}{:02}{:02}",
                self.below(30),
                1 + self.below(12),
                1 + self.below(28)
            ),
            _ => (0..20 + self.below(10))
                .map(|i| char::from(b'1' + u8::try_from((i * 7 + self.below(9)) % 9).unwrap_or(0)))
                .collect(),
        };
        if n.len() > max_digits {
            n[..max_digits].to_owned()
        } else {
            n
        }
    }
}

/// A version as slots; each slot's generator may leave it empty. A near variant
/// regenerates one or two slots.
type Slot = fn(&mut Rng) -> String;

fn pairs(seed: u64, slots: &[Slot]) -> Vec<(String, String)> {
    pairs_n(seed, slots, PAIRS)
}

fn pairs_n(seed: u64, slots: &[Slot], count: usize) -> Vec<(String, String)> {
    let mut rng = Rng(seed);
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        let a: Vec<String> = slots.iter().map(|s| s(&mut rng)).collect();
        let mut b = a.clone();
        match rng.below(10) {
            0 => b = slots.iter().map(|s| s(&mut rng)).collect(),
            1 => {}
            _ => {
                for _ in 0..1 + rng.below(2) {
                    let i = rng.below(slots.len());
                    b[i] = slots[i](&mut rng);
                }
            }
        }
        out.push((a.concat(), b.concat()));
    }
    out
}

/// Parts joined by separators chosen from `separators`, words from `words`.
fn parts(
    rng: &mut Rng,
    count: usize,
    separators: &[&str],
    words: &[&str],
    max_digits: usize,
) -> String {
    let mut s = String::new();
    for _ in 0..count {
        s.push_str(rng.pick(separators));
        if words.is_empty() || rng.chance(65) {
            s.push_str(&rng.number(max_digits));
        } else {
            s.push_str(rng.pick(words));
        }
    }
    s
}

/// Runs `workers` oracle processes (made by `command`) over the pairs, each on its share;
/// returns the answer per pair (`-1`, `0`, `1`, `invalid`).
fn ask(command: &dyn Fn() -> Command, workers: usize, pairs: &[(String, String)]) -> Vec<String> {
    let share = pairs.len().div_ceil(workers);
    std::thread::scope(|scope| {
        let handles: Vec<_> = pairs
            .chunks(share)
            .map(|chunk| {
                let worker = command();
                scope.spawn(move || ask_one(worker, chunk))
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    })
}

fn ask_one(mut command: Command, pairs: &[(String, String)]) -> Vec<String> {
    let mut input = String::new();
    for (a, b) in pairs {
        input.push_str(a);
        input.push('\t');
        input.push_str(b);
        input.push('\n');
    }
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start oracle {command:?}: {e}; run `bash .ci/setup`"));
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        output.status.success(),
        "oracle {command:?} failed (is it installed? run `bash .ci/setup`): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answers: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        answers.len(),
        pairs.len(),
        "oracle {command:?} answered too few pairs"
    );
    answers
}

/// Compares cdeguard with the oracle's answers; returns (checked, rejected by oracle).
/// Panics listing the first disagreements.
fn differential(
    name: &str,
    ecosystem: Ecosystem,
    pairs: &[(String, String)],
    command: &dyn Fn() -> Command,
    workers: usize,
) -> (usize, usize) {
    let started = Instant::now();
    let answers = ask(command, workers, pairs);
    let oracle_time = started.elapsed();
    let mut rejected = 0;
    let mut seen = [0usize; 3];
    let mut disagreements = Vec::new();
    for ((a, b), answer) in pairs.iter().zip(&answers) {
        let expected = match answer.as_str() {
            "-1" => Ordering::Less,
            "0" => Ordering::Equal,
            "1" => Ordering::Greater,
            "invalid" => {
                rejected += 1;
                continue;
            }
            other => panic!("{name} oracle answered `{other}` for `{a}` vs `{b}`"),
        };
        seen[(expected as i8 + 1) as usize] += 1;
        let ours = compare(ecosystem, a, b);
        let reversed = compare(ecosystem, b, a);
        if ours != Ok(expected) || reversed != Ok(expected.reverse()) {
            disagreements.push(format!(
                "{a} {} {b} (cdeguard: {ours:?}, reversed {reversed:?})",
                cdeguard_version::symbol(expected)
            ));
        }
    }
    let checked = pairs.len() - rejected;
    println!(
        "{name}: {checked} pairs checked against the oracle ({} <, {} =, {} >), {} disagreements, {rejected} rejected by the oracle; oracle {:.1}s",
        seen[0],
        seen[1],
        seen[2],
        disagreements.len(),
        oracle_time.as_secs_f64()
    );
    // The generator must exercise every outcome, not just one easy one.
    assert!(
        seen.iter().all(|n| *n >= checked / 20),
        "{name}: lopsided pairs {seen:?}"
    );
    assert!(
        disagreements.is_empty(),
        "{name}: {} of {checked} pairs disagree with the oracle, e.g.:\n{}",
        disagreements.len(),
        disagreements
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    (checked, rejected)
}

const WORDS: [&str; 16] = [
    "a", "b", "c", "z", "alpha", "beta", "pre", "rc", "dev", "git", "svn", "p", "pl", "final",
    "snapshot", "sp",
];

// --- Debian: dpkg --compare-versions ---------------------------------------------------

fn debian_slots() -> Vec<Slot> {
    vec![
        |r| {
            if r.chance(20) {
                format!("{}:", r.below(4))
            } else {
                String::new()
            }
        },
        |r| r.number(40),
        |r| {
            let n = r.below(4);
            parts(
                r,
                n,
                &[".", ".", "+", "~", ""],
                &["a", "b", "rc", "dfsg", "git", "Z", "ds", "really"],
                40,
            )
        },
        |r| match r.below(6) {
            0 => "~".to_owned(),
            1 => format!("~rc{}", r.number(3)),
            2 => format!("+dfsg{}", r.number(2)),
            _ => String::new(),
        },
        |r| match r.below(7) {
            0 | 1 => String::new(),
            2 => format!("-{}", r.number(6)),
            3 => format!("-{}ubuntu{}", r.number(3), r.number(3)),
            4 => format!("-{}+deb{}u{}", r.number(3), 10 + r.below(4), r.number(3)),
            5 => format!("-{}~bpo{}+{}", r.number(3), 10 + r.below(4), r.number(2)),
            _ => format!("-{}.{}~exp{}", r.number(3), r.number(3), r.number(2)),
        },
    ]
}

#[test]
fn debian_matches_dpkg() {
    require(Path::new("/usr/bin/dpkg"), "dpkg");
    let command = || {
        let mut command = Command::new("bash");
        command.arg(script("dpkg-compare.sh"));
        command
    };
    let (checked, rejected) = differential(
        "Debian/dpkg",
        Ecosystem::Debian,
        &pairs(1, &debian_slots()),
        &command,
        2,
    );
    assert!(checked >= PAIRS && rejected == 0);
}

// --- PyPI: packaging.version -----------------------------------------------------------

fn pypi_slots() -> Vec<Slot> {
    vec![
        |r| match r.below(10) {
            0 => "v".to_owned(),
            1 => format!("{}!", r.below(3)),
            _ => String::new(),
        },
        |r| r.number(40),
        |r| {
            let n = r.below(4);
            parts(r, n, &["."], &[], 40)
        },
        |r| {
            if r.chance(60) {
                return String::new();
            }
            let sep = r.pick(&["", "", ".", "-", "_"]);
            let tag = r.pick(&[
                "a", "b", "rc", "c", "alpha", "beta", "pre", "preview", "A", "RC",
            ]);
            let num = if r.chance(80) {
                r.number(30)
            } else {
                String::new()
            };
            format!("{sep}{tag}{num}")
        },
        |r| {
            if r.chance(70) {
                return String::new();
            }
            match r.below(4) {
                0 => format!("-{}", r.number(20)),
                1 => format!(".post{}", r.number(20)),
                2 => format!(
                    "{}{}",
                    r.pick(&["post", "rev", "r", "-post", "_r"]),
                    r.number(20)
                ),
                _ => ".post".to_owned(),
            }
        },
        |r| {
            if r.chance(75) {
                return String::new();
            }
            let sep = r.pick(&["", ".", "-", "_"]);
            let num = if r.chance(80) {
                r.number(20)
            } else {
                String::new()
            };
            format!("{sep}dev{num}")
        },
        |r| {
            if r.chance(80) {
                return String::new();
            }
            let n = 1 + r.below(3);
            let local = parts(
                r,
                n,
                &[".", "-", "_"],
                &["ubuntu", "abc", "cpu", "cu118", "Z"],
                20,
            );
            format!("+{}", &local[1..])
        },
    ]
}

#[test]
fn pypi_matches_packaging() {
    let python = oracles().join("venv/bin/python");
    require(&python, "the oracle venv's Python (with `packaging`)");
    let command = || {
        let mut command = Command::new(&python);
        command.arg(script("pypi_compare.py"));
        command
    };
    let (checked, _) = differential(
        "PyPI/packaging",
        Ecosystem::PyPI,
        &pairs(2, &pypi_slots()),
        &command,
        1,
    );
    assert!(checked >= PAIRS);
}

// --- npm: semver -----------------------------------------------------------------------

fn semver_identifier(r: &mut Rng) -> String {
    match r.below(6) {
        0 | 1 => semver_number(r),
        2 => r
            .pick(&[
                "alpha", "beta", "rc", "RC", "pre", "x", "X", "a-b", "-", "--", "0a", "a0",
            ])
            .to_owned(),
        3 => format!("{}{}", r.pick(&["alpha", "beta", "rc"]), r.number(6)),
        _ => r
            .pick(&["alpha", "beta", "rc", "dev", "next", "canary"])
            .to_owned(),
    }
}

/// A SemVer numeric identifier: no leading zeros, within JavaScript's safe integers.
fn semver_number(r: &mut Rng) -> String {
    let n = r.number(15);
    let trimmed = n.trim_start_matches('0');
    if trimmed.is_empty() {
        "0".to_owned()
    } else {
        trimmed.to_owned()
    }
}

fn npm_slots() -> Vec<Slot> {
    vec![
        semver_number,
        |r| format!(".{}", semver_number(r)),
        |r| format!(".{}", semver_number(r)),
        |r| {
            if r.chance(40) {
                return String::new();
            }
            let n = 1 + r.below(4);
            let ids: Vec<String> = (0..n).map(|_| semver_identifier(r)).collect();
            format!("-{}", ids.join("."))
        },
        |r| {
            if r.chance(75) {
                return String::new();
            }
            format!(
                "+{}",
                r.pick(&[
                    "build.1",
                    "001",
                    "sha.5114f85",
                    "20130313144700",
                    "exp.sha.5114f85",
                    "a-b"
                ])
            )
        },
    ]
}

#[test]
fn npm_matches_node_semver() {
    let module = oracles().join("npm/node_modules/semver");
    require(&module, "npm's `semver` package");
    let command = || {
        let mut command = Command::new("node");
        command.arg(script("npm-compare.js")).arg(&module);
        command
    };
    let (checked, rejected) = differential(
        "npm/semver",
        Ecosystem::Npm,
        &pairs(3, &npm_slots()),
        &command,
        1,
    );
    assert!(checked >= PAIRS && rejected == 0);
}

// --- Go: golang.org/x/mod/semver ------------------------------------------------------

fn pseudo_version_suffix(r: &mut Rng) -> String {
    let hash: String = (0..12)
        .map(|_| char::from(b"0123456789abcdef"[r.below(16)]))
        .collect();
    format!(
        "20{:02}{:02}{:02}{:02}{:02}{:02}-{hash}",
        10 + r.below(16),
        1 + r.below(12),
        1 + r.below(28),
        r.below(24),
        r.below(60),
        r.below(60)
    )
}

fn go_slots() -> Vec<Slot> {
    vec![
        |r| format!("v{}", semver_number(r)),
        |r| {
            if r.chance(10) {
                String::new()
            } else {
                format!(".{}", semver_number(r))
            }
        },
        |r| {
            if r.chance(10) {
                String::new()
            } else {
                format!(".{}", semver_number(r))
            }
        },
        |r| match r.below(8) {
            // Pseudo-versions: no base, after a release, after a pre-release.
            0 => format!("-{}", pseudo_version_suffix(r)),
            1 => format!("-0.{}", pseudo_version_suffix(r)),
            2 => format!(
                "-{}.0.{}",
                r.pick(&["rc.1", "beta", "pre"]),
                pseudo_version_suffix(r)
            ),
            3 | 4 => {
                let n = 1 + r.below(3);
                let ids: Vec<String> = (0..n).map(|_| semver_identifier(r)).collect();
                format!("-{}", ids.join("."))
            }
            _ => String::new(),
        },
        |r| match r.below(8) {
            0 => "+incompatible".to_owned(),
            1 => "+build.5".to_owned(),
            _ => String::new(),
        },
    ]
}

#[test]
fn go_matches_x_mod_semver() {
    let source = Path::new("/usr/share/gocode/src/golang.org/x/mod/semver");
    require(
        source,
        "golang.org/x/mod/semver (Debian package `golang-golang-x-mod-dev`)",
    );
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("go-oracle");
    std::fs::create_dir_all(&work).unwrap();
    let binary = work.join("go-compare");
    let build = Command::new("go")
        .arg("build")
        .arg("-o")
        .arg(&binary)
        .arg(script("go-compare.go"))
        .env("GO111MODULE", "off")
        .env("GOPATH", "/usr/share/gocode")
        .env("GOCACHE", work.join("cache"))
        .status()
        .unwrap_or_else(|e| panic!("cannot run go: {e}; run `bash .ci/setup`"));
    assert!(build.success(), "go build failed on go-compare.go");
    let command = || Command::new(&binary);
    // x/mod/semver rejects some of what OSV's Go data holds and cdeguard accepts
    // (`v1.2-pre`: shorthand with a pre-release; versions without `v`); extra pairs
    // keep the checked count above 10,000.
    let (checked, rejected) = differential(
        "Go/x-mod-semver",
        Ecosystem::Go,
        &pairs_n(8, &go_slots(), PAIRS + PAIRS / 4),
        &command,
        1,
    );
    assert!(
        checked >= PAIRS,
        "only {checked} pairs checked ({rejected} rejected)"
    );
}

// --- RPM: rpm.ver (librpm) -------------------------------------------------------------

fn rpm_slots() -> Vec<Slot> {
    vec![
        |r| {
            if r.chance(20) {
                format!("{}:", r.below(4))
            } else {
                String::new()
            }
        },
        |r| r.number(40),
        |r| {
            let n = r.below(4);
            parts(
                r,
                n,
                &[".", ".", "_", "+", ""],
                &["a", "b", "rc", "git", "Z", "svn", "beta"],
                40,
            )
        },
        |r| match r.below(8) {
            0 => "~".to_owned(),
            1 => format!("~rc{}", r.number(3)),
            2 => format!("^{}", r.pick(&["", "git", "20240101git", "post1"])),
            3 => format!("~~{}", r.number(2)),
            _ => String::new(),
        },
        |r| match r.below(7) {
            0 | 1 => String::new(),
            2 => format!("-{}", r.number(6)),
            3 => format!("-{}.el{}", r.number(3), 7 + r.below(3)),
            4 => format!("-{}.el{}_{}", r.number(3), 7 + r.below(3), r.number(2)),
            5 => format!("-{}.fc{}", r.number(3), 38 + r.below(3)),
            _ => format!("-{}{}", r.number(3), r.pick(&["~beta", "^git", ".1", "a"])),
        },
    ]
}

#[test]
fn rpm_matches_librpm() {
    require(
        Path::new("/usr/bin/python3"),
        "/usr/bin/python3 (with Debian's python3-rpm)",
    );
    let command = || {
        let mut command = Command::new("/usr/bin/python3");
        command.arg(script("rpm_compare.py"));
        command
    };
    let (checked, rejected) = differential(
        "RPM/librpm",
        Ecosystem::RedHat,
        &pairs(4, &rpm_slots()),
        &command,
        1,
    );
    assert!(checked >= PAIRS && rejected == 0);
}

// --- Maven: ComparableVersion ----------------------------------------------------------

fn maven_slots() -> Vec<Slot> {
    vec![
        |r| r.number(40),
        |r| {
            let n = r.below(4);
            parts(r, n, &[".", ".", "-", ""], &["1", "0"], 40)
        },
        |r| {
            if r.chance(40) {
                return String::new();
            }
            let sep = r.pick(&["-", ".", "", "_"]);
            let word = r.pick(&[
                "alpha",
                "a",
                "beta",
                "b",
                "milestone",
                "m",
                "rc",
                "cr",
                "RC",
                "SNAPSHOT",
                "snapshot",
                "ga",
                "GA",
                "final",
                "Final",
                "release",
                "RELEASE",
                "sp",
                "foo",
                "jre",
                "android",
                "",
                "x",
                "sec",
            ]);
            let num = if r.chance(50) {
                r.number(30)
            } else {
                String::new()
            };
            format!("{sep}{word}{num}")
        },
        |r| {
            let n = r.below(3);
            parts(r, n, &["-", ".", ""], &WORDS, 25)
        },
    ]
}

#[test]
fn maven_matches_comparable_version() {
    let jar = Path::new("/usr/share/maven/lib/maven-artifact-3.x.jar");
    require(jar, "Maven's maven-artifact jar (Debian package `maven`)");
    let classes = Path::new(env!("CARGO_TARGET_TMPDIR")).join("maven-oracle");
    std::fs::create_dir_all(&classes).unwrap();
    let javac = Command::new("javac")
        .arg("-d")
        .arg(&classes)
        .arg("-cp")
        .arg(jar)
        .arg(script("MavenCompare.java"))
        .status()
        .unwrap_or_else(|e| panic!("cannot run javac: {e}; run `bash .ci/setup`"));
    assert!(javac.success(), "javac failed on MavenCompare.java");
    let command = || {
        let mut command = Command::new("java");
        command
            .arg("-cp")
            .arg(format!("{}:{}", classes.display(), jar.display()))
            .arg("MavenCompare");
        command
    };
    let (checked, _) = differential(
        "Maven/ComparableVersion",
        Ecosystem::Maven,
        &pairs(5, &maven_slots()),
        &command,
        1,
    );
    assert!(checked >= PAIRS);
}

// --- RubyGems: Gem::Version ------------------------------------------------------------

fn rubygems_slots() -> Vec<Slot> {
    vec![
        |r| {
            if r.chance(5) {
                " ".to_owned()
            } else {
                String::new()
            }
        },
        |r| r.number(40),
        |r| {
            let n = r.below(4);
            parts(
                r,
                n,
                &["."],
                &["a", "b", "rc", "pre", "beta", "Z", "alpha"],
                40,
            )
        },
        |r| match r.below(8) {
            0 => format!(".{}{}", r.pick(&["rc", "beta", "a", "pre"]), r.number(4)),
            1 => format!("-{}", r.pick(&["beta", "rc1", "1", "a-b", "x.1"])),
            2 => ".0".to_owned(),
            _ => String::new(),
        },
    ]
}

#[test]
fn rubygems_matches_gem_version() {
    require(Path::new("/usr/bin/ruby"), "ruby (Debian package `ruby`)");
    let command = || {
        let mut command = Command::new("ruby");
        command.arg(script("ruby-compare.rb"));
        command
    };
    let (checked, _) = differential(
        "RubyGems/Gem::Version",
        Ecosystem::RubyGems,
        &pairs(6, &rubygems_slots()),
        &command,
        1,
    );
    assert!(checked >= PAIRS);
}

// --- Packagist: PHP version_compare ----------------------------------------------------

fn packagist_slots() -> Vec<Slot> {
    // Digit runs stay within 18 digits (no empty separator between two numbers): PHP
    // saturates longer ones at 2^63-1, where cdeguard (like OSV) compares exactly;
    // `packagist.rs` documents and unit-tests that.
    vec![
        |r| {
            if r.chance(10) {
                r.pick(&["v", "V"]).to_owned()
            } else {
                String::new()
            }
        },
        |r| r.number(18),
        |r| {
            let n = r.below(4);
            parts(
                r,
                n,
                &[".", ".", "-", "_", "+", ".."],
                &[
                    "a", "b", "RC", "rc", "p", "pl", "dev", "alpha", "beta", "patch", "Rc", "x",
                ],
                18,
            )
        },
        |r| match r.below(6) {
            0 => format!(
                "-{}{}",
                r.pick(&["dev", "alpha", "beta", "RC", "rc", "p", "pl", "foo"]),
                r.number(3)
            ),
            1 => format!("{}{}", r.pick(&["a", "b", "rc", "p"]), r.number(3)),
            _ => String::new(),
        },
    ]
}

#[test]
fn packagist_matches_php_version_compare() {
    require(Path::new("/usr/bin/php"), "php (Debian package `php-cli`)");
    let command = || {
        let mut command = Command::new("php");
        command.arg(script("packagist-compare.php"));
        command
    };
    let (checked, rejected) = differential(
        "Packagist/version_compare",
        Ecosystem::Packagist,
        &pairs(7, &packagist_slots()),
        &command,
        1,
    );
    assert!(checked >= PAIRS && rejected == 0);
}
