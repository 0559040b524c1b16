//! Package catalogers and SBOMs.
//!
//! A [`Cataloger`] names the files it needs ([`Cataloger::required`], asked for every file
//! of an image or root filesystem while it is streamed) and turns one such file into
//! [`Package`]s. The image walker keeps only required files in memory, so the
//! registration list [`CATALOGERS`] is also the list of files read. Each cataloger's
//! `VERSION` is part of the image layer cache key: bump it when its output changes.
//!
//! `sbom` writes CycloneDX 1.6 and SPDX 2.3 JSON and reads both back.

pub mod catalogers;
pub mod os;
pub mod purl;
pub mod sbom;
mod text;

use cdeguard_model::Package;
use cdeguard_model::image::OsRelease;

use std::borrow::Cow;

pub use catalogers::CATALOGERS;

/// A parse error in one file, with the line when known.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct CatalogError {
    pub path: String,
    pub line: Option<u32>,
    pub message: String,
}

impl CatalogError {
    #[must_use]
    pub fn new(path: &str, line: Option<u32>, message: impl Into<String>) -> Self {
        Self {
            path: path.to_owned(),
            line,
            message: message.into(),
        }
    }

    /// An error from a serde parser (JSON, TOML, YAML), keeping its line.
    #[must_use]
    pub fn json(path: &str, e: &serde_json::Error) -> Self {
        Self::new(
            path,
            u32::try_from(e.line()).ok().filter(|l| *l > 0),
            e.to_string(),
        )
    }
}

/// What a cataloger knows about a file before it is read.
#[derive(Clone, Copy, Debug)]
pub struct FileMeta<'a> {
    /// Absolute path inside the image or root filesystem (`/var/lib/dpkg/status`).
    pub path: &'a str,
    /// Permission bits.
    pub mode: u32,
    pub size: u64,
}

impl FileMeta<'_> {
    /// File name (last path component).
    #[must_use]
    pub fn name(&self) -> &str {
        // A plain byte scan from the end: every cataloger asks for every file of an
        // image, and `rsplit` costs several times more per call.
        match self.path.bytes().rposition(|b| b == b'/') {
            Some(slash) => &self.path[slash + 1..],
            None => self.path,
        }
    }
}

/// What catalogers may know about the whole filesystem.
#[derive(Clone, Copy, Debug, Default)]
pub struct Context<'a> {
    pub os: Option<&'a OsRelease>,
}

/// One package cataloger. See the crate docs.
pub trait Cataloger: Sync + Send {
    /// Stable id (`dpkg`, `python-installed`, ...).
    fn id(&self) -> &'static str;
    /// Output version; part of the layer cache key.
    fn version(&self) -> u32;
    /// Whether the file must be kept for [`Cataloger::catalog`].
    fn required(&self, file: &FileMeta<'_>) -> bool;
    /// Largest file this cataloger reads (bigger files are skipped with an error).
    fn max_size(&self) -> u64 {
        64 * 1024 * 1024
    }
    /// For executables: the only sections of the file that [`Cataloger::reduce`] looks
    /// at (`None`: it may look at any byte). Lets [`read_file`] skip the rest of an ELF
    /// file.
    fn sections(&self) -> Option<&'static [&'static str]> {
        None
    }
    /// Shrinks a required file right after it is read, before it is kept (a binary is
    /// reduced to its embedded dependency data). `None` drops it: nothing of ours in it.
    /// Borrowed, so that image readers can read every file into one reused buffer.
    fn reduce<'a>(&self, bytes: &'a [u8]) -> Option<Cow<'a, [u8]>> {
        Some(Cow::Borrowed(bytes))
    }
    /// The packages described by one required file.
    ///
    /// # Errors
    /// A [`CatalogError`] naming the file (and line) when it cannot be parsed.
    fn catalog(
        &self,
        path: &str,
        bytes: &[u8],
        ctx: &Context<'_>,
    ) -> Result<Vec<Package>, CatalogError>;
}

