//! `/app/draft-orders`: draft orders — a phone order staff write for a customer. The list
//! (search by email, newest or oldest first, 50 a page) is the admin order list query with
//! `drafts` set (`modules::order::admin::list`, the same index as the order list); the new
//! draft form (customer email — or the customer the link came from —, region, up to
//! [`ITEM_ROWS`] items by SKU or barcode, a shipping option, the shipping address) runs
//! `create-draft-order`; a draft's page shows its lines and totals and runs
//! `convert-draft-order-to-order` or `delete-draft-order`, as `/admin/draft-orders` does.

use super::view::{self, PAGE_SIZE, doc_amount, post_button};
use super::{Ui, layout, respond, ui_route};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::orders::drafts;
use crate::http::admin::order_json::{admin_order_json, list_summary};
use crate::http::{Request, Response, Route};
use crate::modules::fulfillment::option_admin::{self, OptionFilter};
use crate::modules::order::admin::{self as order_admin, OrderFilter};
use crate::modules::product::codes::variant_by_code;
use crate::modules::{order, region};
use crate::workflow;
use maud::{Markup, html};
use serde_json::{Value, json};

/// Item rows of the new draft form.
pub const ITEM_ROWS: usize = 3;

const SORTS: &[&str] = &["newest", "oldest"];

/// The draft order routes.
pub fn routes() -> Vec<Route> {
    vec![
        ui_route("GET", "/app/draft-orders", "Admin UI draft orders", list),
        ui_route(
            "GET",
            "/app/draft-orders/new",
            "Admin UI new draft order form",
            new_form,
        ),
        ui_route("POST", "/app/draft-orders", "Create a draft order", create),
        ui_route("GET", "/app/draft-orders/:id", "Admin UI draft order", show),
        ui_route(
            "POST",
            "/app/draft-orders/:id/convert",
            "Convert a draft order to an order",
            convert,
        ),
        ui_route(
            "POST",
            "/app/draft-orders/:id/delete",
            "Delete a draft order",
            delete,
        ),
    ]
}

fn list(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let page = view::page_number(request)?;
    let sort = view::choice(request, "sort", SORTS)?;
    let q = view::search(request);
    let filter = OrderFilter {
        q: q.clone(),
        drafts: true,
        oldest_first: sort.as_deref() == Some("oldest"),
        ..OrderFilter::default()
    };
    let offset = (page - 1) * PAGE_SIZE;
    let (rows, total) = engine.store().read(|conn| {
        let (found, total) = order_admin::list(conn, &filter, offset, PAGE_SIZE)?;
        let rows = found
            .into_iter()
            .map(|o| list_summary(conn, &o).map(|s| (o, s)))
            .collect::<Result<Vec<_>>>()?;
        Ok((rows, total))
    })?;
    let body = html! {
        p { a href="/app/draft-orders/new" { "New draft order" } }
        form method="get" action="/app/draft-orders" class="filters" role="search" aria-label="Filter draft orders" {
            div {
                label for="q" { "Search" }
                input id="q" name="q" type="search" placeholder="Email" value=(q.as_deref().unwrap_or(""));
            }
            div {
                label for="sort" { "Sort" }
                select id="sort" name="sort" {
                    option value="newest" selected[sort.as_deref() != Some("oldest")] { "Newest first" }
                    option value="oldest" selected[sort.as_deref() == Some("oldest")] { "Oldest first" }
                }
            }
            button type="submit" { "Filter" }
        }
        table {
            caption class="muted" { "Draft orders" }
            thead { tr {
                th scope="col" { "Draft" } th scope="col" { "Date" } th scope="col" { "Customer" }
                th scope="col" class="num" { "Total" }
            } }
            tbody {
                @if rows.is_empty() { tr { td colspan="4" { "No draft orders match." } } }
                @for (o, summary) in &rows {
                    tr {
                        td { a href={ "/app/draft-orders/" (o.id) } { "Draft #" (o.display_id) } }
                        td { (view::when(&o.created_at)) }
                        td { (o.email.as_deref().unwrap_or("")) }
                        td class="num" { (view::amount(summary.total, &o.currency_code)) }
                    }
                }
            }
        }
        (view::pager(request, page, rows.len(), total))
    };
    let markup = layout::page(engine, ui, "Draft orders", "/app/orders", body);
    Ok(respond::html_page(200, markup))
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
    let field = |name: &str| ui.form.get(name).unwrap_or("").to_string();
    let text_input = |id: &str, name: &str, label: &str| {
        html! { div { label for=(id) { (label) } input id=(id) name=(name) value=(field(name)); } }
    };
    let body = html! {
        form method="post" action="/app/draft-orders" {
            (layout::csrf(ui))
            @if let Some(customer) = customer {
                input type="hidden" name="customer_id" value=(customer);
                p { "For customer " a href={ "/app/customers/" (customer) } { (customer) } }
            }
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
            button type="submit" { "Create draft order" }
        }
    };
    let markup = layout::page(engine, ui, "New draft order", "/app/orders", body);
    Ok(respond::html_page(status, markup))
}

