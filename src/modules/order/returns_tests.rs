use super::*;
use crate::clock::Clock;
use crate::id::IdGenerator;
use crate::modules::order::{LineItem, NewOrder, create as create_order, items, module};
use serde_json::json;

/// An order with one line of 3 units and an open return for it.
fn store() -> (Connection, Ctx, Return, String) {
    let conn = Connection::open_in_memory().unwrap();
    crate::db::module::migrate(&conn, &[module()], "t").unwrap();
    let ctx = Ctx::new(Clock::fixed(0), IdGenerator::seeded(Clock::fixed(0), 1));
    let line = LineItem {
        title: "Shirt".into(),
        quantity: 3,
        unit_price: 1000,
        metadata: json!({}),
        ..Default::default()
    };
    let input = NewOrder {
        currency_code: "usd".into(),
        items: vec![line],
        ..Default::default()
    };
    let order_id = create_order(&conn, &ctx, &input).unwrap();
    let line = items::items_of(&conn, &order_id).unwrap()[0].id.clone();
    let found = create(
        &conn,
        &ctx,
        &NewReturn {
            order_id,
            ..Default::default()
        },
    )
    .unwrap();
    (conn, ctx, found, line)
}

#[test]
fn returns_count_up_and_move_only_from_the_statuses_they_leave() {
    let (conn, ctx, first, _) = store();
    let second = create(
        &conn,
        &ctx,
        &NewReturn {
            order_id: first.order_id.clone(),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!((first.display_id, second.display_id), (1, 2));
    assert_eq!(first.status, "open");
    move_status(
        &conn,
        &ctx,
        &first.id,
        &["open"],
        "requested",
        Some("requested_at"),
    )
    .unwrap();
    let again = move_status(&conn, &ctx, &first.id, &["open"], "requested", None);
    assert!(
        again.is_err(),
        "a second move from open finds nothing to move"
    );
    assert!(retrieve(&conn, &first.id).unwrap().requested_at.is_some());
    assert!(
        delete_open(&conn, &ctx, &first.id).is_err(),
        "requested: not deletable"
    );
    delete_open(&conn, &ctx, &second.id).unwrap();
    assert!(retrieve(&conn, &second.id).is_err());
}

#[test]
fn items_grow_per_line_and_receipts_never_pass_what_was_asked() {
    let (conn, ctx, found, line) = store();
    add_item(
        &conn,
        &ctx,
        &found.id,
        &json!({"reference_id": line, "quantity": 1}),
    )
    .unwrap();
    add_item(
        &conn,
        &ctx,
        &found.id,
        &json!({"reference_id": line, "quantity": 1}),
    )
    .unwrap();
    let rows = items_of(&conn, &found.id).unwrap();
    assert_eq!((rows.len(), rows[0].quantity), (1, 2), "one row per line");
    receive_item(&conn, &ctx, &found.id, &line, 1, false).unwrap();
    receive_item(&conn, &ctx, &found.id, &line, 1, true).unwrap();
    assert!(receive_item(&conn, &ctx, &found.id, &line, 1, false).is_err());
    let row = &items_of(&conn, &found.id).unwrap()[0];
    assert_eq!((row.received_quantity, row.damaged_quantity), (2, 1));
    assert_eq!(
        detail_by_line(&conn, &found.order_id).unwrap()[&line],
        (0, 1, 1)
    );
    assert_eq!(claimed_by_line(&conn, &found.order_id).unwrap()[&line], 2);
}

#[test]
fn only_requested_and_received_returns_are_owed_back() {
    let (conn, ctx, found, _) = store();
    set_refund_amount(&conn, &ctx, &found.id, 1500).unwrap();
    assert_eq!(
        refund_owed(&conn, &found.order_id).unwrap(),
        0,
        "open: not yet"
    );
    move_status(&conn, &ctx, &found.id, &["open"], "requested", None).unwrap();
    assert_eq!(refund_owed(&conn, &found.order_id).unwrap(), 1500);
    move_status(&conn, &ctx, &found.id, &["requested"], "canceled", None).unwrap();
    assert_eq!(
        refund_owed(&conn, &found.order_id).unwrap(),
        0,
        "canceled: nothing"
    );
}
