//! `/app/customer-groups`: the customer group list (search by name, 50 a page) with a form to
//! create one; a group's page — rename, delete, its members (50 a page, each with a remove
//! button) and a customer search whose results are added with checkboxes (no JavaScript).
//! Every write is the Admin API's (`POST|DELETE /admin/customer-groups…`,
//! `…/:id/customers`): the same `customer::group` function in one write job.

use super::view::{self, PAGE_SIZE, post_button};
use super::{Ui, customers::display_name, layout, respond, ui_route};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::http::{Request, Response, Route};
use crate::modules::customer::group::{self, CustomerGroup};
use crate::modules::customer::{self, Customer, CustomerFilter};
use maud::{Markup, html};
use serde_json::{Map, json};

/// Customers the "add customers" search shows at most.
const FOUND_SHOWN: u64 = 20;

/// The customer group routes.
pub fn routes() -> Vec<Route> {
    vec![
        ui_route(
            "GET",
            "/app/customer-groups",
            "Admin UI customer groups",
            |e, r, ui| list(e, r, ui, 200),
        ),
        ui_route(
            "POST",
            "/app/customer-groups",
            "Create a customer group",
            create,
        ),
        ui_route(
            "GET",
            "/app/customer-groups/:id",
            "Admin UI customer group",
            |e, r, ui| render(e, r, r.param("id"), ui, 200),
        ),
        ui_route(
            "POST",
            "/app/customer-groups/:id",
            "Rename a customer group",
            rename,
        ),
        ui_route(
            "POST",
            "/app/customer-groups/:id/delete",
            "Delete a customer group",
            delete,
        ),
        ui_route(
            "POST",
            "/app/customer-groups/:id/customers",
            "Add customers to a group",
            add_customers,
        ),
        ui_route(
            "POST",
            "/app/customer-groups/:id/customers/remove",
            "Remove a customer from a group",
            remove_customer,
        ),
    ]
}

fn list(engine: &Engine, request: &Request, ui: &Ui, status: u16) -> Result<Response> {
    let page = view::page_number(request)?;
    let q = view::search(request);
    let offset = (page - 1) * PAGE_SIZE;
    let (groups, total) = engine.store().read(|conn| {
        let (groups, total) = group::list(conn, q.as_deref(), &[], offset, PAGE_SIZE)?;
        let counted = groups
            .into_iter()
            .map(|g| Ok((group::member_ids(conn, &g.id)?.len(), g)))
            .collect::<Result<Vec<_>>>()?;
        Ok((counted, total))
    })?;
    let typed = ui.form.get("name").unwrap_or("");
    let body = html! {
        form method="get" action="/app/customer-groups" class="filters" role="search" aria-label="Search customer groups" {
            div {
                label for="q" { "Search" }
                input id="q" name="q" type="search" placeholder="Name" value=(q.as_deref().unwrap_or(""));
            }
            button type="submit" { "Search" }
        }
        table {
            caption class="muted" { "Customer groups" }
            thead { tr { th scope="col" { "Name" } th scope="col" class="num" { "Customers" } th scope="col" { "Created" } } }
            tbody {
                @if groups.is_empty() { tr { td colspan="3" { "No customer groups match." } } }
                @for (members, g) in &groups {
                    tr {
                        td { a href={ "/app/customer-groups/" (g.id) } { (g.name) } }
                        td class="num" { (members) }
                        td { (view::when(&g.created_at)) }
                    }
                }
            }
        }
        (view::pager(request, page, groups.len(), total))
        form method="post" action="/app/customer-groups" class="card" {
            (layout::csrf(ui))
            h2 { "New customer group" }
            div class="field" { label for="name" { "Group name" } input id="name" name="name" required value=(typed); }
            button type="submit" { "Create group" }
        }
    };
    Ok(respond::html_page(
        status,
        layout::page(engine, ui, "Customer groups", "/app/customer-groups", body),
    ))
}

