//! The catalogers, one file each, and their registration list.

mod apk;
pub(crate) mod binary;
mod cargo_auditable;
mod cargo_lock;
mod composer_lock;
mod dotnet;
mod dpkg;
mod gemfile_lock;
mod gemspec;
mod go_binary;
mod go_mod;
mod java_archive;
mod node_installed;
mod npm_lock;
mod pipfile_lock;
mod pnpm_lock;
mod poetry_lock;
mod python_installed;
mod requirements;
#[cfg(feature = "rpm-sqlite")]
mod rpm;
mod rpm_bdb;
mod rpm_header;
mod rpm_ndb;
mod uv_lock;
mod yarn_lock;

use cdeguard_model::{Ecosystem, Package};

pub use crate::Cataloger;
use crate::Context;

/// Every cataloger, in the order their packages are listed.
pub static CATALOGERS: &[&dyn Cataloger] = &[
    &dpkg::Dpkg,
    &apk::Apk,
    #[cfg(feature = "rpm-sqlite")]
    &rpm::Rpm,
    &rpm_bdb::RpmBerkeleyDb,
    &rpm_ndb::RpmNdb,
    &python_installed::PythonInstalled,
    &requirements::Requirements,
    &poetry_lock::PoetryLock,
    &pipfile_lock::PipfileLock,
    &uv_lock::UvLock,
    &npm_lock::NpmLock,
    &yarn_lock::YarnLock,
    &pnpm_lock::PnpmLock,
    &node_installed::NodeInstalled,
    &cargo_lock::CargoLock,
    &go_mod::GoMod,
    &go_binary::GoBinary,
    &cargo_auditable::CargoAuditable,
    &java_archive::JavaArchive,
    &gemfile_lock::GemfileLock,
    &gemspec::Gemspec,
    &composer_lock::ComposerLock,
    &dotnet::DepsJson,
    &dotnet::PackagesLock,
];

/// An OS package: ecosystem and release from the detected OS (`default` when unknown),
/// purl `pkg:<kind>/<distro id>/<name>@<version>?<qualifiers>&distro=<id>-<version>`.
pub(crate) fn os_package(
    ctx: &Context<'_>,
    default: Ecosystem,
    kind: &str,
    name: &str,
    version: &str,
    qualifiers: &[(&str, &str)],
    found_in: &str,
) -> Package {
    let ecosystem = ctx
        .os
        .and_then(crate::os::ecosystem)
        .filter(|e| e.is_os())
        .unwrap_or(default);
    let namespace = match ctx.os.map(|o| o.id.as_str()) {
        Some("rhel") => "redhat".to_owned(),
        Some(id) => id.to_owned(),
        None => default.osv_name().to_ascii_lowercase().replace(' ', ""),
    };
    let distro = crate::os::purl_distro(ctx.os);
    let mut quals = qualifiers.to_vec();
    quals.push(("distro", &distro));
    let mut package = crate::package(
        ecosystem,
        name,
        version,
        crate::purl::build(kind, Some(&namespace), name, version, &quals),
        found_in,
    );
    package.distro_release = ctx.os.and_then(crate::os::osv_release);
    package
}

/// A language package with its standard purl.
pub(crate) fn lang_package(
    ecosystem: Ecosystem,
    name: &str,
    version: &str,
    found_in: &str,
) -> Package {
    crate::package(
        ecosystem,
        name,
        version,
        crate::purl::language(ecosystem, name, version),
        found_in,
    )
}

/// Parses JSON, naming the file and line on error.
pub(crate) fn json<'a, T: serde::Deserialize<'a>>(
    path: &str,
    bytes: &'a [u8],
) -> Result<T, crate::CatalogError> {
    serde_json::from_slice(bytes).map_err(|e| crate::CatalogError::json(path, &e))
}

/// Parses TOML, naming the file and line on error.
pub(crate) fn toml<T: serde::de::DeserializeOwned>(
    path: &str,
    bytes: &[u8],
) -> Result<T, crate::CatalogError> {
    let text = crate::text::utf8(path, bytes)?;
    toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        crate::CatalogError::new(
            path,
            line.and_then(|l| u32::try_from(l).ok()),
            e.message().to_owned(),
        )
    })
}

/// Parses YAML (pnpm, yarn berry), naming the file on error.
pub(crate) fn yaml<T: serde::de::DeserializeOwned>(
    path: &str,
    bytes: &[u8],
) -> Result<T, crate::CatalogError> {
    let text = crate::text::utf8(path, bytes)?;
    serde_saphyr::from_str(text).map_err(|e| {
        crate::CatalogError::new(
            path,
            None,
            e.to_string()
                .lines()
                .next()
                .unwrap_or("invalid YAML")
                .to_owned(),
        )
    })
}

/// Whether a path lies inside a `node_modules` folder (installed, not a project lockfile).
pub(crate) fn in_node_modules(path: &str) -> bool {
    path.contains("/node_modules/")
}
