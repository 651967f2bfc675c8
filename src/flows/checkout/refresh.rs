//! What follows every cart change (Medusa's refreshCartItemsWorkflow): re-price the items,
//! re-validate and re-price the shipping methods, recompute tax lines (when the region taxes
//! automatically), recompute the promotion adjustments (codes kept, automatic promotions
//! added), and bring the payment collection's amount up to date — which drops its
//! sessions when the total changed. Tax lines come from the tax region's provider and
//! calculated shipping prices from the option's fulfillment provider (the engine's
//! registry), both inside this write job.

use super::catalog;
use super::promotions::Codes;
use crate::ctx::Ctx;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::links;
use crate::modules::cart::{self, Cart, LineItem, ShippingMethod, TaxLine};
use crate::modules::fulfillment::provider::{PriceRequest, ShippedItem};
use crate::modules::pricing::calc::PricingContext;
use crate::modules::{customer, fulfillment, payment, product};
use crate::providers::Providers;
use crate::totals::{Line, Totals};
use rusqlite::Connection;
use std::rc::Rc;

/// Taxing lines is in [`super::taxes`]; order edits reach it by this path.
pub use super::taxes::provider_tax_lines;

/// Refreshes a cart after a change. `force_taxes` computes tax lines even when the region
/// does not tax automatically (`POST /store/carts/:id/taxes`).
///
/// # Errors
/// 400 "country code is required to calculate taxes" when forced without a shipping
/// country; a variant that lost its price; database failures.
pub fn refresh(conn: &Connection, engine: &Engine, cart_id: &str, force_taxes: bool) -> Result<()> {
    refresh_with(conn, engine, cart_id, force_taxes, Codes::Keep)
}

/// `(country, province)` of a shipping address, lower case.
pub type Place = (String, Option<String>);

/// The rows a refresh works on: the cart's items and shipping methods with their tax lines
/// and adjustments. They are read once per refresh, and every stage that writes a price, an
/// amount, tax lines or adjustments sets the same values here, so the next stage sees what
/// is stored without reading it again (each stage used to read items and methods anew: four
/// times each per refresh).
#[derive(Debug, Clone, Default)]
pub struct CartLines {
    /// Live items, oldest first.
    pub items: Vec<LineItem>,
    /// Live shipping methods.
    pub methods: Vec<ShippingMethod>,
}

impl CartLines {
    /// The cart's items and shipping methods as stored.
    ///
    /// # Errors
    /// Database failures.
    pub fn read(conn: &Connection, cart_id: &str) -> Result<CartLines> {
        Ok(CartLines {
            items: cart::items::items_of(conn, cart_id)?,
            methods: cart::shipping::methods_of(conn, cart_id)?,
        })
    }

    /// The cart's totals.
    ///
    /// # Errors
    /// An amount out of range.
    pub fn totals(&self) -> Result<Totals> {
        let item_lines: Vec<Line> = self.items.iter().map(item_line).collect();
        let method_lines: Vec<Line> = self.methods.iter().map(method_line).collect();
        Totals::of(&item_lines, &method_lines)
    }
}

/// [`refresh`], changing the cart's promotion codes as `codes` says before the promotions
/// are computed again.
///
/// # Errors
/// As [`refresh`]; 400 "The promotion code X is invalid" for an unknown code to add.
pub fn refresh_with(
    conn: &Connection,
    engine: &Engine,
    cart_id: &str,
    force_taxes: bool,
    codes: Codes,
) -> Result<()> {
    let ctx = engine.ctx();
    let cart = cart::shared(conn, cart_id)?;
    let place = shipping_place(conn, &cart)?;
    let mut lines = CartLines::read(conn, cart_id)?;
    let region = cart.region_id.as_deref();
    // Whether prices include tax: only needed to price items or shipping methods.
    let priced = !lines.items.is_empty() || !lines.methods.is_empty();
    let inclusive = priced && catalog::prices_include_tax(conn, &cart.currency_code, region)?;
    reprice(conn, ctx, &cart, inclusive, &mut lines.items)?;
    refresh_shipping(conn, engine, &cart, (place.as_ref(), inclusive), &mut lines)?;
    let automatic = match region {
        Some(id) => catalog::automatic_taxes(conn, id)?,
        None => false,
    };
    if automatic || force_taxes {
        super::taxes::apply(conn, engine, place.as_ref(), force_taxes, &mut lines)?;
    }
    let country = place.map(|(country, _)| country);
    super::promotions::apply(conn, ctx, &cart, country, &mut lines, codes)?;
    sync_payment(conn, ctx, &cart, &lines)
}

