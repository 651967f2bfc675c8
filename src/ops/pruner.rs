//! The background pruner `serve` starts for a file store: [`super::retention::prune_expired`]
//! a minute after the start and then every hour, on the engine's clock. (The scheduled-jobs
//! work of issue 20 may move it onto its scheduler; the function stays the same.)

use super::retention::{RetentionPolicy, prune_expired};
use crate::engine::Engine;
use crate::error::{Error, Result};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// First run after the start (so a start is never slowed by it).
const FIRST_RUN: Duration = Duration::from_secs(60);
/// Between runs.
const EVERY: Duration = Duration::from_secs(3600);

/// The running pruner; stopped on drop.
pub struct Pruner {
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: Option<JoinHandle<()>>,
}

/// Starts pruning `engine`'s store with `policy`.
///
/// # Errors
/// The thread cannot be started.
pub fn start(engine: Engine, policy: RetentionPolicy) -> Result<Pruner> {
    let stop = Arc::new((Mutex::new(false), Condvar::new()));
    let signal = stop.clone();
    let thread = std::thread::Builder::new()
        .name("stockroom-pruner".into())
        .spawn(move || {
            let mut wait = FIRST_RUN;
            while !stopped_within(&signal, wait) {
                let now = engine.clock().now();
                match prune_expired(engine.store(), now, policy) {
                    Ok(c) if c.jobs > 0 => eprintln!(
                        "stockroom: pruned {} executions ({} steps), {} events ({} deliveries), {} webhook deliveries and {} notifications in {} jobs",
                        c.executions, c.steps, c.events, c.deliveries, c.webhook_deliveries, c.notifications, c.jobs
                    ),
                    Ok(_) => {}
                    Err(e) => eprintln!("stockroom: pruning failed: {e}"),
                }
                wait = EVERY;
            }
        })
        .map_err(|e| Error::Internal(format!("cannot start the pruner: {e}")))?;
    Ok(Pruner {
        stop,
        thread: Some(thread),
    })
}

/// Waits up to `wait`; whether the pruner was told to stop.
fn stopped_within(signal: &(Mutex<bool>, Condvar), wait: Duration) -> bool {
    let (lock, bell) = signal;
    let guard = lock.lock().unwrap_or_else(|p| p.into_inner());
    let (guard, _) = bell
        .wait_timeout_while(guard, wait, |stopped| !*stopped)
        .unwrap_or_else(|p| p.into_inner());
    *guard
}

impl Drop for Pruner {
    fn drop(&mut self) {
        let (lock, bell) = &*self.stop;
        *lock.lock().unwrap_or_else(|p| p.into_inner()) = true;
        bell.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
