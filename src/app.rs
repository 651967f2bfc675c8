//! Assembling a running Stockroom from a [`ServeConfig`]: open the store, build the engine,
//! load the fixture, bind and serve. The binary and test harnesses share this path, so what
//! tests start is what users run.

use crate::config::{DbTarget, ServeConfig};
use crate::db::{Store, StoreOptions};
use crate::engine::{Engine, EngineBuilder};
use crate::error::{Error, Result};
use crate::fixture::{FixtureControl, SEEDED};
use crate::flows::seed;
use crate::http::server::{RunningServer, serve};
use std::net::TcpListener;
use std::sync::Arc;

/// Seed of the deterministic ID generator in fixture and demo mode.
pub const FIXTURE_SEED: u64 = 0x5700_c400;

/// A started server with its engine.
pub struct App {
    /// The engine serving requests.
    pub engine: Engine,
    /// The HTTP server.
    pub server: RunningServer,
    /// Publishable keys created by the fixture, if any.
    pub publishable_keys: Vec<String>,
    /// Emails of the admin users created by the fixture, if any.
    pub admin_emails: Vec<String>,
    /// Snapshots of a fixture store (the seeded state is saved as [`SEEDED`]).
    pub fixture: Option<Arc<FixtureControl>>,
}

/// Opens the store described by `config`.
///
/// # Errors
/// The store file cannot be opened.
pub fn open_store(config: &ServeConfig) -> Result<Store> {
    let options = StoreOptions {
        synchronous: config.synchronous,
        ..StoreOptions::default()
    };
    match &config.db {
        DbTarget::File(path) => Store::open(path, options),
        DbTarget::Memory => Store::memory(options),
    }
}

/// Starts a server for `config`, with `builder` carrying any user modules and routes.
/// A fixture makes the engine deterministic (fixed clock, seeded IDs).
///
/// # Errors
/// Store, migration, fixture or bind failures, each with a message for the operator.
pub fn start(config: &ServeConfig, builder: EngineBuilder) -> Result<App> {
    let store = open_store(config)?;
    let control = config
        .fixture
        .as_ref()
        .map(|_| Arc::new(FixtureControl::default()));
    let mut builder = if config.fixture.is_some() {
        builder.deterministic(FIXTURE_SEED)
    } else {
        builder
    };
    if let Some(control) = control.as_ref().filter(|_| config.test_control) {
        for route in crate::http::test_control::routes(control.clone()) {
            builder = builder.route(route);
        }
    }
    let engine = builder.auth(config.auth.clone()).build(store)?;
    let mut summary = seed::SeedSummary::default();
    if let Some(path) = &config.fixture {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::invalid(format!("cannot read fixture {}: {e}", path.display())))?;
        let mut fixture = seed::parse(&text)?;
        seed::override_admin(&mut fixture, &config.admin_override);
        summary = seed::load(&engine, fixture)?;
    }
    if let Some(control) = &control {
        // Events the fixture emitted are dispatched first, so the seeded image is at rest.
        engine.wait_idle()?;
        control.save(&engine, SEEDED)?;
    }
    let listener = TcpListener::bind((config.host.as_str(), config.port))
        .map_err(|e| Error::invalid(format!("cannot bind {}:{}: {e}", config.host, config.port)))?;
    let server = serve(engine.clone(), listener, config.http_options())?;
    Ok(App {
        engine,
        server,
        publishable_keys: summary.publishable_keys,
        admin_emails: summary.admin_emails,
        fixture: control,
    })
}

impl App {
    /// Graceful stop: finish in-flight requests, then close the store.
    pub fn shutdown(self) {
        self.server.shutdown();
        self.engine.shutdown();
    }
}
