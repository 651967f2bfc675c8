//! Assembling a running Stockroom from a [`ServeConfig`]: open the store, build the engine,
//! bind, load the fixture and serve. The binary and test harnesses share this path, so what
//! tests start is what users run.

use crate::config::{DbTarget, ServeConfig};
use crate::db::{Store, StoreOptions};
use crate::demo;
use crate::engine::{Engine, EngineBuilder};
use crate::error::{Error, Result};
use crate::fixture::{FixtureControl, SEEDED};
use crate::fixture_cache::FixtureCache;
use crate::flows::seed;
use crate::flows::seed_files::{self, FixtureFiles};
use crate::http::server::{HttpOptions, RunningServer, serve};
use crate::metrics::Metrics;
use crate::ops::lock::StoreLock;
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
    /// The background pruner (file stores with retention on), stopped before the engine.
    pruner: Option<crate::ops::pruner::Pruner>,
    /// The store file's lock, held while serving (a restore refuses a locked store).
    _store_lock: Option<StoreLock>,
    /// The background warm-up (`ops.warm`), until [`App::warmed`] joins it.
    warm: Option<std::thread::JoinHandle<crate::http::warm::Warmed>>,
}

/// Opens the store described by `config`.
///
/// # Errors
/// The store file cannot be opened.
pub fn open_store(config: &ServeConfig) -> Result<Store> {
    let options = StoreOptions {
        synchronous: config.synchronous,
        litestream: config.ops.litestream,
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
    // Taken before the file is opened, so a restore in progress is never served half-way.
    let store_lock = match &config.db {
        DbTarget::File(path) => Some(StoreLock::acquire(path)?),
        DbTarget::Memory => None,
    };
    // Bound first: while migrations and recovery run, the port answers 503 (`/health/ready`
    // says "not yet") instead of refusing connections.
    let listener = TcpListener::bind((config.host.as_str(), config.port))
        .map_err(|e| Error::invalid(format!("cannot bind {}:{}: {e}", config.host, config.port)))?;
    let starting = crate::http::starting::answer_while_starting(&listener)?;
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
    for route in crate::http::admin::backups::routes(config.ops.backup_dir.clone()) {
        builder = builder.route(route);
    }
    let metrics = Arc::new(Metrics::default());
    for route in crate::metrics::routes(metrics.clone(), config.ops.metrics_token.clone()) {
        builder = builder.route(route);
    }
    let mut builder = builder
        .auth(config.auth.clone())
        .webhooks(config.ops.webhooks.clone());
    if let Some(smtp) = config.ops.smtp()? {
        let provider = crate::modules::notification::smtp::SmtpProvider::new(&smtp)?;
        builder = builder.notification_provider(Arc::new(provider));
    }
    // The listener was bound first: a fixture's images get URLs on the server's own address.
    let port = listener
        .local_addr()
        .map(|a| a.port())
        .unwrap_or(config.port);
    let base_url = seed_files::base_url_for(&config.host, port);
    let (engine, summary) = match (&config.fixture, &control) {
        (Some(path), Some(control)) => {
            start_fixture(config, path, &base_url, builder, store, control)?
        }
        _ => (builder.build(store)?, seed::SeedSummary::default()),
    };
    // Throwaway in-memory stores are never pruned.
    let pruner = match (&config.db, config.ops.retention()) {
        (DbTarget::File(_), Some(policy)) => {
            Some(crate::ops::pruner::start(engine.clone(), policy)?)
        }
        _ => None,
    };
    // Started before the starting responder stops, so readiness goes from "starting" to
    // "warming" to ready with no gap; `/health` and every route answer while it runs.
    let warm = match config.ops.warm {
        true => Some(crate::http::warm::spawn(engine.clone(), config.access_log)?),
        false => None,
    };
    starting.finish(&listener)?;
    let options = HttpOptions {
        metrics: Some(metrics),
        ..config.http_options()
    };
    let server = serve(engine.clone(), listener, options)?;
    Ok(App {
        engine,
        server,
        publishable_keys: summary.publishable_keys,
        admin_emails: summary.admin_emails,
        fixture: control,
        pruner,
        _store_lock: store_lock,
        warm,
    })
}

/// A fixture store at its seeded state, saved as [`SEEDED`]: restored from the image cache
/// when it holds this fixture (in-memory stores only), otherwise migrated and seeded — and
/// then cached for the next start.
fn start_fixture(
    config: &ServeConfig,
    path: &std::path::Path,
    base_url: &str,
    builder: EngineBuilder,
    store: Store,
    control: &FixtureControl,
) -> Result<(Engine, seed::SeedSummary)> {
    let (mut fixture, text, files) = read_fixture(config, path, base_url)?;
    // The seeded image depends on the files too; not on their URLs' address, which a hit
    // from another port rebases below.
    let cache_text = format!("{text}\n{}", files.digest());
    let cache = match (&config.fixture_cache, &config.db) {
        (Some(dir), DbTarget::Memory) => Some(FixtureCache::new(
            dir,
            &cache_text,
            &config.admin_override,
            &builder.schema_fingerprint(),
        )),
        _ => None,
    };
    if let Some(hit) = cache.as_ref().and_then(FixtureCache::load) {
        let image = Arc::new(hit.image);
        // Restored before the build, so migrating finds every migration applied.
        store.restore(image.clone())?;
        let engine = builder.build(store)?;
        engine.clock().set(hit.clock_ms);
        engine.ctx().ids.rewind(hit.ids);
        let mut summary = hit.summary;
        if !summary.base_url.is_empty() && summary.base_url != base_url {
            // Seeded on another port: its image URLs move here, and the reset state with them.
            let (from, to) = (summary.base_url.clone(), base_url.to_string());
            engine
                .store()
                .write(move |tx| crate::modules::product::write::rebase_urls(tx, &from, &to))?;
            summary.base_url = base_url.to_string();
            if config.test_control {
                control.save(&engine, SEEDED)?;
            }
        } else if config.test_control {
            control.insert(SEEDED, image, hit.clock_ms, hit.ids);
        }
        return Ok((engine, summary));
    }
    let engine = builder.build(store)?;
    seed::override_admin(&mut fixture, &config.admin_override);
    let summary = seed::load_with_files(&engine, fixture, &files)?;
    // Events the fixture emitted are dispatched first, so the seeded image is at rest.
    engine.wait_idle()?;
    // The seeded image serves `/test-control` resets and the image cache; without either,
    // nothing ever reads it, and it would hold a copy of the whole store for the life of the
    // process (4.6 MiB of the demo's; BENCHMARKS.md, "Memory under the checkout load").
    if config.test_control || cache.is_some() {
        control.save(&engine, SEEDED)?;
    }
    if let (Some(cache), Some((image, clock_ms, ids))) = (&cache, control.get(SEEDED))
        && let Err(e) = cache.save(&image, clock_ms, ids, &summary)
    {
        // A cache that cannot be written only costs the next start its speed.
        eprintln!("stockroom: {e}");
    }
    if !config.test_control {
        control.forget(SEEDED);
    }
    Ok((engine, summary))
}

/// The fixture, its text and its image files: the demo's from the binary itself (so a copied
/// or installed binary serves the whole demo), any other from its file and folder.
fn read_fixture(
    config: &ServeConfig,
    path: &std::path::Path,
    base_url: &str,
) -> Result<(seed::Fixture, String, FixtureFiles)> {
    if config.demo {
        let fixture = seed::parse(demo::JSON)?;
        let files = FixtureFiles::from_table(&fixture, demo::IMAGES, base_url)?;
        return Ok((fixture, demo::JSON.to_string(), files));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::invalid(format!("cannot read fixture {}: {e}", path.display())))?;
    let fixture = seed::parse(&text)?;
    let dir = path.parent().unwrap_or(std::path::Path::new("."));
    let files = FixtureFiles::from_dir(&fixture, dir, base_url)?;
    Ok((fixture, text, files))
}

impl App {
    /// Waits for the background warm-up to finish and says what it did (`None` without one,
    /// or once asked).
    pub fn warmed(&mut self) -> Option<crate::http::warm::Warmed> {
        self.warm.take().and_then(|thread| thread.join().ok())
    }

    /// Graceful stop: finish in-flight requests, then close the store.
    pub fn shutdown(mut self) {
        let _ = self.warmed();
        drop(self.pruner.take());
        self.server.shutdown();
        self.engine.shutdown();
    }
}
