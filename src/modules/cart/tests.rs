//! Unit tests of carts, items, addresses, shipping methods and tax lines.

use super::*;
use crate::clock::Clock;
use crate::id::IdGenerator;
use serde_json::json;

fn setup() -> (Connection, Ctx, String) {
    let conn = Connection::open_in_memory().unwrap();
    crate::db::module::migrate(&conn, &[module()], "t").unwrap();
    let ctx = Ctx::new(Clock::fixed(0), IdGenerator::seeded(Clock::fixed(0), 1));
    let input = NewCart {
        currency_code: "USD".into(),
        ..Default::default()
    };
    let id = create(&conn, &ctx, &input).unwrap();
    (conn, ctx, id)
}

#[test]
fn items_quantities_and_tax_lines() {
    let (conn, ctx, cart) = setup();
    let item = LineItem {
        title: "Shirt".into(),
        quantity: 2,
        unit_price: 1000,
        metadata: json!({}),
        ..Default::default()
    };
    let id = items::add_item(&conn, &ctx, &cart, &item).unwrap();
    items::set_quantity(&conn, &ctx, &id, 5, None).unwrap();
    let line = TaxLine {
        id: String::new(),
        description: Some("VAT".into()),
        tax_rate_id: None,
        code: "VAT".into(),
        rate_ppm: 19_000_000,
        provider_id: None,
    };
    set_tax_lines(
        &conn,
        &ctx,
        "cart_line_item_tax_line",
        "item_id",
        &id,
        &[line],
    )
    .unwrap();
    let found = items::items_of(&conn, &cart).unwrap();
    assert_eq!(
        (found[0].quantity, found[0].tax_lines[0].rate_ppm),
        (5, 19_000_000)
    );
    assert!(found[0].tax_lines[0].id.starts_with("calitxl_"));
    items::delete_item(&conn, &ctx, &id).unwrap();
    assert!(items::items_of(&conn, &cart).unwrap().is_empty());
    assert!(items::item(&conn, &cart, &id).is_err());
}

#[test]
fn addresses_methods_completion() {
    let (conn, ctx, cart) = setup();
    let fields = json!({"country_code": "US", "city": "Austin"});
    set_address(&conn, &ctx, &cart, "shipping", fields.as_object()).unwrap();
    let c = retrieve(&conn, &cart).unwrap();
    let address = address(&conn, c.shipping_address_id.as_deref())
        .unwrap()
        .unwrap();
    assert_eq!(address["country_code"], json!("us"));
    let method = ShippingMethod {
        name: "Standard".into(),
        amount: 1000,
        data: json!({}),
        ..Default::default()
    };
    shipping::replace_methods(&conn, &ctx, &cart, &method).unwrap();
    shipping::replace_methods(&conn, &ctx, &cart, &method).unwrap();
    assert_eq!(shipping::methods_of(&conn, &cart).unwrap().len(), 1);
    assert_eq!(next_attempt(&conn, &cart).unwrap(), 1);
    set_completed(&conn, &ctx, &cart, true).unwrap();
    assert!(retrieve_open(&conn, &cart).is_err());
    assert!(matches!(retrieve(&conn, "cart_x"), Err(Error::NotFound(_))));
}
