//! Crashes inside the after-sales workflows, on the real binary over a file store (issue
//! 15): the process aborts (as `kill -9` would) in the middle of `confirm-return-receive`
//! (after the stock went back on the shelf, before the return was marked received) and of
//! `confirm-order-edit-request` (after the new lines were written and reserved, before the
//! change was confirmed). After a restart nothing of either is left — stock, return, lines,
//! change and version are as before — and the same confirmation then succeeds once. So for
//! `confirm-exchange-request` (after the new line was written, reserved and recorded as the
//! exchange's item, before the change and with it the return's items were confirmed), and
//! for a draft order's edit (after its promotion was linked, its discount written and its
//! method re-priced, before the change was confirmed).

use crate::common;

use common::binary::{Server, clean, query, sandbox, serve_command};
use serde_json::{Value, json};
use std::path::Path;

const SECRET: &str = "crash-test-secret-0123456789abcdef0123456789";

/// The binary on `db` (`--demo` seeds a new store), the failpoint armed when given, and an
/// admin token.
struct Shop {
    server: Server,
    token: String,
}

impl Shop {
    fn start(db: &Path, demo: bool, failpoint: Option<&str>) -> Shop {
        let mut cmd = serve_command(db, SECRET);
        if demo {
            cmd.arg("--demo");
        }
        if let Some(point) = failpoint {
            cmd.env("STOCKROOM_FAILPOINT", point);
        }
        let server = Server::spawn(cmd);
        let token = server.admin_token();
        Shop { server, token }
    }

    #[track_caller]
    fn ok(&self, path: &str, body: Value) -> Value {
        self.server.ok(path, Some(&self.token), body)
    }
}

/// The whole store's stock: every level's `stocked:reserved`, and the live reservations.
fn stock(db: &Path) -> String {
    query(
        db,
        "SELECT (SELECT group_concat(stocked_quantity || ':' || reserved_quantity, ',') FROM
           (SELECT * FROM inventory_level ORDER BY id)) || ' / ' ||
         (SELECT COALESCE(SUM(quantity), 0) FROM inventory_reservation_item WHERE deleted_at IS NULL)",
    )
}

/// Reserved units in a [`stock`] reading.
fn reserved(s: &str) -> i64 {
    s.split(" / ").nth(1).unwrap().parse().unwrap()
}

/// Stocked units in a [`stock`] reading.
fn stocked(s: &str) -> i64 {
    s.split(" / ")
        .next()
        .unwrap()
        .split(',')
        .map(|l| l.split(':').next().unwrap().parse::<i64>().unwrap())
        .sum()
}

/// A placed order of 2 units of the first variant, fulfilled; returns its id and line.
fn fulfilled_order(shop: &Shop) -> (String, String) {
    let order = shop.server.place_order(2);
    let (id, line) = (
        order["id"].as_str().unwrap(),
        order["items"][0]["id"].as_str().unwrap(),
    );
    let items = json!({"items": [{"id": line, "quantity": 2}]});
    shop.ok(&format!("/admin/orders/{id}/fulfillments"), items);
    (id.to_string(), line.to_string())
}

/// The variant of an order line, read from the store file.
fn variant_of(db: &Path, line: &str) -> String {
    query(
        db,
        &format!("SELECT variant_id FROM order_line_item WHERE id = '{line}'"),
    )
}

/// A check on the store file, given the stock read before the crash.
type Check = Box<dyn Fn(&Path, &str)>;

/// One crash case, prepared on a first run of a demo store.
struct Prepared {
    /// The confirmation the failpoint aborts, then posted again after the restart.
    path: String,
    /// After the crash and restart (given the stock read before the crash): nothing of the
    /// confirmation is left.
    untouched: Check,
    /// After the confirmation succeeded on the restarted server: it happened once.
    done_once: Check,
}

/// Prepares a case on a demo store, crashes at `failpoint` while posting its confirmation,
/// restarts, checks nothing is left and no workflow is running, confirms again and checks it
/// happened once.
fn crash_and_recover(name: &str, failpoint: &str, prepare: impl FnOnce(&Shop, &Path) -> Prepared) {
    let db = sandbox(&format!("after-sales-{name}"));
    let first = Shop::start(&db, true, None);
    let case = prepare(&first, &db);
    drop(first);
    let before = stock(&db);

    let armed = Shop::start(&db, false, Some(failpoint));
    armed.server.crash_on(&case.path, Some(&armed.token));
    let second = Shop::start(&db, false, None);
    (case.untouched)(&db, &before);
    assert_eq!(
        query(
            &db,
            "SELECT COUNT(*) FROM workflow_execution WHERE status IN ('running', 'compensating')"
        ),
        "0"
    );

    second.ok(&case.path, json!({}));
    (case.done_once)(&db, &before);
    drop(second);
    clean(&db);
}

