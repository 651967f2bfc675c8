//! Creating a product with its variants' prices and its sales channels (Medusa's
//! `createProductsWorkflow`): the product module makes the product, the pricing module one
//! price set per variant, and links tie variants to price sets and the product to channels.

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::flows::links;
use crate::modules::pricing::{self, NewPrice};
use crate::modules::product::{self, NewProduct};
use crate::modules::sales_channel;
use rusqlite::Connection;

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

/// Creates the product, its price sets and links; returns the product id.
///
/// # Errors
/// Anything the product or pricing module refuses; an unknown sales channel.
pub fn run(conn: &Connection, ctx: &Ctx, input: &ProductInput) -> Result<String> {
    Ok(run_detailed(conn, ctx, input)?.product_id)
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

/// Soft-deletes a product and dismisses its sales-channel links.
///
/// # Errors
/// 404 when the product does not exist.
pub fn delete(conn: &Connection, ctx: &Ctx, product_id: &str) -> Result<()> {
    product::soft_delete(conn, ctx, product_id)?;
    let link = links::product_sales_channel();
    for channel in link.rights_of(conn, product_id)? {
        link.dismiss(conn, product_id, &channel, &ctx.now())?;
    }
    Ok(())
}

/// Updates a product; `sales_channel_ids`, when given, replace its channels.
///
/// # Errors
/// As `product::update::update`; 404 for an unknown sales channel.
pub fn update(
    conn: &Connection,
    ctx: &Ctx,
    product_id: &str,
    change: &product::update::ProductUpdate,
    sales_channel_ids: Option<&[String]>,
) -> Result<()> {
    product::update::update(conn, ctx, product_id, change)?;
    let Some(wanted) = sales_channel_ids else {
        return Ok(());
    };
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

/// Adds a variant with its prices (a new price set) to a product; returns the variant id.
///
/// # Errors
/// As `product::variants::add` and `pricing::create_price_set`.
pub fn add_variant(
    conn: &Connection,
    ctx: &Ctx,
    product_id: &str,
    variant: &product::NewVariant,
    prices: &[NewPrice],
) -> Result<String> {
    let variant_id = product::variants::add(conn, ctx, product_id, variant)?;
    let set = pricing::create_price_set(conn, ctx, prices)?;
    links::variant_price_set().create(conn, &ctx.id("pvps"), &variant_id, &set, &ctx.now())?;
    Ok(variant_id)
}

/// Soft-deletes a variant and dismisses its price-set link.
///
/// # Errors
/// 404 when the variant is not a live variant of the product.
pub fn delete_variant(
    conn: &Connection,
    ctx: &Ctx,
    product_id: &str,
    variant_id: &str,
) -> Result<()> {
    product::variants::soft_delete(conn, ctx, product_id, variant_id)?;
    let link = links::variant_price_set();
    for set in link.rights_of(conn, variant_id)? {
        link.dismiss(conn, variant_id, &set, &ctx.now())?;
    }
    Ok(())
}
