//! Line items and shipping methods of a cart or order written as JSON text, field by field:
//! the one definition of their documents. Building each as a `serde_json::Value` map (the
//! row through `to_value`, its tax lines and adjustments rebuilt, 18 totals and their
//! `raw_*` objects inserted one by one) and then formatting the tree was most of a cart
//! reply's own work. The order document is written with them
//! ([`super::checkout_json::order_text`]).

use crate::error::Result;
use crate::flows::checkout::catalog;
use crate::http::json_out::{Obj, array, integer};
use crate::lines::{Adjustment, LineItem, ShippingMethod, TaxLine};
use crate::money::write_json_pair;
use crate::totals::{Line, LineTotals};
use rusqlite::Connection;
use serde_json::{Map, Value};

/// Whose lines are written: a cart's, or an order's (whose items also carry their
/// `detail`: the quantities fulfilled, shipped, returned…, all zero on a new order).
#[derive(Debug, Clone, Copy)]
pub enum Owner<'a> {
    /// `cart_id`.
    Cart(&'a str),
    /// `order_id`.
    Order(&'a str),
}

impl<'a> Owner<'a> {
    /// The owner's key and id, e.g. `("cart_id", "cart_…")`.
    fn pair(self) -> (&'static str, &'a str) {
        match self {
            Owner::Cart(id) => ("cart_id", id),
            Owner::Order(id) => ("order_id", id),
        }
    }
}

/// `items` (with `lines`, their totals lines, in the same order) as a JSON array, each with
/// its owner's id and its `product` and `variant`.
///
/// # Errors
/// An amount out of range; database failures.
pub fn write_items(
    out: &mut String,
    conn: &Connection,
    items: &[LineItem],
    lines: &[Line],
    currency: &str,
    owner: Owner,
) -> Result<()> {
    let product_ids: Vec<String> = items.iter().filter_map(|i| i.product_id.clone()).collect();
    let variant_ids: Vec<String> = items.iter().filter_map(|i| i.variant_id.clone()).collect();
    let (products, variants) = catalog::item_relations(conn, &product_ids, &variant_ids)?;
    out.push('[');
    for (n, (item, line)) in items.iter().zip(lines).enumerate() {
        if n > 0 {
            out.push(',');
        }
        let product = relation(&products, item.product_id.as_deref());
        let variant = relation(&variants, item.variant_id.as_deref());
        write_item(
            out,
            item,
            &line.totals()?,
            currency,
            owner,
            (product, variant),
        )?;
    }
    out.push(']');
    Ok(())
}

/// The document of `id` in `map` (a product or variant by id).
fn relation<'m>(map: &'m Map<String, Value>, id: Option<&str>) -> Option<&'m Value> {
    id.and_then(|id| map.get(id))
}

/// One item: its stored fields, tax lines, adjustments, prices and totals in major units.
fn write_item(
    out: &mut String,
    item: &LineItem,
    totals: &LineTotals,
    currency: &str,
    owner: Owner,
    (product, variant): (Option<&Value>, Option<&Value>),
) -> Result<()> {
    let mut o = Obj::start(out);
    o.str("id", Some(item.id.as_str()));
    o.str("title", Some(item.title.as_str()));
    for (key, value) in [("subtitle", &item.subtitle), ("thumbnail", &item.thumbnail)] {
        o.str(key, value.as_deref());
    }
    o.int("quantity", Some(item.quantity));
    for (key, value) in [
        ("variant_id", &item.variant_id),
        ("product_id", &item.product_id),
        ("product_title", &item.product_title),
        ("product_description", &item.product_description),
        ("product_subtitle", &item.product_subtitle),
        ("product_type", &item.product_type),
        ("product_type_id", &item.product_type_id),
        ("product_collection", &item.product_collection),
        ("product_handle", &item.product_handle),
        ("variant_sku", &item.variant_sku),
        ("variant_barcode", &item.variant_barcode),
        ("variant_title", &item.variant_title),
    ] {
        o.str(key, value.as_deref());
    }
    for (key, value) in [
        ("requires_shipping", item.requires_shipping),
        ("is_discountable", item.is_discountable),
        ("is_giftcard", item.is_giftcard),
        ("is_tax_inclusive", item.is_tax_inclusive),
        ("is_custom_price", item.is_custom_price),
    ] {
        o.bool(key, value);
    }
    o.with_separator(|out| write_json_pair(out, "unit_price", item.unit_price, currency));
    match item.compare_at_unit_price {
        Some(minor) => {
            o.with_separator(|out| write_json_pair(out, "compare_at_unit_price", minor, currency));
        }
        None => {
            o.raw("compare_at_unit_price", "null");
            o.raw("raw_compare_at_unit_price", "null");
        }
    }
    let quantity = o.key("raw_quantity");
    quantity.push_str("{\"value\":\"");
    integer(quantity, item.quantity);
    quantity.push_str("\",\"precision\":20}");
    o.serialized("metadata", &item.metadata)?;
    o.str("created_at", Some(item.created_at.as_str()));
    o.str("updated_at", Some(item.updated_at.as_str()));
    write_tax_lines(o.key("tax_lines"), &item.tax_lines, "item_id", &item.id);
    write_adjustments(
        o.key("adjustments"),
        &item.adjustments,
        "item_id",
        &item.id,
        currency,
    );
    write_totals(&mut o, totals, currency);
    let (owner_key, owner_id) = owner.pair();
    o.str(owner_key, Some(owner_id));
    if let Owner::Order(order_id) = owner {
        write_detail(o.key("detail"), item, order_id);
    }
    for (key, document) in [("product", product), ("variant", variant)] {
        match document {
            Some(document) => o.serialized(key, document)?,
            None => o.raw(key, "null"),
        }
    }
    o.end();
    Ok(())
}

