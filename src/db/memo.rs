//! Values derived from the store (listing totals, rendered product documents) memoized until
//! the next committed write. The store bumps a generation after every committed write job,
//! before the job's caller hears back, so a value computed at generation `g` is served only
//! while nothing has committed since.
//!
//! Bounded: past [`MAX_ENTRIES`] entries or [`MAX_BYTES`] of (approximate, caller-declared)
//! weight, the entries of older generations are dropped, and if that is not enough,
//! everything is.

use crate::error::Result;
use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// Most entries kept.
pub const MAX_ENTRIES: usize = 50_000;

/// Most total weight kept (callers declare roughly the bytes a value holds).
pub const MAX_BYTES: usize = 64 << 20;

/// Weight of a value whose caller declares none.
const SMALL: usize = 64;

type Entry = (u64, usize, Arc<dyn Any + Send + Sync>);

#[derive(Default)]
struct Entries {
    map: HashMap<String, Entry>,
    /// The values' declared weight.
    bytes: usize,
    /// The keys' length: keys are built from request input (a query string of up to 8 KiB),
    /// so small values under long keys must count against the bound too.
    key_bytes: usize,
}

/// The memo of one store.
#[derive(Default)]
pub struct Memo {
    generation: Arc<AtomicU64>,
    tables: Arc<TableGenerations>,
    entries: Mutex<Entries>,
}

/// How many committed write jobs changed each table, for values that depend on a few tables
/// only (the publishable key of every store request): the store generation moves with every
/// write, several times per checkout, so a value filed under it would hardly ever be served.
#[derive(Default)]
pub(crate) struct TableGenerations {
    /// Bumped when the whole database is replaced (a restore): every table changed.
    replaced: AtomicU64,
    changed: Mutex<HashMap<String, u64>>,
}

impl TableGenerations {
    /// Counts one committed change of each of `tables`.
    pub(crate) fn bump(&self, tables: &[String]) {
        if tables.is_empty() {
            return;
        }
        let mut changed = self.changed.lock().unwrap_or_else(PoisonError::into_inner);
        for table in tables {
            // Hot path (every write job): allocate a name only the first time it is seen.
            match changed.get_mut(table.as_str()) {
                Some(count) => *count += 1,
                None => {
                    changed.insert(table.clone(), 1);
                }
            }
        }
    }

    /// Counts a change of every table.
    pub(crate) fn bump_all(&self) {
        self.replaced.fetch_add(1, Ordering::SeqCst);
    }

    /// A number that grows whenever a committed write changed one of `tables`.
    fn of(&self, tables: &[&str]) -> u64 {
        let changed = self.changed.lock().unwrap_or_else(PoisonError::into_inner);
        let sum: u64 = tables.iter().filter_map(|t| changed.get(*t)).sum();
        sum + self.replaced.load(Ordering::SeqCst)
    }
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

    /// The per-table counters the store bumps after each committed job.
    pub(crate) fn tables(&self) -> Arc<TableGenerations> {
        Arc::clone(&self.tables)
    }

    /// The generation of `tables` only: it moves when a committed write job changed a row of
    /// one of them (or the database was replaced), not with other writes. Read it *before*
    /// the read transaction that computes a value filed under it, like [`Memo::generation`].
    /// The numbers of different table sets are unrelated, so a key must always be filed
    /// under the same set. Only rowid tables changed row by row move it (SQLite's update hook
    /// sees neither `WITHOUT ROWID` tables nor a bare `DELETE FROM t`).
    pub fn table_generation(&self, tables: &[&str]) -> u64 {
        self.tables.of(tables)
    }

    fn lock(&self) -> MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The value under `key` if it was computed at `generation`.
    pub fn get<T: Any + Send + Sync>(&self, key: &str, generation: u64) -> Option<Arc<T>> {
        let entries = self.lock();
        let (g, _, value) = entries.map.get(key)?;
        if *g != generation {
            return None;
        }
        Arc::clone(value).downcast::<T>().ok()
    }

    /// Stores a small `value` as computed at `generation` (read before computing it).
    pub fn put<T: Any + Send + Sync>(&self, key: String, generation: u64, value: Arc<T>) {
        self.put_weighted(key, generation, value, SMALL);
    }

    /// Stores `value`, which holds about `bytes` bytes, as computed at `generation`.
    pub fn put_weighted<T: Any + Send + Sync>(
        &self,
        key: String,
        generation: u64,
        value: Arc<T>,
        bytes: usize,
    ) {
        let mut entries = self.lock();
        let weight = bytes + key.len();
        let full =
            |e: &Entries| e.map.len() >= MAX_ENTRIES || e.bytes + e.key_bytes + weight > MAX_BYTES;
        if full(&entries) {
            let now = self.generation();
            entries.map.retain(|_, (g, _, _)| *g == now);
            entries.bytes = entries.map.values().map(|(_, b, _)| b).sum();
            entries.key_bytes = entries.map.keys().map(String::len).sum();
            if full(&entries) {
                entries.map.clear();
                (entries.bytes, entries.key_bytes) = (0, 0);
            }
        }
        let key_len = key.len();
        match entries.map.insert(key, (generation, bytes, value)) {
            Some((_, old, _)) => entries.bytes -= old,
            None => entries.key_bytes += key_len,
        }
        entries.bytes += bytes;
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

    #[test]
    fn table_generations_move_with_their_tables_only() {
        let memo = Memo::default();
        let keys = |memo: &Memo| memo.table_generation(&["api_key", "link_a_b"]);
        let before = keys(&memo);
        memo.tables.bump(&["product".to_string()]);
        assert_eq!(keys(&memo), before, "another table");
        memo.tables.bump(&["link_a_b".to_string()]);
        let linked = keys(&memo);
        assert!(linked > before);
        memo.tables.bump_all();
        assert!(keys(&memo) > linked, "a restore changes every table");
    }

    #[test]
    fn weight_is_bounded() {
        let memo = Memo::default();
        memo.put_weighted("big".into(), 0, Arc::new(1), MAX_BYTES - 10);
        memo.put("small".into(), 0, Arc::new(2));
        assert!(
            memo.get::<i32>("big", 0).is_none(),
            "over the bound: everything dropped"
        );
        assert_eq!(memo.get::<i32>("small", 0).as_deref(), Some(&2));
        memo.put_weighted("small".into(), 0, Arc::new(3), 10);
        assert_eq!(
            memo.lock().bytes,
            10,
            "a replaced entry gives its weight back"
        );
    }

    #[test]
    fn long_keys_count_against_the_bound() {
        let memo = Memo::default();
        let (first, second) = ("a".repeat(MAX_BYTES / 2 + 1), "b".repeat(MAX_BYTES / 2 + 1));
        memo.put(first.clone(), 0, Arc::new(1));
        memo.put(second.clone(), 0, Arc::new(2));
        assert!(
            memo.get::<i32>(&first, 0).is_none(),
            "the keys alone were over"
        );
        assert_eq!(memo.get::<i32>(&second, 0).as_deref(), Some(&2));
    }
}
