//! cdeguard's tamper-evident audit trail (PCI DSS v4.0.1 requirement 10).
//!
//! Records ([`record`]) are appended in batches ([`writer`]) to append-only segment
//! files ([`segment`]), each chained by SHA-256 and entered into an RFC 9162 Merkle tree
//! ([`merkle`]) whose roots are signed in checkpoints ([`checkpoint`], [`keys`]).
//! [`verify`] checks everything offline and names the first bad record; [`proof`] makes
//! and checks inclusion and consistency proofs; [`retention`] archives and deletes old
//! segments; [`forward`] ships records to a SIEM with an on-disk cursor; [`health`]
//! raises alerts for failed controls (10.7).

pub mod access;
pub mod batch;
pub mod checkpoint;
pub mod cursor;
pub mod error;
pub mod export;
#[cfg(feature = "tls")]
pub mod forward;
pub mod hash;
pub mod head;
pub mod health;
pub mod index;
pub mod ingest;
pub mod keys;
pub mod layout;
pub mod merkle;
pub mod pipeline;
pub mod proof;
pub mod query;
pub mod reader;
pub mod record;
pub mod retention;
pub mod segment;
mod store;
pub mod verify;
pub mod writer;

pub use error::{AuditError, Result};
pub use record::{Origin, Outcome, Record, RecordInput};
pub use writer::{Committed, LogWriter, WriterOptions};
