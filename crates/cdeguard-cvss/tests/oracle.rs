//! Differential test against RedHatProductSecurity `cvss` (PyPI `cvss` 3.x, implements
//! v2, v3.0, v3.1 and v4.0), installed by `.ci/setup` into `$CDEGUARD_ORACLES/venv`.
//!
//! A seeded generator writes random valid vectors (base metrics always, each optional
//! metric present half of the time, metrics in shuffled order); one Python process scores
//! them all, and every score must equal ours exactly: the v2 and v3 base, temporal and
//! environmental scores, and the v4.0 score (which includes threat and environmental
//! metrics).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use cdeguard_cvss::CvssVersion;

const VECTORS_PER_VERSION: usize = 20_000;

/// splitmix64: deterministic, so a failure reproduces.
struct Generator(u64);

impl Generator {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: usize) -> usize {
        usize::try_from(self.next() % bound as u64).expect("bound fits usize")
    }
}

type Table = &'static [(&'static str, &'static [&'static str], bool)];

const V2: Table = &[
    ("AV", &["L", "A", "N"], true),
    ("AC", &["H", "M", "L"], true),
    ("Au", &["M", "S", "N"], true),
    ("C", &["N", "P", "C"], true),
    ("I", &["N", "P", "C"], true),
    ("A", &["N", "P", "C"], true),
    ("E", &["U", "POC", "F", "H", "ND"], false),
    ("RL", &["OF", "TF", "W", "U", "ND"], false),
    ("RC", &["UC", "UR", "C", "ND"], false),
    ("CDP", &["N", "L", "LM", "MH", "H", "ND"], false),
    ("TD", &["N", "L", "M", "H", "ND"], false),
    ("CR", &["L", "M", "H", "ND"], false),
    ("IR", &["L", "M", "H", "ND"], false),
    ("AR", &["L", "M", "H", "ND"], false),
];

const V3: Table = &[
    ("AV", &["N", "A", "L", "P"], true),
    ("AC", &["L", "H"], true),
    ("PR", &["N", "L", "H"], true),
    ("UI", &["N", "R"], true),
    ("S", &["U", "C"], true),
    ("C", &["H", "L", "N"], true),
    ("I", &["H", "L", "N"], true),
    ("A", &["H", "L", "N"], true),
    ("E", &["X", "H", "F", "P", "U"], false),
    ("RL", &["X", "U", "W", "T", "O"], false),
    ("RC", &["X", "C", "R", "U"], false),
    ("CR", &["X", "H", "M", "L"], false),
    ("IR", &["X", "H", "M", "L"], false),
    ("AR", &["X", "H", "M", "L"], false),
    ("MAV", &["X", "N", "A", "L", "P"], false),
    ("MAC", &["X", "L", "H"], false),
    ("MPR", &["X", "N", "L", "H"], false),
    ("MUI", &["X", "N", "R"], false),
    ("MS", &["X", "U", "C"], false),
    ("MC", &["X", "H", "L", "N"], false),
    ("MI", &["X", "H", "L", "N"], false),
    ("MA", &["X", "H", "L", "N"], false),
];

const V4: Table = &[
    ("AV", &["N", "A", "L", "P"], true),
    ("AC", &["L", "H"], true),
    ("AT", &["N", "P"], true),
    ("PR", &["N", "L", "H"], true),
    ("UI", &["N", "P", "A"], true),
    ("VC", &["H", "L", "N"], true),
    ("VI", &["H", "L", "N"], true),
    ("VA", &["H", "L", "N"], true),
    ("SC", &["H", "L", "N"], true),
    ("SI", &["H", "L", "N"], true),
    ("SA", &["H", "L", "N"], true),
    ("E", &["X", "A", "P", "U"], false),
    ("CR", &["X", "H", "M", "L"], false),
    ("IR", &["X", "H", "M", "L"], false),
    ("AR", &["X", "H", "M", "L"], false),
    ("MAV", &["X", "N", "A", "L", "P"], false),
    ("MAC", &["X", "L", "H"], false),
    ("MAT", &["X", "N", "P"], false),
    ("MPR", &["X", "N", "L", "H"], false),
    ("MUI", &["X", "N", "P", "A"], false),
    ("MVC", &["X", "H", "L", "N"], false),
    ("MVI", &["X", "H", "L", "N"], false),
    ("MVA", &["X", "H", "L", "N"], false),
    ("MSC", &["X", "H", "L", "N"], false),
    ("MSI", &["X", "S", "H", "L", "N"], false),
    ("MSA", &["X", "S", "H", "L", "N"], false),
    ("S", &["X", "N", "P"], false),
    ("AU", &["X", "N", "Y"], false),
    ("R", &["X", "A", "U", "I"], false),
    ("V", &["X", "D", "C"], false),
    ("RE", &["X", "L", "M", "H"], false),
    ("U", &["X", "Clear", "Green", "Amber", "Red"], false),
];

