//! Turning detections into findings on the right resource: a detection in a manifest is
//! attributed to the Kubernetes object, Compose service or Dockerfile around its line; the
//! `data` of Kubernetes `Secret` objects is base64-decoded and scanned too.

use base64::Engine as _;
use cdeguard_model::docker::ContainerOrigin;
use cdeguard_model::{Finding, Inventory, Resource, Suppression, SuppressionSource};

use crate::files::FileScan;
use crate::{Detection, Scanner};

const SECRET_FIX: &str = "Remove the value from the file and from every image layer and repository history, rotate it (it must be treated as compromised), and load it at run time from a secrets manager or a mounted Kubernetes Secret.";
const PAN_FIX: &str = "Delete the card data; if it must be stored, render it unreadable (tokenization, truncation, strong encryption or keyed hashing, PCI DSS 3.5.1) and never store track data or CVV after authorization (3.3.1).";

/// The resource a line of a file belongs to.
fn attribute(inventory: &Inventory, path: &str, line: u32) -> Resource {
    let mut best: Option<(u32, Resource)> = None;
    let mut consider = |start: u32, resource: Resource| {
        if start <= line.max(1) && best.as_ref().is_none_or(|(s, _)| start >= *s) {
            best = Some((start, resource));
        }
    };
    for o in inventory
        .objects
        .iter()
        .filter(|o| inventory.path(o.loc) == path)
    {
        let r = Resource {
            kind: o.kind.clone(),
            namespace: o.namespace.clone(),
            name: o.name.clone(),
            ..Resource::default()
        };
        consider(o.loc.line, r);
    }
    for c in inventory
        .containers
        .iter()
        .filter(|c| inventory.path(c.loc) == path)
    {
        let kind = if c.origin == ContainerOrigin::Compose {
            "ComposeService"
        } else {
            "Container"
        };
        consider(
            c.loc.line,
            Resource {
                kind: kind.to_owned(),
                name: c.name.clone(),
                ..Resource::default()
            },
        );
    }
    if inventory
        .dockerfiles
        .iter()
        .any(|d| inventory.path(d.loc) == path)
    {
        let name = std::path::Path::new(path)
            .file_name()
            .map_or_else(|| path.to_owned(), |n| n.to_string_lossy().into_owned());
        consider(
            0,
            Resource {
                kind: "Dockerfile".to_owned(),
                name,
                ..Resource::default()
            },
        );
    }
    let mut resource = best.map_or_else(
        || Resource {
            kind: "File".to_owned(),
            name: path.to_owned(),
            ..Resource::default()
        },
        |(_, r)| r,
    );
    resource.file = path.to_owned();
    resource.line = (line > 0).then_some(line);
    resource
}

/// The finding of one detection on `resource`; `context` (where inside it) goes into the
/// message.
#[must_use]
pub fn finding(detection: Detection, resource: Resource, context: Option<&str>) -> Finding {
    let is_card = detection.rule_id.starts_with("CDG-PAN");
    let suppressed = detection.allowed_inline.map(|marker| Suppression {
        justification: format!("inline `{marker}` comment"),
        source: SuppressionSource::Annotation,
        expires: None,
    });
    let mut message = format!("{}: {}", detection.title, detection.masked);
    if let Some(context) = context {
        message.push_str(&format!(" ({context})"));
    }
    for note in &detection.notes {
        message.push_str("; ");
        message.push_str(note);
    }
    Finding {
        rule_id: detection.rule_id,
        title: detection.title,
        severity: detection.severity,
        pci: detection.pci.iter().map(|s| (*s).to_owned()).collect(),
        cis: Vec::new(),
        resource,
        message,
        evidence: format!(
            "{} (fingerprint {})",
            detection.masked, detection.fingerprint
        ),
        remediation: if is_card { PAN_FIX } else { SECRET_FIX }.to_owned(),
        fingerprint: Some(detection.fingerprint),
        vulnerability: None,
        suppressed,
    }
}

/// Findings for a file scan plus the decoded `data` of Kubernetes Secrets.
#[must_use]
pub fn findings(scanner: &Scanner, inventory: &Inventory, files: FileScan) -> Vec<Finding> {
    let mut out = Vec::new();
    for file in files.found {
        let inner = (file.label != file.path).then(|| format!("inside {}", file.label));
        for detection in file.detections {
            let line = if file.has_lines && inner.is_none() {
                detection.line
            } else {
                0
            };
            let resource = attribute(inventory, &file.path, line);
            out.push(finding(detection, resource, inner.as_deref()));
        }
    }
    for object in inventory.objects.iter().filter(|o| o.kind == "Secret") {
        let path = inventory.path(object.loc);
        for (key, value) in object
            .body
            .get("data")
            .map(|d| d.entries())
            .unwrap_or_default()
        {
            let Some(encoded) = value.as_str() else {
                continue;
            };
            let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim())
            else {
                continue;
            };
            for detection in scanner.scan_text(&decoded, false) {
                let mut resource = attribute(inventory, path, value.line);
                resource.line = Some(value.line);
                out.push(finding(
                    detection,
                    resource,
                    Some(&format!("in Secret data key `{key}`, base64-decoded")),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FingerprintKey;
    use crate::files::scan_bytes;
    use cdeguard_collect::{CollectOptions, read_bytes};

    const MANIFEST: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app, namespace: pay}\ndata:\n  DB_URL: postgres://app:Xy7-pq2!zz@db:5432/pay\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: tls, namespace: pay}\ndata:\n  key: LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUV2Z0lCQURBTkJna3Foa2lHOXcwQkFRRUZBQVNDQktnd2dnU2tBZ0VBQW9JQkFRQzdWSlRVdDlVczhjS2oKLS0tLS1FTkQgUFJJVkFURSBLRVktLS0tLQo=\n";

    #[test]
    fn detections_are_attributed_to_objects_and_secret_data_is_decoded() {
        let scanner = Scanner::new(FingerprintKey::new(b"k"));
        let inventory = read_bytes("m.yaml", MANIFEST.as_bytes(), &CollectOptions::default());
        let (found, _) = scan_bytes(
            &scanner,
            "m.yaml",
            MANIFEST.as_bytes(),
            crate::content::Limits::default(),
        );
        let scan = FileScan {
            found,
            ..FileScan::default()
        };
        let findings = findings(&scanner, &inventory, scan);
        let got: Vec<(&str, &str, &str, Option<u32>)> = findings
            .iter()
            .map(|f| {
                (
                    f.rule_id.as_str(),
                    f.resource.kind.as_str(),
                    f.resource.name.as_str(),
                    f.resource.line,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "CDG-SECRET-database-url-password",
                    "ConfigMap",
                    "app",
                    Some(5)
                ),
                ("CDG-SECRET-private-key", "Secret", "tls", Some(11)),
            ]
        );
        assert!(findings[1].message.contains("Secret data key `key`"));
        let json = format!("{findings:?}");
        assert!(
            !json.contains("Xy7-pq2!zz") && !json.contains("MIIEvgIBADAN"),
            "value leaked: {json}"
        );
    }
}