/// An order item's `detail` (a new order's: nothing fulfilled, shipped or returned yet).
fn write_detail(out: &mut String, item: &LineItem, order_id: &str) {
    let mut o = Obj::start(out);
    o.str("item_id", Some(item.id.as_str()));
    o.str("order_id", Some(order_id));
    o.int("quantity", Some(item.quantity));
    for key in [
        "fulfilled_quantity",
        "shipped_quantity",
        "delivered_quantity",
        "return_requested_quantity",
        "return_received_quantity",
        "return_dismissed_quantity",
        "written_off_quantity",
    ] {
        o.int(key, Some(0));
    }
    o.end();
}

/// `methods` (with `lines`, their totals lines) as a JSON array, each with its owner's id.
///
/// # Errors
/// An amount out of range.
pub fn write_methods(
    out: &mut String,
    methods: &[ShippingMethod],
    lines: &[Line],
    currency: &str,
    owner: Owner,
) -> Result<()> {
    let (owner_key, owner_id) = owner.pair();
    out.push('[');
    for (n, (method, line)) in methods.iter().zip(lines).enumerate() {
        if n > 0 {
            out.push(',');
        }
        let totals = line.totals()?;
        let mut o = Obj::start(out);
        o.str("id", Some(method.id.as_str()));
        o.str("name", Some(method.name.as_str()));
        o.str("description", method.description.as_deref());
        o.with_separator(|out| write_json_pair(out, "amount", method.amount, currency));
        o.bool("is_tax_inclusive", method.is_tax_inclusive);
        o.str("shipping_option_id", method.shipping_option_id.as_deref());
        o.serialized("data", &method.data)?;
        o.str("created_at", Some(method.created_at.as_str()));
        let owner = "shipping_method_id";
        write_tax_lines(o.key("tax_lines"), &method.tax_lines, owner, &method.id);
        write_adjustments(
            o.key("adjustments"),
            &method.adjustments,
            owner,
            &method.id,
            currency,
        );
        write_totals(&mut o, &totals, currency);
        o.str(owner_key, Some(owner_id));
        o.end();
    }
    out.push(']');
    Ok(())
}

/// A line's totals in major units, each with its `raw_*` twin.
fn write_totals(o: &mut Obj, totals: &LineTotals, currency: &str) {
    for (key, minor) in totals.fields() {
        o.with_separator(|out| write_json_pair(out, key, minor, currency));
    }
}

/// Tax lines with the rate as a percent number, owned by `owner_key` = `owner`.
fn write_tax_lines(out: &mut String, lines: &[TaxLine], owner_key: &str, owner: &str) {
    array(out, lines, |out, line| {
        let mut o = Obj::start(out);
        o.str("id", Some(line.id.as_str()));
        o.str("description", line.description.as_deref());
        o.str("tax_rate_id", line.tax_rate_id.as_deref());
        o.str("code", Some(line.code.as_str()));
        o.str("provider_id", line.provider_id.as_deref());
        o.value("rate", Some(&line.rate().to_json()));
        o.str(owner_key, Some(owner));
        o.end();
    });
}

/// Adjustments with the amount in major units (and `raw_amount`), owned by `owner_key`.
fn write_adjustments(
    out: &mut String,
    rows: &[Adjustment],
    owner_key: &str,
    owner: &str,
    currency: &str,
) {
    array(out, rows, |out, row| {
        let mut o = Obj::start(out);
        o.str("id", Some(row.id.as_str()));
        o.str("code", row.code.as_deref());
        o.with_separator(|out| write_json_pair(out, "amount", row.amount, currency));
        o.bool("is_tax_inclusive", row.is_tax_inclusive);
        o.str("promotion_id", row.promotion_id.as_deref());
        o.str("description", row.description.as_deref());
        o.str(owner_key, Some(owner));
        o.raw("provider_id", "null");
        o.end();
    });
}
