//! Backups taken over HTTP (`POST /admin/backups`) while storefront threads place orders:
//! each backup is one consistent state of the shop, the last one holds every order
//! acknowledged before it started, and a restore refuses the served file but restores it
//! once the server stopped.

use crate::common;

use common::{TestApp, config};
use rusqlite::Connection;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use stockroom::Engine;
use stockroom::config::DbTarget;
use stockroom::ops::{restore, verify};

const CHECKOUT_THREADS: usize = 3;
const BACKUPS: usize = 8;

struct StopOnDrop<'a>(&'a AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stockroom-ops-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn file_app(dir: &Path) -> TestApp {
    let mut config = config();
    config.db = DbTarget::File(dir.join("shop.db"));
    config.ops.backup_dir = Some(dir.join("backups"));
    TestApp::with(config, Engine::builder())
}

/// Orders that broke a rule in `backup` (empty: consistent). An order whose payment is not
/// recorded yet must still be in its completion's journal as running: a restore's recovery
/// then settles it.
fn inconsistencies(backup: &Path) -> Vec<String> {
    let conn = Connection::open(backup).expect("open backup");
    let mut found = Vec::new();
    let checks = [
        (
            "orders without items",
            r#"SELECT count(*) FROM "order" o
               WHERE NOT EXISTS (SELECT 1 FROM order_line_item i WHERE i.order_id = o.id)"#,
        ),
        (
            "orders without a payment and no running completion",
            r#"SELECT count(*) FROM "order" o
               WHERE NOT EXISTS (
                   SELECT 1 FROM link_order_payment_collection l
                   JOIN payment p ON p.payment_collection_id = l.payment_collection_id
                   WHERE l.order_id = o.id AND l.deleted_at IS NULL)
               AND NOT EXISTS (
                   SELECT 1 FROM link_order_cart c JOIN workflow_execution w
                     ON w.workflow = 'complete-cart' AND w.idempotency_key = c.cart_id
                   WHERE c.order_id = o.id AND w.status = 'running')"#,
        ),
        (
            "order lines whose reservations differ from their quantity",
            r#"SELECT count(*) FROM order_line_item i
               WHERE i.quantity <> (SELECT coalesce(sum(r.quantity), 0)
                   FROM inventory_reservation_item r
                   WHERE r.line_item_id = i.id AND r.deleted_at IS NULL)"#,
        ),
        (
            "levels whose reserved quantity is not their reservations' sum",
            r#"SELECT count(*) FROM inventory_level l
               WHERE l.deleted_at IS NULL AND l.reserved_quantity <> (
                   SELECT coalesce(sum(r.quantity), 0) FROM inventory_reservation_item r
                   WHERE r.inventory_item_id = l.inventory_item_id
                     AND r.location_id = l.location_id AND r.deleted_at IS NULL)"#,
        ),
    ];
    for (what, sql) in checks {
        let n: i64 = conn.query_row(sql, [], |r| r.get(0)).expect(what);
        if n > 0 {
            found.push(format!("{n} {what}"));
        }
    }
    found
}

