//! Price calculation: picks the best price of a price set for a context (currency, region,
//! quantity, customer groups, time), the way Medusa's pricing module does. Pure functions
//! over loaded candidates, so the rules are unit-tested without a database.
//!
//! * A price applies when its currency matches, every rule of it holds in the context, and
//!   the quantity is within its `min_quantity`/`max_quantity`.
//! * Among default prices (no price list) the most specific wins (most rules), ties go to
//!   the lowest amount.
//! * A price-list price applies only while its list is active, started, not ended, and the
//!   list's rules (e.g. customer groups) hold. An `override` list price always wins (and is
//!   the original price too); a `sale` price wins only if it is lower than the default,
//!   which then stays the original price.

use serde::Serialize;

/// What prices are calculated for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PricingContext {
    /// Lower-case currency code (required).
    pub currency_code: String,
    /// Region, when known.
    pub region_id: Option<String>,
    /// Quantity (1 when listing products).
    pub quantity: i64,
    /// Customer groups of the shopper.
    pub customer_group_ids: Vec<String>,
    /// Now, ISO-8601 (compared as text, like every stored timestamp).
    pub now: String,
}

/// A price list as far as calculation cares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListInfo {
    /// `plist_…`
    pub id: String,
    /// `sale` or `override`.
    pub kind: String,
    /// `active` or `draft`.
    pub status: String,
    /// Start, if any.
    pub starts_at: Option<String>,
    /// End, if any.
    pub ends_at: Option<String>,
    /// Rules: attribute → accepted values.
    pub rules: Vec<(String, Vec<String>)>,
}

/// One stored price, with its rules and list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Candidate {
    /// `price_…`
    pub id: String,
    /// Its price set.
    pub price_set_id: String,
    /// Lower-case currency.
    pub currency_code: String,
    /// Exact minor units.
    pub amount: i64,
    /// Lowest quantity it applies to.
    pub min_quantity: Option<i64>,
    /// Highest quantity it applies to.
    pub max_quantity: Option<i64>,
    /// `(attribute, operator, value)`.
    pub rules: Vec<(String, String, String)>,
    /// The list it belongs to, if any.
    pub list: Option<ListInfo>,
}

/// One side (calculated or original) of a result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Chosen {
    /// The price's id.
    pub id: String,
    /// Exact minor units.
    #[serde(skip)]
    pub amount: i64,
    /// Its list, if any.
    pub price_list_id: Option<String>,
    /// Its list's type, if any.
    pub price_list_type: Option<String>,
    /// Bounds.
    pub min_quantity: Option<i64>,
    /// Bounds.
    pub max_quantity: Option<i64>,
}

/// Medusa's `calculated_price` before rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalculatedPrice {
    /// The price set.
    pub price_set_id: String,
    /// Currency of both amounts.
    pub currency_code: String,
    /// The price to charge.
    pub calculated: Chosen,
    /// The price before a sale.
    pub original: Chosen,
    /// Whether amounts include tax (price preferences).
    pub is_tax_inclusive: bool,
}

impl Chosen {
    fn of(c: &Candidate) -> Chosen {
        Chosen {
            id: c.id.clone(),
            amount: c.amount,
            price_list_id: c.list.as_ref().map(|l| l.id.clone()),
            price_list_type: c.list.as_ref().map(|l| l.kind.clone()),
            min_quantity: c.min_quantity,
            max_quantity: c.max_quantity,
        }
    }
}

fn context_values<'a>(ctx: &'a PricingContext, attribute: &str) -> Vec<&'a str> {
    match attribute {
        "region_id" => ctx.region_id.as_deref().into_iter().collect(),
        "currency_code" => vec![ctx.currency_code.as_str()],
        "customer_group_id" | "customer.groups.id" => {
            ctx.customer_group_ids.iter().map(String::as_str).collect()
        }
        _ => Vec::new(),
    }
}

fn rule_holds(
    ctx: &PricingContext,
    (attribute, operator, value): &(String, String, String),
) -> bool {
    let have = context_values(ctx, attribute);
    match operator.as_str() {
        "eq" => have.iter().any(|h| h == value),
        op => {
            let (Ok(want), Some(Ok(got))) =
                (value.parse::<f64>(), have.first().map(|h| h.parse::<f64>()))
            else {
                return false;
            };
            match op {
                "gt" => got > want,
                "gte" => got >= want,
                "lt" => got < want,
                "lte" => got <= want,
                _ => false,
            }
        }
    }
}

