//! What SQLite holds in memory per connection: page cache, parsed schema and prepared
//! statements (`sqlite3_db_status`). SQLite's global memory statistics are compiled out
//! (`SQLITE_DEFAULT_MEMSTATUS=0`, `.cargo/config.toml`: they take a global mutex on every
//! allocation), so these per-connection figures are the way to see SQLite's share of the
//! process's memory (`/metrics`, BENCHMARKS.md "Memory under the checkout load").

use super::Store;
use crate::error::Result;
use rusqlite::Connection;
use rusqlite::ffi;

/// Bytes one connection (or a sum of connections) holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConnectionMemory {
    /// Page cache (`SQLITE_DBSTATUS_CACHE_USED`).
    pub page_cache: u64,
    /// Parsed schema (`SQLITE_DBSTATUS_SCHEMA_USED`).
    pub schema: u64,
    /// Prepared statements, the statement cache's included (`SQLITE_DBSTATUS_STMT_USED`).
    pub statements: u64,
}

impl ConnectionMemory {
    /// The figures of `conn` now.
    pub fn of(conn: &Connection) -> ConnectionMemory {
        ConnectionMemory {
            page_cache: status(conn, ffi::SQLITE_DBSTATUS_CACHE_USED),
            schema: status(conn, ffi::SQLITE_DBSTATUS_SCHEMA_USED),
            statements: status(conn, ffi::SQLITE_DBSTATUS_STMT_USED),
        }
    }

    /// The sum of two connections' figures.
    pub fn plus(self, other: ConnectionMemory) -> ConnectionMemory {
        ConnectionMemory {
            page_cache: self.page_cache + other.page_cache,
            schema: self.schema + other.schema,
            statements: self.statements + other.statements,
        }
    }
}

/// SQLite's memory, by connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SqliteMemory {
    /// The writer's connection.
    pub writer: ConnectionMemory,
    /// The pooled readers that were idle when asked (one in use by a request is skipped).
    pub readers: ConnectionMemory,
    /// How many readers were counted.
    pub readers_counted: usize,
}

impl Store {
    /// What SQLite holds in memory: the writer's connection (asked between batches) and the
    /// pooled readers idle right now (a reader serving a request is not waited for).
    ///
    /// # Errors
    /// The writer has stopped.
    pub fn sqlite_memory(&self) -> Result<SqliteMemory> {
        let writer = self
            .inner
            .writer
            .direct(|conn| Ok(ConnectionMemory::of(conn)))?;
        // All idle readers are held at once, or the pool would hand the same one back.
        let idle: Vec<_> = std::iter::from_fn(|| self.inner.pool.try_get())
            .take(self.inner.pool.max_size() as usize)
            .collect();
        let readers = idle
            .iter()
            .map(|conn| ConnectionMemory::of(conn))
            .fold(ConnectionMemory::default(), ConnectionMemory::plus);
        Ok(SqliteMemory {
            writer,
            readers,
            readers_counted: idle.len(),
        })
    }
}

/// The current value of one `sqlite3_db_status` counter, 0 if SQLite refuses the call.
fn status(conn: &Connection, op: std::ffi::c_int) -> u64 {
    let (mut current, mut highwater) = (0, 0);
    // SAFETY: the handle is a live connection borrowed for the call's duration (no other
    // thread uses it meanwhile: `Connection` is not `Sync`), and both out-pointers are valid.
    let rc = unsafe { ffi::sqlite3_db_status(conn.handle(), op, &mut current, &mut highwater, 0) };
    match rc {
        ffi::SQLITE_OK => u64::try_from(current).unwrap_or(0),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_reports_its_cache_schema_and_statements() {
        let conn = Connection::open_in_memory().unwrap();
        let empty = ConnectionMemory::of(&conn);
        conn.execute_batch(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
             INSERT INTO t (v) SELECT 'value ' || i FROM n;",
        )
        .unwrap();
        let mut statement = conn
            .prepare_cached_static("SELECT v FROM t WHERE id = ?1")
            .unwrap();
        let _: String = statement.query_row([7], |r| r.get(0)).unwrap();
        drop(statement);
        let used = ConnectionMemory::of(&conn);
        assert!(used.page_cache > empty.page_cache, "{used:?}");
        assert!(used.schema > empty.schema, "{used:?}");
        assert!(used.statements > empty.statements, "{used:?}");
        assert_eq!(
            empty.plus(used).page_cache,
            empty.page_cache + used.page_cache
        );
    }

    #[test]
    fn sqlite_memory_counts_the_writer_and_every_idle_reader() {
        let store = super::super::tests::memory_store();
        let warmed = store.warm_readers(|c| {
            c.query_row("SELECT count(*) FROM t", [], |r| r.get::<_, i64>(0))?;
            Ok(())
        });
        assert_eq!(warmed.unwrap(), 4);
        let memory = store.sqlite_memory().unwrap();
        assert_eq!(memory.readers_counted, 4);
        assert!(
            memory.writer.schema > 0 && memory.readers.schema > 0,
            "{memory:?}"
        );
        let held = store.inner.pool.get().unwrap();
        let fewer = store.sqlite_memory().unwrap();
        assert_eq!(
            fewer.readers_counted, 3,
            "a reader in use is not waited for"
        );
        drop(held);
    }
}
