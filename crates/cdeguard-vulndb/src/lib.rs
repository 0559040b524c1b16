//! The vulnerability database: OSV records imported from folders, zip files and single
//! files ([`import`]) into one memory-mapped file indexed by (ecosystem, package)
//! ([`db`]), and exact matching of catalogued packages against it ([`matcher`], with the
//! OSV range algorithm in [`range`]).

pub mod db;
pub mod embedded;
pub mod entry;
pub mod findings;
pub mod import;
pub mod key;
pub mod matcher;
pub mod osv;
pub mod range;
pub mod severity;
pub mod store;
#[cfg(feature = "download")]
pub mod update;

pub use db::{Builder, Database, DbError, Info};
pub use import::{Import, Warning};
