//! The gate in front of the handlers: how many requests run at once (`--workers`), and the
//! engine they run on until the server stops.

use crate::engine::Engine;
use std::sync::{Condvar, Mutex};

/// Bounds how many requests run their handlers at once (the `workers` setting) and holds
/// the engine they run on until the server stops. Requests run on their connections' own
/// threads: queueing each for a worker thread and handing its answer back cost two thread
/// wake-ups per request, a measurable share of a checkout's CPU on two cores.
pub(super) struct Gate {
    state: Mutex<GateState>,
    /// Signalled when a place frees up (one waiter at a time: one place, one thread).
    freed: Condvar,
    /// Signalled when the last running handler of a stopping server is done.
    idle: Condvar,
}

struct GateState {
    /// Handlers that may still start.
    free: usize,
    /// Handlers running now.
    running: usize,
    /// Threads waiting in [`Gate::enter`] (the only ones a release needs to wake).
    waiting: usize,
    /// `None` once the server is stopping.
    engine: Option<Engine>,
}

/// A place taken in the [`Gate`]; gives it back when dropped.
pub(super) struct Pass<'a> {
    gate: &'a Gate,
    pub(super) engine: Engine,
}

impl Gate {
    pub(super) fn new(engine: Engine, places: usize) -> Gate {
        Gate {
            state: Mutex::new(GateState {
                free: places,
                running: 0,
                waiting: 0,
                engine: Some(engine),
            }),
            freed: Condvar::new(),
            idle: Condvar::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, GateState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits for a free place; `None` once the server is stopping.
    pub(super) fn enter(&self) -> Option<Pass<'_>> {
        let mut state = self.lock();
        loop {
            let engine = state.engine.clone()?;
            if state.free > 0 {
                state.free -= 1;
                state.running += 1;
                return Some(Pass { gate: self, engine });
            }
            state.waiting += 1;
            state = self.freed.wait(state).unwrap_or_else(|p| p.into_inner());
            state.waiting -= 1;
        }
    }

    /// Takes no more requests and waits until the running ones are done.
    pub(super) fn close(&self) {
        let mut state = self.lock();
        state.engine = None;
        // Waiters wake to find the server stopping.
        self.freed.notify_all();
        while state.running > 0 {
            state = self.idle.wait(state).unwrap_or_else(|p| p.into_inner());
        }
    }
}

impl Drop for Pass<'_> {
    fn drop(&mut self) {
        let mut state = self.gate.lock();
        state.free += 1;
        state.running -= 1;
        if state.waiting > 0 {
            self.gate.freed.notify_one();
        }
        if state.running == 0 && state.engine.is_none() {
            self.gate.idle.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{Store, StoreOptions};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    fn gate(places: usize) -> Arc<Gate> {
        let store = Store::memory(StoreOptions::default()).expect("store");
        let engine = Engine::builder().build(store).expect("engine");
        Arc::new(Gate::new(engine, places))
    }

    #[test]
    fn no_more_than_the_places_run_at_once() {
        let gate = gate(2);
        let (running, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let threads: Vec<_> = (0..6)
            .map(|_| {
                let (gate, running, most) = (gate.clone(), running.clone(), most.clone());
                std::thread::spawn(move || {
                    for _ in 0..20 {
                        let pass = gate.enter().expect("open");
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::yield_now();
                        running.fetch_sub(1, Ordering::SeqCst);
                        drop(pass);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("thread");
        }
        assert!(most.load(Ordering::SeqCst) <= 2, "at most two at once");
    }

    #[test]
    fn closing_waits_for_the_running_and_turns_new_ones_away() {
        let gate = gate(1);
        let pass = gate.enter().expect("open");
        let (sender, receiver) = std::sync::mpsc::channel();
        let closer = {
            let gate = gate.clone();
            std::thread::spawn(move || {
                gate.close();
                let _ = sender.send(());
            })
        };
        // Held open by the running request (a bound only against a hang, not a timing).
        assert!(receiver.recv_timeout(Duration::from_millis(200)).is_err());
        drop(pass);
        receiver.recv().expect("closed once the request is done");
        closer.join().expect("closer");
        assert!(gate.enter().is_none(), "a stopped gate takes no request");
    }
}
