use super::*;
use crate::clock::Clock;
use crate::id::IdGenerator;
use crate::modules::order::{NewOrder, create as create_order, module, retrieve as order};
use serde_json::json;

fn store() -> (Connection, Ctx, String) {
    let conn = Connection::open_in_memory().unwrap();
    crate::db::module::migrate(&conn, &[module()], "t").unwrap();
    let ctx = Ctx::new(Clock::fixed(0), IdGenerator::seeded(Clock::fixed(0), 1));
    let input = NewOrder {
        currency_code: "usd".into(),
        email: Some("guest@example.com".into()),
        ..Default::default()
    };
    let id = create_order(&conn, &ctx, &input).unwrap();
    (conn, ctx, id)
}

fn transfer(conn: &Connection, ctx: &Ctx, order_id: &str, email: Option<&str>) -> OrderChange {
    let input = NewChange {
        order_id: order_id.into(),
        change_type: "transfer".into(),
        ..Default::default()
    };
    let change = create(conn, ctx, &input).unwrap();
    let details = match email {
        Some(e) => json!({"new_email": e}),
        None => json!({}),
    };
    let action = NewAction {
        action: TRANSFER_CUSTOMER.into(),
        reference: Some("customer".into()),
        reference_id: Some("cus_new".into()),
        details,
        amount: None,
        ..Default::default()
    };
    add_action(conn, ctx, &change, &action).unwrap();
    change
}

#[test]
fn an_order_has_one_open_change_at_a_time() {
    let (conn, ctx, id) = store();
    let first = transfer(&conn, &ctx, &id, None);
    assert_eq!((first.version, first.status.as_str()), (2, "pending"));
    let again = NewChange {
        order_id: id.clone(),
        change_type: "transfer".into(),
        ..Default::default()
    };
    let err = create(&conn, &ctx, &again).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("Order ({id}) already has an existing active order change")
    );
    decline(&conn, &ctx, &first.id, None).unwrap();
    assert!(
        create(&conn, &ctx, &again).is_ok(),
        "a closed change frees the order"
    );
}

#[test]
fn confirming_applies_the_transfer_and_moves_the_version_once() {
    let (conn, ctx, id) = store();
    let change = transfer(&conn, &ctx, &id, Some("new@example.com"));
    mark_requested(&conn, &ctx, &change.id, Some("cus_new")).unwrap();
    let moved = confirm(&conn, &ctx, &change.id, None).unwrap();
    assert_eq!(moved.customer_id.as_deref(), Some("cus_new"));
    assert_eq!(moved.email.as_deref(), Some("new@example.com"));
    assert_eq!(moved.version, 2);
    assert!(actions_of(&conn, &change.id).unwrap()[0].applied);
    assert_eq!(retrieve(&conn, &change.id).unwrap().status, "confirmed");

    let twice = confirm(&conn, &ctx, &change.id, None).unwrap_err();
    assert_eq!(
        twice.to_string(),
        format!("Order change {} is not active to be modified", change.id)
    );
    assert!(cancel(&conn, &ctx, &change.id, None).is_err());
    assert_eq!(order(&conn, &id).unwrap().version, 2);
}

#[test]
fn a_transfer_without_new_email_keeps_the_order_email() {
    let (conn, ctx, id) = store();
    let change = transfer(&conn, &ctx, &id, None);
    confirm(&conn, &ctx, &change.id, None).unwrap();
    assert_eq!(
        order(&conn, &id).unwrap().email.as_deref(),
        Some("guest@example.com")
    );
    assert_eq!(changes_of(&conn, &id).unwrap().len(), 1);
}
