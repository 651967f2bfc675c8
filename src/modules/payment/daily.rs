//! Money per day, for the admin home page: the payments made each day (a checkout's payment
//! is its order's total, so this is the value of the day's paid orders) that were not
//! canceled, and the refunds made each day, per currency. Two index ranges
//! (`payment_created`, `payment_refund_created`) over the days asked for.

use crate::error::Result;
use rusqlite::{Connection, params};
use std::collections::BTreeMap;

/// One day's money in one currency, in minor units.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayTotal {
    /// Payments made that day and not canceled.
    pub sales: i64,
    /// Refunds made that day.
    pub refunds: i64,
}

impl DayTotal {
    /// Sales less refunds.
    pub fn net(&self) -> i64 {
        self.sales - self.refunds
    }
}

/// `(day "YYYY-MM-DD", currency)` → the day's money, for every day from `since` (a day,
/// inclusive) that had a payment or a refund.
///
/// # Errors
/// Database failures.
pub fn per_day(conn: &Connection, since: &str) -> Result<BTreeMap<(String, String), DayTotal>> {
    let mut out: BTreeMap<(String, String), DayTotal> = BTreeMap::new();
    let mut sales = conn.prepare_cached_static(
        "SELECT substr(created_at, 1, 10), currency_code, SUM(amount) FROM payment
         WHERE created_at >= ?1 AND canceled_at IS NULL AND deleted_at IS NULL
         GROUP BY 1, 2",
    )?;
    let rows = sales.query_map(params![since], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?))
    })?;
    for row in rows {
        let (day, currency, amount) = row?;
        out.entry((day, currency)).or_default().sales = amount;
    }
    let mut refunds = conn.prepare_cached_static(
        "SELECT substr(r.created_at, 1, 10), p.currency_code, SUM(r.amount)
         FROM payment_refund r JOIN payment p ON p.id = r.payment_id
         WHERE r.created_at >= ?1 AND r.deleted_at IS NULL
         GROUP BY 1, 2",
    )?;
    let rows = refunds.query_map(params![since], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?))
    })?;
    for row in rows {
        let (day, currency, amount) = row?;
        out.entry((day, currency)).or_default().refunds = amount;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE payment (id TEXT, currency_code TEXT, amount INTEGER, created_at TEXT,
                 canceled_at TEXT, deleted_at TEXT);
             CREATE TABLE payment_refund (id TEXT, payment_id TEXT, amount INTEGER,
                 created_at TEXT, deleted_at TEXT);
             INSERT INTO payment VALUES
               ('p1', 'usd', 1000, '2026-12-06T10:00:00.000Z', NULL, NULL),
               ('p2', 'usd', 500, '2026-12-06T23:59:59.999Z', NULL, NULL),
               ('p3', 'eur', 700, '2026-12-07T08:00:00.000Z', NULL, NULL),
               ('p4', 'usd', 9999, '2026-12-07T08:00:00.000Z', '2026-12-07T09:00:00.000Z', NULL),
               ('p5', 'usd', 300, '2026-11-01T08:00:00.000Z', NULL, NULL);
             INSERT INTO payment_refund VALUES
               ('r1', 'p1', 250, '2026-12-07T12:00:00.000Z', NULL),
               ('r2', 'p5', 300, '2026-11-02T12:00:00.000Z', NULL);",
        )
        .unwrap();
        conn
    }

    #[test]
    fn days_add_up_payments_and_refunds_per_currency() {
        let days = per_day(&store(), "2026-12-01").unwrap();
        let day = |d: &str, c: &str| days.get(&(d.to_string(), c.to_string())).cloned();
        assert_eq!(
            day("2026-12-06", "usd"),
            Some(DayTotal {
                sales: 1500,
                refunds: 0
            })
        );
        let today = day("2026-12-07", "usd").unwrap();
        assert_eq!((today.sales, today.refunds, today.net()), (0, 250, -250));
        assert_eq!(day("2026-12-07", "eur").map(|d| d.sales), Some(700));
        assert_eq!(days.len(), 3, "November is before the range");
    }
}
