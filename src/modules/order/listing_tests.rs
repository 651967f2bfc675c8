//! The listing against an oracle (every order read and filtered in Rust), the trigger-kept
//! counts and search documents against the rows after every kind of write, and the query
//! plans the listing relies on.

use super::*;
use crate::clock::Clock;
use crate::ctx::Ctx;
use crate::id::IdGenerator;
use crate::modules::order::{NewOrder, create};
use rusqlite::params;
use serde_json::{Map, Value, json};

/// The common filter columns with a trigger-kept count and an index each.
const COUNTED: [&str; 4] = ["status", "region_id", "sales_channel_id", "customer_id"];
const REGIONS: [&str; 3] = ["reg_eu", "reg_us", "reg_uk"];
const CHANNELS: [&str; 2] = ["sc_web", "sc_pos"];
const STATUSES: [&str; 5] = ["pending", "completed", "canceled", "archived", "draft"];
const NAMES: [(&str, &str); 4] = [
    ("Ada", "Lovelace"),
    ("Grace", "Hopper"),
    ("Édith", "Piaf"),
    ("Alan", "Turing"),
];

struct Fixture {
    conn: Connection,
    ctx: Ctx,
    clock: Clock,
}

fn setup() -> Fixture {
    let conn = Connection::open_in_memory().unwrap();
    crate::db::module::migrate(&conn, &[super::super::module()], "t").unwrap();
    let clock = Clock::fixed(1_700_000_000_000);
    let ctx = Ctx::new(clock.clone(), IdGenerator::seeded(clock.clone(), 3));
    Fixture { conn, ctx, clock }
}

fn address(first: &str, last: &str) -> Map<String, Value> {
    serde_json::from_value(json!({"first_name": first, "last_name": last, "city": "Oslo"})).unwrap()
}

/// `n` orders over regions, channels, customers (some guests), names and statuses; a few
/// share a time (ties broken by id).
fn seed(fixture: &Fixture, n: usize) -> Vec<String> {
    let Fixture { conn, ctx, clock } = fixture;
    let mut ids = Vec::new();
    for i in 0..n {
        let (first, last) = NAMES[i % NAMES.len()];
        let input = NewOrder {
            region_id: (i % 7 != 0).then(|| REGIONS[i % 3].to_string()),
            customer_id: (i % 4 != 0).then(|| format!("cus_{}", i % 5)),
            sales_channel_id: Some(CHANNELS[i % 2].to_string()),
            email: Some(format!("Buyer{}_{}@Example.com", i % 6, i % 11)),
            currency_code: "eur".into(),
            shipping_address: Some(address(first, last)),
            billing_address: (i % 3 == 0).then(|| address("Bill", "Payer")),
            ..NewOrder::default()
        };
        ids.push(create(conn, ctx, &input).unwrap());
        set_status(conn, &ids[i], STATUSES[(i * 7) % STATUSES.len()]);
        if i % 3 != 0 {
            clock.advance(1000);
        }
    }
    ids
}

fn set_status(conn: &Connection, id: &str, status: &str) {
    conn.execute(
        "UPDATE \"order\" SET status = ?2 WHERE id = ?1",
        params![id, status],
    )
    .unwrap();
}

