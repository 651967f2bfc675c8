//! X- and Z-reports: a session's sales, returns, discounts, taxes, takings per tender and per
//! staff member, and the drawer's expected cash. The same sums serve both: an X-report is
//! read at any time from an open session, the Z-report is the closed session's (which no
//! longer changes). Everything is summed in SQL over the rows each sale and movement wrote
//! in its own write job, so a report read in one read transaction is consistent.

use crate::error::Result;
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Takings of one tender kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenderLine {
    /// How many tenders.
    pub count: i64,
    /// What they paid (minor units).
    pub amount: i64,
}

/// One staff member's sales.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffLine {
    /// Sales rung up.
    pub sales: i64,
    /// Their total.
    pub total: i64,
}

/// A session's report (minor units).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Sales completed.
    pub sales_count: i64,
    /// Items before discounts.
    pub subtotal: i64,
    /// Promotion discounts.
    pub discount_total: i64,
    /// Manual line discounts.
    pub manual_discount_total: i64,
    /// Taxes.
    pub tax_total: i64,
    /// Sales total (what customers owed).
    pub sales_total: i64,
    /// Net cash rounding (taken off cash payments).
    pub cash_rounding: i64,
    /// Per tender kind (`cash`, `card`).
    pub tenders: BTreeMap<String, TenderLine>,
    /// Per staff member (user id).
    pub staff: BTreeMap<String, StaffLine>,
    /// Returns taken.
    pub returns_count: i64,
    /// What they refunded.
    pub returns_total: i64,
    /// Refunded from this drawer in cash.
    pub cash_refunds: i64,
    /// Pay-ins.
    pub pay_ins: i64,
    /// Pay-outs.
    pub pay_outs: i64,
    /// Opening float.
    pub opening_float: i64,
    /// float + cash takings + pay-ins − pay-outs − cash refunds.
    pub expected_cash: i64,
}

/// The report of a session.
///
/// # Errors
/// Database failures.
pub fn of_session(conn: &Connection, session_id: &str, opening_float: i64) -> Result<Report> {
    let mut report = conn
        .prepare_cached_static(
            "SELECT COUNT(*), COALESCE(SUM(subtotal), 0), COALESCE(SUM(discount_total), 0),
                    COALESCE(SUM(manual_discount_total), 0), COALESCE(SUM(tax_total), 0),
                    COALESCE(SUM(total), 0), COALESCE(SUM(cash_rounding), 0)
             FROM pos_sale WHERE session_id = ?1",
        )?
        .query_row([session_id], |r| {
            Ok(Report {
                sales_count: r.get(0)?,
                subtotal: r.get(1)?,
                discount_total: r.get(2)?,
                manual_discount_total: r.get(3)?,
                tax_total: r.get(4)?,
                sales_total: r.get(5)?,
                cash_rounding: r.get(6)?,
                opening_float,
                ..Report::default()
            })
        })?;
    let mut stmt = conn.prepare_cached_static(
        "SELECT kind, COUNT(*), SUM(amount) FROM pos_tender WHERE session_id = ?1 GROUP BY kind",
    )?;
    for row in stmt.query_map([session_id], |r| {
        Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?))
    })? {
        let (kind, count, amount) = row?;
        report.tenders.insert(kind, TenderLine { count, amount });
    }
    let mut stmt = conn.prepare_cached_static(
        "SELECT staff_user_id, COUNT(*), SUM(total) FROM pos_sale WHERE session_id = ?1 GROUP BY staff_user_id",
    )?;
    for row in stmt.query_map([session_id], |r| {
        Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?))
    })? {
        let (user, sales, total) = row?;
        report.staff.insert(user, StaffLine { sales, total });
    }
    (report.returns_count, report.returns_total) = conn
        .prepare_cached_static(
            "SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM pos_return WHERE session_id = ?1",
        )?
        .query_row([session_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let movement = |kind: &str| -> Result<i64> {
        Ok(conn
            .prepare_cached_static(
                "SELECT COALESCE(SUM(amount), 0) FROM pos_cash_movement WHERE session_id = ?1 AND kind = ?2",
            )?
            .query_row(params![session_id, kind], |r| r.get(0))?)
    };
    report.pay_ins = movement("pay_in")?;
    report.pay_outs = movement("pay_out")?;
    report.cash_refunds = movement("refund")?;
    let cash = report.tenders.get("cash").map_or(0, |t| t.amount);
    report.expected_cash =
        opening_float + cash + report.pay_ins - report.pay_outs - report.cash_refunds;
    Ok(report)
}
