//! Creating, updating and deleting promotions, with the promotion module's own checks of an
//! application method (Medusa's `validateApplicationMethodAttributes`, same messages).

use super::model::{self, ApplicationMethod};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::modules::update_columns;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value};

/// A rule to create.
#[derive(Debug, Clone, Default)]
pub struct NewRule {
    /// Dotted attribute path.
    pub attribute: String,
    /// `eq`, `ne`, `in`, `gt`, `gte`, `lt`, `lte`.
    pub operator: String,
    /// Free text.
    pub description: Option<String>,
    /// Values (one for `eq`).
    pub values: Vec<String>,
}

/// The fields of an application method, as created or after an update is merged in.
#[derive(Debug, Clone, Default)]
pub struct MethodFields {
    /// `fixed` | `percentage`.
    pub kind: String,
    /// `items` | `shipping_methods` | `order`.
    pub target_type: String,
    /// `each` | `across`.
    pub allocation: Option<String>,
    /// Decimal text.
    pub value: String,
    /// Currency of a fixed value.
    pub currency_code: Option<String>,
    /// Units per line (`each`).
    pub max_quantity: Option<i64>,
    /// Buy-get.
    pub apply_to_quantity: Option<i64>,
    /// Buy-get.
    pub buy_rules_min_quantity: Option<i64>,
    /// Free text.
    pub description: Option<String>,
}

impl MethodFields {
    /// The stored method's fields.
    pub fn of(method: &ApplicationMethod) -> MethodFields {
        MethodFields {
            kind: method.kind.clone(),
            target_type: method.target_type.clone(),
            allocation: method.allocation.clone(),
            value: method.value.clone(),
            currency_code: method.currency_code.clone(),
            max_quantity: method.max_quantity,
            apply_to_quantity: method.apply_to_quantity,
            buy_rules_min_quantity: method.buy_rules_min_quantity,
            description: method.description.clone(),
        }
    }
}

/// Input of [`create`].
#[derive(Debug, Clone, Default)]
pub struct NewPromotion {
    /// Code.
    pub code: String,
    /// `standard` | `buyget`.
    pub kind: String,
    /// `draft` | `active` | `inactive`.
    pub status: String,
    /// Applied without a code.
    pub is_automatic: bool,
    /// Value and adjustments include tax.
    pub is_tax_inclusive: bool,
    /// Usage limit.
    pub limit: Option<i64>,
    /// `procamp_…`
    pub campaign_id: Option<String>,
    /// The application method.
    pub method: MethodFields,
    /// Its target rules.
    pub target_rules: Vec<NewRule>,
    /// Its buy rules.
    pub buy_rules: Vec<NewRule>,
    /// Promotion rules.
    pub rules: Vec<NewRule>,
}

const TARGET_TYPES: [&str; 3] = ["order", "shipping_methods", "items"];

/// Medusa's checks of an application method against its promotion type, in Medusa's order.
///
/// # Errors
/// 400 `invalid_data` with Medusa's message for the first rule broken.
pub fn validate_method(method: &MethodFields, promotion_kind: &str) -> Result<()> {
    let fail = |m: String| Err(Error::invalid(m));
    if method.kind == "percentage" {
        let ppm = crate::money::Rate::parse_percent(method.value.as_str())
            .map(|r| r.percent_ppm())
            .unwrap_or(0);
        if ppm <= 0 || ppm > 100_000_000 {
            return fail(
                "Application Method value should be a percentage number between 0 and 100".into(),
            );
        }
    }
    if promotion_kind == "buyget" {
        if method.apply_to_quantity.is_none() {
            return fail(
                "apply_to_quantity is a required field for Promotion type of buyget".into(),
            );
        }
        if method.buy_rules_min_quantity.is_none() {
            return fail(
                "buy_rules_min_quantity is a required field for Promotion type of buyget".into(),
            );
        }
    }
    let allocation = method.allocation.as_deref();
    if allocation == Some("across") && method.max_quantity.is_some() {
        return fail(
            "application_method.max_quantity is not allowed to be set for allocation (across)"
                .into(),
        );
    }
    if !TARGET_TYPES.contains(&method.target_type.as_str()) {
        return fail(format!(
            "application_method.target_type should be one of {}",
            TARGET_TYPES.join(", ")
        ));
    }
    if !["fixed", "percentage"].contains(&method.kind.as_str()) {
        return fail("application_method.type should be one of fixed, percentage".into());
    }
    if ["shipping_methods", "items"].contains(&method.target_type.as_str())
        && !matches!(allocation, Some("each" | "across"))
    {
        return fail("application_method.allocation should be either 'across OR each' when application_method.target_type is either 'shipping_methods OR items'".into());
    }
    if allocation == Some("each") && method.max_quantity.is_none() {
        return fail(
            "application_method.max_quantity is required when application_method.allocation is 'each'"
                .into(),
        );
    }
    Ok(())
}