/// The groups of the cart's customer (none for a cart without one): price lists ruled by
/// `customer_group_id` apply to their carts.
pub(super) fn customer_groups(conn: &Connection, cart: &Cart) -> Result<Vec<String>> {
    groups_of(conn, cart.customer_id.as_deref())
}

/// The groups of a customer (none without one).
///
/// # Errors
/// Database failures.
pub fn groups_of(conn: &Connection, customer_id: Option<&str>) -> Result<Vec<String>> {
    let Some(id) = customer_id else {
        return Ok(Vec::new());
    };
    Ok(customer::group::groups_of(conn, id)?
        .into_iter()
        .map(|g| g.id)
        .collect())
}

/// Prices each item again for its quantity (tiers and price lists apply); custom prices stay.
/// The candidate prices of every item's variant are read at once; `inclusive` is whether
/// prices in the cart's currency and region include tax.
fn reprice(
    conn: &Connection,
    ctx: &Ctx,
    cart: &Cart,
    inclusive: bool,
    items: &mut [LineItem],
) -> Result<()> {
    let mut variant_ids: Vec<String> = Vec::new();
    for id in items
        .iter()
        .filter(|i| !i.is_custom_price)
        .filter_map(|i| i.variant_id.as_ref())
    {
        if !variant_ids.contains(id) {
            variant_ids.push(id.clone());
        }
    }
    if variant_ids.is_empty() {
        return Ok(());
    }
    let candidates = catalog::candidates(conn, &cart.currency_code, &variant_ids)?;
    let mut context = PricingContext {
        currency_code: cart.currency_code.clone(),
        region_id: cart.region_id.clone(),
        quantity: 1,
        customer_group_ids: customer_groups(conn, cart)?,
        now: ctx.now(),
    };
    for item in items.iter_mut().filter(|i| !i.is_custom_price) {
        let Some(variant_id) = item.variant_id.as_deref() else {
            continue;
        };
        context.quantity = item.quantity;
        let price = catalog::price_among(&candidates, variant_id, &context, inclusive)?;
        let (amount, price_inclusive) = (price.calculated.amount, price.is_tax_inclusive);
        if (amount, price_inclusive) != (item.unit_price, item.is_tax_inclusive) {
            cart::items::set_price(conn, ctx, &item.id, amount, price_inclusive)?;
            item.unit_price = amount;
            item.is_tax_inclusive = price_inclusive;
        }
    }
    Ok(())
}

/// The shipping address's `(country, province)`, if it has a country.
///
/// # Errors
/// Database failures.
pub fn shipping_place(conn: &Connection, cart: &Cart) -> Result<Option<Place>> {
    let place = cart::address_place(conn, cart.shipping_address_id.as_deref())?;
    Ok(place.and_then(|(country, province)| country.map(|c| (c, province))))
}

/// The fulfillment sets serving a cart's sales channel (through its stock locations).
///
/// # Errors
/// Database failures.
pub fn channel_sets(conn: &Connection, cart: &Cart) -> Result<std::sync::Arc<Vec<String>>> {
    let channel = cart.sales_channel_id.as_deref();
    let (to_locations, to_sets) = (
        links::sales_channel_stock_location(),
        links::location_fulfillment_set(),
    );
    crate::db::cached::cached(
        &match channel {
            Some(id) => ["channel-sets:some:", id].concat(),
            None => "channel-sets:none".to_string(),
        },
        &[to_locations.table(), to_sets.table()],
        || {
            let mut sets = Vec::new();
            for location in super::stock::channel_locations(conn, channel)? {
                sets.extend(to_sets.rights_of(conn, &location)?);
            }
            Ok(sets)
        },
    )
}

