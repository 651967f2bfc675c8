//! Creating a product with its variants' prices and its sales channels (Medusa's
//! `createProductsWorkflow`): the product module makes the product, the pricing module one
//! price set per variant, and links tie variants to price sets and the product to channels.
//! Update, delete and variants too; each emits Medusa's event in the same write job
//! (`product.created|updated|deleted`, `product-variant.created|deleted`).

use crate::ctx::Ctx;
use crate::db::Tx;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::links;
use crate::modules::pricing::{self, NewPrice};
use crate::modules::product::{self, NewProduct};
use crate::modules::sales_channel;
use crate::workflow::hooks::{self, points};
use rusqlite::Connection;
use serde_json::{Value, json};

/// Input of [`run`].
#[derive(Debug, Clone, Default)]
pub struct ProductInput {
    /// The product with options and variants.
    pub product: NewProduct,
    /// Prices of each variant, in the order of `product.variants`.
    pub variant_prices: Vec<Vec<NewPrice>>,
    /// Sales channels to sell it in.
    pub sales_channel_ids: Vec<String>,
}

/// Creates the product, its price sets and links; emits `product.created`; runs the
/// `product_created` hook with the request's `additional_data` (`Null` when there was
/// none); returns the product id. The one hooked entry point: `POST /admin/products`, batch
/// creates and the admin UI all come through here, so a hook sees every product staff
/// create (seeding a fixture uses [`run_detailed`] and runs none).
///
/// # Errors
/// Anything the product or pricing module refuses; an unknown sales channel; a hook's
/// refusal (the caller's write job then rolls back).
pub fn run(
    tx: &Tx,
    engine: &Engine,
    input: &ProductInput,
    additional_data: &Value,
) -> Result<String> {
    let ctx = engine.ctx();
    let id = run_detailed(tx, ctx, input)?.product_id;
    ctx.emit(tx, "product.created", json!({ "id": id }))?;
    let data = json!({ "product_id": id });
    hooks::run(tx, engine, points::PRODUCT_CREATED, &data, additional_data)?;
    Ok(id)
}

/// What [`run_detailed`] made.
#[derive(Debug, Clone, Default)]
pub struct CreatedProduct {
    /// `prod_…`
    pub product_id: String,
    /// `(variant id, price set id)` in the order of the input's variants.
    pub variants: Vec<(String, String)>,
}

/// [`run`], returning the variants and their price sets too (seeding refers to them).
///
/// # Errors
/// As [`run`].
pub fn run_detailed(conn: &Connection, ctx: &Ctx, input: &ProductInput) -> Result<CreatedProduct> {
    if input.variant_prices.len() > input.product.variants.len() {
        return Err(Error::invalid("More price lists than variants"));
    }
    let created = product::create(conn, ctx, &input.product)?;
    let now = ctx.now();
    let mut variants = Vec::with_capacity(created.variant_ids.len());
    for (variant_id, prices) in created.variant_ids.iter().zip(&input.variant_prices) {
        let set = pricing::create_price_set(conn, ctx, prices)?;
        links::variant_price_set().create(conn, &ctx.id("pvps"), variant_id, &set, &now)?;
        variants.push((variant_id.clone(), set));
    }
    for channel in &input.sales_channel_ids {
        sales_channel::retrieve(conn, channel)?;
        links::product_sales_channel().create(
            conn,
            &ctx.id("prodsc"),
            &created.product_id,
            channel,
            &now,
        )?;
    }
    Ok(CreatedProduct {
        product_id: created.product_id,
        variants,
    })
}

/// Soft-deletes a product and dismisses its sales-channel links; emits `product.deleted`.
///
/// # Errors
/// 404 when the product does not exist.
pub fn delete(tx: &Tx, ctx: &Ctx, product_id: &str) -> Result<()> {
    product::soft_delete(tx, ctx, product_id)?;
    let link = links::product_sales_channel();
    for channel in link.rights_of(tx, product_id)? {
        link.dismiss(tx, product_id, &channel, &ctx.now())?;
    }
    ctx.emit(tx, "product.deleted", json!({ "id": product_id }))
}

/// [`update`], then the `product_updated` hook with the request's `additional_data` (`Null`
/// when there was none). The one hooked update: `POST /admin/products/:id` and the admin UI's
/// product forms all come through here, so a hook sees every change staff make.
///
/// # Errors
/// As [`update`]; a hook's refusal (the caller's write job then rolls back).
pub fn update_hooked(
    tx: &Tx,
    engine: &Engine,
    product_id: &str,
    change: &product::update::ProductUpdate,
    sales_channel_ids: Option<&[String]>,
    additional_data: &Value,
) -> Result<()> {
    update(tx, engine.ctx(), product_id, change, sales_channel_ids)?;
    let data = json!({ "product_id": product_id });
    hooks::run(tx, engine, points::PRODUCT_UPDATED, &data, additional_data).map(|_| ())
}

/// Updates a product; `sales_channel_ids`, when given, replace its channels; emits
/// `product.updated`.
///
/// # Errors
/// As `product::update::update`; 404 for an unknown sales channel.
pub fn update(
    tx: &Tx,
    ctx: &Ctx,
    product_id: &str,
    change: &product::update::ProductUpdate,
    sales_channel_ids: Option<&[String]>,
) -> Result<()> {
    product::update::update(tx, ctx, product_id, change)?;
    ctx.emit(tx, "product.updated", json!({ "id": product_id }))?;
    let Some(wanted) = sales_channel_ids else {
        return Ok(());
    };
    let conn: &Connection = tx;
    let link = links::product_sales_channel();
    let now = ctx.now();
    for current in link.rights_of(conn, product_id)? {
        if !wanted.contains(&current) {
            link.dismiss(conn, product_id, &current, &now)?;
        }
    }
    for channel in wanted {
        sales_channel::retrieve(conn, channel)?;
        link.create(conn, &ctx.id("prodsc"), product_id, channel, &now)?;
    }
    Ok(())
}

