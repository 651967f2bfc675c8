//! Returns at the till, `/pos/till/:code/return`: type (or scan) the receipt number, choose
//! how many of each line come back, refund in cash from this drawer or to the original
//! tender; `pos-return` does the rest (the order's return flows, stock back at this till's
//! location, the refund recorded on the payments).

use super::till::register_of;
use super::{layout, pos_route, price};
use crate::engine::Engine;
use crate::error::Result;
use crate::flows::orders::return_types::ReturnItem;
use crate::flows::pos::types::{TILL_RETURN, TillReturnIn};
use crate::http::ui::layout::csrf;
use crate::http::ui::{Ui, respond};
use crate::http::{Request, Response, Route};
use crate::modules::order;
use crate::modules::pos::{sales, sessions};
use maud::html;

/// The return routes.
pub fn routes() -> Vec<Route> {
    vec![
        pos_route(
            "GET",
            "/pos/till/:code/return",
            "Till: return",
            |e, r, ui| show(e, r, ui, 200),
        ),
        pos_route(
            "POST",
            "/pos/till/:code/return",
            "Till: take a return",
            take,
        ),
    ]
}

fn show(engine: &Engine, request: &Request, ui: &Ui, status: u16) -> Result<Response> {
    let register = register_of(engine, request)?;
    let receipt = request
        .query_str("receipt")
        .or(ui.form.get("receipt_number"))
        .map(|r| r.trim().to_ascii_uppercase())
        .filter(|r| !r.is_empty());
    let found = match &receipt {
        Some(number) => {
            let number = number.clone();
            engine
                .store()
                .read(move |c| match sales::by_receipt(c, &number)? {
                    Some(sale) => Ok(Some((order::items::items_of(c, &sale.order_id)?, sale))),
                    None => Ok(None),
                })?
        }
        None => None,
    };
    let base = format!("/pos/till/{}/return", register.code);
    let body = html! {
        form method="get" action=(base) {
            label for="receipt" { "Receipt number" }
            input id="receipt" name="receipt" autofocus required value=(receipt.clone().unwrap_or_default());
            button type="submit" { "Find sale" }
        }
        @if receipt.is_some() && found.is_none() { p role="alert" { "No sale has this receipt number." } }
        @if let Some((items, sale)) = &found {
            form method="post" action=(base) {
                (csrf(ui))
                input type="hidden" name="receipt_number" value=(sale.receipt_number);
                table class="basket" {
                    thead { tr { th { "Item" } th { "Bought" } th { "Price" } th { "Return" } } }
                    tbody {
                        @for item in items {
                            tr {
                                td { (item.title) @if let Some(v) = &item.variant_title { " — " (v) } }
                                td { (item.quantity) }
                                td class="num" { (price(item.unit_price, &sale.currency_code)) }
                                td { input type="number" min="0" max=(item.quantity) name={"q_" (item.id)} value="0" aria-label="Units returned"; }
                            }
                        }
                    }
                }
                fieldset {
                    legend { "Refund" }
                    label { input type="radio" name="refund" value="cash" checked; " Cash from this drawer" }
                    label { input type="radio" name="refund" value="original"; " To the original tender" }
                }
                button type="submit" { "Take return and refund" }
            }
        }
    };
    let markup = layout::page(ui, "Return", Some(&register), body);
    Ok(respond::html_page(status, markup))
}

fn take(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let register = register_of(engine, request)?;
    let id = register.id.clone();
    let Some(session) = engine.store().read(move |c| sessions::current(c, &id))? else {
        return show(
            engine,
            request,
            &ui.with_error("No cash session is open"),
            400,
        );
    };
    let mut items = Vec::new();
    for (name, value) in ui.form.fields() {
        let Some(line) = name.strip_prefix("q_") else {
            continue;
        };
        match value.trim().parse::<i64>() {
            Ok(0) => {}
            Ok(n) if n > 0 => items.push(ReturnItem {
                id: line.to_string(),
                quantity: n,
                ..ReturnItem::default()
            }),
            _ => {
                return show(
                    engine,
                    request,
                    &ui.with_error("A quantity is a whole number ≥ 0"),
                    400,
                );
            }
        }
    }
    if items.is_empty() {
        return show(
            engine,
            request,
            &ui.with_error("Choose at least one unit to return"),
            400,
        );
    }
    let input = TillReturnIn {
        session_id: session.id,
        user_id: ui.session.user_id.clone(),
        receipt_number: ui.form.get("receipt_number").unwrap_or("").to_string(),
        items,
        refund: ui.form.get("refund").unwrap_or("cash").to_string(),
    };
    match TILL_RETURN.run(engine, &input, None) {
        Ok(_) => Ok(respond::redirect(&format!(
            "/pos/till/{}/cash?done=returned",
            register.code
        ))),
        Err(e) if e.status() < 500 => {
            show(engine, request, &ui.with_error(e.to_string()), e.status())
        }
        Err(e) => Err(e),
    }
}
