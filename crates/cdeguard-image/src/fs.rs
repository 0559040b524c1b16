//! The merged filesystem: layers applied in order, whiteouts and opaque folders
//! honoured, hard links copied, and members written through a symlinked folder placed
//! where the link resolves (inside the image root).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::layer::{Entry, Kind, LayerData};
use crate::path::{parent, resolve};

/// Earlier versions of a path: (layer index, contents), oldest first.
pub type Versions = Vec<(usize, Arc<[u8]>)>;

/// A file, folder or link of the merged filesystem.
#[derive(Clone, Debug)]
pub struct Node {
    pub kind: Kind,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub size: u64,
    pub content: Option<Arc<[u8]>>,
    /// Index of the layer that last wrote it.
    pub layer: usize,
}

/// The merged view, plus the earlier contents of kept files (for layer attribution).
#[derive(Debug, Default)]
pub struct MergedFs {
    pub nodes: BTreeMap<String, Node>,
    /// Earlier (layer, contents) of kept files that a later layer replaced, oldest first.
    pub history: BTreeMap<String, Versions>,
}

impl MergedFs {
    /// Applies one layer on top of the current state.
    pub fn apply(&mut self, layer_index: usize, layer: &LayerData) {
        for entry in &layer.entries {
            self.apply_entry(layer_index, entry);
        }
    }

    fn link_target(&self, path: &str) -> Option<&str> {
        match &self.nodes.get(path)?.kind {
            Kind::Symlink(target) => Some(target),
            _ => None,
        }
    }

    /// Where a member lands: its folder resolved through symlinks, its name kept.
    fn placement(&self, path: &str) -> Option<String> {
        let folder = parent(path);
        // Every node sits at a resolved path (no folder above it is a symlink: replacing
        // a folder by a link removes what was below it), so a member whose folder is
        // already a folder node lands where it says, without resolving anything.
        if folder == "/" || self.nodes.get(folder).is_some_and(|n| n.kind == Kind::Dir) {
            return Some(path.to_owned());
        }
        let name = path.rsplit('/').next().unwrap_or_default();
        let resolved = resolve(folder, true, |p| self.link_target(p))?;
        Some(format!("{}/{name}", resolved.trim_end_matches('/')))
    }

    fn remove_tree(&mut self, path: &str, below_layer: Option<usize>, keep_self: bool) {
        let prefix = format!("{}/", path.trim_end_matches('/'));
        let doomed: Vec<String> = self
            .nodes
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .filter(|(_, n)| below_layer.is_none_or(|l| n.layer < l))
            .map(|(k, _)| k.clone())
            .collect();
        for key in doomed {
            self.nodes.remove(&key);
        }
        if !keep_self {
            self.nodes.remove(path);
        }
    }

    fn apply_entry(&mut self, layer: usize, entry: &Entry) {
        let Some(path) = self.placement(&entry.path) else {
            return;
        };
        match &entry.kind {
            Kind::Whiteout => self.remove_tree(&path, None, false),
            Kind::Opaque => self.remove_tree(&path, Some(layer), true),
            Kind::Hardlink(target) => {
                let source = resolve(target, true, |p| self.link_target(p))
                    .and_then(|t| self.nodes.get(&t))
                    .cloned();
                let node = match source {
                    Some(mut n) => {
                        n.layer = layer;
                        n
                    }
                    None => Node {
                        kind: Kind::File,
                        mode: entry.mode,
                        uid: entry.uid,
                        gid: entry.gid,
                        size: 0,
                        content: None,
                        layer,
                    },
                };
                self.insert(path, node);
            }
            kind => {
                if *kind == Kind::Dir && self.nodes.get(&path).is_some_and(|n| n.kind == Kind::Dir)
                {
                    // Re-declaring a folder changes its metadata, not its contents.
                } else if *kind != Kind::Dir {
                    self.remove_tree(&path, None, true);
                }
                let node = Node {
                    kind: kind.clone(),
                    mode: entry.mode,
                    uid: entry.uid,
                    gid: entry.gid,
                    size: entry.size,
                    content: entry.content.clone(),
                    layer,
                };
                self.insert(path, node);
            }
        }
    }

