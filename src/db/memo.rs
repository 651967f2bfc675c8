//! Values derived from the store (listing totals, rendered product documents) memoized until
//! the next committed write. The store bumps a generation after every committed write job,
//! before the job's caller hears back, so a value computed at generation `g` is served only
//! while nothing has committed since.
//!
//! Bounded: past [`MAX_ENTRIES`] entries, those of older generations are dropped, and if that
//! is not enough, everything is.

use crate::error::Result;
use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// Most entries kept.
pub const MAX_ENTRIES: usize = 50_000;

type Entry = (u64, Arc<dyn Any + Send + Sync>);

/// The memo of one store.
#[derive(Default)]
pub struct Memo {
    generation: Arc<AtomicU64>,
    entries: Mutex<HashMap<String, Entry>>,
}

impl Memo {
    /// The current generation (how many write jobs have committed).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// The counter the writer bumps after each committed job.
    pub(crate) fn counter(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.generation)
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The value under `key` if it was computed at `generation`.
    pub fn get<T: Any + Send + Sync>(&self, key: &str, generation: u64) -> Option<Arc<T>> {
        let entries = self.lock();
        let (g, value) = entries.get(key)?;
        if *g != generation {
            return None;
        }
        Arc::clone(value).downcast::<T>().ok()
    }

    /// Stores `value` as computed at `generation` (read before computing it).
    pub fn put<T: Any + Send + Sync>(&self, key: String, generation: u64, value: Arc<T>) {
        let mut entries = self.lock();
        if entries.len() >= MAX_ENTRIES {
            let now = self.generation();
            entries.retain(|_, (g, _)| *g == now);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(key, (generation, value));
    }

    /// The memoized value under `key`, computing and storing it on a miss. `generation` must
    /// be read *before* the read transaction that computes the value starts, so the value is
    /// never older than the generation it is filed under.
    ///
    /// # Errors
    /// `compute`'s error (nothing is stored then).
    pub fn get_or<T: Any + Send + Sync>(
        &self,
        key: &str,
        generation: u64,
        compute: impl FnOnce() -> Result<T>,
    ) -> Result<Arc<T>> {
        if let Some(value) = self.get(key, generation) {
            return Ok(value);
        }
        let value = Arc::new(compute()?);
        self.put(key.to_string(), generation, Arc::clone(&value));
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_last_for_their_generation_only() {
        let memo = Memo::default();
        let calls = std::cell::Cell::new(0);
        let get = |memo: &Memo| {
            *memo
                .get_or("k", memo.generation(), || {
                    calls.set(calls.get() + 1);
                    Ok(calls.get())
                })
                .unwrap()
        };
        assert_eq!((get(&memo), get(&memo)), (1, 1));
        memo.counter().fetch_add(1, Ordering::SeqCst);
        assert_eq!(get(&memo), 2);
        assert!(
            memo.get::<String>("k", memo.generation()).is_none(),
            "wrong type"
        );
    }
}