#[test]
fn a_crash_inside_a_return_receipt_leaves_no_partial_state() {
    crash_and_recover("return", "return-receive:restocked", |first, _| {
        let (order, line) = fulfilled_order(first);
        let ret = first.ok("/admin/returns", json!({"order_id": order}))["return"]["id"].clone();
        let ret = ret.as_str().unwrap().to_string();
        let base = format!("/admin/returns/{ret}");
        let both = json!({"items": [{"id": line, "quantity": 2}]});
        first.ok(&format!("{base}/request-items"), both.clone());
        first.ok(&format!("{base}/request"), json!({}));
        first.ok(&format!("{base}/receive"), json!({}));
        first.ok(&format!("{base}/receive-items"), both);
        let status_sql = format!("SELECT status FROM order_return WHERE id = '{ret}'");
        let again = status_sql.clone();
        Prepared {
            path: format!("{base}/receive/confirm"),
            untouched: Box::new(move |db, before| {
                assert_eq!(stock(db), before, "no unit came back on the shelf");
                assert_eq!(query(db, &status_sql), "requested");
                assert_eq!(
                    query(
                        db,
                        "SELECT COALESCE(SUM(received_quantity), 0) FROM order_return_item"
                    ),
                    "0"
                );
                assert_eq!(
                    query(
                        db,
                        "SELECT COUNT(*) FROM order_change WHERE status IN ('pending', 'requested')"
                    ),
                    "1",
                    "the receipt is still open"
                );
            }),
            done_once: Box::new(move |db, before| {
                assert_eq!(query(db, &again), "received");
                assert_eq!(stocked(&stock(db)), stocked(before) + 2, "restocked once");
            }),
        }
    });
}

/// The order's live lines and its version, as SQL.
fn lines_and_version(order: &str) -> (String, String) {
    (
        format!(
            "SELECT COUNT(*) FROM order_line_item WHERE order_id = '{order}' AND deleted_at IS NULL"
        ),
        format!("SELECT version FROM \"order\" WHERE id = '{order}'"),
    )
}

#[test]
fn a_crash_inside_an_order_edit_confirmation_leaves_no_partial_state() {
    crash_and_recover("edit", "order-edit:applied", |first, db| {
        let (order, line) = fulfilled_order(first);
        let variant = variant_of(db, &line);
        first.ok("/admin/order-edits", json!({"order_id": order}));
        let edit = format!("/admin/order-edits/{order}");
        first.ok(
            &format!("{edit}/items"),
            json!({"items": [{"variant_id": variant, "quantity": 1}]}),
        );
        first.ok(&format!("{edit}/request"), json!({}));
        let (lines_sql, version_sql) = lines_and_version(&order);
        let (lines_again, version_again) = (lines_sql.clone(), version_sql.clone());
        Prepared {
            path: format!("{edit}/confirm"),
            untouched: Box::new(move |db, before| {
                assert_eq!(stock(db), before, "nothing reserved");
                assert_eq!(query(db, &lines_sql), "1", "no line added");
                assert_eq!(query(db, &version_sql), "1");
                assert_eq!(
                    query(
                        db,
                        "SELECT COUNT(*) FROM order_change_action WHERE applied = 1 AND action = 'ITEM_ADD'"
                    ),
                    "0"
                );
            }),
            done_once: Box::new(move |db, before| {
                assert_eq!(query(db, &lines_again), "2");
                assert_eq!(query(db, &version_again), "2");
                assert_eq!(reserved(&stock(db)), reserved(before) + 1, "reserved once");
            }),
        }
    });
}