/// Adds a variant with its prices (a new price set) to a product; emits
/// `product-variant.created`; returns the variant id.
///
/// # Errors
/// As `product::variants::add` and `pricing::create_price_set`.
pub fn add_variant(
    tx: &Tx,
    ctx: &Ctx,
    product_id: &str,
    variant: &product::NewVariant,
    prices: &[NewPrice],
) -> Result<String> {
    let variant_id = product::variants::add(tx, ctx, product_id, variant)?;
    let set = pricing::create_price_set(tx, ctx, prices)?;
    links::variant_price_set().create(tx, &ctx.id("pvps"), &variant_id, &set, &ctx.now())?;
    ctx.emit(tx, "product-variant.created", json!({ "id": variant_id }))?;
    Ok(variant_id)
}

/// Soft-deletes a variant and dismisses its price-set link; emits `product-variant.deleted`.
///
/// # Errors
/// 404 when the variant is not a live variant of the product.
pub fn delete_variant(tx: &Tx, ctx: &Ctx, product_id: &str, variant_id: &str) -> Result<()> {
    product::variants::soft_delete(tx, ctx, product_id, variant_id)?;
    let link = links::variant_price_set();
    for set in link.rights_of(tx, variant_id)? {
        link.dismiss(tx, variant_id, &set, &ctx.now())?;
    }
    ctx.emit(tx, "product-variant.deleted", json!({ "id": variant_id }))
}

/// `POST /admin/products/batch`: products to create, to update (id, change, replacement
/// sales channels), ids to delete — all in one job (one failure fails the batch).
#[derive(Debug, Clone, Default)]
pub struct ProductBatch {
    /// Products to create.
    pub create: Vec<ProductInput>,
    /// `(id, change, sales channel ids)` to update.
    pub update: Vec<(String, product::update::ProductUpdate, Option<Vec<String>>)>,
    /// Ids to delete.
    pub delete: Vec<String>,
}

/// Ids of what [`batch`] created, updated and deleted, in input order.
#[derive(Debug, Clone, Default)]
pub struct BatchDone {
    /// New product ids.
    pub created: Vec<String>,
    /// Updated product ids.
    pub updated: Vec<String>,
    /// Deleted product ids.
    pub deleted: Vec<String>,
}

/// Appends uploaded images (their URLs) to a product; emits `product.updated`.
///
/// # Errors
/// 404 for an unknown product.
pub fn add_images(tx: &Tx, ctx: &Ctx, product_id: &str, urls: &[String]) -> Result<()> {
    product::update::add_images(tx, ctx, product_id, urls)?;
    ctx.emit(tx, "product.updated", json!({ "id": product_id }))
}

/// Runs a batch through [`run`] (hooked, without `additional_data`), [`update`] and
/// [`delete`] (each emits its event).
///
/// # Errors
/// The first failure of any of them.
pub fn batch(tx: &Tx, engine: &Engine, input: &ProductBatch) -> Result<BatchDone> {
    let ctx = engine.ctx();
    let mut done = BatchDone::default();
    for product in &input.create {
        done.created.push(run(tx, engine, product, &Value::Null)?);
    }
    for (id, change, channels) in &input.update {
        update(tx, ctx, id, change, channels.as_deref())?;
        done.updated.push(id.clone());
    }
    for id in &input.delete {
        delete(tx, ctx, id)?;
        done.deleted.push(id.clone());
    }
    Ok(done)
}

/// `POST /admin/products/:id/variants/batch`: variants to add (with prices), to change (id,
/// change), ids to delete — all of product `product_id`, in one job.
#[derive(Debug, Clone, Default)]
pub struct VariantBatch {
    /// New variants with their prices.
    pub create: Vec<(product::NewVariant, Vec<NewPrice>)>,
    /// `(variant id, change)`.
    pub update: Vec<(String, crate::flows::product_parts::VariantUpdate)>,
    /// Variant ids to delete.
    pub delete: Vec<String>,
}

/// Applies a [`VariantBatch`] (Medusa's `batchProductVariantsWorkflow`): one failure fails
/// the batch. Returns the created and updated variant ids.
///
/// # Errors
/// As [`add_variant`], `product_parts::update_variant` and [`delete_variant`].
pub fn batch_variants(
    tx: &Tx,
    ctx: &Ctx,
    product_id: &str,
    batch: &VariantBatch,
) -> Result<(Vec<String>, Vec<String>)> {
    for id in &batch.delete {
        delete_variant(tx, ctx, product_id, id)?;
    }
    let created = batch
        .create
        .iter()
        .map(|(variant, prices)| add_variant(tx, ctx, product_id, variant, prices))
        .collect::<Result<Vec<_>>>()?;
    for (id, change) in &batch.update {
        crate::flows::product_parts::update_variant(tx, ctx, product_id, id, change)?;
    }
    Ok((
        created,
        batch.update.iter().map(|(id, _)| id.clone()).collect(),
    ))
}
