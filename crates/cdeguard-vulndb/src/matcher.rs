//! Matches catalogued packages against the database: each package is looked up under its
//! advisory key (source package for OS packages, normalised name for language packages,
//! with and without distro release), each advisory's `affected` entries are evaluated
//! with the OSV algorithm, and advisories that alias each other (a PYSEC, its GHSA and
//! its CVE) become one match.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

use cdeguard_model::Package;
use rayon::prelude::*;

use crate::db::{Database, DbError};
use crate::entry::AdvisoryView;
use crate::key;
use crate::range::{self, Verdict};
use crate::store::StoredAdvisory;

/// One vulnerability of one package: one or more advisories that alias each other.
#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    /// Index into the packages given to [`match_packages`].
    pub package: usize,
    /// The advisories, sorted by id (without their ranges and version lists, which
    /// matching has used up; see [`AdvisoryView::report`]).
    pub advisories: Vec<StoredAdvisory>,
    /// The preferred id: a CVE if any advisory is or names one, else a GHSA, else the
    /// smallest record id.
    pub id: String,
    /// Every other id and alias.
    pub aliases: Vec<String>,
    /// Versions that fix it, from every advisory of the group (deduplicated, in record
    /// order).
    pub fixed_versions: Vec<String>,
}

/// The result of matching.
#[derive(Debug, Default)]
pub struct Matches {
    pub matches: Vec<Match>,
    /// Advisories that could not be evaluated for a package (a version the ecosystem's
    /// ordering rejects), as messages.
    pub undecidable: Vec<String>,
}

/// Matches every package, in parallel (each worker decodes the entries it needs once).
///
/// # Errors
/// A corrupt database entry.
pub fn match_packages(db: &Database, packages: &[Package]) -> Result<Matches, DbError> {
    let per_package: Vec<Result<Matches, DbError>> = packages
        .par_iter()
        .enumerate()
        .map_init(HashMap::new, |decoded, (index, package)| {
            match_package(db, decoded, index, package)
        })
        .collect();
    let mut out = Matches::default();
    for result in per_package {
        let found = result?;
        out.matches.extend(found.matches);
        out.undecidable.extend(found.undecidable);
    }
    Ok(out)
}

/// Entries already decoded by one worker: many packages share a key (Debian binaries of
/// one source package).
type Decoded<'db> = HashMap<Vec<u8>, Rc<Vec<AdvisoryView<'db>>>>;

fn match_package<'db>(
    db: &'db Database,
    decoded: &mut Decoded<'db>,
    index: usize,
    package: &Package,
) -> Result<Matches, DbError> {
    let mut out = Matches::default();
    let version = key::advisory_version(package);
    let installed = range::Installed::new(package.ecosystem, version);
    let mut hits: Vec<(StoredAdvisory, Vec<String>)> = Vec::new();
    let package_keys = key::package_keys(package);
    let package_key_count = package_keys.len();
    for package_key in package_keys {
        let advisories = match decoded.get(&package_key) {
            Some(found) => Rc::clone(found),
            None => {
                let found = Rc::new(db.lookup(&package_key)?);
                decoded.insert(package_key, Rc::clone(&found));
                found
            }
        };
        for advisory in advisories.iter() {
            // Only a record without a release can repeat under the second key.
            if package_key_count > 1 && hits.iter().any(|(h, _)| h.id == advisory.id) {
                continue;
            }
            let mut affected = false;
            let mut fixed = Vec::new();
            for entry in &advisory.affected {
                match range::evaluate_installed(package.ecosystem, &installed, entry) {
                    Verdict::Affected => {
                        affected = true;
                        fixed.extend(range::fixed_versions(entry));
                    }
                    Verdict::NotAffected => {}
                    Verdict::Undecidable(e) => out.undecidable.push(format!(
                        "{} {} {version} ({}): {} not evaluated: {e}",
                        package.ecosystem, package.name, package.found_in, advisory.id
                    )),
                }
            }
            if affected {
                let report = advisory.report().map_err(|reason| DbError::Corrupt {
                    path: db.name().to_owned(),
                    reason: format!("report of {}: {reason}", advisory.id),
                })?;
                hits.push((report, fixed));
            }
        }
    }
    out.matches = group_aliases(index, hits);
    Ok(out)
}

