//! `cdeguard version cmp`: one pair, and a relations file checked line by line.

use std::process::Command;

fn cdeguard(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_cdeguard"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn compares_one_pair() {
    let out = cdeguard(&["version", "cmp", "--ecosystem", "debian", "1.0~rc1", "1.0"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "1.0~rc1 < 1.0");
    let out = cdeguard(&["version", "cmp", "--ecosystem", "PyPI", "1.0.post1", "1.0"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "1.0.post1 > 1.0"
    );
    for (ecosystem, a, b, expected) in [
        ("Alpine", "1.2_rc1-r0", "1.2-r0", "<"),
        ("Maven", "5.3.18.RELEASE", "5.3.18", "="),
        ("RubyGems", "6.1.7.1.rc1", "6.1.7.1", "<"),
        ("Packagist", "v1.0-pl1", "1.0.1", ">"),
        ("NuGet", "1.0.0-BETA", "1.0.0-beta", "="),
    ] {
        let out = cdeguard(&["version", "cmp", "--ecosystem", ecosystem, a, b]);
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            format!("{a} {expected} {b}"),
            "{ecosystem}"
        );
    }
    assert_eq!(
        cdeguard(&["version", "cmp", "--ecosystem", "nope", "1", "2"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn relation_files_report_disagreements_and_syntax_errors() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.txt");
    std::fs::write(&good, "# comment\n1.0 < 1.1\n1:0.1 > 9.9\n\n1.0 = 1.0-0\n").unwrap();
    let out = cdeguard(&[
        "version",
        "cmp",
        "--ecosystem",
        "Debian",
        good.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, "1.0 < 1.1\n1.0 > 1.1\n").unwrap();
    let out = cdeguard(&[
        "version",
        "cmp",
        "--ecosystem",
        "Debian",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stdout.contains("bad.txt:2: 1.0 > 1.1 (cdeguard: <)"),
        "{stdout}"
    );

    let broken = dir.path().join("broken.txt");
    std::fs::write(&broken, "1.0 < 1.1\nnot a relation\n").unwrap();
    let out = cdeguard(&[
        "version",
        "cmp",
        "--ecosystem",
        "Debian",
        broken.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken.txt:2"));
}
