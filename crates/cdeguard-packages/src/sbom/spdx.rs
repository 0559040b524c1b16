//! SPDX 2.3 JSON (<https://spdx.github.io/spdx-spec/v2.3/>): one package per image
//! (described by the document) that `CONTAINS` one package per found package, each with
//! its purl as a `PACKAGE-MANAGER` external reference.

use serde::{Deserialize, Serialize};

use super::Subject;

#[derive(Serialize, Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    pub spdx_version: String,
    #[serde(default)]
    pub data_license: String,
    #[serde(rename = "SPDXID", default)]
    pub spdx_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub document_namespace: String,
    #[serde(default)]
    pub creation_info: CreationInfo,
    #[serde(default)]
    pub packages: Vec<SpdxPackage>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relationships: Vec<Relationship>,
}

#[derive(Serialize, Deserialize, Debug, Default)]
pub struct CreationInfo {
    #[serde(default)]
    pub created: String,
    #[serde(default)]
    pub creators: Vec<String>,
}

#[derive(Serialize, Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct SpdxPackage {
    #[serde(rename = "SPDXID")]
    pub spdx_id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_info: Option<String>,
    #[serde(default)]
    pub download_location: String,
    #[serde(default)]
    pub files_analyzed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_concluded: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_declared: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copyright_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_info: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_package_purpose: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_refs: Vec<ExternalRef>,
}

#[derive(Serialize, Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct ExternalRef {
    pub reference_category: String,
    pub reference_type: String,
    pub reference_locator: String,
}

#[derive(Serialize, Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct Relationship {
    pub spdx_element_id: String,
    pub relationship_type: String,
    pub related_spdx_element: String,
}

const NOASSERTION: &str = "NOASSERTION";

/// A declared licence as an SPDX expression when every part looks like an SPDX id;
/// anything else (free text) is NOASSERTION rather than an invalid expression.
fn license_expression(licenses: &[String]) -> String {
    let looks_like_id = |l: &str| {
        !l.is_empty()
            && l.split_whitespace().all(|w| {
                matches!(w, "AND" | "OR" | "WITH")
                    || w.chars().all(|c| {
                        c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '+' | '(' | ')')
                    })
            })
    };
    if !licenses.is_empty() && licenses.iter().all(|l| looks_like_id(l)) {
        let parts: Vec<String> = licenses
            .iter()
            .map(|l| {
                if l.contains(' ') {
                    format!("({l})")
                } else {
                    l.clone()
                }
            })
            .collect();
        parts.join(" AND ")
    } else {
        NOASSERTION.to_owned()
    }
}

fn relationship(from: &str, kind: &str, to: &str) -> Relationship {
    Relationship {
        spdx_element_id: from.to_owned(),
        relationship_type: kind.to_owned(),
        related_spdx_element: to.to_owned(),
    }
}

/// Builds the document.
#[must_use]
pub fn document(subject: &Subject<'_>) -> Document {
    let mut packages = Vec::new();
    let mut relationships = Vec::new();
    for (i, image) in subject.images.iter().enumerate() {
        let image_id = format!("SPDXRef-Image-{i}");
        packages.push(SpdxPackage {
            spdx_id: image_id.clone(),
            name: image.display_name().to_owned(),
            version_info: image.id.clone(),
            download_location: NOASSERTION.into(),
            primary_package_purpose: Some(
                if image.has_config() {
                    "CONTAINER"
                } else {
                    "FILE"
                }
                .into(),
            ),
            license_concluded: Some(NOASSERTION.into()),
            license_declared: Some(NOASSERTION.into()),
            copyright_text: Some(NOASSERTION.into()),
            ..SpdxPackage::default()
        });
        relationships.push(relationship("SPDXRef-DOCUMENT", "DESCRIBES", &image_id));
        for (j, p) in image.packages.iter().enumerate() {
            let id = format!("SPDXRef-Package-{i}-{j}");
            let mut source_info = format!("found in {}", p.found_in);
            if let Some(layer) = &p.layer {
                source_info.push_str(&format!(" (layer {layer})"));
            }
            if let (Some(n), Some(v)) = (&p.source_name, &p.source_version) {
                source_info.push_str(&format!("; source package {n} {v}"));
            }
            packages.push(SpdxPackage {
                spdx_id: id.clone(),
                name: p.name.clone(),
                version_info: Some(p.version.clone()),
                download_location: NOASSERTION.into(),
                files_analyzed: false,
                license_concluded: Some(NOASSERTION.into()),
                license_declared: Some(license_expression(&p.licenses)),
                copyright_text: Some(NOASSERTION.into()),
                source_info: Some(source_info),
                primary_package_purpose: Some("LIBRARY".into()),
                external_refs: vec![ExternalRef {
                    reference_category: "PACKAGE-MANAGER".into(),
                    reference_type: "purl".into(),
                    reference_locator: p.purl.clone(),
                }],
            });
            relationships.push(relationship(&image_id, "CONTAINS", &id));
        }
    }
    let name = subject.name();
    Document {
        spdx_version: "SPDX-2.3".into(),
        data_license: "CC0-1.0".into(),
        spdx_id: "SPDXRef-DOCUMENT".into(),
        document_namespace: format!(
            "https://cdeguard.invalid/spdx/{}-{}",
            crate::purl::encode(&name),
            subject.uuid()
        ),
        name,
        creation_info: CreationInfo {
            created: super::whole_seconds(subject.timestamp),
            creators: vec![format!("Tool: cdeguard-{}", subject.tool_version)],
        },
        packages,
        relationships,
    }
}

/// Writes the document as pretty JSON.
///
/// # Errors
/// I/O errors of `out`.
pub fn write(subject: &Subject<'_>, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &document(subject))?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn licence_expressions() {
        assert_eq!(
            license_expression(&["MIT".into(), "Apache-2.0 OR MIT".into()]),
            "MIT AND (Apache-2.0 OR MIT)"
        );
        assert_eq!(
            license_expression(&["BSD License, see file".into()]),
            NOASSERTION
        );
        assert_eq!(license_expression(&[]), NOASSERTION);
    }
}