fn check_code(conn: &Connection, code: &str, except: &str) -> Result<()> {
    let taken: Option<String> = conn
        .prepare_cached_static(
            "SELECT id FROM promotion WHERE code = ?1 AND id != ?2 AND deleted_at IS NULL",
        )?
        .query_row([code, except], |r| r.get(0))
        .optional()?;
    match taken {
        Some(_) => Err(Error::Duplicate(format!(
            "Promotion with code: {code}, already exists."
        ))),
        None => Ok(()),
    }
}

/// Creates a promotion with its application method and rules. Returns its id.
///
/// # Errors
/// 400 for an invalid application method; 404 for an unknown campaign; 422 for a taken code.
pub fn create(conn: &Connection, ctx: &Ctx, input: &NewPromotion) -> Result<String> {
    let mut method = input.method.clone();
    if method.target_type == "order" {
        method.allocation = Some("across".into());
    }
    validate_method(&method, &input.kind)?;
    check_code(conn, &input.code, "")?;
    if let Some(campaign) = input.campaign_id.as_deref() {
        super::campaign::retrieve(conn, campaign)?;
    }
    let (id, now) = (ctx.id("promo"), ctx.now());
    conn.prepare_cached_static(
        "INSERT INTO promotion (id, code, type, status, is_automatic, is_tax_inclusive, usage_limit,
           campaign_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
    )?
    .execute(params![
        id,
        input.code,
        input.kind,
        input.status,
        input.is_automatic,
        input.is_tax_inclusive,
        input.limit,
        input.campaign_id,
        now
    ])?;
    insert_method(conn, ctx, &id, &method)?;
    for (kind, rules) in [
        ("rules", &input.rules),
        ("target_rules", &input.target_rules),
        ("buy_rules", &input.buy_rules),
    ] {
        add_rules(conn, ctx, &id, kind, rules)?;
    }
    Ok(id)
}

fn insert_method(conn: &Connection, ctx: &Ctx, promotion_id: &str, m: &MethodFields) -> Result<()> {
    conn.prepare_cached_static(
        "INSERT INTO promotion_application_method (id, promotion_id, type, target_type, allocation, value,
           currency_code, max_quantity, apply_to_quantity, buy_rules_min_quantity, description,
           created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)",
    )?
    .execute(params![
        ctx.id("proappmet"),
        promotion_id,
        m.kind,
        m.target_type,
        m.allocation,
        m.value,
        m.currency_code.as_deref().map(str::to_lowercase),
        m.max_quantity,
        m.apply_to_quantity,
        m.buy_rules_min_quantity,
        m.description,
        ctx.now()
    ])?;
    Ok(())
}

/// Adds rules of `kind` (`rules`, `target_rules`, `buy_rules`) to a promotion. Returns
/// their ids.
///
/// # Errors
/// Database failures.
pub fn add_rules(
    conn: &Connection,
    ctx: &Ctx,
    promotion_id: &str,
    kind: &str,
    rules: &[NewRule],
) -> Result<Vec<String>> {
    let now = ctx.now();
    let mut ids = Vec::with_capacity(rules.len());
    for rule in rules {
        let rule_id = ctx.id("prorul");
        conn.prepare_cached_static(
            "INSERT INTO promotion_rule (id, promotion_id, kind, attribute, operator, description,
               created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
        )?
        .execute(params![
            rule_id,
            promotion_id,
            kind,
            rule.attribute,
            rule.operator,
            rule.description,
            now
        ])?;
        for value in &rule.values {
            conn.prepare_cached_static(
                "INSERT INTO promotion_rule_value (id, promotion_rule_id, value, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?4)",
            )?
            .execute(params![ctx.id("prorulval"), rule_id, value, now])?;
        }
        ids.push(rule_id);
    }
    Ok(ids)
}

