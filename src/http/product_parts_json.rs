//! JSON writers of the product graph's smaller pieces: images, tags and types,
//! collections, categories, and prices (calculated and stored), money in major units.

use super::json_out::Obj;
use super::product_json::{CATEGORY, COLLECTION, IMAGE, TAG, Taxed};
use crate::modules::pricing::StoredPrice;
use crate::modules::pricing::calc::{CalculatedPrice, Chosen};
use crate::modules::product::{Category, Collection, Image, Tag};
use crate::money::{exponent_or_default, write_major, write_raw_member};

/// Writes an image.
pub(super) fn image(out: &mut String, i: &Image, keep: &[bool]) {
    let mut o = Obj::start(out);
    for (key, _) in IMAGE.iter().zip(keep).filter(|(_, k)| **k) {
        match *key {
            "id" => o.str(key, Some(&i.id)),
            "url" => o.str(key, Some(&i.url)),
            "rank" => o.int(key, Some(i.rank)),
            "product_id" => o.str(key, Some(&i.product_id)),
            "metadata" => o.value(key, i.metadata.as_ref()),
            "created_at" => o.str(key, Some(&i.created_at)),
            "updated_at" => o.str(key, Some(&i.updated_at)),
            _ => o.str(key, i.deleted_at.as_deref()),
        }
    }
    o.end();
}

/// Writes a tag or type.
pub(super) fn tag(out: &mut String, t: &Tag, keep: &[bool]) {
    let mut o = Obj::start(out);
    for (key, _) in TAG.iter().zip(keep).filter(|(_, k)| **k) {
        match *key {
            "id" => o.str(key, Some(&t.id)),
            "value" => o.str(key, Some(&t.value)),
            "metadata" => o.value(key, t.metadata.as_ref()),
            "created_at" => o.str(key, Some(&t.created_at)),
            "updated_at" => o.str(key, Some(&t.updated_at)),
            _ => o.str(key, t.deleted_at.as_deref()),
        }
    }
    o.end();
}

/// Writes a collection.
pub(super) fn collection(out: &mut String, c: &Collection, keep: &[bool]) {
    let mut o = Obj::start(out);
    for (key, _) in COLLECTION.iter().zip(keep).filter(|(_, k)| **k) {
        match *key {
            "id" => o.str(key, Some(&c.id)),
            "title" => o.str(key, Some(&c.title)),
            "handle" => o.str(key, Some(&c.handle)),
            "metadata" => o.value(key, c.metadata.as_ref()),
            "created_at" => o.str(key, Some(&c.created_at)),
            "updated_at" => o.str(key, Some(&c.updated_at)),
            _ => o.str(key, c.deleted_at.as_deref()),
        }
    }
    o.end();
}

/// Writes a category.
pub(super) fn category(out: &mut String, c: &Category, keep: &[bool]) {
    let mut o = Obj::start(out);
    for (key, _) in CATEGORY.iter().zip(keep).filter(|(_, k)| **k) {
        match *key {
            "id" => o.str(key, Some(&c.id)),
            "name" => o.str(key, Some(&c.name)),
            "description" => o.str(key, Some(&c.description)),
            "handle" => o.str(key, Some(&c.handle)),
            "mpath" => o.str(key, Some(&c.mpath)),
            "is_active" => o.bool(key, c.is_active),
            "is_internal" => o.bool(key, c.is_internal),
            "rank" => o.int(key, Some(c.rank)),
            "parent_category_id" => o.str(key, c.parent_category_id.as_deref()),
            "metadata" => o.value(key, c.metadata.as_ref()),
            "created_at" => o.str(key, Some(&c.created_at)),
            "updated_at" => o.str(key, Some(&c.updated_at)),
            _ => o.str(key, c.deleted_at.as_deref()),
        }
    }
    o.end();
}

/// Writes `"<key>": 10.5, "raw_<key>": {"value": "10.5", "precision": 20}`.
fn money_pair(o: &mut Obj, key: &str, minor: i64, exponent: u32) {
    // `key` is one of this file's plain field names: written as is, without escaping.
    o.with_separator(|out| {
        out.push('"');
        out.push_str(key);
        out.push_str("\":");
        write_major(out, minor, exponent);
        write_raw_member(out, key, minor, exponent);
    });
}

fn chosen(out: &mut String, c: &Chosen) {
    let mut o = Obj::start(out);
    o.str("id", Some(&c.id));
    o.str("price_list_id", c.price_list_id.as_deref());
    o.str("price_list_type", c.price_list_type.as_deref());
    o.int("min_quantity", c.min_quantity);
    o.int("max_quantity", c.max_quantity);
    o.end();
}

/// Medusa's `calculated_price` object.
pub fn calculated_price(out: &mut String, p: &CalculatedPrice, taxed: Option<&Taxed>) {
    let cur = p.currency_code.as_str();
    let exponent = exponent_or_default(cur);
    let mut o = Obj::start(out);
    o.str("id", Some(&p.price_set_id));
    o.bool(
        "is_calculated_price_price_list",
        p.calculated.price_list_id.is_some(),
    );
    o.bool("is_calculated_price_tax_inclusive", p.is_tax_inclusive);
    money_pair(&mut o, "calculated_amount", p.calculated.amount, exponent);
    o.bool(
        "is_original_price_price_list",
        p.original.price_list_id.is_some(),
    );
    o.bool("is_original_price_tax_inclusive", p.is_tax_inclusive);
    money_pair(&mut o, "original_amount", p.original.amount, exponent);
    o.str("currency_code", Some(cur));
    chosen(o.key("calculated_price"), &p.calculated);
    chosen(o.key("original_price"), &p.original);
    if let Some(t) = taxed {
        for (key, minor) in [
            ("calculated_amount_with_tax", t.calculated_with),
            ("calculated_amount_without_tax", t.calculated_without),
            ("original_amount_with_tax", t.original_with),
            ("original_amount_without_tax", t.original_without),
        ] {
            write_major(o.key(key), minor, exponent);
        }
    }
    o.end();
}

/// An admin variant price (`variants[].prices[]`).
pub fn stored_price(out: &mut String, p: &StoredPrice) {
    let cur = p.currency_code.as_str();
    let mut o = Obj::start(out);
    o.str("id", Some(&p.id));
    money_pair(&mut o, "amount", p.amount, exponent_or_default(cur));
    o.str("currency_code", Some(cur));
    o.int("min_quantity", p.min_quantity);
    o.int("max_quantity", p.max_quantity);
    o.str("price_set_id", Some(&p.price_set_id));
    let rules = o.key("rules");
    let mut r = Obj::start(rules);
    for (k, v) in &p.rules {
        r.str(k, Some(v));
    }
    r.end();
    o.str("created_at", Some(&p.created_at));
    o.str("updated_at", Some(&p.updated_at));
    o.end();
}
