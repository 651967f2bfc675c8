//! Admin fulfillment setup (issue 13): shipping profiles, shipping option types and shipping
//! options (Medusa's `create|update|deleteShippingProfilesWorkflow`,
//! `…ShippingOptionTypesWorkflow`, `…ShippingOptionsWorkflow`,
//! `batchShippingOptionRulesWorkflow`). Options span modules — their region prices name a
//! region (whose currency they take) and their provider must be enabled at the stock
//! location of their zone's set — so they are checked here. Emits Medusa's event names
//! (`shipping-profile.*`, `shipping-option-type.*`, `shipping-option.*`,
//! `shipping-option-rule.*`) with data `{id}`, including the module's events for the types
//! and rules created or changed along with an option.

use crate::ctx::Ctx;
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::flows::fulfillment_setup_locations::providers_of_zone;
use crate::modules::fulfillment::option_admin::{self, OptionChanges, PriceInput, RuleInput};
use crate::modules::fulfillment::option_types::{self, ShippingOptionType};
use crate::modules::fulfillment::profiles::{self, ShippingProfile};
use crate::modules::fulfillment::{
    self, NewRule, NewShippingOption, OptionPrice, ShippingOption, TypeChoice, zones,
};
use crate::modules::region;
use rusqlite::Connection;
use serde_json::{Value, json};

/// Creates a profile; emits `shipping-profile.created`.
///
/// # Errors
/// 422 for a name in use.
pub fn create_profile(
    tx: &Tx,
    ctx: &Ctx,
    name: &str,
    kind: &str,
    metadata: Option<&Value>,
) -> Result<ShippingProfile> {
    let made = profiles::create(tx, ctx, name, kind, metadata)?;
    ctx.emit(tx, "shipping-profile.created", json!({ "id": made.id }))?;
    Ok(made)
}

/// Updates a profile; emits `shipping-profile.updated`.
///
/// # Errors
/// 404 when absent; 422 for a name in use.
pub fn update_profile(
    tx: &Tx,
    ctx: &Ctx,
    id: &str,
    name: Option<&str>,
    kind: Option<&str>,
    metadata: Option<Option<&Value>>,
) -> Result<ShippingProfile> {
    let updated = profiles::update(tx, ctx, id, name, kind, metadata)?;
    ctx.emit(tx, "shipping-profile.updated", json!({ "id": id }))?;
    Ok(updated)
}

/// Deletes a profile no option uses; emits `shipping-profile.deleted`.
///
/// # Errors
/// 404 when absent; 400 while options use it.
pub fn delete_profile(tx: &Tx, ctx: &Ctx, id: &str) -> Result<()> {
    profiles::delete(tx, ctx, id)?;
    ctx.emit(tx, "shipping-profile.deleted", json!({ "id": id }))
}

/// Creates an option type; emits `shipping-option-type.created`.
///
/// # Errors
/// Database failures.
pub fn create_type(
    tx: &Tx,
    ctx: &Ctx,
    label: &str,
    code: &str,
    description: &str,
) -> Result<ShippingOptionType> {
    let made = option_types::create(tx, ctx, label, code, description)?;
    ctx.emit(tx, "shipping-option-type.created", json!({ "id": made.id }))?;
    Ok(made)
}

/// Updates an option type; emits `shipping-option-type.updated`.
///
/// # Errors
/// 404 when absent, with the route's message.
pub fn update_type(
    tx: &Tx,
    ctx: &Ctx,
    id: &str,
    label: Option<&str>,
    code: Option<&str>,
    description: Option<&str>,
) -> Result<ShippingOptionType> {
    match option_types::retrieve(tx, id) {
        Err(Error::NotFound(_)) => {
            return Err(Error::NotFound(format!(
                "Shipping option type with id \"{id}\" not found"
            )));
        }
        other => other?,
    };
    let updated = option_types::update(tx, ctx, id, label, code, description)?;
    ctx.emit(tx, "shipping-option-type.updated", json!({ "id": id }))?;
    Ok(updated)
}

