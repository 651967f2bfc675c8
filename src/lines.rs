//! Line items, shipping methods and tax lines as the cart and order modules both store them. The two modules own
//! their own tables (`cart_line_item`, `order_line_item`, …) and may not import each other;
//! the row shapes are the same, so they share this code, parameterised by table names.

use crate::ctx::Ctx;
use crate::error::Result;
use crate::money::Rate;
use rusqlite::{Connection, Row, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::rc::Rc;

/// The tables of one owner kind (cart or order).
pub(crate) struct LineTables {
    /// Items table, e.g. `cart_line_item`.
    pub items: &'static str,
    /// Column of the items table naming the owner, e.g. `cart_id`.
    pub owner: &'static str,
    /// ID prefix of a new item, e.g. `cali`.
    pub item_prefix: &'static str,
    /// Tax lines of the items, e.g. `cart_line_item_tax_line`.
    pub item_tax_lines: &'static str,
    /// Promotion adjustments of the items, e.g. `cart_line_item_adjustment`.
    pub item_adjustments: &'static str,
}

/// A tax line of an item or a shipping method (cart or order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxLine {
    /// `calitxl_…`, `casmtxl_…`, `ordlitxl_…` or `ordsmtxl_…`
    pub id: String,
    /// Display name of the rate.
    pub description: Option<String>,
    /// `txr_…`
    pub tax_rate_id: Option<String>,
    /// Rate code.
    pub code: String,
    /// Millionths of a percent.
    pub rate_ppm: i64,
    /// `tp_system`.
    pub provider_id: Option<String>,
}

/// A promotion adjustment of an item or a shipping method (cart or order): an amount taken
/// off before tax, named by the promotion's code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adjustment {
    /// `caliadj_…`, `casmadj_…`, `ordliadj_…` or `ordsmadj_…` (empty before creation).
    pub id: String,
    /// The promotion's code.
    pub code: Option<String>,
    /// Minor units taken off.
    pub amount: i64,
    /// Whether `amount` includes tax (the promotion is tax-inclusive).
    pub is_tax_inclusive: bool,
    /// `promo_…`
    pub promotion_id: Option<String>,
    /// Free text.
    pub description: Option<String>,
}

impl Adjustment {
    /// The adjustment as a totals discount.
    pub fn discount(&self) -> crate::totals::Discount {
        crate::totals::Discount {
            amount: self.amount,
            is_tax_inclusive: self.is_tax_inclusive,
        }
    }
}

impl TaxLine {
    /// The rate.
    pub fn rate(&self) -> Rate {
        Rate::from_percent_ppm(self.rate_ppm)
    }
}

/// The totals line of a priced row (an item, or a shipping method as one unit).
fn totals_line(
    unit_price: i64,
    quantity: i64,
    is_tax_inclusive: bool,
    tax_lines: &[TaxLine],
    adjustments: &[Adjustment],
) -> crate::totals::Line {
    crate::totals::Line {
        unit_price,
        quantity,
        is_tax_inclusive,
        rates: tax_lines.iter().map(TaxLine::rate).collect(),
        discounts: adjustments.iter().map(Adjustment::discount).collect(),
    }
}

impl LineItem {
    /// The line as totals see it: its price, units, tax rates and discounts.
    pub fn totals_line(&self) -> crate::totals::Line {
        let (price, units) = (self.unit_price, self.quantity);
        totals_line(
            price,
            units,
            self.is_tax_inclusive,
            &self.tax_lines,
            &self.adjustments,
        )
    }
}

impl ShippingMethod {
    /// The method as totals see it: one unit at its amount, with its tax rates and discounts.
    pub fn totals_line(&self) -> crate::totals::Line {
        totals_line(
            self.amount,
            1,
            self.is_tax_inclusive,
            &self.tax_lines,
            &self.adjustments,
        )
    }
}

