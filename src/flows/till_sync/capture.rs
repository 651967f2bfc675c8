//! Change capture on central: `AFTER INSERT / UPDATE / DELETE` triggers on every replicated
//! table append the row's image to `till_sync_change`.
//!
//! Why triggers: they see every write path (services, flows, seeding, link helpers, a
//! cascade), so no write can be forgotten, and the log row commits in the same transaction
//! as the change, so `seq` order is commit order (one writer). The image is the row as it
//! was written, so replaying the log in order reproduces central's states in the order its
//! foreign keys allowed them. Triggers are generated from each table's current columns at
//! every engine build (after all migrations, links included) and replaced only when their
//! text changes; a table's first trigger also logs its existing rows, so a log begun on a
//! store with data still holds everything from cursor 0. A till drops them all: it captures
//! nothing.

use crate::db::Tx;
use crate::error::Result;
use rusqlite::Connection;

/// A replicated table: its name and an optional `WHEN` condition on the row (`R.` is the
/// row: `NEW` or `OLD`).
pub struct Replicated {
    /// Table name.
    pub table: &'static str,
    /// Rows of the table that leave central (`None`: all).
    pub only: Option<&'static str>,
}

const fn all(table: &'static str) -> Replicated {
    Replicated { table, only: None }
}

/// What a till pulls, parents before children (the order a first snapshot is logged in).
/// Not pulled: orders, carts, payments, fulfillments, reservations, the workflow journal
/// and events (each store's own), users, identities and secret keys (never leave central),
/// files, the FTS shadow tables (a till's own triggers keep its index).
pub const TABLES: &[Replicated] = &[
    all("sales_channel"),
    Replicated {
        table: "api_key",
        only: Some("R.type = 'publishable'"),
    },
    all("store"),
    all("store_currency"),
    all("customer"),
    all("customer_address"),
    all("customer_group"),
    all("customer_group_customer"),
    all("region"),
    all("region_country"),
    all("product_collection"),
    all("product_type"),
    all("product_tag"),
    all("product_category"),
    all("product"),
    all("product_option"),
    all("product_option_value"),
    all("product_variant"),
    all("product_variant_option"),
    all("product_image"),
    all("product_tags"),
    all("product_category_product"),
    all("pricing_price_set"),
    all("pricing_price_list"),
    all("pricing_price_list_rule"),
    all("pricing_price"),
    all("pricing_price_rule"),
    all("pricing_price_preference"),
    all("tax_region"),
    all("tax_rate"),
    all("tax_rate_rule"),
    all("stock_location_address"),
    all("stock_location"),
    all("inventory_item"),
    all("inventory_level"),
    all("fulfillment_set"),
    all("fulfillment_service_zone"),
    all("fulfillment_geo_zone"),
    all("fulfillment_shipping_profile"),
    all("fulfillment_shipping_option_type"),
    all("fulfillment_shipping_option"),
    all("fulfillment_shipping_option_rule"),
    all("fulfillment_shipping_option_price"),
    all("payment_refund_reason"),
    all("order_return_reason"),
    all("promotion_campaign"),
    all("promotion_campaign_budget"),
    all("promotion"),
    all("promotion_application_method"),
    all("promotion_rule"),
    all("promotion_rule_value"),
    all("link_publishable_api_key_sales_channel"),
    all("link_product_variant_inventory_item"),
    all("link_sales_channel_stock_location"),
    all("link_stock_location_fulfillment_set"),
    all("link_stock_location_fulfillment_provider"),
    all("link_product_variant_price_set"),
    all("link_product_sales_channel"),
    all("link_region_payment_provider"),
    // Staff PINs (hashes only): a PIN set on central works on every till.
    all("pos_staff_pin"),
];

/// Columns a till keeps its own value of when a pulled row updates an existing one: counters
/// each store moves itself (its reservations, its promotion usage). An update on central
/// that changes only these (and `updated_at`) is not captured either, so a checkout's
/// reservation or usage count adds nothing to central's log.
pub const LOCAL_COLUMNS: &[(&str, &str)] = &[
    ("inventory_level", "reserved_quantity"),
    ("promotion", "used"),
    ("promotion_campaign_budget", "used"),
];

/// Columns never copied: a store's own integer row keys (`product.pk` orders the FTS
/// index; each store numbers its own rows).
pub const SKIPPED_COLUMNS: &[(&str, &str)] = &[("product", "pk")];

