//! Cart changes as store work (each runs inside a workflow's local step): create, update,
//! add / update / remove line items, choose a shipping method. Every change ends with
//! [`refresh`](super::refresh::refresh).

use super::catalog::{self, RegionInfo};
use super::promotions::Codes;
use super::{refresh, stock};
use crate::ctx::Ctx;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::links;
use crate::modules::cart::{self, Cart, ShippingMethod};
use crate::modules::{customer, store};
use rusqlite::Connection;
use serde_json::{Map, Value, json};

/// The answer to a change of a cart whose completion is under way (409, Medusa's wording).
pub const BEING_COMPLETED: &str = "Cart is already being completed by another request";

/// A cart that may still change: 400 once completed, 409 while its completion is under way.
///
/// `complete-cart` links the cart to its new order in its first write job and marks the cart
/// completed in its last; between them the payment provider authorizes the amount the order
/// was built from. Every cart change checks this inside its own write job, so nothing can
/// change the lines or the payment collection of an order being placed.
///
/// # Errors
/// 404 for an unknown cart; 400 completed; 409 being completed.
pub fn retrieve_open(conn: &Connection, cart_id: &str) -> Result<Cart> {
    let found = cart::retrieve_open(conn, cart_id)?;
    if !links::order_cart().lefts_of(conn, cart_id)?.is_empty() {
        return Err(Error::Conflict(BEING_COMPLETED.into()));
    }
    Ok(found)
}

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// Creates a cart from a `POST /store/carts` body (plus `customer_id` and the key's
/// `key_channels`), with its items. Returns the cart id.
///
/// # Errors
/// 400 for a channel outside the key, an unknown region, an address outside the region,
/// short stock; 404 for an unknown variant.
pub fn create(conn: &Connection, engine: &Engine, input: &Value) -> Result<String> {
    let ctx = engine.ctx();
    let channel = pick_channel(conn, input)?;
    let region = match text(input, "region_id") {
        Some(id) => catalog::region(conn, id)?,
        None => catalog::default_region(conn)?.ok_or_else(|| Error::invalid("No regions found"))?,
    };
    let customer_id = text(input, "customer_id").map(str::to_string);
    let email = match (text(input, "email"), &customer_id) {
        (Some(e), _) => Some(e.to_string()),
        (None, Some(c)) => customer::retrieve(conn, c).ok().and_then(|c| c.email),
        (None, None) => None,
    };
    let new = cart::NewCart {
        region_id: Some(region.id.clone()),
        customer_id,
        sales_channel_id: channel,
        email,
        currency_code: text(input, "currency_code")
            .unwrap_or(&region.currency_code)
            .to_string(),
        metadata: input.get("metadata").filter(|m| m.is_object()).cloned(),
    };
    let id = cart::create(conn, ctx, &new)?;
    set_addresses(conn, ctx, &id, &region, input, true)?;
    for item in input
        .get("items")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        add_item(conn, engine, &id, item)?;
    }
    let codes = promo_codes(input);
    refresh::refresh_with(conn, engine, &id, false, Codes::Add(&codes))?;
    Ok(id)
}