/// Shipping options available to a cart: in its channel's sets, serving its address, allowed
/// in store, not return options, priced for it — a flat option in its currency, a
/// `calculated` one by its provider (an option its provider cannot price is not offered).
/// With their amounts.
///
/// # Errors
/// Database failures.
pub fn options_for(conn: &Connection, providers: &Providers, cart: &Cart) -> Result<Offered> {
    let place = shipping_place(conn, cart)?;
    options_at(conn, providers, cart, place.as_ref(), None)
}

/// The shipping options offered to a cart with their amounts: the memoized options of its
/// sets (shared, not copied: a checkout asks three times) and which of them are offered.
#[derive(Debug, Default)]
pub struct Offered {
    options: std::sync::Arc<Vec<fulfillment::ShippingOption>>,
    /// Index into `options`, amount.
    picks: Vec<(usize, i64)>,
}

impl Offered {
    /// The offered options with their amounts, in the options' order.
    pub fn iter(&self) -> impl Iterator<Item = (&fulfillment::ShippingOption, i64)> {
        self.picks
            .iter()
            .filter_map(|&(at, amount)| Some((self.options.get(at)?, amount)))
    }

    /// The offered option `id` with its amount.
    pub fn find(&self, id: &str) -> Option<(&fulfillment::ShippingOption, i64)> {
        self.iter().find(|(o, _)| o.id == id)
    }
}

/// [`options_for`] a cart shipping to `place`, whose items (for a `calculated` option) are
/// `items` when already read.
fn options_at(
    conn: &Connection,
    providers: &Providers,
    cart: &Cart,
    place: Option<&Place>,
    items: Option<&[LineItem]>,
) -> Result<Offered> {
    let Some((country, province)) = place else {
        return Ok(Offered::default());
    };
    let sets = channel_sets(conn, cart)?;
    let options = fulfillment::options_in_sets(conn, &sets, country, province.as_deref())?;
    let mut shipped: Option<Vec<ShippedItem>> = None;
    let mut picks = Vec::new();
    for (at, option) in options.iter().enumerate() {
        if !(option.rule_allows("enabled_in_store", "true")
            && option.rule_allows("is_return", "false"))
        {
            continue;
        }
        let amount = if option.price_type == "calculated" {
            if shipped.is_none() {
                shipped = Some(match items {
                    Some(items) => shipped_from(conn, items)?,
                    None => shipped_items(conn, cart)?,
                });
            }
            let items = shipped.clone().unwrap_or_default();
            calculated_price(providers, option, cart, country, items).ok()
        } else {
            fulfillment::price_for(option, &cart.currency_code, cart.region_id.as_deref())
                .map(|p| p.amount)
        };
        if let Some(amount) = amount {
            picks.push((at, amount));
        }
    }
    Ok(Offered { options, picks })
}

/// The cart's lines as a fulfillment provider prices them (with their variants' weights).
///
/// # Errors
/// Database failures.
pub fn shipped_items(conn: &Connection, cart: &Cart) -> Result<Vec<ShippedItem>> {
    shipped_from(conn, &cart::items::shared_items_of(conn, &cart.id)?)
}

/// `items` as a fulfillment provider prices them (with their variants' weights).
fn shipped_from(conn: &Connection, items: &[LineItem]) -> Result<Vec<ShippedItem>> {
    let ids: Vec<&str> = items
        .iter()
        .filter_map(|i| i.variant_id.as_deref())
        .collect();
    let weights = product::variants::weights(conn, &ids)?;
    Ok(items
        .iter()
        .map(|i| ShippedItem {
            variant_id: i.variant_id.clone(),
            quantity: i.quantity,
            unit_price: i.unit_price,
            weight: i.variant_id.as_ref().and_then(|v| weights.get(v).copied()),
        })
        .collect())
}