#[test]
fn a_crash_inside_an_exchange_confirmation_leaves_no_partial_state() {
    crash_and_recover("exchange", "exchange-confirm:applied", |first, db| {
        let (order, line) = fulfilled_order(first);
        let variant = variant_of(db, &line);
        let exchange = first.ok("/admin/exchanges", json!({"order_id": order}))["exchange"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let base = format!("/admin/exchanges/{exchange}");
        first.ok(
            &format!("{base}/inbound/items"),
            json!({"items": [{"id": line, "quantity": 1}]}),
        );
        first.ok(
            &format!("{base}/outbound/items"),
            json!({"items": [{"variant_id": variant, "quantity": 1}]}),
        );
        let (lines_sql, version_sql) = lines_and_version(&order);
        let (lines_again, version_again) = (lines_sql.clone(), version_sql.clone());
        let facts_sql = "SELECT (SELECT COUNT(*) FROM order_exchange_item) || '/' ||
            (SELECT COUNT(*) FROM order_return_item) || '/' ||
            (SELECT status FROM order_return) || '/' ||
            (SELECT COALESCE(difference_due, 'none') FROM order_exchange)";
        Prepared {
            path: format!("{base}/request"),
            untouched: Box::new(move |db, before| {
                assert_eq!(stock(db), before, "nothing reserved");
                assert_eq!(query(db, &lines_sql), "1", "no line added");
                assert_eq!(query(db, &version_sql), "1");
                assert_eq!(query(db, facts_sql), "0/0/open/none", "nothing recorded");
                assert_eq!(
                    query(
                        db,
                        "SELECT COUNT(*) FROM order_change WHERE status IN ('pending', 'requested')"
                    ),
                    "1",
                    "the exchange is still open"
                );
            }),
            done_once: Box::new(move |db, before| {
                assert_eq!(query(db, &lines_again), "2");
                assert_eq!(query(db, &version_again), "2");
                assert!(query(db, facts_sql).starts_with("1/1/requested/"));
                assert_eq!(reserved(&stock(db)), reserved(before) + 1, "reserved once");
            }),
        }
    });
}

#[test]
fn a_crash_inside_a_draft_edit_confirmation_leaves_no_promotion_or_price_behind() {
    crash_and_recover("draft", "order-edit:applied", |first, db| {
        let (_, line) = fulfilled_order(first);
        let variant = variant_of(db, &line);
        let region = query(
            db,
            "SELECT id FROM region WHERE currency_code = 'usd' AND deleted_at IS NULL",
        );
        let promotion = json!({"code": "CRASH10", "type": "standard", "status": "active",
            "application_method": {"type": "percentage", "target_type": "order", "value": 10}});
        first.ok("/admin/promotions", promotion);
        let draft = first.ok(
            "/admin/draft-orders",
            json!({"email": "phone@example.com", "region_id": region,
                "items": [{"variant_id": variant, "quantity": 1}],
                "shipping_methods": [{"name": "Courier", "amount": 10}]}),
        )["draft_order"]
            .clone();
        let id = draft["id"].as_str().unwrap().to_string();
        let method = draft["shipping_methods"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let edit = format!("/admin/draft-orders/{id}/edit");
        first.ok(&edit, json!({}));
        first.ok(
            &format!("{edit}/promotions"),
            json!({"promo_codes": ["CRASH10"]}),
        );
        first.ok(
            &format!("{edit}/shipping-methods/method/{method}"),
            json!({"custom_amount": 4}),
        );
        let adjustments = format!(
            "SELECT COUNT(*) FROM order_line_item_adjustment WHERE deleted_at IS NULL
               AND item_id IN (SELECT id FROM order_line_item WHERE order_id = '{id}')"
        );
        let links = "SELECT COUNT(*) FROM link_order_promotion WHERE deleted_at IS NULL";
        let amount = format!("SELECT amount FROM order_shipping_method WHERE id = '{method}'");
        let (adjustments_again, amount_again) = (adjustments.clone(), amount.clone());
        Prepared {
            path: format!("{edit}/confirm"),
            untouched: Box::new(move |db, _| {
                assert_eq!(query(db, &adjustments), "0", "no discount written");
                assert_eq!(query(db, links), "0", "no promotion linked");
                assert_eq!(query(db, &amount), "1000", "the method keeps its price");
            }),
            done_once: Box::new(move |db, _| {
                assert_eq!(query(db, &adjustments_again), "1");
                assert_eq!(query(db, links), "1");
                assert_eq!(query(db, &amount_again), "400");
                assert_eq!(
                    query(db, "SELECT used FROM promotion WHERE code = 'CRASH10'"),
                    "0",
                    "a draft uses nothing until converted"
                );
            }),
        }
    });
}