fn random_vector(generator: &mut Generator, prefix: &str, table: Table, shuffle: bool) -> String {
    let mut fields = Vec::new();
    for (name, values, mandatory) in table {
        if *mandatory || generator.below(2) == 0 {
            fields.push(format!("{name}:{}", values[generator.below(values.len())]));
        }
    }
    if shuffle {
        for i in (1..fields.len()).rev() {
            fields.swap(i, generator.below(i + 1));
        }
    }
    let body = fields.join("/");
    if prefix.is_empty() {
        body
    } else {
        format!("{prefix}/{body}")
    }
}

/// Every combination of the mandatory (base) metrics, in table order.
fn all_base_vectors(prefix: &str, table: Table) -> Vec<String> {
    let base: Vec<_> = table
        .iter()
        .filter(|(_, _, mandatory)| *mandatory)
        .collect();
    let mut vectors = vec![prefix.to_owned()];
    for (name, values, _) in base {
        vectors = vectors
            .iter()
            .flat_map(|head| {
                values.iter().map(move |value| {
                    if head.is_empty() {
                        format!("{name}:{value}")
                    } else {
                        format!("{head}/{name}:{value}")
                    }
                })
            })
            .collect();
    }
    vectors
}

fn oracle_python() -> PathBuf {
    let oracles = std::env::var_os("CDEGUARD_ORACLES").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.oracles"),
        PathBuf::from,
    );
    let python = oracles.join("venv/bin/python");
    let has_cvss = Command::new(&python)
        .args(["-c", "import cvss"])
        .output()
        .is_ok_and(|output| output.status.success());
    assert!(
        has_cvss,
        "{} with the `cvss` package is missing: run `bash .ci/setup` (installs the CVSS oracle)",
        python.display()
    );
    python
}

fn oracle_scores(vectors: &[String]) -> Vec<String> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oracle.py");
    let mut child = Command::new(oracle_python())
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the oracle");
    let mut stdin = child.stdin.take().expect("oracle stdin");
    let input = vectors.join("\n") + "\n";
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().expect("oracle output");
    writer
        .join()
        .expect("writer thread")
        .expect("write vectors");
    assert!(output.status.success(), "oracle failed");
    String::from_utf8(output.stdout)
        .expect("utf-8")
        .lines()
        .map(str::to_owned)
        .collect()
}

fn check(label: &str, vectors: &[String]) {
    let expected = oracle_scores(vectors);
    assert_eq!(
        expected.len(),
        vectors.len(),
        "{label}: one oracle line per vector"
    );
    let disagreements: Vec<String> = vectors
        .iter()
        .zip(&expected)
        .filter_map(|(vector, expected)| {
            let ours = match cdeguard_cvss::parse_with_temporal_environmental(vector) {
                Ok((cvss, None)) => format!("{:.1}", cvss.base_score),
                Ok((cvss, Some(scores))) if cvss.version == CvssVersion::V2 => {
                    let show =
                        |score: Option<f64>| score.map_or("-".to_owned(), |s| format!("{s:.1}"));
                    format!(
                        "{:.1} {} {}",
                        cvss.base_score,
                        show(scores.temporal),
                        show(scores.environmental)
                    )
                }
                // The oracle computes v3 temporal and environmental scores also when the
                // vector defines none of their metrics; a group is compared where defined.
                Ok((cvss, Some(scores))) => {
                    let oracle: Vec<&str> = expected.split(' ').collect();
                    let show = |score: Option<f64>, position: usize| {
                        score.map_or_else(
                            || oracle.get(position).copied().unwrap_or_default().to_owned(),
                            |s| format!("{s:.1}"),
                        )
                    };
                    format!(
                        "{:.1} {} {}",
                        cvss.base_score,
                        show(scores.temporal, 1),
                        show(scores.environmental, 2)
                    )
                }
                Err(error) => format!("error: {error}"),
            };
            (ours != *expected).then(|| format!("{vector}: ours {ours}, oracle {expected}"))
        })
        .collect();
    assert!(
        disagreements.is_empty(),
        "{label}: {} of {} vectors disagree with the oracle, first ones:\n{}",
        disagreements.len(),
        vectors.len(),
        disagreements
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

fn random_vectors(seed: u64, prefix: &str, table: Table) -> Vec<String> {
    let mut generator = Generator(seed);
    (0..VECTORS_PER_VERSION)
        .map(|_| random_vector(&mut generator, prefix, table, true))
        .collect()
}

#[test]
fn v2_scores_equal_the_oracle() {
    let mut vectors = all_base_vectors("", V2);
    vectors.extend(random_vectors(2, "", V2));
    check("CVSS v2", &vectors);
}

#[test]
fn v3_0_scores_equal_the_oracle() {
    let mut vectors = all_base_vectors("CVSS:3.0", V3);
    vectors.extend(random_vectors(30, "CVSS:3.0", V3));
    check("CVSS v3.0", &vectors);
}

#[test]
fn v3_1_scores_equal_the_oracle() {
    let mut vectors = all_base_vectors("CVSS:3.1", V3);
    vectors.extend(random_vectors(31, "CVSS:3.1", V3));
    check("CVSS v3.1", &vectors);
}

#[test]
fn v4_0_scores_equal_the_oracle() {
    let mut vectors = all_base_vectors("CVSS:4.0", V4);
    vectors.extend(random_vectors(40, "CVSS:4.0", V4));
    check("CVSS v4.0", &vectors);
}
