//! Fuzzes the manifest readers: format detection, the YAML/JSON parser with lines, and
//! Kubernetes object extraction. Any panic, hang or unbounded allocation is a bug.
#![no_main]

use cdeguard_collect::{CollectOptions, read_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = CollectOptions {
        max_file_size: 1 << 20,
        ..CollectOptions::default()
    };
    for name in [
        "input.yaml",
        "Dockerfile",
        "docker-compose.yaml",
        "inspect.json",
    ] {
        let _ = read_bytes(name, data, &options);
    }
});
