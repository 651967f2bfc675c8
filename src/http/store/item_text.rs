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
use std::collections::HashMap;

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
    let relations = catalog::item_relations(conn, &product_ids, &variant_ids)?;
    let (products, variants) = (&relations.0, &relations.1);
    out.push('[');
    for (n, (item, line)) in items.iter().zip(lines).enumerate() {
        if n > 0 {
            out.push(',');
        }
        let product = relation(products, item.product_id.as_deref());
        let variant = relation(variants, item.variant_id.as_deref());
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

/// The document of `id` in `map` (a product or variant by id), as JSON text.
fn relation<'m>(map: &'m HashMap<String, String>, id: Option<&str>) -> Option<&'m str> {
    id.and_then(|id| map.get(id)).map(String::as_str)
}

/// One item: its stored fields, tax lines, adjustments, prices and totals in major units.
fn write_item(
    out: &mut String,
    item: &LineItem,
    totals: &LineTotals,
    currency: &str,
    owner: Owner,
    (product, variant): (Option<&str>, Option<&str>),
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
        o.raw(key, document.unwrap_or("null"));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::checkout::refresh::{item_line, method_line};
    use serde_json::{Value, json};

    fn item() -> LineItem {
        LineItem {
            id: "cali_1".into(),
            title: "Shirt".into(),
            quantity: 2,
            unit_price: 1050,
            requires_shipping: true,
            metadata: json!({"gift": true}),
            created_at: "2026-01-01T00:00:00.000Z".into(),
            updated_at: "2026-01-02T00:00:00.000Z".into(),
            tax_lines: vec![TaxLine {
                id: "calitxl_1".into(),
                description: Some("VAT".into()),
                tax_rate_id: Some("txr_1".into()),
                code: "VAT".into(),
                rate_ppm: 10_000_000,
                provider_id: Some("tp_system".into()),
            }],
            adjustments: vec![Adjustment {
                id: "caliadj_1".into(),
                code: Some("TEN".into()),
                amount: 100,
                is_tax_inclusive: false,
                promotion_id: Some("promo_1".into()),
                description: None,
            }],
            ..LineItem::default()
        }
    }

    fn written(owner: Owner) -> Value {
        let conn = Connection::open_in_memory().unwrap();
        let items = [item()];
        let lines = [item_line(&items[0])];
        let mut out = String::new();
        write_items(&mut out, &conn, &items, &lines, "usd", owner).unwrap();
        serde_json::from_str(&out).unwrap()
    }

    #[test]
    fn an_item_is_written_with_major_units_raw_twins_tax_lines_and_adjustments() {
        let doc = written(Owner::Cart("cart_1"));
        let item = &doc[0];
        assert_eq!(item["unit_price"], json!(10.5));
        assert_eq!(
            item["raw_unit_price"],
            json!({"value": "10.5", "precision": 20})
        );
        assert_eq!(item["compare_at_unit_price"], Value::Null);
        assert_eq!(item["raw_compare_at_unit_price"], Value::Null);
        assert_eq!(item["raw_quantity"], json!({"value": "2", "precision": 20}));
        assert_eq!(item["metadata"], json!({"gift": true}));
        assert_eq!(item["cart_id"], "cart_1");
        assert_eq!(item["product"], Value::Null);
        assert!(item.get("detail").is_none());
        let tax = &item["tax_lines"][0];
        assert_eq!(tax["rate"], json!(10));
        assert_eq!(tax["item_id"], "cali_1");
        assert!(tax.get("rate_ppm").is_none());
        let adjustment = &item["adjustments"][0];
        assert_eq!(adjustment["amount"], json!(1));
        assert_eq!(
            adjustment["raw_amount"],
            json!({"value": "1", "precision": 20})
        );
        assert_eq!(adjustment["provider_id"], Value::Null);
        let totals = item_line(&self::item()).totals().unwrap();
        for (key, minor) in totals.fields() {
            assert_eq!(item[key], crate::money::to_json(minor, "usd"), "{key}");
            assert_eq!(
                item[format!("raw_{key}")],
                crate::money::raw_json(minor, "usd")
            );
        }
    }

    #[test]
    fn an_order_item_carries_its_detail() {
        let doc = written(Owner::Order("order_1"));
        let detail = &doc[0]["detail"];
        assert_eq!(doc[0]["order_id"], "order_1");
        assert_eq!(detail["item_id"], "cali_1");
        assert_eq!(detail["order_id"], "order_1");
        assert_eq!(detail["quantity"], 2);
        assert_eq!(detail["written_off_quantity"], 0);
    }

    #[test]
    fn a_shipping_method_is_written_with_its_amount_and_owner() {
        let method = ShippingMethod {
            id: "casm_1".into(),
            name: "Standard".into(),
            amount: 800,
            data: json!({}),
            ..ShippingMethod::default()
        };
        let lines = [method_line(&method)];
        let mut out = String::new();
        write_methods(&mut out, &[method], &lines, "usd", Owner::Cart("cart_1")).unwrap();
        let doc: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(doc[0]["amount"], json!(8));
        assert_eq!(doc[0]["raw_amount"], json!({"value": "8", "precision": 20}));
        assert_eq!(doc[0]["cart_id"], "cart_1");
        assert_eq!(doc[0]["total"], json!(8));
        assert_eq!(doc[0]["tax_lines"], json!([]));
    }
}
