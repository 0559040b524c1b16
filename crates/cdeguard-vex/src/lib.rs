//! VEX (Vulnerability Exploitability eXchange) documents: a supplier's statements that a
//! product is, or is not, affected by a vulnerability.
//!
//! Vulnerability matching (PCI DSS v4.0.1 req. 6.3.1, 6.3.3, 11.3.1) reports every known
//! vulnerability of every installed package; a VEX `not_affected` statement with its
//! justification is the evidence an assessor accepts for not patching one. Two formats:
//!
//! - **OpenVEX** v0.2.0 JSON (`openvex.rs`; also the string forms of v0.0.x);
//! - **CycloneDX VEX** 1.4–1.6 JSON: `vulnerabilities[].analysis` (`cyclonedx.rs`).
//!
//! [`load`] tells them apart by content and returns one [`VexStatement`] per statement
//! (per CycloneDX vulnerability with an analysis state). Within one document, a later
//! statement about the same vulnerability and product overrides an earlier one: OpenVEX
//! orders statements by their timestamp (the document's when a statement has none,
//! document order on ties), CycloneDX by `analysis.lastUpdated` / `firstIssued` (else the
//! BOM's `metadata.timestamp`). The overridden products are removed from the earlier
//! statement (and a statement left without products is dropped), so the returned
//! statements never contradict each other and come in timestamp order.
//!
//! ```no_run
//! let statements = cdeguard_vex::load(std::path::Path::new("vex.openvex.json"))?;
//! let suppressed = statements.iter().any(|statement| {
//!     statement.status == cdeguard_vex::VexStatus::NotAffected
//!         && statement.mentions("CVE-2021-44228")
//!         && statement.products.iter().any(|product| {
//!             cdeguard_vex::product_matches(product, "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1")
//!         })
//! });
//! # Ok::<(), cdeguard_vex::VexError>(())
//! ```

mod cyclonedx;
mod openvex;
mod purl;

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

pub use purl::product_matches;

/// The status a statement gives (OpenVEX vocabulary; CycloneDX analysis states map onto it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VexStatus {
    NotAffected,
    Fixed,
    Affected,
    UnderInvestigation,
}

impl fmt::Display for VexStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotAffected => "not_affected",
            Self::Fixed => "fixed",
            Self::Affected => "affected",
            Self::UnderInvestigation => "under_investigation",
        })
    }
}

/// One statement: `status` of `vulnerability` in `products`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VexStatement {
    /// The vulnerability id as written (CVE-…, GHSA-…, …).
    pub vulnerability: String,
    /// Other ids of the vulnerability: OpenVEX `vulnerability.aliases`, CycloneDX
    /// `references[].id`.
    pub aliases: Vec<String>,
    /// purls (or other product ids) the statement applies to. OpenVEX: each product's
    /// `@id` and `identifiers.purl`, and its subcomponents' (the statement is about the
    /// vulnerability in those subcomponents). CycloneDX: `affects[].ref` resolved through
    /// the components' `bom-ref` to their purl (a BOM-Link `urn:cdx:…#ref` by its ref part);
    /// an unresolved ref stays as written.
    pub products: Vec<String>,
    pub status: VexStatus,
    /// OpenVEX justification; CycloneDX `analysis.justification` mapped to the OpenVEX
    /// vocabulary (see `cyclonedx.rs`), or as written when it has no OpenVEX counterpart.
    pub justification: Option<String>,
    /// OpenVEX `impact_statement`, `action_statement` or `status_notes` (first present);
    /// CycloneDX `analysis.detail`.
    pub detail: Option<String>,
    /// The file the statement was read from.
    pub source: String,
}

impl VexStatement {
    /// Whether the statement is about `id_or_alias` (its id or one of its aliases; ids
    /// compare ASCII case-insensitively, as CVE and GHSA ids are written in either case).
    #[must_use]
    pub fn mentions(&self, id_or_alias: &str) -> bool {
        std::iter::once(&self.vulnerability)
            .chain(&self.aliases)
            .any(|id| id.eq_ignore_ascii_case(id_or_alias))
    }
}

