//! What Stockroom is made of: the core's modules, links, routes, workflows, subscribers and
//! providers, registered through the same public [`EngineBuilder`] calls a user's crate makes
//! for its own.
//!
//! The dependency points one way: this file knows every module, flow and route family; the
//! [`engine`](crate::engine) knows none of them. A new core route family, workflow family or
//! module is added here (or in the family's own list that this file calls) and nowhere else.

use crate::engine::{Engine, EngineBuilder};
use crate::modules::{fulfillment, payment, tax};

impl Engine {
    /// A builder with every core module, link, route, workflow, subscriber and provider
    /// already registered; add your own and [`build`](EngineBuilder::build) it.
    pub fn builder() -> EngineBuilder {
        core()
    }
}

/// The core, registered on an empty builder (what [`Engine::builder`] answers).
pub fn core() -> EngineBuilder {
    let builder = core_providers(EngineBuilder::empty());
    let builder = crate::modules::core_modules()
        .into_iter()
        .fold(builder, EngineBuilder::module);
    let builder = crate::flows::links::core_links()
        .into_iter()
        .fold(builder, EngineBuilder::link);
    let builder = crate::http::routes::core_routes()
        .into_iter()
        .fold(builder, EngineBuilder::route);
    let builder = core_workflows()
        .into_iter()
        .fold(builder, EngineBuilder::workflow);
    let builder = crate::flows::notifications::subscribers()
        .into_iter()
        .fold(builder, EngineBuilder::subscriber);
    // The till-sync capture triggers span every replicated table, links included, so they
    // are installed (or, on a till, removed) once all migrations have run.
    builder.after_migrations(crate::flows::till_sync::prepare_store)
}

/// Every core workflow family.
fn core_workflows() -> Vec<crate::workflow::Workflow> {
    crate::flows::checkout::workflows()
        .into_iter()
        .chain(crate::flows::orders::workflows())
        .chain(crate::flows::till_sync::workflows())
        .chain(crate::flows::pos::workflows())
        .collect()
}

/// The providers Medusa ships with: the system payment provider, the scriptable test one
/// (offered only by test and fixture engines), manual fulfillment and the system tax
/// provider. The file provider is the store itself unless replaced.
fn core_providers(builder: EngineBuilder) -> EngineBuilder {
    builder
        .payment_provider(payment::provider::SystemProvider)
        .payment_provider(payment::provider::TestProvider)
        .fulfillment_provider(fulfillment::provider::ManualProvider)
        .tax_provider(tax::provider::SystemProvider)
}
