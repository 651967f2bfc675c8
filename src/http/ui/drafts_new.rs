//! `/app/draft-orders/new`: the new draft order form — the customer (picked by a search, see
//! `drafts_customer.rs`, or a new email; or the customer the link came from), region, up to
//! [`ITEM_ROWS`] items by SKU or barcode and up to [`CUSTOM_ROWS`] custom lines (a title, a
//! unit price in major units and a quantity, as Medusa's draft items accept), a shipping
//! option and the shipping address. Creating runs `create-draft-order`, as
//! `POST /admin/draft-orders` does; a refusal, or a customer search, answers the form again
//! with everything typed.

use super::drafts_customer::{self, searching};
use super::{Ui, layout, respond, ui_route};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::orders::drafts;
use crate::http::{Request, Response, Route};
use crate::modules::fulfillment::option_admin::{self, OptionFilter};
use crate::modules::product::codes::variant_by_code;
use crate::modules::region;
use crate::workflow;
use maud::html;
use serde_json::{Value, json};

/// Item rows (by SKU or barcode) of the form.
pub const ITEM_ROWS: usize = 3;
/// Custom line rows of the form.
pub const CUSTOM_ROWS: usize = 2;

/// The routes.
pub fn routes() -> Vec<Route> {
    vec![
        ui_route(
            "GET",
            "/app/draft-orders/new",
            "Admin UI new draft order form",
            new_form,
        ),
        ui_route("POST", "/app/draft-orders", "Create a draft order", create),
    ]
}

/// A choice of a select: `(value, label)`.
type Choice = (String, String);

/// The choices of the form: regions, shipping options (not return ones).
fn choices(engine: &Engine) -> Result<(Vec<Choice>, Vec<Choice>)> {
    engine.store().read(|conn| {
        let regions = region::list(conn, &region::RegionFilter::default(), 100, 0)?
            .0
            .into_iter()
            .map(|r| {
                let label = format!("{} ({})", r.name, r.currency_code.to_uppercase());
                (r.id, label)
            })
            .collect();
        let filter = OptionFilter {
            is_return: Some(false),
            ..OptionFilter::default()
        };
        let options = option_admin::list(conn, &filter, None, (0, 100))?
            .0
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect();
        Ok((regions, options))
    })
}

fn new_form(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let customer = request.query_str("customer_id").map(str::to_string);
    form_page(engine, ui, customer.as_deref(), 200)
}

fn form_page(engine: &Engine, ui: &Ui, customer: Option<&str>, status: u16) -> Result<Response> {
    let (regions, options) = choices(engine)?;
    let picker = drafts_customer::picker(engine, ui, customer)?;
    let field = |name: &str| ui.form.get(name).unwrap_or("").to_string();
    let text_input = |id: &str, name: &str, label: &str| {
        html! { div { label for=(id) { (label) } input id=(id) name=(name) value=(field(name)); } }
    };
    let body = html! {
        form method="post" action="/app/draft-orders" {
            (layout::csrf(ui))
            (picker)
            div class="filters" {
                (text_input("draft-email", "email", "Customer email"))
                div {
                    label for="draft-region" { "Region" }
                    select id="draft-region" name="region_id" {
                        @for (value, label) in &regions {
                            option value=(value) selected[field("region_id") == *value] { (label) }
                        }
                    }
                }
                div {
                    label for="draft-shipping" { "Shipping option" }
                    select id="draft-shipping" name="shipping_option_id" {
                        option value="" { "No shipping" }
                        @for (value, label) in &options {
                            option value=(value) selected[field("shipping_option_id") == *value] { (label) }
                        }
                    }
                }
            }
            fieldset {
                legend { "Items" }
                @for n in 1..=ITEM_ROWS {
                    div class="filters" {
                        (text_input(&format!("draft-sku-{n}"), &format!("sku_{n}"), &format!("Item {n} SKU or barcode")))
                        (text_input(&format!("draft-qty-{n}"), &format!("quantity_{n}"), &format!("Item {n} quantity")))
                    }
                }
            }
            fieldset {
                legend { "Custom lines" }
                p class="muted" { "A line that is no product of the catalogue: a title and its unit price." }
                @for n in 1..=CUSTOM_ROWS {
                    div class="filters" {
                        (text_input(&format!("draft-custom-title-{n}"), &format!("custom_title_{n}"), &format!("Custom line {n} title")))
                        (text_input(&format!("draft-custom-price-{n}"), &format!("custom_price_{n}"), &format!("Custom line {n} unit price")))
                        (text_input(&format!("draft-custom-qty-{n}"), &format!("custom_quantity_{n}"), &format!("Custom line {n} quantity")))
                    }
                }
            }
            fieldset {
                legend { "Shipping address" }
                div class="filters" {
                    (text_input("draft-first", "first_name", "First name"))
                    (text_input("draft-last", "last_name", "Last name"))
                    (text_input("draft-address", "address_1", "Address"))
                    (text_input("draft-city", "city", "City"))
                    (text_input("draft-postal", "postal_code", "Postal code"))
                    (text_input("draft-country", "country_code", "Country code"))
                }
            }
            button type="submit" name="intent" value="create" { "Create draft order" }
        }
    };
    let markup = layout::page(engine, ui, "New draft order", "/app/orders", body);
    Ok(respond::html_page(status, markup))
}

