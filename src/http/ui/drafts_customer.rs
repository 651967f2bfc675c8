//! The customer picker of the draft-order forms, without JavaScript: a search field and a
//! "Search customers" button that posts the whole form back (`intent=search`), so the page
//! comes back with the matches as radio buttons and everything typed still in place; the
//! chosen customer (`customer_id`) or a new email is what the form's main button sends.
//! On an open draft the picker runs `update-draft-order` (as `POST /admin/draft-orders/:id`)
//! with the customer and their email, or with the new email.

use super::{Ui, respond, ui_route};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::orders::draft_update;
use crate::http::{Request, Response, Route};
use crate::modules::customer::{self, Customer, CustomerFilter};
use crate::workflow;
use maud::{Markup, html};
use serde_json::json;

/// Matches shown at most.
const MATCHES: u64 = 20;

/// The routes.
pub fn routes() -> Vec<Route> {
    vec![ui_route(
        "POST",
        "/app/draft-orders/:id/customer",
        "Choose the customer of a draft order",
        choose,
    )]
}

/// Whether the form was posted to search for customers rather than to save.
pub fn searching(ui: &Ui) -> bool {
    ui.form.get("intent") == Some("search")
}

/// The customers matching the posted search text (by email, name or company), and the
/// customer already chosen (`chosen`), first.
fn candidates(engine: &Engine, ui: &Ui, chosen: Option<&str>) -> Result<Vec<Customer>> {
    let q = ui.form.optional("customer_q").map(str::to_string);
    engine.store().read(|conn| {
        let mut found = Vec::new();
        if let Some(id) = chosen {
            found.extend(customer::retrieve(conn, id).ok());
        }
        if let Some(q) = q {
            let filter = CustomerFilter {
                q: Some(q),
                ..CustomerFilter::default()
            };
            for c in customer::list(conn, &filter, 0, MATCHES)?.0 {
                if !found.iter().any(|f| f.id == c.id) {
                    found.push(c);
                }
            }
        }
        Ok(found)
    })
}

fn describe(c: &Customer) -> String {
    let name = [c.first_name.as_deref(), c.last_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let email = c.email.as_deref().unwrap_or("no email");
    if name.is_empty() {
        email.to_string()
    } else {
        format!("{name} <{email}>")
    }
}

/// The picker's fields (inside a form): the search, the matches, and "no customer".
///
/// # Errors
/// Database failures.
pub fn picker(engine: &Engine, ui: &Ui, chosen: Option<&str>) -> Result<Markup> {
    let found = candidates(engine, ui, chosen)?;
    let searched = ui.form.optional("customer_q");
    Ok(html! {
        fieldset {
            legend { "Customer" }
            div class="filters" {
                div {
                    label for="customer-q" { "Search customers by email or name" }
                    input id="customer-q" name="customer_q" type="search" value=(ui.form.get("customer_q").unwrap_or(""));
                }
                button type="submit" name="intent" value="search" class="secondary" { "Search customers" }
            }
            @if searched.is_some() && found.iter().all(|c| Some(c.id.as_str()) == chosen) {
                p class="muted" { "No customer matches “" (searched.unwrap_or("")) "”." }
            }
            @for (i, c) in found.iter().enumerate() {
                div {
                    input type="radio" id={ "customer-" (i) } name="customer_id" value=(c.id) checked[chosen == Some(c.id.as_str())];
                    " " label for={ "customer-" (i) } class="inline" { (describe(c)) }
                }
            }
            div {
                input type="radio" id="customer-none" name="customer_id" value="" checked[chosen.is_none()];
                " " label for="customer-none" class="inline" { "No customer: use the email below" }
            }
        }
    })
}

/// The customer chosen in the posted form, if any.
pub fn chosen(ui: &Ui) -> Option<&str> {
    ui.form.optional("customer_id")
}

/// `POST /app/draft-orders/:id/customer`: search (the draft's page again, with the matches),
/// or save the chosen customer or the new email.
fn choose(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id");
    if searching(ui) {
        return super::drafts::render(engine, id, ui, 200);
    }
    let input = match (chosen(ui), ui.form.optional("email")) {
        (Some(customer), _) => {
            let email = engine
                .store()
                .read(|conn| customer::retrieve(conn, customer))
                .map(|c| c.email);
            match email {
                Ok(email) => Ok(json!({"order_id": id, "customer_id": customer, "email": email})),
                Err(err) => Err(err),
            }
        }
        (None, Some(email)) if email.contains('@') => Ok(json!({"order_id": id, "email": email})),
        (None, Some(_)) => Err(Error::invalid("Customer email is not an email address")),
        (None, None) => Err(Error::invalid("Choose a customer or type an email")),
    };
    let outcome = input.and_then(|input| workflow::run(engine, draft_update::UPDATE, input, None));
    match outcome {
        Ok(_) => Ok(respond::redirect(&format!(
            "/app/draft-orders/{}?done=saved",
            respond::encode(id)
        ))),
        Err(err) if err.status() < 500 => {
            super::drafts::render(engine, id, &ui.with_error(err.to_string()), err.status())
        }
        Err(err) => Err(err),
    }
}

/// The card of an open draft's customer: the picker and a new email.
///
/// # Errors
/// Database failures.
pub fn draft_card(engine: &Engine, ui: &Ui, id: &str, current: Option<&str>) -> Result<Markup> {
    let chosen = if ui.form.get("customer_id").is_some() {
        chosen(ui)
    } else {
        current
    };
    let picker = picker(engine, ui, chosen)?;
    Ok(html! {
        section class="card" aria-labelledby="draft-customer-h" {
            h2 id="draft-customer-h" { "Change the customer" }
            form method="post" action={ "/app/draft-orders/" (id) "/customer" } {
                (super::layout::csrf(ui))
                (picker)
                div {
                    label for="draft-new-email" { "New customer email" }
                    input id="draft-new-email" name="email" type="email" value=(ui.form.get("email").unwrap_or(""));
                }
                button type="submit" name="intent" value="save" { "Save customer" }
            }
        }
    })
}
