//! Fuzzes the vulnerability database's untrusted inputs: OSV records (JSON/YAML) through
//! import, build and matching, raw bytes opened as a database file, and raw bytes as one
//! entry's binary layout (a real file checks each entry's CRC first, so this reaches the
//! decoder directly). Any panic is a
//! bug; a corrupt database must be an error, never a crash.
#![no_main]

use cdeguard_model::{Ecosystem, Package};
use libfuzzer_sys::fuzz_target;

fn package(ecosystem: Ecosystem, name: &str, version: &str) -> Package {
    Package {
        ecosystem,
        name: name.to_owned(),
        version: version.to_owned(),
        purl: String::new(),
        distro_release: Some("12".to_owned()),
        source_name: None,
        source_version: None,
        licenses: Vec::new(),
        layer: None,
        found_in: "fuzz".to_owned(),
    }
}

fuzz_target!(|data: &[u8]| {
    // Bytes as a database file.
    if let Ok(db) = cdeguard_vulndb::Database::from_bytes("fuzz", data.to_vec()) {
        let _ = db.verify();
        let _ = db.lookup(b"PyPI\0django");
    }
    // Bytes as one entry: decoded, evaluated, and its reports decoded.
    if let Ok(advisories) = cdeguard_vulndb::entry::decode(data) {
        for ecosystem in [Ecosystem::PyPI, Ecosystem::Go, Ecosystem::Debian] {
            let installed = cdeguard_vulndb::range::Installed::new(ecosystem, "1.0.0");
            for advisory in &advisories {
                for affected in &advisory.affected {
                    let _ =
                        cdeguard_vulndb::range::evaluate_installed(ecosystem, &installed, affected);
                }
            }
        }
        for advisory in &advisories {
            let _ = advisory.report();
        }
    }
    // Bytes as OSV records, built into a database and matched.
    let Ok(records) = cdeguard_vulndb::import::parse_records("fuzz", data) else {
        return;
    };
    let mut builder = cdeguard_vulndb::Builder::new(Vec::new());
    let mut packages = Vec::new();
    for record in &records {
        builder.add(record);
        for affected in &record.affected {
            let Some(p) = &affected.package else { continue };
            let Some((ecosystem, _)) = cdeguard_vulndb::key::osv_ecosystem(&p.ecosystem) else {
                continue;
            };
            for version in affected
                .versions
                .iter()
                .map(String::as_str)
                .chain(["0", "1.0.0"])
            {
                packages.push(package(ecosystem, &p.name, version));
            }
        }
    }
    let db = cdeguard_vulndb::Database::from_bytes("fuzz", builder.to_bytes())
        .expect("a built database opens");
    let _ = cdeguard_vulndb::matcher::match_packages(&db, &packages);
});