/// The `create-draft-order` input of the posted form (items found by SKU or barcode).
fn create_input(engine: &Engine, ui: &Ui) -> Result<Value> {
    let mut items = Vec::new();
    for n in 1..=ITEM_ROWS {
        let Some(code) = ui.form.optional(&format!("sku_{n}")) else {
            continue;
        };
        let quantity = ui
            .form
            .integer(&format!("quantity_{n}"), &format!("Item {n} quantity"))?
            .unwrap_or(1);
        let variant = engine
            .store()
            .read(|conn| variant_by_code(conn, code))?
            .ok_or_else(|| Error::invalid(format!("No variant has the SKU or barcode '{code}'")))?;
        items.push(json!({"variant_id": variant, "quantity": quantity}));
    }
    if items.is_empty() {
        return Err(Error::invalid("Add at least one item"));
    }
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
        "region_id": ui.form.required("region_id", "Region")?,
        "items": items,
        "shipping_address": address,
    });
    if let Some(email) = ui.form.optional("email") {
        input["email"] = json!(email);
    }
    if let Some(customer) = ui.form.optional("customer_id") {
        input["customer_id"] = json!(customer);
    }
    if let Some(option) = ui.form.optional("shipping_option_id") {
        input["shipping_methods"] = json!([{ "shipping_option_id": option }]);
    }
    Ok(input)
}

fn create(engine: &Engine, _: &Request, ui: &Ui) -> Result<Response> {
    let customer = ui.form.optional("customer_id");
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

/// A draft's admin document; 404 when `id` names no draft.
fn draft(engine: &Engine, id: &str) -> Result<Value> {
    engine.store().read(|conn| {
        let found = order::retrieve(conn, id).map_err(|_| Error::not_found("Draft order", id))?;
        if found.status != "draft" {
            return Err(Error::not_found("Draft order", id));
        }
        admin_order_json(conn, id)
    })
}

fn show(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    render(engine, request.param("id"), ui, 200)
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn render(engine: &Engine, id: &str, ui: &Ui, status: u16) -> Result<Response> {
    let doc = draft(engine, id)?;
    let currency = text(&doc, "currency_code");
    let body = html! {
        section class="card" aria-labelledby="draft-items-h" {
            h2 id="draft-items-h" { "Items" }
            table {
                thead { tr {
                    th scope="col" { "Item" } th scope="col" { "SKU" }
                    th scope="col" class="num" { "Quantity" } th scope="col" class="num" { "Total" }
                } }
                tbody {
                    @for item in doc["items"].as_array().into_iter().flatten() {
                        tr {
                            td { (text(item, "product_title")) " · " (text(item, "title")) }
                            td { (text(item, "variant_sku")) }
                            td class="num" { (item["quantity"]) }
                            td class="num" { (doc_amount(item, "total", currency)) }
                        }
                    }
                }
            }
            dl class="pairs" {
                dt { "Customer" } dd { (text(&doc, "email")) }
                dt { "Shipping" } dd { (doc_amount(&doc, "shipping_total", currency)) }
                dt { "Tax" } dd { (doc_amount(&doc, "tax_total", currency)) }
                dt { "Total" } dd { strong { (doc_amount(&doc, "total", currency)) } }
            }
        }
        (actions(ui, id))
    };
    let title = format!("Draft order #{}", doc["display_id"]);
    let markup = layout::page(engine, ui, &title, "/app/orders", body);
    Ok(respond::html_page(status, markup))
}

fn actions(ui: &Ui, id: &str) -> Markup {
    html! {
        section class="card" aria-labelledby="draft-actions-h" {
            h2 id="draft-actions-h" { "Actions" }
            p class="muted" { "Converting places the order: its stock is reserved and the customer is linked." }
            div class="actions" {
                (post_button(ui, &format!("/app/draft-orders/{id}/convert"), "Convert to order", ""))
                (post_button(ui, &format!("/app/draft-orders/{id}/delete"), "Delete draft order", "danger"))
            }
        }
    }
}

fn settle(engine: &Engine, ui: &Ui, id: &str, name: &str, to: &str) -> Result<Response> {
    draft(engine, id)?;
    match workflow::run(engine, name, json!({ "order_id": id }), None) {
        Ok(_) => Ok(respond::redirect(to)),
        Err(err) if err.status() < 500 => {
            render(engine, id, &ui.with_error(err.to_string()), err.status())
        }
        Err(err) => Err(err),
    }
}

fn convert(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id");
    let to = format!("/app/orders/{id}?done=converted");
    settle(engine, ui, id, drafts::CONVERT, &to)
}

fn delete(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id");
    settle(
        engine,
        ui,
        id,
        drafts::DELETE,
        "/app/draft-orders?done=deleted",
    )
}

/// The link to the drafts from the order list.
pub fn link() -> Markup {
    html! { p { a href="/app/draft-orders" { "Draft orders" } " · " a href="/app/draft-orders/new" { "New draft order" } } }
}
