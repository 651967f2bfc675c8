//! Unit tests of the product module over an in-memory database.

use super::taxonomy::{self, NewCategory, ValueKind};
use super::*;
use crate::clock::Clock;
use crate::ctx::Ctx;
use crate::id::IdGenerator;
use rusqlite::Connection;

fn setup() -> (Connection, Ctx) {
    let conn = Connection::open_in_memory().unwrap();
    crate::db::module::migrate(&conn, &[module()], "t").unwrap();
    let ctx = Ctx::new(Clock::fixed(0), IdGenerator::seeded(Clock::fixed(0), 3));
    (conn, ctx)
}

fn shirt(title: &str, sku: &str) -> NewProduct {
    NewProduct {
        title: title.into(),
        status: Some("published".into()),
        options: vec![NewOption {
            title: "Size".into(),
            values: vec!["S".into(), "M".into()],
        }],
        variants: vec![NewVariant {
            title: "S".into(),
            sku: Some(sku.into()),
            options: vec![("Size".into(), "S".into())],
            ..NewVariant::default()
        }],
        ..NewProduct::default()
    }
}

fn page(conn: &Connection, filter: &ProductFilter) -> Vec<String> {
    let (rows, count) = list(conn, filter, &ProductOrder::default(), 50, 0).unwrap();
    assert_eq!(count as usize, rows.len());
    rows.into_iter().map(|p| p.handle).collect()
}

#[test]
fn create_makes_options_variants_and_a_slug_handle() {
    let (conn, ctx) = setup();
    let made = create(&conn, &ctx, &shirt("Linen Shirt!", "LS-S")).unwrap();
    let product = read::retrieve_any(&conn, &made.product_id).unwrap();
    assert_eq!(product.handle, "linen-shirt");
    let ids = vec![made.product_id.clone()];
    let options = relations::options_of(&conn, &ids).unwrap();
    assert_eq!(options[&made.product_id][0].1.len(), 2);
    let variant_options = relations::variant_options_of(&conn, &made.variant_ids).unwrap();
    assert_eq!(variant_options[&made.variant_ids[0]][0].0.value, "S");
}

#[test]
fn duplicate_handle_and_sku_are_422_until_deleted() {
    let (conn, ctx) = setup();
    let first = create(&conn, &ctx, &shirt("Shirt", "SKU-1")).unwrap();
    assert_eq!(
        create(&conn, &ctx, &shirt("Shirt", "SKU-2"))
            .unwrap_err()
            .status(),
        422
    );
    assert_eq!(
        create(&conn, &ctx, &shirt("Other", "SKU-1"))
            .unwrap_err()
            .status(),
        422
    );
    soft_delete(&conn, &ctx, &first.product_id).unwrap();
    create(&conn, &ctx, &shirt("Shirt", "SKU-1")).unwrap();
    assert_eq!(
        soft_delete(&conn, &ctx, "prod_x").unwrap_err().status(),
        404
    );
}

#[test]
fn unknown_option_value_is_refused() {
    let (conn, ctx) = setup();
    let mut input = shirt("Shirt", "SKU-1");
    input.variants[0].options = vec![("Size".into(), "XXL".into())];
    assert_eq!(create(&conn, &ctx, &input).unwrap_err().status(), 400);
}

#[test]
fn free_text_search_matches_word_prefixes() {
    let (conn, ctx) = setup();
    create(&conn, &ctx, &shirt("Linen Shirt", "A")).unwrap();
    create(&conn, &ctx, &shirt("Wool Sweater", "B")).unwrap();
    let q = |text: &str| {
        page(
            &conn,
            &ProductFilter {
                q: Some(text.into()),
                ..ProductFilter::default()
            },
        )
    };
    assert_eq!(q("lin"), ["linen-shirt"]);
    assert_eq!(q("wool sweat"), ["wool-sweater"]);
    assert!(q("linen wool").is_empty());
    assert_eq!(q("\"*)(").len(), 2, "no words: no filter");
}

#[test]
fn filters_by_status_tag_and_category() {
    let (conn, ctx) = setup();
    let tag = taxonomy::create_value(&conn, &ctx, ValueKind::Tag, "New").unwrap();
    let parent = NewCategory {
        name: "Tops".into(),
        is_active: true,
        ..NewCategory::default()
    };
    let tops = taxonomy::create_category(&conn, &ctx, &parent).unwrap();
    let child = NewCategory {
        name: "Shirts".into(),
        parent_category_id: Some(tops.id.clone()),
        ..NewCategory::default()
    };
    let shirts = taxonomy::create_category(&conn, &ctx, &child).unwrap();
    assert_eq!(shirts.mpath, format!("{}.{}.", tops.id, shirts.id));
    let mut input = shirt("Tagged", "A");
    input.tag_ids = vec![tag.id.clone()];
    input.category_ids = vec![shirts.id.clone()];
    create(&conn, &ctx, &input).unwrap();
    let mut draft = shirt("Draft", "B");
    draft.status = None;
    create(&conn, &ctx, &draft).unwrap();
    let by = |f: ProductFilter| page(&conn, &f);
    assert_eq!(
        by(ProductFilter {
            tag_ids: vec![tag.id.clone()],
            ..ProductFilter::default()
        }),
        ["tagged"]
    );
    assert_eq!(
        by(ProductFilter {
            statuses: vec!["draft".into()],
            ..ProductFilter::default()
        }),
        ["draft"]
    );
    let in_shirts = ProductFilter {
        category_ids: vec![shirts.id.clone()],
        ..ProductFilter::default()
    };
    assert_eq!(by(in_shirts.clone()), ["tagged"]);
    let public = ProductFilter {
        public_categories: true,
        ..in_shirts
    };
    assert!(
        by(public).is_empty(),
        "inactive category does not count on the store"
    );
}
