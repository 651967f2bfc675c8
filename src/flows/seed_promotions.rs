//! Promotions and campaigns in the fixture format: loaded by `seed` (after the catalog,
//! regions and channels, whose keys rule values may name) and written by `export`, in
//! creation order, so export → load → export stays byte-identical.
//!
//! A rule value naming a collection, category, region, sales channel or customer group is written as that
//! entity's fixture key and read back as its id; other values (product ids,
//! currencies) are kept as they are.

use super::export::KeyBook;
use super::seed_catalog::{Keys, lookup};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::modules::promotion::campaign::{self, NewCampaign};
use crate::modules::promotion::write::{self, MethodFields, NewPromotion, NewRule};
use crate::modules::promotion::{self, Promotion, Rule};
use crate::money::{parse_major, to_json};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;

/// `campaigns[]` entry.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureCampaign {
    /// Name.
    pub name: String,
    /// Unique identifier (promotions name their campaign by it).
    pub campaign_identifier: String,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// ISO-8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<String>,
    /// ISO-8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<String>,
    /// `{type, limit, currency_code}`; a spend limit in major units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<FixtureBudget>,
}

/// A campaign's budget.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureBudget {
    /// `usage` | `spend`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Orders (usage) or major units of `currency_code` (spend).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<Value>,
    /// A spend budget's currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_code: Option<String>,
}

/// A rule: `attribute operator values`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureRule {
    /// Dotted path.
    pub attribute: String,
    /// `eq`, `ne`, `in`, `gt`, `gte`, `lt`, `lte`.
    pub operator: String,
    /// Values (entity keys for collections, categories, regions, channels).
    pub values: Vec<String>,
}

/// A promotion's application method.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureMethod {
    /// `fixed` | `percentage`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `items` | `shipping_methods` | `order`.
    pub target_type: String,
    /// `each` | `across`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocation: Option<String>,
    /// A percentage, or major units of `currency_code`.
    pub value: Value,
    /// A fixed value's currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_code: Option<String>,
    /// Units per line (`each`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_quantity: Option<i64>,
    /// Buy-get.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apply_to_quantity: Option<i64>,
    /// Buy-get.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buy_rules_min_quantity: Option<i64>,
    /// Which lines it discounts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target_rules: Vec<FixtureRule>,
    /// Buy-get: what must be bought.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buy_rules: Vec<FixtureRule>,
}

/// `promotions[]` entry.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixturePromotion {
    /// Code.
    pub code: String,
    /// `standard` | `buyget`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `draft` | `active` | `inactive`.
    pub status: String,
    /// Applied without a code.
    #[serde(default, skip_serializing_if = "is_false")]
    pub is_automatic: bool,
    /// Value and adjustments include tax.
    #[serde(default, skip_serializing_if = "is_false")]
    pub is_tax_inclusive: bool,
    /// Usage limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    /// The campaign's identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    /// How it discounts.
    pub application_method: FixtureMethod,
    /// Promotion rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<FixtureRule>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The keyed entity kind a rule attribute names, if any.
fn keyed(attribute: &str) -> Option<&'static str> {
    if attribute.ends_with("collection_id") {
        Some("collection")
    } else if attribute.ends_with("categories.id") {
        Some("category")
    } else if attribute == "region.id" || attribute == "region_id" {
        Some("region")
    } else if attribute.starts_with("sales_channel") {
        Some("sales channel")
    } else if super::seed_catalog::names_groups(attribute) {
        Some("customer group")
    } else {
        None
    }
}

fn map_of<'a>(keys: &'a Keys, kind: &str) -> &'a HashMap<String, String> {
    match kind {
        "collection" => &keys.collections,
        "category" => &keys.categories,
        "region" => &keys.regions,
        "customer group" => &keys.groups,
        _ => &keys.channels,
    }
}

fn new_rules(rules: &[FixtureRule], keys: &Keys) -> Result<Vec<NewRule>> {
    rules
        .iter()
        .map(|r| {
            let values = match keyed(&r.attribute) {
                Some(kind) => r
                    .values
                    .iter()
                    .map(|v| lookup(map_of(keys, kind), kind, v).cloned())
                    .collect::<Result<Vec<_>>>()?,
                None => r.values.clone(),
            };
            Ok(NewRule {
                attribute: r.attribute.clone(),
                operator: r.operator.clone(),
                description: None,
                values,
            })
        })
        .collect()
}

