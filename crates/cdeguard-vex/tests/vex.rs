//! Reads the OpenVEX specification's examples and CycloneDX's VEX examples
//! (`tests/data/README.md`), checks override order, and checks that malformed documents
//! fail with the file, the field, and the line and column.

use std::path::{Path, PathBuf};

use cdeguard_vex::{VexError, VexStatus, load, product_matches};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn load_data(name: &str) -> Vec<cdeguard_vex::VexStatement> {
    load(&data(name)).unwrap_or_else(|error| panic!("{error}"))
}

#[test]
fn openvex_spec_fixed_example() {
    let statements = load_data("openvex/spec-example-fixed.json");
    assert_eq!(statements.len(), 1);
    let statement = &statements[0];
    assert_eq!(statement.vulnerability, "CVE-2023-12345");
    assert_eq!(statement.status, VexStatus::Fixed);
    assert_eq!(
        statement.products,
        [
            "pkg:apk/wolfi/git@2.39.0-r1?arch=armv7",
            "pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64"
        ]
    );
    assert!(statement.source.ends_with("spec-example-fixed.json"));
    let installed = "pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64&distro=wolfi-20230201";
    assert!(
        statement
            .products
            .iter()
            .any(|product| product_matches(product, installed))
    );
    assert!(
        !statement
            .products
            .iter()
            .any(|product| product_matches(product, "pkg:apk/wolfi/git@2.39.0-r0?arch=x86_64"))
    );
}

#[test]
fn openvex_spec_under_investigation_example() {
    let statements = load_data("openvex/spec-example-under-investigation.json");
    assert_eq!(statements.len(), 1);
    assert_eq!(statements[0].status, VexStatus::UnderInvestigation);
    assert_eq!(statements[0].status.to_string(), "under_investigation");
}

#[test]
fn openvex_spec_history_example_later_statement_wins() {
    // Statement 1 (2023-01-08, under_investigation) is overridden by statement 2, which
    // inherits the document timestamp 2023-01-09 (fixed), for the same product.
    let statements = load_data("openvex/spec-example-history.json");
    assert_eq!(statements.len(), 1, "{statements:?}");
    assert_eq!(statements[0].status, VexStatus::Fixed);
    assert_eq!(
        statements[0].products,
        ["pkg:apk/wolfi/git@2.39.0-r1?arch=armv7"]
    );
}

#[test]
fn openvex_spec_spring_example() {
    let statements = load_data("openvex/spec-example-spring.json");
    let statement = &statements[0];
    assert_eq!(statement.vulnerability, "CVE-2021-44228");
    assert_eq!(statement.aliases, ["GHSA-jfh8-c2jp-5v3q"]);
    assert!(statement.mentions("CVE-2021-44228"));
    assert!(statement.mentions("ghsa-jfh8-c2jp-5v3q"));
    assert!(!statement.mentions("CVE-2021-45046"));
    // `@id` and `identifiers.purl` are the same purl: listed once.
    assert_eq!(
        statement.products,
        ["pkg:maven/org.springframework.boot/spring-boot@2.6.0-M3"]
    );
    assert_eq!(statement.status, VexStatus::NotAffected);
    assert_eq!(
        statement.justification.as_deref(),
        Some("vulnerable_code_not_in_execute_path")
    );
    assert!(
        statement
            .detail
            .as_deref()
            .is_some_and(|detail| detail.starts_with("Spring Boot users"))
    );
}