/// A line item of a cart or an order: a snapshot of the variant and product when it was
/// added.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LineItem {
    /// `cali_…` / `ordli_…` (empty before creation).
    pub id: String,
    /// Product title (or a custom title).
    pub title: String,
    /// Variant title.
    pub subtitle: Option<String>,
    /// Image URL.
    pub thumbnail: Option<String>,
    /// Units.
    pub quantity: i64,
    /// `variant_…`
    pub variant_id: Option<String>,
    /// `prod_…`
    pub product_id: Option<String>,
    /// Snapshot.
    pub product_title: Option<String>,
    /// Snapshot.
    pub product_description: Option<String>,
    /// Snapshot.
    pub product_subtitle: Option<String>,
    /// Snapshot.
    pub product_type: Option<String>,
    /// Snapshot.
    pub product_type_id: Option<String>,
    /// Snapshot.
    pub product_collection: Option<String>,
    /// Snapshot.
    pub product_handle: Option<String>,
    /// Snapshot.
    pub variant_sku: Option<String>,
    /// Snapshot.
    pub variant_barcode: Option<String>,
    /// Snapshot.
    pub variant_title: Option<String>,
    /// Whether it needs a shipping method.
    pub requires_shipping: bool,
    /// Whether promotions may discount it.
    pub is_discountable: bool,
    /// Gift card.
    pub is_giftcard: bool,
    /// Whether `unit_price` includes tax.
    pub is_tax_inclusive: bool,
    /// Set by hand, not re-priced.
    pub is_custom_price: bool,
    /// Minor units, when a sale price undercuts the original.
    pub compare_at_unit_price: Option<i64>,
    /// Minor units.
    pub unit_price: i64,
    /// Free-form JSON (`{}` by default).
    pub metadata: Value,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
    /// Tax lines.
    #[serde(default)]
    pub tax_lines: Vec<TaxLine>,
    /// Promotion adjustments.
    #[serde(default)]
    pub adjustments: Vec<Adjustment>,
}

pub(crate) const ITEM_COLUMNS: &str = "id, title, subtitle, thumbnail, quantity, variant_id, product_id, product_title,
    product_description, product_subtitle, product_type, product_type_id, product_collection, product_handle,
    variant_sku, variant_barcode, variant_title, requires_shipping, is_discountable, is_giftcard,
    is_tax_inclusive, is_custom_price, compare_at_unit_price, unit_price, metadata, created_at, updated_at";

pub(crate) fn item_from_row(r: &Row) -> rusqlite::Result<LineItem> {
    let metadata: Option<String> = r.get(24)?;
    Ok(LineItem {
        id: r.get(0)?,
        title: r.get(1)?,
        subtitle: r.get(2)?,
        thumbnail: r.get(3)?,
        quantity: r.get(4)?,
        variant_id: r.get(5)?,
        product_id: r.get(6)?,
        product_title: r.get(7)?,
        product_description: r.get(8)?,
        product_subtitle: r.get(9)?,
        product_type: r.get(10)?,
        product_type_id: r.get(11)?,
        product_collection: r.get(12)?,
        product_handle: r.get(13)?,
        variant_sku: r.get(14)?,
        variant_barcode: r.get(15)?,
        variant_title: r.get(16)?,
        requires_shipping: r.get(17)?,
        is_discountable: r.get(18)?,
        is_giftcard: r.get(19)?,
        is_tax_inclusive: r.get(20)?,
        is_custom_price: r.get(21)?,
        compare_at_unit_price: r.get(22)?,
        unit_price: r.get(23)?,
        metadata: metadata
            .and_then(|m| serde_json::from_str(&m).ok())
            .unwrap_or(Value::Object(Default::default())),
        created_at: r.get(25)?,
        updated_at: r.get(26)?,
        tax_lines: Vec::new(),
        adjustments: Vec::new(),
    })
}

