//! A one-value reply slot whose receiver parks at once.
//!
//! Every write job's caller waits for its reply here. The wait is an fsync long (milliseconds),
//! so spinning is pure cost: crossbeam's `recv` spins, then calls `sched_yield` several times
//! before it parks, and in a checkout profile at 8 clients those yields (and the context
//! switches they caused) were about 5 % of the server's CPU. A mutex and a condition variable
//! park the caller on the first check instead.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};

enum State<T> {
    Waiting,
    Sent(T),
    /// The sender was dropped without sending (the writer stopped, or the work panicked).
    Closed,
}

struct Slot<T> {
    state: Mutex<State<T>>,
    ready: Condvar,
}

impl<T> Slot<T> {
    /// The slot's state. Poisoning cannot leave it inconsistent (every critical section is a
    /// single assignment or take), so a poisoned lock is used as it is.
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The writer's end: sends one value, or closes the slot when dropped unsent.
pub(crate) struct Sender<T>(Arc<Slot<T>>);

/// The caller's end: waits for the one value.
pub(crate) struct Receiver<T>(Arc<Slot<T>>);

/// The receiver's error: the sender went away without sending.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Closed;

/// A new empty slot.
pub(crate) fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let slot = Arc::new(Slot {
        state: Mutex::new(State::Waiting),
        ready: Condvar::new(),
    });
    (Sender(slot.clone()), Receiver(slot))
}

impl<T> Sender<T> {
    /// Puts `value` in the slot and wakes the receiver (if it is still there).
    pub(crate) fn send(self, value: T) {
        *self.0.lock() = State::Sent(value);
        self.0.ready.notify_one();
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let mut state = self.0.lock();
        if matches!(*state, State::Waiting) {
            *state = State::Closed;
            drop(state);
            self.0.ready.notify_one();
        }
    }
}

impl<T> Receiver<T> {
    /// Blocks until the value is sent, or the sender is dropped unsent.
    pub(crate) fn recv(self) -> Result<T, Closed> {
        let mut state = self.0.lock();
        loop {
            match std::mem::replace(&mut *state, State::Closed) {
                State::Sent(value) => return Ok(value),
                State::Closed => return Err(Closed),
                State::Waiting => {
                    *state = State::Waiting;
                    state = self.0.ready.wait(state).unwrap_or_else(|e| e.into_inner());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_sent_from_another_thread_is_received() {
        let (sender, receiver) = channel();
        let thread = std::thread::spawn(move || sender.send(42));
        assert_eq!(receiver.recv(), Ok(42));
        thread.join().unwrap();
    }

    #[test]
    fn a_value_sent_before_the_wait_is_received() {
        let (sender, receiver) = channel();
        sender.send("done");
        assert_eq!(receiver.recv(), Ok("done"));
    }

    #[test]
    fn a_sender_dropped_unsent_closes_the_slot() {
        let (sender, receiver) = channel::<u8>();
        let thread = std::thread::spawn(move || drop(sender));
        assert_eq!(receiver.recv(), Err(Closed));
        thread.join().unwrap();
    }

    #[test]
    fn sending_to_a_receiver_that_went_away_is_harmless() {
        let (sender, receiver) = channel();
        drop(receiver);
        sender.send(1);
    }
}