fn create(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let outcome = ui
        .form
        .required("name", "Group name")
        .map(str::to_string)
        .and_then(|name| {
            let (ctx, by) = (engine.ctx().clone(), ui.session.user_id.clone());
            engine
                .store()
                .write(move |tx| group::create(tx, &ctx, &name, None, Some(&by)))
        });
    match outcome {
        Ok(created) => Ok(respond::redirect(&format!(
            "/app/customer-groups/{}?done=created",
            created.id
        ))),
        Err(err) if err.status() < 500 => {
            let mut listing = request.clone();
            listing.query = Map::new();
            list(
                engine,
                &listing,
                &ui.with_error(err.to_string()),
                err.status(),
            )
        }
        Err(err) => Err(err),
    }
}

/// What a group's page shows.
struct GroupPage {
    group: CustomerGroup,
    members: Vec<Customer>,
    member_count: u64,
    /// The customer search's results, each with whether it is a member already.
    found: Vec<(Customer, bool)>,
}

fn load(engine: &Engine, id: &str, page: u64, find: Option<&str>) -> Result<GroupPage> {
    engine.store().read(|conn| {
        let found_group = group::retrieve(conn, id)?;
        let member_ids = group::member_ids(conn, id)?;
        let (members, member_count) = if member_ids.is_empty() {
            (Vec::new(), 0)
        } else {
            let filter = CustomerFilter {
                ids: member_ids.clone(),
                ..CustomerFilter::default()
            };
            customer::list(conn, &filter, (page - 1) * PAGE_SIZE, PAGE_SIZE)?
        };
        let found = match find {
            None => Vec::new(),
            Some(q) => {
                let filter = CustomerFilter {
                    q: Some(q.to_string()),
                    ..CustomerFilter::default()
                };
                customer::list(conn, &filter, 0, FOUND_SHOWN)?
                    .0
                    .into_iter()
                    .map(|c| {
                        let member = member_ids.contains(&c.id);
                        (c, member)
                    })
                    .collect()
            }
        };
        Ok(GroupPage {
            group: found_group,
            members,
            member_count,
            found,
        })
    })
}

/// A group's page (with `ui`'s error or notice).
fn render(engine: &Engine, request: &Request, id: &str, ui: &Ui, status: u16) -> Result<Response> {
    let page = view::page_number(request)?;
    let find = request
        .query_str("find")
        .map(str::trim)
        .filter(|f| !f.is_empty());
    let loaded = load(engine, id, page, find)?;
    let g = &loaded.group;
    let name = ui.form.get("name").unwrap_or(&g.name);
    let body = html! {
        p { a href="/app/customer-groups" { "All customer groups" } }
        div class="grid" {
            div {
                (members_card(ui, request, page, &loaded))
                (find_card(ui, id, find, &loaded.found))
            }
            div {
                form method="post" action={ "/app/customer-groups/" (id) } class="card" {
                    (layout::csrf(ui))
                    h2 { "Rename" }
                    div class="field" { label for="name" { "Group name" } input id="name" name="name" required value=(name); }
                    button type="submit" { "Save name" }
                }
                section class="card" aria-labelledby="del-h" {
                    h2 id="del-h" { "Delete" }
                    p class="muted" { "The customers stay; only the group and its memberships go." }
                    (post_button(ui, &format!("/app/customer-groups/{id}/delete"), "Delete group", "danger"))
                }
            }
        }
    };
    Ok(respond::html_page(
        status,
        layout::page(engine, ui, &g.name, "/app/customer-groups", body),
    ))
}

fn members_card(ui: &Ui, request: &Request, page: u64, loaded: &GroupPage) -> Markup {
    let id = &loaded.group.id;
    html! {
        section class="card" aria-labelledby="members-h" {
            h2 id="members-h" { "Customers (" (loaded.member_count) ")" }
            @if loaded.members.is_empty() { p class="muted" { "No customers in this group yet." } }
            @else {
                table {
                    thead { tr { th scope="col" { "Customer" } th scope="col" { "Email" } th scope="col" { "Remove" } } }
                    tbody {
                        @for c in &loaded.members {
                            tr {
                                td { a href={ "/app/customers/" (c.id) } { (display_name(c)) } }
                                td { (c.email.as_deref().unwrap_or("")) }
                                td {
                                    form method="post" action={ "/app/customer-groups/" (id) "/customers/remove" } class="inline" {
                                        (layout::csrf(ui))
                                        input type="hidden" name="customer_id" value=(c.id);
                                        button type="submit" class="secondary" { "Remove " (display_name(c)) }
                                    }
                                }
                            }
                        }
                    }
                }
                (view::pager(request, page, loaded.members.len(), loaded.member_count))
            }
        }
    }
}

