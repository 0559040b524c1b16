//! Fuzzes the image reader: the bytes as one layer stream (plain, gzip or zstd tar)
//! merged into a filesystem and catalogued, and as an image archive (docker-archive or
//! oci-archive tar) read end to end. Any input is data or an error, never a panic, a
//! hang or a file outside the image root.
#![no_main]

use cdeguard_image::{ImageOptions, Limits, fs::MergedFs, layer};
use cdeguard_packages::{Context, FileMeta, catalog_file};
use libfuzzer_sys::fuzz_target;

const LIMITS: Limits = Limits {
    max_entries: 10_000,
    max_kept_bytes: 16 << 20,
};

fuzz_target!(|data: &[u8]| {
    if let Ok(read) = layer::read(data, LIMITS, &layer::Catalogers) {
        let mut merged = MergedFs::default();
        merged.apply(0, &read);
        merged.apply(1, &read);
        for (path, node) in &merged.nodes {
            assert!(
                path.starts_with('/') && !path.split('/').any(|c| c == ".."),
                "{path}"
            );
            if let Some(content) = &node.content {
                let meta = FileMeta {
                    path,
                    mode: node.mode,
                    size: node.size,
                };
                let _ = catalog_file(&meta, content, &Context::default());
            }
        }
    }
    let dir = std::env::temp_dir().join(format!("cdeguard-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let archive = dir.join("image.tar");
    std::fs::write(&archive, data).expect("write archive");
    let options = ImageOptions {
        platform: Some("linux/amd64".to_owned()),
        cache_dir: None,
        limits: LIMITS,
    };
    let _ = cdeguard_image::read(&archive, &options);
});
