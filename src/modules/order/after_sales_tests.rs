use super::*;
use crate::clock::Clock;
use crate::id::IdGenerator;
use crate::modules::order::{NewOrder, create as create_order, module};

fn order_with_line() -> (Connection, Ctx, String) {
    let conn = Connection::open_in_memory().unwrap();
    crate::db::module::migrate(&conn, &[module()], "t").unwrap();
    let ctx = Ctx::new(Clock::fixed(0), IdGenerator::seeded(Clock::fixed(0), 1));
    let input = NewOrder {
        currency_code: "usd".into(),
        ..Default::default()
    };
    let order_id = create_order(&conn, &ctx, &input).unwrap();
    (conn, ctx, order_id)
}

#[test]
fn records_count_their_own_display_ids_and_cancel_once() {
    let (conn, ctx, order_id) = order_with_line();
    let input = NewAfterSale {
        order_id: order_id.clone(),
        ..NewAfterSale::default()
    };
    let one = create(&conn, &ctx, Kind::Exchange, &input).unwrap();
    let two = create(&conn, &ctx, Kind::Exchange, &input).unwrap();
    assert_eq!((one.display_id, two.display_id), (1, 2));
    assert!(one.id.starts_with("oexc_"));
    let claim = NewAfterSale {
        claim_type: Some("replace".into()),
        ..input.clone()
    };
    let c = create(&conn, &ctx, Kind::Claim, &claim).unwrap();
    assert_eq!(
        (c.display_id, c.claim_type.as_deref()),
        (1, Some("replace"))
    );
    let bad = NewAfterSale {
        claim_type: Some("swap".into()),
        ..input.clone()
    };
    assert!(create(&conn, &ctx, Kind::Claim, &bad).is_err());
    cancel(&conn, &ctx, &one).unwrap();
    assert!(cancel(&conn, &ctx, &one).is_err(), "canceled once only");
    let (listed, count) = list(&conn, Kind::Exchange, &[order_id], 0, 10).unwrap();
    assert_eq!((listed.len(), count), (2, 2));
    assert!(
        retrieve(&conn, Kind::Exchange, &c.id).is_err(),
        "kinds apart"
    );
}

#[test]
fn claims_owe_their_refund_until_canceled() {
    let (conn, ctx, order_id) = order_with_line();
    let input = NewAfterSale {
        order_id: order_id.clone(),
        claim_type: Some("refund".into()),
        ..NewAfterSale::default()
    };
    let c = create(&conn, &ctx, Kind::Claim, &input).unwrap();
    set_amount(&conn, &ctx, &c, 1250).unwrap();
    let item = NewItem {
        item_id: "ordli_1",
        quantity: 2,
        reason: Some("missing_item"),
        ..NewItem::default()
    };
    add_item(&conn, &ctx, &c, &item).unwrap();
    assert_eq!(claims_owed(&conn, &order_id).unwrap(), 1250);
    assert_eq!(claimed_by_line(&conn, &order_id).unwrap()["ordli_1"], 2);
    cancel(&conn, &ctx, &c).unwrap();
    assert_eq!(claims_owed(&conn, &order_id).unwrap(), 0);
    assert!(claimed_by_line(&conn, &order_id).unwrap().is_empty());
}
