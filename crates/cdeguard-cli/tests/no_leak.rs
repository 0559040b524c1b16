//! No secret value or full card number from the test corpora ever appears in any output
//! format, log line or error message (PCI DSS 3.4.1; secrets shown redacted).

use std::path::Path;
use std::process::Command;

/// Raw values present in the scanned test data.
const SECRET_VALUES: &[&str] = &[
    "c2VjcmV0IG1lc3NhZ2Ugc28geW91J2xsIG5ldmVyIGd1ZXNzIG15IHBhc3N3b3Jk",
    "8b1118b376c313ed420e5133ba91307817ed52c2",
    "whywouldyouusehttpforpasswords",
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AKIALALEMEL33243OLIA",
    "8ae31cacf141669ddfb5da",
    "123456789a1234",
    "somethingSuperRandomAndSecretHereThatShouldNeverBeShared",
    "ghp_R8x2Lq7Vn4Tz0Wm6Yb3Kc9Hd5Jf1Gs8Pa2Qe",
    "sk_live_51NoLeakTestValue0123456789abc",
    // Layers and configuration of cdeguard-scan's tests/data/layered-secrets.tar: a key
    // deleted by a later layer, a card file overwritten, an .env under an opaque folder,
    // ENV, label, Cmd and build-arg secrets.
    "MIIEowIBAAKCAQEAzq8L3vN5",
    "ghp_L4y3rT0k3nAbCdEfGhIjKlMnOpQrStUvWx12",
    "sk_live_51LayerTestValue0123456789abcd",
    "Qz7-layer-vault-2099",
    "ghp_C0nf1gL4b3lAbCdEfGhIjKlMnOpQrStUv345",
    "sk_live_51ConfigCmdValue0123456789abcd",
    "npm_B0u1ldArgAbCdEfGhIjKlMnOpQrStUvWx567",
];

/// A file with a real-looking PAN (Luhn-valid, Visa IIN, not a test number), track data
/// and secrets, so every detector path is exercised.
const PLANTED: &str = "card_number = \"4539 1488 0343 6467\"\ncvv = 123\ntrack = %B4539148803436467^DOE/JOHN^2712101123400001230?\nGITHUB_TOKEN=ghp_R8x2Lq7Vn4Tz0Wm6Yb3Kc9Hd5Jf1Gs8Pa2Qe\nstripe: sk_live_51NoLeakTestValue0123456789abc\n";

fn pans() -> Vec<String> {
    let csv =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../cdeguard-secrets/tests/data/test-pans.csv");
    let mut pans: Vec<String> = std::fs::read_to_string(csv)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().to_owned())
        .collect();
    pans.extend([
        "4539148803436467".to_owned(),
        "4539 1488 0343 6467".to_owned(),
    ]);
    pans
}

#[test]
fn no_secret_or_pan_in_any_output_format() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("planted.env"), PLANTED).unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cdeguard-secrets/tests/data");
    let image = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../cdeguard-scan/tests/data/layered-secrets.tar");
    let formats = cdeguard_report::Format::ALL;
    let mut checked = 0;
    for format in formats {
        let out = Command::new(env!("CARGO_BIN_EXE_cdeguard"))
            .args(["scan", "--format", format.name()])
            .arg(&data)
            .arg(dir.path())
            .arg(&image)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        // SBOM formats list packages, not findings; every other format reports the PAN.
        let sbom = matches!(
            format,
            cdeguard_report::Format::CycloneDx | cdeguard_report::Format::Spdx
        );
        assert!(
            sbom || text.contains("453914"),
            "{}: the planted PAN was not reported at all",
            format.name()
        );
        // The card file that layer 2 overwrote: reported from the layer that still ships it.
        assert!(
            sbom || text.contains("overwritten in layer 2/3"),
            "{}: the layer findings were not reported",
            format.name()
        );
        assert!(
            sbom || (text.contains("deleted in layer 2/3") && text.contains("config.Cmd")),
            "{}: the layer and configuration secrets were not reported",
            format.name()
        );
        // JSON and SARIF also carry the layer as structured fields.
        let layers: Vec<serde_json::Value> = match format {
            cdeguard_report::Format::Json => {
                serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(|f| f["resource"].get("layer").cloned())
                    .collect()
            }
            cdeguard_report::Format::Sarif => serde_json::from_slice::<serde_json::Value>(
                &out.stdout,
            )
            .unwrap()["runs"][0]["results"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|r| r["properties"].get("layer").cloned())
                .collect(),
            _ => Vec::new(),
        };
        if matches!(
            format,
            cdeguard_report::Format::Json | cdeguard_report::Format::Sarif
        ) {
            let deleted_key = layers
                .iter()
                .find(|l| l["status"] == "deleted" && l["changed_in"] == 1)
                .unwrap_or_else(|| {
                    panic!("{}: no structured deleted layer: {layers:?}", format.name())
                });
            assert_eq!(
                (&deleted_key["index"], &deleted_key["count"]),
                (&0.into(), &3.into())
            );
            assert!(
                deleted_key["digest"]
                    .as_str()
                    .unwrap()
                    .starts_with("sha256:")
            );
        }
        for value in SECRET_VALUES.iter().map(|s| (*s).to_owned()).chain(pans()) {
            assert!(
                !text.contains(&value),
                "{}: output contains the raw value {}…",
                format.name(),
                &value[..6]
            );
        }
        checked += 1;
    }
    assert_eq!(checked, formats.len());
}