/// Creates the fixture's campaigns, then its promotions.
///
/// # Errors
/// Unknown keys, invalid promotions (the module's messages), database failures.
pub fn load(
    conn: &Connection,
    ctx: &Ctx,
    (campaigns, promotions): (&[FixtureCampaign], &[FixturePromotion]),
    keys: &Keys,
) -> Result<()> {
    let mut campaign_ids: HashMap<&str, String> = HashMap::new();
    for c in campaigns {
        let budget = match &c.budget {
            Some(b) => Some((b.kind.clone(), b.currency_code.clone(), budget_limit(b)?)),
            None => None,
        };
        let input = NewCampaign {
            name: c.name.clone(),
            campaign_identifier: c.campaign_identifier.clone(),
            description: c.description.clone(),
            starts_at: c.starts_at.clone(),
            ends_at: c.ends_at.clone(),
            budget,
        };
        campaign_ids.insert(&c.campaign_identifier, campaign::create(conn, ctx, &input)?);
    }
    for p in promotions {
        let campaign_id = match p.campaign.as_deref() {
            Some(key) => Some(lookup_campaign(&campaign_ids, key)?),
            None => None,
        };
        let m = &p.application_method;
        let input = NewPromotion {
            code: p.code.clone(),
            kind: p.kind.clone(),
            status: p.status.clone(),
            is_automatic: p.is_automatic,
            is_tax_inclusive: p.is_tax_inclusive,
            limit: p.limit,
            campaign_id,
            method: MethodFields {
                kind: m.kind.clone(),
                target_type: m.target_type.clone(),
                allocation: m.allocation.clone(),
                value: m.value.to_string(),
                currency_code: m.currency_code.clone(),
                max_quantity: m.max_quantity,
                apply_to_quantity: m.apply_to_quantity,
                buy_rules_min_quantity: m.buy_rules_min_quantity,
                description: None,
            },
            target_rules: new_rules(&m.target_rules, keys)?,
            buy_rules: new_rules(&m.buy_rules, keys)?,
            rules: new_rules(&p.rules, keys)?,
        };
        write::create(conn, ctx, &input)?;
    }
    Ok(())
}

fn lookup_campaign(ids: &HashMap<&str, String>, key: &str) -> Result<String> {
    ids.get(key)
        .cloned()
        .ok_or_else(|| Error::invalid(format!("fixture: unknown campaign key '{key}'")))
}

fn budget_limit(b: &FixtureBudget) -> Result<Option<i64>> {
    let Some(limit) = &b.limit else {
        return Ok(None);
    };
    let currency = match (b.kind.as_str(), b.currency_code.as_deref()) {
        ("spend", Some(c)) => c,
        _ => "jpy",
    };
    parse_major(limit.to_string().as_str(), currency)
        .map(Some)
        .map_err(|e| Error::invalid(format!("fixture: budget limit {e}")))
}

fn fixture_rules(rules: &[Rule], book: &KeyBook) -> Vec<FixtureRule> {
    rules
        .iter()
        .map(|r| FixtureRule {
            attribute: r.attribute.clone(),
            operator: r.operator.clone(),
            values: r
                .values
                .iter()
                .map(|(_, v)| match keyed(&r.attribute) {
                    Some(_) => book.key(v).unwrap_or_else(|| v.clone()),
                    None => v.clone(),
                })
                .collect(),
        })
        .collect()
}

/// The store's campaigns and promotions as fixture sections, in creation order.
///
/// # Errors
/// Database failures.
pub fn export(
    conn: &Connection,
    book: &KeyBook,
) -> Result<(Vec<FixtureCampaign>, Vec<FixturePromotion>)> {
    let all = super::export::ALL;
    let (mut campaigns, _) = campaign::list(conn, None, &[], 0, all)?;
    campaigns.reverse();
    let identifiers: HashMap<String, String> = campaigns
        .iter()
        .map(|c| (c.id.clone(), c.campaign_identifier.clone()))
        .collect();
    let campaigns = campaigns
        .into_iter()
        .map(|c| FixtureCampaign {
            name: c.name,
            campaign_identifier: c.campaign_identifier,
            description: c.description,
            starts_at: c.starts_at,
            ends_at: c.ends_at,
            budget: c.budget.map(|b| FixtureBudget {
                limit: b
                    .limit
                    .map(|l| match (b.kind.as_str(), b.currency_code.as_deref()) {
                        ("spend", Some(currency)) => to_json(l, currency),
                        _ => Value::from(l),
                    }),
                kind: b.kind,
                currency_code: b.currency_code,
            }),
        })
        .collect();
    let (mut promotions, _) = promotion::list(conn, &Default::default(), 0, all)?;
    promotions.reverse();
    let promotions = promotions
        .iter()
        .filter_map(|p| fixture_promotion(p, &identifiers, book))
        .collect();
    Ok((campaigns, promotions))
}

fn fixture_promotion(
    p: &Promotion,
    identifiers: &HashMap<String, String>,
    book: &KeyBook,
) -> Option<FixturePromotion> {
    let m = p.application_method.as_ref()?;
    Some(FixturePromotion {
        code: p.code.clone(),
        kind: p.kind.clone(),
        status: p.status.clone(),
        is_automatic: p.is_automatic,
        is_tax_inclusive: p.is_tax_inclusive,
        limit: p.limit,
        campaign: p
            .campaign_id
            .as_ref()
            .and_then(|id| identifiers.get(id).cloned()),
        application_method: FixtureMethod {
            kind: m.kind.clone(),
            target_type: m.target_type.clone(),
            allocation: m.allocation.clone(),
            value: serde_json::from_str::<Value>(&m.value)
                .unwrap_or(Value::String(m.value.clone())),
            currency_code: m.currency_code.clone(),
            max_quantity: m.max_quantity,
            apply_to_quantity: m.apply_to_quantity,
            buy_rules_min_quantity: m.buy_rules_min_quantity,
            target_rules: fixture_rules(&m.target_rules, book),
            buy_rules: fixture_rules(&m.buy_rules, book),
        },
        rules: fixture_rules(&p.rules, book),
    })
}