fn list_applies(ctx: &PricingContext, list: &ListInfo) -> bool {
    list.status == "active"
        && list
            .starts_at
            .as_deref()
            .is_none_or(|s| s <= ctx.now.as_str())
        && list.ends_at.as_deref().is_none_or(|e| e > ctx.now.as_str())
        && list.rules.iter().all(|(attribute, accepted)| {
            let have = context_values(ctx, attribute);
            have.iter().any(|h| accepted.iter().any(|a| a == h))
        })
}

/// Whether `c` may be charged in `ctx`.
pub fn applies(ctx: &PricingContext, c: &Candidate) -> bool {
    c.currency_code == ctx.currency_code
        && c.min_quantity.is_none_or(|m| ctx.quantity >= m)
        && c.max_quantity.is_none_or(|m| ctx.quantity <= m)
        && c.rules.iter().all(|r| rule_holds(ctx, r))
        && c.list.as_ref().is_none_or(|l| list_applies(ctx, l))
}

/// Most rules first, then the lowest amount.
fn best<'a>(candidates: impl Iterator<Item = &'a Candidate>) -> Option<&'a Candidate> {
    candidates.min_by(|a, b| {
        b.rules
            .len()
            .cmp(&a.rules.len())
            .then(a.amount.cmp(&b.amount))
            .then(a.id.cmp(&b.id))
    })
}

