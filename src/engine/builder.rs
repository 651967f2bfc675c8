//! [`EngineBuilder`]: collects modules, links, routes, workflows, subscribers, hooks, jobs and
//! providers, then migrates the store and starts the engine's background threads.

use super::{Engine, EngineInner, FIXTURE_EPOCH_MS, all_modules, group_hooks};
use crate::clock::Clock;
use crate::ctx::Ctx;
use crate::db::Store;
use crate::db::module::{Module, migrate};
use crate::error::Result;
use crate::events::dispatcher::{Dispatcher, RetryPolicy};
use crate::events::webhooks::WebhookSettings;
use crate::events::webhooks::sender::{Sender as WebhookSender, SenderBell};
use crate::events::{Event, Subscriber};
use crate::http::{Route, Router};
use crate::id::IdGenerator;
use crate::link::Link;
use crate::modules::auth::AuthConfig;
use crate::modules::auth::gate::HashGate;
use crate::modules::notification::provider::{LocalProvider, NotificationProvider};
use crate::workflow::Workflow;
use crate::workflow::hooks::Hook;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// Collects modules, links, routes, workflows and subscribers, then builds an [`Engine`].
pub struct EngineBuilder {
    modules: Vec<Module>,
    links: Vec<Link>,
    routes: Vec<Route>,
    workflows: Vec<Workflow>,
    subscribers: Vec<Subscriber>,
    hooks: Vec<Hook>,
    jobs: Vec<crate::jobs::Job>,
    event_retry: RetryPolicy,
    webhooks: WebhookSettings,
    notification_providers: Vec<Arc<dyn NotificationProvider>>,
    clock: Clock,
    seed: Option<u64>,
    auth: AuthConfig,
    test_payment_provider: Option<bool>,
    providers: crate::providers::Providers,
    ui: crate::http::ui::Extensions,
    after_migrations: Vec<AfterMigrations>,
}

/// Work run in its own write job once every migration is applied (e.g. triggers that must
/// see every table, links included).
pub type AfterMigrations = fn(&crate::db::Tx) -> Result<()>;

impl EngineBuilder {
    /// A builder with nothing registered (for tools and tests of the foundation itself).
    pub fn empty() -> Self {
        EngineBuilder {
            modules: Vec::new(),
            links: Vec::new(),
            routes: Vec::new(),
            workflows: Vec::new(),
            subscribers: Vec::new(),
            hooks: Vec::new(),
            jobs: Vec::new(),
            event_retry: RetryPolicy::default(),
            webhooks: WebhookSettings::default(),
            notification_providers: Vec::new(),
            clock: Clock::System,
            seed: None,
            auth: AuthConfig::dev(),
            test_payment_provider: None,
            providers: crate::providers::Providers::default(),
            ui: crate::http::ui::Extensions::default(),
            after_migrations: Vec::new(),
        }
    }

    /// Registers work to run after every migration, when the engine is built.
    pub fn after_migrations(mut self, work: AfterMigrations) -> Self {
        self.after_migrations.push(work);
        self
    }

    /// Registers a module: its migrations run when the engine is built.
    pub fn module(mut self, module: Module) -> Self {
        self.modules.push(module);
        self
    }

    /// Registers a link between two modules' entities (its table is migrated like a module's).
    pub fn link(mut self, link: Link) -> Self {
        self.links.push(link);
        self
    }

    /// Registers a route; one with the same method and pattern as an earlier one replaces it.
    pub fn route(mut self, route: Route) -> Self {
        self.routes.push(route);
        self
    }

    /// Adds a widget to a zone of the admin UI (`customer.details.after`, … — Medusa's zone
    /// names, [`crate::http::ui::ZONES`]). `render` gets the page's entity id and the engine
    /// and returns escaped markup; widgets of a zone render in registration order, and one
    /// that fails or panics shows an error box instead. An unknown zone fails [`Self::build`].
    pub fn widget(
        mut self,
        zone: &str,
        render: impl Fn(&crate::http::ui::WidgetContext) -> Result<maud::Markup> + Send + Sync + 'static,
    ) -> Self {
        self.ui.widgets.push(crate::http::ui::Widget {
            zone: zone.to_string(),
            render: Arc::new(render),
        });
        self
    }

    /// Adds a page of a custom module to the admin UI at `/app/<slug>`, with a navigation
    /// entry named `title`. `render` returns the page's body; the UI adds the shell, the
    /// heading and the sign-in check (and the CSRF check on any form it posts to its own
    /// routes registered with [`crate::http::ui::ui_route`]).
    pub fn admin_page(
        mut self,
        slug: &str,
        title: &str,
        render: impl Fn(&Engine, &crate::http::Request, &crate::http::ui::Ui) -> Result<maud::Markup>
        + Send
        + Sync
        + 'static,
    ) -> Self {
        let page = crate::http::ui::AdminPage {
            path: format!("/app/{slug}"),
            title: title.to_string(),
            render: Arc::new(render),
        };
        self.routes.push(crate::http::ui::admin_page_route(&page));
        self.ui.pages.push(page);
        self
    }

