//! `/admin/product-options` writes (Medusa's `updateProductOptionsWorkflow`,
//! `deleteProductOptionsWorkflow`, `updateProductOptionValuesWorkflow`,
//! `deleteProductOptionValuesWorkflow`): an option reached by its own id, its product found
//! from it, each write emitting Medusa's event in the same job.

use crate::ctx::Ctx;
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::flows::product_parts;
use crate::modules::product::option_admin;
use serde_json::{Value, json};

/// A change to one option; `None` leaves a part as it is.
#[derive(Debug, Clone, Default)]
pub struct OptionChange {
    /// New title.
    pub title: Option<String>,
    /// Replaces the values (kept ones keep their ids and variants).
    pub values: Option<Vec<String>>,
    /// `value → rank`.
    pub ranks: Option<Vec<(String, i64)>>,
    /// Replaces the metadata (`Some(None)` clears it).
    pub metadata: Option<Option<Value>>,
    /// Only `true` can be honoured: every option belongs to one product.
    pub is_exclusive: Option<bool>,
}

/// Applies `change` to option `option_id`; emits `product-option.updated`.
///
/// # Errors
/// 404 unknown option; 400 for `is_exclusive: false`, a blank or duplicate title, or a rank
/// for a value the option does not have.
pub fn update(tx: &Tx, ctx: &Ctx, option_id: &str, change: &OptionChange) -> Result<()> {
    let (option, _) = option_admin::retrieve(tx, option_id)?;
    if change.is_exclusive == Some(false) {
        return Err(Error::invalid(
            "Options shared between products are not supported: every option belongs to its product (is_exclusive: true)",
        ));
    }
    product_parts::update_option(
        tx,
        ctx,
        &option.product_id,
        option_id,
        change.title.as_deref(),
        change.values.as_deref(),
    )?;
    if let Some(metadata) = &change.metadata {
        option_admin::set_metadata(tx, ctx, option_id, metadata.as_ref())?;
    }
    if let Some(ranks) = &change.ranks {
        option_admin::set_ranks(tx, ctx, option_id, ranks)?;
    }
    Ok(())
}

/// Deletes option `option_id` with its values; emits `product-option.deleted`.
///
/// # Errors
/// 404 unknown option.
pub fn delete(tx: &Tx, ctx: &Ctx, option_id: &str) -> Result<()> {
    let (option, _) = option_admin::retrieve(tx, option_id)?;
    product_parts::delete_option(tx, ctx, &option.product_id, option_id)
}

/// Changes a value; emits `product-option-value.updated`.
///
/// # Errors
/// As `option_admin::update_value`.
pub fn update_value(
    tx: &Tx,
    ctx: &Ctx,
    (option_id, value_id): (&str, &str),
    text: Option<&str>,
    metadata: Option<Option<&Value>>,
) -> Result<()> {
    option_admin::update_value(tx, ctx, (option_id, value_id), text, metadata)?;
    ctx.emit(
        tx,
        "product-option-value.updated",
        json!({ "id": value_id }),
    )
}

/// Deletes a value; emits `product-option-value.deleted`.
///
/// # Errors
/// As `option_admin::delete_value`.
pub fn delete_value(tx: &Tx, ctx: &Ctx, option_id: &str, value_id: &str) -> Result<()> {
    option_admin::delete_value(tx, ctx, option_id, value_id)?;
    ctx.emit(
        tx,
        "product-option-value.deleted",
        json!({ "id": value_id }),
    )
}
