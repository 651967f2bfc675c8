//! The sale message a till pushes: one whole sale, self-contained, keyed by the till's own
//! order id. Built on the till from its order (lines with their tax lines and adjustments as
//! priced at the till, shipping methods, payments, addresses, metadata verbatim).

use crate::error::{Error, Result};
use crate::flows::links;
use crate::modules::order::{self, LineItem, ShippingMethod};
use crate::modules::payment;
use crate::modules::till_sync::Config;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A payment taken at the till.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tender {
    /// The provider it went through (`pp_system_default`, a manual card provider …).
    pub provider_id: String,
    /// Minor units.
    pub amount: i64,
    /// Provider data, verbatim.
    #[serde(default)]
    pub data: Value,
}

/// One till sale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaleMessage {
    /// The till's order id: the idempotency key.
    pub till_order_id: String,
    /// The till's register code.
    pub register: String,
    /// The till's own display id (its own sequence; central numbers its copy itself).
    pub till_display_id: i64,
    /// What the receipt says.
    pub receipt_number: String,
    /// Central's stock location of the till.
    pub location_id: String,
    /// Central's POS sales channel.
    pub sales_channel_id: Option<String>,
    /// `reg_…`
    pub region_id: Option<String>,
    /// `cus_…` (a customer pulled from central, or one the till made).
    pub customer_id: Option<String>,
    /// Contact email.
    pub email: Option<String>,
    /// Currency.
    pub currency_code: String,
    /// When the till placed it.
    pub placed_at: String,
    /// The order's metadata, verbatim (`pos_register_id`, `pos_session_id`, `receipt_number`,
    /// `staff_user_id` …).
    pub metadata: Option<Value>,
    /// Address fields.
    pub shipping_address: Option<Map<String, Value>>,
    /// Address fields.
    pub billing_address: Option<Map<String, Value>>,
    /// Lines with tax lines and adjustments.
    pub items: Vec<LineItem>,
    /// Shipping methods with tax lines and adjustments.
    #[serde(default)]
    pub shipping_methods: Vec<ShippingMethod>,
    /// Payments taken.
    #[serde(default)]
    pub payments: Vec<Tender>,
    /// What the sale came to (the payment collection's amount), minor units.
    pub total: i64,
}

/// The message of a till order.
///
/// # Errors
/// 404 for an unknown order; database failures.
pub fn build(conn: &Connection, config: &Config, order_id: &str) -> Result<SaleMessage> {
    let placed = order::retrieve(conn, order_id)?;
    let mut payments = Vec::new();
    let mut total = None;
    for collection_id in links::order_payment_collection().rights_of(conn, order_id)? {
        let collection = payment::retrieve_collection(conn, &collection_id)?;
        total = Some(total.unwrap_or(0) + collection.amount);
        for p in collection
            .payments
            .iter()
            .filter(|p| p.canceled_at.is_none())
        {
            payments.push(Tender {
                provider_id: p.provider_id.clone(),
                amount: p.amount,
                data: p.data.clone(),
            });
        }
    }
    let receipt_number = placed
        .metadata
        .as_ref()
        .and_then(|m| m["receipt_number"].as_str())
        .map_or_else(
            || format!("{}-{}", config.register, placed.display_id),
            str::to_string,
        );
    let items = order::items::items_of(conn, order_id)?;
    let total = total.unwrap_or_else(|| payments.iter().map(|p| p.amount).sum());
    Ok(SaleMessage {
        till_order_id: placed.id.clone(),
        register: config.register.clone(),
        till_display_id: placed.display_id,
        receipt_number,
        location_id: config.location_id.clone(),
        sales_channel_id: placed.sales_channel_id.clone(),
        region_id: placed.region_id.clone(),
        customer_id: placed.customer_id.clone(),
        email: placed.email.clone(),
        currency_code: placed.currency_code.clone(),
        placed_at: placed.created_at.clone(),
        metadata: placed.metadata.clone(),
        shipping_address: order::address(conn, placed.shipping_address_id.as_deref())?,
        billing_address: order::address(conn, placed.billing_address_id.as_deref())?,
        items,
        shipping_methods: order::shipping::methods_of(conn, order_id)?,
        payments,
        total,
    })
}

impl SaleMessage {
    /// Checks what central relies on before anything is written.
    ///
    /// # Errors
    /// 400 naming the first missing part.
    pub fn check(&self) -> Result<()> {
        let blank = |s: &str| s.trim().is_empty();
        if blank(&self.till_order_id) || blank(&self.register) || blank(&self.location_id) {
            return Err(Error::invalid(
                "A sale needs till_order_id, register and location_id",
            ));
        }
        if self.items.is_empty() {
            return Err(Error::invalid("A sale needs at least one item"));
        }
        if self.items.iter().any(|i| i.quantity <= 0) || self.total < 0 {
            return Err(Error::invalid(
                "Quantities must be positive and the total not negative",
            ));
        }
        if self
            .payments
            .iter()
            .any(|p| p.amount < 0 || blank(&p.provider_id))
        {
            return Err(Error::invalid(
                "Each payment needs a provider and a non-negative amount",
            ));
        }
        Ok(())
    }
}