    /// Registers a workflow (a later one with the same name replaces it).
    pub fn workflow(mut self, workflow: Workflow) -> Self {
        self.workflows.push(workflow);
        self
    }

    /// Registers an event subscriber.
    pub fn subscriber(mut self, subscriber: Subscriber) -> Self {
        self.subscribers.push(subscriber);
        self
    }

    /// Registers custom code at a hook point of a core workflow (see
    /// [`workflow::hooks`](crate::workflow::hooks)); `build` refuses an unknown point.
    pub fn hook(mut self, hook: Hook) -> Self {
        self.hooks.push(hook);
        self
    }

    /// Registers a scheduled job: `handler` runs at every slot of the cron expression
    /// `schedule` on the engine's clock, journaled as the workflow `job:<name>` (see
    /// [`jobs`](crate::jobs) for the clock, the one-run-at-a-time rule and missed runs).
    /// `build` refuses an invalid expression.
    pub fn job(
        mut self,
        name: &str,
        schedule: &str,
        handler: impl Fn(&Engine, &crate::jobs::JobRun) -> Result<serde_json::Value>
        + Send
        + Sync
        + 'static,
    ) -> Self {
        let job = crate::jobs::Job::new(name, schedule, handler);
        self.workflows.push(job.workflow());
        self.jobs.push(job);
        self
    }

    /// Shorthand: subscribes `handler` (named `id`) to the event `name`.
    pub fn on(
        self,
        id: &str,
        name: &str,
        handler: impl Fn(&Engine, &Event) -> Result<()> + Send + Sync + 'static,
    ) -> Self {
        self.subscriber(Subscriber::new(id, name, handler))
    }

    /// How failed event deliveries are retried and when they are dead-lettered.
    pub fn event_retry(mut self, policy: RetryPolicy) -> Self {
        self.event_retry = policy;
        self
    }

    /// Leaves out the core's notification subscribers (`notify.*`): an engine that mails
    /// nobody, for bulk imports and synthetic histories.
    pub fn without_notifications(mut self) -> Self {
        self.subscribers.retain(|s| !s.id.starts_with("notify."));
        self
    }

    /// Registers a notification provider; for each channel the last one registered that
    /// serves it is used. Without any, the `local` provider serves `email` and `feed`.
    pub fn notification_provider(mut self, provider: Arc<dyn NotificationProvider>) -> Self {
        self.notification_providers.push(provider);
        self
    }

    /// How webhook deliveries are sent (workers, timeouts, retries, whether loopback
    /// endpoints are allowed).
    pub fn webhooks(mut self, settings: WebhookSettings) -> Self {
        self.webhooks = settings;
        self
    }

