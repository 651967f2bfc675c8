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
use crate::modules::tax::provider::TaxableLine;
use crate::modules::{customer, fulfillment, payment, product, tax};
use crate::providers::Providers;
use crate::totals::{Line, Totals};
use rusqlite::Connection;

/// Refreshes a cart after a change. `force_taxes` computes tax lines even when the region
/// does not tax automatically (`POST /store/carts/:id/taxes`).
///
/// # Errors
/// 400 "country code is required to calculate taxes" when forced without a shipping
/// country; a variant that lost its price; database failures.
pub fn refresh(conn: &Connection, engine: &Engine, cart_id: &str, force_taxes: bool) -> Result<()> {
    refresh_with(conn, engine, cart_id, force_taxes, Codes::Keep)
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
    let cart = cart::retrieve(conn, cart_id)?;
    reprice(conn, ctx, &cart)?;
    refresh_shipping(conn, engine, &cart)?;
    let automatic = match cart.region_id.as_deref() {
        Some(id) => catalog::region(conn, id)?.automatic_taxes,
        None => false,
    };
    if automatic || force_taxes {
        apply_taxes(conn, engine, &cart, force_taxes)?;
    }
    super::promotions::apply(conn, ctx, &cart, codes)?;
    sync_payment(conn, ctx, &cart)
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
fn reprice(conn: &Connection, ctx: &Ctx, cart: &Cart) -> Result<()> {
    let now = ctx.now();
    let groups = customer_groups(conn, cart)?;
    for item in cart::items::items_of(conn, &cart.id)? {
        let Some(variant_id) = item.variant_id.as_deref().filter(|_| !item.is_custom_price) else {
            continue;
        };
        let region = cart.region_id.as_deref();
        let price = catalog::price(
            conn,
            variant_id,
            &cart.currency_code,
            (region, &groups),
            (item.quantity, &now),
        )?;
        if (price.calculated.amount, price.is_tax_inclusive)
            != (item.unit_price, item.is_tax_inclusive)
        {
            cart::items::set_price(
                conn,
                ctx,
                &item.id,
                price.calculated.amount,
                price.is_tax_inclusive,
            )?;
        }
    }
    Ok(())
}

/// The shipping address's `(country, province)`, if it has a country.
///
/// # Errors
/// Database failures.
pub fn shipping_place(conn: &Connection, cart: &Cart) -> Result<Option<(String, Option<String>)>> {
    let Some(address) = cart::address(conn, cart.shipping_address_id.as_deref())? else {
        return Ok(None);
    };
    let text = |k: &str| {
        address
            .get(k)
            .and_then(|v| v.as_str())
            .filter(|s| !s.is_empty())
            .map(str::to_lowercase)
    };
    Ok(text("country_code").map(|c| (c, text("province"))))
}

/// The fulfillment sets serving a cart's sales channel (through its stock locations).
///
/// # Errors
/// Database failures.
pub fn channel_sets(conn: &Connection, cart: &Cart) -> Result<Vec<String>> {
    let mut sets = Vec::new();
    for location in super::stock::channel_locations(conn, cart.sales_channel_id.as_deref())? {
        sets.extend(links::location_fulfillment_set().rights_of(conn, &location)?);
    }
    Ok(sets)
}

/// Shipping options available to a cart: in its channel's sets, serving its address, allowed
/// in store, not return options, priced for it — a flat option in its currency, a
/// `calculated` one by its provider (an option its provider cannot price is not offered).
/// With their amounts.
///
/// # Errors
/// Database failures.
pub fn options_for(
    conn: &Connection,
    providers: &Providers,
    cart: &Cart,
) -> Result<Vec<(fulfillment::ShippingOption, i64)>> {
    let Some((country, province)) = shipping_place(conn, cart)? else {
        return Ok(Vec::new());
    };
    let sets = channel_sets(conn, cart)?;
    let options = fulfillment::options_in_sets(conn, &sets, &country, province.as_deref())?;
    let mut shipped: Option<Vec<ShippedItem>> = None;
    let mut offered = Vec::new();
    for option in options {
        if !(option.rule_allows("enabled_in_store", "true")
            && option.rule_allows("is_return", "false"))
        {
            continue;
        }
        let amount = if option.price_type == "calculated" {
            if shipped.is_none() {
                shipped = Some(shipped_items(conn, cart)?);
            }
            let items = shipped.clone().unwrap_or_default();
            calculated_price(providers, &option, cart, &country, items).ok()
        } else {
            fulfillment::price_for(&option, &cart.currency_code, cart.region_id.as_deref())
                .map(|p| p.amount)
        };
        if let Some(amount) = amount {
            offered.push((option, amount));
        }
    }
    Ok(offered)
}

/// The cart's lines as a fulfillment provider prices them (with their variants' weights).
///
/// # Errors
/// Database failures.
pub fn shipped_items(conn: &Connection, cart: &Cart) -> Result<Vec<ShippedItem>> {
    let items = cart::items::items_of(conn, &cart.id)?;
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

fn refresh_shipping(conn: &Connection, engine: &Engine, cart: &Cart) -> Result<()> {
    let ctx = engine.ctx();
    let methods = cart::shipping::methods_of(conn, &cart.id)?;
    if methods.is_empty() {
        return Ok(());
    }
    let available = options_for(conn, engine.providers(), cart)?;
    let inclusive =
        catalog::prices_include_tax(conn, &cart.currency_code, cart.region_id.as_deref())?;
    for method in methods {
        let option = method.shipping_option_id.as_deref();
        match available
            .iter()
            .find(|(o, _)| Some(o.id.as_str()) == option)
        {
            Some((_, amount)) => {
                cart::shipping::set_amount(conn, ctx, &method.id, *amount, inclusive)?
            }
            None => cart::shipping::delete_methods(conn, ctx, &cart.id)?,
        }
    }
    Ok(())
}

/// Recomputes every tax line of a cart from its shipping address: each item gets the rates
/// that apply to its product (and product type) there, shipping methods the default rates,
/// as the country's tax provider turns them into lines.
///
/// # Errors
/// 400 when `forced` and the cart has no shipping country; a provider's refusal; database
/// failures.
pub fn apply_taxes(conn: &Connection, engine: &Engine, cart: &Cart, forced: bool) -> Result<()> {
    let ctx = engine.ctx();
    let place = match shipping_place(conn, cart)? {
        Some(place) => Some(place),
        None if forced => {
            return Err(Error::invalid(
                "country code is required to calculate taxes",
            ));
        }
        None => None,
    };
    let lines_for = |product: &str, product_type: Option<&str>| -> Result<Vec<TaxLine>> {
        let Some((country, province)) = &place else {
            return Ok(Vec::new());
        };
        let place = (country.as_str(), province.as_deref());
        provider_tax_lines(conn, engine.providers(), place, product, product_type)
    };
    for item in cart::items::items_of(conn, &cart.id)? {
        let lines = lines_for(
            item.product_id.as_deref().unwrap_or_default(),
            item.product_type_id.as_deref(),
        )?;
        if same_lines(&item.tax_lines, &lines) {
            continue;
        }
        cart::set_tax_lines(
            conn,
            ctx,
            "cart_line_item_tax_line",
            "item_id",
            &item.id,
            &lines,
        )?;
    }
    let shipping_lines = lines_for("", None)?;
    for method in cart::shipping::methods_of(conn, &cart.id)? {
        if same_lines(&method.tax_lines, &shipping_lines) {
            continue;
        }
        cart::set_tax_lines(
            conn,
            ctx,
            "cart_shipping_method_tax_line",
            "shipping_method_id",
            &method.id,
            &shipping_lines,
        )?;
    }
    Ok(())
}

/// The tax lines of a product (`""`: shipping) shipped to `(country, province)`, as the
/// provider of the country's tax region computes them from its rates: the one way carts,
/// order edits, draft orders and after-sales shipping are taxed.
///
/// # Errors
/// 400 when the tax region names a provider this build does not register; a provider's
/// refusal; database failures.
pub fn provider_tax_lines(
    conn: &Connection,
    providers: &Providers,
    (country, province): (&str, Option<&str>),
    product: &str,
    product_type: Option<&str>,
) -> Result<Vec<TaxLine>> {
    let resolved = tax::resolve_line(conn, country, province, product, product_type)?;
    let provider = providers.tax_for(resolved.provider_id.as_deref())?;
    let line = TaxableLine {
        product_id: product,
        product_type_id: product_type,
        country_code: country,
        province_code: province,
        is_shipping: product.is_empty(),
    };
    Ok(provider
        .rates_for_line(&line, &resolved.rates)?
        .into_iter()
        .map(|r| TaxLine {
            id: String::new(),
            description: Some(r.name),
            tax_rate_id: r.tax_rate_id,
            code: r.code,
            rate_ppm: r.rate_ppm,
            provider_id: Some(provider.id().into()),
        })
        .collect())
}

/// Whether two sets of tax lines apply the same rates (ids aside).
fn same_lines(old: &[TaxLine], new: &[TaxLine]) -> bool {
    old.len() == new.len()
        && old.iter().zip(new).all(|(a, b)| {
            (&a.tax_rate_id, a.rate_ppm, &a.code, &a.description)
                == (&b.tax_rate_id, b.rate_ppm, &b.code, &b.description)
        })
}

/// The cart's items, shipping methods and totals.
///
/// # Errors
/// An amount out of range; database failures.
pub fn totals(
    conn: &Connection,
    cart_id: &str,
) -> Result<(Vec<LineItem>, Vec<ShippingMethod>, Totals)> {
    let items = cart::items::items_of(conn, cart_id)?;
    let methods = cart::shipping::methods_of(conn, cart_id)?;
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
fn sync_payment(conn: &Connection, ctx: &Ctx, cart: &Cart) -> Result<()> {
    let Some(collection) = links::cart_payment_collection()
        .rights_of(conn, &cart.id)?
        .into_iter()
        .next()
    else {
        return Ok(());
    };
    let (_, _, totals) = totals(conn, &cart.id)?;
    payment::set_amount(conn, ctx, &collection, totals.total())?;
    Ok(())
}
