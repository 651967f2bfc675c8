//! Promotions and campaigns on the wire: values as numbers (a fixed value in major units of
//! its currency, a percentage as given), a spend budget's `limit` / `used` in major units.

use crate::modules::promotion::{ApplicationMethod, Budget, Campaign, Promotion, Rule};
use crate::money::to_json;
use serde_json::{Value, json};

/// Decimal text as a JSON number (it was one when it came in).
pub fn number(text: &str) -> Value {
    serde_json::from_str::<Value>(text)
        .ok()
        .filter(Value::is_number)
        .unwrap_or_else(|| Value::String(text.to_string()))
}

/// A rule with its values.
pub fn rule_json(rule: &Rule) -> Value {
    let values: Vec<Value> = rule
        .values
        .iter()
        .map(|(id, value)| json!({ "id": id, "value": value }))
        .collect();
    json!({
        "id": rule.id, "attribute": rule.attribute, "operator": rule.operator,
        "description": rule.description, "values": values,
    })
}

fn rules_json(rules: &[Rule]) -> Vec<Value> {
    rules.iter().map(rule_json).collect()
}

/// An application method with its target and buy rules.
pub fn method_json(m: &ApplicationMethod) -> Value {
    json!({
        "id": m.id, "type": m.kind, "target_type": m.target_type, "allocation": m.allocation,
        "value": number(&m.value), "raw_value": {"value": m.value, "precision": 20},
        "currency_code": m.currency_code, "max_quantity": m.max_quantity,
        "apply_to_quantity": m.apply_to_quantity, "buy_rules_min_quantity": m.buy_rules_min_quantity,
        "description": m.description, "target_rules": rules_json(&m.target_rules),
        "buy_rules": rules_json(&m.buy_rules), "created_at": m.created_at,
        "updated_at": m.updated_at, "deleted_at": null,
    })
}

/// A budget; a spend budget's amounts in major units of its currency.
pub fn budget_json(b: &Budget) -> Value {
    let amount = |v: i64| match (b.kind.as_str(), b.currency_code.as_deref()) {
        ("spend", Some(currency)) => to_json(v, currency),
        _ => json!(v),
    };
    json!({
        "id": b.id, "type": b.kind, "currency_code": b.currency_code,
        "limit": b.limit.map(amount), "used": amount(b.used),
        "created_at": b.created_at, "updated_at": b.updated_at, "deleted_at": null,
    })
}

/// A campaign with its budget.
pub fn campaign_json(c: &Campaign) -> Value {
    json!({
        "id": c.id, "name": c.name, "description": c.description,
        "campaign_identifier": c.campaign_identifier, "starts_at": c.starts_at, "ends_at": c.ends_at,
        "budget": c.budget.as_ref().map(budget_json), "created_at": c.created_at,
        "updated_at": c.updated_at, "deleted_at": c.deleted_at,
    })
}

/// A promotion with its application method, rules and campaign.
pub fn promotion_json(p: &Promotion) -> Value {
    json!({
        "id": p.id, "code": p.code, "type": p.kind, "status": p.status,
        "is_automatic": p.is_automatic, "is_tax_inclusive": p.is_tax_inclusive,
        "limit": p.limit, "used": p.used, "campaign_id": p.campaign_id,
        "campaign": p.campaign.as_ref().map(campaign_json),
        "application_method": p.application_method.as_ref().map(method_json),
        "rules": rules_json(&p.rules),
        "created_at": p.created_at, "updated_at": p.updated_at, "deleted_at": p.deleted_at,
    })
}