    /// Uses `clock` instead of the system clock.
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Uses these accounts settings (the default is [`AuthConfig::dev`]: documented dev
    /// secrets, fine for tests, refused by `serve` outside demo and fixture modes).
    pub fn auth(mut self, auth: AuthConfig) -> Self {
        self.auth = auth;
        self
    }

    /// Deterministic mode: a fixed clock at [`FIXTURE_EPOCH_MS`] and IDs from `seed`, so the
    /// same operations give the same IDs and timestamps on every run.
    pub fn deterministic(mut self, seed: u64) -> Self {
        self.clock = Clock::fixed(FIXTURE_EPOCH_MS);
        self.seed = Some(seed);
        self
    }

    /// Offers (or not) the scriptable test payment provider `pp_test_test` in every region.
    /// Unset, deterministic (fixture and test) engines offer it and others do not.
    pub fn test_payment_provider(mut self, enabled: bool) -> Self {
        self.test_payment_provider = Some(enabled);
        self
    }

    /// Registers a payment provider (Medusa's `AbstractPaymentProvider`); a region offers it
    /// once its `payment_providers` name it. One with the same id replaces the earlier one.
    pub fn payment_provider(
        mut self,
        provider: impl crate::providers::PaymentProvider + 'static,
    ) -> Self {
        self.providers.add_payment(Arc::new(provider));
        self
    }

    /// Registers a fulfillment provider (Medusa's `AbstractFulfillmentProviderService`):
    /// stock locations can enable it, shipping options use it (a `calculated` option is
    /// priced by it), fulfillments are created and canceled through it.
    pub fn fulfillment_provider(
        mut self,
        provider: impl crate::providers::FulfillmentProvider + 'static,
    ) -> Self {
        self.providers.add_fulfillment(Arc::new(provider));
        self
    }

    /// Registers a tax provider (Medusa's `ITaxProvider`); a country's tax region uses it
    /// once its `provider_id` names it.
    pub fn tax_provider(mut self, provider: impl crate::providers::TaxProvider + 'static) -> Self {
        self.providers.add_tax(Arc::new(provider));
        self
    }

    /// Replaces the file module's provider (the built-in one keeps files in the store).
    pub fn file_provider(
        mut self,
        provider: impl crate::providers::FileProvider + 'static,
    ) -> Self {
        self.providers.set_file(Arc::new(provider));
        self
    }

    /// Every module the store needs: the engine's own tables, the registered modules, the
    /// links' tables.
    pub fn all_modules(&self) -> Vec<Module> {
        all_modules(&self.modules, &self.links)
    }

    /// Migrations this builder would apply to the store behind `conn` (`module/name`), for
    /// read-only commands that must not migrate but need the current schema.
    ///
    /// # Errors
    /// Database failures.
    pub fn pending_migrations(&self, conn: &rusqlite::Connection) -> Result<Vec<String>> {
        crate::db::module::pending(conn, &self.all_modules())
    }

    /// A text that changes whenever the schema this builder would create changes: module
    /// and link names with their migrations' checksums, and the deterministic seed. Part of
    /// the fixture image cache's key (with the executable's identity, which covers code).
    pub fn schema_fingerprint(&self) -> String {
        let mut text = format!("seed={:?};", self.seed);
        let links = self.links.iter().map(Link::module);
        for module in self.modules.iter().cloned().chain(links) {
            text.push_str(&module.fingerprint());
            text.push(';');
        }
        text
    }

    /// Migrates the store for every registered module and link, and returns the engine.
    ///
    /// # Errors
    /// A migration failed, changed after being applied, or broke the table-prefix rule.
    pub fn build(self, store: Store) -> Result<Engine> {
        crate::workflow::hooks::check_points(&self.hooks)?;
        self.ui.check()?;
        let ids = match self.seed {
            Some(seed) => IdGenerator::seeded(self.clock.clone(), seed),
            None => IdGenerator::random(self.clock.clone()),
        };
        let ctx = Ctx::new(self.clock.clone(), ids);
        let all = self.all_modules();
        // The local provider first: registered providers override it per channel. It logs
        // unless the engine is deterministic (tests, fixtures).
        let local: Arc<dyn NotificationProvider> = match self.seed {
            Some(_) => Arc::new(LocalProvider::quiet()),
            None => Arc::new(LocalProvider::new()),
        };
        let notification_providers: Vec<_> = std::iter::once(local)
            .chain(self.notification_providers.iter().cloned())
            .collect();
        let now = ctx.now();
        let batch_end = all.iter().flat_map(|m| m.batch_end()).copied().collect();
        store.write(move |tx| migrate(tx, &all, &now))?;
        store.set_batch_end(batch_end);
        for work in &self.after_migrations {
            store.write(*work)?;
        }
        let scheduler = crate::jobs::Scheduler::new(self.jobs, &store, ctx.clock.now())?;
        let mut router = Router::default();
        for route in self.routes {
            router.add(route);
        }
        let workflows = self
            .workflows
            .into_iter()
            .map(|w| (w.name().to_string(), Arc::new(w)))
            .collect();
        let inner = Arc::new(EngineInner {
            store,
            ctx,
            router,
            modules: self.modules,
            links: self.links,
            workflows,
            subscribers: self.subscribers,
            hooks: group_hooks(self.hooks),
            scheduler,
            event_retry: self.event_retry,
            dispatcher: OnceLock::new(),
            webhooks: self.webhooks,
            webhook_bell: SenderBell::default(),
            webhook_sender: OnceLock::new(),
            notification_providers,
            hash_gate: HashGate::new(
                self.auth.hash_permits,
                Duration::from_millis(self.auth.hash_wait_ms),
            ),
            auth: self.auth,
            test_payment_provider: self.test_payment_provider.unwrap_or(self.seed.is_some()),
            providers: self.providers,
            ui: self.ui,
        });
        let engine = Engine { inner };
        crate::workflow::recover(&engine)?;
        let bell = engine.inner.ctx.bell().receiver().clone();
        let dispatcher = Dispatcher::start(Arc::downgrade(&engine.inner), bell)?;
        let _ = engine.inner.dispatcher.set(dispatcher);
        let sender = WebhookSender::start(
            Arc::downgrade(&engine.inner),
            engine.inner.webhook_bell.clone(),
            engine.inner.webhooks.clone(),
        )?;
        let _ = engine.inner.webhook_sender.set(sender);
        if !engine.clock().is_manual() {
            engine.inner.scheduler.start(Arc::downgrade(&engine.inner));
        }
        Ok(engine)
    }
}