    fn insert(&mut self, path: String, node: Node) {
        if let Some(old) = self.nodes.insert(path.clone(), node)
            && let Some(content) = old.content
        {
            self.history
                .entry(path)
                .or_default()
                .push((old.layer, content));
        }
    }

    /// Looks a path up, following symlinks inside the image.
    #[must_use]
    pub fn lookup(&self, path: &str) -> Option<(String, &Node)> {
        let resolved = resolve(path, true, |p| self.link_target(p))?;
        let node = self.nodes.get(&resolved)?;
        Some((resolved, node))
    }

    /// Contents of a file (following symlinks), when it was kept.
    #[must_use]
    pub fn read(&self, path: &str) -> Option<&[u8]> {
        self.lookup(path).and_then(|(_, n)| n.content.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::tests::tar_of;
    use crate::layer::{Limits, read};

    fn layer(members: &[(&str, tar::EntryType, &[u8], u32)]) -> LayerData {
        read(
            &tar_of(members)[..],
            Limits::default(),
            &crate::layer::tests::KeepAll,
        )
        .unwrap()
    }

    #[test]
    fn whiteouts_opaque_and_history() {
        use tar::EntryType as T;
        let mut fs = MergedFs::default();
        fs.apply(
            0,
            &layer(&[
                ("etc/a", T::Regular, b"1", 0o644),
                ("etc/b", T::Regular, b"2", 0o644),
                ("var/x/y", T::Regular, b"3", 0o644),
                ("var/z", T::Regular, b"4", 0o644),
            ]),
        );
        fs.apply(
            1,
            &layer(&[
                ("etc/.wh.a", T::Regular, b"", 0o644),
                ("var/new", T::Regular, b"5", 0o644),
                ("var/.wh..wh..opq", T::Regular, b"", 0o644),
                ("etc/b", T::Regular, b"22", 0o644),
            ]),
        );
        let paths: Vec<&str> = fs.nodes.keys().map(String::as_str).collect();
        assert_eq!(paths, ["/etc/b", "/var/new"]);
        assert_eq!(fs.read("/etc/b"), Some(&b"22"[..]));
        assert_eq!(fs.history["/etc/b"][0].0, 0);
    }

    #[test]
    fn symlinked_folders_and_hostile_links() {
        use tar::EntryType as T;
        let mut fs = MergedFs::default();
        fs.apply(
            0,
            &layer(&[
                ("usr/lib/os-release", T::Regular, b"ID=x\n", 0o644),
                (
                    "etc/os-release",
                    T::Symlink,
                    b"../usr/lib/os-release",
                    0o777,
                ),
                ("lib", T::Symlink, b"usr/lib", 0o777),
                ("evil", T::Symlink, b"../../../../../etc", 0o777),
            ]),
        );
        fs.apply(
            1,
            &layer(&[
                ("lib/libz.so", T::Regular, b"z", 0o644),
                ("evil/passwd", T::Regular, b"root", 0o644),
                ("loop1", T::Symlink, b"loop2", 0o777),
                ("loop2", T::Symlink, b"loop1", 0o777),
                ("hard", T::Link, b"usr/lib/os-release", 0o644),
            ]),
        );
        assert_eq!(fs.read("/etc/os-release"), Some(&b"ID=x\n"[..]));
        assert!(
            fs.nodes.contains_key("/usr/lib/libz.so"),
            "written through the symlink, inside the root"
        );
        assert!(
            fs.nodes.contains_key("/etc/passwd"),
            "`evil` resolves to /etc inside the image"
        );
        assert!(fs.lookup("/loop1").is_none());
        assert_eq!(fs.read("/hard"), Some(&b"ID=x\n"[..]));
        fs.apply(2, &layer(&[("loop1/x", T::Regular, b"", 0o644)]));
        assert!(
            !fs.nodes.keys().any(|k| k.ends_with("/x")),
            "a member below a symlink loop is dropped"
        );
    }
}
