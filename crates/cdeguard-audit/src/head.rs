//! `head.json`: the writer's state after its last commit, so the next batch (possibly
//! from another process) starts without rescanning. It is a cache guarded by a checksum;
//! anything inconsistent sends the writer to recovery, which rebuilds it from the
//! last segment. It also remembers the clocks of the last commit (for clock-jump alerts)
//! and the number of acknowledged records (for truncation detection).

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::hash::Digest;
use crate::layout::{Layout, overwrite_cache};
use crate::merkle::Frontier;

/// The cached writer state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Head {
    /// Records acknowledged.
    pub size: u64,
    /// Chain value after the last record.
    pub chain: Digest,
    /// Merkle frontier at `size`.
    pub frontier: Vec<Digest>,
    /// First seq of the active segment.
    pub segment: u64,
    /// Length of the active segment after the last commit.
    pub segment_len: u64,
    /// Length of `checkpoints.ndjson` after the last commit.
    pub checkpoints_len: u64,
    /// Size of the last checkpoint (0 if none).
    pub checkpoint_size: u64,
    /// Time of the last checkpoint.
    pub checkpoint_time: Option<String>,
    /// Id of the key that signs checkpoints now.
    pub signing_key: Option<String>,
    /// Wall-clock time of the last commit.
    pub wall: String,
    /// Kernel boot id at the last commit.
    pub boot_id: String,
    /// CLOCK_BOOTTIME (ns) at the last commit.
    pub boot_ns: u64,
}

impl Head {
    /// The frontier, if consistent with `size`.
    pub fn frontier(&self) -> Option<Frontier> {
        Frontier::from_parts(self.size, self.frontier.clone())
    }

    /// Reads `head.json`; `None` if missing or damaged (the writer then recovers).
    pub fn load(layout: &Layout) -> Option<Head> {
        let text = std::fs::read_to_string(layout.head()).ok()?;
        let (json, sum) = text.trim_end().rsplit_once('\n')?;
        if Digest::of(&[json.as_bytes()]).to_hex() != sum {
            return None;
        }
        serde_json::from_str(json).ok()
    }

    /// Writes `head.json` (in place, no fsync: it is a cache guarded by its checksum).
    pub fn store(&self, layout: &Layout) -> Result<()> {
        let json = serde_json::to_string(self).unwrap_or_default();
        let sum = Digest::of(&[json.as_bytes()]).to_hex();
        overwrite_cache(&layout.head(), format!("{json}\n{sum}\n").as_bytes())
    }
}

/// Kernel boot id (changes on reboot; CLOCK_BOOTTIME is comparable only within one boot).
pub fn boot_id() -> String {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

/// CLOCK_BOOTTIME in nanoseconds: steady, counts suspend, unaffected by clock changes.
pub fn boot_ns() -> u64 {
    let ts = rustix::time::clock_gettime(rustix::time::ClockId::Boottime);
    u64::try_from(ts.tv_sec).unwrap_or(0) * 1_000_000_000 + u64::try_from(ts.tv_nsec).unwrap_or(0)
}
