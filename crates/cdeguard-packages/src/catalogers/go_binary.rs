//! Go binaries: the module build info Go embeds (`.go.buildinfo` section of ELF,
//! Mach-O or PE files; Go 1.18+ inline-string layout): the main module, every `dep`
//! (with `=>` replacements) and the Go standard library as `stdlib` at the toolchain's
//! version. A main module built outside version control says `(devel)` (as `mod`, or as
//! a `dep` of `command-line-arguments` when built from a file); its version is
//! then the one the release build stamped with the linker, which Go records in the
//! build settings (`build -ldflags="-X=github.com/x/app/version.Version=8.30.1"`), and
//! without such a stamp the main module is left out (no version to match advisories to).

use std::borrow::Cow;

use cdeguard_model::{Ecosystem, Package};

use super::binary::{is_executable_candidate, section, tagged, untag};
use super::{Cataloger, lang_package};
use crate::{CatalogError, Context, FileMeta};

pub(crate) struct GoBinary;

const TAG: &str = "cdeguard-go-buildinfo-v1";
const MAGIC: &[u8] = b"\xff Go buildinf:";
/// Where Go puts its build info (ELF and PE, Mach-O).
const SECTIONS: &[&str] = &[".go.buildinfo", "__go_buildinfo"];

impl Cataloger for GoBinary {
    fn id(&self) -> &'static str {
        "go-binary"
    }
    fn version(&self) -> u32 {
        2
    }
    fn required(&self, file: &FileMeta<'_>) -> bool {
        is_executable_candidate(file)
    }
    fn max_size(&self) -> u64 {
        512 * 1024 * 1024
    }
    fn sections(&self) -> Option<&'static [&'static str]> {
        Some(SECTIONS)
    }
    fn reduce<'a>(&self, bytes: &'a [u8]) -> Option<Cow<'a, [u8]>> {
        let data = section(bytes, SECTIONS)?;
        let (version, modinfo) = parse_buildinfo(&data)?;
        Some(Cow::Owned(tagged(
            TAG,
            format!("{version}\n{modinfo}").as_bytes(),
        )))
    }
    fn catalog(
        &self,
        path: &str,
        bytes: &[u8],
        _ctx: &Context<'_>,
    ) -> Result<Vec<Package>, CatalogError> {
        let Some(payload) = untag(TAG, bytes) else {
            return Ok(Vec::new());
        };
        let text = String::from_utf8_lossy(payload);
        let (go_version, modinfo) = text.split_once('\n').unwrap_or((&text, ""));
        let mut modules: Vec<(String, String)> = Vec::new();
        for line in modinfo.lines() {
            let fields: Vec<&str> = line.split('\t').collect();
            match fields.as_slice() {
                // `go build main.go` lists the main module as a `(devel)` dependency of
                // `command-line-arguments`. Kept even unversioned (dropped below) so that
                // a `=>` line replaces this module, not the one before.
                ["mod" | "dep", module, version, ..] => {
                    let version = match *version {
                        "(devel)" => linker_stamped_version(modinfo, module)
                            .unwrap_or_else(|| (*version).to_owned()),
                        _ => (*version).to_owned(),
                    };
                    modules.push(((*module).to_owned(), version));
                }
                ["=>", module, version, ..] => {
                    if let Some(last) = modules.last_mut() {
                        *last = ((*module).to_owned(), (*version).to_owned());
                    }
                }
                _ => {}
            }
        }
        if let Some(v) = go_version.strip_prefix("go") {
            let v = v.split([' ', '-']).next().unwrap_or(v);
            modules.push(("stdlib".to_owned(), format!("v{v}")));
        }
        Ok(modules
            .into_iter()
            .filter(|(_, v)| !v.is_empty() && v != "(devel)")
            .map(|(m, v)| {
                let mut p = lang_package(Ecosystem::Go, &m, v.trim_start_matches('v'), path);
                p.purl = crate::purl::language(Ecosystem::Go, &m, &v);
                p
            })
            .collect())
    }
}

