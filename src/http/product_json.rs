//! Products on the wire, written straight into a buffer ([`super::json_out`]) under a
//! `fields=` plan computed once per request: for each entity path, which keys are kept
//! (the same rules as `fields::project`).

use super::json_out::{Obj, array, string};
use super::product_parts_json::{calculated_price, category, collection, image, stored_price, tag};
use super::query::FieldSelection;
use crate::flows::product_graph::{ProductNode, VariantNode};
use crate::modules::pricing::calc::CalculatedPrice;
use crate::modules::product::{OptionValue, ProductOption};
use crate::modules::sales_channel::SalesChannel;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

const PRODUCT: &[&str] = &[
    "id",
    "title",
    "handle",
    "subtitle",
    "description",
    "is_giftcard",
    "status",
    "thumbnail",
    "weight",
    "length",
    "height",
    "width",
    "origin_country",
    "hs_code",
    "mid_code",
    "material",
    "discountable",
    "external_id",
    "collection_id",
    "type_id",
    "metadata",
    "created_at",
    "updated_at",
    "deleted_at",
    "variants",
    "options",
    "images",
    "tags",
    "type",
    "collection",
    "categories",
    "sales_channels",
];
const VARIANT: &[&str] = &[
    "id",
    "title",
    "sku",
    "barcode",
    "ean",
    "upc",
    "allow_backorder",
    "manage_inventory",
    "hs_code",
    "origin_country",
    "mid_code",
    "material",
    "weight",
    "length",
    "height",
    "width",
    "metadata",
    "variant_rank",
    "thumbnail",
    "product_id",
    "created_at",
    "updated_at",
    "deleted_at",
    "options",
    "images",
    "prices",
    "inventory_quantity",
    "calculated_price",
];
const VALUE: &[&str] = &[
    "id",
    "value",
    "rank",
    "metadata",
    "option_id",
    "created_at",
    "updated_at",
    "deleted_at",
    "option",
];
const OPTION: &[&str] = &[
    "id",
    "title",
    "is_exclusive",
    "metadata",
    "created_at",
    "updated_at",
    "deleted_at",
    "values",
];
pub(super) const IMAGE: &[&str] = &[
    "id",
    "url",
    "rank",
    "product_id",
    "metadata",
    "created_at",
    "updated_at",
    "deleted_at",
];
pub(super) const TAG: &[&str] = &[
    "id",
    "value",
    "metadata",
    "created_at",
    "updated_at",
    "deleted_at",
];
pub(super) const COLLECTION: &[&str] = &[
    "id",
    "title",
    "handle",
    "metadata",
    "created_at",
    "updated_at",
    "deleted_at",
];
pub(super) const CATEGORY: &[&str] = &[
    "id",
    "name",
    "description",
    "handle",
    "mpath",
    "is_active",
    "is_internal",
    "rank",
    "parent_category_id",
    "metadata",
    "created_at",
    "updated_at",
    "deleted_at",
];
/// A linked sales channel's columns (the sales channel module's record).
const SALES_CHANNEL: &[&str] = &[
    "id",
    "name",
    "description",
    "is_disabled",
    "metadata",
    "created_at",
    "updated_at",
    "deleted_at",
];
const RELATIONS: &[&str] = &[
    "variants",
    "options",
    "images",
    "tags",
    "type",
    "collection",
    "categories",
    "sales_channels",
    "prices",
    "values",
];

/// Which keys each entity path keeps.
pub struct Plan {
    product: Vec<bool>,
    variant: Vec<bool>,
    variant_value: Vec<bool>,
    option: Vec<bool>,
    value: Vec<bool>,
    image: Vec<bool>,
    tag: Vec<bool>,
    product_type: Vec<bool>,
    collection: Vec<bool>,
    category: Vec<bool>,
    sales_channel: Vec<bool>,
}

fn keep(sel: &FieldSelection, path: &str, key: &str) -> bool {
    let full = if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    };
    match key {
        "option" => true,
        "calculated_price" => sel.includes_relation(&full),
        "inventory_quantity" => sel.fields().contains(&full),
        k if RELATIONS.contains(&k) => sel.includes_relation(&full),
        "id" => true,
        _ => sel.includes(&full),
    }
}

