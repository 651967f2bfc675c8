//! `stockroom verify`: is this file a sound store? SQLite's `integrity_check` (every page,
//! index and constraint), `foreign_key_check` (the schema's `REFERENCES` hold), and the
//! migration ledger against this build's migrations (the schema is the one the code
//! expects). Backups run it on the copy before giving it its final name; a standby runs it
//! before serving.

use crate::db::module::{MigrationAudit, Module, audit};
use crate::error::Result;
use rusqlite::Connection;
use serde::Serialize;

/// Most problems of one kind listed (a broken file can have millions).
const LISTED: usize = 20;

/// What [`verify`] found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct VerifyReport {
    /// `integrity_check`'s complaints (empty: `ok`).
    pub integrity: Vec<String>,
    /// Rows whose `REFERENCES` point at nothing (the first few, described).
    pub foreign_keys: Vec<String>,
    /// How many such rows there are in all.
    pub foreign_key_violations: u64,
    /// Whether the file has a migration ledger (`schema_migration`).
    pub ledger: bool,
    /// Applied migrations whose text this build has changed.
    pub changed_migrations: Vec<String>,
    /// Migrations this build would still apply (not a fault: `migrate` applies them).
    pub pending_migrations: Vec<String>,
    /// Recorded migrations this build does not know (a custom module's; not a fault).
    pub unknown_migrations: Vec<String>,
}

impl VerifyReport {
    /// Whether the store can be served by this build as it is (pending migrations aside,
    /// which `serve` applies).
    pub fn is_sound(&self) -> bool {
        self.problems().is_empty()
    }

    /// One line per fault, for the operator.
    pub fn problems(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .integrity
            .iter()
            .map(|p| format!("integrity: {p}"))
            .collect();
        if self.foreign_key_violations > 0 {
            out.push(format!(
                "foreign keys: {} row(s) reference nothing",
                self.foreign_key_violations
            ));
            out.extend(
                self.foreign_keys
                    .iter()
                    .map(|p| format!("foreign key: {p}")),
            );
        }
        if !self.ledger {
            out.push("migrations: no schema_migration ledger (not a Stockroom store)".into());
        }
        out.extend(
            self.changed_migrations
                .iter()
                .map(|m| format!("migration changed: {m}")),
        );
        out
    }

    /// Lines worth saying that are not faults.
    pub fn notes(&self) -> Vec<String> {
        let pending = self
            .pending_migrations
            .iter()
            .map(|m| format!("migration pending (migrate or serve applies it): {m}"));
        let unknown = self
            .unknown_migrations
            .iter()
            .map(|m| format!("migration not in this build (a custom module's?): {m}"));
        pending.chain(unknown).collect()
    }
}

/// Checks the store behind `conn` against `modules` (the engine's
/// [`crate::engine::EngineBuilder::all_modules`]).
///
/// # Errors
/// The file is not a database or cannot be read at all.
pub fn verify(conn: &Connection, modules: &[Module]) -> Result<VerifyReport> {
    let integrity = integrity_problems(conn)?;
    let (foreign_keys, foreign_key_violations) = foreign_key_problems(conn)?;
    let MigrationAudit {
        ledger,
        changed,
        pending,
        unknown,
    } = audit(conn, modules)?;
    Ok(VerifyReport {
        integrity,
        foreign_keys,
        foreign_key_violations,
        ledger,
        changed_migrations: changed,
        pending_migrations: pending,
        unknown_migrations: unknown,
    })
}

fn integrity_problems(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(&format!("PRAGMA integrity_check({LISTED})"))?;
    let lines = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let lines: Vec<String> = lines.collect::<rusqlite::Result<_>>()?;
    Ok(if lines == ["ok"] { Vec::new() } else { lines })
}

fn foreign_key_problems(conn: &Connection) -> Result<(Vec<String>, u64)> {
    let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
    let mut rows = stmt.query([])?;
    let (mut listed, mut count) = (Vec::new(), 0u64);
    while let Some(row) = rows.next()? {
        count += 1;
        if listed.len() < LISTED {
            let table: String = row.get(0)?;
            let rowid: Option<i64> = row.get(1)?;
            let parent: String = row.get(2)?;
            listed.push(format!(
                "{table} rowid {} → {parent}",
                rowid.map_or("?".into(), |r| r.to_string())
            ));
        }
    }
    Ok((listed, count))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::module::{Migration, schema_module};

    fn store_with(sql: &'static str) -> (Connection, Vec<Module>) {
        let conn = Connection::open_in_memory().unwrap();
        let modules = vec![
            schema_module(),
            Module::new("shop", "shop").migration(Migration::embedded("0001_init.sql", sql)),
        ];
        crate::db::module::migrate(&conn, &modules, "2026-01-01T00:00:00.000Z").unwrap();
        (conn, modules)
    }

    const SCHEMA: &str = "CREATE TABLE shop (id TEXT PRIMARY KEY);
        CREATE TABLE shop_item (id TEXT PRIMARY KEY, shop_id TEXT REFERENCES shop (id));";

    #[test]
    fn a_fresh_store_is_sound() {
        let (conn, modules) = store_with(SCHEMA);
        let report = verify(&conn, &modules).unwrap();
        assert!(report.is_sound(), "{:?}", report.problems());
        assert!(report.notes().is_empty());
    }

    #[test]
    fn a_dangling_reference_is_a_fault() {
        let (conn, modules) = store_with(SCHEMA);
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF; INSERT INTO shop_item VALUES ('i', 'gone');",
        )
        .unwrap();
        let report = verify(&conn, &modules).unwrap();
        assert_eq!(report.foreign_key_violations, 1);
        assert!(!report.is_sound());
        assert!(
            report.problems()[0].contains("1 row(s)"),
            "{:?}",
            report.problems()
        );
    }

    #[test]
    fn an_edited_migration_is_a_fault_and_a_new_one_only_a_note() {
        let (conn, _) = store_with(SCHEMA);
        let edited = vec![
            schema_module(),
            Module::new("shop", "shop")
                .migration(Migration::embedded(
                    "0001_init.sql",
                    "CREATE TABLE shop (x);",
                ))
                .migration(Migration::embedded("0002_more.sql", "SELECT 1;")),
        ];
        let report = verify(&conn, &edited).unwrap();
        assert_eq!(report.changed_migrations.len(), 1);
        assert_eq!(report.pending_migrations, vec!["shop/0002_more.sql"]);
        assert!(!report.is_sound());
        let only_new = vec![schema_module()];
        let report = verify(&conn, &only_new).unwrap();
        assert!(report.is_sound(), "a custom module's migration is no fault");
        assert_eq!(report.unknown_migrations, vec!["shop/0001_init.sql"]);
    }

    #[test]
    fn a_database_without_a_ledger_is_not_a_store() {
        let conn = Connection::open_in_memory().unwrap();
        let report = verify(&conn, &[schema_module()]).unwrap();
        assert!(!report.ledger);
        assert!(!report.is_sound());
    }
}