/// Groups advisories whose ids or aliases overlap (transitively), with a union-find over
/// the names (packages like Go's `stdlib` match hundreds of advisories).
fn group_aliases(package: usize, hits: Vec<(StoredAdvisory, Vec<String>)>) -> Vec<Match> {
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut parent: Vec<usize> = (0..hits.len()).collect();
    let mut owner: HashMap<&str, usize> = HashMap::new();
    for (i, (advisory, _)) in hits.iter().enumerate() {
        let names = std::iter::once(&advisory.id)
            .chain(&advisory.aliases)
            .chain(&advisory.upstream);
        for name in names {
            match owner.get(name.as_str()) {
                Some(&other) => {
                    let (a, b) = (root(&mut parent, i), root(&mut parent, other));
                    parent[a.max(b)] = a.min(b);
                }
                None => {
                    owner.insert(name, i);
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..hits.len() {
        let r = root(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    let mut slots: Vec<Option<(StoredAdvisory, Vec<String>)>> =
        hits.into_iter().map(Some).collect();
    let mut matches: Vec<Match> = groups
        .into_values()
        .map(|members| {
            let mut members: Vec<(StoredAdvisory, Vec<String>)> = members
                .into_iter()
                .filter_map(|i| slots[i].take())
                .collect();
            members.sort_by(|a, b| a.0.id.cmp(&b.0.id));
            let ids: BTreeSet<String> = members
                .iter()
                .flat_map(|(a, _)| {
                    std::iter::once(&a.id)
                        .chain(&a.aliases)
                        .chain(&a.upstream)
                        .cloned()
                })
                .collect();
            let id = preferred_id(&ids);
            let mut fixed_versions: Vec<String> = Vec::new();
            for (_, fixed) in &members {
                for v in fixed {
                    if !fixed_versions.contains(v) {
                        fixed_versions.push(v.clone());
                    }
                }
            }
            Match {
                package,
                aliases: ids.into_iter().filter(|i| *i != id).collect(),
                id,
                advisories: members.into_iter().map(|(a, _)| a).collect(),
                fixed_versions,
            }
        })
        .collect();
    matches.sort_by(|a, b| a.id.cmp(&b.id));
    matches
}

fn preferred_id(ids: &BTreeSet<String>) -> String {
    ids.iter()
        .find(|i| i.starts_with("CVE-"))
        .or_else(|| ids.iter().find(|i| i.starts_with("GHSA-")))
        .or_else(|| ids.iter().next())
        .cloned()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Builder;
    use crate::import::parse_records;
    use cdeguard_model::Ecosystem;

    fn package(ecosystem: Ecosystem, name: &str, version: &str) -> Package {
        Package {
            ecosystem,
            name: name.into(),
            version: version.into(),
            purl: String::new(),
            distro_release: None,
            source_name: None,
            source_version: None,
            licenses: Vec::new(),
            layer: None,
            found_in: "requirements.txt".into(),
        }
    }

    fn db(records: &[&str]) -> Database {
        let mut builder = Builder::new(Vec::new());
        for json in records {
            for record in parse_records("t.json", json.as_bytes()).unwrap() {
                builder.add(&record);
            }
        }
        Database::from_bytes("test", builder.to_bytes()).unwrap()
    }

    const PYSEC: &str = r#"{"id":"PYSEC-2020-1","aliases":["CVE-2020-1","GHSA-aaaa"],"affected":[{"package":{"ecosystem":"PyPI","name":"PyYAML"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"5.4"}]}]}]}"#;
    const GHSA: &str = r#"{"id":"GHSA-aaaa","aliases":["CVE-2020-1"],"affected":[{"package":{"ecosystem":"PyPI","name":"pyyaml"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"5.4.1"}]}]}]}"#;

    #[test]
    fn aliases_merge_into_one_match_with_every_fix() {
        let db = db(&[PYSEC, GHSA]);
        let packages = [package(Ecosystem::PyPI, "PyYAML", "5.3")];
        let result = match_packages(&db, &packages).unwrap();
        assert_eq!(result.matches.len(), 1, "{:?}", result.matches);
        let m = &result.matches[0];
        assert_eq!(m.id, "CVE-2020-1");
        assert_eq!(m.aliases, ["GHSA-aaaa", "PYSEC-2020-1"]);
        assert_eq!(m.fixed_versions, ["5.4.1", "5.4"]);
        let fixed = [package(Ecosystem::PyPI, "pyyaml", "5.4.1")];
        assert!(match_packages(&db, &fixed).unwrap().matches.is_empty());
    }

    #[test]
    fn os_packages_match_through_source_package_and_release() {
        let dsa = r#"{"id":"DSA-1","affected":[{"package":{"ecosystem":"Debian:12","name":"openssl"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.0.15-1~deb12u1"}]}]}]}"#;
        let db = db(&[dsa]);
        let mut libssl = package(Ecosystem::Debian, "libssl3", "3.0.14-1~deb12u2");
        libssl.source_name = Some("openssl".into());
        libssl.distro_release = Some("12".into());
        assert_eq!(
            match_packages(&db, &[libssl.clone()])
                .unwrap()
                .matches
                .len(),
            1
        );
        libssl.distro_release = Some("11".into());
        assert!(match_packages(&db, &[libssl]).unwrap().matches.is_empty());
    }

    #[test]
    fn withdrawn_records_are_not_stored() {
        let withdrawn = r#"{"id":"GHSA-w","withdrawn":"2021-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"x"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}]}]}"#;
        let db = db(&[withdrawn]);
        assert_eq!(db.info().withdrawn, 1);
        assert!(
            match_packages(&db, &[package(Ecosystem::Npm, "x", "1.0.0")])
                .unwrap()
                .matches
                .is_empty()
        );
    }
}
