//! A root filesystem folder read as a single layer: the tree is walked without following
//! symlinks (links are kept as links and resolved inside the image later), and only the
//! files a cataloger requires are read, each bounded in size.

use std::os::unix::fs::MetadataExt as _;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use crate::layer::{Entry, Kind, LayerData, Limits, Selector};

/// Reads a folder.
///
/// # Errors
/// When the folder cannot be walked at all.
pub(crate) fn read(
    root: &Path,
    limits: Limits,
    selector: &dyn Selector,
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
        if kind == Kind::File && selector.required(&path, mode, meta.len()) {
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
    let contents: Vec<(usize, std::io::Result<Option<Vec<u8>>>)> = to_read
        .par_iter()
        .map(|i| {
            let e = &data.entries[*i];
            let bytes = selector
                .read_file(&root.join(&e.path[1..]), &e.path, e.mode, e.size)
                .map(|b| selector.reduce(&e.path, e.mode, e.size, b));
            (*i, bytes)
        })
        .collect();
    let mut kept = 0u64;
    for (i, content) in contents {
        match content {
            Ok(Some(bytes)) if kept + bytes.len() as u64 > limits.max_kept_bytes => {
                data.warnings.push(format!(
                    "{}: over the {} byte budget for kept files; skipped",
                    data.entries[i].path, limits.max_kept_bytes
                ));
            }
            Ok(Some(bytes)) => {
                kept += bytes.len() as u64;
                data.entries[i].content = Some(Arc::from(bytes));
            }
            Ok(None) => {}
            Err(e) => data.warnings.push(format!("{}: {e}", data.entries[i].path)),
        }
    }
    Ok(data)
}
