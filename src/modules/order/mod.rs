//! Orders: what a completed cart became. A `display_id` sequence (1, 2, 3 …; safe because
//! every write runs on the single writer), items and shipping methods copied from the cart
//! with their tax lines, addresses copied without their ids. Totals are computed on read.

pub mod admin;
pub mod after_sales;
pub mod after_sales_items;
pub mod change_actions;
pub mod change_status;
pub mod changes;
pub mod changes_admin;
pub mod draft_lines;
pub mod items;
pub mod listing;
pub mod manage;
pub mod return_actions;
pub mod return_items;
pub mod return_reason;
pub mod returns;
pub mod shipping;
pub mod summary;

pub use items::LineItem;
pub use shipping::ShippingMethod;

use crate::ctx::Ctx;
use crate::db::module::Module;
use crate::error::{Error, Result};
use crate::migration;
use crate::modules::{metadata_from_sql, sql_value};
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use serde_json::{Map, Value};

/// The module: tables `order*`.
pub fn module() -> Module {
    Module::new("order", "order")
        .migration(migration!("order", "0001_init.sql"))
        .migration(migration!("order", "0002_history.sql"))
        .migration(migration!("order", "0003_order_change.sql"))
        .migration(migration!("order", "0004_adjustments.sql"))
        .migration(migration!("order", "0005_return_reason.sql"))
        .migration(migration!("order", "0006_order_change_flags.sql"))
        .migration(migration!("order", "0007_return.sql"))
        .migration(migration!("order", "0008_draft_order.sql"))
        .migration(migration!("order", "0009_exchange_claim.sql"))
        .migration(migration!("order", "0010_draft_index.sql"))
        .migration(migration!("order", "0011_order_summary.sql"))
        .migration(migration!("order", "0012_admin_lists.sql"))
        .migration(migration!("order", "0013_search_at_batch_end.sql"))
        .at_batch_end("order_search_pending", SEARCH_AT_BATCH_END)
}

/// Indexes the orders the batch noted for search (`0013_search_at_batch_end.sql`): their old
/// documents out, their current ones in, the notes cleared.
const SEARCH_AT_BATCH_END: &[&str] = &[
    "DELETE FROM order_search WHERE rowid IN \
     (SELECT order_rowid FROM order_search_pending WHERE indexed = 1)",
    "INSERT INTO order_search (rowid, doc) SELECT d.order_rowid, d.doc \
     FROM order_search_pending p JOIN order_search_doc d ON d.order_rowid = p.order_rowid",
    "DELETE FROM order_search_pending",
];

/// Indexes the orders noted for search, as the writer does at the end of a batch: for tests
/// that write on a bare connection.
#[cfg(test)]
pub(crate) fn index_noted_orders(conn: &Connection) {
    for sql in SEARCH_AT_BATCH_END {
        conn.execute(sql, []).expect("batch-end search statement");
    }
}

/// An order as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Order {
    /// `order_…`
    pub id: String,
    /// 1, 2, 3 …
    pub display_id: i64,
    /// `pending`, `completed`, `canceled`…
    pub status: String,
    /// `reg_…`
    pub region_id: Option<String>,
    /// `cus_…`
    pub customer_id: Option<String>,
    /// `sc_…`
    pub sales_channel_id: Option<String>,
    /// Contact email.
    pub email: Option<String>,
    /// Currency.
    pub currency_code: String,
    /// `ordaddr_…`
    pub shipping_address_id: Option<String>,
    /// `ordaddr_…`
    pub billing_address_id: Option<String>,
    /// Free-form JSON.
    pub metadata: Option<Value>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
    /// 1 at placement; each confirmed [`changes`] entry moves it on. Internal: not part of
    /// the store's order document.
    #[serde(skip_serializing)]
    pub version: i64,
}

pub use crate::lines::{Adjustment, TaxLine};

/// The order's total (items and shipping, tax and discounts included), minor units.
///
/// # Errors
/// Database failures; amounts out of range.
pub fn total(conn: &Connection, id: &str) -> Result<i64> {
    let items: Vec<_> = items::items_of(conn, id)?
        .iter()
        .map(LineItem::totals_line)
        .collect();
    let methods: Vec<_> = shipping::methods_of(conn, id)?
        .iter()
        .map(ShippingMethod::totals_line)
        .collect();
    Ok(crate::totals::Totals::of(&items, &methods)?.total())
}

