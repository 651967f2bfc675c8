//! Cart changes as store work (each runs inside a workflow's local step): create, update,
//! add / update / remove line items, choose a shipping method. Every change ends with
//! [`refresh`](super::refresh::refresh).

use super::catalog::{self, RegionInfo};
use super::create::{NewCartBody, NewCartItem};
use super::inputs::{PromoCodes, ShippingChoice, UpdateCart, UpdateItem};
use super::promotions::Codes;
use super::{refresh, stock};
use crate::ctx::Ctx;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::links;
use crate::modules::cart::{self, Cart, ShippingMethod};
use crate::modules::{customer, store};
use crate::workflow::parse_input;
use rusqlite::Connection;
use serde_json::{Map, Value, json};
use std::rc::Rc;

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
pub fn retrieve_open(conn: &Connection, cart_id: &str) -> Result<Rc<Cart>> {
    let found = cart::retrieve_open(conn, cart_id)?;
    if !links::order_cart().lefts_of(conn, cart_id)?.is_empty() {
        return Err(Error::Conflict(BEING_COMPLETED.into()));
    }
    Ok(found)
}

/// Creates a cart from a `POST /store/carts` body (plus `customer_id` and the key's
/// `key_channels`), with its items. Returns the cart id.
///
/// # Errors
/// 400 for a channel outside the key, an unknown region, an address outside the region,
/// short stock; 404 for an unknown variant.
pub fn create_cart(conn: &Connection, engine: &Engine, input: &NewCartBody) -> Result<String> {
    let ctx = engine.ctx();
    let channel = pick_channel(conn, &input.key_channels, input.sales_channel_id.as_deref())?;
    let region = match input.region_id.as_deref() {
        Some(id) => catalog::region(conn, id)?,
        None => catalog::default_region(conn)?.ok_or_else(|| Error::invalid("No regions found"))?,
    };
    let customer_id = input.customer_id.clone();
    let email = match (&input.email, &customer_id) {
        (Some(e), _) => Some(e.clone()),
        (None, Some(c)) => customer::retrieve(conn, c).ok().and_then(|c| c.email),
        (None, None) => None,
    };
    let new = cart::NewCart {
        region_id: Some(region.id.clone()),
        customer_id,
        sales_channel_id: channel,
        email,
        currency_code: input
            .currency_code
            .clone()
            .unwrap_or_else(|| region.currency_code.clone()),
        metadata: input.metadata.clone().filter(Value::is_object),
    };
    let id = cart::create(conn, ctx, &new)?;
    let addresses = Addresses {
        shipping: input.shipping_address.as_ref().map(object),
        billing: input.billing_address.as_ref().map(object),
    };
    set_addresses(conn, ctx, &id, &region, &addresses, true)?;
    for item in &input.items {
        add_line(
            conn,
            engine,
            &id,
            &item.variant_id,
            item.quantity,
            item.metadata.as_ref(),
        )?;
    }
    refresh::refresh_with(conn, engine, &id, false, Codes::Add(&input.promo_codes))?;
    Ok(id)
}

/// [`create_cart`] from JSON (the till's basket builds its cart this way): the JSON is read
/// as a [`NewCartBody`], so a misspelled field is a 400 naming it.
///
/// # Errors
/// 400 for JSON that is not a [`NewCartBody`]; otherwise as [`create_cart`].
pub fn create(conn: &Connection, engine: &Engine, input: &Value) -> Result<String> {
    create_cart(conn, engine, &parse_input(input)?)
}

/// An address given as an object; anything else (the routes' schemas allow none) is empty.
fn object(address: &Value) -> Option<Map<String, Value>> {
    address.as_object().cloned()
}

