//! OpenVEX v0.2.0 JSON (<https://github.com/openvex/spec>, `OPENVEX-SPEC.md`), and the
//! plain-string `vulnerability`, `products` and statement-level `subcomponents` of v0.0.x
//! documents.
//!
//! ```json
//! {"@context": "https://openvex.dev/ns/v0.2.0", "timestamp": "2023-01-08T18:02:03-06:00",
//!  "statements": [{"vulnerability": {"name": "CVE-2023-12345"},
//!                  "products": [{"@id": "pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64"}],
//!                  "status": "not_affected", "justification": "component_not_present"}]}
//! ```

use std::path::Path;

use serde::Deserialize;

use crate::{Dated, VexError, VexStatement, VexStatus, parse, timestamp};

#[derive(Deserialize)]
struct Document {
    timestamp: Option<String>,
    #[serde(default)]
    statements: Vec<Statement>,
}

#[derive(Deserialize)]
struct Statement {
    vulnerability: Vulnerability,
    #[serde(default)]
    products: Vec<Product>,
    /// v0.0.x: subcomponents of all the statement's products.
    #[serde(default)]
    subcomponents: Vec<Product>,
    status: String,
    justification: Option<String>,
    impact_statement: Option<String>,
    action_statement: Option<String>,
    status_notes: Option<String>,
    timestamp: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Vulnerability {
    /// v0.0.x: the id alone.
    Id(String),
    Object {
        #[serde(rename = "@id")]
        iri: Option<String>,
        name: Option<String>,
        #[serde(default)]
        aliases: Vec<String>,
    },
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Product {
    /// v0.0.x: the product id alone.
    Id(String),
    Object(Component),
}

#[derive(Deserialize)]
struct Component {
    #[serde(rename = "@id")]
    id: Option<String>,
    identifiers: Option<Identifiers>,
    #[serde(default)]
    subcomponents: Vec<Product>,
}

#[derive(Deserialize)]
struct Identifiers {
    purl: Option<String>,
}

impl Product {
    /// The product's ids and its subcomponents', each once.
    fn collect_ids(&self, ids: &mut Vec<String>) {
        let mut push = |id: &str| {
            if !ids.iter().any(|known| known == id) {
                ids.push(id.to_owned());
            }
        };
        match self {
            Self::Id(id) => push(id),
            Self::Object(component) => {
                component.id.as_deref().into_iter().for_each(&mut push);
                component
                    .identifiers
                    .as_ref()
                    .and_then(|identifiers| identifiers.purl.as_deref())
                    .into_iter()
                    .for_each(&mut push);
                for subcomponent in &component.subcomponents {
                    subcomponent.collect_ids(ids);
                }
            }
        }
    }
}

fn status(path: &Path, field: &str, value: &str) -> Result<VexStatus, VexError> {
    match value {
        "not_affected" => Ok(VexStatus::NotAffected),
        "affected" => Ok(VexStatus::Affected),
        "fixed" => Ok(VexStatus::Fixed),
        "under_investigation" => Ok(VexStatus::UnderInvestigation),
        _ => Err(VexError::Invalid {
            path: path.to_owned(),
            field: field.to_owned(),
            message: format!(
                "unknown status `{value}` (expected not_affected, affected, fixed or under_investigation)"
            ),
        }),
    }
}

pub(crate) fn statements(path: &Path, bytes: &[u8]) -> Result<Vec<Dated>, VexError> {
    let document: Document = parse(path, bytes)?;
    let document_time = timestamp(path, "timestamp", document.timestamp.as_deref())?;
    let source = path.display().to_string();
    let mut dated = Vec::with_capacity(document.statements.len());
    for (index, statement) in document.statements.into_iter().enumerate() {
        let field = |name: &str| format!("statements[{index}].{name}");
        let (vulnerability, aliases) = match statement.vulnerability {
            Vulnerability::Id(id) => (id, Vec::new()),
            Vulnerability::Object { iri, name, aliases } => {
                let Some(id) = name.or(iri) else {
                    return Err(VexError::Invalid {
                        path: path.to_owned(),
                        field: field("vulnerability.name"),
                        message: "missing (the vulnerability has neither `name` nor `@id`)".into(),
                    });
                };
                (id, aliases)
            }
        };
        let mut products = Vec::new();
        for product in statement.products.iter().chain(&statement.subcomponents) {
            product.collect_ids(&mut products);
        }
        let statement_time = timestamp(path, &field("timestamp"), statement.timestamp.as_deref())?;
        dated.push(Dated {
            timestamp: statement_time.or(document_time),
            statement: VexStatement {
                vulnerability,
                aliases,
                products,
                status: status(path, &field("status"), &statement.status)?,
                justification: statement.justification,
                detail: statement
                    .impact_statement
                    .or(statement.action_statement)
                    .or(statement.status_notes),
                source: source.clone(),
            },
        });
    }
    Ok(dated)
}
