//! Changing a product's parts after creation (Medusa's `updateProductVariantsWorkflow`,
//! `createProductOptionsWorkflow`…): a variant's own fields, options and prices (its price
//! set, through the link), and the product's options. Each emits Medusa's event
//! (`product-variant.updated`, `product-option.created|updated|deleted`) in the same job.

use crate::ctx::Ctx;
use crate::db::Tx;
use crate::error::Result;
use crate::flows::links;
use crate::modules::pricing::{self, NewPrice};
use crate::modules::product::{self, NewOption};
use serde_json::{Map, Value, json};

/// Input of [`update_variant`].
#[derive(Debug, Clone, Default)]
pub struct VariantUpdate {
    /// Own columns (title, sku, manage_inventory, …) → new values.
    pub changes: Map<String, Value>,
    /// Option title → value, replacing the variant's option values.
    pub options: Option<Vec<(String, String)>>,
    /// Replaces the variant's default prices.
    pub prices: Option<Vec<NewPrice>>,
}

/// Updates variant `variant_id` of product `product_id`; emits `product-variant.updated`.
///
/// # Errors
/// As `product::variants::update`; an unknown currency or a negative amount.
pub fn update_variant(
    tx: &Tx,
    ctx: &Ctx,
    product_id: &str,
    variant_id: &str,
    input: &VariantUpdate,
) -> Result<()> {
    product::variants::update(
        tx,
        ctx,
        product_id,
        variant_id,
        &input.changes,
        input.options.as_deref(),
    )?;
    if let Some(prices) = &input.prices {
        let link = links::variant_price_set();
        match link.rights_of(tx, variant_id)?.first() {
            Some(set) => pricing::lists::replace_set_prices(tx, ctx, set, prices)?,
            None => {
                let set = pricing::create_price_set(tx, ctx, prices)?;
                link.create(tx, &ctx.id("pvps"), variant_id, &set, &ctx.now())?;
            }
        }
    }
    ctx.emit(tx, "product-variant.updated", json!({ "id": variant_id }))
}

/// Adds an option to a product; emits `product-option.created`; returns the option id.
///
/// # Errors
/// As `product::options::add`.
pub fn add_option(tx: &Tx, ctx: &Ctx, product_id: &str, option: &NewOption) -> Result<String> {
    let id = product::options::add(tx, ctx, product_id, option)?;
    ctx.emit(tx, "product-option.created", json!({ "id": id }))?;
    Ok(id)
}

/// Renames an option and/or replaces its values; emits `product-option.updated`.
///
/// # Errors
/// As `product::options::update`.
pub fn update_option(
    tx: &Tx,
    ctx: &Ctx,
    product_id: &str,
    option_id: &str,
    title: Option<&str>,
    values: Option<&[String]>,
) -> Result<()> {
    product::options::update(tx, ctx, product_id, option_id, title, values)?;
    ctx.emit(tx, "product-option.updated", json!({ "id": option_id }))
}

/// Soft-deletes an option with its values; emits `product-option.deleted`.
///
/// # Errors
/// As `product::options::delete`.
pub fn delete_option(tx: &Tx, ctx: &Ctx, product_id: &str, option_id: &str) -> Result<()> {
    product::options::delete(tx, ctx, product_id, option_id)?;
    ctx.emit(tx, "product-option.deleted", json!({ "id": option_id }))
}