/// A table's copied columns and its row key (`id` when it has one, else its primary key).
///
/// # Errors
/// Database failures.
pub fn shape(conn: &Connection, table: &str) -> Result<(Vec<String>, Vec<String>)> {
    let mut stmt = conn.prepare(&format!("PRAGMA table_info(\"{table}\")"))?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(1)?, r.get::<_, i64>(5)?)))?;
    let rows = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    let columns: Vec<String> = rows
        .iter()
        .map(|(name, _)| name.clone())
        .filter(|name| !SKIPPED_COLUMNS.contains(&(table, name.as_str())))
        .collect();
    let key = if columns.iter().any(|c| c == "id") {
        vec!["id".to_string()]
    } else {
        let mut pk: Vec<(String, i64)> = rows.into_iter().filter(|(_, pk)| *pk > 0).collect();
        pk.sort_by_key(|(_, position)| *position);
        pk.into_iter().map(|(name, _)| name).collect()
    };
    Ok((columns, key))
}

fn json_object(columns: &[String], row: &str) -> String {
    let pairs: Vec<String> = columns
        .iter()
        .map(|c| format!("'{c}', {row}.\"{c}\""))
        .collect();
    format!("json_object({})", pairs.join(", "))
}

/// The trigger statements of one table: (trigger name, SQL).
fn triggers(conn: &Connection, replicated: &Replicated) -> Result<Vec<(String, String)>> {
    let table = replicated.table;
    let (columns, key) = shape(conn, table)?;
    let mut out = Vec::new();
    for (op, event, row) in [
        ("upsert", "INSERT", "NEW"),
        ("upsert", "UPDATE", "NEW"),
        ("delete", "DELETE", "OLD"),
    ] {
        let name = format!("till_sync_capture_{table}_{}", event.to_lowercase());
        let event = if event == "UPDATE" && LOCAL_COLUMNS.iter().any(|(t, _)| *t == table) {
            let watched: Vec<String> = columns
                .iter()
                .filter(|c| *c != "updated_at" && !LOCAL_COLUMNS.contains(&(table, c.as_str())))
                .map(|c| format!("\"{c}\""))
                .collect();
            format!("UPDATE OF {}", watched.join(", "))
        } else {
            event.to_string()
        };
        let when = replicated
            .only
            .map(|c| format!(" WHEN {}", c.replace("R.", &format!("{row}."))))
            .unwrap_or_default();
        let image = if op == "delete" {
            "NULL".to_string()
        } else {
            json_object(&columns, row)
        };
        let sql = format!(
            "CREATE TRIGGER \"{name}\" AFTER {event} ON \"{table}\"{when} BEGIN \
             INSERT INTO till_sync_change (tbl, op, row_key, image) VALUES ('{table}', '{op}', {}, {image}); END",
            json_object(&key, row)
        );
        out.push((name, sql));
    }
    Ok(out)
}

fn existing_trigger(conn: &Connection, name: &str) -> Result<Option<String>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .query_row(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1",
            [name],
            |r| r.get(0),
        )
        .optional()?)
}

/// Installs (or, on a till, removes) the capture triggers; replaces a trigger whose table
/// changed shape. A table getting its first trigger logs its existing rows.
///
/// # Errors
/// Database failures.
pub fn ensure(tx: &Tx, capture: bool) -> Result<()> {
    for replicated in TABLES {
        let wanted = triggers(tx, replicated)?;
        let mut first = true;
        for (name, sql) in &wanted {
            let found = existing_trigger(tx, name)?;
            first &= found.is_none();
            if !capture {
                if found.is_some() {
                    tx.execute_batch(&format!("DROP TRIGGER \"{name}\""))?;
                }
                continue;
            }
            if found.as_deref() != Some(sql.as_str()) {
                if found.is_some() {
                    tx.execute_batch(&format!("DROP TRIGGER \"{name}\""))?;
                }
                tx.execute_batch(sql)?;
            }
        }
        if capture && first {
            log_existing(tx, replicated)?;
        }
    }
    Ok(())
}

fn log_existing(conn: &Connection, replicated: &Replicated) -> Result<()> {
    let table = replicated.table;
    let (columns, key) = shape(conn, table)?;
    let when = replicated
        .only
        .map(|c| format!(" WHERE {c}"))
        .unwrap_or_default();
    conn.execute_batch(&format!(
        "INSERT INTO till_sync_change (tbl, op, row_key, image)
         SELECT '{table}', 'upsert', {}, {} FROM \"{table}\" AS R{when}",
        json_object(&key, "R"),
        json_object(&columns, "R"),
    ))?;
    Ok(())
}
