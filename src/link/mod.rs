//! Links between two modules' entities (Medusa's `defineLink`).
//!
//! Modules never reference each other's tables. A relation that crosses modules is a link: a
//! table `link_<left>_<right>` of id pairs, created through the same migration mechanism as a
//! module's own tables (a link *is* a module with one generated migration). Rows are
//! soft-deleted on dismiss so history stays readable.

pub mod query;

use crate::db::module::{Migration, Module};
use crate::error::Result;
use rusqlite::{Connection, params};
use std::borrow::Cow;
use std::collections::HashMap;

/// One side of a link: which entity, and the column holding its id in the link table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkEnd {
    /// Entity name, e.g. `publishable_api_key`, `sales_channel`, `customer`.
    pub entity: &'static str,
    /// Column name in the link table, e.g. `sales_channel_id`.
    pub column: &'static str,
}

impl LinkEnd {
    /// An end whose id column is `<entity>_id`.
    pub const fn new(entity: &'static str, column: &'static str) -> Self {
        LinkEnd { entity, column }
    }
}

/// A defined link between two entities of different modules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Left end.
    pub left: LinkEnd,
    /// Right end.
    pub right: LinkEnd,
    /// Built once per pair of entities (links are defined on every use).
    table: &'static str,
}

/// Defines a link; register [`Link::module`] with the engine so its table exists.
pub fn define_link(left: LinkEnd, right: LinkEnd) -> Link {
    let table = crate::sql_text!(
        [left.entity, right.entity],
        "link_{}_{}",
        left.entity,
        right.entity
    );
    Link { left, right, table }
}

