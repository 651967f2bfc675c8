//! The engine: the one context every handler, workflow and subscriber receives.
//!
//! This is how Stockroom *runs* (the writer, the dispatcher, the scheduler, the registries);
//! what it is *made of* — the core's modules, links, routes, workflows and subscribers — is
//! registered in [`crate::composition`] through the very same public [`EngineBuilder`] calls a
//! user's crate makes for its own (see `examples/loyalty.rs`). This module names no route
//! family, flow or module list, so dependencies point one way: composition → engine.
//! If the core ever needs a private shortcut, the public builder is missing something.

use crate::clock::Clock;
use crate::ctx::Ctx;
use crate::db::Store;
use crate::db::module::{Module, schema_module};
use crate::error::Result;
use crate::events::Subscriber;
use crate::events::dispatcher::{Dispatcher, RetryPolicy};
use crate::events::webhooks::WebhookSettings;
use crate::events::webhooks::sender::{Sender as WebhookSender, SenderBell};
use crate::http::Router;
use crate::link::Link;
use crate::modules::auth::AuthConfig;
use crate::modules::auth::gate::HashGate;
use crate::modules::notification::provider::NotificationProvider;
use crate::workflow::Workflow;
use crate::workflow::hooks::Hook;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

mod builder;
#[cfg(test)]
mod schema_tests;
pub use builder::EngineBuilder;

/// A running engine; cheap to clone.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<EngineInner>,
}

pub(crate) struct EngineInner {
    store: Store,
    ctx: Ctx,
    router: Router,
    modules: Vec<Module>,
    links: Vec<Link>,
    workflows: HashMap<String, Arc<Workflow>>,
    subscribers: Vec<Subscriber>,
    hooks: HashMap<String, Vec<Hook>>,
    scheduler: crate::jobs::Scheduler,
    event_retry: RetryPolicy,
    dispatcher: OnceLock<Dispatcher>,
    webhooks: WebhookSettings,
    webhook_bell: SenderBell,
    webhook_sender: OnceLock<WebhookSender>,
    notification_providers: Vec<Arc<dyn NotificationProvider>>,
    auth: AuthConfig,
    hash_gate: HashGate,
    test_payment_provider: bool,
    providers: crate::providers::Providers,
    ui: crate::http::ui::Extensions,
}

/// The instant deterministic (fixture) engines start at: 2024-01-01T00:00:00.000Z.
pub const FIXTURE_EPOCH_MS: i64 = 1_704_067_200_000;

impl Engine {
    pub(crate) fn from_inner(inner: Arc<EngineInner>) -> Self {
        Engine { inner }
    }

    /// What custom modules added to the admin UI (widgets, pages).
    pub fn ui_extensions(&self) -> &crate::http::ui::Extensions {
        &self.inner.ui
    }

    /// A registered workflow by name.
    pub fn workflow(&self, name: &str) -> Option<Arc<Workflow>> {
        self.inner.workflows.get(name).cloned()
    }

    /// Registered subscribers.
    pub fn subscribers(&self) -> &[Subscriber] {
        &self.inner.subscribers
    }

    /// The hooks registered at a hook point, in registration order.
    pub fn hooks(&self, point: &str) -> &[Hook] {
        self.inner.hooks.get(point).map_or(&[], Vec::as_slice)
    }

    /// How failed deliveries are retried.
    pub fn event_retry(&self) -> RetryPolicy {
        self.inner.event_retry
    }

    /// The event dispatcher, once started.
    pub(crate) fn dispatcher(&self) -> Option<&Dispatcher> {
        self.inner.dispatcher.get()
    }

    /// Blocks until every event committed before the call has been delivered (or
    /// dead-lettered). Tests use it instead of sleeping.
    ///
    /// # Errors
    /// Deliveries still pending after 10 seconds.
    pub fn wait_idle(&self) -> Result<()> {
        match self.inner.dispatcher.get() {
            Some(d) => d.wait_idle(self.inner.ctx.bell(), Duration::from_secs(10)),
            None => Ok(()),
        }
    }

