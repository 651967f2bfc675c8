//! Shared pieces of the catalog's wire JSON: the store's default product fields and the
//! struct-to-object helper of the small entities (regions, categories, collections…).
//! Products themselves are written by `product_json`.

use serde::Serialize;
use serde_json::{Map, Value};

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