impl LineTables {
    /// Inserts a line item under `owner_id`. Returns its id.
    ///
    /// # Errors
    /// Database failures.
    pub(crate) fn add_item(
        &self,
        conn: &Connection,
        ctx: &Ctx,
        owner_id: &str,
        item: &LineItem,
    ) -> Result<String> {
        let (id, now) = (ctx.id(self.item_prefix), ctx.now());
        conn.prepare_cached_static(crate::sql_text!(
            [self.items, self.owner],
            "INSERT INTO {} ({}, {ITEM_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,
             ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?27)",
            self.items, self.owner
        ))?
        .execute(params![
            owner_id, id, item.title, item.subtitle, item.thumbnail, item.quantity, item.variant_id, item.product_id,
            item.product_title, item.product_description, item.product_subtitle, item.product_type, item.product_type_id,
            item.product_collection, item.product_handle, item.variant_sku, item.variant_barcode, item.variant_title,
            item.requires_shipping, item.is_discountable, item.is_giftcard, item.is_tax_inclusive, item.is_custom_price,
            item.compare_at_unit_price, item.unit_price, item.metadata.to_string(), now
        ])?;
        Ok(id)
    }

    /// Live items of `owner_id` with their tax lines, oldest first.
    ///
    /// # Errors
    /// Database failures.
    pub(crate) fn items_of(&self, conn: &Connection, owner_id: &str) -> Result<Vec<LineItem>> {
        self.shared_items_of(conn, owner_id)
            .map(Rc::unwrap_or_clone)
    }

    /// [`Self::items_of`], shared with the job's memo: for readers that change nothing.
    ///
    /// # Errors
    /// Database failures.
    pub(crate) fn shared_items_of(
        &self,
        conn: &Connection,
        owner_id: &str,
    ) -> Result<Rc<Vec<LineItem>>> {
        let tables = [self.items, self.item_tax_lines, self.item_adjustments];
        crate::db::job_memo::shared(self.items, owner_id, &tables, || {
            self.read_items(conn, owner_id)
        })
    }

    fn read_items(&self, conn: &Connection, owner_id: &str) -> Result<Vec<LineItem>> {
        let mut stmt = conn.prepare_cached_static(crate::sql_text!(
            [self.items, self.owner],
            "SELECT {ITEM_COLUMNS} FROM {} WHERE {} = ?1 AND deleted_at IS NULL ORDER BY id",
            self.items,
            self.owner
        ))?;
        let mut items: Vec<LineItem> = stmt
            .query_map([owner_id], item_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        for item in &mut items {
            item.tax_lines = tax_lines(conn, self.item_tax_lines, "item_id", &item.id)?;
            item.adjustments = adjustments(conn, self.item_adjustments, "item_id", &item.id)?;
        }
        Ok(items)
    }
}

/// A shipping method of a cart or an order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ShippingMethod {
    /// `casm_…` / `ordsm_…` (empty before creation).
    pub id: String,
    /// The option's name.
    pub name: String,
    /// Optional description.
    pub description: Option<String>,
    /// Minor units.
    pub amount: i64,
    /// Whether `amount` includes tax.
    pub is_tax_inclusive: bool,
    /// `so_…`
    pub shipping_option_id: Option<String>,
    /// Provider data.
    pub data: Value,
    /// ISO-8601.
    pub created_at: String,
    /// Tax lines.
    #[serde(default)]
    pub tax_lines: Vec<TaxLine>,
    /// Promotion adjustments.
    #[serde(default)]
    pub adjustments: Vec<Adjustment>,
}

/// The shipping-method tables of one owner kind (cart or order).
pub(crate) struct ShippingTables {
    /// Methods table, e.g. `cart_shipping_method`.
    pub methods: &'static str,
    /// Column naming the owner, e.g. `cart_id`.
    pub owner: &'static str,
    /// ID prefix of a new method, e.g. `casm`.
    pub prefix: &'static str,
    /// Tax lines of the methods, e.g. `cart_shipping_method_tax_line`.
    pub tax_lines: &'static str,
    /// Promotion adjustments of the methods, e.g. `cart_shipping_method_adjustment`.
    pub adjustments: &'static str,
}

impl ShippingTables {
    /// Replaces every shipping method of `owner_id` with `method`. Returns the new id.
    ///
    /// # Errors
    /// Database failures.
    pub(crate) fn replace_methods(
        &self,
        conn: &Connection,
        ctx: &Ctx,
        owner_id: &str,
        method: &ShippingMethod,
    ) -> Result<String> {
        self.delete_methods(conn, ctx, owner_id)?;
        self.insert_method(conn, ctx, owner_id, method)
    }