fn keys(sel: &FieldSelection, path: &str, list: &[&str]) -> Vec<bool> {
    list.iter().map(|k| keep(sel, path, k)).collect()
}

impl Plan {
    /// The plan of a selection.
    pub fn new(sel: &FieldSelection) -> Plan {
        Plan {
            product: keys(sel, "", PRODUCT),
            variant: keys(sel, "variants", VARIANT),
            variant_value: keys(sel, "variants.options", VALUE),
            option: keys(sel, "options", OPTION),
            value: keys(sel, "options.values", VALUE),
            image: keys(sel, "images", IMAGE),
            tag: keys(sel, "tags", TAG),
            product_type: keys(sel, "type", TAG),
            collection: keys(sel, "collection", COLLECTION),
            category: keys(sel, "categories", CATEGORY),
            sales_channel: keys(sel, "sales_channels", SALES_CHANNEL),
        }
    }
}

/// Where a product document leaves room for prices: `(byte offset, variant id)`.
type Slots = Vec<(usize, String)>;

/// A product document rendered without its variants' prices: `pieces` interleave with one
/// calculated price per entry of `variant_ids` (`pieces.len() == variant_ids.len() + 1`).
/// Prices depend on the request (region, time), the rest only on the data, so documents
/// can be memoized per store generation and completed per request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// JSON text around the price slots.
    pub pieces: Vec<String>,
    /// The variant whose price goes into each slot.
    pub variant_ids: Vec<String>,
    /// The product (for its tax rates).
    pub product_id: String,
    /// The product's type (for its tax rates).
    pub type_id: Option<String>,
}

/// A price's amounts with and without tax, in minor units (Medusa's
/// `calculated_amount_with_tax` and friends).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Taxed {
    /// Calculated amount including tax.
    pub calculated_with: i64,
    /// Calculated amount excluding tax.
    pub calculated_without: i64,
    /// Original amount including tax.
    pub original_with: i64,
    /// Original amount excluding tax.
    pub original_without: i64,
}

/// The per-request part of documents: prices by variant id, and their taxed amounts when a
/// tax country is known.
#[derive(Debug, Clone, Default)]
pub struct Priced {
    /// Calculated prices.
    pub prices: HashMap<String, CalculatedPrice>,
    /// Amounts with and without tax.
    pub taxed: HashMap<String, Taxed>,
}

impl Document {
    /// Renders `node` under `plan`, leaving the price slots open.
    pub fn render(node: &ProductNode, plan: &Plan) -> Document {
        let mut out = String::with_capacity(4096);
        let mut slots = Slots::new();
        product(&mut out, node, plan, &mut slots);
        let mut pieces = Vec::with_capacity(slots.len() + 1);
        let mut start = 0;
        for (at, _) in &slots {
            pieces.push(out[start..*at].to_string());
            start = *at;
        }
        pieces.push(out[start..].to_string());
        let variant_ids = slots.into_iter().map(|(_, id)| id).collect();
        Document {
            pieces,
            variant_ids,
            product_id: node.product.id.clone(),
            type_id: node.product.type_id.clone(),
        }
    }

    /// Appends the document to `out` with each slot filled from `priced` (null when the
    /// variant has no price in the context).
    pub fn write(&self, out: &mut String, priced: &Priced) {
        for (i, piece) in self.pieces.iter().enumerate() {
            out.push_str(piece);
            if let Some(variant) = self.variant_ids.get(i) {
                match priced.prices.get(variant) {
                    Some(price) => calculated_price(out, price, priced.taxed.get(variant)),
                    None => out.push_str("null"),
                }
            }
        }
    }
}

