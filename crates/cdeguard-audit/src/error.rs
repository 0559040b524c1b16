//! Typed errors of the audit library; each names the file (and line or offset) at fault.

use std::io;
use std::path::{Path, PathBuf};

/// An audit-trail error.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// A submitted record is invalid.
    #[error("input line {line}: {message}")]
    BadInput {
        /// 1-based input line (0 when not from a stream).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// An I/O error on a named file.
    #[error("`{}`: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The disk (or the process's file-size limit) is full: the batch was rolled back.
    #[error(
        "`{}`: disk full or file size limit reached ({source}); the batch was rolled back, \
         no record of it was acknowledged, and the log accepts no more records until space is freed",
        path.display()
    )]
    DiskFull {
        /// The file being written.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// Stored data is damaged in a way recovery must not repair (possible tampering).
    #[error("`{}` at byte {offset}: {message}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// Byte offset of the damage.
        offset: u64,
        /// What is wrong.
        message: String,
    },
    /// A malformed line in a text file (checkpoints, head, cursor, proof, key).
    #[error("`{}` line {line}: {message}", path.display())]
    BadFile {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// Key handling failed.
    #[error("key: {0}")]
    Key(String),
    /// The request cannot be served (wrong arguments, missing checkpoint, ...).
    #[error("{0}")]
    Invalid(String),
    /// Forwarding to a SIEM failed; the cursor was not advanced.
    #[error("forwarding to {target}: {message}")]
    Forward {
        /// The destination.
        target: String,
        /// What went wrong.
        message: String,
    },
}

impl AuditError {
    /// Wraps an I/O error for `path`, telling a full disk apart.
    pub fn io(path: &Path, source: io::Error) -> Self {
        let full = matches!(
            source.kind(),
            io::ErrorKind::StorageFull | io::ErrorKind::FileTooLarge | io::ErrorKind::QuotaExceeded
        );
        if full {
            AuditError::DiskFull {
                path: path.to_owned(),
                source,
            }
        } else {
            AuditError::Io {
                path: path.to_owned(),
                source,
            }
        }
    }

    /// A closure for `map_err` that wraps I/O errors for `path`.
    pub fn at(path: &Path) -> impl FnOnce(io::Error) -> Self + '_ {
        move |e| AuditError::io(path, e)
    }
}

/// Result with [`AuditError`].
pub type Result<T, E = AuditError> = std::result::Result<T, E>;
