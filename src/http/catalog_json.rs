//! The catalog's wire JSON: products (with variants, options, prices…) and calculated prices
//! in Medusa's shapes, money rendered in major units through `crate::money`.

use super::fields::Graph;
use crate::flows::product_graph::{ProductNode, VariantNode};
use crate::modules::pricing::StoredPrice;
use crate::modules::pricing::calc::{CalculatedPrice, Chosen};
use crate::money;
use serde::Serialize;
use serde_json::{Map, Value, json};

/// The product graph's relations, for `fields::project`.
pub const PRODUCT_GRAPH: Graph = Graph {
    relations: &[
        "variants",
        "options",
        "images",
        "tags",
        "type",
        "collection",
        "categories",
        "sales_channels",
        "prices",
        "option",
        "values",
    ],
    opaque: &["variants.calculated_price"],
    embedded: &["variants.options.option"],
};

/// Medusa's default store product fields.
pub const STORE_PRODUCT_DEFAULTS: &[&str] = &[
    "id",
    "title",
    "subtitle",
    "description",
    "handle",
    "is_giftcard",
    "discountable",
    "thumbnail",
    "collection_id",
    "type_id",
    "weight",
    "length",
    "height",
    "width",
    "hs_code",
    "origin_country",
    "mid_code",
    "material",
    "created_at",
    "updated_at",
    "*type",
    "*collection",
    "*options",
    "*options.values",
    "*tags",
    "*images",
    "*variants",
    "*variants.options",
];

/// Any serializable struct as a JSON object.
pub fn object<T: Serialize>(value: &T) -> Map<String, Value> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

fn objects<T: Serialize>(items: &[T]) -> Value {
    Value::Array(items.iter().map(|i| Value::Object(object(i))).collect())
}

/// A product node as JSON with every loaded relation (project it afterwards).
pub fn product(node: &ProductNode) -> Map<String, Value> {
    let mut map = object(&node.product);
    let variants = node
        .variants
        .iter()
        .map(|v| Value::Object(variant(v)))
        .collect();
    map.insert("variants".into(), Value::Array(variants));
    let options = node
        .options
        .iter()
        .map(|(option, values)| {
            let mut o = object(option);
            o.insert("values".into(), objects(values));
            Value::Object(o)
        })
        .collect();
    map.insert("options".into(), Value::Array(options));
    map.insert("images".into(), objects(&node.images));
    map.insert("tags".into(), objects(&node.tags));
    map.insert("categories".into(), objects(&node.categories));
    map.insert("type".into(), optional(&node.product_type));
    map.insert("collection".into(), optional(&node.collection));
    let channels = node
        .sales_channel_ids
        .iter()
        .map(|id| json!({ "id": id }))
        .collect();
    map.insert("sales_channels".into(), Value::Array(channels));
    map
}

fn optional<T: Serialize>(item: &Option<T>) -> Value {
    item.as_ref()
        .map_or(Value::Null, |i| Value::Object(object(i)))
}

fn variant(node: &VariantNode) -> Map<String, Value> {
    let mut map = object(&node.variant);
    let options = node
        .options
        .iter()
        .map(|(value, option)| {
            let mut v = object(value);
            v.insert("option".into(), Value::Object(object(option)));
            Value::Object(v)
        })
        .collect();
    map.insert("options".into(), Value::Array(options));
    map.insert("images".into(), Value::Array(Vec::new()));
    map.insert(
        "calculated_price".into(),
        node.calculated_price
            .as_ref()
            .map_or(Value::Null, calculated_price),
    );
    let prices = node.prices.iter().map(stored_price).collect();
    map.insert("prices".into(), Value::Array(prices));
    map
}

fn chosen(c: &Chosen) -> Value {
    json!({
        "id": c.id,
        "price_list_id": c.price_list_id,
        "price_list_type": c.price_list_type,
        "min_quantity": c.min_quantity,
        "max_quantity": c.max_quantity,
    })
}

/// Medusa's `calculated_price` object.
pub fn calculated_price(p: &CalculatedPrice) -> Value {
    let cur = p.currency_code.as_str();
    json!({
        "id": p.price_set_id,
        "is_calculated_price_price_list": p.calculated.price_list_id.is_some(),
        "is_calculated_price_tax_inclusive": p.is_tax_inclusive,
        "calculated_amount": money::to_json(p.calculated.amount, cur),
        "raw_calculated_amount": money::raw_json(p.calculated.amount, cur),
        "is_original_price_price_list": p.original.price_list_id.is_some(),
        "is_original_price_tax_inclusive": p.is_tax_inclusive,
        "original_amount": money::to_json(p.original.amount, cur),
        "raw_original_amount": money::raw_json(p.original.amount, cur),
        "currency_code": cur,
        "calculated_price": chosen(&p.calculated),
        "original_price": chosen(&p.original),
    })
}

/// An admin variant price (`variants[].prices[]`).
pub fn stored_price(p: &StoredPrice) -> Value {
    let rules: Map<String, Value> = p
        .rules
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    json!({
        "id": p.id,
        "amount": money::to_json(p.amount, &p.currency_code),
        "raw_amount": money::raw_json(p.amount, &p.currency_code),
        "currency_code": p.currency_code,
        "min_quantity": p.min_quantity,
        "max_quantity": p.max_quantity,
        "price_set_id": p.price_set_id,
        "rules": rules,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
    })
}
