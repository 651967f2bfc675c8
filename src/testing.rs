//! `TestStore`: a seeded Stockroom server for Rust tests — the same machinery as
//! `serve --fixture FILE --port 0 --test-control`, as a library call.
//!
//! ```no_run
//! let shop = stockroom::testing::TestStore::from_fixture("fixtures/demo.json").unwrap();
//! let url = shop.base_url(); // http://127.0.0.1:<port>
//! // … drive the Store API …
//! shop.reset().unwrap(); // back to the seeded state, same IDs and timestamps again
//! ```

use crate::app::{self, App};
use crate::clock::Clock;
use crate::config::{DbTarget, ServeConfig};
use crate::db::Synchronous;
use crate::engine::{Engine, EngineBuilder};
use crate::error::{Error, Result};
use crate::fixture::FixtureControl;
use crate::http::cors::CorsConfig;
use crate::modules::auth::AuthConfig;
use std::path::Path;
use std::sync::Arc;

/// A running fixture server, stopped on drop.
pub struct TestStore {
    app: Option<App>,
    control: Arc<FixtureControl>,
    base_url: String,
}

impl TestStore {
    /// The core engine over the fixture at `path`, on an ephemeral loopback port.
    ///
    /// # Errors
    /// The fixture cannot be read or loaded.
    pub fn from_fixture(path: impl AsRef<Path>) -> Result<Self> {
        Self::with_builder(path, Engine::builder())
    }

    /// As [`TestStore::from_fixture`], with a builder carrying custom modules and routes.
    ///
    /// # Errors
    /// As [`TestStore::from_fixture`].
    pub fn with_builder(path: impl AsRef<Path>, builder: EngineBuilder) -> Result<Self> {
        let app = app::start(&config(path.as_ref()), builder)?;
        let control = app
            .fixture
            .clone()
            .ok_or_else(|| Error::UnexpectedState("fixture mode without control".into()))?;
        let base_url = format!("http://{}", app.server.addr());
        Ok(TestStore {
            app: Some(app),
            control,
            base_url,
        })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The engine behind the server.
    pub fn engine(&self) -> &Engine {
        &self.app().engine
    }

    /// The store's (manual) clock.
    pub fn clock(&self) -> &Clock {
        self.engine().clock()
    }

    /// Back to the seeded state: data, sequences, clock and ID generator.
    ///
    /// # Errors
    /// Restore failures.
    pub fn reset(&self) -> Result<()> {
        self.control.reset(self.engine())
    }

    /// Saves the current state as `name`.
    ///
    /// # Errors
    /// Copy failures.
    pub fn snapshot(&self, name: &str) -> Result<()> {
        self.control.save(self.engine(), name)
    }

    /// Restores the state saved as `name`.
    ///
    /// # Errors
    /// Unknown name; restore failures.
    pub fn restore(&self, name: &str) -> Result<()> {
        self.control.restore(self.engine(), name)
    }

    fn app(&self) -> &App {
        self.app
            .as_ref()
            .unwrap_or_else(|| unreachable!("the app lives until drop"))
    }
}

impl Drop for TestStore {
    fn drop(&mut self) {
        if let Some(app) = self.app.take() {
            app.shutdown();
        }
    }
}

fn config(fixture: &Path) -> ServeConfig {
    ServeConfig {
        db: DbTarget::Memory,
        fixture: Some(fixture.to_path_buf()),
        demo: false,
        host: "127.0.0.1".into(),
        port: 0,
        synchronous: Synchronous::Off,
        workers: 2,
        body_limit: 1 << 20,
        connection_timeout_ms: 30_000,
        request_timeout_ms: 10_000,
        max_connections: 1024,
        cors: CorsConfig::default(),
        access_log: false,
        test_control: true,
        auth: AuthConfig::dev(),
        admin_override: Default::default(),
        fixture_cache: None,
        ops: Default::default(),
    }
}
