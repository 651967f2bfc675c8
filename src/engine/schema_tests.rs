//! The composed schema, checked as SQLite compiles it.

use crate::db::{Store, StoreOptions};
use crate::engine::Engine;

/// Tables every order writes, with the status column a CHECK limits and a value it refuses.
const ORDER_PATH: [(&str, &str); 5] = [
    ("workflow_execution", "status"),
    ("workflow_step", "status"),
    ("event_delivery", "status"),
    ("event_webhook_delivery", "status"),
    ("notification", "status"),
];

fn engine() -> Engine {
    Engine::builder()
        .deterministic(3)
        .build(Store::memory(StoreOptions::default()).unwrap())
        .unwrap()
}

/// The opcodes SQLite compiles `sql` into.
fn opcodes(conn: &rusqlite::Connection, sql: &str) -> Vec<String> {
    let mut stmt = conn.prepare(&format!("EXPLAIN {sql}")).unwrap();
    stmt.query_map([], |r| r.get::<_, String>(1))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

#[test]
fn a_status_change_on_the_order_path_builds_no_temporary_table() {
    let engine = engine();
    // On the writer, which ran the migrations in this process: its schema was reloaded.
    let plans = engine
        .store()
        .write(|conn| {
            Ok(ORDER_PATH
                .iter()
                .map(|(table, column)| {
                    let sql = format!("UPDATE {table} SET {column} = 'x' WHERE rowid = 1");
                    (*table, opcodes(conn, &sql))
                })
                .collect::<Vec<_>>())
        })
        .unwrap();
    for (table, ops) in plans {
        assert!(
            !ops.iter().any(|op| op == "OpenEphemeral"),
            "{table}: a CHECK with a constant IN list builds a b-tree at every write"
        );
    }
}

#[test]
fn the_rewritten_checks_still_refuse_an_unknown_status() {
    let engine = engine();
    let refused = engine
        .store()
        .write(|tx| {
            let mut refused = Vec::new();
            for (table, column) in ORDER_PATH {
                let sql: String = tx.query_row(
                    "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?1",
                    [table],
                    |r| r.get(0),
                )?;
                let check = format!("CHECK ({column} = '");
                refused.push((table, sql.contains(&check)));
            }
            Ok(refused)
        })
        .unwrap();
    for (table, rewritten) in refused {
        assert!(rewritten, "{table}: the CHECK is written as comparisons");
    }
    let insert = |id: &str, status: &str| {
        let (id, status) = (id.to_string(), status.to_string());
        engine.store().write(move |tx| {
            Ok(tx.execute(
                "INSERT INTO notification (id, \"to\", channel, template, data, provider_id, status,
                   created_at, updated_at)
                 VALUES (?1, 'a@b.c', 'email', 't', '{}', 'local', ?2, 'now', 'now')",
                [id, status],
            )?)
        })
    };
    assert_eq!(insert("noti_known", "success").unwrap(), 1);
    let refused = insert("noti_unknown", "sent").unwrap_err();
    assert!(
        refused.to_string().contains("outside its allowed range"),
        "{refused}"
    );
}
