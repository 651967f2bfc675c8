//! Unit tests of reservations: the guard, summed wants, release.

use super::*;
use crate::clock::Clock;
use crate::id::IdGenerator;

fn test_ctx() -> Ctx {
    Ctx::new(Clock::fixed(0), IdGenerator::seeded(Clock::fixed(0), 1))
}

fn setup() -> (Connection, Ctx, String) {
    let conn = Connection::open_in_memory().unwrap();
    crate::db::module::migrate(&conn, &[module()], "t").unwrap();
    let ctx = test_ctx();
    let item = create_item(&conn, &ctx, Some("SKU"), "Shirt").unwrap();
    set_stocked(&conn, &ctx, &item, "sloc_a", 5).unwrap();
    (conn, ctx, item)
}

fn want(line: &str, item: &str, quantity: i64) -> Want {
    Want {
        line_item_id: line.into(),
        inventory_item_id: item.into(),
        quantity,
        allow_backorder: false,
    }
}

#[test]
fn reserve_until_empty_then_refuse() {
    let (conn, ctx, item) = setup();
    let locs = vec!["sloc_a".to_string()];
    reserve(&conn, &ctx, &[want("l1", &item, 3)], &locs).unwrap();
    reserve(&conn, &ctx, &[want("l2", &item, 2)], &locs).unwrap();
    let err = reserve(&conn, &ctx, &[want("l3", &item, 1)], &locs).unwrap_err();
    assert!(matches!(
        err,
        Error::NotAllowed {
            code: Some("insufficient_inventory"),
            ..
        }
    ));
    assert_eq!(
        levels(&conn, &item, &locs).unwrap()[0].available_quantity,
        0
    );
}

#[test]
fn summed_wants_are_checked_together_and_release_gives_back() {
    let (conn, ctx, item) = setup();
    let locs = vec!["sloc_a".to_string()];
    assert!(
        reserve(
            &conn,
            &ctx,
            &[want("l1", &item, 3), want("l2", &item, 3)],
            &locs
        )
        .is_err()
    );
    let ids = reserve(
        &conn,
        &ctx,
        &[want("l1", &item, 2), want("l2", &item, 3)],
        &locs,
    )
    .unwrap();
    assert_eq!(levels(&conn, &item, &locs).unwrap()[0].reserved_quantity, 5);
    release(&conn, &ctx, &ids).unwrap();
    assert_eq!(levels(&conn, &item, &locs).unwrap()[0].reserved_quantity, 0);
    assert!(reservations_of(&conn, "l1").unwrap().is_empty());
}

#[test]
fn backorder_reserves_beyond_stock() {
    let (conn, ctx, item) = setup();
    let locs = vec!["sloc_a".to_string()];
    let mut w = want("l1", &item, 9);
    w.allow_backorder = true;
    reserve(&conn, &ctx, &[w], &locs).unwrap();
    assert_eq!(
        levels(&conn, &item, &locs).unwrap()[0].available_quantity,
        -4
    );
}