#[test]
fn openvex_partial_override_and_subcomponents() {
    let statements = load_data("openvex/own-overrides.json");
    let summary: Vec<(&str, VexStatus, Vec<&str>)> = statements
        .iter()
        .map(|s| {
            (
                s.vulnerability.as_str(),
                s.status,
                s.products.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    // Timestamp order, not string order: 2024-05-02T11:00:00+02:00 (the document's, taken
    // by the third statement) is 09:00Z, before the first statement's 09:30Z.
    assert_eq!(
        summary,
        [
            (
                "CVE-2024-1111",
                VexStatus::NotAffected,
                vec![
                    "pkg:oci/payments-api?repository_url=registry.example.com/payments-api",
                    "pkg:npm/right-pad@2.0.0"
                ]
            ),
            (
                "CVE-2020-0001",
                VexStatus::Fixed,
                vec!["pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1"]
            ),
            (
                "CVE-2024-1111",
                VexStatus::Affected,
                vec!["pkg:npm/left-pad@1.3.0"]
            ),
        ]
    );
    assert_eq!(
        statements[2].detail.as_deref(),
        Some("Upgrade left-pad to 1.3.1.")
    );
    assert!(statements[2].mentions("GHSA-aaaa-bbbb-cccc"));
    assert!(
        statements[1]
            .detail
            .as_deref()
            .is_some_and(|notes| notes.starts_with("No statement timestamp"))
    );
    assert!(product_matches(
        &statements[1].products[0],
        "pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1?arch=amd64"
    ));
}

#[test]
fn openvex_v0_0_string_forms() {
    let statements = load_data("openvex/own-v0.0.2-strings.json");
    assert_eq!(statements.len(), 1);
    assert_eq!(statements[0].vulnerability, "CVE-2022-3602");
    assert_eq!(
        statements[0].products,
        ["pkg:oci/payments-api", "pkg:deb/debian/openssl@3.0.7-1"]
    );
    assert_eq!(statements[0].status, VexStatus::NotAffected);
    assert!(product_matches(
        &statements[0].products[1],
        "pkg:deb/debian/openssl@3.0.7-1?arch=arm64"
    ));
}

#[test]
fn cyclonedx_bom_examples_vex() {
    let statements = load_data("cyclonedx/vex.json");
    assert_eq!(statements.len(), 1);
    let statement = &statements[0];
    assert_eq!(statement.vulnerability, "CVE-2020-25649");
    assert_eq!(
        statement.aliases,
        ["SNYK-JAVA-COMFASTERXMLJACKSONCORE-1048302"]
    );
    assert_eq!(statement.status, VexStatus::NotAffected);
    // code_not_reachable in OpenVEX words.
    assert_eq!(
        statement.justification.as_deref(),
        Some("vulnerable_code_not_in_execute_path")
    );
    // BOM-Link: the ref after `#`, here a purl itself.
    assert_eq!(
        statement.products,
        ["pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar"]
    );
    assert!(product_matches(
        &statement.products[0],
        "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar"
    ));
    assert!(
        statement
            .detail
            .as_deref()
            .is_some_and(|detail| detail.starts_with("Automated dataflow analysis"))
    );
}

#[test]
fn cyclonedx_cisa_case_1_states() {
    for (file, status, product) in [
        (
            "cisa-case-1-not_affected.json",
            VexStatus::NotAffected,
            "product-ABC",
        ),
        (
            "cisa-case-1-affected.json",
            VexStatus::Affected,
            "product-DEF",
        ),
        ("cisa-case-1-fixed.json", VexStatus::Fixed, "product-DEF"),
        (
            "cisa-case-1-under_investigation.json",
            VexStatus::UnderInvestigation,
            "product-GHI",
        ),
    ] {
        let statements = load_data(&format!("cyclonedx/{file}"));
        assert_eq!(statements.len(), 1, "{file}");
        assert_eq!(statements[0].vulnerability, "CVE-2021-44228", "{file}");
        assert_eq!(statements[0].status, status, "{file}");
        // The product component has no purl: its bom-ref stays the product id.
        assert_eq!(statements[0].products, [product], "{file}");
    }
    let not_affected = load_data("cyclonedx/cisa-case-1-not_affected.json");
    assert_eq!(
        not_affected[0].justification.as_deref(),
        Some("vulnerable_code_not_present")
    );
}

#[test]
fn cyclonedx_bom_links_to_other_boms() {
    let statements = load_data("cyclonedx/use-case-9.json");
    assert_eq!(statements.len(), 19);
    assert!(
        statements
            .iter()
            .all(|s| s.products == ["acme-product-1", "acme-product-2", "acme-product-3"])
    );
    assert_eq!(statements[0].vulnerability, "CVE-2020-11896");
}

#[test]
fn cyclonedx_1_6_resolution_and_overrides() {
    let statements = load_data("cyclonedx/own-1.6-overrides.json");
    let summary: Vec<(VexStatus, Vec<&str>, Option<&str>)> = statements
        .iter()
        .map(|s| {
            (
                s.status,
                s.products.iter().map(String::as_str).collect(),
                s.justification.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            // firstIssued 2024-04-01; openssl is overridden by the reassessment below.
            (
                VexStatus::NotAffected,
                vec!["tool"],
                Some("inline_mitigations_already_exist")
            ),
            // lastUpdated 2024-04-20, written first in the document.
            (
                VexStatus::Affected,
                vec!["pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64"],
                None
            ),
            // metadata.timestamp; the BOM-Link resolves through the top-level component.
            (
                VexStatus::NotAffected,
                vec!["pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"],
                Some("vulnerable_code_cannot_be_controlled_by_adversary")
            ),
        ]
    );
    assert!(statements[0].mentions("GHSA-0000-0000-0000"));
}

fn write(dir: &tempfile::TempDir, name: &str, content: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, content).expect("write test document");
    path
}

#[test]
fn syntax_error_names_file_line_and_column() {
    let path = data("malformed/spec-example-spring-as-published.json");
    let error = load(&path).expect_err("the published example is not JSON");
    let VexError::Json { line, column, .. } = &error else {
        panic!("{error:?}")
    };
    // The missing comma after the `identifiers` object, before `"hashes"`.
    assert_eq!((*line, *column), (23, 11), "{error}");
    let message = error.to_string();
    assert!(
        message.contains("spec-example-spring-as-published.json:23:11"),
        "{message}"
    );
}

#[test]
fn bad_fields_are_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let openvex = |statement: &str| {
        format!(
            r#"{{"@context": "https://openvex.dev/ns/v0.2.0", "timestamp": "2024-01-01T00:00:00Z", "statements": [{statement}]}}"#
        )
    };
    let cases = [
        ("status.json", openvex(r#"{"vulnerability": {"name": "CVE-1"}, "products": [], "status": "maybe"}"#), "statements[0].status"),
        ("missing-status.json", openvex(r#"{"vulnerability": {"name": "CVE-1"}, "products": []}"#), "statements[0]"),
        ("product-type.json", openvex(r#"{"vulnerability": {"name": "CVE-1"}, "products": [42], "status": "fixed"}"#), "statements[0].products[0]"),
        ("no-name.json", openvex(r#"{"vulnerability": {"aliases": []}, "status": "fixed"}"#), "statements[0].vulnerability.name"),
        ("statement-time.json", openvex(r#"{"vulnerability": "CVE-1", "status": "fixed", "timestamp": "yesterday"}"#), "statements[0].timestamp"),
        (
            "state.json",
            r#"{"bomFormat": "CycloneDX", "specVersion": "1.5", "vulnerabilities": [{"id": "CVE-1", "analysis": {"state": "bogus"}}]}"#.to_owned(),
            "vulnerabilities[0].analysis.state",
        ),
        (
            "spec-version.json",
            r#"{"bomFormat": "CycloneDX", "specVersion": "1.2", "components": []}"#.to_owned(),
            "specVersion",
        ),
        (
            "affects.json",
            r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "vulnerabilities": [{"id": "CVE-1", "affects": [{"ref": 7}]}]}"#.to_owned(),
            "vulnerabilities[0].affects[0].ref",
        ),
    ];
    for (name, content, field) in cases {
        let path = write(&dir, name, &content);
        let error = load(&path).expect_err(name);
        let named = match &error {
            VexError::Json { field, .. } | VexError::Invalid { field, .. } => field.clone(),
            other => panic!("{name}: {other:?}"),
        };
        assert_eq!(named, field, "{name}: {error}");
        let message = error.to_string();
        assert!(
            message.contains(name) && message.contains(field),
            "{message}"
        );
    }
}

#[test]
fn documents_in_memory() {
    let bytes = std::fs::read(data("cyclonedx/vex.json")).expect("test data");
    let statements =
        cdeguard_vex::load_bytes(Path::new("layer/sha256:ab12/vex.json"), &bytes).expect("valid");
    assert_eq!(statements.len(), 1);
    assert_eq!(statements[0].source, "layer/sha256:ab12/vex.json");
    let error =
        cdeguard_vex::load_bytes(Path::new("attestation"), b"{\"bomFormat\": 3}").expect_err("bad");
    assert!(error.to_string().starts_with("attestation:1:"), "{error}");
}

#[test]
fn unknown_format_and_missing_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sbom = write(
        &dir,
        "spdx.json",
        r#"{"spdxVersion": "SPDX-2.3", "packages": []}"#,
    );
    assert!(matches!(load(&sbom), Err(VexError::UnknownFormat { .. })));
    let not_object = write(&dir, "list.json", "[1, 2]");
    assert!(matches!(load(&not_object), Err(VexError::Json { .. })));
    let missing = dir.path().join("absent.json");
    let error = load(&missing).expect_err("missing file");
    assert!(matches!(error, VexError::Io { .. }) && error.to_string().contains("absent.json"));
}