impl Link {
    /// The link table's name.
    pub fn table(&self) -> &'static str {
        self.table
    }

    /// The link as a module: its table under the `link_` namespace, one generated migration.
    pub fn module(&self) -> Module {
        let sql = format!(
            "CREATE TABLE {t} (
                id TEXT PRIMARY KEY,
                {l} TEXT NOT NULL,
                {r} TEXT NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                deleted_at TEXT
            );
            CREATE UNIQUE INDEX {t}_pair ON {t} ({l}, {r}) WHERE deleted_at IS NULL;
            CREATE INDEX {t}_right ON {t} ({r}) WHERE deleted_at IS NULL;",
            t = self.table,
            l = self.left.column,
            r = self.right.column,
        );
        Module::new(self.table, self.table).migration(Migration {
            name: Cow::Borrowed("0001_link.sql"),
            sql: Cow::Owned(sql),
        })
    }

    /// Links `left_id` with `right_id` (no-op if already linked). `id` is the new row's id.
    ///
    /// # Errors
    /// Database failures.
    pub fn create(
        &self,
        conn: &Connection,
        id: &str,
        left_id: &str,
        right_id: &str,
        now: &str,
    ) -> Result<()> {
        let sql = crate::sql_text!(
            [self.table, self.left.column, self.right.column],
            "INSERT INTO {t} (id, {l}, {r}, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)
             ON CONFLICT ({l}, {r}) WHERE deleted_at IS NULL DO NOTHING",
            t = self.table,
            l = self.left.column,
            r = self.right.column,
        );
        conn.prepare_cached_static(sql)?
            .execute(params![id, left_id, right_id, now])?;
        Ok(())
    }

    /// Removes the link between the two ids (soft delete). Returns whether one existed.
    ///
    /// # Errors
    /// Database failures.
    pub fn dismiss(
        &self,
        conn: &Connection,
        left_id: &str,
        right_id: &str,
        now: &str,
    ) -> Result<bool> {
        let sql = crate::sql_text!(
            [self.table, self.left.column, self.right.column],
            "UPDATE {t} SET deleted_at = ?3, updated_at = ?3
             WHERE {l} = ?1 AND {r} = ?2 AND deleted_at IS NULL",
            t = self.table,
            l = self.left.column,
            r = self.right.column,
        );
        Ok(conn
            .prepare_cached_static(sql)?
            .execute(params![left_id, right_id, now])?
            > 0)
    }

    /// Ids on the right linked to `left_id`, in link order.
    ///
    /// # Errors
    /// Database failures.
    pub fn rights_of(&self, conn: &Connection, left_id: &str) -> Result<Vec<String>> {
        self.ids(conn, self.right.column, self.left.column, left_id)
    }

    /// Ids on the left linked to `right_id`, in link order.
    ///
    /// # Errors
    /// Database failures.
    pub fn lefts_of(&self, conn: &Connection, right_id: &str) -> Result<Vec<String>> {
        self.ids(conn, self.left.column, self.right.column, right_id)
    }

    /// Rights linked to each of `left_ids`, in one query (for a page of entities).
    ///
    /// # Errors
    /// Database failures.
    pub fn rights_of_many(
        &self,
        conn: &Connection,
        left_ids: &[String],
    ) -> Result<HashMap<String, Vec<String>>> {
        let sql = format!(
            "SELECT {l}, {r} FROM {t}
             WHERE {l} IN (SELECT value FROM json_each(?1)) AND deleted_at IS NULL ORDER BY id",
            t = self.table,
            l = self.left.column,
            r = self.right.column,
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let list = serde_json::Value::from(left_ids.to_vec()).to_string();
        let mut rows = stmt.query([list])?;
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        while let Some(row) = rows.next()? {
            map.entry(row.get(0)?).or_default().push(row.get(1)?);
        }
        Ok(map)
    }

    /// A condition that the left entity `left_expr` (e.g. `p.id`) is linked to any right id
    /// of a JSON-list parameter `?`, for filtering another module's listing. Correlated, so
    /// the listing's own index keeps driving the page (one probe per row).
    pub fn left_linked_to_any(&self, left_expr: &str) -> String {
        format!(
            "EXISTS (SELECT 1 FROM {t} lk WHERE lk.{l} = {left_expr} AND lk.deleted_at IS NULL \
             AND lk.{r} IN (SELECT value FROM json_each(?)))",
            t = self.table,
            l = self.left.column,
            r = self.right.column,
        )
    }

    fn ids(
        &self,
        conn: &Connection,
        want: &'static str,
        by: &'static str,
        value: &str,
    ) -> Result<Vec<String>> {
        if !crate::db::job_memo::active() {
            return self.read_ids(conn, want, by, value);
        }
        let kind = crate::sql_text!([self.table, want], "{}.{want}", self.table);
        crate::db::job_memo::remembered(kind, value, &[self.table], || {
            self.read_ids(conn, want, by, value)
        })
    }

    fn read_ids(
        &self,
        conn: &Connection,
        want: &'static str,
        by: &'static str,
        value: &str,
    ) -> Result<Vec<String>> {
        let sql = crate::sql_text!(
            [self.table, want, by],
            "SELECT {want} FROM {t} WHERE {by} = ?1 AND deleted_at IS NULL ORDER BY id",
            t = self.table
        );
        let mut stmt = conn.prepare_cached_static(sql)?;
        let rows = stmt.query_map([value], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::module::migrate;

    fn link() -> Link {
        define_link(
            LinkEnd::new("customer", "customer_id"),
            LinkEnd::new("loyalty_account", "loyalty_account_id"),
        )
    }

    fn conn_with(link: &Link) -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        migrate(&conn, &[link.module()], "t").unwrap();
        conn
    }

    #[test]
    fn create_list_dismiss() {
        let link = link();
        let conn = conn_with(&link);
        link.create(&conn, "l1", "cus_1", "la_1", "t").unwrap();
        link.create(&conn, "l2", "cus_1", "la_1", "t").unwrap();
        link.create(&conn, "l3", "cus_1", "la_2", "t").unwrap();
        assert_eq!(
            link.rights_of(&conn, "cus_1").unwrap(),
            vec!["la_1", "la_2"]
        );
        assert_eq!(link.lefts_of(&conn, "la_2").unwrap(), vec!["cus_1"]);
        assert!(link.dismiss(&conn, "cus_1", "la_1", "t2").unwrap());
        assert!(!link.dismiss(&conn, "cus_1", "la_1", "t2").unwrap());
        assert_eq!(link.rights_of(&conn, "cus_1").unwrap(), vec!["la_2"]);
    }

    #[test]
    fn table_is_namespaced() {
        assert_eq!(link().table(), "link_customer_loyalty_account");
        assert!(link().module().owns_table("link_customer_loyalty_account"));
    }
}