/// The version a `-X` linker flag stamps into a variable of the main module (or of
/// `main`) whose name ends in "version", e.g. `-X=github.com/x/app/version.Version=8.30.1`
/// or `-X main.version=v1.2.3`, as `v1.2.3`; only values that start with a digit.
fn linker_stamped_version(modinfo: &str, module: &str) -> Option<String> {
    let flags = modinfo
        .lines()
        .find_map(|line| line.strip_prefix("build\t-ldflags="))?
        .trim_matches('"');
    let mut tokens = flags.split_whitespace();
    while let Some(token) = tokens.next() {
        let assignment = match token.strip_prefix("-X") {
            Some("") => tokens.next()?,
            Some(rest) => rest.trim_start_matches('='),
            None => continue,
        };
        let Some((symbol, value)) = assignment.split_once('=') else {
            continue;
        };
        let Some((package, variable)) = symbol.rsplit_once('.') else {
            continue;
        };
        let in_main_module = package == "main"
            || package
                .strip_prefix(module)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
        let number = value.strip_prefix('v').unwrap_or(value);
        if in_main_module
            && variable.to_ascii_lowercase().ends_with("version")
            && number.starts_with(|c: char| c.is_ascii_digit())
        {
            return Some(format!("v{number}"));
        }
    }
    None
}

