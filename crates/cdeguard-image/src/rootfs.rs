//! A root filesystem folder read as a single layer: the tree is walked without following
//! symlinks (links are kept as links and resolved inside the image later), and only the
//! files a cataloger requires are read, each bounded in size.

use std::os::unix::fs::MetadataExt as _;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use crate::layer::{Entry, Kind, LayerData, Limits};

/// Reads a folder.
///
/// # Errors
/// When the folder cannot be walked at all.
pub(crate) fn read(
    root: &Path,
    limits: Limits,
    required: &(dyn Fn(&str, u32, u64) -> bool + Sync),
) -> Result<LayerData, String> {
    let mut data = LayerData::default();
    let mut to_read = Vec::new();
    for item in walkdir::WalkDir::new(root).follow_links(false).min_depth(1) {
        let item = match item {
            Ok(i) => i,
            Err(e) if e.depth() == 0 => return Err(e.to_string()),
            Err(e) => {
                data.warnings.push(e.to_string());
                continue;
            }
        };
        if data.entries.len() >= limits.max_entries {
            return Err(format!("more than {} files", limits.max_entries));
        }
        let Ok(relative) = item.path().strip_prefix(root) else {
            continue;
        };
        let path = format!("/{}", relative.to_string_lossy());
        let Ok(meta) = item.path().symlink_metadata() else {
            continue;
        };
        let file_type = meta.file_type();
        let kind = if file_type.is_symlink() {
            Kind::Symlink(
                std::fs::read_link(item.path())
                    .map(|t| t.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            )
        } else if file_type.is_dir() {
            Kind::Dir
        } else if file_type.is_file() {
            Kind::File
        } else {
            Kind::Other
        };
        let mode = meta.mode() & 0o7777;
        if kind == Kind::File && required(&path, mode, meta.len()) {
            to_read.push(data.entries.len());
        }
        data.entries.push(Entry {
            path,
            kind,
            mode,
            uid: u64::from(meta.uid()),
            gid: u64::from(meta.gid()),
            size: meta.len(),
            content: None,
        });
    }
    let budget = limits.max_kept_bytes;
    let total: u64 = to_read.iter().map(|i| data.entries[*i].size).sum();
    if total > budget {
        return Err(format!(
            "required files total {total} bytes, over the {budget} byte budget"
        ));
    }
    let contents: Vec<(usize, std::io::Result<Vec<u8>>)> = to_read
        .par_iter()
        .map(|i| (*i, std::fs::read(root.join(&data.entries[*i].path[1..]))))
        .collect();
    for (i, content) in contents {
        match content {
            Ok(bytes) => data.entries[i].content = Some(Arc::from(bytes)),
            Err(e) => data.warnings.push(format!("{}: {e}", data.entries[i].path)),
        }
    }
    Ok(data)
}
