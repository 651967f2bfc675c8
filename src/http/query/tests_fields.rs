//! Tests of the `fields=` grammar: [`FieldsSpec`] classification,
//! [`parse_fields`] against route defaults, and [`FieldSelection`] queries
//! with the field lists the Next.js starter sends.

use super::*;
use std::collections::BTreeSet;

const DEFAULTS: &[&str] = &[
    "id",
    "title",
    "handle",
    "*variants",
    "*options",
    "variants.sku",
];

fn sel(fields: &str) -> FieldSelection {
    parse_fields(fields, DEFAULTS)
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

// --- FieldsSpec ----------------------------------------------------------
#[test]
fn spec_classes() {
    assert_eq!(
        FieldsSpec::parse_list("title,+a,-b,*c,d.*, e,+*f,*"),
        vec![
            FieldsSpec::Plain("title".into()),
            FieldsSpec::Add("a".into()),
            FieldsSpec::Remove("b".into()),
            FieldsSpec::Star("c".into()),
            FieldsSpec::Star("d".into()),
            FieldsSpec::Add("e".into()),
            FieldsSpec::Star("f".into()),
            FieldsSpec::Wildcard,
        ]
    );
}
#[test]
fn spec_empty_entries() {
    assert_eq!(FieldsSpec::parse_list(" , ,,"), vec![]);
}
#[test]
fn spec_star_both_markers() {
    assert_eq!(
        FieldsSpec::parse_list("*a.*"),
        vec![FieldsSpec::Star("a".into())]
    );
}
#[test]
fn spec_bare_markers_dropped() {
    assert_eq!(FieldsSpec::parse_list("+,-,.*"), vec![]);
}

// --- parse_fields --------------------------------------------------------
#[test]
fn fields_replace() {
    let s = sel("title,handle");
    assert_eq!(s.fields(), &set(&["handle", "id", "title"]));
    assert!(s.star_relations().is_empty());
}
#[test]
fn fields_replace_adds_id() {
    assert_eq!(sel("title").fields(), &set(&["id", "title"]));
}
#[test]
fn fields_replace_keeps_stars() {
    let s = sel("title,*variants");
    assert_eq!(s.fields(), &set(&["id", "title"]));
    assert_eq!(s.star_relations(), &set(&["variants"]));
}
#[test]
fn fields_replace_with_remove() {
    assert_eq!(sel("title,handle,-handle").fields(), &set(&["id", "title"]));
}
#[test]
fn fields_add() {
    let s = sel("+metadata");
    assert_eq!(
        s.fields(),
        &set(&["handle", "id", "metadata", "title", "variants.sku"])
    );
    assert_eq!(s.star_relations(), &set(&["options", "variants"]));
}
#[test]
fn fields_unencoded_plus_is_space() {
    let q = parse_query("fields=+metadata").unwrap();
    let raw = q.get("fields").and_then(Value::as_str).unwrap_or_default();
    assert!(parse_fields(raw, DEFAULTS).includes("title"));
    assert!(parse_fields(raw, DEFAULTS).includes("metadata"));
}
#[test]
fn fields_remove() {
    assert!(!sel("-title").includes("title"));
}
#[test]
fn fields_remove_relation_and_nested() {
    let s = sel("-variants");
    assert!(!s.includes_relation("variants"));
    assert!(!s.includes("variants.sku"));
    assert_eq!(s.star_relations(), &set(&["options"]));
}
#[test]
fn fields_remove_then_add() {
    assert!(sel("-title,+title").includes("title"));
}
#[test]
fn fields_remove_all_scalars() {
    assert_eq!(sel("-*").fields(), &set(&["id", "variants.sku"]));
}
#[test]
fn fields_star_suffix() {
    assert!(sel("options.values.*").relation_all_columns("options.values"));
}
#[test]
fn fields_wildcard() {
    let s = sel("*");
    assert_eq!(s.fields(), &set(&["handle", "id", "title"]));
    assert!(s.star_relations().is_empty());
}
#[test]
fn fields_wildcard_with_plain_does_not_replace() {
    assert!(sel("*,metadata").includes("title"));
}
#[test]
fn fields_empty_only_id() {
    assert_eq!(sel("").fields(), &set(&["id"]));
}
#[test]
fn fields_trailing_commas_only_id() {
    assert_eq!(sel(",,").fields(), &set(&["id"]));
}
#[test]
fn fields_trimmed_plain() {
    assert_eq!(
        sel("title , handle ").fields(),
        &set(&["handle", "id", "title"])
    );
}
#[test]
fn fields_leading_space_is_additive() {
    assert!(sel(" metadata").includes("title"));
}
#[test]
fn from_defaults_no_id() {
    let s = FieldSelection::from_defaults(&["title", "*variants"]);
    assert_eq!(s.fields(), &set(&["title"]));
    assert!(s.relation_all_columns("variants"));
}

#[test]
fn nextjs_product_fields() {
    let s = sel(
        "*variants.calculated_price,+variants.inventory_quantity,*variants.images,+metadata,+tags,",
    );
    assert_eq!(
        s.fields(),
        &set(&[
            "handle",
            "id",
            "metadata",
            "tags",
            "title",
            "variants.inventory_quantity",
            "variants.sku"
        ])
    );
    assert_eq!(
        s.star_relations(),
        &set(&[
            "options",
            "variants",
            "variants.calculated_price",
            "variants.images"
        ])
    );
    assert!(s.includes("title"));
    assert!(s.includes("variants.inventory_quantity"));
    assert!(s.includes("variants.title"));
    assert!(s.includes("variants.calculated_price.calculated_amount"));
    assert!(s.includes_relation("variants.calculated_price"));
    assert!(s.includes_relation("tags"));
    assert!(s.relation_all_columns("tags"));
    assert!(!s.includes_relation("collection"));
}
#[test]
fn nextjs_product_fields_via_sdk_url() {
    let q = parse_query("fields=%2Avariants.calculated_price%2C%2Bvariants.inventory_quantity%2C")
        .unwrap();
    let s = parse_fields(
        q.get("fields").and_then(Value::as_str).unwrap_or_default(),
        &["id", "title"],
    );
    assert_eq!(
        s.fields(),
        &set(&["id", "title", "variants.inventory_quantity"])
    );
    assert!(s.includes_relation("variants"));
    assert!(!s.relation_all_columns("variants"));
    assert!(s.relation_all_columns("variants.calculated_price"));
    assert_eq!(s.nested_columns("variants"), vec!["inventory_quantity"]);
    assert!(!s.includes("variants.sku"));
}
#[test]
fn nextjs_cart_fields() {
    let defaults = ["id", "currency_code", "email", "*items", "total"];
    let s = parse_fields(
        "*items, *region, *items.product, *items.variant, *items.thumbnail, *items.metadata, +items.total, *promotions, +shipping_methods.name",
        &defaults,
    );
    assert_eq!(
        s.fields(),
        &set(&[
            "currency_code",
            "email",
            "id",
            "items.total",
            "shipping_methods.name",
            "total"
        ])
    );
    assert_eq!(
        s.star_relations(),
        &set(&[
            "items",
            "items.metadata",
            "items.product",
            "items.thumbnail",
            "items.variant",
            "promotions",
            "region"
        ])
    );
    assert!(s.includes("email"));
    assert!(s.includes("items.quantity"));
    assert!(s.includes("items.variant.sku"));
    assert!(s.includes_relation("items.variant"));
    assert!(s.includes_relation("region"));
    assert!(s.includes("shipping_methods.name"));
    assert!(!s.includes("shipping_methods.amount"));
    assert!(s.includes_relation("shipping_methods"));
    assert!(!s.relation_all_columns("shipping_methods"));
    assert!(!s.includes_relation("customer"));
}
#[test]
fn includes_relation_via_nested_column() {
    assert!(sel("title,collection.handle").includes_relation("collection"));
}
#[test]
fn includes_relation_prefix_not_confused() {
    assert!(!sel("title,variantsx.a").includes_relation("variants"));
}
#[test]
fn top_level_scalars_sorted() {
    assert_eq!(
        sel("+metadata").top_level_scalars(),
        vec!["handle", "id", "metadata", "title"]
    );
}
#[test]
fn nested_columns_direct_only() {
    assert_eq!(sel("a.b,a.c.d,ab.e").nested_columns("a"), vec!["b"]);
}
