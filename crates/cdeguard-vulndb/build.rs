//! Bundles the example OSV records under `examples/vulndb/` into one file in `OUT_DIR`
//! (`path NUL length NUL bytes`, repeated), which `src/embedded.rs` includes and imports
//! at run time. Only the standard library: the records are parsed by the crate itself.

use std::path::{Path, PathBuf};

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("json" | "yaml" | "yml")
        ) {
            files.push(path);
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let root = manifest.join("../../examples/vulndb");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    let mut bundle = Vec::new();
    for file in &files {
        let Ok(bytes) = std::fs::read(file) else {
            continue;
        };
        let name = file
            .strip_prefix(&root)
            .unwrap_or(file)
            .display()
            .to_string();
        println!("cargo:rerun-if-changed={}", file.display());
        bundle.extend_from_slice(name.as_bytes());
        bundle.push(0);
        bundle.extend_from_slice(bytes.len().to_string().as_bytes());
        bundle.push(0);
        bundle.extend_from_slice(&bytes);
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    std::fs::write(out.join("example-osv.bundle"), bundle).expect("write OUT_DIR bundle");
}
