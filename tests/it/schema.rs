//! Schema-wide invariants: every table in a fully built store (core, a custom module, links,
//! the engine's own) carries the prefix of a registered module; migrating twice is a no-op;
//! a changed migration refuses to start.

use crate::example_loyalty as loyalty;

use stockroom::Engine;
use stockroom::db::module::{Migration, Module, table_names};
use stockroom::db::{Store, StoreOptions};

fn temp_db(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("stockroom-schema-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("s.db")
}

#[test]
fn every_table_carries_the_prefix_of_a_registered_module() {
    let engine = loyalty::register(Engine::builder())
        .build(Store::memory(StoreOptions::default()).unwrap())
        .unwrap();
    let modules = engine.all_modules();
    let tables = engine.store().read(table_names).unwrap();
    assert!(tables.len() > 10, "{tables:?}");
    for table in &tables {
        let owners: Vec<&str> = modules
            .iter()
            .filter(|m| m.owns_table(table))
            .map(Module::name)
            .collect();
        assert!(
            !owners.is_empty(),
            "table {table} belongs to no registered module"
        );
    }
}

#[test]
fn building_twice_on_one_file_migrates_once() {
    let path = temp_db("twice");
    for _ in 0..2 {
        let store = Store::open(&path, StoreOptions::default()).unwrap();
        Engine::builder().build(store.clone()).unwrap().shutdown();
    }
    let store = Store::open(&path, StoreOptions::default()).unwrap();
    let rows: i64 = store
        .read(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM schema_migration WHERE module = 'store'",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(rows, 1);
    store.close();
}

#[test]
fn a_changed_migration_refuses_to_start() {
    let path = temp_db("changed");
    let module = |sql: &'static str| {
        Module::new("shelf", "shelf").migration(Migration::embedded("0001_init.sql", sql))
    };
    let store = Store::open(&path, StoreOptions::default()).unwrap();
    Engine::builder()
        .module(module("CREATE TABLE shelf (id TEXT)"))
        .build(store)
        .unwrap()
        .shutdown();
    let store = Store::open(&path, StoreOptions::default()).unwrap();
    let err = Engine::builder()
        .module(module("CREATE TABLE shelf (id TEXT, x TEXT)"))
        .build(store)
        .err()
        .unwrap();
    assert!(
        err.to_string()
            .contains("shelf/0001_init.sql was changed after it was applied"),
        "{err}"
    );
}

#[test]
fn a_model_whose_table_lacks_a_column_refuses_to_start() {
    let model =
        stockroom::model::Model::new("shelf", "sh").field(stockroom::model::Field::text("title"));
    let module = Module::new("shelf", "shelf")
        .migration(Migration::embedded("0001_init.sql", "CREATE TABLE shelf (id TEXT PRIMARY KEY, created_at TEXT, updated_at TEXT, deleted_at TEXT)"))
        .model(model);
    let err = Engine::builder()
        .module(module)
        .build(Store::memory(StoreOptions::default()).unwrap())
        .err()
        .unwrap();
    assert!(
        err.to_string()
            .contains("declares columns its table lacks: title"),
        "{err}"
    );
}