/// The catalogers that want `file` (empty when none does).
pub fn catalogers_for<'a>(
    file: &'a FileMeta<'a>,
) -> impl Iterator<Item = &'static dyn Cataloger> + 'a {
    CATALOGERS.iter().copied().filter(move |c| c.required(file))
}

/// Whether any cataloger (or OS detection) needs the file, within its size limit.
#[must_use]
pub fn required(file: &FileMeta<'_>) -> bool {
    os::required(file.path) || catalogers_for(file).any(|c| file.size <= c.max_size())
}

/// Applies the interested catalogers' [`Cataloger::reduce`]: the first reduction that
/// changes the contents wins; `None` when every interested cataloger drops the file.
#[must_use]
pub fn reduce<'a>(file: &FileMeta<'_>, bytes: &'a [u8]) -> Option<Cow<'a, [u8]>> {
    if os::required(file.path) {
        return Some(Cow::Borrowed(bytes));
    }
    let mut kept = false;
    for cataloger in catalogers_for(file) {
        match cataloger.reduce(bytes) {
            Some(out) if out.len() != bytes.len() => return Some(out),
            Some(_) => kept = true,
            None => {}
        }
    }
    kept.then_some(Cow::Borrowed(bytes))
}

/// Reads a required file from disk as its catalogers need it: whole, or, when every
/// interested cataloger looks only at some sections of an executable (see
/// [`Cataloger::sections`]), an ELF file with only its headers, section names and those
/// sections read (the other bytes are zero and never read), or empty when it has none
/// of those sections. Anything the sparse read cannot lay out is read whole.
///
/// # Errors
/// I/O errors.
pub fn read_file(
    file: &FileMeta<'_>,
    reader: &mut (impl std::io::Read + std::io::Seek),
) -> std::io::Result<Vec<u8>> {
    let mut sections = Vec::new();
    let sparse = !os::required(file.path)
        && catalogers_for(file).all(|c| {
            c.sections()
                .map(|names| sections.extend_from_slice(names))
                .is_some()
        });
    if sparse && !sections.is_empty() {
        if let Ok(Some(image)) = catalogers::binary::read_elf_sparsely(reader, file.size, &sections)
        {
            return Ok(image);
        }
        reader.seek(std::io::SeekFrom::Start(0))?;
    }
    let mut bytes = Vec::with_capacity(usize::try_from(file.size).unwrap_or(0).min(1 << 26));
    reader.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Identifies the set of catalogers and their versions (for cache keys).
#[must_use]
pub fn fingerprint() -> String {
    let mut parts: Vec<String> = CATALOGERS
        .iter()
        .map(|c| format!("{}@{}", c.id(), c.version()))
        .collect();
    parts.push(format!("os@{}", os::VERSION));
    parts.join(",")
}

/// Runs every interested cataloger on one file.
#[must_use]
pub fn catalog_file(
    file: &FileMeta<'_>,
    bytes: &[u8],
    ctx: &Context<'_>,
) -> (Vec<Package>, Vec<CatalogError>) {
    let mut packages = Vec::new();
    let mut errors = Vec::new();
    for cataloger in catalogers_for(file) {
        if bytes.len() as u64 > cataloger.max_size() {
            errors.push(CatalogError::new(
                file.path,
                None,
                format!(
                    "{} bytes, larger than the {} byte limit of the {} cataloger; skipped",
                    bytes.len(),
                    cataloger.max_size(),
                    cataloger.id()
                ),
            ));
            continue;
        }
        match cataloger.catalog(file.path, bytes, ctx) {
            Ok(found) => packages.extend(found),
            Err(e) => errors.push(e),
        }
    }
    (packages, errors)
}

/// Builds a package with the fields every cataloger sets.
#[must_use]
pub fn package(
    ecosystem: cdeguard_model::Ecosystem,
    name: &str,
    version: &str,
    purl: String,
    found_in: &str,
) -> Package {
    Package {
        ecosystem,
        name: name.to_owned(),
        version: version.to_owned(),
        purl,
        distro_release: None,
        source_name: None,
        source_version: None,
        licenses: Vec::new(),
        layer: None,
        found_in: found_in.to_owned(),
    }
}