/// The best price among `candidates` (all of one price set) for `ctx`; `None` when no price
/// applies. `is_tax_inclusive` comes from the caller's price preferences.
pub fn calculate(
    ctx: &PricingContext,
    candidates: &[Candidate],
    is_tax_inclusive: bool,
) -> Option<CalculatedPrice> {
    let usable: Vec<&Candidate> = candidates.iter().filter(|c| applies(ctx, c)).collect();
    let of_kind = |kind: &str| {
        best(usable.iter().copied().filter(move |c| {
            c.list.as_ref().map(|l| l.kind.as_str()) == (kind != "default").then_some(kind)
        }))
    };
    let default = of_kind("default");
    let (calculated, original) = match (of_kind("override"), of_kind("sale"), default) {
        (Some(o), _, _) => (o, o),
        (None, Some(s), Some(d)) if s.amount < d.amount => (s, d),
        (None, _, Some(d)) => (d, d),
        (None, Some(s), None) => (s, s),
        (None, None, None) => return None,
    };
    Some(CalculatedPrice {
        price_set_id: calculated.price_set_id.clone(),
        currency_code: calculated.currency_code.clone(),
        calculated: Chosen::of(calculated),
        original: Chosen::of(original),
        is_tax_inclusive,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(currency: &str, region: Option<&str>, quantity: i64) -> PricingContext {
        PricingContext {
            currency_code: currency.into(),
            region_id: region.map(str::to_string),
            quantity,
            customer_group_ids: vec!["cusgroup_vip".into()],
            now: "2024-06-01T00:00:00.000Z".into(),
        }
    }

    fn price(id: &str, currency: &str, amount: i64) -> Candidate {
        Candidate {
            id: id.into(),
            price_set_id: "pset_1".into(),
            currency_code: currency.into(),
            amount,
            ..Candidate::default()
        }
    }

    fn in_region(mut c: Candidate, region: &str) -> Candidate {
        c.rules
            .push(("region_id".into(), "eq".into(), region.into()));
        c
    }

    fn listed(mut c: Candidate, kind: &str, window: (Option<&str>, Option<&str>)) -> Candidate {
        c.list = Some(ListInfo {
            id: format!("plist_{kind}"),
            kind: kind.into(),
            status: "active".into(),
            starts_at: window.0.map(str::to_string),
            ends_at: window.1.map(str::to_string),
            rules: Vec::new(),
        });
        c
    }

    /// `(calculated id, original id)` or `None`.
    #[track_caller]
    fn check(ctx: &PricingContext, prices: &[Candidate], expected: Option<(&str, &str)>) {
        let got = calculate(ctx, prices, false);
        let got = got
            .as_ref()
            .map(|p| (p.calculated.id.as_str(), p.original.id.as_str()));
        assert_eq!(got, expected);
    }

    #[test]
    fn currency_must_match() {
        let prices = [price("p_usd", "usd", 1000), price("p_eur", "eur", 900)];
        check(&ctx("eur", None, 1), &prices, Some(("p_eur", "p_eur")));
        check(&ctx("gbp", None, 1), &prices, None);
    }

    #[test]
    fn region_rule_beats_currency_price() {
        let prices = [
            price("p_eur", "eur", 900),
            in_region(price("p_de", "eur", 1200), "reg_de"),
        ];
        check(
            &ctx("eur", Some("reg_de"), 1),
            &prices,
            Some(("p_de", "p_de")),
        );
        check(
            &ctx("eur", Some("reg_fr"), 1),
            &prices,
            Some(("p_eur", "p_eur")),
        );
        check(&ctx("eur", None, 1), &prices, Some(("p_eur", "p_eur")));
    }

    #[test]
    fn ties_go_to_the_lowest_amount() {
        let prices = [price("p_a", "usd", 1000), price("p_b", "usd", 800)];
        check(&ctx("usd", None, 1), &prices, Some(("p_b", "p_b")));
    }

    #[test]
    fn quantity_tiers() {
        let mut bulk = price("p_bulk", "usd", 700);
        bulk.min_quantity = Some(10);
        let mut small = price("p_small", "usd", 1000);
        small.max_quantity = Some(9);
        let prices = [bulk, small];
        check(&ctx("usd", None, 1), &prices, Some(("p_small", "p_small")));
        check(&ctx("usd", None, 10), &prices, Some(("p_bulk", "p_bulk")));
    }

    #[test]
    fn sale_applies_only_when_lower_and_in_its_window() {
        let base = price("p_base", "usd", 1000);
        let sale = listed(
            price("p_sale", "usd", 800),
            "sale",
            (Some("2024-05-01"), Some("2024-07-01")),
        );
        check(
            &ctx("usd", None, 1),
            &[base.clone(), sale],
            Some(("p_sale", "p_base")),
        );
        let ended = listed(
            price("p_old", "usd", 800),
            "sale",
            (None, Some("2024-05-01")),
        );
        check(
            &ctx("usd", None, 1),
            &[base.clone(), ended],
            Some(("p_base", "p_base")),
        );
        let dearer = listed(price("p_dear", "usd", 1200), "sale", (None, None));
        check(
            &ctx("usd", None, 1),
            &[base, dearer],
            Some(("p_base", "p_base")),
        );
    }

    #[test]
    fn override_always_applies() {
        let base = price("p_base", "usd", 1000);
        let over = listed(price("p_over", "usd", 1500), "override", (None, None));
        check(
            &ctx("usd", None, 1),
            &[base, over],
            Some(("p_over", "p_over")),
        );
    }

    #[test]
    fn price_list_customer_group_rule() {
        let base = price("p_base", "usd", 1000);
        let mut vip = listed(price("p_vip", "usd", 700), "sale", (None, None));
        if let Some(list) = vip.list.as_mut() {
            list.rules
                .push(("customer_group_id".into(), vec!["cusgroup_vip".into()]));
        }
        check(
            &ctx("usd", None, 1),
            &[base.clone(), vip.clone()],
            Some(("p_vip", "p_base")),
        );
        let mut guest = ctx("usd", None, 1);
        guest.customer_group_ids.clear();
        check(&guest, &[base, vip], Some(("p_base", "p_base")));
    }

    #[test]
    fn draft_lists_do_not_apply() {
        let base = price("p_base", "usd", 1000);
        let mut draft = listed(price("p_draft", "usd", 500), "sale", (None, None));
        if let Some(list) = draft.list.as_mut() {
            list.status = "draft".into();
        }
        check(
            &ctx("usd", None, 1),
            &[base, draft],
            Some(("p_base", "p_base")),
        );
    }

    #[test]
    fn tax_inclusive_flag_is_carried() {
        let got = calculate(&ctx("eur", None, 1), &[price("p", "eur", 100)], true);
        assert!(got.is_some_and(|p| p.is_tax_inclusive));
    }
}
