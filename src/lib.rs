//! Stockroom: a commerce engine that keeps a whole shop in one SQLite file, with a Store API
//! wire-compatible with Medusa v2.
//!
//! Map (see ARCHITECTURE.md): [`db`] storage and migrations, [`modules`] domain modules,
//! [`link`] cross-module links, [`flows`] cross-module operations, [`http`] the server,
//! [`engine`] the composition root; [`error`], [`id`], [`clock`], [`money`] are the
//! foundation everything else stands on.

#![doc = include_str!("guide.md")]

pub mod alloc;
pub mod app;
pub mod clock;
pub mod composition;
pub mod config;
pub mod crypto;
pub mod ctx;
pub mod db;
pub mod demo;
pub mod engine;
pub mod error;
pub mod events;
pub mod failpoint;
pub mod fixture;
pub mod fixture_cache;
pub mod flows;
pub mod http;
pub mod id;
pub mod jobs;
pub mod lines;
pub mod link;
pub mod metrics;
pub mod model;
pub mod modules;
pub mod money;
pub mod ops;
pub mod providers;
pub mod testing;
pub mod totals;
pub mod workflow;

pub use engine::{Engine, EngineBuilder};
pub use error::{Error, Result};
/// The admin UI's template crate, for widgets and admin pages of custom modules.
pub use maud;
