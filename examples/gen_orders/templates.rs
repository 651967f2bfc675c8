//! The real orders every historical order is copied from: a handful of checkouts run through
//! the registered cart workflows in-process, exactly as the Store API's handlers run them
//! (create cart → line items → email and addresses → shipping method → payment collection →
//! payment session → complete), with the rows each one inserted, table by table.
//!
//! A checkout's rows are found by rowid: every table's largest rowid before the checkout,
//! every row above it after. Tables without rowids must not change (none does today; the
//! generator refuses to run if one starts to). Rows a checkout updates rather than inserts
//! (`inventory_level.reserved_quantity`, `event_cursor`) are handled by the copier.

use crate::people::Customer;
use rusqlite::Connection;
use rusqlite::types::Value as SqlValue;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use stockroom::flows::checkout::create::{CreateCarts, NewCartBody};
use stockroom::flows::checkout::inputs::{
    AddItem, CartChange, NewSession, ShippingChoice, UpdateCart,
};
use stockroom::flows::checkout::{self, CartRef, refresh};
use stockroom::modules::cart;
use stockroom::workflow::Handle;
use stockroom::{Engine, Error, Result};

/// Simulated shopper time between two checkout calls (milliseconds of the engine clock).
const STEP_MS: i64 = 2_000;

/// One kind of order: who buys, where, and what (`(variant index, quantity)` into the
/// catalog's variants).
#[derive(Debug, Clone, Copy)]
pub struct Persona {
    /// A registered customer (true) or a guest.
    pub customer: bool,
    /// The region's currency.
    pub currency: &'static str,
    /// Shipping and billing country.
    pub country: &'static str,
    /// `(variant index, quantity)` lines.
    pub items: &'static [(usize, i64)],
}

/// The personas, in the order templates are made: a quarter guests; US (no tax lines) and EU
/// (VAT lines on items and shipping); one to three lines.
pub const PERSONAS: &[Persona] = &[
    persona(false, "usd", "us", &[(3, 1)]),
    persona(true, "eur", "de", &[(11, 1), (27, 2)]),
    persona(true, "usd", "us", &[(40, 2), (52, 1), (66, 1)]),
    persona(true, "eur", "fr", &[(75, 1)]),
    persona(false, "eur", "it", &[(90, 1), (101, 1)]),
    persona(true, "usd", "us", &[(120, 1)]),
    persona(true, "eur", "nl", &[(133, 3)]),
    persona(true, "usd", "us", &[(150, 1), (170, 1)]),
];

const fn persona(
    customer: bool,
    currency: &'static str,
    country: &'static str,
    items: &'static [(usize, i64)],
) -> Persona {
    Persona {
        customer,
        currency,
        country,
        items,
    }
}

/// The rows one checkout inserted into one table.
#[derive(Debug, Clone)]
pub struct TableRows {
    /// Table name.
    pub table: String,
    /// Column names, without a rowid alias (`INTEGER PRIMARY KEY`: SQLite numbers copies).
    pub columns: Vec<String>,
    /// Values, one `Vec` per row, in `columns` order.
    pub rows: Vec<Vec<SqlValue>>,
}

/// A real order and everything its checkout wrote.
#[derive(Debug, Clone)]
pub struct Template {
    /// Index into [`PERSONAS`].
    pub persona: usize,
    /// `order_…`
    pub order_id: String,
    /// The customer who placed it (registered personas).
    pub customer: Option<Customer>,
    /// The cart's email.
    pub email: String,
    /// Engine time when the checkout began.
    pub started_ms: i64,
    /// Inserted rows per table (tables with none are left out).
    pub tables: Vec<TableRows>,
}

/// What the checkouts pick from the seeded shop.
#[derive(Debug, Clone)]
pub struct Shop {
    channel: String,
    regions: Vec<(String, String)>,
    variants: Vec<String>,
}

impl Shop {
    /// The first sales channel, the regions by currency and the live variants, by id.
    ///
    /// # Errors
    /// Database failures; an empty catalog.
    pub fn discover(engine: &Engine) -> Result<Shop> {
        engine.store().read(|c| {
            let channel: String = c.query_row(
                "SELECT id FROM sales_channel ORDER BY id LIMIT 1",
                [],
                |r| r.get(0),
            )?;
            let regions = strings(c, "SELECT currency_code, id FROM region ORDER BY id")?
                .into_iter()
                .map(|(a, b)| (a, b.unwrap_or_default()))
                .collect();
            let variants = strings(
                c,
                "SELECT id, NULL FROM product_variant WHERE deleted_at IS NULL ORDER BY id",
            )?
            .into_iter()
            .map(|(a, _)| a)
            .collect::<Vec<_>>();
            if variants.is_empty() {
                return Err(Error::invalid("the fixture has no variants"));
            }
            Ok(Shop {
                channel,
                regions,
                variants,
            })
        })
    }