fn find_card(ui: &Ui, id: &str, find: Option<&str>, found: &[(Customer, bool)]) -> Markup {
    html! {
        section class="card" aria-labelledby="add-h" {
            h2 id="add-h" { "Add customers" }
            form method="get" action={ "/app/customer-groups/" (id) } class="filters" role="search" aria-label="Find customers to add" {
                div {
                    label for="find" { "Find customers" }
                    input id="find" name="find" type="search" placeholder="Email, name or company" value=(find.unwrap_or(""));
                }
                button type="submit" class="secondary" { "Find" }
            }
            @if find.is_some() {
                @if found.is_empty() { p class="muted" { "No customers match." } }
                @else {
                    form method="post" action={ "/app/customer-groups/" (id) "/customers" } {
                        (layout::csrf(ui))
                        fieldset {
                            legend { "Customers found" }
                            @for (c, member) in found {
                                div {
                                    @if *member {
                                        span { (display_name(c)) " (" (c.email.as_deref().unwrap_or("")) ") — in the group" }
                                    } @else {
                                        input type="checkbox" id={ "add-" (c.id) } name="customer_id" value=(c.id);
                                        " " label for={ "add-" (c.id) } class="inline" { (display_name(c)) " (" (c.email.as_deref().unwrap_or("")) ")" }
                                    }
                                }
                            }
                        }
                        button type="submit" { "Add selected customers" }
                    }
                }
            }
        }
    }
}

/// Back to the group's page after a success, or its page with the refusal.
fn answer(
    engine: &Engine,
    request: &Request,
    ui: &Ui,
    id: &str,
    outcome: Result<()>,
) -> Result<Response> {
    match outcome {
        Ok(()) => Ok(respond::redirect(&format!(
            "/app/customer-groups/{id}?done=saved"
        ))),
        Err(err) if err.status() < 500 => {
            let mut page = request.clone();
            page.query = Map::new();
            render(
                engine,
                &page,
                id,
                &ui.with_error(err.to_string()),
                err.status(),
            )
        }
        Err(err) => Err(err),
    }
}

fn rename(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id").to_string();
    let outcome = ui
        .form
        .required("name", "Group name")
        .map(str::to_string)
        .and_then(|name| {
            let mut changes = Map::new();
            changes.insert("name".into(), json!(name));
            let (ctx, target) = (engine.ctx().clone(), id.clone());
            engine
                .store()
                .write(move |tx| group::update(tx, &ctx, &target, &changes).map(|_| ()))
        });
    answer(engine, request, ui, &id, outcome)
}

fn delete(engine: &Engine, request: &Request, _: &Ui) -> Result<Response> {
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    engine
        .store()
        .write(move |tx| group::delete(tx, &ctx, &id))?;
    Ok(respond::redirect("/app/customer-groups?done=deleted"))
}

/// The posted `customer_id` values; at least one.
fn chosen(ui: &Ui) -> Result<Vec<String>> {
    let ids: Vec<String> = ui
        .form
        .all("customer_id")
        .into_iter()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect();
    if ids.is_empty() {
        return Err(Error::invalid("Choose at least one customer"));
    }
    Ok(ids)
}

fn add_customers(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id").to_string();
    let outcome = chosen(ui).and_then(|customers| {
        let (ctx, target) = (engine.ctx().clone(), id.clone());
        engine
            .store()
            .write(move |tx| group::add_customers(tx, &ctx, &target, &customers))
    });
    answer(engine, request, ui, &id, outcome)
}

fn remove_customer(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id").to_string();
    let outcome = chosen(ui).and_then(|customers| {
        let target = id.clone();
        engine
            .store()
            .write(move |tx| group::remove_customers(tx, &target, &customers))
    });
    answer(engine, request, ui, &id, outcome)
}
