//! The data model shared by every stage of the cdeguard pipeline.
//!
//! `collect` produces an [`Inventory`]; analyzers read it and produce [`Finding`]s;
//! outputs render a [`ScanReport`]. This crate performs no I/O and judges nothing.

pub mod docker;
pub mod escape;
pub mod finding;
pub mod image;
pub mod inventory;
pub mod node;
pub mod package;
pub mod pci;
pub mod report;
pub mod vulnerability;

pub use finding::{
    Cis, CisBenchmark, Finding, LayerLocation, LayerStatus, Resource, Severity, Suppression,
    SuppressionSource,
};
pub use image::{ImageInfo, ImageKind};
pub use inventory::{
    InputError, InputFormat, Inventory, K8sObject, Location, PodTemplate, Source, SourceId,
};
pub use node::{Node, Value};
pub use package::{Ecosystem, Package};
pub use report::ScanReport;
pub use vulnerability::Vulnerability;

/// Lower-case hexadecimal of `bytes` (digests, cache keys, fingerprints).
#[must_use]
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}
