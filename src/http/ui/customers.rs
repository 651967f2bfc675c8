//! `/app/customers`: the customer list (search over email, names and company; 50 a page,
//! newest first or sorted by a column header: name, email, created) and a customer's page —
//! details, addresses, groups (joined and left here through `customer::group`, as the Admin
//! API's group routes do), latest orders — with the
//! `customer.list.*` and `customer.details.*` widget zones.

use super::view::{self, PAGE_SIZE, badge};
use super::{Ui, layout, orders, respond::html_page, sorting, ui_route, widgets};
use crate::engine::Engine;
use crate::error::Result;
use crate::http::admin::order_json::{ListSummary, list_summary};
use crate::http::{Request, Response, Route};
use crate::modules::SortKey;
use crate::modules::customer::group::{self, CustomerGroup};
use crate::modules::customer::{self, Customer, CustomerFilter, address::Address};
use crate::modules::order::Order;
use crate::modules::order::admin::{self as order_admin, OrderFilter};
use maud::{Markup, html};

/// The list's order when none is asked for.
const NEWEST: SortKey = SortKey {
    column: "created_at",
    descending: true,
};

/// The customer routes.
pub fn routes() -> Vec<Route> {
    vec![
        ui_route("GET", "/app/customers", "Admin UI customer list", list),
        ui_route("GET", "/app/customers/:id", "Admin UI customer", show),
        ui_route(
            "POST",
            "/app/customers/:id/groups",
            "Add a customer to a group",
            join_group,
        ),
        ui_route(
            "POST",
            "/app/customers/:id/groups/remove",
            "Remove a customer from a group",
            leave_group,
        ),
    ]
}

/// Groups the customer page offers to join at most (oldest first).
const GROUPS_OFFERED: u64 = 200;

