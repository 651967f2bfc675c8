//! Synthetic copies of a real order: every row its checkout inserted, written again with
//! fresh ids from the engine's generator, the copy's own times, customer, email and display
//! id. Nothing else changes: the copy has the template's items, prices, totals, addresses,
//! payment, reservation, event and workflow journal rows, byte for byte apart from those.
//!
//! A template is compiled once into a [`Plan`]: each text value becomes literal pieces and
//! slots (an id the checkout made, a timestamp, the customer id, the email), so writing a
//! copy is concatenation and one prepared `INSERT` per row.

use crate::templates::Template;
use rusqlite::Connection;
use rusqlite::types::Value as SqlValue;
use std::collections::BTreeMap;
use stockroom::clock::{Millis, format_iso8601, parse_iso8601};
use stockroom::ctx::Ctx;
use stockroom::{Error, Result};

/// A piece of a text value.
#[derive(Debug, Clone)]
enum Part {
    Lit(String),
    /// The copy's counterpart of the template's id number `n`.
    Id(usize),
    /// The copy's time at offset number `n`.
    Time(usize),
    Customer,
    Email,
}

/// A column value of a template row.
#[derive(Debug, Clone)]
enum Cell {
    Value(SqlValue),
    Text(Vec<Part>),
    DisplayId,
}

#[derive(Debug, Clone)]
struct TablePlan {
    sql: String,
    rows: Vec<Vec<Cell>>,
}

/// A compiled template.
#[derive(Debug, Clone)]
pub struct Plan {
    tables: Vec<TablePlan>,
    /// Id prefixes (`cart`, `wf_exec`, …), one per id slot.
    prefixes: Vec<String>,
    /// Offsets from the template's start, one per time slot.
    offsets: Vec<Millis>,
    /// Inventory held by the order: `(inventory item, location, quantity)`.
    pub reservations: Vec<(String, String, i64)>,
    /// Whether a registered customer placed it (copies get another one).
    pub registered: bool,
    /// Rows per table of one order.
    pub rows_per_order: BTreeMap<String, u64>,
    /// Latest time offset (the copy's last write, after its start).
    pub span_ms: Millis,
}

/// Who and when one copy is.
#[derive(Debug, Clone)]
pub struct Copy<'a> {
    /// The copy's start (its cart's creation).
    pub start_ms: Millis,
    /// `order.display_id`.
    pub display_id: i64,
    /// The customer id (registered templates).
    pub customer_id: Option<&'a str>,
    /// The cart's and order's email.
    pub email: &'a str,
}

/// Compiles `template`.
///
/// # Errors
/// A timestamp the clock cannot parse (never for rows the engine wrote).
pub fn plan(template: &Template) -> Result<Plan> {
    let keys = dictionary(template);
    let mut offsets = Vec::new();
    let mut tables = Vec::new();
    let mut rows_per_order = BTreeMap::new();
    for t in &template.tables {
        let display = t.table == "order";
        let mut rows = Vec::with_capacity(t.rows.len());
        for row in &t.rows {
            let mut cells = Vec::with_capacity(row.len());
            for (column, value) in t.columns.iter().zip(row) {
                cells.push(match value {
                    SqlValue::Integer(_) if display && column == "display_id" => Cell::DisplayId,
                    SqlValue::Text(s) => compile(s, &keys, template.started_ms, &mut offsets)?,
                    other => Cell::Value(other.clone()),
                });
            }
            rows.push(cells);
        }
        rows_per_order.insert(t.table.clone(), t.rows.len() as u64);
        tables.push(TablePlan {
            sql: insert_sql(&t.table, &t.columns),
            rows,
        });
    }
    Ok(Plan {
        tables,
        prefixes: prefixes(&keys),
        span_ms: offsets.iter().copied().max().unwrap_or(0),
        offsets,
        reservations: reservations(template),
        registered: template.customer.is_some(),
        rows_per_order,
    })
}

/// Strings to replace, longest first: every id the checkout made (the `id` column of each
/// row it inserted), then the customer id and the email.
fn dictionary(template: &Template) -> Vec<(String, Part)> {
    let mut keys: Vec<(String, Part)> = Vec::new();
    for t in &template.tables {
        let Some(at) = t.columns.iter().position(|c| c == "id") else {
            continue;
        };
        for row in &t.rows {
            if let SqlValue::Text(id) = &row[at] {
                let n = keys.len();
                keys.push((id.clone(), Part::Id(n)));
            }
        }
    }
    if let Some(c) = &template.customer {
        keys.push((c.id.clone(), Part::Customer));
    }
    keys.push((template.email.clone(), Part::Email));
    keys.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));
    keys
}

/// Id slot `n`'s prefix (`pay_col_01…` → `pay_col`), in slot order.
fn prefixes(keys: &[(String, Part)]) -> Vec<String> {
    let mut out: Vec<(usize, String)> = keys
        .iter()
        .filter_map(|(k, p)| match p {
            Part::Id(n) => Some((*n, k.rsplit_once('_').map_or("", |(a, _)| a).to_string())),
            _ => None,
        })
        .collect();
    out.sort();
    out.into_iter().map(|(_, p)| p).collect()
}

