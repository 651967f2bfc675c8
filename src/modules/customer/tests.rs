//! Unit tests of the customer module on an in-memory database.

use super::*;
use crate::clock::Clock;
use crate::id::IdGenerator;
use serde_json::json;

fn setup() -> (Connection, Ctx) {
    let conn = Connection::open_in_memory().unwrap();
    crate::db::module::migrate(&conn, &[module()], "t").unwrap();
    let ctx = Ctx::new(Clock::fixed(0), IdGenerator::seeded(Clock::fixed(0), 1));
    (conn, ctx)
}

fn customer(conn: &Connection, ctx: &Ctx, email: &str, has_account: bool) -> Customer {
    let input = NewCustomer {
        email: email.into(),
        has_account,
        ..NewCustomer::default()
    };
    create(conn, ctx, &input).unwrap()
}

fn fields(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

#[test]
fn registered_email_is_unique_but_guests_coexist() {
    let (conn, ctx) = setup();
    customer(&conn, &ctx, "A@x.io", false);
    let registered = customer(&conn, &ctx, "a@x.io", true);
    assert_eq!(registered.email.as_deref(), Some("a@x.io"));
    let input = NewCustomer {
        email: "a@x.io".into(),
        has_account: true,
        ..NewCustomer::default()
    };
    assert_eq!(create(&conn, &ctx, &input).unwrap_err().status(), 422);
}

#[test]
fn addresses_are_scoped_to_their_customer() {
    let (conn, ctx) = setup();
    let a = customer(&conn, &ctx, "a@x.io", true);
    let b = customer(&conn, &ctx, "b@x.io", true);
    let addr = address::create(&conn, &ctx, &a.id, &fields(json!({"city": "Oslo"}))).unwrap();
    assert_eq!(
        address::retrieve(&conn, &b.id, &addr.id)
            .unwrap_err()
            .status(),
        404
    );
    assert_eq!(
        address::delete(&conn, &ctx, &b.id, &addr.id)
            .unwrap_err()
            .status(),
        404
    );
    assert_eq!(retrieve(&conn, &a.id).unwrap().addresses.len(), 1);
}

#[test]
fn a_new_default_unsets_the_previous_one() {
    let (conn, ctx) = setup();
    let a = customer(&conn, &ctx, "a@x.io", true);
    let default = fields(json!({"is_default_shipping": true}));
    let first = address::create(&conn, &ctx, &a.id, &default).unwrap();
    let second = address::create(&conn, &ctx, &a.id, &default).unwrap();
    assert!(
        !address::retrieve(&conn, &a.id, &first.id)
            .unwrap()
            .is_default_shipping
    );
    assert!(second.is_default_shipping);
}

#[test]
fn groups_collect_members() {
    let (conn, ctx) = setup();
    let a = customer(&conn, &ctx, "a@x.io", true);
    let g = group::create(&conn, &ctx, "VIP", None, None).unwrap();
    group::add_customers(&conn, &ctx, &g.id, std::slice::from_ref(&a.id)).unwrap();
    group::add_customers(&conn, &ctx, &g.id, std::slice::from_ref(&a.id)).unwrap();
    assert_eq!(group::member_ids(&conn, &g.id).unwrap(), vec![a.id.clone()]);
    assert_eq!(group::groups_of(&conn, &a.id).unwrap().len(), 1);
    group::remove_customers(&conn, &g.id, std::slice::from_ref(&a.id)).unwrap();
    assert!(group::member_ids(&conn, &g.id).unwrap().is_empty());
    assert_eq!(
        group::add_customers(&conn, &ctx, &g.id, &["cus_nope".into()])
            .unwrap_err()
            .status(),
        404
    );
}
