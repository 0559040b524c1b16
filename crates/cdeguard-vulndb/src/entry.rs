//! The bytes of one database entry: every advisory stored under one package key.
//!
//! Matching reads only ranges and version lists, for every advisory of the package;
//! reports read the rest, for the few that match. So each advisory is stored as a match
//! part that decodes without copying (strings borrow from the mapped file) and a report
//! part (the advisory without ranges and version lists), skipped unless it matches.
//! Both are a compact binary layout: decoding JSON was most of the matching time.
//!
//! ```text
//! entry     := count advisory*
//! advisory  := str(id) bytes(report) count affected*
//! affected  := u8(1 = versions sorted) count range* count str(version)*
//! range     := u8(kind) u8(1 = sorted) count event*
//! event     := u8(kind) str(version)
//! report    := strs(aliases) strs(upstream) opt(summary) opt(published) opt(modified)
//!              pairs(severity) opt(stated severity)
//!              count (pairs(severity) opt(stated severity))* strs(references)
//! count/len := unsigned LEB128;  str := len + UTF-8;  bytes := len + bytes
//! strs := count str*;  opt := u8(0) | u8(1) str;  pairs := count (str str)*
//! ```

use crate::osv::RangeKind;
use crate::store::{
    AffectedView, AsEventRef, EventKind, EventRef, RangeView, StoredAdvisory, StoredAffected,
};

/// One advisory as matching reads it.
#[derive(Clone, Debug)]
pub struct AdvisoryView<'a> {
    pub id: &'a str,
    pub affected: Vec<AffectedView<'a>>,
    report: &'a [u8],
}

impl AdvisoryView<'_> {
    /// The advisory as reports show it (without ranges and version lists).
    ///
    /// # Errors
    /// A report part that does not follow the layout, described.
    pub fn report(&self) -> Result<StoredAdvisory, String> {
        let mut reader = Reader {
            bytes: self.report,
            at: 0,
        };
        let owned = |s: &str| s.to_owned();
        let mut advisory = StoredAdvisory {
            id: self.id.to_owned(),
            aliases: reader.strs()?,
            upstream: reader.strs()?,
            summary: reader.opt()?.map(owned),
            published: reader.opt()?.map(owned),
            modified: reader.opt()?.map(owned),
            severity: reader.pairs()?,
            stated_severity: reader.opt()?.map(owned),
            affected: Vec::new(),
            references: Vec::new(),
        };
        advisory.affected = (0..reader.count()?)
            .map(|_| {
                Ok(StoredAffected {
                    ranges: Vec::new(),
                    versions: Vec::new(),
                    versions_sorted: false,
                    severity: reader.pairs()?,
                    stated_severity: reader.opt()?.map(owned),
                })
            })
            .collect::<Result<_, String>>()?;
        advisory.references = reader.strs()?;
        reader.finished()?;
        Ok(advisory)
    }
}

fn encode_report(advisory: &StoredAdvisory) -> Vec<u8> {
    let mut out = Vec::new();
    put_strs(&mut out, &advisory.aliases);
    put_strs(&mut out, &advisory.upstream);
    put_opt(&mut out, advisory.summary.as_deref());
    put_opt(&mut out, advisory.published.as_deref());
    put_opt(&mut out, advisory.modified.as_deref());
    put_pairs(&mut out, &advisory.severity);
    put_opt(&mut out, advisory.stated_severity.as_deref());
    put_len(&mut out, advisory.affected.len());
    for affected in &advisory.affected {
        put_pairs(&mut out, &affected.severity);
        put_opt(&mut out, affected.stated_severity.as_deref());
    }
    put_strs(&mut out, &advisory.references);
    out
}

