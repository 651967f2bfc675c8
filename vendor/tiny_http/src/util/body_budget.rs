//! PATCH(limits): one memory budget for the request bodies the server holds at once.
//!
//! Bodies are read whole on their connection's thread before a worker sees them, so without
//! a shared bound every open connection could hold a full body (1,024 connections × 1 MiB)
//! before any route or access check ran. A large body reserves its expected size here first
//! and gives it back when its request is dropped; small bodies (most API calls) skip it.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Instant;

/// Bodies at or under this size are not counted (they cost less than the bookkeeping).
pub(crate) const UNCOUNTED: usize = 64 * 1024;

pub(crate) struct BodyBudget {
    total: usize,
    left: Mutex<usize>,
    freed: Condvar,
}

/// Bytes reserved for one request's body, given back when dropped.
pub(crate) struct BodyPermit {
    budget: Arc<BodyBudget>,
    bytes: usize,
}

impl BodyBudget {
    pub(crate) fn new(total: usize) -> Arc<BodyBudget> {
        Arc::new(BodyBudget {
            total,
            left: Mutex::new(total),
            freed: Condvar::new(),
        })
    }

    /// Reserves `bytes` (at most the whole budget), waiting for other bodies to be done
    /// until `until`; `None` when the budget did not free up in time.
    pub(crate) fn reserve(self: &Arc<Self>, bytes: usize, until: Option<Instant>) -> Option<BodyPermit> {
        let bytes = bytes.min(self.total);
        let mut left = self.lock();
        while *left < bytes {
            let wait = match until {
                Some(until) => until.checked_duration_since(Instant::now())?,
                None => std::time::Duration::from_secs(1),
            };
            left = match self.freed.wait_timeout(left, wait) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        *left -= bytes;
        Some(BodyPermit {
            budget: self.clone(),
            bytes,
        })
    }

    fn lock(&self) -> MutexGuard<'_, usize> {
        self.left.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for BodyPermit {
    fn drop(&mut self) {
        *self.budget.lock() += self.bytes;
        self.budget.freed.notify_all();
    }
}
