//! Group commit from a line stream (`cdeguard audit append` reads NDJSON on stdin): a
//! reader thread reads and prepares the next group of lines while the caller's thread
//! commits the previous one, so parsing overlaps the `fdatasync`. A group ends at `max`
//! lines or when no more input is immediately available, so a producer that writes one
//! record at a time is acknowledged at once.
//!
//! The bench's cost floor (`examples/plain_append.rs`) runs through this same path with
//! a group that only collects the raw lines.

use std::io::{BufRead as _, BufReader, Read};
use std::path::Path;
use std::sync::mpsc;

use crate::batch::Batch;
use crate::error::{AuditError, Result};

/// A reusable group of input lines.
pub trait Group: Default + Send + 'static {
    /// Adds one non-blank line (without its line break); `line` numbers errors.
    fn add(&mut self, text: &str, line: usize) -> Result<()>;
    /// Lines held.
    fn len(&self) -> usize;
    /// Whether the group holds no line.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Empties the group, keeping its memory.
    fn clear(&mut self);
}

impl Group for Batch {
    fn add(&mut self, text: &str, line: usize) -> Result<()> {
        self.push_line(text, line)
    }
    fn len(&self) -> usize {
        Batch::len(self)
    }
    fn clear(&mut self) {
        Batch::clear(self);
    }
}

/// Reads `input` to its end in groups of at most `max` lines and hands each group to
/// `commit`, in order. A bad line stops the run after the lines before it are committed.
pub fn run<G: Group>(
    input: BufReader<impl Read + Send + 'static>,
    max: usize,
    mut commit: impl FnMut(&G) -> Result<()>,
) -> Result<()> {
    // Two groups circulate: one being filled, one being committed.
    let (filled_tx, filled) = mpsc::sync_channel::<Result<G>>(1);
    let (empty, empty_rx) = mpsc::sync_channel::<G>(2);
    for _ in 0..2 {
        let _ = empty.send(G::default());
    }
    let reader = std::thread::spawn(move || read_groups(input, max.max(1), &empty_rx, &filled_tx));
    for group in filled {
        let mut group = group?;
        commit(&group)?;
        group.clear();
        // The reader may have stopped (end of input); nothing then needs the group.
        let _ = empty.send(group);
    }
    // The channel closed: the reader reached the end of its input and returns at once.
    let _ = reader.join();
    Ok(())
}

fn read_groups<G: Group>(
    mut input: BufReader<impl Read>,
    max: usize,
    empty: &mpsc::Receiver<G>,
    filled: &mpsc::SyncSender<Result<G>>,
) {
    let Ok(mut group) = empty.recv() else { return };
    let mut line = String::new();
    let mut line_no = 0;
    loop {
        line.clear();
        match input.read_line(&mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                return send_last(filled, group, Some(AuditError::io(Path::new("<stdin>"), e)));
            }
        }
        line_no += 1;
        let text = line.trim_end();
        if !text.trim_start().is_empty()
            && let Err(e) = group.add(text, line_no)
        {
            return send_last(filled, group, Some(e));
        }
        // `buffer()` tells, without blocking, whether more input is already here.
        if !group.is_empty() && (group.len() >= max || input.buffer().is_empty()) {
            if filled.send(Ok(group)).is_err() {
                return;
            }
            let Ok(next) = empty.recv() else { return };
            group = next;
        }
    }
    send_last(filled, group, None);
}

/// Sends the last group (if it holds lines), then the error that ended the input.
fn send_last<G: Group>(filled: &mpsc::SyncSender<Result<G>>, group: G, error: Option<AuditError>) {
    if !group.is_empty() && filled.send(Ok(group)).is_err() {
        return;
    }
    if let Some(e) = error {
        let _ = filled.send(Err(e));
    }
}
