//! Forwarding cursors: `forward/<name>.cursor` holds the sequence number of the next
//! record to send, replaced atomically and fsynced after each acknowledged batch.

use std::path::PathBuf;

use crate::error::{AuditError, Result};
use crate::layout::{Layout, create_dir_durable, write_durable};

/// One destination's position.
#[derive(Clone, Debug)]
pub struct Cursor {
    path: PathBuf,
    /// Next record to send.
    pub next_seq: u64,
}

impl Cursor {
    /// Loads (or starts at 0) the cursor `name`.
    pub fn load(layout: &Layout, name: &str) -> Result<Self> {
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            || name.starts_with('.')
        {
            return Err(AuditError::Invalid(format!(
                "bad forwarder name `{name}` (letters, digits, - _ .)"
            )));
        }
        let path = layout.forward_dir().join(format!("{name}.cursor"));
        let next_seq = match std::fs::read_to_string(&path) {
            Ok(text) => text.trim().parse().map_err(|_| AuditError::BadFile {
                path: path.clone(),
                line: 1,
                message: "expected the next sequence number".into(),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
            Err(e) => return Err(AuditError::io(&path, e)),
        };
        Ok(Cursor { path, next_seq })
    }

    /// Every cursor in the log: `(name, next_seq)`.
    pub fn all(layout: &Layout) -> Result<Vec<(String, u64)>> {
        let dir = layout.forward_dir();
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(AuditError::io(&dir, e)),
        };
        let mut out = Vec::new();
        for entry in entries {
            let entry = entry.map_err(AuditError::at(&dir))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(name) = name.strip_suffix(".cursor") {
                out.push((name.to_owned(), Cursor::load(layout, name)?.next_seq));
            }
        }
        out.sort();
        Ok(out)
    }

    /// Moves the cursor durably.
    pub fn advance(&mut self, next_seq: u64) -> Result<()> {
        if let Some(dir) = self.path.parent() {
            create_dir_durable(dir)?;
        }
        write_durable(&self.path, format!("{next_seq}\n").as_bytes())?;
        self.next_seq = next_seq;
        Ok(())
    }
}
