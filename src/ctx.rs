//! The small context every service call needs: where IDs and time come from.
//!
//! Domain modules take a [`Ctx`] rather than the whole engine, so they depend only on the
//! foundation (ids, clock, db, error), never on the engine, HTTP or each other.

use crate::clock::Clock;
use crate::id::IdGenerator;
use std::sync::Arc;

/// IDs and time for services; cheap to clone and `Send`, so it moves into write jobs.
#[derive(Clone, Debug)]
pub struct Ctx {
    /// The engine's ID generator.
    pub ids: Arc<IdGenerator>,
    /// The engine's clock.
    pub clock: Clock,
}

impl Ctx {
    /// A context over the given clock and generator.
    pub fn new(clock: Clock, ids: IdGenerator) -> Self {
        Ctx {
            ids: Arc::new(ids),
            clock,
        }
    }

    /// A new prefixed ID (`prod_…`).
    pub fn id(&self, prefix: &str) -> String {
        self.ids.make(prefix)
    }

    /// Now, as Medusa renders timestamps.
    pub fn now(&self) -> String {
        self.clock.now_iso()
    }
}
