//! The black-box test harness: [`TestApp`] starts the real server on 127.0.0.1:0 over a fresh
//! in-memory store (seeded from `fixtures/demo.json` unless told otherwise) and offers small
//! HTTP helpers. Each test gets its own app; nothing is shared between tests.
#![allow(dead_code)]

pub mod accounts;
pub mod after_sales;
pub mod binary;
pub mod checkout;
pub mod client;
pub mod orders;
pub mod receiver;
pub mod setup;
pub mod smtp;

use client::Reply;
use serde_json::Value;
use std::path::PathBuf;
use stockroom::EngineBuilder;
use stockroom::app::{self, App};
use stockroom::config::{DbTarget, ServeConfig};
use stockroom::db::Synchronous;
use stockroom::http::cors::CorsConfig;

/// The documented demo publishable key (fixtures/demo.json).
pub const DEMO_KEY: &str =
    "pk_demo_0000000000000000000000000000000000000000000000000000000000000000";

/// A running server for one test; shut down on drop.
pub struct TestApp {
    app: Option<App>,
    /// `127.0.0.1:port`
    pub addr: String,
}

/// Test defaults: in-memory, demo fixture, ephemeral port, quiet.
pub fn config() -> ServeConfig {
    ServeConfig {
        db: DbTarget::Memory,
        fixture: Some(PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/demo.json"
        ))),
        demo: true,
        host: "127.0.0.1".into(),
        port: 0,
        synchronous: Synchronous::Off,
        workers: 2,
        body_limit: 64 * 1024,
        connection_timeout_ms: 5_000,
        request_timeout_ms: 5_000,
        max_connections: 1024,
        cors: CorsConfig::default(),
        access_log: false,
        test_control: true,
        auth: stockroom::modules::auth::AuthConfig::dev(),
        admin_override: Default::default(),
        fixture_cache: None,
        ops: Default::default(),
    }
}

impl TestApp {
    /// The core engine over the demo fixture.
    pub fn start() -> Self {
        Self::with(config(), stockroom::Engine::builder())
    }

    /// A custom configuration and engine builder (extra routes, modules).
    pub fn with(config: ServeConfig, builder: EngineBuilder) -> Self {
        let app = app::start(&config, builder).expect("test app starts");
        let addr = app.server.addr().to_string();
        TestApp {
            app: Some(app),
            addr,
        }
    }

    /// Names of the fixture snapshots the server keeps (`seeded` among them), sorted.
    pub fn snapshots(&self) -> Vec<String> {
        let app = self.app.as_ref().expect("running");
        app.fixture.as_ref().map(|f| f.names()).unwrap_or_default()
    }

    /// The engine behind the server.
    pub fn engine(&self) -> &stockroom::Engine {
        &self.app.as_ref().expect("running").engine
    }

    /// Waits for the background warm-up (`ops.warm`) and says what it did.
    pub fn warmed(&mut self) -> Option<stockroom::http::warm::Warmed> {
        self.app.as_mut()?.warmed()
    }

    /// Stops the server now (graceful), returning once workers have exited.
    pub fn shutdown(mut self) {
        if let Some(app) = self.app.take() {
            app.shutdown();
        }
    }

    /// Any request; headers as (name, value) pairs.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Reply {
        client::send(&self.addr, method, path, headers, body.map(str::as_bytes))
    }

    /// GET without a publishable key.
    pub fn get(&self, path: &str) -> Reply {
        self.request("GET", path, &[], None)
    }

    /// GET on a /store route with the demo key.
    pub fn store_get(&self, path: &str) -> Reply {
        self.request("GET", path, &[("x-publishable-api-key", DEMO_KEY)], None)
    }

    /// POST JSON on a /store route with the demo key.
    pub fn store_post(&self, path: &str, body: &Value) -> Reply {
        let text = body.to_string();
        self.request(
            "POST",
            path,
            &[
                ("x-publishable-api-key", DEMO_KEY),
                ("content-type", "application/json"),
            ],
            Some(&text),
        )
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(app) = self.app.take() {
            app.shutdown();
        }
    }
}

/// Asserts status and JSON body together, showing both on failure.
#[track_caller]
pub fn check(reply: &Reply, status: u16, body: Value) {
    assert_eq!(
        (reply.status, reply.json()),
        (status, body),
        "raw: {}",
        reply.text()
    );
}
