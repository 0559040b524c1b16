//! A root filesystem folder read as a single layer: the tree is walked without following
//! symlinks (links are kept as links and resolved inside the image later), and only the
//! files a cataloger requires are read, each bounded in size. Folders are listed in
//! parallel (a root filesystem is tens of thousands of entries, and listing them is
//! system calls more than computation), each entry's metadata read relative to its
//! folder.

use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::layer::{Entry, Kind, LayerData, Limits, Selector};

/// What listing one folder found.
#[derive(Default)]
struct Listing {
    /// Entries in listing order, each with whether a cataloger wants its contents.
    entries: Vec<(Entry, bool)>,
    /// Subfolders to list next: (on disk, image path).
    subfolders: Vec<(PathBuf, String)>,
    warnings: Vec<String>,
}

/// Lists the folder `dir` (image path `path`, `""` for the root). `count` counts the
/// entries of the whole walk.
///
/// # Errors
/// More than `limits.max_entries` entries, or the root folder unreadable.
fn list(
    dir: &Path,
    path: &str,
    limits: Limits,
    selector: &dyn Selector,
    count: &AtomicUsize,
) -> Result<Listing, String> {
    let mut listing = Listing::default();
    let items = match std::fs::read_dir(dir) {
        Ok(items) => items,
        Err(e) if path.is_empty() => return Err(format!("{}: {e}", dir.display())),
        // An unreadable subfolder is a warning; the rest is still read.
        Err(e) => {
            listing.warnings.push(format!("{path}: {e}"));
            return Ok(listing);
        }
    };
    for item in items {
        let item = match item {
            Ok(i) => i,
            Err(e) => {
                listing.warnings.push(format!("{path}/: {e}"));
                continue;
            }
        };
        if count.fetch_add(1, Ordering::Relaxed) >= limits.max_entries {
            return Err(format!("more than {} files", limits.max_entries));
        }
        let entry_path = format!("{path}/{}", item.file_name().to_string_lossy());
        // `DirEntry::metadata` does not follow symlinks and looks the name up in its
        // folder, not from the root.
        let meta = match item.metadata() {
            Ok(m) => m,
            Err(e) => {
                listing.warnings.push(format!("{entry_path}: {e}"));
                continue;
            }
        };
        let file_type = meta.file_type();
        let kind = if file_type.is_symlink() {
            Kind::Symlink(
                std::fs::read_link(item.path())
                    .map(|t| t.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            )
        } else if file_type.is_dir() {
            listing.subfolders.push((item.path(), entry_path.clone()));
            Kind::Dir
        } else if file_type.is_file() {
            Kind::File
        } else {
            Kind::Other
        };
        let mode = meta.mode() & 0o7777;
        let required = kind == Kind::File && selector.required(&entry_path, mode, meta.len());
        let entry = Entry {
            path: entry_path,
            kind,
            mode,
            uid: u64::from(meta.uid()),
            gid: u64::from(meta.gid()),
            size: meta.len(),
            content: None,
        };
        listing.entries.push((entry, required));
    }
    Ok(listing)
}

/// Reads a folder, one depth at a time: the folders of each depth are listed in
/// parallel (no recursion, so however deep the tree, the stack is not).
///
/// # Errors
/// When the folder cannot be walked at all, or holds more than `limits.max_entries`
/// entries.
pub(crate) fn read(
    root: &Path,
    limits: Limits,
    selector: &dyn Selector,
) -> Result<LayerData, String> {
    let count = AtomicUsize::new(0);
    let mut data = LayerData::default();
    let mut to_read = Vec::new();
    let mut depth = vec![(root.to_owned(), String::new())];
    while !depth.is_empty() {
        let listings: Vec<Result<Listing, String>> = depth
            .par_iter()
            .map(|(dir, path)| list(dir, path, limits, selector, &count))
            .collect();
        depth = Vec::new();
        for listing in listings {
            let listing = listing?;
            for (entry, required) in listing.entries {
                if required {
                    to_read.push(data.entries.len());
                }
                data.entries.push(entry);
            }
            depth.extend(listing.subfolders);
            data.warnings.extend(listing.warnings);
        }
    }
    let contents: Vec<(usize, std::io::Result<Option<Vec<u8>>>)> = to_read
        .par_iter()
        .map(|i| {
            let e = &data.entries[*i];
            let bytes = selector
                .read_file(&root.join(&e.path[1..]), &e.path, e.mode, e.size)
                .map(|b| selector.reduce(&e.path, e.mode, e.size, &b));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::tests::KeepAll;

    #[test]
    fn walks_every_depth_in_parallel_without_following_links() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let mut expected = vec![
            ("/etc".to_owned(), Kind::Dir),
            ("/etc/os-release".to_owned(), Kind::File),
            ("/etc/escape".to_owned(), Kind::Symlink("/../../etc".into())),
        ];
        std::fs::create_dir(root.join("etc")).unwrap();
        std::fs::write(root.join("etc/os-release"), "ID=debian\n").unwrap();
        std::os::unix::fs::symlink("/../../etc", root.join("etc/escape")).unwrap();
        // A tree deeper than any recursion would like, with a file at the bottom.
        let mut deep = String::new();
        for level in 0..300 {
            deep.push_str(&format!("/d{level}"));
            expected.push((deep.clone(), Kind::Dir));
        }
        std::fs::create_dir_all(root.join(&deep[1..])).unwrap();
        std::fs::write(root.join(&deep[1..]).join("leaf"), "x").unwrap();
        expected.push((format!("{deep}/leaf"), Kind::File));
        // Wide folders, listed in parallel.
        for folder in 0..20 {
            std::fs::create_dir(root.join(format!("w{folder}"))).unwrap();
            expected.push((format!("/w{folder}"), Kind::Dir));
            for file in 0..10 {
                std::fs::write(root.join(format!("w{folder}/f{file}")), "").unwrap();
                expected.push((format!("/w{folder}/f{file}"), Kind::File));
            }
        }
        let data = read(root, Limits::default(), &KeepAll).unwrap();
        let mut got: Vec<(String, Kind)> = data
            .entries
            .iter()
            .map(|e| (e.path.clone(), e.kind.clone()))
            .collect();
        got.sort_by(|a, b| a.0.cmp(&b.0));
        expected.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(got, expected);
        assert!(data.warnings.is_empty(), "{:?}", data.warnings);
        let os_release = data.entries.iter().find(|e| e.path == "/etc/os-release");
        assert_eq!(
            os_release.and_then(|e| e.content.as_deref()),
            Some(&b"ID=debian\n"[..])
        );
        let limits = Limits {
            max_entries: 100,
            ..Limits::default()
        };
        let error = read(root, limits, &KeepAll).unwrap_err();
        assert!(error.contains("more than 100 files"), "{error}");
        assert!(read(&root.join("missing"), Limits::default(), &KeepAll).is_err());
    }
}
