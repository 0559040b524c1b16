//! CycloneDX 1.6 JSON (<https://cyclonedx.org/docs/1.6/json/>): the scanned image as
//! `metadata.component` (type `container`), every package as a `library` (or
//! `operating-system` for the distro), provenance as `cdeguard:*` properties.

use serde::{Deserialize, Serialize};

use super::Subject;

#[derive(Serialize, Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct Bom {
    pub bom_format: String,
    pub spec_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
    #[serde(default)]
    pub version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    #[serde(default)]
    pub components: Vec<Component>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<Dependency>,
}

#[derive(Serialize, Deserialize, Debug, Default)]
pub struct Metadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Tools>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<Component>,
}

#[derive(Serialize, Deserialize, Debug, Default)]
pub struct Tools {
    #[serde(default)]
    pub components: Vec<Component>,
}

#[derive(Serialize, Deserialize, Debug, Default)]
pub struct Component {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(rename = "bom-ref", default, skip_serializing_if = "Option::is_none")]
    pub bom_ref: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<LicenseChoice>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<Property>,
    /// Nested components (read only; cdeguard writes a flat list).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<Component>,
}

#[derive(Serialize, Deserialize, Debug, Default)]
pub struct LicenseChoice {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<License>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
}

#[derive(Serialize, Deserialize, Debug, Default)]
pub struct License {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

#[derive(Serialize, Deserialize, Debug, Default)]
pub struct Property {
    pub name: String,
    #[serde(default)]
    pub value: String,
}

#[derive(Serialize, Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct Dependency {
    #[serde(rename = "ref")]
    pub reference: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
}

fn property(name: &str, value: &str) -> Property {
    Property {
        name: format!("cdeguard:{name}"),
        value: value.to_owned(),
    }
}

/// Builds the BOM.
#[must_use]
pub fn bom(subject: &Subject<'_>) -> Bom {
    let mut components = Vec::new();
    let mut dependencies = Vec::new();
    let mut image_components = Vec::new();
    for (i, image) in subject.images.iter().enumerate() {
        let image_ref = format!("image-{i}");
        let mut depends_on = Vec::new();
        if let Some(os) = &image.os {
            let os_ref = format!("{image_ref}-os");
            components.push(Component {
                kind: "operating-system".into(),
                bom_ref: Some(os_ref.clone()),
                name: os.id.clone(),
                version: os.version_id.clone(),
                ..Component::default()
            });
            depends_on.push(os_ref);
        }
        for (j, p) in image.packages.iter().enumerate() {
            let bom_ref = format!("{image_ref}-pkg-{j}");
            let mut properties = vec![
                property("ecosystem", p.ecosystem.osv_name()),
                property("found-in", &p.found_in),
            ];
            if let Some(layer) = &p.layer {
                properties.push(property("layer", layer));
            }
            if let Some(release) = &p.distro_release {
                properties.push(property("distro-release", release));
            }
            if let Some(source) = &p.source_name {
                properties.push(property("source-name", source));
            }
            if let Some(version) = &p.source_version {
                properties.push(property("source-version", version));
            }
            components.push(Component {
                kind: "library".into(),
                bom_ref: Some(bom_ref.clone()),
                name: p.name.clone(),
                version: Some(p.version.clone()),
                purl: Some(p.purl.clone()),
                licenses: p
                    .licenses
                    .iter()
                    .map(|l| LicenseChoice {
                        license: Some(License {
                            id: None,
                            name: Some(l.clone()),
                        }),
                        expression: None,
                    })
                    .collect(),
                properties,
                components: Vec::new(),
            });
            depends_on.push(bom_ref);
        }
        dependencies.push(Dependency {
            reference: image_ref.clone(),
            depends_on,
        });
        let mut properties = vec![property("image-kind", &format!("{:?}", image.kind))];
        if let Some(id) = &image.id {
            properties.push(property("image-id", id));
        }
        image_components.push(Component {
            kind: if image.has_config() {
                "container"
            } else {
                "file"
            }
            .into(),
            bom_ref: Some(image_ref),
            name: image.display_name().to_owned(),
            version: image.id.clone(),
            properties,
            ..Component::default()
        });
    }
    let root = if image_components.len() == 1 {
        image_components.pop()
    } else {
        // Several images: the root is the scan; images are components it depends on.
        let depends_on = image_components
            .iter()
            .filter_map(|c| c.bom_ref.clone())
            .collect();
        dependencies.push(Dependency {
            reference: "scan".into(),
            depends_on,
        });
        components.splice(0..0, image_components);
        Some(Component {
            kind: "application".into(),
            bom_ref: Some("scan".into()),
            name: subject.name(),
            ..Component::default()
        })
    };
    Bom {
        bom_format: "CycloneDX".into(),
        spec_version: "1.6".into(),
        serial_number: Some(format!("urn:uuid:{}", subject.uuid())),
        version: 1,
        metadata: Some(Metadata {
            timestamp: Some(super::whole_seconds(subject.timestamp)),
            tools: Some(Tools {
                components: vec![Component {
                    kind: "application".into(),
                    name: "cdeguard".into(),
                    version: Some(subject.tool_version.into()),
                    ..Component::default()
                }],
            }),
            component: root,
        }),
        components,
        dependencies,
    }
}

/// Writes the BOM as pretty JSON.
///
/// # Errors
/// I/O errors of `out`.
pub fn write(subject: &Subject<'_>, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &bom(subject))?;
    out.write_all(b"\n")
}