/// Deletes an option type (a no-op for an unknown id); emits `shipping-option-type.deleted`.
///
/// # Errors
/// Database failures.
pub fn delete_type(tx: &Tx, ctx: &Ctx, id: &str) -> Result<()> {
    option_types::delete(tx, ctx, id)?;
    ctx.emit(tx, "shipping-option-type.deleted", json!({ "id": id }))
}

/// A price as sent: `{currency_code, amount}` or `{region_id, amount}`, with `id` on update.
#[derive(Debug, Clone, Default)]
pub struct PriceSpec {
    /// An existing price of the option (updates only).
    pub id: Option<String>,
    /// Currency of a currency price.
    pub currency_code: Option<String>,
    /// Region of a region price (its currency is the region's).
    pub region_id: Option<String>,
    /// Amount in major units, as sent.
    pub amount: Option<Value>,
}

/// Input of [`create_option`].
#[derive(Debug, Clone, Default)]
pub struct OptionInput {
    /// Display name.
    pub name: String,
    /// `serzo_…`
    pub service_zone_id: String,
    /// `sp_…`
    pub shipping_profile_id: String,
    /// Must be enabled at the zone's stock location.
    pub provider_id: String,
    /// `flat` or `calculated`.
    pub price_type: String,
    /// Provider data.
    pub data: Option<Value>,
    /// The type: inline or an existing id.
    pub kind: TypeChoice,
    /// Prices.
    pub prices: Vec<PriceSpec>,
    /// Rules: `(attribute, operator, JSON-encoded value)`.
    pub rules: Vec<NewRule>,
}

/// Refuses a provider not enabled at the stock location of the zone's set (Medusa's
/// `validateFulfillmentProvidersStep`).
fn check_provider(conn: &Connection, zone_id: &str, provider: &str) -> Result<()> {
    if providers_of_zone(conn, zone_id)?
        .iter()
        .any(|p| p == provider)
    {
        return Ok(());
    }
    Err(Error::not_allowed(format!(
        "Providers ({provider}) are not enabled for the service location"
    )))
}

/// Resolves prices to `(id, currency, region, minor amount)`: a region price takes the
/// region's currency; an update without some field keeps the stored one.
fn resolve_prices(
    conn: &Connection,
    specs: &[PriceSpec],
    current: Option<&ShippingOption>,
) -> Result<Vec<PriceInput>> {
    check_regions(conn, specs)?;
    specs
        .iter()
        .map(|spec| {
            let stored = match &spec.id {
                Some(id) => Some(
                    current
                        .and_then(|o| o.prices.iter().find(|p| &p.id == id))
                        .ok_or_else(|| Error::not_found("Price", id))?,
                ),
                None => None,
            };
            let region = spec
                .region_id
                .clone()
                .or_else(|| stored.and_then(|p| p.region_id.clone()));
            let currency = currency_of(conn, spec, region.as_deref(), stored)?;
            let amount = amount_of(spec, &currency, stored)?;
            Ok((spec.id.clone(), currency, region, amount))
        })
        .collect()
}

/// The currency sent, else the region's, else the stored price's.
fn currency_of(
    conn: &Connection,
    spec: &PriceSpec,
    region: Option<&str>,
    stored: Option<&OptionPrice>,
) -> Result<String> {
    let currency = match (&spec.currency_code, region) {
        (Some(c), _) => c.to_lowercase(),
        (None, Some(r)) => region::retrieve(conn, r)?.currency_code,
        (None, None) => stored.map(|p| p.currency_code.clone()).unwrap_or_default(),
    };
    if currency.is_empty() {
        return Err(Error::invalid(
            "A shipping option price needs a currency_code or a region_id",
        ));
    }
    Ok(currency)
}