/// The lines of the posted form: items found by SKU or barcode, then custom lines.
fn items(engine: &Engine, ui: &Ui, currency: &str) -> Result<Vec<Value>> {
    let f = &ui.form;
    let mut items = Vec::new();
    for n in 1..=ITEM_ROWS {
        let Some(code) = f.optional(&format!("sku_{n}")) else {
            continue;
        };
        let quantity = f
            .integer(&format!("quantity_{n}"), &format!("Item {n} quantity"))?
            .unwrap_or(1);
        let variant = engine
            .store()
            .read(|conn| variant_by_code(conn, code))?
            .ok_or_else(|| Error::invalid(format!("No variant has the SKU or barcode '{code}'")))?;
        items.push(json!({"variant_id": variant, "quantity": quantity}));
    }
    for n in 1..=CUSTOM_ROWS {
        let title = f.optional(&format!("custom_title_{n}"));
        let price = f.optional(&format!("custom_price_{n}"));
        let (title, price) = match (title, price) {
            (None, None) => continue,
            (Some(title), Some(price)) => (title, price),
            (None, Some(_)) => {
                return Err(Error::invalid(format!("Custom line {n} title is required")));
            }
            (Some(_), None) => {
                return Err(Error::invalid(format!(
                    "Custom line {n} unit price is required"
                )));
            }
        };
        if crate::money::parse_major_non_negative(price, currency).is_err() {
            return Err(Error::invalid(format!(
                "Custom line {n} unit price must be an amount such as 12.50"
            )));
        }
        let quantity = f
            .integer(
                &format!("custom_quantity_{n}"),
                &format!("Custom line {n} quantity"),
            )?
            .unwrap_or(1);
        items.push(json!({"title": title, "unit_price": price, "quantity": quantity}));
    }
    if items.is_empty() {
        return Err(Error::invalid("Add at least one item or custom line"));
    }
    Ok(items)
}

/// The `create-draft-order` input of the posted form.
fn create_input(engine: &Engine, ui: &Ui) -> Result<Value> {
    let region_id = ui.form.required("region_id", "Region")?;
    let currency = engine
        .store()
        .read(|conn| region::retrieve(conn, region_id))?
        .currency_code;
    let items = items(engine, ui, &currency)?;
    let mut address = serde_json::Map::new();
    for key in [
        "first_name",
        "last_name",
        "address_1",
        "city",
        "postal_code",
        "country_code",
    ] {
        if let Some(value) = ui.form.optional(key) {
            let value = if key == "country_code" {
                value.to_lowercase()
            } else {
                value.to_string()
            };
            address.insert(key.into(), json!(value));
        }
    }
    let mut input = json!({
        "region_id": region_id,
        "items": items,
        "shipping_address": address,
    });
    if let Some(email) = ui.form.optional("email") {
        input["email"] = json!(email);
    }
    if let Some(customer) = drafts_customer::chosen(ui) {
        input["customer_id"] = json!(customer);
    }
    if let Some(option) = ui.form.optional("shipping_option_id") {
        input["shipping_methods"] = json!([{ "shipping_option_id": option }]);
    }
    Ok(input)
}

fn create(engine: &Engine, _: &Request, ui: &Ui) -> Result<Response> {
    let customer = drafts_customer::chosen(ui);
    if searching(ui) {
        return form_page(engine, ui, customer, 200);
    }
    let created = create_input(engine, ui)
        .and_then(|input| workflow::run(engine, drafts::CREATE, input, None));
    match created {
        Ok(done) => {
            let id = workflow::output_str(&done, "order_id")?;
            Ok(respond::redirect(&format!(
                "/app/draft-orders/{id}?done=created"
            )))
        }
        Err(err) if err.status() < 500 => form_page(
            engine,
            &ui.with_error(err.to_string()),
            customer,
            err.status(),
        ),
        Err(err) => Err(err),
    }
}
