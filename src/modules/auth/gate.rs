//! A small counting semaphore around password hashing. argon2 takes tens of milliseconds of
//! CPU per call; without a bound, a flood of logins keeps every HTTP worker hashing and the
//! other routes queue behind them (a listing's p50 went from 2 ms to 124 ms under 16 clients
//! failing logins). With `permits` hashes at a time and at most `permits` callers waiting,
//! each for at most `wait`, the rest are refused at once (429), so most workers stay free.
//!
//! Each permit also lends argon2's working memory ([`Permit::memory`]): one block per permit,
//! kept by the gate between holders, so hashing memory is bounded by the permits (19 MiB each
//! at the standard parameters) instead of one block per HTTP worker that ever hashed.

use super::password::Memory;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The gate.
#[derive(Debug)]
pub struct HashGate {
    permits: usize,
    wait: Duration,
    state: Mutex<State>,
    freed: Condvar,
}

#[derive(Debug, Default)]
struct State {
    running: usize,
    waiting: usize,
    /// Working memory of the permits not held now (at most one per permit).
    spare: Vec<Memory>,
}

/// A held permit; dropping it lets the next caller in and gives its memory back.
#[derive(Debug)]
pub struct Permit<'a> {
    gate: &'a HashGate,
    memory: Memory,
}

impl Permit<'_> {
    /// argon2's working memory for this permit's hashes (grown on first use, then reused).
    pub fn memory(&mut self) -> &mut Memory {
        &mut self.memory
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let memory = std::mem::take(&mut self.memory);
        let mut state = self.gate.lock();
        state.running -= 1;
        state.spare.push(memory);
        drop(state);
        self.gate.freed.notify_one();
    }
}

impl HashGate {
    /// A gate of `permits` (at least one) concurrent hashes whose callers wait at most `wait`.
    pub fn new(permits: usize, wait: Duration) -> Self {
        HashGate {
            permits: permits.max(1),
            wait,
            state: Mutex::new(State::default()),
            freed: Condvar::new(),
        }
    }

    /// The default number of permits: one core left for everything else.
    pub fn default_permits() -> usize {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get().saturating_sub(1))
            .max(1)
    }

    /// A permit, waiting at most the gate's wait; `None` when the gate stays full that long
    /// or enough callers already wait (the caller answers 429).
    pub fn acquire(&self) -> Option<Permit<'_>> {
        self.acquire_within(self.wait)
    }

    /// As [`HashGate::acquire`] with an explicit wait.
    pub fn acquire_within(&self, wait: Duration) -> Option<Permit<'_>> {
        let mut state = self.lock();
        if state.running < self.permits {
            return Some(self.grant(&mut state));
        }
        if state.waiting >= self.permits || wait.is_zero() {
            return None;
        }
        state.waiting += 1;
        let deadline = Instant::now() + wait;
        while state.running >= self.permits {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            state = self
                .freed
                .wait_timeout(state, left)
                .map_or_else(|p| p.into_inner().0, |(s, _)| s);
        }
        state.waiting -= 1;
        (state.running < self.permits).then(|| self.grant(&mut state))
    }

    /// Takes a free permit (the caller checked there is one) with a spare memory block.
    fn grant(&self, state: &mut State) -> Permit<'_> {
        state.running += 1;
        Permit {
            gate: self,
            memory: state.spare.pop().unwrap_or_default(),
        }
    }

    /// Callers waiting now (for tests and diagnostics).
    pub fn waiting(&self) -> usize {
        self.lock().waiting
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    const LONG: Duration = Duration::from_secs(60);

    #[test]
    fn permits_bound_concurrent_holders_and_come_back_on_drop() {
        let gate = HashGate::new(2, Duration::ZERO);
        let a = gate.acquire().expect("first permit");
        let b = gate.acquire().expect("second permit");
        assert!(gate.acquire().is_none(), "a third caller is refused");
        drop(a);
        let c = gate.acquire().expect("a freed permit is reusable");
        drop((b, c));
        assert!(HashGate::new(0, LONG).acquire().is_some(), "at least one");
    }

    #[test]
    fn a_permits_memory_is_kept_for_the_next_holder_and_never_more_blocks_than_permits() {
        let gate = HashGate::new(2, Duration::ZERO);
        let mut a = gate.acquire().expect("first permit");
        let mut b = gate.acquire().expect("second permit");
        a.memory().resize(8, argon2::Block::new());
        b.memory().resize(16, argon2::Block::new());
        drop((a, b));
        let (mut c, mut d) = (gate.acquire().unwrap(), gate.acquire().unwrap());
        let mut lens = [c.memory().len(), d.memory().len()];
        lens.sort_unstable();
        assert_eq!(lens, [8, 16], "both blocks came back, none was made anew");
        drop((c, d));
        assert_eq!(gate.lock().spare.len(), 2, "one block per permit");
    }

    #[test]
    fn a_full_waiting_line_refuses_at_once_and_a_waiter_gets_the_freed_permit() {
        let gate = Arc::new(HashGate::new(1, LONG));
        let held = gate.acquire().expect("the permit");
        let waiter = {
            let gate = gate.clone();
            std::thread::spawn(move || gate.acquire().is_some())
        };
        while gate.waiting() == 0 {
            std::thread::yield_now();
        }
        // One permit, one waiter: the line is full, so this returns without waiting `LONG`.
        assert!(gate.acquire().is_none());
        drop(held);
        assert!(waiter.join().unwrap(), "the waiter got the permit");
        assert_eq!(gate.waiting(), 0);
    }
}