fn uvarint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (i, b) in bytes.iter().take(10).enumerate() {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// (Go version, module info) of a `.go.buildinfo` section in the inline layout.
fn parse_buildinfo(data: &[u8]) -> Option<(String, String)> {
    let start = data.windows(MAGIC.len()).position(|w| w == MAGIC)?;
    let header = data.get(start..start + 32)?;
    if header[15] & 0x2 == 0 {
        return None; // pre-1.18 pointer layout: needs the data segment; not supported
    }
    let mut rest = &data[start + 32..];
    let mut strings = Vec::new();
    for _ in 0..2 {
        let (len, used) = uvarint(rest)?;
        let len = usize::try_from(len).ok()?;
        let s = rest.get(used..used + len)?;
        strings.push(String::from_utf8_lossy(s).into_owned());
        rest = &rest[used + len..];
    }
    let modinfo = strings.pop()?;
    // Module info is framed by 16-byte sentinels.
    let modinfo = if modinfo.len() >= 33 && modinfo.as_bytes()[modinfo.len() - 17] == b'\n' {
        modinfo.get(16..modinfo.len() - 16)?.to_owned()
    } else {
        modinfo
    };
    Some((strings.pop()?, modinfo))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section_bytes(version: &str, modinfo: &str) -> Vec<u8> {
        let mut data = MAGIC.to_vec();
        data.extend([8, 2]);
        data.resize(32, 0);
        for s in [version.as_bytes(), modinfo.as_bytes()] {
            let mut len = s.len();
            while len >= 0x80 {
                data.push(u8::try_from(len & 0x7f).unwrap() | 0x80);
                len >>= 7;
            }
            data.push(u8::try_from(len).unwrap());
            data.extend_from_slice(s);
        }
        data
    }

    /// Counts the bytes read through it.
    struct Counting {
        inner: std::io::Cursor<Vec<u8>>,
        read: usize,
    }

    impl std::io::Read for Counting {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.inner.read(buf)?;
            self.read += n;
            Ok(n)
        }
    }

    impl std::io::Seek for Counting {
        fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
            self.inner.seek(to)
        }
    }

    #[test]
    fn an_elf_file_is_read_only_where_the_build_info_is() {
        let sentinel = "S".repeat(16);
        let modinfo = format!("{sentinel}path\tx\ndep\tgolang.org/x/net\tv0.1.0\th1:x\n{sentinel}");
        let elf = crate::catalogers::binary::tests::elf64(
            256 * 1024,
            &[(".go.buildinfo", &section_bytes("go1.22.1", &modinfo))],
        );
        let meta = FileMeta {
            path: "/usr/local/bin/app",
            mode: 0o755,
            size: elf.len() as u64,
        };
        let mut file = Counting {
            inner: std::io::Cursor::new(elf.clone()),
            read: 0,
        };
        let sparse = crate::read_file(&meta, &mut file).unwrap();
        assert_eq!(sparse.len(), elf.len());
        assert!(
            file.read < 4096,
            "read {} of {} bytes",
            file.read,
            elf.len()
        );
        assert!(
            sparse[64..64 + 256 * 1024].iter().all(|b| *b == 0),
            "code left unread"
        );
        let reduced = GoBinary.reduce(&sparse).expect("build info found");
        assert_eq!(Some(reduced), GoBinary.reduce(&elf));
        // An executable without build info: only its headers are read, nothing is laid
        // out, and nothing is kept, as when it is read whole.
        let plain = crate::catalogers::binary::tests::elf64(256 * 1024, &[]);
        let mut file = Counting {
            inner: std::io::Cursor::new(plain.clone()),
            read: 0,
        };
        let plain_meta = FileMeta {
            size: plain.len() as u64,
            ..meta
        };
        let sparse = crate::read_file(&plain_meta, &mut file).unwrap();
        assert!(sparse.is_empty(), "{} bytes laid out", sparse.len());
        assert!(file.read < 4096, "read {} bytes", file.read);
        assert_eq!(GoBinary.reduce(&sparse), None);
        assert_eq!(GoBinary.reduce(&plain), None);
        // A script, or a corrupt ELF file, is read whole.
        for bytes in [b"#!/bin/sh\n".repeat(200), elf[..elf.len() - 100].to_vec()] {
            let meta = FileMeta {
                size: bytes.len() as u64,
                ..meta
            };
            let mut file = std::io::Cursor::new(bytes.clone());
            assert_eq!(crate::read_file(&meta, &mut file).unwrap(), bytes);
        }
    }

    #[test]
    fn buildinfo_modules() {
        let sentinel = "S".repeat(16);
        let modinfo = format!(
            "{sentinel}path\tgithub.com/x/app\nmod\tgithub.com/x/app\t(devel)\t\ndep\tgolang.org/x/sys\tv0.30.0\th1:x\ndep\tgithub.com/a/b\tv1.0.0\th1:y\n=>\tgithub.com/fork/b\tv1.0.1\th1:z\n{sentinel}"
        );
        let (version, info) = parse_buildinfo(&section_bytes("go1.24.11", &modinfo)).unwrap();
        assert_eq!(version, "go1.24.11");
        let payload = tagged(TAG, format!("{version}\n{info}").as_bytes());
        let p = GoBinary
            .catalog("/usr/bin/app", &payload, &Context::default())
            .unwrap();
        let got: Vec<_> = p
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("golang.org/x/sys", "0.30.0"),
                ("github.com/fork/b", "1.0.1"),
                ("stdlib", "1.24.11")
            ]
        );
        assert!(
            GoBinary
                .catalog("/x", b"\x7fELF", &Context::default())
                .unwrap()
                .is_empty()
        );
        assert!(parse_buildinfo(&section_bytes("go1.24", "x")[..40]).is_none());
    }

    #[test]
    fn devel_main_module_takes_the_linker_stamped_version() {
        let modules = |build: &str| -> Vec<(String, String)> {
            let info = format!(
                "path\tgithub.com/x/app\nmod\tgithub.com/x/app\t(devel)\t\n{build}build\tGOOS=linux\n"
            );
            let payload = tagged(TAG, format!("go1.24.11\n{info}").as_bytes());
            GoBinary
                .catalog("/usr/bin/app", &payload, &Context::default())
                .unwrap()
                .into_iter()
                .filter(|p| p.name != "stdlib")
                .map(|p| (p.name, p.version))
                .collect()
        };
        let app = |v: &str| vec![("github.com/x/app".to_owned(), v.to_owned())];
        assert_eq!(
            modules("build\t-ldflags=\"-s -w -X=github.com/x/app/version.Version=8.30.1\"\n"),
            app("8.30.1")
        );
        assert_eq!(
            modules("build\t-ldflags=\"-X main.gitVersion=v1.2.3 -s\"\n"),
            app("1.2.3")
        );
        // Not the main module's variable, not a version, not a number: left out.
        for flags in [
            "-X=github.com/other/lib.Version=1.0.0",
            "-X=github.com/x/application.Version=1.0.0",
            "-X=github.com/x/app/build.Commit=1234abc",
            "-X=github.com/x/app/version.Version=dev",
        ] {
            assert_eq!(modules(&format!("build\t-ldflags=\"{flags}\"\n")), []);
        }
        assert_eq!(modules(""), []);
        let built_from_file = "path\tcommand-line-arguments\ndep\tgithub.com/x/app\t(devel)\t\nbuild\t-ldflags=\"-X=github.com/x/app/version.Version=2.0.0\"\n";
        let payload = tagged(TAG, format!("go1.24.11\n{built_from_file}").as_bytes());
        let found = GoBinary
            .catalog("/usr/bin/app", &payload, &Context::default())
            .unwrap();
        assert!(
            found
                .iter()
                .any(|p| p.name == "github.com/x/app" && p.version == "2.0.0")
        );
        assert!(GoBinary.reduce(b"#!/bin/sh\necho hi\n").is_none());
    }
}
