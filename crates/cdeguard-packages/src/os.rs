//! Operating system detection: `/etc/os-release`, `/usr/lib/os-release`, then the
//! distro-specific fallbacks (`/etc/alpine-release`, `/etc/debian_version`,
//! `/etc/redhat-release`), and the package ecosystem / OSV release it implies.

use cdeguard_model::Ecosystem;
use cdeguard_model::image::OsRelease;

/// Output version; part of the layer cache key.
pub const VERSION: u32 = 1;

/// Files read, best first.
pub const FILES: &[&str] = &[
    "/etc/os-release",
    "/usr/lib/os-release",
    "/etc/alpine-release",
    "/etc/debian_version",
    "/etc/redhat-release",
    "/etc/lsb-release",
];

#[must_use]
pub fn required(path: &str) -> bool {
    FILES.contains(&path)
}

/// Detects the OS from whichever of [`FILES`] `read` returns, in order of preference.
pub fn detect<'a>(mut read: impl FnMut(&str) -> Option<&'a [u8]>) -> Option<OsRelease> {
    for path in &FILES[..2] {
        if let Some(os) = read(path).and_then(|b| parse_os_release(path, b)) {
            return Some(os);
        }
    }
    let first_line = |bytes: &[u8]| {
        String::from_utf8_lossy(bytes)
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_owned()
    };
    if let Some(b) = read("/etc/alpine-release") {
        return Some(simple("alpine", Some(first_line(b)), "/etc/alpine-release"));
    }
    if let Some(b) = read("/etc/debian_version") {
        // `12.5` or `bookworm/sid`: the major number is the release.
        let version = first_line(b);
        let major = version
            .split('.')
            .next()
            .filter(|m| m.chars().all(|c| c.is_ascii_digit()) && !m.is_empty());
        return Some(simple(
            "debian",
            major.map(str::to_owned),
            "/etc/debian_version",
        ));
    }
    if let Some(b) = read("/etc/redhat-release") {
        let line = first_line(b);
        let id = if line.starts_with("Rocky") {
            "rocky"
        } else if line.starts_with("AlmaLinux") {
            "almalinux"
        } else if line.starts_with("CentOS") {
            "centos"
        } else {
            "rhel"
        };
        let version = line
            .split_whitespace()
            .find(|w| w.starts_with(|c: char| c.is_ascii_digit()))
            .map(str::to_owned);
        return Some(simple(id, version, "/etc/redhat-release"));
    }
    None
}

fn simple(id: &str, version_id: Option<String>, path: &str) -> OsRelease {
    OsRelease {
        id: id.to_owned(),
        version_id,
        path: path.to_owned(),
        ..OsRelease::default()
    }
}

/// Parses `KEY=value` lines (values optionally quoted); `None` without an `ID`.
#[must_use]
pub fn parse_os_release(path: &str, bytes: &[u8]) -> Option<OsRelease> {
    let text = String::from_utf8_lossy(bytes);
    let mut os = OsRelease {
        path: path.to_owned(),
        ..OsRelease::default()
    };
    for line in text.lines() {
        let Some((key, value)) = line.trim().split_once('=') else {
            continue;
        };
        let value = value
            .trim()
            .trim_matches(|c| c == '"' || c == '\'')
            .to_owned();
        match key.trim() {
            "ID" => os.id = value.to_ascii_lowercase(),
            "VERSION_ID" => os.version_id = Some(value),
            "VERSION_CODENAME" => os.version_codename = Some(value),
            "PRETTY_NAME" => os.pretty_name = Some(value),
            "ID_LIKE" => os.id_like = value.split_whitespace().map(str::to_owned).collect(),
            _ => {}
        }
    }
    (!os.id.is_empty()).then_some(os)
}

/// The OSV ecosystem of the OS's packages (`None` for distros OSV does not cover).
#[must_use]
pub fn ecosystem(os: &OsRelease) -> Option<Ecosystem> {
    let by_id = |id: &str| match id {
        "debian" => Some(Ecosystem::Debian),
        "ubuntu" => Some(Ecosystem::Ubuntu),
        "alpine" => Some(Ecosystem::Alpine),
        "rhel" | "centos" | "redhat" => Some(Ecosystem::RedHat),
        "rocky" => Some(Ecosystem::RockyLinux),
        "almalinux" => Some(Ecosystem::AlmaLinux),
        "sles" | "opensuse" | "opensuse-leap" | "opensuse-tumbleweed" | "suse" => {
            Some(Ecosystem::Suse)
        }
        _ => None,
    };
    by_id(&os.id).or_else(|| os.id_like.iter().find_map(|id| by_id(id)))
}

/// The release as OSV names it: `12` (Debian), `22.04` (Ubuntu), `v3.20` (Alpine), `9` (RHEL).
#[must_use]
pub fn osv_release(os: &OsRelease) -> Option<String> {
    let version = os.version_id.as_deref()?;
    let mut parts = version.split('.');
    Some(match ecosystem(os)? {
        Ecosystem::Alpine => format!("v{}.{}", parts.next()?, parts.next().unwrap_or("0")),
        Ecosystem::Ubuntu | Ecosystem::Suse => version.to_owned(),
        _ => parts.next()?.to_owned(),
    })
}

/// The purl `distro` qualifier: `debian-12`, `alpine-3.20.3`, `rhel-9.3`.
#[must_use]
pub fn purl_distro(os: Option<&OsRelease>) -> String {
    os.map(|o| match &o.version_id {
        Some(v) => format!("{}-{v}", o.id),
        None => o.id.clone(),
    })
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_release_and_osv_names() {
        let debian = parse_os_release("/etc/os-release", b"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n").unwrap();
        assert_eq!(
            (ecosystem(&debian), osv_release(&debian).as_deref()),
            (Some(Ecosystem::Debian), Some("12"))
        );
        let alpine =
            parse_os_release("/etc/os-release", b"ID=alpine\nVERSION_ID=3.20.3\n").unwrap();
        assert_eq!(osv_release(&alpine).as_deref(), Some("v3.20"));
        assert_eq!(purl_distro(Some(&alpine)), "alpine-3.20.3");
        let mint = parse_os_release(
            "/etc/os-release",
            b"ID=linuxmint\nID_LIKE=\"ubuntu debian\"\nVERSION_ID=21\n",
        )
        .unwrap();
        assert_eq!(ecosystem(&mint), Some(Ecosystem::Ubuntu));
        assert!(parse_os_release("x", b"NAME=x\n").is_none());
    }

    #[test]
    fn fallbacks_in_order() {
        let os = detect(|p| (p == "/etc/debian_version").then_some(&b"12.5\n"[..])).unwrap();
        assert_eq!(
            (os.id.as_str(), os.version_id.as_deref()),
            ("debian", Some("12"))
        );
        let os = detect(|p| match p {
            "/usr/lib/os-release" => Some(&b"ID=alpine\nVERSION_ID=3.19.1\n"[..]),
            "/etc/debian_version" => Some(&b"12\n"[..]),
            _ => None,
        })
        .unwrap();
        assert_eq!(os.id, "alpine");
        let rocky = detect(|p| {
            (p == "/etc/redhat-release").then_some(&b"Rocky Linux release 9.3 (Blue Onyx)\n"[..])
        })
        .unwrap();
        assert_eq!(
            (rocky.id.as_str(), rocky.version_id.as_deref()),
            ("rocky", Some("9.3"))
        );
    }
}