/// Every order with what the oracle needs: `(order, searchable text per field)`.
fn everything(conn: &Connection) -> Vec<(Order, Option<String>, Vec<String>)> {
    let mut stmt = conn
        .prepare(&format!("SELECT {COLUMNS}, deleted_at FROM \"order\""))
        .unwrap();
    let rows: Vec<(Order, Option<String>)> = stmt
        .query_map([], |r| Ok((from_row(r)?, r.get(14)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    rows.into_iter()
        .map(|(order, deleted)| {
            let mut fields = vec![order.display_id.to_string()];
            fields.extend(order.email.clone());
            for address in [&order.shipping_address_id, &order.billing_address_id] {
                let names: Option<(Option<String>, Option<String>)> = address.as_ref().map(|a| {
                    conn.query_row(
                        "SELECT first_name, last_name FROM order_address WHERE id = ?1",
                        [a],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .unwrap()
                });
                if let Some((first, last)) = names {
                    fields.extend(first);
                    fields.extend(last);
                }
            }
            (order, deleted, fields)
        })
        .collect()
}

/// The oracle: the listing computed in Rust from every order.
fn oracle(conn: &Connection, f: &OrderFilter, offset: usize, limit: usize) -> (Vec<String>, u64) {
    let keep = |values: &[String], v: &Option<String>| {
        values.is_empty() || v.as_ref().is_some_and(|v| values.contains(v))
    };
    let words: Vec<String> =
        f.q.as_deref()
            .unwrap_or("")
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
    let mut matched: Vec<Order> = everything(conn)
        .into_iter()
        .filter(|(o, deleted, fields)| {
            deleted.is_none()
                && (o.status == "draft") == f.drafts
                && (f.ids.is_empty() || f.ids.contains(&o.id))
                && keep(&f.statuses, &Some(o.status.clone()))
                && keep(&f.region_ids, &o.region_id)
                && keep(&f.sales_channel_ids, &o.sales_channel_id)
                && keep(&f.customer_ids, &o.customer_id)
                && f.created_at.iter().all(|(op, v)| match op.as_str() {
                    "$gte" => &o.created_at >= v,
                    "$lt" => &o.created_at < v,
                    _ => unreachable!("the tests use $gte and $lt"),
                })
                && words.iter().all(|w| {
                    fields
                        .iter()
                        .any(|field| field.to_lowercase().contains(w.as_str()))
                })
        })
        .map(|(o, _, _)| o)
        .collect();
    matched.sort_by(|a, b| (&b.created_at, &b.id).cmp(&(&a.created_at, &a.id)));
    if f.oldest_first {
        matched.reverse();
    }
    let count = matched.len() as u64;
    let page = matched
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|o| o.id)
        .collect();
    (page, count)
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_string()).collect()
}

/// Filters the admin dashboard, `/app` and the store send, alone and combined.
fn filters(ids: &[String]) -> Vec<OrderFilter> {
    let mut out = vec![OrderFilter::default()];
    let q = |q: &str| OrderFilter {
        q: Some(q.into()),
        ..OrderFilter::default()
    };
    for statuses in [
        vec!["pending"],
        vec!["canceled"],
        vec!["draft"],
        vec!["nothing"],
        vec!["pending", "completed"],
        vec!["pending", "pending", "archived"],
    ] {
        out.push(OrderFilter {
            statuses: strings(&statuses),
            ..OrderFilter::default()
        });
    }
    out.push(OrderFilter {
        region_ids: strings(&["reg_eu"]),
        ..OrderFilter::default()
    });
    out.push(OrderFilter {
        region_ids: strings(&["reg_eu", "reg_uk"]),
        oldest_first: true,
        ..OrderFilter::default()
    });
    out.push(OrderFilter {
        sales_channel_ids: strings(&["sc_pos"]),
        ..OrderFilter::default()
    });
    out.push(OrderFilter {
        customer_ids: strings(&["cus_2"]),
        ..OrderFilter::default()
    });
    out.push(OrderFilter {
        customer_ids: strings(&["cus_2"]),
        ids: ids[..10].to_vec(),
        ..OrderFilter::default()
    });
    out.push(OrderFilter {
        statuses: strings(&["completed"]),
        region_ids: strings(&["reg_us", "reg_uk"]),
        ..OrderFilter::default()
    });
    out.push(OrderFilter {
        created_at: vec![
            ("$gte".into(), "2023-11-14T22:13:40.000Z".into()),
            ("$lt".into(), "2023-11-14T22:14:00.000Z".into()),
        ],
        ..OrderFilter::default()
    });
    for words in [
        "lovelace",
        "LOVE",
        "édith",
        "buyer3",
        "example.com ada",
        "buyer1_1",
        "1",
        "12",
        "bill payer",
        "%",
        "_1@",
        "\"quoted\"",
        "nobody-at-all",
        "   ",
    ] {
        out.push(q(words));
    }
    out.push(OrderFilter {
        q: Some("ada".into()),
        statuses: strings(&["pending"]),
        oldest_first: true,
        ..OrderFilter::default()
    });
    out.push(OrderFilter {
        drafts: true,
        ..OrderFilter::default()
    });
    out.push(OrderFilter {
        drafts: true,
        q: Some("hopper".into()),
        ..OrderFilter::default()
    });
    out
}

fn agrees_with_the_oracle(conn: &Connection, ids: &[String]) {
    // A batch's end indexes its orders for `q` (the writer does it in a store).
    super::super::index_noted_orders(conn);
    for filter in filters(ids) {
        for (offset, limit) in [(0, 5), (3, 4), (0, 1000), (40, 10), (1000, 5)] {
            let (orders, count) = list(conn, &filter, offset, limit).unwrap();
            let got: Vec<String> = orders.into_iter().map(|o| o.id).collect();
            let want = oracle(conn, &filter, offset as usize, limit as usize);
            assert_eq!(
                (got, count),
                want,
                "{filter:?} offset {offset} limit {limit}"
            );
        }
    }
}

#[test]
fn every_filter_agrees_with_the_oracle_through_every_kind_of_write() {
    let fixture = setup();
    let ids = seed(&fixture, 60);
    let Fixture { conn, ctx, .. } = fixture;
    agrees_with_the_oracle(&conn, &ids);
    // Status changes, a draft converted and one made, soft deletes and a restore, a region,
    // channel and customer moved, an email changed, an address replaced, a hard delete.
    set_status(&conn, &ids[1], "canceled");
    set_status(&conn, &ids[4], "pending");
    set_status(&conn, &ids[2], "draft");
    let soft = "UPDATE \"order\" SET deleted_at = '2024-01-01' WHERE id = ?1";
    conn.execute(soft, [&ids[5]]).unwrap();
    conn.execute(soft, [&ids[9]]).unwrap();
    conn.execute(
        "UPDATE \"order\" SET deleted_at = NULL, status = 'completed' WHERE id = ?1",
        [&ids[9]],
    )
    .unwrap();
    conn.execute(
        "UPDATE \"order\" SET region_id = 'reg_uk', sales_channel_id = NULL, customer_id = 'cus_9'
         WHERE id = ?1",
        [&ids[6]],
    )
    .unwrap();
    conn.execute(
        "UPDATE \"order\" SET email = 'zed@elsewhere.org' WHERE id = ?1",
        [&ids[7]],
    )
    .unwrap();
    let order = super::super::retrieve(&conn, &ids[8]).unwrap();
    super::super::manage::replace_address(
        &conn,
        &ctx,
        &order,
        super::super::manage::AddressKind::Shipping,
        &address("Katherine", "Johnson"),
    )
    .unwrap();
    super::super::delete(&conn, &ids[10]).unwrap();
    // Inserted and deleted before its batch ended: never indexed, and the index stays whole.
    let gone = create(&conn, &ctx, &NewOrder::default()).unwrap();
    super::super::delete(&conn, &gone).unwrap();
    agrees_with_the_oracle(&conn, &ids);
    search_index_is_whole(&conn);
    let found = list(
        &conn,
        &OrderFilter {
            q: Some("johnson".into()),
            ..OrderFilter::default()
        },
        0,
        10,
    )
    .unwrap();
    assert_eq!(found.1, u64::from(order.status != "draft"), "{order:?}");
    counts_match_the_rows(&conn);
}

/// FTS5's own check of the search index, and nothing left noted for it.
fn search_index_is_whole(conn: &Connection) {
    conn.execute(
        "INSERT INTO order_search (order_search) VALUES ('integrity-check')",
        [],
    )
    .unwrap();
    let noted: i64 = conn
        .query_row("SELECT COUNT(*) FROM order_search_pending", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(noted, 0);
}

/// The trigger-kept counts equal counting the rows.
fn counts_match_the_rows(conn: &Connection) {
    for column in COUNTED {
        let kept: Vec<(String, i64)> = conn
            .prepare(
                "SELECT value, listed FROM order_listed_count WHERE dimension = ?1 AND listed <> 0
                 ORDER BY value",
            )
            .unwrap()
            .query_map([column], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let counted: Vec<(String, i64)> = conn
            .prepare(&format!(
                "SELECT {column}, COUNT(*) FROM \"order\" WHERE {LISTED} AND {column} IS NOT NULL
                 GROUP BY {column} ORDER BY {column}"
            ))
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(kept, counted, "{column}");
    }
}

/// The query plan of `sql`, one step per line.
fn plan(conn: &Connection, sql: &str, args: &[SqlValue]) -> String {
    conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap()
        .query_map(params_from_iter(args.iter()), |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<rusqlite::Result<Vec<_>>>()
        .unwrap()
        .join("\n")
}

fn page_plan(conn: &Connection, filter: &OrderFilter) -> String {
    let query = Query::of(conn, filter).unwrap();
    let (sql, mut args) = query.page_sql("DESC");
    args.extend([SqlValue::Integer(20), SqlValue::Integer(500_000)]);
    plan(conn, &sql, &args)
}

fn count_plan(conn: &Connection, filter: &OrderFilter) -> String {
    let query = Query::of(conn, filter).unwrap();
    plan(conn, &query.count_sql(), &query.count_args())
}

/// Each common filter's page is a range of its covering index, in order (no sort, no table
/// row per skipped order), and its count a lookup of the trigger-kept counts.
#[test]
fn common_filters_walk_their_covering_index_and_count_from_the_kept_counts() {
    let fixture = setup();
    seed(&fixture, 10);
    let conn = fixture.conn;
    let one = |column: &str| {
        let mut f = OrderFilter::default();
        let v = vec!["x".to_string()];
        match column {
            "status" => f.statuses = v,
            "region_id" => f.region_ids = v,
            "sales_channel_id" => f.sales_channel_ids = v,
            _ => f.customer_ids = v,
        }
        f
    };
    let expected = [
        ("status", "order_listed_status"),
        ("region_id", "order_listed_region"),
        ("sales_channel_id", "order_listed_channel"),
        ("customer_id", "order_listed_customer"),
    ];
    for (column, index) in expected {
        let page = page_plan(&conn, &one(column));
        assert_eq!(
            page,
            format!("SEARCH order USING COVERING INDEX {index} ({column}=?)"),
            "{column}"
        );
        let count = count_plan(&conn, &one(column));
        assert!(count.contains("order_listed_count"), "{column}: {count}");
        assert!(!count.contains("SCAN order"), "{column}: {count}");
    }
    // Everything: the walk of the covering index; the count is one row.
    let all = page_plan(&conn, &OrderFilter::default());
    assert_eq!(all, "SCAN order USING COVERING INDEX order_listed_created");
    // Several values: their ranges merged in order, no sort.
    let several = OrderFilter {
        region_ids: strings(&["reg_eu", "reg_us", "reg_uk"]),
        ..OrderFilter::default()
    };
    let merged = page_plan(&conn, &several);
    assert!(merged.contains("MERGE (UNION ALL)"), "{merged}");
    assert!(!merged.contains("TEMP B-TREE"), "{merged}");
    assert_eq!(
        merged.matches("COVERING INDEX order_listed_region").count(),
        3,
        "{merged}"
    );
    // A creation-time range: a range of the covering index, for the page and the count.
    let range = OrderFilter {
        created_at: vec![("$gte".into(), "2026-01-01".into())],
        ..OrderFilter::default()
    };
    let expected = "SEARCH order USING COVERING INDEX order_listed_created (created_at>?)";
    assert_eq!(page_plan(&conn, &range), expected);
    assert_eq!(count_plan(&conn, &range), expected);
    // A customer's own list (`/store/orders`): the customer's range.
    let mine = OrderFilter {
        customer_ids: strings(&["cus_1"]),
        ids: strings(&["order_1", "order_2"]),
        ..OrderFilter::default()
    };
    assert!(
        page_plan(&conn, &mine).contains("order_listed_customer"),
        "{}",
        page_plan(&conn, &mine)
    );
}

/// `q` is answered by the trigram index (the matching rowids, once), then the page and the
/// count read those orders by rowid: no walk of every order.
#[test]
fn q_is_answered_by_the_trigram_index() {
    let fixture = setup();
    seed(&fixture, 10);
    let conn = fixture.conn;
    let matches = plan(&conn, MATCHES, &[SqlValue::Text("\"lovelace\"".into())]);
    assert_eq!(matches, "SCAN order_search VIRTUAL TABLE INDEX 0:M1");
    let q = OrderFilter {
        q: Some("lovelace example".into()),
        ..OrderFilter::default()
    };
    for steps in [page_plan(&conn, &q), count_plan(&conn, &q)] {
        assert!(
            steps.starts_with("SEARCH order USING INTEGER PRIMARY KEY (rowid=?)"),
            "{steps}"
        );
        assert!(!steps.contains("SCAN order\n"), "{steps}");
        assert!(!steps.ends_with("SCAN order"), "{steps}");
    }
}

#[test]
fn the_search_document_holds_display_id_email_and_names() {
    let fixture = setup();
    let ids = seed(&fixture, 4);
    let conn = fixture.conn;
    super::super::index_noted_orders(&conn);
    let doc: String = conn
        .query_row(
            "SELECT doc FROM order_search_doc d JOIN \"order\" o ON o.rowid = d.order_rowid
             WHERE o.id = ?1",
            [&ids[0]],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(doc, "1 Buyer0_0@Example.com Ada Lovelace Bill Payer");
    let hits: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM order_search WHERE order_search MATCH '\"EXAMPLE.COM\"'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(hits, 4);
}
