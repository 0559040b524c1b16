//! Paths inside an image: lexical normalisation of tar member names (never above the
//! root) and symlink resolution that stays inside the image root.

/// Normalises a tar member name to an absolute image path (`./usr//bin/` ->
/// `/usr/bin`). `None` when `..` would climb above the root: such a member is an
/// attack (or a broken archive), never something to follow.
#[must_use]
pub fn normalize(name: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(join(&parts))
}

fn join(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len() + 1).sum::<usize>().max(1));
    for p in parts {
        out.push('/');
        out.push_str(p);
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

/// The parent folder of an absolute path (`/` for top-level entries).
#[must_use]
pub fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

/// Symlinks followed before resolution gives up (Linux's `MAXSYMLINKS`).
pub const MAX_SYMLINK_HOPS: u32 = 40;

/// Resolves `path` inside the image, following symlinks as a chrooted process would:
/// absolute targets start again at the image root and `..` stops at the root, so no
/// resolution ever leaves the image. `link_of` returns a path's symlink target, if it is
/// a symlink. With `follow_last = false` the last component is not followed.
/// `None` on a symlink loop (more than [`MAX_SYMLINK_HOPS`] hops).
pub fn resolve<'a>(
    path: &str,
    follow_last: bool,
    link_of: impl Fn(&str) -> Option<&'a str>,
) -> Option<String> {
    let mut done: Vec<String> = Vec::new();
    let mut todo: Vec<String> = path
        .split('/')
        .filter(|p| !p.is_empty())
        .rev()
        .map(str::to_owned)
        .collect();
    let mut hops = 0;
    while let Some(part) = todo.pop() {
        match part.as_str() {
            "." => continue,
            ".." => {
                done.pop();
                continue;
            }
            _ => {}
        }
        done.push(part);
        if todo.is_empty() && !follow_last {
            break;
        }
        let current = join(&done.iter().map(String::as_str).collect::<Vec<_>>());
        let Some(target) = link_of(&current) else {
            continue;
        };
        hops += 1;
        if hops > MAX_SYMLINK_HOPS {
            return None;
        }
        done.pop();
        if target.starts_with('/') {
            done.clear();
        }
        todo.extend(
            target
                .split('/')
                .filter(|p| !p.is_empty())
                .rev()
                .map(str::to_owned),
        );
    }
    Some(join(&done.iter().map(String::as_str).collect::<Vec<_>>()))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn normalisation_refuses_escapes() {
        assert_eq!(normalize("./usr//bin/").as_deref(), Some("/usr/bin"));
        assert_eq!(
            normalize("/etc/../etc/passwd").as_deref(),
            Some("/etc/passwd")
        );
        assert_eq!(normalize("./").as_deref(), Some("/"));
        assert_eq!(normalize("../etc/passwd"), None);
        assert_eq!(normalize("a/../../b"), None);
        assert_eq!(parent("/etc/passwd"), "/etc");
        assert_eq!(parent("/etc"), "/");
    }

    #[test]
    fn resolution_stays_inside_the_root() {
        let links: HashMap<&str, &str> = [
            ("/etc/os-release", "../usr/lib/os-release"),
            ("/lib", "usr/lib"),
            ("/escape", "../../../../etc/shadow"),
            ("/abs", "/etc/passwd"),
            ("/chain1", "chain2"),
            ("/chain2", "/lib/x"),
            ("/loop1", "loop2"),
            ("/loop2", "/loop1"),
            ("/self", "."),
        ]
        .into();
        let r = |p: &str| resolve(p, true, |q| links.get(q).copied());
        assert_eq!(r("/etc/os-release").as_deref(), Some("/usr/lib/os-release"));
        assert_eq!(r("/lib/libc.so").as_deref(), Some("/usr/lib/libc.so"));
        assert_eq!(r("/escape").as_deref(), Some("/etc/shadow"));
        assert_eq!(r("/abs").as_deref(), Some("/etc/passwd"));
        assert_eq!(r("/chain1").as_deref(), Some("/usr/lib/x"));
        assert_eq!(r("/loop1"), None);
        assert_eq!(r("/self/self/self/etc").as_deref(), Some("/etc"));
        assert_eq!(
            resolve("/lib", false, |q| links.get(q).copied()).as_deref(),
            Some("/lib")
        );
    }
}