/// Encodes the advisories of one package key.
#[must_use]
pub fn encode(advisories: &[StoredAdvisory]) -> Vec<u8> {
    let mut out = Vec::new();
    put_len(&mut out, advisories.len());
    for advisory in advisories {
        put_str(&mut out, &advisory.id);
        put_bytes(&mut out, &encode_report(advisory));
        put_len(&mut out, advisory.affected.len());
        for affected in &advisory.affected {
            out.push(u8::from(affected.versions_sorted));
            put_len(&mut out, affected.ranges.len());
            for range in &affected.ranges {
                out.push(match range.kind {
                    RangeKind::Semver => 0,
                    RangeKind::Ecosystem => 1,
                    RangeKind::Git => 2,
                });
                out.push(u8::from(range.sorted));
                put_len(&mut out, range.events.len());
                for event in range.events.iter().map(AsEventRef::event_ref) {
                    out.push(match event.kind {
                        EventKind::Introduced => 0,
                        EventKind::Fixed => 1,
                        EventKind::LastAffected => 2,
                        EventKind::Limit => 3,
                    });
                    put_str(&mut out, event.version);
                }
            }
            put_len(&mut out, affected.versions.len());
            for version in &affected.versions {
                put_str(&mut out, version);
            }
        }
    }
    out
}

