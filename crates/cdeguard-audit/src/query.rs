//! Reading records for people: `tail` and `query` by time range, actor, action and
//! resource. Only acknowledged records are read, each chain-verified on the way.

use std::ops::{ControlFlow, Range};
use std::path::Path;

use crate::error::{AuditError, Result};
use crate::layout::Layout;
use crate::reader::{acknowledged_size, for_each_frame};
use crate::record::Record;

/// A record filter; text fields match exactly, or by prefix when they end in `*`.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Records at or after this time.
    pub since: Option<jiff::Timestamp>,
    /// Records before this time.
    pub until: Option<jiff::Timestamp>,
    /// Actor.
    pub actor: Option<String>,
    /// Action.
    pub action: Option<String>,
    /// Resource.
    pub resource: Option<String>,
}

fn text_matches(pattern: Option<&String>, value: &str) -> bool {
    match pattern {
        None => true,
        Some(p) => match p.strip_suffix('*') {
            Some(prefix) => value.starts_with(prefix),
            None => value == p,
        },
    }
}

impl Filter {
    /// Whether `record` passes.
    pub fn matches(&self, record: &Record) -> bool {
        let time = record.time.parse::<jiff::Timestamp>().ok();
        self.since.is_none_or(|s| time.is_some_and(|t| t >= s))
            && self.until.is_none_or(|u| time.is_some_and(|t| t < u))
            && text_matches(self.actor.as_ref(), &record.actor)
            && text_matches(self.action.as_ref(), &record.action)
            && text_matches(self.resource.as_ref(), &record.resource)
    }
}

/// Calls `visit(payload, record)` for every acknowledged record with `seq >= from` that
/// passes `filter`, in order; returns the sequence numbers read (for the access record).
pub fn query(
    dir: &Path,
    from: u64,
    filter: &Filter,
    mut visit: impl FnMut(&[u8], &Record) -> Result<()>,
) -> Result<Range<u64>> {
    let layout = Layout::new(dir);
    let end = acknowledged_size(&layout);
    let mut next = from;
    for_each_frame(&layout, from, end.unwrap_or(u64::MAX), |frame| {
        next = frame.seq + 1;
        let record = Record::from_canonical(frame.payload).map_err(|e| AuditError::Corrupt {
            path: layout.root().to_owned(),
            offset: frame.offset,
            message: format!("record {} is not valid JSON: {e}", frame.seq),
        })?;
        if filter.matches(&record) {
            visit(frame.payload, &record)?;
        }
        Ok(ControlFlow::Continue(()))
    })?;
    Ok(from..end.unwrap_or(next).max(from))
}

/// The last `count` acknowledged records; returns their sequence numbers.
pub fn tail(
    dir: &Path,
    count: u64,
    visit: impl FnMut(&[u8], &Record) -> Result<()>,
) -> Result<Range<u64>> {
    let layout = Layout::new(dir);
    let end = match acknowledged_size(&layout) {
        Some(end) => end,
        None => {
            let mut n = 0;
            for_each_frame(&layout, 0, u64::MAX, |_| {
                n += 1;
                Ok(ControlFlow::Continue(()))
            })?;
            n
        }
    };
    query(dir, end.saturating_sub(count), &Filter::default(), visit)
}