    /// Adds `method` to `owner_id`, keeping its other methods (no tax lines). Returns its id.
    ///
    /// # Errors
    /// Database failures.
    pub(crate) fn insert_method(
        &self,
        conn: &Connection,
        ctx: &Ctx,
        owner_id: &str,
        method: &ShippingMethod,
    ) -> Result<String> {
        let (id, now) = (ctx.id(self.prefix), ctx.now());
        conn.prepare_cached_static(crate::sql_text!(
            [self.methods, self.owner],
            "INSERT INTO {} (id, {}, name, description, amount, is_tax_inclusive, shipping_option_id, data, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
            self.methods, self.owner
        ))?
        .execute(params![id, owner_id, method.name, method.description, method.amount, method.is_tax_inclusive, method.shipping_option_id, method.data.to_string(), now])?;
        Ok(id)
    }

    /// Soft-deletes every shipping method of `owner_id`.
    ///
    /// # Errors
    /// Database failures.
    pub(crate) fn delete_methods(
        &self,
        conn: &Connection,
        ctx: &Ctx,
        owner_id: &str,
    ) -> Result<()> {
        conn.prepare_cached_static(crate::sql_text!(
            [self.methods, self.owner],
            "UPDATE {} SET deleted_at = ?2, updated_at = ?2 WHERE {} = ?1 AND deleted_at IS NULL",
            self.methods,
            self.owner
        ))?
        .execute(params![owner_id, ctx.now()])?;
        Ok(())
    }

    /// Sets a method's amount.
    ///
    /// # Errors
    /// Database failures.
    pub(crate) fn set_amount(
        &self,
        conn: &Connection,
        ctx: &Ctx,
        id: &str,
        amount: i64,
        is_tax_inclusive: bool,
    ) -> Result<()> {
        conn.prepare_cached_static(crate::sql_text!(
            [self.methods],
            "UPDATE {} SET amount = ?2, is_tax_inclusive = ?3, updated_at = ?4 WHERE id = ?1",
            self.methods
        ))?
        .execute(params![id, amount, is_tax_inclusive, ctx.now()])?;
        Ok(())
    }

    /// Live shipping methods of `owner_id` with their tax lines.
    ///
    /// # Errors
    /// Database failures.
    pub(crate) fn methods_of(
        &self,
        conn: &Connection,
        owner_id: &str,
    ) -> Result<Vec<ShippingMethod>> {
        self.shared_methods_of(conn, owner_id)
            .map(Rc::unwrap_or_clone)
    }

    /// [`Self::methods_of`], shared with the job's memo: for readers that change nothing.
    ///
    /// # Errors
    /// Database failures.
    pub(crate) fn shared_methods_of(
        &self,
        conn: &Connection,
        owner_id: &str,
    ) -> Result<Rc<Vec<ShippingMethod>>> {
        let tables = [self.methods, self.tax_lines, self.adjustments];
        crate::db::job_memo::shared(self.methods, owner_id, &tables, || {
            self.read_methods(conn, owner_id)
        })
    }

    fn read_methods(&self, conn: &Connection, owner_id: &str) -> Result<Vec<ShippingMethod>> {
        let mut stmt = conn.prepare_cached_static(crate::sql_text!(
            [self.methods, self.owner],
            "SELECT id, name, description, amount, is_tax_inclusive, shipping_option_id, data, created_at
             FROM {} WHERE {} = ?1 AND deleted_at IS NULL ORDER BY id",
            self.methods, self.owner
        ))?;
        let rows = stmt.query_map([owner_id], |r| {
            let data: String = r.get(6)?;
            Ok(ShippingMethod {
                id: r.get(0)?,
                name: r.get(1)?,
                description: r.get(2)?,
                amount: r.get(3)?,
                is_tax_inclusive: r.get(4)?,
                shipping_option_id: r.get(5)?,
                data: serde_json::from_str(&data).unwrap_or(Value::Object(Default::default())),
                created_at: r.get(7)?,
                tax_lines: Vec::new(),
                adjustments: Vec::new(),
            })
        })?;
        let mut methods: Vec<ShippingMethod> = rows.collect::<rusqlite::Result<_>>()?;
        for method in &mut methods {
            method.tax_lines = tax_lines(conn, self.tax_lines, "shipping_method_id", &method.id)?;
            method.adjustments =
                adjustments(conn, self.adjustments, "shipping_method_id", &method.id)?;
        }
        Ok(methods)
    }
}