fn pick_channel(
    conn: &Connection,
    key_channels: &[String],
    requested: Option<&str>,
) -> Result<Option<String>> {
    if let Some(requested) = requested {
        if !key_channels.iter().any(|c| c == requested) {
            return Err(Error::BodyErrors(vec![format!(
                "Sales channel ID in payload {requested} is not associated with the Publishable API Key in the header."
            )]));
        }
        return Ok(Some(requested.to_string()));
    }
    if let [only] = key_channels {
        return Ok(Some(only.clone()));
    }
    Ok(store::default_store(conn)?.and_then(|s| s.default_sales_channel_id))
}

/// The addresses of a body: `None` leaves one alone, `Some(None)` clears it.
#[derive(Default)]
struct Addresses {
    shipping: Option<Option<Map<String, Value>>>,
    billing: Option<Option<Map<String, Value>>>,
}

/// Applies `shipping_address` / `billing_address` from a body, keeping the shipping country
/// inside the region (a one-country region fills it in when `fill` and none was sent).
fn set_addresses(
    conn: &Connection,
    ctx: &Ctx,
    cart_id: &str,
    region: &RegionInfo,
    addresses: &Addresses,
    fill: bool,
) -> Result<()> {
    match &addresses.shipping {
        Some(Some(address)) => {
            check_country(region, address)?;
            let mut address = address.clone();
            if region.countries.len() == 1 && address.get("country_code").is_none_or(Value::is_null)
            {
                address.insert("country_code".into(), json!(region.countries[0]));
            }
            cart::set_address(conn, ctx, cart_id, "shipping", Some(&address))?;
        }
        Some(None) => cart::set_address(conn, ctx, cart_id, "shipping", None)?,
        None if fill && region.countries.len() == 1 => {
            let address = json!({"country_code": region.countries[0]});
            cart::set_address(conn, ctx, cart_id, "shipping", address.as_object())?;
        }
        None => {}
    }
    match &addresses.billing {
        Some(Some(address)) => cart::set_address(conn, ctx, cart_id, "billing", Some(address))?,
        Some(None) => cart::set_address(conn, ctx, cart_id, "billing", None)?,
        None => {}
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
pub fn update_cart(
    conn: &Connection,
    engine: &Engine,
    cart_id: &str,
    input: &UpdateCart,
) -> Result<()> {
    let ctx = engine.ctx();
    let before = retrieve_open(conn, cart_id)?;
    if let Some(requested) = input.sales_channel_id.as_deref() {
        pick_channel(conn, &input.key_channels, Some(requested))?;
    }
    let mut changes = Map::new();
    if let Some(email) = &input.email {
        changes.insert("email".into(), json!(email));
    }
    if let Some(metadata) = &input.metadata {
        changes.insert("metadata".into(), json!(metadata));
    }
    if let Some(channel) = &input.sales_channel_id {
        changes.insert("sales_channel_id".into(), json!(channel));
    }
    let region = match input.region_id.as_deref() {
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
    let addresses = Addresses {
        shipping: input.shipping_address.clone(),
        billing: input.billing_address.clone(),
    };
    set_addresses(conn, ctx, cart_id, &region, &addresses, false)?;
    match &input.promo_codes {
        Some(codes) => refresh::refresh_with(conn, engine, cart_id, false, Codes::Replace(codes)),
        None => refresh::refresh(conn, engine, cart_id, false),
    }
}

/// Adds (`add`) or removes promotion codes (`POST` / `DELETE /store/carts/:id/promotions`).
///
/// # Errors
/// 400 for a completed cart or an unknown code to add; 409 while being completed.
pub fn change_codes(
    conn: &Connection,
    engine: &Engine,
    cart_id: &str,
    codes: &[String],
    add: bool,
) -> Result<()> {
    retrieve_open(conn, cart_id)?;
    let change = if add {
        Codes::Add(codes)
    } else {
        Codes::Remove(codes)
    };
    refresh::refresh_with(conn, engine, cart_id, false, change)
}

/// [`change_codes`] from JSON `{promo_codes}` (the till's basket).
///
/// # Errors
/// 400 for JSON that is not `{promo_codes: [..]}`; otherwise as [`change_codes`].
pub fn change_promotions(
    conn: &Connection,
    engine: &Engine,
    cart_id: &str,
    input: &Value,
    add: bool,
) -> Result<()> {
    let body: PromoCodes = parse_input(input)?;
    change_codes(conn, engine, cart_id, &body.promo_codes, add)
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

/// Adds `quantity` of `variant_id` (with `metadata`): merged into the line of the same variant
/// and metadata if there is one. Stock is confirmed for the resulting quantity.
///
/// # Errors
/// 400 for a completed cart, a non-positive quantity or short stock; 404 for an unknown
/// variant.
pub fn add_line(
    conn: &Connection,
    engine: &Engine,
    cart_id: &str,
    variant_id: &str,
    quantity: i64,
    metadata: Option<&Value>,
) -> Result<()> {
    let ctx = engine.ctx();
    let cart = retrieve_open(conn, cart_id)?;
    if quantity <= 0 {
        return Err(Error::invalid(
            "Invalid request: Value for field 'quantity' must be a positive integer",
        ));
    }
    let metadata = metadata
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
    let items = cart::items::shared_items_of(conn, cart_id)?;
    let existing = items
        .iter()
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

/// [`add_line`] from JSON `{variant_id, quantity, metadata?}` (the till's basket).
///
/// # Errors
/// 400 for JSON that is not an item; otherwise as [`add_line`].
pub fn add_item(conn: &Connection, engine: &Engine, cart_id: &str, input: &Value) -> Result<()> {
    let item: NewCartItem = parse_input(input)?;
    add_line(
        conn,
        engine,
        cart_id,
        &item.variant_id,
        item.quantity,
        item.metadata.as_ref(),
    )
}

/// Sets a line's quantity (0 removes it) and, when an object, its metadata.
///
/// # Errors
/// 400 for a completed cart, a negative quantity or short stock; 404 for an unknown line.
pub fn set_line(
    conn: &Connection,
    engine: &Engine,
    cart_id: &str,
    line_id: &str,
    quantity: i64,
    metadata: Option<&Value>,
) -> Result<()> {
    let ctx = engine.ctx();
    let cart = retrieve_open(conn, cart_id)?;
    let line = cart::items::item(conn, cart_id, line_id)?;
    if quantity < 0 {
        return Err(Error::invalid(
            "Invalid request: Value for field 'quantity' must be a non-negative integer",
        ));
    }
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
        let metadata = metadata.filter(|m| m.is_object());
        cart::items::set_quantity(conn, ctx, line_id, quantity, metadata)?;
    }
    refresh::refresh(conn, engine, cart_id, false)
}

/// [`set_line`] from JSON `{quantity, metadata?}` (the till's basket).
///
/// # Errors
/// 400 for JSON that is not `{quantity}`; otherwise as [`set_line`].
pub fn update_item(
    conn: &Connection,
    engine: &Engine,
    cart_id: &str,
    line_id: &str,
    input: &Value,
) -> Result<()> {
    let body: UpdateItem = parse_input(input)?;
    set_line(
        conn,
        engine,
        cart_id,
        line_id,
        body.quantity,
        body.metadata.as_ref(),
    )
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
    choice: &ShippingChoice,
) -> Result<()> {
    let ctx = engine.ctx();
    let cart = retrieve_open(conn, cart_id)?;
    let option_id = choice.option_id.as_str();
    let offered = refresh::options_for(conn, engine.providers(), &cart)?;
    let (option, amount) = offered
        .find(option_id)
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
        data: choice
            .data
            .clone()
            .filter(Value::is_object)
            .unwrap_or_else(|| json!({})),
        ..ShippingMethod::default()
    };
    cart::shipping::replace_methods(conn, ctx, cart_id, &method)?;
    refresh::refresh(conn, engine, cart_id, false)
}