/// The amount sent (major units, to minor), else the stored price's.
fn amount_of(spec: &PriceSpec, currency: &str, stored: Option<&OptionPrice>) -> Result<i64> {
    match (&spec.amount, stored) {
        (Some(a), _) => crate::money::parse_major_non_negative(a, currency)
            .map_err(|e| Error::invalid(e.to_string())),
        (None, Some(p)) => Ok(p.amount),
        (None, None) => Err(Error::invalid(
            "Invalid request: Field 'prices, amount' is required",
        )),
    }
}

/// Medusa's `validateShippingOptionPricesStep`: every region named must exist.
fn check_regions(conn: &Connection, specs: &[PriceSpec]) -> Result<()> {
    let mut missing: Vec<&str> = Vec::new();
    for region_id in specs.iter().filter_map(|s| s.region_id.as_deref()) {
        match region::retrieve(conn, region_id) {
            Ok(_) => {}
            Err(Error::NotFound(_)) if !missing.contains(&region_id) => missing.push(region_id),
            Err(Error::NotFound(_)) => {}
            Err(e) => return Err(e),
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::invalid(format!(
        "Cannot create prices for non-existent regions. Region with ids [{}] were not found.",
        missing.join(", ")
    )))
}

/// Creates a shipping option; emits `shipping-option.created`.
///
/// # Errors
/// 404 for an unknown zone, profile or type; 400 for a provider not enabled at the
/// location, or prices naming unknown regions.
pub fn create_option(tx: &Tx, ctx: &Ctx, input: &OptionInput) -> Result<ShippingOption> {
    zones::retrieve_zone(tx, &input.service_zone_id)?;
    profiles::retrieve(tx, &input.shipping_profile_id)?;
    check_provider(tx, &input.service_zone_id, &input.provider_id)?;
    let prices = resolve_prices(tx, &input.prices, None)?;
    let new = NewShippingOption {
        name: input.name.clone(),
        price_type: input.price_type.clone(),
        service_zone_id: input.service_zone_id.clone(),
        shipping_profile_id: Some(input.shipping_profile_id.clone()),
        provider_id: Some(input.provider_id.clone()),
        data: input.data.clone(),
        kind: input.kind.clone(),
        prices: prices.into_iter().map(|(_, c, r, a)| (c, r, a)).collect(),
        rules: Some(input.rules.clone()),
        is_return: false,
    };
    let made = fulfillment::create_option(tx, ctx, &new)?;
    ctx.emit(tx, "shipping-option.created", json!({ "id": made.id }))?;
    if matches!(input.kind, TypeChoice::New(..)) {
        emit_each(tx, ctx, "shipping-option-type.created", [&made.type_id])?;
    }
    emit_each(
        tx,
        ctx,
        "shipping-option-rule.created",
        made.rules.iter().map(|r| &r.id),
    )?;
    Ok(made)
}

/// Emits `name` with `{id}` for each id (Medusa's module events for nested records).
///
/// # Errors
/// Database failures.
pub(crate) fn emit_each<'a>(
    tx: &Tx,
    ctx: &Ctx,
    name: &str,
    ids: impl IntoIterator<Item = &'a String>,
) -> Result<()> {
    for id in ids {
        ctx.emit(tx, name, json!({ "id": id }))?;
    }
    Ok(())
}

/// Input of [`update_option`]: scalar changes, a new type, and replacement prices / rules.
#[derive(Debug, Clone, Default)]
pub struct OptionUpdate {
    /// Scalar changes (its `type_id` is set from `kind`).
    pub changes: OptionChanges,
    /// A new inline type or an existing one.
    pub kind: Option<TypeChoice>,
    /// Replacement prices.
    pub prices: Option<Vec<PriceSpec>>,
    /// Replacement rules.
    pub rules: Option<Vec<RuleInput>>,
}

