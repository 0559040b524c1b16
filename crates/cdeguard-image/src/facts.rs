//! File facts of the merged filesystem for the image rules: setuid/setgid files,
//! world-writable entries, non-empty package manager caches, build tools present.

use cdeguard_model::image::{FileFact, ImageFiles};

use crate::fs::{MergedFs, Node};
use crate::layer::Kind;

/// Entries kept per list.
const MAX_LISTED: usize = 1000;

/// Package manager caches, as folder prefixes (`*` matches one path component).
const CACHES: &[&str] = &[
    "/var/cache/apt/archives",
    "/var/lib/apt/lists",
    "/var/cache/apk",
    "/etc/apk/cache",
    "/var/cache/yum",
    "/var/cache/dnf",
    "/var/cache/zypp",
    "/root/.cache/pip",
    "/home/*/.cache/pip",
    "/root/.npm/_cacache",
    "/home/*/.npm/_cacache",
    "/usr/local/share/.cache/yarn",
    "/root/.cache/yarn",
    "/root/.cache/go-build",
    "/root/go/pkg/mod/cache",
    "/root/.cargo/registry",
    "/root/.m2/repository",
    "/root/.gradle/caches",
    "/root/.composer/cache",
    "/root/.nuget/packages",
];

/// Files that are not cache content even inside a cache folder.
const CACHE_BOOKKEEPING: &[&str] = &["lock", "partial", ".gitkeep"];

/// Compilers and build tools that have no place in a production image.
const BUILD_TOOLS: &[&str] = &[
    "gcc",
    "g++",
    "cc",
    "c++",
    "clang",
    "clang++",
    "make",
    "cmake",
    "ninja",
    "autoconf",
    "automake",
    "libtool",
    "pkg-config",
    "go",
    "rustc",
    "cargo",
    "javac",
    "mvn",
    "gradle",
    "gdb",
    "strace",
];

fn fact(path: &str, node: &Node, layers: &[String], size: u64) -> FileFact {
    FileFact {
        path: path.to_owned(),
        mode: node.mode,
        uid: node.uid,
        gid: node.gid,
        is_dir: node.kind == Kind::Dir,
        size,
        layer: layers.get(node.layer).cloned(),
    }
}

fn matches_prefix(path: &str, pattern: &str) -> bool {
    // Cheap rejection first (most files are in no cache): the literal part of the
    // pattern before any `*` must start the path.
    let literal = pattern.split('*').next().unwrap_or_default();
    if !path.starts_with(literal) {
        return false;
    }
    let mut p = path.split('/');
    for want in pattern.split('/') {
        match p.next() {
            Some(got) if want == "*" || want == got => {}
            _ => return false,
        }
    }
    true
}

/// Gathers the facts. `layers` names each layer index (digest).
#[must_use]
pub(crate) fn gather(fs: &MergedFs, layers: &[String]) -> ImageFiles {
    let mut files = ImageFiles {
        total_entries: fs.nodes.len() as u64,
        ..ImageFiles::default()
    };
    let push = |list: &mut Vec<FileFact>, item: FileFact, truncated: &mut bool| {
        if list.len() < MAX_LISTED {
            list.push(item);
        } else {
            *truncated = true;
        }
    };
    // (cache folder, bytes, first file seen in it with its tar entry)
    #[allow(clippy::type_complexity)]
    let mut cache_sizes: Vec<(String, u64, Option<(String, &Node)>)> = Vec::new();
    for (path, node) in &fs.nodes {
        let is_link = matches!(node.kind, Kind::Symlink(_));
        if node.kind == Kind::File && node.mode & 0o6000 != 0 {
            push(
                &mut files.setuid_setgid,
                fact(path, node, layers, node.size),
                &mut files.truncated,
            );
        }
        if !is_link && node.mode & 0o002 != 0 {
            push(
                &mut files.world_writable,
                fact(path, node, layers, node.size),
                &mut files.truncated,
            );
        }
        if node.kind == Kind::File
            && let Some(pattern) = CACHES.iter().find(|c| matches_prefix(path, c)).filter(|_| {
                let name = path.rsplit('/').next().unwrap_or_default();
                !CACHE_BOOKKEEPING.contains(&name)
            })
        {
            let depth = pattern.split('/').count();
            let folder: String = path.split('/').take(depth).collect::<Vec<_>>().join("/");
            match cache_sizes.iter_mut().find(|(f, _, _)| *f == folder) {
                Some(entry) => entry.1 += node.size,
                None => cache_sizes.push((
                    folder.clone(),
                    node.size,
                    fs.nodes.get(&folder).map(|n| (folder.clone(), n)),
                )),
            }
        }
    }
    for (folder, size, node) in cache_sizes {
        let item = match node {
            Some((p, n)) => fact(&p, n, layers, size),
            None => FileFact {
                path: folder,
                mode: 0o755,
                uid: 0,
                gid: 0,
                is_dir: true,
                size,
                layer: None,
            },
        };
        push(&mut files.package_caches, item, &mut files.truncated);
    }
    for dir in ["/usr/bin", "/usr/local/bin", "/bin", "/usr/local/go/bin"] {
        for tool in BUILD_TOOLS {
            let path = format!("{dir}/{tool}");
            if let Some(node) = fs.nodes.get(&path)
                && !files
                    .build_tools
                    .iter()
                    .any(|f| f.path.rsplit('/').next() == Some(tool))
            {
                push(
                    &mut files.build_tools,
                    fact(&path, node, layers, node.size),
                    &mut files.truncated,
                );
            }
        }
    }
    files
}
