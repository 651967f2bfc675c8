//! Rule evaluation (Medusa's `areRulesValidForContext`), pure: a context is a map from an
//! attribute path (`region.id`, `customer.groups.id`, `items.product.id`) to the values the
//! cart or the line has there; a rule holds when its operator accepts them.

use super::model::Rule;
use std::collections::HashMap;

/// Attribute path → values (a list: a customer has many groups, a product many categories).
pub type Attrs = HashMap<String, Vec<String>>;

/// The operators a rule may use.
pub const OPERATORS: [&str; 7] = ["gte", "lte", "gt", "lt", "eq", "ne", "in"];

/// Whether every rule holds in `attrs` (no rules: always).
pub fn all_hold(rules: &[Rule], attrs: &Attrs) -> bool {
    rules.iter().all(|rule| holds(rule, attrs))
}

/// Whether one rule holds: `eq` / `in` when some value of the context is among the rule's
/// values; `ne` when none is; `gt` / `gte` / `lt` / `lte` when some value of the context
/// compares so to the rule's first value (as exact decimals).
pub fn holds(rule: &Rule, attrs: &Attrs) -> bool {
    let found = attrs
        .get(&rule.attribute)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let wanted: Vec<&str> = rule.values.iter().map(|(_, v)| v.as_str()).collect();
    match rule.operator.as_str() {
        "eq" | "in" => found.iter().any(|f| wanted.contains(&f.as_str())),
        "ne" => !found.iter().any(|f| wanted.contains(&f.as_str())),
        op => {
            let Some(limit) = wanted.first().and_then(|w| decimal(w)) else {
                return false;
            };
            found.iter().filter_map(|f| decimal(f)).any(|v| match op {
                "gt" => v > limit,
                "gte" => v >= limit,
                "lt" => v < limit,
                "lte" => v <= limit,
                _ => false,
            })
        }
    }
}

/// A decimal as millionths, exactly (rule thresholds such as an item total).
fn decimal(text: &str) -> Option<i64> {
    crate::money::parse_scaled(text.trim(), 6).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(attribute: &str, operator: &str, values: &[&str]) -> Rule {
        Rule {
            id: "prorul_1".into(),
            attribute: attribute.into(),
            operator: operator.into(),
            description: None,
            values: values
                .iter()
                .map(|v| ("prorulval_1".to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn operators_over_lists_and_numbers() {
        let attrs: Attrs = [
            (
                "customer.groups.id".to_string(),
                vec!["g1".into(), "g2".into()],
            ),
            ("item_total".to_string(), vec!["100.5".into()]),
        ]
        .into();
        assert!(holds(
            &rule("customer.groups.id", "in", &["g2", "g9"]),
            &attrs
        ));
        assert!(!holds(&rule("customer.groups.id", "eq", &["g9"]), &attrs));
        assert!(holds(&rule("customer.groups.id", "ne", &["g9"]), &attrs));
        assert!(!holds(&rule("customer.groups.id", "ne", &["g1"]), &attrs));
        assert!(holds(&rule("item_total", "gte", &["100.50"]), &attrs));
        assert!(!holds(&rule("item_total", "gt", &["100.5"]), &attrs));
        assert!(holds(&rule("item_total", "lt", &["101"]), &attrs));
        assert!(!holds(&rule("region.id", "eq", &["reg_1"]), &attrs));
        assert!(holds(&rule("region.id", "ne", &["reg_1"]), &attrs));
    }
}