/// Decodes an entry written by [`encode`].
///
/// # Errors
/// Bytes that do not follow the layout (truncated, bad tag, bad UTF-8), described.
pub fn decode(bytes: &[u8]) -> Result<Vec<AdvisoryView<'_>>, String> {
    let mut reader = Reader { bytes, at: 0 };
    let advisories = (0..reader.count()?)
        .map(|_| {
            let id = reader.str()?;
            let report = reader.bytes()?;
            let affected = (0..reader.count()?)
                .map(|_| reader.affected())
                .collect::<Result<_, String>>()?;
            Ok(AdvisoryView {
                id,
                affected,
                report,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    reader.finished()?;
    Ok(advisories)
}

fn put_len(out: &mut Vec<u8>, mut n: usize) {
    loop {
        let low = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(low);
            return;
        }
        out.push(low | 0x80);
    }
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    put_len(out, bytes.len());
    out.extend_from_slice(bytes);
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_bytes(out, s.as_bytes());
}

fn put_strs(out: &mut Vec<u8>, list: &[String]) {
    put_len(out, list.len());
    for s in list {
        put_str(out, s);
    }
}

fn put_opt(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => {
            out.push(1);
            put_str(out, s);
        }
        None => out.push(0),
    }
}

fn put_pairs(out: &mut Vec<u8>, pairs: &[(String, String)]) {
    put_len(out, pairs.len());
    for (a, b) in pairs {
        put_str(out, a);
        put_str(out, b);
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn u8(&mut self) -> Result<u8, String> {
        let b = *self
            .bytes
            .get(self.at)
            .ok_or_else(|| format!("truncated at byte {}", self.at))?;
        self.at += 1;
        Ok(b)
    }

    fn len(&mut self) -> Result<usize, String> {
        let mut n = 0usize;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            n |= usize::from(b & 0x7f)
                .checked_shl(shift)
                .ok_or("length overflows")?;
            if b & 0x80 == 0 {
                return Ok(n);
            }
        }
        Err(format!("length too long at byte {}", self.at))
    }

    /// A count of items that each take at least one byte, so never more than remain:
    /// a corrupt count cannot make a collection reserve absurd memory.
    fn count(&mut self) -> Result<usize, String> {
        let n = self.len()?;
        if n > self.bytes.len() - self.at {
            return Err(format!("count {n} exceeds the entry at byte {}", self.at));
        }
        Ok(n)
    }

    fn bytes(&mut self) -> Result<&'a [u8], String> {
        let len = self.len()?;
        let end = self
            .at
            .checked_add(len)
            .filter(|end| *end <= self.bytes.len())
            .ok_or_else(|| format!("truncated at byte {}", self.at))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn str(&mut self) -> Result<&'a str, String> {
        let at = self.at;
        std::str::from_utf8(self.bytes()?).map_err(|_| format!("invalid UTF-8 at byte {at}"))
    }

    fn strs(&mut self) -> Result<Vec<String>, String> {
        (0..self.count()?)
            .map(|_| self.str().map(str::to_owned))
            .collect()
    }

    fn opt(&mut self) -> Result<Option<&'a str>, String> {
        match self.u8()? {
            0 => Ok(None),
            1 => self.str().map(Some),
            other => Err(format!("bad option tag {other} at byte {}", self.at - 1)),
        }
    }

    fn pairs(&mut self) -> Result<Vec<(String, String)>, String> {
        (0..self.count()?)
            .map(|_| Ok((self.str()?.to_owned(), self.str()?.to_owned())))
            .collect()
    }

    fn finished(&self) -> Result<(), String> {
        match self.bytes.len() - self.at {
            0 => Ok(()),
            extra => Err(format!("{extra} bytes after the end")),
        }
    }

    fn affected(&mut self) -> Result<AffectedView<'a>, String> {
        let versions_sorted = self.u8()? == 1;
        let ranges = (0..self.count()?)
            .map(|_| self.range())
            .collect::<Result<_, String>>()?;
        let versions = (0..self.count()?)
            .map(|_| self.str())
            .collect::<Result<_, String>>()?;
        Ok(AffectedView {
            ranges,
            versions,
            versions_sorted,
        })
    }

    fn range(&mut self) -> Result<RangeView<'a>, String> {
        let kind = match self.u8()? {
            0 => RangeKind::Semver,
            1 => RangeKind::Ecosystem,
            2 => RangeKind::Git,
            other => return Err(format!("unknown range kind {other}")),
        };
        let sorted = self.u8()? == 1;
        let events = (0..self.count()?)
            .map(|_| {
                let kind = match self.u8()? {
                    0 => EventKind::Introduced,
                    1 => EventKind::Fixed,
                    2 => EventKind::LastAffected,
                    3 => EventKind::Limit,
                    other => return Err(format!("unknown event kind {other}")),
                };
                Ok(EventRef {
                    kind,
                    version: self.str()?,
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(RangeView {
            kind,
            sorted,
            events,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::osv::Event;
    use crate::store::StoredRange;

    fn advisory() -> StoredAdvisory {
        StoredAdvisory {
            id: "PYSEC-1".into(),
            aliases: vec!["CVE-1".into()],
            upstream: Vec::new(),
            summary: Some("s".repeat(200)),
            published: Some("2024-01-01T00:00:00Z".into()),
            modified: None,
            severity: vec![("CVSS_V3".into(), "CVSS:3.1/AV:N".into())],
            stated_severity: None,
            affected: vec![StoredAffected {
                ranges: vec![StoredRange {
                    kind: RangeKind::Ecosystem,
                    events: vec![
                        Event::Introduced("0".into()),
                        Event::Fixed("1.0".into()),
                        Event::LastAffected("ü".into()),
                        Event::Limit("*".into()),
                    ],
                    sorted: true,
                }],
                versions: (0..200).map(|i| format!("0.{i}")).collect(),
                versions_sorted: true,
                severity: Vec::new(),
                stated_severity: Some("HIGH".into()),
            }],
            references: vec!["https://example.test/a".into()],
        }
    }

    #[test]
    fn round_trip_keeps_what_matching_and_reports_read() {
        let stored = [
            advisory(),
            StoredAdvisory {
                id: "GHSA-2".into(),
                ..advisory()
            },
        ];
        let bytes = encode(&stored);
        let views = decode(&bytes).unwrap();
        assert_eq!(views.len(), 2);
        for (view, original) in views.iter().zip(&stored) {
            assert_eq!(view.id, original.id);
            assert_eq!(view.affected, [original.affected[0].view()]);
            // Reports keep every field but what only matching reads.
            let without_ranges = StoredAdvisory {
                affected: vec![StoredAffected {
                    ranges: Vec::new(),
                    versions: Vec::new(),
                    versions_sorted: false,
                    ..original.affected[0].clone()
                }],
                ..original.clone()
            };
            assert_eq!(view.report().unwrap(), without_ranges);
        }
    }

    #[test]
    fn every_truncation_and_trailing_garbage_is_an_error() {
        let bytes = encode(&[advisory()]);
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(&longer).is_err());
    }

    #[test]
    fn absurd_counts_are_refused_before_allocating() {
        let mut bytes = Vec::new();
        put_len(&mut bytes, usize::MAX >> 1);
        assert!(decode(&bytes).unwrap_err().contains("exceeds"));
    }
}
