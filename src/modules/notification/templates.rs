//! The notification templates: a subject, a plain-text body and an HTML body per template,
//! the HTML built with `maud` (every interpolated value is escaped — an order's item titles or
//! a customer's name are input). Unknown templates and missing fields are refused, never sent
//! half-filled.

use super::provider::Message;
use crate::error::{Error, Result};
use crate::money::exponent_or_default;
use maud::{Markup, html};
use serde_json::Value;

/// Every template, by name.
pub const TEMPLATES: &[&str] = &[
    "order-placed",
    "order-shipped",
    "order-refunded",
    "password-reset",
    "invite",
    "pos-receipt",
];

/// A rendered message without its notification id and recipient.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// Subject line.
    pub subject: String,
    /// Plain text.
    pub text: String,
    /// HTML.
    pub html: String,
}

impl Rendered {
    /// The message for notification `id` to `to`.
    pub fn into_message(
        self,
        id: &str,
        to: &str,
        channel: &str,
        template: &str,
        data: &Value,
    ) -> Message {
        Message {
            notification_id: id.to_string(),
            to: to.to_string(),
            channel: channel.to_string(),
            template: template.to_string(),
            subject: self.subject,
            text: self.text,
            html: self.html,
            data: data.clone(),
        }
    }
}

fn field<'a>(data: &'a Value, template: &str, key: &str) -> Result<&'a str> {
    data.get(key).and_then(Value::as_str).ok_or_else(|| {
        Error::invalid(format!(
            "template '{template}' needs a string '{key}' in its data"
        ))
    })
}

fn display_id(data: &Value) -> String {
    match data.get("display_id") {
        Some(Value::Number(n)) => format!("#{n}"),
        Some(Value::String(s)) => format!("#{s}"),
        _ => String::new(),
    }
}

fn money(data: &Value, key: &str) -> Option<String> {
    let amount = data.get(key)?.as_i64()?;
    let currency = data.get("currency_code")?.as_str()?;
    let exponent = exponent_or_default(currency);
    let unit = 10i64.checked_pow(exponent)?;
    let (whole, part) = (
        amount.unsigned_abs() / unit.unsigned_abs(),
        amount.unsigned_abs() % unit.unsigned_abs(),
    );
    let sign = if amount < 0 { "-" } else { "" };
    let width = usize::try_from(exponent).unwrap_or(0);
    let number = if width == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{part:0>width$}")
    };
    Some(format!("{number} {}", currency.to_uppercase()))
}

fn page(title: &str, body: Markup) -> String {
    html! {
        (maud::DOCTYPE)
        html { head { meta charset="utf-8"; title { (title) } } body { h1 { (title) } (body) } }
    }
    .into_string()
}

/// Renders `template` over `data`.
///
/// # Errors
/// 400 for an unknown template or data missing a field the template needs.
pub fn render(template: &str, data: &Value) -> Result<Rendered> {
    match template {
        "order-placed" => {
            let id = display_id(data);
            let total = money(data, "total").unwrap_or_default();
            let items: Vec<(String, i64)> = data
                .get("items")
                .and_then(Value::as_array)
                .map(|items| {
                    items
                        .iter()
                        .map(|i| {
                            let title = i.get("title").and_then(Value::as_str).unwrap_or("");
                            (
                                title.to_string(),
                                i.get("quantity").and_then(Value::as_i64).unwrap_or(0),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let subject = format!("Your order {id} is confirmed");
            let mut text = format!("Thank you for your order {id}.\n\n");
            for (title, quantity) in &items {
                text.push_str(&format!("{quantity} × {title}\n"));
            }
            text.push_str(&format!("\nTotal: {total}\n"));
            let html = page(
                &subject,
                html! {
                    p { "Thank you for your order " (id) "." }
                    ul { @for (title, quantity) in &items { li { (quantity) " × " (title) } } }
                    p { "Total: " (total) }
                },
            );
            Ok(Rendered {
                subject,
                text,
                html,
            })
        }
        "order-shipped" => {
            let id = display_id(data);
            let tracking: Vec<String> = data
                .get("tracking_numbers")
                .and_then(Value::as_array)
                .map(|t| {
                    t.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            let subject = format!("Your order {id} has shipped");
            let mut text = format!("Your order {id} is on its way.\n");
            if !tracking.is_empty() {
                text.push_str(&format!("Tracking: {}\n", tracking.join(", ")));
            }
            let html = page(
                &subject,
                html! {
                    p { "Your order " (id) " is on its way." }
                    @if !tracking.is_empty() { p { "Tracking: " (tracking.join(", ")) } }
                },
            );
            Ok(Rendered {
                subject,
                text,
                html,
            })
        }
        "order-refunded" => {
            let id = display_id(data);
            let amount = money(data, "amount").unwrap_or_default();
            let subject = format!("A refund for your order {id}");
            let text = format!("We refunded {amount} for your order {id}.\n");
            let html = page(
                &subject,
                html! { p { "We refunded " (amount) " for your order " (id) "." } },
            );
            Ok(Rendered {
                subject,
                text,
                html,
            })
        }
        "password-reset" => {
            let token = field(data, template, "token")?;
            let subject = "Reset your password".to_string();
            let text = format!(
                "Someone asked to reset the password of this account. If it was you, use this \
                 token within the hour:\n\n{token}\n\nIf it was not, ignore this message.\n"
            );
            let html = page(
                &subject,
                html! {
                    p { "Someone asked to reset the password of this account. If it was you, use this token within the hour:" }
                    pre { (token) }
                    p { "If it was not, ignore this message." }
                },
            );
            Ok(Rendered {
                subject,
                text,
                html,
            })
        }
        "invite" => {
            let token = field(data, template, "token")?;
            let subject = "You are invited to the shop's admin".to_string();
            let text = format!(
                "You were invited to the admin. Accept with this invite token:\n\n{token}\n"
            );
            let html = page(
                &subject,
                html! {
                    p { "You were invited to the admin. Accept with this invite token:" }
                    pre { (token) }
                },
            );
            Ok(Rendered {
                subject,
                text,
                html,
            })
        }
        "pos-receipt" => super::pos_receipt::render(data),
        other => Err(Error::invalid(format!(
            "unknown notification template '{other}' (one of: {})",
            TEMPLATES.join(", ")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_template_renders_and_escapes_its_input() {
        let data = json!({
            "display_id": 7, "total": 1250, "amount": 500, "currency_code": "usd",
            "items": [{"title": "<script>alert(1)</script>", "quantity": 2}],
            "tracking_numbers": ["TRK1"], "token": "tok_1",
            "receipt_number": "T1-000007", "text": "<script>alert(1)</script>"
        });
        for template in TEMPLATES {
            let r = render(template, &data).unwrap();
            assert!(!r.subject.is_empty() && !r.text.is_empty(), "{template}");
            assert!(!r.html.contains("<script>"), "{template}: {}", r.html);
        }
        let placed = render("order-placed", &data).unwrap();
        assert_eq!(placed.subject, "Your order #7 is confirmed");
        assert!(placed.text.contains("Total: 12.50 USD"), "{}", placed.text);
        assert!(placed.html.contains("&lt;script&gt;"));
        assert!(render("password-reset", &json!({})).is_err());
        assert_eq!(render("newsletter", &data).unwrap_err().status(), 400);
    }
}
