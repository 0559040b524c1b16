//! Pipelined group commit for a stream of groups (`cdeguard audit append`): the caller's
//! thread renders and hashes group *k+1* (`LogWriter::prepare`) while an I/O thread
//! writes and `fdatasync`s group *k* (`store.rs`), so on two cores hashing overlaps
//! the kernel's copying and the disk. With `ingest`'s reader thread parsing group *k+2*,
//! a stream runs in three stages.
//!
//! Guarantees are those of [`LogWriter::append_batch`]: a group is acknowledged
//! (`on_durable`) only once it is durable, groups are acknowledged in order, and a failed
//! write stops the stream with nothing after the last acknowledged group kept.
//!
//! The log lock is taken when a group arrives and none is in flight, and released by the
//! I/O thread as soon as nothing is in flight any more: while groups follow each other
//! without a pause one writer keeps the lock (and its state in memory), for at most
//! [`MAX_GROUPS_PER_HOLD`] groups, then lets the pipeline drain so that other writers
//! get their turn; the next group reloads the state they left.

use std::sync::{Condvar, Mutex, PoisonError, mpsc};

use crate::batch::Batch;
use crate::error::{AuditError, Result};
use crate::store::{CommitBuffers, Prepared, Store};
use crate::writer::{Committed, LockGuard, LogWriter, State, lock_log};

/// Groups one writer commits under one hold of the log lock before other writers get a
/// turn (each turn drains the pipeline once).
pub const MAX_GROUPS_PER_HOLD: usize = 8;

/// What both threads share.
#[derive(Default)]
struct Session {
    /// Groups entered since the lock was taken.
    groups_held: usize,
    /// The log lock, while groups are in flight.
    lock: Option<LockGuard>,
    /// Groups prepared and not yet persisted.
    in_flight: usize,
    /// The I/O thread stopped on an error: no more groups.
    stopped: bool,
}

impl Session {
    /// Notes that one group left the pipeline without being written (it failed before);
    /// the lock goes when none is left.
    fn dropped(&mut self) {
        self.in_flight -= 1;
        if self.in_flight == 0 {
            self.lock = None;
        }
    }
}

impl LogWriter {
    /// Appends the groups that `feed` hands to the function it receives, pipelined (see
    /// the module comment); `on_durable` is called on the I/O thread after each group is
    /// durable, in order. Returns what `feed` returns, or the first error.
    pub fn append_pipelined<R>(
        &mut self,
        feed: impl FnOnce(&mut dyn FnMut(&Batch) -> Result<()>) -> Result<R>,
        mut on_durable: impl FnMut(&Committed) -> Result<()> + Send,
    ) -> Result<R> {
        let session = Mutex::new(Session::default());
        // Signalled when the I/O thread lets go of the lock.
        let released = Condvar::new();
        let mut store = Store::for_stream(self.layout().clone())?;
        let (to_io, prepared_groups) = mpsc::sync_channel::<Prepared>(1);
        let (recycle, spare_buffers) = mpsc::channel::<CommitBuffers>();
        let outcome = std::thread::scope(|scope| {
            let io = scope.spawn(|| -> Result<()> {
                for mut prepared in prepared_groups {
                    let mut durable = store
                        .persist(&mut prepared)
                        .and_then(|()| on_durable(&prepared.committed));
                    let mut shared = session.lock().unwrap_or_else(PoisonError::into_inner);
                    shared.in_flight -= 1;
                    if shared.in_flight == 0 || durable.is_err() {
                        // Checkpoints are durable before another writer can see them.
                        durable = durable.and(store.sync_checkpoints());
                        shared.lock = None;
                        released.notify_all();
                    }
                    // On error: stop, and take no group any more.
                    shared.stopped = durable.is_err();
                    drop(shared);
                    durable?;
                    let _ = recycle.send(prepared.buffers);
                }
                Ok(())
            });
            let mut state: Option<State> = None;
            let fed = feed(&mut |batch: &Batch| {
                self.check_user_batch(batch)?;
                let (current, system) = self.enter(&session, &released, &mut state)?;
                let buffers = spare_buffers.try_recv().unwrap_or_default();
                let prepared = self
                    .prepare(current, &system, Some(batch), false, buffers)
                    .inspect_err(|_| {
                        session
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .dropped();
                    })?;
                // A closed channel means the I/O thread stopped on an error, returned below.
                to_io
                    .send(prepared)
                    .map_err(|_| AuditError::Invalid("the log writer stopped".into()))
            });
            drop(to_io);
            let written = io
                .join()
                .unwrap_or_else(|_| Err(AuditError::Invalid("the log writer panicked".into())));
            (written, fed)
        });
        let (written, fed) = outcome;
        // The I/O error is the cause of any error `feed` saw after it.
        written.and(store.sync_checkpoints()).and(fed)
    }

    /// Counts one more group in flight, first taking the lock and loading the state if
    /// no group is in flight; returns the state and the system records (recovery notes,
    /// clock alerts) to commit ahead of the group.
    fn enter<'s>(
        &mut self,
        session: &Mutex<Session>,
        released: &Condvar,
        state: &'s mut Option<State>,
    ) -> Result<(&'s mut State, Vec<crate::RecordInput>)> {
        let mut shared = session.lock().unwrap_or_else(PoisonError::into_inner);
        if shared.lock.is_some() && shared.groups_held >= MAX_GROUPS_PER_HOLD {
            // Other writers' turn: wait until what is in flight is written and the lock
            // is let go, and give them a chance to take it.
            shared = released
                .wait_while(shared, |s| s.lock.is_some() && !s.stopped)
                .unwrap_or_else(PoisonError::into_inner);
            std::thread::yield_now();
        }
        if shared.stopped {
            return Err(AuditError::Invalid("the log writer stopped".into()));
        }
        let mut system = Vec::new();
        if shared.lock.is_none() || state.is_none() {
            shared.lock = None;
            let lock = lock_log(self.layout())?;
            let (loaded, notes) = self.load_state()?;
            shared.lock = Some(lock);
            shared.groups_held = 0;
            system = notes;
            *state = Some(loaded);
        }
        let current = state
            .as_mut()
            .ok_or_else(|| AuditError::Invalid("no writer state".into()))?;
        system.extend(self.clock_jump_alert(&current.head));
        shared.in_flight += 1;
        shared.groups_held += 1;
        Ok((current, system))
    }
}