fn product(out: &mut String, node: &ProductNode, plan: &Plan, slots: &mut Slots) {
    let p = &node.product;
    let mut o = Obj::start(out);
    for (key, _) in PRODUCT.iter().zip(&plan.product).filter(|(_, k)| **k) {
        match *key {
            "id" => o.str(key, Some(&p.id)),
            "title" => o.str(key, Some(&p.title)),
            "handle" => o.str(key, Some(&p.handle)),
            "subtitle" => o.str(key, p.subtitle.as_deref()),
            "description" => o.str(key, p.description.as_deref()),
            "is_giftcard" => o.bool(key, p.is_giftcard),
            "status" => o.str(key, Some(&p.status)),
            "thumbnail" => o.str(key, p.thumbnail.as_deref()),
            "weight" => o.num(key, p.weight),
            "length" => o.num(key, p.length),
            "height" => o.num(key, p.height),
            "width" => o.num(key, p.width),
            "origin_country" => o.str(key, p.origin_country.as_deref()),
            "hs_code" => o.str(key, p.hs_code.as_deref()),
            "mid_code" => o.str(key, p.mid_code.as_deref()),
            "material" => o.str(key, p.material.as_deref()),
            "discountable" => o.bool(key, p.discountable),
            "external_id" => o.str(key, p.external_id.as_deref()),
            "collection_id" => o.str(key, p.collection_id.as_deref()),
            "type_id" => o.str(key, p.type_id.as_deref()),
            "metadata" => o.value(key, p.metadata.as_ref()),
            "created_at" => o.str(key, Some(&p.created_at)),
            "updated_at" => o.str(key, Some(&p.updated_at)),
            "deleted_at" => o.str(key, p.deleted_at.as_deref()),
            _ => relation(&mut o, key, node, plan, slots),
        }
    }
    o.end();
}

fn relation(o: &mut Obj, key: &str, node: &ProductNode, plan: &Plan, slots: &mut Slots) {
    let out = o.key(key);
    match key {
        "variants" => array(out, &node.variants, |out, v| variant(out, v, plan, slots)),
        "options" => array(out, &node.options, |out, (opt, values)| {
            option(out, opt, &plan.option, Some((values, &plan.value)))
        }),
        "images" => array(out, &node.images, |out, i| image(out, i, &plan.image)),
        "tags" => array(out, &node.tags, |out, t| tag(out, t, &plan.tag)),
        "type" => match &node.product_type {
            Some(t) => tag(out, t, &plan.product_type),
            None => out.push_str("null"),
        },
        "collection" => match &node.collection {
            Some(c) => collection(out, c, &plan.collection),
            None => out.push_str("null"),
        },
        "categories" => array(out, &node.categories, |out, c| {
            category(out, c, &plan.category)
        }),
        _ => array(out, &node.sales_channels, |out, c| {
            sales_channel(out, c, &plan.sales_channel)
        }),
    }
}

fn sales_channel(out: &mut String, c: &SalesChannel, plan: &[bool]) {
    let mut o = Obj::start(out);
    for (key, _) in SALES_CHANNEL.iter().zip(plan).filter(|(_, k)| **k) {
        match *key {
            "id" => o.str(key, Some(&c.id)),
            "name" => o.str(key, Some(&c.name)),
            "description" => o.str(key, c.description.as_deref()),
            "is_disabled" => o.bool(key, c.is_disabled),
            "metadata" => o.value(key, c.metadata.as_ref()),
            "created_at" => o.str(key, Some(&c.created_at)),
            "updated_at" => o.str(key, Some(&c.updated_at)),
            _ => o.str(key, c.deleted_at.as_deref()),
        }
    }
    o.end();
}