fn pick_channel(conn: &Connection, input: &Value) -> Result<Option<String>> {
    let key_channels: Vec<String> = input["key_channels"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    if let Some(requested) = text(input, "sales_channel_id") {
        if !key_channels.iter().any(|c| c == requested) {
            return Err(Error::BodyErrors(vec![format!(
                "Sales channel ID in payload {requested} is not associated with the Publishable API Key in the header."
            )]));
        }
        return Ok(Some(requested.to_string()));
    }
    if key_channels.len() == 1 {
        return Ok(key_channels.into_iter().next());
    }
    Ok(store::default_store(conn)?.and_then(|s| s.default_sales_channel_id))
}

/// Applies `shipping_address` / `billing_address` from a body, keeping the shipping country
/// inside the region (a one-country region fills it in when `fill` and none was sent).
fn set_addresses(
    conn: &Connection,
    ctx: &Ctx,
    cart_id: &str,
    region: &RegionInfo,
    input: &Value,
    fill: bool,
) -> Result<()> {
    match input.get("shipping_address") {
        Some(Value::Object(address)) => {
            check_country(region, address)?;
            let mut address = address.clone();
            if region.countries.len() == 1 && address.get("country_code").is_none_or(Value::is_null)
            {
                address.insert("country_code".into(), json!(region.countries[0]));
            }
            cart::set_address(conn, ctx, cart_id, "shipping", Some(&address))?;
        }
        Some(Value::Null) => cart::set_address(conn, ctx, cart_id, "shipping", None)?,
        _ if fill && region.countries.len() == 1 => {
            let address = json!({"country_code": region.countries[0]});
            cart::set_address(conn, ctx, cart_id, "shipping", address.as_object())?;
        }
        _ => {}
    }
    match input.get("billing_address") {
        Some(Value::Object(address)) => {
            cart::set_address(conn, ctx, cart_id, "billing", Some(address))?
        }
        Some(Value::Null) => cart::set_address(conn, ctx, cart_id, "billing", None)?,
        _ => {}
    }
    Ok(())
}

fn check_country(region: &RegionInfo, address: &Map<String, Value>) -> Result<()> {
    let Some(code) = address.get("country_code").and_then(Value::as_str) else {
        return Ok(());
    };
    let code = code.to_lowercase();
    if region.countries.contains(&code) {
        return Ok(());
    }
    Err(Error::invalid(format!(
        "Country with code {code} is not within region {}",
        region.name
    )))
}

/// Applies a `POST /store/carts/:id` body.
///
/// # Errors
/// 400 for a completed cart, an unknown region, an address outside the region.
pub fn update(conn: &Connection, engine: &Engine, cart_id: &str, input: &Value) -> Result<()> {
    let ctx = engine.ctx();
    let before = retrieve_open(conn, cart_id)?;
    if text(input, "sales_channel_id").is_some() {
        pick_channel(conn, input)?;
    }
    let mut changes = Map::new();
    for key in ["email", "metadata", "sales_channel_id"] {
        if let Some(value) = input.get(key) {
            changes.insert(key.into(), value.clone());
        }
    }
    let region = match text(input, "region_id") {
        Some(id) if Some(id) != before.region_id.as_deref() => {
            let region = catalog::region(conn, id)?;
            changes.insert("region_id".into(), json!(region.id));
            changes.insert("currency_code".into(), json!(region.currency_code));
            move_address_into(conn, ctx, &before, &region)?;
            region
        }
        _ => current_region(conn, &before)?,
    };
    cart::update(conn, ctx, cart_id, &changes)?;
    set_addresses(conn, ctx, cart_id, &region, input, false)?;
    match input.get("promo_codes") {
        Some(_) => {
            let codes = promo_codes(input);
            refresh::refresh_with(conn, engine, cart_id, false, Codes::Replace(&codes))
        }
        None => refresh::refresh(conn, engine, cart_id, false),
    }
}

/// The `promo_codes` of a body (none when absent).
pub fn promo_codes(input: &Value) -> Vec<String> {
    input
        .get("promo_codes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// Adds (`add`) or removes promotion codes (`POST` / `DELETE /store/carts/:id/promotions`).
///
/// # Errors
/// 400 for a completed cart or an unknown code to add; 409 while being completed.
pub fn change_promotions(
    conn: &Connection,
    engine: &Engine,
    cart_id: &str,
    input: &Value,
    add: bool,
) -> Result<()> {
    retrieve_open(conn, cart_id)?;
    let codes = promo_codes(input);
    let change = if add {
        Codes::Add(&codes)
    } else {
        Codes::Remove(&codes)
    };
    refresh::refresh_with(conn, engine, cart_id, false, change)
}

fn current_region(conn: &Connection, cart: &Cart) -> Result<RegionInfo> {
    match cart.region_id.as_deref() {
        Some(id) => catalog::region(conn, id),
        None => catalog::default_region(conn)?.ok_or_else(|| Error::invalid("No regions found")),
    }
}

/// On a region change: a one-country region forces the shipping country; otherwise an
/// address outside the new region is dropped.
fn move_address_into(conn: &Connection, ctx: &Ctx, cart: &Cart, region: &RegionInfo) -> Result<()> {
    if region.countries.len() == 1 {
        let mut address =
            cart::address(conn, cart.shipping_address_id.as_deref())?.unwrap_or_default();
        address.retain(|k, _| cart::ADDRESS_FIELDS.contains(&k.as_str()));
        address.insert("country_code".into(), json!(region.countries[0]));
        return cart::set_address(conn, ctx, &cart.id, "shipping", Some(&address));
    }
    if let Some((country, _)) = refresh::shipping_place(conn, cart)?
        && !region.countries.contains(&country)
    {
        cart::set_address(conn, ctx, &cart.id, "shipping", None)?;
    }
    Ok(())
}

/// Adds `{variant_id, quantity, metadata?}`: merged into the line of the same variant and
/// metadata if there is one. Stock is confirmed for the resulting quantity.
///
/// # Errors
/// 400 for a completed cart, a non-positive quantity or short stock; 404 for an unknown
/// variant.
pub fn add_item(conn: &Connection, engine: &Engine, cart_id: &str, input: &Value) -> Result<()> {
    let ctx = engine.ctx();
    let cart = retrieve_open(conn, cart_id)?;
    let variant_id = text(input, "variant_id").unwrap_or_default();
    let quantity = input["quantity"]
        .as_i64()
        .filter(|q| *q > 0)
        .ok_or_else(|| {
            Error::invalid("Invalid request: Value for field 'quantity' must be a positive integer")
        })?;
    let metadata = input
        .get("metadata")
        .filter(|m| m.is_object())
        .cloned()
        .unwrap_or_else(|| json!({}));
    let channels: Vec<String> = cart.sales_channel_id.iter().cloned().collect();
    let info = catalog::variant(
        conn,
        variant_id,
        &channels,
        &cart.currency_code,
        cart.region_id.as_deref(),
        &ctx.now(),
    )?;
    let existing = cart::items::items_of(conn, cart_id)?
        .into_iter()
        .find(|i| i.variant_id.as_deref() == Some(variant_id) && i.metadata == metadata);
    let total = existing.as_ref().map_or(0, |i| i.quantity) + quantity;
    stock::confirm(
        conn,
        variant_id,
        &info,
        cart.sales_channel_id.as_deref(),
        total,
    )?;
    match existing {
        Some(line) => cart::items::set_quantity(conn, ctx, &line.id, total, None),
        None => {
            let mut item = info.item;
            item.quantity = quantity;
            item.metadata = metadata;
            cart::items::add_item(conn, ctx, cart_id, &item).map(|_| ())
        }
    }
}

/// Sets a line's quantity (0 removes it) and optionally its metadata.
///
/// # Errors
/// 400 for a completed cart or short stock; 404 for an unknown line.
pub fn update_item(
    conn: &Connection,
    engine: &Engine,
    cart_id: &str,
    line_id: &str,
    input: &Value,
) -> Result<()> {
    let ctx = engine.ctx();
    let cart = retrieve_open(conn, cart_id)?;
    let line = cart::items::item(conn, cart_id, line_id)?;
    let quantity = input["quantity"]
        .as_i64()
        .filter(|q| *q >= 0)
        .ok_or_else(|| {
            Error::invalid(
                "Invalid request: Value for field 'quantity' must be a non-negative integer",
            )
        })?;
    if quantity == 0 {
        cart::items::delete_item(conn, ctx, line_id)?;
    } else {
        if let Some(variant_id) = line.variant_id.as_deref() {
            let channels: Vec<String> = cart.sales_channel_id.iter().cloned().collect();
            let info = catalog::variant(
                conn,
                variant_id,
                &channels,
                &cart.currency_code,
                cart.region_id.as_deref(),
                &ctx.now(),
            )?;
            stock::confirm(
                conn,
                variant_id,
                &info,
                cart.sales_channel_id.as_deref(),
                quantity,
            )?;
        }
        cart::items::set_quantity(
            conn,
            ctx,
            line_id,
            quantity,
            input.get("metadata").filter(|m| m.is_object()),
        )?;
    }
    refresh::refresh(conn, engine, cart_id, false)
}

/// Removes a line.
///
/// # Errors
/// 400 for a completed cart; 404 for an unknown line.
pub fn delete_item(conn: &Connection, engine: &Engine, cart_id: &str, line_id: &str) -> Result<()> {
    let ctx = engine.ctx();
    retrieve_open(conn, cart_id)?;
    cart::items::item(conn, cart_id, line_id)?;
    cart::items::delete_item(conn, ctx, line_id)?;
    refresh::refresh(conn, engine, cart_id, false)
}

/// Replaces the cart's shipping methods with the option `option_id`, priced for the cart.
///
/// # Errors
/// 400 "Shipping Options are invalid for cart." when the option does not serve the cart.
pub fn add_shipping_method(
    conn: &Connection,
    engine: &Engine,
    cart_id: &str,
    input: &Value,
) -> Result<()> {
    let ctx = engine.ctx();
    let cart = retrieve_open(conn, cart_id)?;
    let option_id = text(input, "option_id").unwrap_or_default();
    let (option, amount) = refresh::options_for(conn, engine.providers(), &cart)?
        .into_iter()
        .find(|(o, _)| o.id == option_id)
        .ok_or_else(|| Error::invalid("Shipping Options are invalid for cart."))?;
    let method = ShippingMethod {
        name: option.name.clone(),
        amount,
        is_tax_inclusive: catalog::prices_include_tax(
            conn,
            &cart.currency_code,
            cart.region_id.as_deref(),
        )?,
        shipping_option_id: Some(option.id.clone()),
        data: input
            .get("data")
            .filter(|d| d.is_object())
            .cloned()
            .unwrap_or_else(|| json!({})),
        ..ShippingMethod::default()
    };
    cart::shipping::replace_methods(conn, ctx, cart_id, &method)?;
    refresh::refresh(conn, engine, cart_id, false)
}