/// Input of [`create`].
#[derive(Debug, Clone, Default)]
pub struct NewOrder {
    /// `reg_…`
    pub region_id: Option<String>,
    /// `cus_…`
    pub customer_id: Option<String>,
    /// `sc_…`
    pub sales_channel_id: Option<String>,
    /// Contact email.
    pub email: Option<String>,
    /// Currency.
    pub currency_code: String,
    /// Free-form JSON.
    pub metadata: Option<Value>,
    /// Address fields.
    pub shipping_address: Option<Map<String, Value>>,
    /// Address fields.
    pub billing_address: Option<Map<String, Value>>,
    /// Items with their tax lines.
    pub items: Vec<LineItem>,
    /// Shipping methods with their tax lines.
    pub shipping_methods: Vec<ShippingMethod>,
}

pub(crate) const COLUMNS: &str =
    "id, display_id, status, region_id, customer_id, sales_channel_id, email, currency_code,
    shipping_address_id, billing_address_id, metadata, created_at, updated_at, version";

pub(crate) fn from_row(r: &Row) -> rusqlite::Result<Order> {
    Ok(Order {
        id: r.get(0)?,
        display_id: r.get(1)?,
        status: r.get(2)?,
        region_id: r.get(3)?,
        customer_id: r.get(4)?,
        sales_channel_id: r.get(5)?,
        email: r.get(6)?,
        currency_code: r.get(7)?,
        shipping_address_id: r.get(8)?,
        billing_address_id: r.get(9)?,
        metadata: metadata_from_sql(r.get(10)?),
        created_at: r.get(11)?,
        updated_at: r.get(12)?,
        version: r.get(13)?,
    })
}

/// Address columns copied from a cart address.
pub const ADDRESS_FIELDS: &[&str] = &[
    "customer_id",
    "company",
    "first_name",
    "last_name",
    "address_1",
    "address_2",
    "city",
    "country_code",
    "province",
    "postal_code",
    "phone",
    "metadata",
];

pub(crate) fn insert_address(
    conn: &Connection,
    ctx: &Ctx,
    fields: Option<&Map<String, Value>>,
) -> Result<Option<String>> {
    let Some(fields) = fields else {
        return Ok(None);
    };
    let (id, now) = (ctx.id("ordaddr"), ctx.now());
    // One insert with every column (the absent ones NULL, as the table has no defaults):
    // each placed order inserts two of these.
    let mut values = Vec::with_capacity(ADDRESS_FIELDS.len() + 2);
    values.push(SqlValue::Text(id.clone()));
    for field in ADDRESS_FIELDS {
        values.push(fields.get(*field).map_or(SqlValue::Null, sql_value));
    }
    values.push(SqlValue::Text(now));
    conn.prepare_cached_static(ADDRESS_INSERT)?
        .execute(rusqlite::params_from_iter(values))?;
    Ok(Some(id))
}

/// The insert of [`insert_address`]: `id`, [`ADDRESS_FIELDS`] in order, then the time.
const ADDRESS_INSERT: &str = "INSERT INTO order_address (id, customer_id, company, first_name, \
     last_name, address_1, address_2, city, country_code, province, postal_code, phone, metadata, \
     created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)";