/// Columns of `promotion` an update may set (`limit` is stored as `usage_limit`).
const UPDATABLE: &[&str] = &[
    "code",
    "type",
    "status",
    "is_automatic",
    "is_tax_inclusive",
    "usage_limit",
    "campaign_id",
];

/// Applies a partial update: promotion fields from `changes` (wire names) and, when given,
/// the application method's merged fields (validated as a whole).
///
/// # Errors
/// 404; 400 for an invalid method or a limit under `used`; 422 for a taken code.
pub fn update(
    conn: &Connection,
    ctx: &Ctx,
    id: &str,
    changes: &Map<String, Value>,
    method: Option<&MethodFields>,
) -> Result<()> {
    let found = model::retrieve(conn, id)?;
    if let Some(code) = changes.get("code").and_then(Value::as_str) {
        check_code(conn, code, id)?;
    }
    if let Some(campaign) = changes.get("campaign_id").and_then(Value::as_str) {
        super::campaign::retrieve(conn, campaign)?;
    }
    let mut columns = changes.clone();
    if let Some(limit) = columns.remove("limit") {
        if limit.as_i64().is_some_and(|l| l < found.used) {
            return Err(Error::invalid(format!(
                "Promotion limit ({}) cannot be lower than the number of times it was used ({})",
                limit, found.used
            )));
        }
        columns.insert("usage_limit".into(), limit);
    }
    let now = ctx.now();
    update_columns(conn, "promotion", id, UPDATABLE, &columns, &now)?;
    if let (Some(fields), Some(current)) = (method, found.application_method) {
        let kind = changes
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or(&found.kind);
        let mut fields = fields.clone();
        if fields.target_type == "order" {
            fields.allocation = Some("across".into());
        }
        validate_method(&fields, kind)?;
        conn.prepare_cached_static(
            "UPDATE promotion_application_method SET type = ?2, target_type = ?3, allocation = ?4,
               value = ?5, currency_code = ?6, max_quantity = ?7, apply_to_quantity = ?8,
               buy_rules_min_quantity = ?9, description = ?10, updated_at = ?11 WHERE id = ?1",
        )?
        .execute(params![
            current.id,
            fields.kind,
            fields.target_type,
            fields.allocation,
            fields.value,
            fields.currency_code.as_deref().map(str::to_lowercase),
            fields.max_quantity,
            fields.apply_to_quantity,
            fields.buy_rules_min_quantity,
            fields.description,
            now
        ])?;
    }
    Ok(())
}

/// Soft-deletes a promotion with its application method and rules. Deleting an unknown or
/// deleted promotion does nothing (Medusa answers `deleted: true` either way).
///
/// # Errors
/// Database failures.
pub fn delete(conn: &Connection, ctx: &Ctx, id: &str) -> Result<()> {
    let now = ctx.now();
    for sql in [
        "UPDATE promotion_rule_value SET deleted_at = ?2, updated_at = ?2 WHERE deleted_at IS NULL
           AND promotion_rule_id IN (SELECT id FROM promotion_rule WHERE promotion_id = ?1)",
        "UPDATE promotion_rule SET deleted_at = ?2, updated_at = ?2 WHERE promotion_id = ?1 AND deleted_at IS NULL",
        "UPDATE promotion_application_method SET deleted_at = ?2, updated_at = ?2
           WHERE promotion_id = ?1 AND deleted_at IS NULL",
        "UPDATE promotion SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1 AND deleted_at IS NULL",
    ] {
        conn.prepare_cached(sql)?.execute(params![id, now])?;
    }
    Ok(())
}