fn variant(out: &mut String, node: &VariantNode, plan: &Plan, slots: &mut Slots) {
    let v = &node.variant;
    let mut o = Obj::start(out);
    for (key, _) in VARIANT.iter().zip(&plan.variant).filter(|(_, k)| **k) {
        match *key {
            "id" => o.str(key, Some(&v.id)),
            "title" => o.str(key, Some(&v.title)),
            "sku" => o.str(key, v.sku.as_deref()),
            "barcode" => o.str(key, v.barcode.as_deref()),
            "ean" => o.str(key, v.ean.as_deref()),
            "upc" => o.str(key, v.upc.as_deref()),
            "allow_backorder" => o.bool(key, v.allow_backorder),
            "manage_inventory" => o.bool(key, v.manage_inventory),
            "hs_code" => o.str(key, v.hs_code.as_deref()),
            "origin_country" => o.str(key, v.origin_country.as_deref()),
            "mid_code" => o.str(key, v.mid_code.as_deref()),
            "material" => o.str(key, v.material.as_deref()),
            "weight" => o.num(key, v.weight),
            "length" => o.num(key, v.length),
            "height" => o.num(key, v.height),
            "width" => o.num(key, v.width),
            "metadata" => o.value(key, v.metadata.as_ref()),
            "variant_rank" => o.int(key, Some(v.variant_rank)),
            "thumbnail" => o.str(key, v.thumbnail.as_deref()),
            "product_id" => o.str(key, Some(&v.product_id)),
            "created_at" => o.str(key, Some(&v.created_at)),
            "updated_at" => o.str(key, Some(&v.updated_at)),
            "deleted_at" => o.str(key, v.deleted_at.as_deref()),
            "options" => array(o.key(key), &node.options, |out, (value, opt)| {
                option_value(out, value, &plan.variant_value, Some(opt))
            }),
            "images" => o.raw(key, "[]"),
            "prices" => array(o.key(key), &node.prices, stored_price),
            "inventory_quantity" => o.int(key, node.inventory_quantity),
            _ => {
                let out = o.key(key);
                slots.push((out.len(), v.id.clone()));
            }
        }
    }
    o.end();
}

fn option(
    out: &mut String,
    opt: &ProductOption,
    keep: &[bool],
    values: Option<(&Vec<OptionValue>, &Vec<bool>)>,
) {
    let mut o = Obj::start(out);
    for (key, _) in OPTION.iter().zip(keep).filter(|(_, k)| **k) {
        match *key {
            "id" => o.str(key, Some(&opt.id)),
            "title" => o.str(key, Some(&opt.title)),
            "is_exclusive" => o.bool(key, opt.is_exclusive),
            "metadata" => o.value(key, opt.metadata.as_ref()),
            "created_at" => o.str(key, Some(&opt.created_at)),
            "updated_at" => o.str(key, Some(&opt.updated_at)),
            "deleted_at" => o.str(key, opt.deleted_at.as_deref()),
            _ => {
                if let Some((list, keep)) = values {
                    array(o.key(key), list, |out, v| option_value(out, v, keep, None));
                }
            }
        }
    }
    o.end();
}

fn option_value(out: &mut String, v: &OptionValue, keep: &[bool], opt: Option<&ProductOption>) {
    let mut o = Obj::start(out);
    for (key, _) in VALUE.iter().zip(keep).filter(|(_, k)| **k) {
        match *key {
            "id" => o.str(key, Some(&v.id)),
            "value" => o.str(key, Some(&v.value)),
            "rank" => o.int(key, v.rank),
            "metadata" => o.value(key, v.metadata.as_ref()),
            "option_id" => o.str(key, Some(&v.option_id)),
            "created_at" => o.str(key, Some(&v.created_at)),
            "updated_at" => o.str(key, Some(&v.updated_at)),
            "deleted_at" => o.str(key, v.deleted_at.as_deref()),
            _ => {
                if let Some(opt) = opt {
                    let all = vec![true; OPTION.len() - 1];
                    option(o.key(key), opt, &all, None);
                }
            }
        }
    }
    o.end();
}

/// `{"<key>": <document>}`.
pub fn single(key: &str, doc: &Document, prices: &Priced) -> String {
    let mut out = String::with_capacity(8 * 1024);
    out.push('{');
    string(&mut out, key);
    out.push(':');
    doc.write(&mut out, prices);
    out.push('}');
    out
}

/// `{"products": [...], "count", "offset", "limit"}`.
pub fn page(
    docs: &[Arc<Document>],
    prices: &Priced,
    count: u64,
    offset: u64,
    limit: u64,
) -> String {
    let mut out = String::with_capacity(docs.len() * 8 * 1024 + 64);
    out.push_str("{\"products\":");
    array(&mut out, docs, |out, d| d.write(out, prices));
    let _ = write!(
        out,
        ",\"count\":{count},\"offset\":{offset},\"limit\":{limit}}}"
    );
    out
}