/// Creates an order with the next display id, its addresses, items, shipping methods and
/// tax lines. Returns its id.
///
/// # Errors
/// Database failures.
pub fn create(conn: &Connection, ctx: &Ctx, input: &NewOrder) -> Result<String> {
    let (id, now) = (ctx.id("order"), ctx.now());
    let shipping = insert_address(conn, ctx, input.shipping_address.as_ref())?;
    let billing = insert_address(conn, ctx, input.billing_address.as_ref())?;
    conn.prepare_cached_static(
        "INSERT INTO \"order\" (id, display_id, region_id, customer_id, sales_channel_id, email, currency_code,
           shipping_address_id, billing_address_id, metadata, created_at, updated_at)
         VALUES (?1, (SELECT COALESCE(MAX(display_id), 0) + 1 FROM \"order\"), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
    )?
    .execute(params![
        id, input.region_id, input.customer_id, input.sales_channel_id, input.email, input.currency_code,
        shipping, billing, input.metadata.as_ref().map(Value::to_string), now
    ])?;
    for item in &input.items {
        let item_id = items::add_item(conn, ctx, &id, item)?;
        set_tax_lines(
            conn,
            ctx,
            "order_line_item_tax_line",
            "item_id",
            &item_id,
            &item.tax_lines,
        )?;
        crate::lines::insert_adjustments(
            conn,
            ctx,
            ("order_line_item_adjustment", "item_id", "ordliadj"),
            &item_id,
            &item.adjustments,
        )?;
    }
    for method in &input.shipping_methods {
        let method_id = shipping::replace_methods(conn, ctx, &id, method)?;
        set_tax_lines(
            conn,
            ctx,
            "order_shipping_method_tax_line",
            "shipping_method_id",
            &method_id,
            &method.tax_lines,
        )?;
        crate::lines::insert_adjustments(
            conn,
            ctx,
            (
                "order_shipping_method_adjustment",
                "shipping_method_id",
                "ordsmadj",
            ),
            &method_id,
            &method.adjustments,
        )?;
    }
    Ok(id)
}

/// An order by id.
///
/// # Errors
/// 404 "Order with id: X was not found".
pub fn retrieve(conn: &Connection, id: &str) -> Result<Order> {
    // Placing an order reads it back five times (reservations, promotion usage, the mail,
    // the reply); within a write job, once until the job changes it.
    crate::db::job_memo::remembered("order", id, &["order"], || {
        conn.prepare_cached_static(crate::sql_text!(
            [],
            "SELECT {COLUMNS} FROM \"order\" WHERE id = ?1 AND deleted_at IS NULL"
        ))?
        .query_row([id], from_row)
        .optional()?
        .ok_or_else(|| Error::not_found("Order", id))
    })
}

/// How many live orders the store holds (what `stockroom export` reports leaving out), from
/// the trigger-kept count: constant time at any history size.
///
/// # Errors
/// Database failures.
pub fn count_live(conn: &Connection) -> Result<u64> {
    let n: i64 = conn
        .prepare_cached_static("SELECT live FROM order_live_count WHERE id = 1")?
        .query_row([], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or_default())
}

pub use listing::list_for_customer;

/// Removes an order and everything under it (compensation of a failed checkout: the order
/// never existed for anyone).
///
/// # Errors
/// Database failures.
pub fn delete(conn: &Connection, id: &str) -> Result<()> {
    conn.execute(
        "DELETE FROM order_line_item_tax_line WHERE item_id IN (SELECT id FROM order_line_item WHERE order_id = ?1)",
        [id],
    )?;
    conn.execute(
        "DELETE FROM order_shipping_method_tax_line WHERE shipping_method_id IN (SELECT id FROM order_shipping_method WHERE order_id = ?1)",
        [id],
    )?;
    conn.execute(
        "DELETE FROM order_line_item_adjustment WHERE item_id IN (SELECT id FROM order_line_item WHERE order_id = ?1)",
        [id],
    )?;
    conn.execute(
        "DELETE FROM order_shipping_method_adjustment WHERE shipping_method_id IN (SELECT id FROM order_shipping_method WHERE order_id = ?1)",
        [id],
    )?;
    conn.execute("DELETE FROM order_line_item WHERE order_id = ?1", [id])?;
    conn.execute(
        "DELETE FROM order_shipping_method WHERE order_id = ?1",
        [id],
    )?;
    conn.execute(
        "DELETE FROM order_address WHERE id IN (SELECT shipping_address_id FROM \"order\" WHERE id = ?1
           UNION SELECT billing_address_id FROM \"order\" WHERE id = ?1)",
        [id],
    )?;
    conn.execute("DELETE FROM \"order\" WHERE id = ?1", [id])?;
    Ok(())
}

/// An address as JSON, or `None`.
///
/// # Errors
/// Database failures.
pub fn address(conn: &Connection, id: Option<&str>) -> Result<Option<Map<String, Value>>> {
    let Some(id) = id else { return Ok(None) };
    let rows = crate::model::rows::load_rows(conn, "order_address", &[id.to_string()])?;
    Ok(rows.into_iter().next().and_then(|v| match v {
        Value::Object(mut map) => {
            let metadata = map
                .get("metadata")
                .and_then(Value::as_str)
                .and_then(|t| serde_json::from_str(t).ok());
            map.insert("metadata".into(), metadata.unwrap_or(Value::Null));
            Some(map)
        }
        _ => None,
    }))
}

fn set_tax_lines(
    conn: &Connection,
    ctx: &Ctx,
    table: &str,
    owner_column: &str,
    owner: &str,
    lines: &[TaxLine],
) -> Result<()> {
    let prefix = if table == "order_line_item_tax_line" {
        "ordlitxl"
    } else {
        "ordsmtxl"
    };
    let mut insert = conn.prepare_cached(&format!(
        "INSERT INTO {table} (id, {owner_column}, description, tax_rate_id, code, rate_ppm, provider_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)"
    ))?;
    for line in lines {
        insert.execute(params![
            ctx.id(prefix),
            owner,
            line.description,
            line.tax_rate_id,
            line.code,
            line.rate_ppm,
            line.provider_id,
            ctx.now()
        ])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::id::IdGenerator;
    use serde_json::json;

    #[test]
    fn the_address_insert_names_the_address_fields_in_order() {
        let columns = ADDRESS_INSERT
            .split_once('(')
            .and_then(|(_, rest)| rest.split_once(')'))
            .map(|(list, _)| list.split(',').map(str::trim).collect::<Vec<_>>())
            .unwrap();
        let mut expected = vec!["id"];
        expected.extend(ADDRESS_FIELDS);
        expected.extend(["created_at", "updated_at"]);
        assert_eq!(columns, expected);
    }

    fn live_count(conn: &Connection) -> (u64, i64) {
        let listed = admin::list(conn, &admin::OrderFilter::default(), 0, 1)
            .unwrap()
            .1;
        let counted = conn
            .query_row(
                "SELECT COUNT(*) FROM \"order\" WHERE deleted_at IS NULL",
                [],
                |r| r.get(0),
            )
            .unwrap();
        (listed, counted)
    }

    #[test]
    fn the_kept_live_count_follows_creates_deletes_and_soft_deletes() {
        let conn = Connection::open_in_memory().unwrap();
        crate::db::module::migrate(&conn, &[module()], "t").unwrap();
        let ctx = Ctx::new(Clock::fixed(0), IdGenerator::seeded(Clock::fixed(0), 1));
        let input = NewOrder {
            currency_code: "usd".into(),
            ..Default::default()
        };
        let ids: Vec<String> = (0..3)
            .map(|_| create(&conn, &ctx, &input).unwrap())
            .collect();
        assert_eq!(live_count(&conn), (3, 3));
        delete(&conn, &ids[0]).unwrap();
        assert_eq!(live_count(&conn), (2, 2));
        let soft = "UPDATE \"order\" SET deleted_at = ?2 WHERE id = ?1";
        conn.execute(soft, params![ids[1], "2024-01-01T00:00:00.000Z"])
            .unwrap();
        assert_eq!(live_count(&conn), (1, 1));
        conn.execute(soft, params![ids[1], "2024-01-02T00:00:00.000Z"])
            .unwrap();
        assert_eq!(live_count(&conn), (1, 1), "deleted twice counts once");
        conn.execute(soft, params![ids[1], None::<String>]).unwrap();
        assert_eq!(live_count(&conn), (2, 2));
    }

    #[test]
    fn display_ids_count_up_and_delete_removes_everything() {
        let conn = Connection::open_in_memory().unwrap();
        crate::db::module::migrate(&conn, &[module()], "t").unwrap();
        let ctx = Ctx::new(Clock::fixed(0), IdGenerator::seeded(Clock::fixed(0), 1));
        let tax = TaxLine {
            id: String::new(),
            description: None,
            tax_rate_id: None,
            code: "VAT".into(),
            rate_ppm: 1,
            provider_id: None,
        };
        let item = LineItem {
            title: "Shirt".into(),
            quantity: 1,
            unit_price: 1000,
            metadata: json!({}),
            tax_lines: vec![tax],
            ..Default::default()
        };
        let input = NewOrder {
            currency_code: "usd".into(),
            customer_id: Some("cus_1".into()),
            items: vec![item],
            shipping_address: json!({"country_code": "us"}).as_object().cloned(),
            ..Default::default()
        };
        let first = create(&conn, &ctx, &input).unwrap();
        let second = create(&conn, &ctx, &input).unwrap();
        assert_eq!(
            (
                retrieve(&conn, &first).unwrap().display_id,
                retrieve(&conn, &second).unwrap().display_id
            ),
            (1, 2)
        );
        assert_eq!(
            items::items_of(&conn, &first).unwrap()[0].tax_lines.len(),
            1
        );
        assert_eq!(list_for_customer(&conn, "cus_1", &[], 0, 10).unwrap().1, 2);
        delete(&conn, &second).unwrap();
        assert!(retrieve(&conn, &second).is_err());
        assert_eq!(
            create(&conn, &ctx, &input)
                .map(|id| retrieve(&conn, &id).unwrap().display_id)
                .unwrap(),
            2
        );
    }
}
