//! The small context every service call needs: where IDs and time come from, and where
//! events go.
//!
//! Domain modules take a [`Ctx`] rather than the whole engine, so they depend only on the
//! foundation (ids, clock, db, events, error), never on the engine, HTTP or each other.

use crate::clock::Clock;
use crate::db::Tx;
use crate::error::Result;
use crate::events::{self, EventBell};
use crate::id::IdGenerator;
use serde_json::Value;
use std::sync::Arc;

/// IDs, time and the event outbox for services; cheap to clone and `Send`, so it moves into
/// write jobs.
#[derive(Clone, Debug)]
pub struct Ctx {
    /// The engine's ID generator.
    pub ids: Arc<IdGenerator>,
    /// The engine's clock.
    pub clock: Clock,
    bell: EventBell,
}

impl Ctx {
    /// A context over the given clock and generator.
    pub fn new(clock: Clock, ids: IdGenerator) -> Self {
        Ctx {
            ids: Arc::new(ids),
            clock,
            bell: EventBell::default(),
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

    /// Emits event `name` inside the caller's transaction (the outbox): it is delivered to
    /// subscribers only if and after that transaction commits.
    ///
    /// # Errors
    /// Database failures (which fail the caller's job too).
    pub fn emit(&self, tx: &Tx, name: &str, data: Value) -> Result<()> {
        events::write_outbox(tx, self, name, &data)?;
        tx.note_emitted();
        let bell = self.bell.clone();
        tx.after_commit_unless_fanned_out(move || bell.ring());
        Ok(())
    }

    /// The bell the dispatcher listens to.
    pub(crate) fn bell(&self) -> &EventBell {
        &self.bell
    }
}