/// "First Last", else the email, else the id.
pub fn display_name(c: &Customer) -> String {
    let name = [c.first_name.as_deref(), c.last_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    if !name.trim().is_empty() {
        name
    } else {
        c.email.clone().unwrap_or_else(|| c.id.clone())
    }
}

fn list(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let page = view::page_number(request)?;
    let q = view::search(request);
    let account = view::choice(request, "account", &["registered", "guest"])?;
    let filter = CustomerFilter {
        q: q.clone(),
        has_account: account.as_deref().map(|a| a == "registered"),
        ..CustomerFilter::default()
    };
    let order = sorting::order_of(request, customer::SORTABLE, NEWEST)?;
    let offset = (page - 1) * PAGE_SIZE;
    let (customers, total) = engine
        .store()
        .read(|conn| customer::list_sorted(conn, &filter, &order, offset, PAGE_SIZE))?;
    let body = html! {
        (widgets::zone(engine, "customer.list.before", ""))
        form method="get" action="/app/customers" class="filters" role="search" aria-label="Search customers" {
            div {
                label for="q" { "Search" }
                input id="q" name="q" type="search" placeholder="Email, name or company" value=(q.as_deref().unwrap_or(""));
            }
            div {
                label for="account" { "Account" }
                select id="account" name="account" {
                    option value="" { "Any" }
                    option value="registered" selected[account.as_deref() == Some("registered")] { "Registered" }
                    option value="guest" selected[account.as_deref() == Some("guest")] { "Guest" }
                }
            }
            button type="submit" { "Search" }
        }
        table {
            caption class="muted" { "Customers" }
            thead { tr {
                (sorting::header(request, "Name", "first_name", &order, None))
                (sorting::header(request, "Email", "email", &order, None))
                th scope="col" { "Account" }
                (sorting::header(request, "Created", "created_at", &order, None))
            } }
            tbody {
                @if customers.is_empty() { tr { td colspan="4" { "No customers match." } } }
                @for c in &customers {
                    tr {
                        td { a href={ "/app/customers/" (c.id) } { (display_name(c)) } }
                        td { (c.email.as_deref().unwrap_or("")) }
                        td { (badge(if c.has_account { "registered" } else { "guest" })) }
                        td { (view::when(&c.created_at)) }
                    }
                }
            }
        }
        (view::pager(request, page, customers.len(), total))
        (widgets::zone(engine, "customer.list.after", ""))
    };
    Ok(html_page(
        200,
        layout::page(engine, ui, "Customers", "/app/customers", body),
    ))
}

fn show(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    render(engine, request.param("id"), ui, 200)
}

/// The customer's page (with `ui`'s error or notice).
fn render(engine: &Engine, id: &str, ui: &Ui, status: u16) -> Result<Response> {
    let (found, (groups, all_groups), orders, order_count) = engine.store().read(|conn| {
        let found = customer::retrieve(conn, id)?;
        let groups = group::groups_of(conn, id)?;
        let all = group::list(conn, None, &[], 0, GROUPS_OFFERED)?.0;
        let filter = OrderFilter {
            customer_ids: vec![id.to_string()],
            ..OrderFilter::default()
        };
        let (orders, count) = order_admin::list(conn, &filter, 0, 10)?;
        let rows = orders
            .into_iter()
            .map(|o| list_summary(conn, &o).map(|s| (o, s)))
            .collect::<Result<Vec<_>>>()?;
        Ok((found, (groups, all), rows, count))
    })?;
    let body = html! {
        (widgets::zone(engine, "customer.details.before", id))
        div class="grid" {
            div {
                section class="card" aria-labelledby="details-h" {
                    h2 id="details-h" { "Details" }
                    dl class="pairs" {
                        dt { "Email" } dd { (found.email.as_deref().unwrap_or("")) }
                        dt { "Phone" } dd { (found.phone.as_deref().unwrap_or("")) }
                        dt { "Company" } dd { (found.company_name.as_deref().unwrap_or("")) }
                        dt { "Account" } dd { (badge(if found.has_account { "registered" } else { "guest" })) }
                        dt { "Created" } dd { (view::when(&found.created_at)) }
                    }
                }
                (order_table(&orders, order_count, id))
            }
            div {
                (widgets::zone(engine, "customer.details.side.before", id))
                (groups_card(ui, id, &groups, &all_groups))
                section class="card" aria-labelledby="addr-h" {
                    h2 id="addr-h" { "Addresses" }
                    @if found.addresses.is_empty() { p class="muted" { "No addresses." } }
                    @for a in &found.addresses { (address(a)) }
                }
                (widgets::zone(engine, "customer.details.side.after", id))
            }
        }
        (widgets::zone(engine, "customer.details.after", id))
    };
    let title = display_name(&found);
    Ok(html_page(
        status,
        layout::page(engine, ui, &title, "/app/customers", body),
    ))
}

/// The customer's groups, each with a remove button, and a choice of the other groups to
/// join (the group pages manage members too: `customer_groups.rs`).
fn groups_card(ui: &Ui, id: &str, groups: &[CustomerGroup], all: &[CustomerGroup]) -> Markup {
    let others: Vec<&CustomerGroup> = all
        .iter()
        .filter(|g| !groups.iter().any(|m| m.id == g.id))
        .collect();
    html! {
        section class="card" aria-labelledby="groups-h" {
            h2 id="groups-h" { "Groups" }
            @if groups.is_empty() { p class="muted" { "In no group." } }
            ul {
                @for g in groups {
                    li {
                        a href={ "/app/customer-groups/" (g.id) } { (g.name) } " "
                        form method="post" action={ "/app/customers/" (id) "/groups/remove" } class="inline" {
                            (layout::csrf(ui))
                            input type="hidden" name="group_id" value=(g.id);
                            button type="submit" class="secondary" { "Remove from " (g.name) }
                        }
                    }
                }
            }
            @if !others.is_empty() {
                form method="post" action={ "/app/customers/" (id) "/groups" } class="filters" {
                    (layout::csrf(ui))
                    div {
                        label for="group_id" { "Add to group" }
                        select id="group_id" name="group_id" required {
                            @for g in &others { option value=(g.id) { (g.name) } }
                        }
                    }
                    button type="submit" class="secondary" { "Add to group" }
                }
            }
            p { a href="/app/customer-groups" { "All customer groups" } }
        }
    }
}

/// Adds (`join`) or removes the customer to / from the posted group, as
/// `POST /admin/customer-groups/:id/customers` does; back to the customer's page.
fn change_group(engine: &Engine, request: &Request, ui: &Ui, join: bool) -> Result<Response> {
    let id = request.param("id").to_string();
    let outcome = ui
        .form
        .required("group_id", "Group")
        .map(str::to_string)
        .and_then(|group_id| {
            let (ctx, customer) = (engine.ctx().clone(), vec![id.clone()]);
            engine.store().write(move |tx| {
                customer::retrieve(tx, &customer[0])?;
                if join {
                    group::add_customers(tx, &ctx, &group_id, &customer)
                } else {
                    group::remove_customers(tx, &group_id, &customer)
                }
            })
        });
    match outcome {
        Ok(()) => Ok(super::respond::redirect(&format!(
            "/app/customers/{id}?done=saved"
        ))),
        Err(err) if err.status() < 500 => {
            render(engine, &id, &ui.with_error(err.to_string()), err.status())
        }
        Err(err) => Err(err),
    }
}

fn join_group(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    change_group(engine, request, ui, true)
}

fn leave_group(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    change_group(engine, request, ui, false)
}

fn address(a: &Address) -> Markup {
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    html! {
        p {
            @if let Some(name) = &a.address_name { strong { (name) } br; }
            (s(&a.first_name)) " " (s(&a.last_name)) br;
            (s(&a.address_1)) br;
            (s(&a.postal_code)) " " (s(&a.city)) br;
            (s(&a.country_code).to_uppercase())
            @if a.is_default_shipping { br; span class="muted" { "Default shipping" } }
            @if a.is_default_billing { br; span class="muted" { "Default billing" } }
        }
    }
}

fn order_table(rows: &[(Order, ListSummary)], count: u64, customer: &str) -> Markup {
    html! {
        section class="card" aria-labelledby="orders-h" {
            h2 id="orders-h" { "Orders (" (count) ")" }
            p { a href={ "/app/draft-orders/new?customer_id=" (super::respond::encode(customer)) } { "New draft order for this customer" } }
            @if rows.is_empty() { p class="muted" { "No orders yet." } }
            @else { (orders::table(rows, false)) }
        }
    }
}
