//! The `pos-receipt` template: a till's receipt sent by email (issue 17). The till renders
//! the receipt's text itself (the same 42-column text it prints), so the email and the paper
//! say the same; this template frames it with a subject and an escaped HTML copy.

use super::templates::Rendered;
use crate::error::{Error, Result};
use maud::html;
use serde_json::Value;

/// Renders the receipt: `data` needs strings `receipt_number` and `text`, optionally
/// `store_name`.
///
/// # Errors
/// 400 when a required field is missing.
pub fn render(data: &Value) -> Result<Rendered> {
    let field = |key: &str| {
        data.get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                Error::invalid(format!(
                    "template 'pos-receipt' needs a string '{key}' in its data"
                ))
            })
    };
    let (number, text) = (field("receipt_number")?, field("text")?);
    let subject = match data.get("store_name").and_then(Value::as_str) {
        Some(store) if !store.is_empty() => format!("Your receipt {number} from {store}"),
        _ => format!("Your receipt {number}"),
    };
    let html = html! {
        (maud::DOCTYPE)
        html {
            head { meta charset="utf-8"; title { (subject) } }
            body {
                h1 { (subject) }
                pre style="font-family: monospace" { (text) }
            }
        }
    }
    .into_string();
    Ok(Rendered {
        subject,
        text: text.to_string(),
        html,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_receipt_is_the_till_text_escaped_in_html() {
        let done = render(&json!({"receipt_number": "T1-000042", "store_name": "Shop",
            "text": "1 x <b>Tee</b>\nTOTAL USD 10.00\n"}))
        .unwrap();
        assert_eq!(done.subject, "Your receipt T1-000042 from Shop");
        assert!(done.text.contains("TOTAL USD 10.00"));
        assert!(done.html.contains("&lt;b&gt;Tee"), "{}", done.html);
        assert!(render(&json!({"receipt_number": "T1-1"})).is_err());
    }
}
