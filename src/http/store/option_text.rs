//! A shipping option as the Store API lists it for a cart (`GET /store/shipping-options`):
//! written as text, straight into the reply (a test compares it with the value the reply was
//! built as before).

use crate::http::json_out::{self, Obj};
use crate::modules::fulfillment::ShippingOption;
use crate::money::{exponent_or_default, write_major};

/// The option priced at `amount` (minor units of `currency`), as JSON text.
pub fn write_option(
    out: &mut String,
    o: &ShippingOption,
    amount: i64,
    inclusive: bool,
    currency: &str,
) {
    let major = |out: &mut String, minor: i64, currency: &str| {
        write_major(out, minor, exponent_or_default(currency));
    };
    let mut w = Obj::start(out);
    w.str("id", Some(&o.id));
    w.str("name", Some(&o.name));
    w.str("price_type", Some(&o.price_type));
    w.str("service_zone_id", Some(&o.service_zone_id));
    w.str("shipping_profile_id", o.shipping_profile_id.as_deref());
    w.str("provider_id", Some(&o.provider_id));
    w.value("data", o.data.as_ref());
    let mut kind = Obj::start(w.key("type"));
    kind.str("id", Some(&o.type_id));
    kind.str("label", Some(&o.type_label));
    kind.str("description", Some(&o.type_description));
    kind.str("code", Some(&o.type_code));
    kind.end();
    let mut provider = Obj::start(w.key("provider"));
    provider.str("id", Some(&o.provider_id));
    provider.bool("is_enabled", true);
    provider.end();
    // Rules serialize as plain strings and values: they cannot fail.
    let _ = w.serialized("rules", &o.rules);
    let mut zone = Obj::start(w.key("service_zone"));
    zone.str("id", Some(&o.service_zone_id));
    zone.str("fulfillment_set_id", Some(&o.fulfillment_set_id));
    zone.end();
    json_out::array(w.key("prices"), &o.prices, |out, p| {
        let mut price = Obj::start(out);
        price.str("id", Some(&p.id));
        price.str("currency_code", Some(&p.currency_code));
        major(price.key("amount"), p.amount, &p.currency_code);
        price.end();
    });
    let mut calculated = Obj::start(w.key("calculated_price"));
    major(calculated.key("calculated_amount"), amount, currency);
    major(calculated.key("original_amount"), amount, currency);
    calculated.str("currency_code", Some(currency));
    calculated.bool("is_calculated_price_tax_inclusive", inclusive);
    calculated.bool("is_original_price_tax_inclusive", inclusive);
    calculated.end();
    major(w.key("amount"), amount, currency);
    w.bool("is_tax_inclusive", inclusive);
    w.bool("insufficient_inventory", false);
    w.end();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::modules::fulfillment::{OptionPrice, OptionRule};
    use serde_json::{Value, json};

    /// [`write_option`]'s document as a value, as the reply built it before: what the text
    /// is checked against.
    fn option_json(o: &ShippingOption, amount: i64, inclusive: bool, currency: &str) -> Value {
        let major = crate::money::to_json(amount, currency);
        json!({
            "id": o.id, "name": o.name, "price_type": o.price_type, "service_zone_id": o.service_zone_id,
            "shipping_profile_id": o.shipping_profile_id, "provider_id": o.provider_id, "data": o.data,
            "type": {"id": o.type_id, "label": o.type_label, "description": o.type_description, "code": o.type_code},
            "provider": {"id": o.provider_id, "is_enabled": true},
            "rules": o.rules, "service_zone": {"id": o.service_zone_id, "fulfillment_set_id": o.fulfillment_set_id},
            "prices": o.prices.iter().map(|p| json!({"id": p.id, "currency_code": p.currency_code, "amount": crate::money::to_json(p.amount, &p.currency_code)})).collect::<Vec<_>>(),
            "calculated_price": {"calculated_amount": major, "original_amount": major, "currency_code": currency,
                "is_calculated_price_tax_inclusive": inclusive, "is_original_price_tax_inclusive": inclusive},
            "amount": major, "is_tax_inclusive": inclusive, "insufficient_inventory": false,
        })
    }

    fn option() -> ShippingOption {
        ShippingOption {
            id: "so_1".into(),
            name: "Express \"next day\"".into(),
            price_type: "flat".into(),
            service_zone_id: "serzo_1".into(),
            fulfillment_set_id: "fuset_1".into(),
            shipping_profile_id: None,
            provider_id: "manual_manual".into(),
            data: Some(json!({"carrier": "ups", "n": 1.5})),
            type_id: "sotype_1".into(),
            type_label: "Express".into(),
            type_description: "Ship in a day".into(),
            type_code: "express".into(),
            rules: vec![OptionRule {
                id: "sorul_1".into(),
                attribute: "is_return".into(),
                operator: "eq".into(),
                value: "\"false\"".into(),
            }],
            prices: vec![
                OptionPrice {
                    id: "price_1".into(),
                    currency_code: "eur".into(),
                    region_id: None,
                    amount: 1_050,
                },
                OptionPrice {
                    id: "price_2".into(),
                    currency_code: "jpy".into(),
                    region_id: Some("reg_1".into()),
                    amount: 900,
                },
            ],
            created_at: "2026-12-08T01:02:03.004Z".into(),
            updated_at: "2026-12-08T01:02:03.004Z".into(),
        }
    }

    #[test]
    fn an_option_written_as_text_is_the_option_document() {
        let plain = ShippingOption {
            data: None,
            shipping_profile_id: Some("sp_1".into()),
            rules: Vec::new(),
            prices: Vec::new(),
            ..option()
        };
        for (o, amount, inclusive, currency) in [
            (option(), 1_050, false, "eur"),
            (option(), 1_000, true, "eur"),
            (plain, 900, false, "jpy"),
        ] {
            let mut text = String::new();
            write_option(&mut text, &o, amount, inclusive, currency);
            let written: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(
                written,
                option_json(&o, amount, inclusive, currency),
                "{text}"
            );
        }
    }
}