/// Updates a shipping option; emits `shipping-option.updated`.
///
/// # Errors
/// 404 for an unknown option, profile, type, price or rule; 400 for a provider not enabled
/// at the location, or prices naming unknown regions.
pub fn update_option(
    tx: &Tx,
    ctx: &Ctx,
    id: &str,
    update: &OptionUpdate,
) -> Result<ShippingOption> {
    let current = fulfillment::retrieve_option(tx, id)?;
    let mut changes = update.changes.clone();
    if let Some(profile) = &changes.shipping_profile_id {
        profiles::retrieve(tx, profile)?;
    }
    if let Some(provider) = &changes.provider_id {
        check_provider(tx, &current.service_zone_id, provider)?;
    }
    changes.type_id = match &update.kind {
        Some(TypeChoice::Existing(type_id)) => Some(option_types::retrieve(tx, type_id)?.id),
        Some(TypeChoice::New(label, code, description)) => {
            Some(option_types::create(tx, ctx, label, code, description)?.id)
        }
        None => None,
    };
    if let Some(specs) = &update.prices {
        let prices = resolve_prices(tx, specs, Some(&current))?;
        option_admin::replace_prices(tx, ctx, &current, &prices)?;
    }
    if let Some(rules) = &update.rules {
        option_admin::replace_rules(tx, ctx, &current, rules)?;
    }
    let updated = option_admin::update(tx, ctx, id, &changes)?;
    ctx.emit(tx, "shipping-option.updated", json!({ "id": id }))?;
    if matches!(update.kind, Some(TypeChoice::New(..))) {
        emit_each(tx, ctx, "shipping-option-type.created", [&updated.type_id])?;
    }
    if let Some(rules) = &update.rules {
        emit_rule_changes(tx, ctx, &current, &updated, rules)?;
    }
    Ok(updated)
}

/// The rule events of a replacement: rules new since `before` created, those sent with an id
/// updated, those gone deleted.
fn emit_rule_changes(
    tx: &Tx,
    ctx: &Ctx,
    before: &ShippingOption,
    after: &ShippingOption,
    sent: &[RuleInput],
) -> Result<()> {
    let had = |id: &String| before.rules.iter().any(|r| &r.id == id);
    let has = |id: &String| after.rules.iter().any(|r| &r.id == id);
    let created = after.rules.iter().map(|r| &r.id).filter(|id| !had(id));
    emit_each(tx, ctx, "shipping-option-rule.created", created)?;
    let updated = sent.iter().filter_map(|(id, _)| id.as_ref());
    emit_each(tx, ctx, "shipping-option-rule.updated", updated)?;
    let deleted = before.rules.iter().map(|r| &r.id).filter(|id| !has(id));
    emit_each(tx, ctx, "shipping-option-rule.deleted", deleted)
}

/// Deletes a shipping option with its rules and prices; emits `shipping-option.deleted`.
/// An unknown id is a no-op, as in Medusa.
///
/// # Errors
/// Database failures.
pub fn delete_option(tx: &Tx, ctx: &Ctx, id: &str) -> Result<()> {
    zones::delete_option(tx, ctx, id)?;
    ctx.emit(tx, "shipping-option.deleted", json!({ "id": id }))
}

/// Creates, updates and deletes rules of one option; emits `shipping-option-rule.created|
/// updated|deleted` per rule.
///
/// # Errors
/// 404 for an unknown option, or a rule that is not the option's.
pub fn batch_rules(
    tx: &Tx,
    ctx: &Ctx,
    option_id: &str,
    create: &[NewRule],
    update: &[(String, NewRule)],
    delete: &[String],
) -> Result<option_admin::RuleBatch> {
    let batch = option_admin::batch_rules(tx, ctx, option_id, create, update, delete)?;
    for rule in &batch.created {
        ctx.emit(tx, "shipping-option-rule.created", json!({ "id": rule.id }))?;
    }
    for rule in &batch.updated {
        ctx.emit(tx, "shipping-option-rule.updated", json!({ "id": rule.id }))?;
    }
    for id in &batch.deleted {
        ctx.emit(tx, "shipping-option-rule.deleted", json!({ "id": id }))?;
    }
    Ok(batch)
}
