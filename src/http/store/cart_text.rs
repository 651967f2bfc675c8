//! The cart document written as JSON text in one buffer. Every storefront call of a checkout
//! answers with the whole cart; building it as a `serde_json::Value` tree, copying that into
//! an envelope and formatting it cost about a quarter of a checkout's instructions. The top
//! level and its 27 totals (each with a `raw_*` twin) are written directly here, the items and
//! shipping methods by [`super::item_text`] (which the order document shares); addresses,
//! region and payment collection are serialized in place.

use super::checkout_json::{promotions_json, write_collection};
use super::item_text::{Owner, write_items, write_methods};
use crate::error::Result;
use crate::flows::checkout::refresh;
use crate::flows::links;
use crate::http::json_out::Obj;
use crate::modules::{cart, customer, payment, region};
use crate::money::write_json_pair;
use crate::totals::{Line, Totals};
use rusqlite::Connection;
use serde::Serialize;

/// The full cart document (the same fields as Medusa's Store API cart) as JSON text.
///
/// # Errors
/// 404 for an unknown cart; database failures.
pub fn cart_text(conn: &Connection, cart_id: &str) -> Result<String> {
    let found = cart::shared(conn, cart_id)?;
    let currency = found.currency_code.as_str();
    let (items, methods, totals) = refresh::totals(conn, cart_id)?;
    let item_lines: Vec<Line> = items.iter().map(refresh::item_line).collect();
    let method_lines: Vec<Line> = methods.iter().map(refresh::method_line).collect();
    let mut out = String::with_capacity(8 * 1024);
    let mut o = Obj::extend(&mut out, &*found)?;
    write_totals(&mut o, &totals, currency);
    o.raw("locale", "null");
    let parent = Owner::Cart(cart_id);
    write_items(o.key("items"), conn, &items, &item_lines, currency, parent)?;
    write_methods(
        o.key("shipping_methods"),
        &methods,
        &method_lines,
        currency,
        parent,
    )?;
    for (key, id) in [
        ("shipping_address", &found.shipping_address_id),
        ("billing_address", &found.billing_address_id),
    ] {
        match cart::address_json(conn, id.as_deref())? {
            Some(text) => o.raw(key, &text),
            None => o.raw(key, "null"),
        }
    }
    o.raw("credit_lines", "[]");
    let adjustments = items
        .iter()
        .flat_map(|i| &i.adjustments)
        .chain(methods.iter().flat_map(|s| &s.adjustments));
    o.serialized("promotions", &promotions_json(conn, adjustments)?)?;
    write_customer(&mut o, conn, found.customer_id.as_deref())?;
    // The region (with its countries) as memoized JSON text.
    match found
        .region_id
        .as_deref()
        .map(|id| region::retrieve_json(conn, id))
    {
        Some(Ok(region)) => o.raw("region", &region),
        _ => o.raw("region", "null"),
    }
    match links::cart_payment_collection()
        .rights_of(conn, cart_id)?
        .first()
    {
        Some(id) => {
            let collection = payment::retrieve_collection(conn, id)?;
            write_collection(o.key("payment_collection"), &collection);
        }
        None => o.raw("payment_collection", "null"),
    }
    o.end();
    Ok(out)
}

fn write_totals(o: &mut Obj, totals: &Totals, currency: &str) {
    for (key, minor) in totals.fields() {
        o.with_separator(|out| write_json_pair(out, key, minor, currency));
    }
}

/// `customer`: the cart's customer's id and email (groups are not expanded on carts).
fn write_customer(o: &mut Obj, conn: &Connection, id: Option<&str>) -> Result<()> {
    #[derive(Serialize)]
    struct Brief<'a> {
        id: &'a str,
        email: Option<&'a str>,
        groups: [(); 0],
    }
    match id.map(|id| customer::retrieve(conn, id)) {
        Some(Ok(c)) => {
            let brief = Brief {
                id: &c.id,
                email: c.email.as_deref(),
                groups: [],
            };
            o.serialized("customer", &brief)?;
        }
        _ => o.raw("customer", "null"),
    }
    Ok(())
}