fn order_ids(db: &Path) -> Vec<String> {
    let conn = Connection::open(db).expect("open");
    let mut stmt = conn.prepare(r#"SELECT id FROM "order""#).expect("prepare");
    let ids = stmt.query_map([], |r| r.get(0)).expect("query");
    ids.map(|id| id.expect("id")).collect()
}

#[test]
fn backups_during_checkouts_are_consistent_and_the_last_restores_every_acknowledged_order() {
    let dir = scratch("load");
    let app = file_app(&dir);
    let variant = app.variant();
    app.set_stock(&variant, 100_000);
    let admin = format!("Bearer {}", app.admin_token());
    let acknowledged = Mutex::new(Vec::<String>::new());
    let stop = AtomicBool::new(false);
    let failures = Mutex::new(Vec::<String>::new());
    let mut taken: Vec<(String, Vec<String>)> = Vec::new();
    std::thread::scope(|s| {
        for _ in 0..CHECKOUT_THREADS {
            s.spawn(|| {
                // A failed checkout stops everything (and fails the test below).
                while !stop.load(Ordering::SeqCst) {
                    let reply = app.checkout("usd", &variant);
                    let json = (reply.status == 200).then(|| reply.json());
                    let Some(id) = json.as_ref().and_then(|j| j["order"]["id"].as_str()) else {
                        failures.lock().expect("lock").push(reply.text());
                        stop.store(true, Ordering::SeqCst);
                        return;
                    };
                    acknowledged.lock().expect("lock").push(id.to_string());
                }
            });
        }
        while acknowledged.lock().expect("lock").len() < 2 && !stop.load(Ordering::SeqCst) {
            std::thread::yield_now();
        }
        // However the loop ends, the checkout threads stop (or the scope never joins).
        let _stop_on_exit = StopOnDrop(&stop);
        for _ in 0..BACKUPS {
            if stop.load(Ordering::SeqCst) {
                break;
            }
            let before = acknowledged.lock().expect("lock").clone();
            let reply = app.admin_call("POST", "/admin/backups", &admin, None);
            assert_eq!(reply.status, 200, "{}", reply.text());
            let file = reply.json()["backup"]["file"]
                .as_str()
                .expect("file")
                .to_string();
            taken.push((file, before));
        }
    });
    assert_eq!(failures.into_inner().expect("lock"), Vec::<String>::new());
    let total = acknowledged.lock().expect("lock").len();
    let (first, last) = (&taken[0].1, &taken[BACKUPS - 1].1);
    assert!(
        last.len() > first.len(),
        "orders were placed while backups were taken ({} → {} of {total})",
        first.len(),
        last.len()
    );
    let backups = dir.join("backups");
    for (file, before) in &taken {
        let path = backups.join(file);
        assert_eq!(inconsistencies(&path), Vec::<String>::new(), "{file}");
        let present = order_ids(&path);
        let lost: Vec<_> = before.iter().filter(|id| !present.contains(id)).collect();
        assert!(lost.is_empty(), "{file} lost acknowledged orders {lost:?}");
    }
    let listed = app.admin_call("GET", "/admin/backups", &admin, None).json();
    assert_eq!(listed["count"], BACKUPS as u64, "{listed}");
    assert_eq!(
        listed["backups"][0]["file"],
        Value::from(taken[BACKUPS - 1].0.clone())
    );

    // The served file is refused; once the server stopped, the last backup goes in place.
    let modules = Engine::builder().all_modules();
    let last_file = backups.join(&taken[BACKUPS - 1].0);
    let db = dir.join("shop.db");
    let refused = restore::restore(&last_file, &db, &modules, "t1").unwrap_err();
    assert_eq!(refused.status(), 409, "{refused}");
    app.shutdown();
    let report = restore::restore(&last_file, &db, &modules, "t1").expect("restore");
    assert_eq!(report.kept_aside.len(), 1, "{:?}", report.kept_aside);
    assert_eq!(
        order_ids(&report.kept_aside[0]).len(),
        total,
        "the old file, whole"
    );
    let restored = order_ids(&db);
    assert!(last.iter().all(|id| restored.contains(id)));
    let conn = Connection::open(&db).expect("open restored");
    assert!(verify::verify(&conn, &modules).expect("verify").is_sound());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn admin_backups_need_a_folder_and_an_admin() {
    let app = TestApp::start();
    assert_eq!(app.request("POST", "/admin/backups", &[], None).status, 401);
    let admin = format!("Bearer {}", app.admin_token());
    let reply = app.admin_call("POST", "/admin/backups", &admin, None);
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert!(reply.text().contains("--backup-dir"), "{}", reply.text());
}

#[test]
fn an_in_memory_store_is_backed_up_from_its_image() {
    let dir = scratch("memory");
    let mut config = config();
    config.ops.backup_dir = Some(dir.clone());
    let app = TestApp::with(config, Engine::builder());
    let admin = format!("Bearer {}", app.admin_token());
    let reply = app.admin_call("POST", "/admin/backups", &admin, None);
    assert_eq!(reply.status, 200, "{}", reply.text());
    let file = dir.join(reply.json()["backup"]["file"].as_str().expect("file"));
    let conn = Connection::open(&file).expect("open");
    let products: i64 = conn
        .query_row("SELECT count(*) FROM product", [], |r| r.get(0))
        .expect("count");
    assert!(products > 50, "the demo catalog is in the backup");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A stepped backup one page at a time, while the writer commits pairs of updates that must
/// stay equal and grows the file: the copy is one commit's state, however many commits
/// happened during it (it reads one snapshot; it is not restarted by them).
#[test]
fn a_backup_in_one_page_steps_is_one_snapshot_while_the_writer_commits() {
    use stockroom::db::module::{Migration, Module, schema_module};
    use stockroom::db::{Store, StoreOptions};
    use stockroom::ops::backup::{BackupOptions, backup_file};
    let dir = scratch("steps");
    let db = dir.join("pair.db");
    let modules = vec![
        schema_module(),
        Module::new("pair", "pair").migration(Migration::embedded(
            "0001_init.sql",
            "CREATE TABLE pair (side TEXT PRIMARY KEY, n INTEGER NOT NULL);
             INSERT INTO pair VALUES ('a', 0), ('b', 0);
             CREATE TABLE pair_padding (id INTEGER PRIMARY KEY, blob BLOB NOT NULL);",
        )),
    ];
    let options_off = StoreOptions {
        synchronous: stockroom::db::Synchronous::Off,
        ..StoreOptions::default()
    };
    let store = Store::open(&db, options_off).expect("open");
    let all = modules.clone();
    store
        .write(move |tx| {
            stockroom::db::module::migrate(tx, &all, "2026-01-01T00:00:00.000Z")?;
            tx.execute_batch(
                "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 2000)
                 INSERT INTO pair_padding (blob) SELECT randomblob(1000) FROM k;",
            )?;
            Ok(())
        })
        .expect("schema");
    let commits = std::sync::atomic::AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let options = BackupOptions {
        pages_per_step: 1,
        ..BackupOptions::default()
    };
    let (report, during) = std::thread::scope(|s| {
        s.spawn(|| {
            while !stop.load(Ordering::SeqCst) {
                store
                    .write(|tx| {
                        tx.execute_batch(
                            "UPDATE pair SET n = n + 1;
                             INSERT INTO pair_padding (blob) VALUES (randomblob(3000));",
                        )?;
                        Ok(())
                    })
                    .expect("write");
                commits.fetch_add(1, Ordering::SeqCst);
            }
        });
        while commits.load(Ordering::SeqCst) < 5 {
            std::thread::yield_now();
        }
        let _stop_on_exit = StopOnDrop(&stop);
        // Commits seen at the first and the last step of the copy.
        let mut seen = (None, 0);
        let mut at_step = |_| {
            let now = commits.load(Ordering::SeqCst);
            seen = (seen.0.or(Some(now)), now);
        };
        let report = backup_file(&db, &dir.join("copy.db"), &modules, &options, &mut at_step);
        (report, seen.1 - seen.0.unwrap_or(seen.1))
    });
    let report = report.expect("backup");
    assert!(
        report.steps > 500,
        "one page per step: {} steps",
        report.steps
    );
    assert!(
        during > 0,
        "the writer committed between the copy's first and last steps"
    );
    let copy = Connection::open(dir.join("copy.db")).expect("open copy");
    let (a, b): (i64, i64) = copy
        .query_row(
            "SELECT (SELECT n FROM pair WHERE side = 'a'), (SELECT n FROM pair WHERE side = 'b')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("pair");
    let padding: i64 = copy
        .query_row("SELECT count(*) FROM pair_padding", [], |r| r.get(0))
        .expect("padding");
    assert_eq!(a, b, "both updates of a commit, or neither");
    assert_eq!(padding, 2000 + a, "one padding row per commit copied");
    store.close();
    let _ = std::fs::remove_dir_all(&dir);
}