/// Why a document could not be read. Every variant names the file; JSON errors also
/// name the field (as a path like `statements[2].status`) and the line and column.
#[derive(Debug, thiserror::Error)]
pub enum VexError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {field}: {message}")]
    Json {
        path: PathBuf,
        field: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: {field}: {message}")]
    Invalid {
        path: PathBuf,
        field: String,
        message: String,
    },
    #[error(
        "{path}: neither an OpenVEX document (`@context` openvex.dev) nor a CycloneDX BOM (`bomFormat`)"
    )]
    UnknownFormat { path: PathBuf },
}

/// Reads an OpenVEX or CycloneDX VEX JSON document.
///
/// # Errors
/// The file cannot be read, is not JSON, is neither format, or has a field of the wrong
/// type or with an unknown value (status, state, timestamp, specVersion).
pub fn load(path: &Path) -> Result<Vec<VexStatement>, VexError> {
    let bytes = std::fs::read(path).map_err(|source| VexError::Io {
        path: path.to_owned(),
        source,
    })?;
    load_bytes(path, &bytes)
}

/// Reads a VEX document already in memory (for example from an image layer or an
/// attestation); `path` names it in statements and errors.
///
/// # Errors
/// As [`load`], without the I/O error.
pub fn load_bytes(path: &Path, bytes: &[u8]) -> Result<Vec<VexStatement>, VexError> {
    let probe: Probe = parse(path, bytes)?;
    let dated = if probe.bom_format.as_deref() == Some("CycloneDX") {
        cyclonedx::statements(path, bytes)?
    } else if probe
        .context
        .as_ref()
        .is_some_and(|context| context.to_string().contains("openvex"))
    {
        openvex::statements(path, bytes)?
    } else {
        return Err(VexError::UnknownFormat {
            path: path.to_owned(),
        });
    };
    Ok(resolve_overrides(dated))
}

/// The top-level fields that tell the formats apart.
#[derive(serde::Deserialize)]
struct Probe {
    #[serde(rename = "@context")]
    context: Option<serde_json::Value>,
    #[serde(rename = "bomFormat")]
    bom_format: Option<String>,
}

/// Deserializes `bytes`, reporting the failing field path, line and column.
fn parse<T: serde::de::DeserializeOwned>(path: &Path, bytes: &[u8]) -> Result<T, VexError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let field = error.path().to_string();
        let inner = error.into_inner();
        let (line, column) = (inner.line(), inner.column());
        let message = inner.to_string();
        let message = message
            .strip_suffix(&format!(" at line {line} column {column}"))
            .unwrap_or(&message)
            .to_owned();
        VexError::Json {
            path: path.to_owned(),
            field,
            line,
            column,
            message,
        }
    })
}

/// A statement with the time it was made, for override ordering.
struct Dated {
    timestamp: Option<jiff::Timestamp>,
    statement: VexStatement,
}

/// Parses an RFC 3339 timestamp field.
fn timestamp(
    path: &Path,
    field: &str,
    value: Option<&str>,
) -> Result<Option<jiff::Timestamp>, VexError> {
    value
        .map(|text| {
            text.parse::<jiff::Timestamp>()
                .map_err(|error| VexError::Invalid {
                    path: path.to_owned(),
                    field: field.to_owned(),
                    message: format!("`{text}` is not an RFC 3339 timestamp: {error}"),
                })
        })
        .transpose()
}

/// Orders statements by time (stable: document order on ties, undated first) and removes
/// from each statement the products a later statement about the same vulnerability covers.
fn resolve_overrides(mut dated: Vec<Dated>) -> Vec<VexStatement> {
    dated.sort_by_key(|entry| entry.timestamp);
    let mut covered: HashSet<(String, String)> = HashSet::new();
    let mut kept = Vec::with_capacity(dated.len());
    for Dated { mut statement, .. } in dated.into_iter().rev() {
        let id = statement.vulnerability.to_ascii_uppercase();
        let had_products = !statement.products.is_empty();
        statement
            .products
            .retain(|product| covered.insert((id.clone(), product.clone())));
        if !had_products || !statement.products.is_empty() {
            kept.push(statement);
        }
    }
    kept.reverse();
    kept
}
