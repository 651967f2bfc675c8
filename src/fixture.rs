//! Fixture-mode control: named snapshots of a whole store (database image + clock + ID
//! generator position), the seeded state among them, so a test can reset the store in about a
//! millisecond and get byte-identical answers again. Used by the `--test-control` routes and by
//! [`crate::testing::TestStore`] — one machinery, two doors.

use crate::db::StoreImage;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::id::IdState;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// The snapshot taken right after the fixture loaded; `reset` restores it.
pub const SEEDED: &str = "seeded";

/// One saved state.
struct Snapshot {
    image: Arc<StoreImage>,
    clock_ms: i64,
    ids: IdState,
}

/// Named snapshots of one engine's store.
#[derive(Default)]
pub struct FixtureControl {
    snapshots: Mutex<BTreeMap<String, Snapshot>>,
}

impl FixtureControl {
    /// Saves the current state under `name` (replacing one of that name).
    ///
    /// # Errors
    /// The store could not be copied.
    pub fn save(&self, engine: &Engine, name: &str) -> Result<()> {
        let ids = engine.ctx().ids.checkpoint();
        let clock_ms = engine.clock().now();
        let image = Arc::new(engine.store().snapshot()?);
        self.insert(name, image, clock_ms, ids);
        Ok(())
    }

    /// Records an existing image as `name` (the seeded state read from the fixture image
    /// cache, which needs no second copy).
    pub fn insert(&self, name: &str, image: Arc<StoreImage>, clock_ms: i64, ids: IdState) {
        self.lock().insert(
            name.to_string(),
            Snapshot {
                image,
                clock_ms,
                ids,
            },
        );
    }

    /// Drops the state saved as `name`, if any (its image is freed once no one holds it).
    pub fn forget(&self, name: &str) {
        self.lock().remove(name);
    }

    /// The image, clock and ID position saved as `name`.
    pub fn get(&self, name: &str) -> Option<(Arc<StoreImage>, i64, IdState)> {
        self.lock()
            .get(name)
            .map(|s| (s.image.clone(), s.clock_ms, s.ids))
    }

    /// Restores the state saved under `name`: data (sequences such as `display_id` included),
    /// clock and ID generator.
    ///
    /// # Errors
    /// 404 for an unknown name; restore failures.
    pub fn restore(&self, engine: &Engine, name: &str) -> Result<()> {
        let (image, clock_ms, ids) = {
            let snapshots = self.lock();
            let snapshot = snapshots.get(name).ok_or_else(|| {
                Error::NotFound(format!("Snapshot with name: {name} was not found"))
            })?;
            (snapshot.image.clone(), snapshot.clock_ms, snapshot.ids)
        };
        engine.store().restore(image)?;
        engine.clock().set(clock_ms);
        engine.ctx().ids.rewind(ids);
        Ok(())
    }

    /// Back to the seeded state.
    ///
    /// # Errors
    /// As [`FixtureControl::restore`].
    pub fn reset(&self, engine: &Engine) -> Result<()> {
        self.restore(engine, SEEDED)
    }

    /// Names of the saved snapshots, sorted.
    pub fn names(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Snapshot>> {
        self.snapshots.lock().unwrap_or_else(|p| p.into_inner())
    }
}