    /// Blocks until every event committed before the call has been fanned out and every
    /// webhook delivery is delivered, dead-lettered or waiting for a disabled endpoint.
    /// Tests use it instead of sleeping.
    ///
    /// # Errors
    /// Work still pending after 10 seconds.
    pub fn wait_webhooks_idle(&self) -> Result<()> {
        self.wait_idle()?;
        match self.inner.webhook_sender.get() {
            Some(s) => s.wait_idle(&self.inner.webhook_bell, Duration::from_secs(10)),
            None => Ok(()),
        }
    }

    /// The notification provider serving `channel` (the last registered one that does).
    pub fn notification_provider(&self, channel: &str) -> Option<Arc<dyn NotificationProvider>> {
        self.inner
            .notification_providers
            .iter()
            .rev()
            .find(|p| p.channels().iter().any(|c| c == channel))
            .cloned()
    }

    /// How webhooks are delivered.
    pub fn webhook_settings(&self) -> &WebhookSettings {
        &self.inner.webhooks
    }

    /// Wakes the webhook sender (after a commit that queued deliveries).
    pub fn webhook_bell(&self) -> &SenderBell {
        &self.inner.webhook_bell
    }

    /// Runs every scheduled job that is due on the engine's clock, on the calling thread, and
    /// reports each run (see [`jobs`](crate::jobs)). On a manual (fixture) clock this is how
    /// jobs run: advance the clock, then call it.
    pub fn run_due_jobs(&self) -> Vec<crate::jobs::JobOutcome> {
        self.inner.scheduler.run_due(self)
    }

    /// Stops the event dispatcher and closes the store (after queued writes).
    pub fn shutdown(&self) {
        self.inner.scheduler.stop();
        if let Some(d) = self.inner.dispatcher.get() {
            d.stop(self.inner.ctx.bell());
        }
        if let Some(s) = self.inner.webhook_sender.get() {
            s.stop(&self.inner.webhook_bell);
        }
        self.inner.store.close();
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// IDs and time, for services.
    pub fn ctx(&self) -> &Ctx {
        &self.inner.ctx
    }

    /// The engine's clock.
    pub fn clock(&self) -> &Clock {
        &self.inner.ctx.clock
    }

    /// The route table.
    pub fn router(&self) -> &Router {
        &self.inner.router
    }

    /// Registered modules (core first, then users').
    pub fn modules(&self) -> &[Module] {
        &self.inner.modules
    }

    /// Registered links.
    pub fn links(&self) -> &[Link] {
        &self.inner.links
    }

    /// Every module whose tables are in the store: the engine's own (`schema`, `workflow`,
    /// `event`), the registered ones, and one per link.
    pub fn all_modules(&self) -> Vec<Module> {
        all_modules(&self.inner.modules, &self.inner.links)
    }

    /// Accounts settings (signing secrets, hashing cost, lifetimes, throttling).
    pub fn auth(&self) -> &AuthConfig {
        &self.inner.auth
    }

    /// The semaphore every password hash of a request runs under.
    pub fn hash_gate(&self) -> &HashGate {
        &self.inner.hash_gate
    }

    /// Whether the scriptable test payment provider (`pp_test_test`) may take new payment
    /// sessions: fixture and test engines only (it is then offered in every region), so a
    /// real shop never accepts a payment that nobody is paid through.
    pub fn test_payment_provider(&self) -> bool {
        self.inner.test_payment_provider
    }

    /// The registered payment, fulfillment, tax and file providers.
    pub fn providers(&self) -> &crate::providers::Providers {
        &self.inner.providers
    }
}

fn all_modules(modules: &[Module], links: &[Link]) -> Vec<Module> {
    let mut all = vec![
        schema_module(),
        crate::workflow::module(),
        crate::events::module(),
    ];
    all.extend(modules.iter().cloned());
    all.extend(links.iter().map(Link::module));
    all
}

fn group_hooks(hooks: Vec<Hook>) -> HashMap<String, Vec<Hook>> {
    let mut by_point: HashMap<String, Vec<Hook>> = HashMap::new();
    for hook in hooks {
        by_point
            .entry(hook.point().to_string())
            .or_default()
            .push(hook);
    }
    by_point
}