/// Tax lines of one item or shipping method.
pub(crate) fn tax_lines(
    conn: &Connection,
    table: &'static str,
    owner_column: &'static str,
    owner: &str,
) -> Result<Vec<TaxLine>> {
    let mut stmt = conn.prepare_cached_static(crate::sql_text!(
        [table, owner_column],
        "SELECT id, description, tax_rate_id, code, rate_ppm, provider_id FROM {table}
         WHERE {owner_column} = ?1 AND deleted_at IS NULL ORDER BY id"
    ))?;
    let rows = stmt.query_map([owner], |r| {
        Ok(TaxLine {
            id: r.get(0)?,
            description: r.get(1)?,
            tax_rate_id: r.get(2)?,
            code: r.get(3)?,
            rate_ppm: r.get(4)?,
            provider_id: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Live adjustments of one item or shipping method.
pub(crate) fn adjustments(
    conn: &Connection,
    table: &'static str,
    owner_column: &'static str,
    owner: &str,
) -> Result<Vec<Adjustment>> {
    let mut stmt = conn.prepare_cached_static(crate::sql_text!(
        [table, owner_column],
        "SELECT id, code, amount, is_tax_inclusive, promotion_id, description FROM {table}
         WHERE {owner_column} = ?1 AND deleted_at IS NULL ORDER BY id"
    ))?;
    let rows = stmt.query_map([owner], |r| {
        Ok(Adjustment {
            id: r.get(0)?,
            code: r.get(1)?,
            amount: r.get(2)?,
            is_tax_inclusive: r.get(3)?,
            promotion_id: r.get(4)?,
            description: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Replaces the live adjustments of one item or shipping method with `rows` (the old ones
/// are soft-deleted). Ids get `prefix`.
///
/// # Errors
/// Database failures.
pub(crate) fn replace_adjustments(
    conn: &Connection,
    ctx: &Ctx,
    (table, owner_column, prefix): (&'static str, &'static str, &'static str),
    owner: &str,
    rows: &[Adjustment],
) -> Result<()> {
    conn.prepare_cached_static(crate::sql_text!(
        [table, owner_column],
        "UPDATE {table} SET deleted_at = ?2, updated_at = ?2 WHERE {owner_column} = ?1 AND deleted_at IS NULL"
    ))?
    .execute(params![owner, ctx.now()])?;
    insert_adjustments(conn, ctx, (table, owner_column, prefix), owner, rows)
}

/// Adds `rows` as adjustments of one item or shipping method (one just created has none to
/// replace, and an order's lines are all new). Ids get `prefix`.
///
/// # Errors
/// Database failures.
pub(crate) fn insert_adjustments(
    conn: &Connection,
    ctx: &Ctx,
    (table, owner_column, prefix): (&'static str, &'static str, &'static str),
    owner: &str,
    rows: &[Adjustment],
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let now = ctx.now();
    let mut insert = conn.prepare_cached_static(crate::sql_text!(
           [table, owner_column],
        "INSERT INTO {table} (id, {owner_column}, code, amount, is_tax_inclusive, promotion_id, provider_id,
           description, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7, ?8, ?8)"
    ))?;
    for row in rows {
        insert.execute(params![
            ctx.id(prefix),
            owner,
            row.code,
            row.amount,
            row.is_tax_inclusive,
            row.promotion_id,
            row.description,
            now
        ])?;
    }
    Ok(())
}
