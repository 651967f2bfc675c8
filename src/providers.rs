//! The engine's provider registry: the payment, fulfillment, tax and file providers core
//! flows call, registered through the builder (`payment_provider`, `fulfillment_provider`,
//! `tax_provider`, `file_provider`) — the built-in ones by `Engine::builder` itself, so
//! custom providers and core ones take the same road. The traits live in their modules
//! (`modules::<kind>::provider`); this registry is the only place that knows them all.
//!
//! Lookups are a scan of a short list by id (a shop has a handful of providers), cheaper
//! than hashing on every cart refresh.

use crate::error::{Error, Result};
pub use crate::modules::file::provider::FileProvider;
pub use crate::modules::fulfillment::provider::FulfillmentProvider;
pub use crate::modules::payment::provider::PaymentProvider;
pub use crate::modules::tax::provider::TaxProvider;
use crate::modules::{file, tax};
use std::sync::Arc;

/// Every registered provider, by kind.
#[derive(Clone)]
pub struct Providers {
    payment: Vec<Arc<dyn PaymentProvider>>,
    fulfillment: Vec<Arc<dyn FulfillmentProvider>>,
    tax: Vec<Arc<dyn TaxProvider>>,
    file: Arc<dyn FileProvider>,
}

impl Default for Providers {
    /// No payment, fulfillment or tax provider; the local file provider (the file module
    /// always has one).
    fn default() -> Self {
        Providers {
            payment: Vec::new(),
            fulfillment: Vec::new(),
            tax: Vec::new(),
            file: Arc::new(file::provider::LocalProvider),
        }
    }
}

/// Adds `item` to `list`, replacing one with the same id (a later registration wins, as
/// for routes and workflows).
fn put<T: ?Sized>(list: &mut Vec<Arc<T>>, item: Arc<T>, id: impl Fn(&T) -> &'static str) {
    let new_id = id(&item);
    match list.iter_mut().find(|p| id(p) == new_id) {
        Some(slot) => *slot = item,
        None => list.push(item),
    }
}

impl Providers {
    /// Registers a payment provider (one with the same id is replaced).
    pub fn add_payment(&mut self, provider: Arc<dyn PaymentProvider>) {
        put(&mut self.payment, provider, |p| p.id());
    }

    /// Registers a fulfillment provider (one with the same id is replaced).
    pub fn add_fulfillment(&mut self, provider: Arc<dyn FulfillmentProvider>) {
        put(&mut self.fulfillment, provider, |p| p.id());
    }

    /// Registers a tax provider (one with the same id is replaced).
    pub fn add_tax(&mut self, provider: Arc<dyn TaxProvider>) {
        put(&mut self.tax, provider, |p| p.id());
    }

    /// Uses `provider` as the file module's provider.
    pub fn set_file(&mut self, provider: Arc<dyn FileProvider>) {
        self.file = provider;
    }

    /// The payment provider `id`.
    pub fn payment(&self, id: &str) -> Option<&dyn PaymentProvider> {
        self.payment.iter().find(|p| p.id() == id).map(|p| &**p)
    }

    /// Ids of every payment provider, in registration order.
    pub fn payment_ids(&self) -> Vec<&'static str> {
        self.payment.iter().map(|p| p.id()).collect()
    }

    /// The fulfillment provider `id`.
    pub fn fulfillment(&self, id: &str) -> Option<&dyn FulfillmentProvider> {
        self.fulfillment.iter().find(|p| p.id() == id).map(|p| &**p)
    }

    /// The fulfillment provider `id`, or 404 "Fulfillment provider with id: X was not found".
    ///
    /// # Errors
    /// 404 for an unregistered id.
    pub fn fulfillment_or_404(&self, id: &str) -> Result<&dyn FulfillmentProvider> {
        self.fulfillment(id)
            .ok_or_else(|| Error::not_found("Fulfillment provider", id))
    }

    /// Ids of every fulfillment provider, in registration order.
    pub fn fulfillment_ids(&self) -> Vec<&'static str> {
        self.fulfillment.iter().map(|p| p.id()).collect()
    }

    /// The tax provider `id`.
    pub fn tax(&self, id: &str) -> Option<&dyn TaxProvider> {
        self.tax.iter().find(|p| p.id() == id).map(|p| &**p)
    }

    /// The tax provider a region names (the system provider when it names none).
    ///
    /// A tax region can only be given a registered provider (create and update refuse
    /// others), but a row written before a provider left the build may still name it.
    ///
    /// # Errors
    /// 400 `not_allowed` when the region names a provider this build does not register:
    /// its tax lines cannot be computed, refusing beats taxing wrongly, and the message says
    /// what staff must fix (the caller's write job rolls back, so nothing is half-taxed).
    pub fn tax_for(&self, id: Option<&str>) -> Result<&dyn TaxProvider> {
        let id = id.unwrap_or(tax::provider::SYSTEM);
        self.tax(id).ok_or_else(|| {
            Error::not_allowed(format!(
                "Taxes cannot be calculated: the tax region names the tax provider {id}, \
                 which is not registered; set the tax region's provider_id to a registered \
                 provider"
            ))
        })
    }

    /// Ids of every tax provider, in registration order.
    pub fn tax_ids(&self) -> Vec<&'static str> {
        self.tax.iter().map(|p| p.id()).collect()
    }

    /// The file module's provider.
    pub fn file(&self) -> &dyn FileProvider {
        &*self.file
    }
}