fn reservations(template: &Template) -> Vec<(String, String, i64)> {
    let Some(t) = template
        .tables
        .iter()
        .find(|t| t.table == "inventory_reservation_item")
    else {
        return Vec::new();
    };
    let col = |name: &str| t.columns.iter().position(|c| c == name);
    let (Some(item), Some(location), Some(quantity)) = (
        col("inventory_item_id"),
        col("location_id"),
        col("quantity"),
    ) else {
        return Vec::new();
    };
    t.rows
        .iter()
        .filter_map(|r| match (&r[item], &r[location], &r[quantity]) {
            (SqlValue::Text(i), SqlValue::Text(l), SqlValue::Integer(q)) => {
                Some((i.clone(), l.clone(), *q))
            }
            _ => None,
        })
        .collect()
}

fn insert_sql(table: &str, columns: &[String]) -> String {
    let names: Vec<String> = columns.iter().map(|c| format!("\"{c}\"")).collect();
    let marks: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
    format!(
        "INSERT INTO \"{table}\" ({}) VALUES ({})",
        names.join(", "),
        marks.join(", ")
    )
}

/// A text value as literal pieces and slots.
fn compile(
    text: &str,
    keys: &[(String, Part)],
    start: Millis,
    offsets: &mut Vec<Millis>,
) -> Result<Cell> {
    let bytes = text.as_bytes();
    let (mut parts, mut lit, mut i) = (Vec::new(), 0, 0);
    while i < bytes.len() {
        let found = match keys.iter().find(|(k, _)| text[i..].starts_with(k.as_str())) {
            Some((k, part)) => Some((part.clone(), k.len())),
            None if is_timestamp(&bytes[i..]) => {
                let at = parse_iso8601(&text[i..i + 24])
                    .ok_or_else(|| Error::Internal(format!("bad timestamp in {text}")))?;
                Some((Part::Time(slot(offsets, at - start)), 24))
            }
            None => None,
        };
        match found {
            Some((part, len)) => {
                if lit < i {
                    parts.push(Part::Lit(text[lit..i].to_string()));
                }
                parts.push(part);
                i += len;
                lit = i;
            }
            None => i += 1,
        }
    }
    if parts.is_empty() {
        return Ok(Cell::Value(SqlValue::Text(text.to_string())));
    }
    if lit < bytes.len() {
        parts.push(Part::Lit(text[lit..].to_string()));
    }
    Ok(Cell::Text(parts))
}

fn slot(offsets: &mut Vec<Millis>, offset: Millis) -> usize {
    match offsets.iter().position(|o| *o == offset) {
        Some(n) => n,
        None => {
            offsets.push(offset);
            offsets.len() - 1
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` at the start of `b`.
fn is_timestamp(b: &[u8]) -> bool {
    const SHAPE: &[u8; 24] = b"dddd-dd-ddTdd:dd:dd.dddZ";
    b.len() >= 24
        && SHAPE.iter().zip(b).all(|(s, c)| {
            if *s == b'd' {
                c.is_ascii_digit()
            } else {
                s == c
            }
        })
}

/// Writes one copy of `plan`: fresh ids (made at the copy's start on the engine clock, so
/// they sort like real ones), times shifted to `copy.start_ms`.
///
/// # Errors
/// Database failures (a constraint means the plan is wrong: the job rolls back).
pub fn insert(conn: &Connection, ctx: &Ctx, plan: &Plan, copy: &Copy) -> Result<()> {
    ctx.clock.set(copy.start_ms);
    let ids: Vec<String> = plan.prefixes.iter().map(|p| ctx.id(p)).collect();
    let times: Vec<String> = plan
        .offsets
        .iter()
        .map(|o| format_iso8601(copy.start_ms + o))
        .collect();
    let mut buf = String::with_capacity(512);
    for table in &plan.tables {
        let mut stmt = conn.prepare_cached(&table.sql)?;
        for row in &table.rows {
            for (i, cell) in row.iter().enumerate() {
                match cell {
                    Cell::Value(v) => stmt.raw_bind_parameter(i + 1, v)?,
                    Cell::DisplayId => stmt.raw_bind_parameter(i + 1, copy.display_id)?,
                    Cell::Text(parts) => {
                        render(parts, &ids, &times, copy, &mut buf);
                        stmt.raw_bind_parameter(i + 1, buf.as_str())?;
                    }
                }
            }
            stmt.raw_execute()?;
        }
    }
    Ok(())
}

fn render(parts: &[Part], ids: &[String], times: &[String], copy: &Copy, buf: &mut String) {
    buf.clear();
    for part in parts {
        buf.push_str(match part {
            Part::Lit(s) => s,
            Part::Id(n) => &ids[*n],
            Part::Time(n) => &times[*n],
            Part::Customer => copy.customer_id.unwrap_or_default(),
            Part::Email => copy.email,
        });
    }
}