/// A `calculated` option's price from its provider.
///
/// # Errors
/// 400 when its provider is not registered, cannot calculate the option, or refuses.
pub fn calculated_price(
    providers: &Providers,
    option: &fulfillment::ShippingOption,
    cart: &Cart,
    country: &str,
    items: Vec<ShippedItem>,
) -> Result<i64> {
    let cannot = || {
        Error::invalid(format!(
            "Cannot calculate the price of shipping option {}",
            option.id
        ))
    };
    let provider = providers
        .fulfillment(&option.provider_id)
        .ok_or_else(cannot)?;
    let data = option.data.clone().unwrap_or_else(|| serde_json::json!({}));
    if !provider.can_calculate(&data) {
        return Err(cannot());
    }
    let amount = provider.calculate_price(&PriceRequest {
        option_id: option.id.clone(),
        option_data: data,
        currency_code: cart.currency_code.clone(),
        country_code: country.to_string(),
        items,
    })?;
    if amount < 0 {
        return Err(cannot());
    }
    Ok(amount)
}

/// Re-validates and re-prices the shipping methods: a method whose option no longer serves
/// the cart drops them all; an unchanged amount is not rewritten.
fn refresh_shipping(
    conn: &Connection,
    engine: &Engine,
    cart: &Cart,
    (place, inclusive): (Option<&Place>, bool),
    lines: &mut CartLines,
) -> Result<()> {
    let ctx = engine.ctx();
    if lines.methods.is_empty() {
        return Ok(());
    }
    let available = options_at(conn, engine.providers(), cart, place, Some(&lines.items))?;
    for method in &mut lines.methods {
        let option = method.shipping_option_id.as_deref();
        match option.and_then(|id| available.find(id)) {
            Some((_, amount)) => {
                if (method.amount, method.is_tax_inclusive) != (amount, inclusive) {
                    cart::shipping::set_amount(conn, ctx, &method.id, amount, inclusive)?;
                    method.amount = amount;
                    method.is_tax_inclusive = inclusive;
                }
            }
            None => {
                cart::shipping::delete_methods(conn, ctx, &cart.id)?;
                lines.methods.clear();
                return Ok(());
            }
        }
    }
    Ok(())
}

/// A cart's items and shipping methods as the write job's memo holds them (shared, not
/// copied), with their totals.
pub type LinesWithTotals = (Rc<Vec<LineItem>>, Rc<Vec<ShippingMethod>>, Totals);

/// The cart's items, shipping methods and totals.
///
/// # Errors
/// An amount out of range; database failures.
pub fn totals(conn: &Connection, cart_id: &str) -> Result<LinesWithTotals> {
    let items = cart::items::shared_items_of(conn, cart_id)?;
    let methods = cart::shipping::shared_methods_of(conn, cart_id)?;
    let item_lines: Vec<Line> = items.iter().map(item_line).collect();
    let method_lines: Vec<Line> = methods.iter().map(method_line).collect();
    let totals = Totals::of(&item_lines, &method_lines)?;
    Ok((items, methods, totals))
}

/// An item as a totals line.
pub fn item_line(item: &LineItem) -> Line {
    Line {
        unit_price: item.unit_price,
        quantity: item.quantity,
        is_tax_inclusive: item.is_tax_inclusive,
        rates: item.tax_lines.iter().map(TaxLine::rate).collect(),
        discounts: item
            .adjustments
            .iter()
            .map(cart::Adjustment::discount)
            .collect(),
    }
}

/// A shipping method as a totals line.
pub fn method_line(method: &ShippingMethod) -> Line {
    Line {
        unit_price: method.amount,
        quantity: 1,
        is_tax_inclusive: method.is_tax_inclusive,
        rates: method.tax_lines.iter().map(TaxLine::rate).collect(),
        discounts: method
            .adjustments
            .iter()
            .map(cart::Adjustment::discount)
            .collect(),
    }
}

/// Brings the cart's payment collection (if any) to the cart total; a changed amount drops
/// its sessions.
fn sync_payment(conn: &Connection, ctx: &Ctx, cart: &Cart, lines: &CartLines) -> Result<()> {
    let Some(collection) = links::cart_payment_collection()
        .rights_of(conn, &cart.id)?
        .into_iter()
        .next()
    else {
        return Ok(());
    };
    payment::set_amount(conn, ctx, &collection, lines.totals()?.total())?;
    Ok(())
}