    fn region(&self, currency: &str) -> Result<&str> {
        self.regions
            .iter()
            .find(|(c, _)| c == currency)
            .map(|(_, id)| id.as_str())
            .ok_or_else(|| Error::invalid(format!("no {currency} region")))
    }

    fn variant(&self, index: usize) -> &str {
        &self.variants[index % self.variants.len()]
    }
}

fn strings(c: &Connection, sql: &str) -> Result<Vec<(String, Option<String>)>> {
    let mut stmt = c.prepare(sql)?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Runs one real checkout for `persona` (by `customer` if registered) and records its rows.
///
/// # Errors
/// Any checkout step failing; a checkout writing to a table the copier cannot copy.
pub fn record(
    engine: &Engine,
    shop: &Shop,
    index: usize,
    customer: Option<&Customer>,
) -> Result<Template> {
    let persona = &PERSONAS[index % PERSONAS.len()];
    let customer = customer.filter(|_| persona.customer).cloned();
    let email = match &customer {
        Some(c) => c.email.clone(),
        None => "guest@example.com".to_string(),
    };
    let marks = engine.store().read(marks)?;
    let started_ms = engine.clock().now();
    let order_id = checkout(engine, shop, persona, customer.as_ref(), &email)?;
    let tables = engine
        .store()
        .read(move |c| parents_first(c, rows_since(c, &marks)?))?;
    Ok(Template {
        persona: index % PERSONAS.len(),
        order_id,
        customer,
        email,
        started_ms,
        tables,
    })
}

/// The seven Store API calls of a checkout, as typed workflow handles; returns the order id.
fn checkout(
    engine: &Engine,
    shop: &Shop,
    persona: &Persona,
    customer: Option<&Customer>,
    email: &str,
) -> Result<String> {
    let body = NewCartBody {
        region_id: Some(shop.region(persona.currency)?.to_string()),
        key_channels: vec![shop.channel.clone()],
        customer_id: customer.map(|c| c.id.clone()),
        ..NewCartBody::default()
    };
    let cart_id = call(engine, checkout::CREATE_CARTS, &CreateCarts { body })?.cart_id;
    for (variant, quantity) in persona.items {
        let item = AddItem {
            variant_id: shop.variant(*variant).to_string(),
            quantity: *quantity,
            ..AddItem::default()
        };
        call(
            engine,
            checkout::ADD_TO_CART,
            &CartChange::of(&cart_id, item),
        )?;
    }
    let address = address(persona.country).as_object().cloned();
    let update = UpdateCart {
        email: Some(Some(email.to_string())),
        shipping_address: Some(address.clone()),
        billing_address: Some(address),
        ..UpdateCart::default()
    };
    call(
        engine,
        checkout::UPDATE_CART,
        &CartChange::of(&cart_id, update),
    )?;
    let choice = ShippingChoice {
        option_id: first_option(engine, &cart_id)?,
        ..ShippingChoice::default()
    };
    call(
        engine,
        checkout::ADD_SHIPPING_METHOD,
        &CartChange::of(&cart_id, choice),
    )?;
    let cart = CartRef { cart_id };
    let collection = call(engine, checkout::CREATE_PAYMENT_COLLECTION, &cart)?;
    let session = NewSession {
        payment_collection_id: collection.payment_collection_id,
        provider_id: "pp_system_default".into(),
        data: None,
    };
    call(engine, checkout::CREATE_PAYMENT_SESSION, &session)?;
    engine.clock().advance(STEP_MS);
    let placed = checkout::COMPLETE_CART.run(engine, &cart, Some(&cart.cart_id))?;
    Ok(placed.order_id)
}

fn call<I, O>(engine: &Engine, handle: Handle<I, O>, input: &I) -> Result<O>
where
    I: Serialize + DeserializeOwned + std::fmt::Debug + 'static,
    O: DeserializeOwned,
{
    engine.clock().advance(STEP_MS);
    handle
        .run(engine, input, None)
        .map_err(|e| Error::Internal(format!("{} {input:?}: {e}", handle.name())))
}

fn address(country: &str) -> Value {
    json!({
        "first_name": "History", "last_name": "Shopper", "address_1": "1 Market Street",
        "city": "Springfield", "country_code": country, "postal_code": "10115",
        "phone": "+15555550100",
    })
}

/// `GET /store/shipping-options?cart_id=…`'s first option.
fn first_option(engine: &Engine, cart_id: &str) -> Result<String> {
    engine.store().read(|c| {
        let found = cart::retrieve(c, cart_id)?;
        refresh::options_for(c, engine.providers(), &found)?
            .iter()
            .next()
            .map(|(o, _)| o.id.clone())
            .ok_or_else(|| Error::invalid(format!("no shipping option for cart {cart_id}")))
    })
}

/// Per table: `(name, largest rowid, row count)`; the count guards WITHOUT ROWID tables.
type Marks = Vec<(String, Option<i64>, i64)>;

/// Tables kept by triggers on the orders (per-value counts): a copy's inserts fire the
/// triggers, so their rows are never copied.
const TRIGGER_KEPT: &str = "'order_listed_count'";

fn marks(c: &Connection) -> Result<Marks> {
    let tables = strings(
        c,
        &format!(
            "SELECT name, CAST(wr AS TEXT) FROM pragma_table_list
             WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%'
               AND name NOT IN ({TRIGGER_KEPT}) ORDER BY name"
        ),
    )?;
    let mut out = Vec::with_capacity(tables.len());
    for (name, without_rowid) in tables {
        let count: i64 = c.query_row(&format!("SELECT COUNT(*) FROM \"{name}\""), [], |r| {
            r.get(0)
        })?;
        let max = if without_rowid.as_deref() == Some("1") {
            None
        } else {
            c.query_row(
                &format!("SELECT COALESCE(MAX(rowid), 0) FROM \"{name}\""),
                [],
                |r| r.get(0),
            )?
        };
        out.push((name, max, count));
    }
    Ok(out)
}

fn rows_since(c: &Connection, marks: &Marks) -> Result<Vec<TableRows>> {
    let mut out = Vec::new();
    for (table, max, count) in marks {
        let Some(max) = max else {
            let now: i64 = c.query_row(&format!("SELECT COUNT(*) FROM \"{table}\""), [], |r| {
                r.get(0)
            })?;
            if now != *count {
                return Err(Error::Internal(format!(
                    "a checkout wrote to {table} (WITHOUT ROWID); the generator cannot copy it"
                )));
            }
            continue;
        };
        let rows = table_rows(c, table, *max)?;
        if !rows.rows.is_empty() {
            out.push(rows);
        }
    }
    Ok(out)
}

/// Orders tables so that a table's foreign keys point at tables before it (copies are
/// inserted in this order and foreign keys are checked at once). An order also comes after
/// its addresses, which it points at without a declared key: the trigger that writes the
/// order's search document (`order_search`) reads their names when the order is inserted.
fn parents_first(c: &Connection, mut tables: Vec<TableRows>) -> Result<Vec<TableRows>> {
    let mut parents = Vec::with_capacity(tables.len());
    for t in &tables {
        let mut stmt = c.prepare("SELECT \"table\" FROM pragma_foreign_key_list(?1)")?;
        let mut refs = stmt
            .query_map([&t.table], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        if t.table == "order" {
            refs.push("order_address".to_string());
        }
        parents.push(refs);
    }
    let mut out: Vec<TableRows> = Vec::with_capacity(tables.len());
    while !tables.is_empty() {
        let ready = (0..tables.len()).find(|i| {
            parents[*i]
                .iter()
                .all(|p| p == &tables[*i].table || !tables.iter().any(|t| &t.table == p))
        });
        let Some(i) = ready else {
            return Err(Error::Internal("foreign keys form a cycle".into()));
        };
        parents.remove(i);
        out.push(tables.remove(i));
    }
    Ok(out)
}

fn table_rows(c: &Connection, table: &str, after: i64) -> Result<TableRows> {
    let alias = rowid_alias(c, table)?;
    let mut stmt = c.prepare(&format!(
        "SELECT * FROM \"{table}\" WHERE rowid > ?1 ORDER BY rowid"
    ))?;
    let names: Vec<String> = stmt.column_names().iter().map(|s| s.to_string()).collect();
    let keep: Vec<usize> = (0..names.len())
        .filter(|i| Some(&names[*i]) != alias.as_ref())
        .collect();
    let rows = stmt
        .query_map([after], |r| {
            keep.iter()
                .map(|i| r.get::<_, SqlValue>(*i))
                .collect::<rusqlite::Result<Vec<_>>>()
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(TableRows {
        table: table.to_string(),
        columns: keep.iter().map(|i| names[*i].clone()).collect(),
        rows,
    })
}

/// The `INTEGER PRIMARY KEY` column of `table`, if it has one (an alias of the rowid).
fn rowid_alias(c: &Connection, table: &str) -> Result<Option<String>> {
    let mut stmt = c.prepare("SELECT name, type, pk FROM pragma_table_info(?1)")?;
    let cols = stmt
        .query_map([table], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let keys: Vec<_> = cols.iter().filter(|c| c.2 > 0).collect();
    Ok(match keys.as_slice() {
        [(name, kind, _)] if kind.eq_ignore_ascii_case("INTEGER") => Some(name.clone()),
        _ => None,
    })
}
