//! The selling screen's markup: the open-session form, the scan field and search results,
//! the basket's lines (quantity, removal, a manager's discount), the totals and the tender,
//! customer and promotion forms.

use super::price;
use crate::flows::checkout::refresh;
use crate::flows::pos::lookup;
use crate::http::ui::Ui;
use crate::http::ui::layout::csrf;
use crate::lines::LineItem;
use crate::modules::cart::Cart;
use crate::modules::pos::{Register, sessions::Session};
use crate::totals::Totals;
use maud::{Markup, html};

/// What the selling screen shows.
pub struct Basket {
    /// The cart.
    pub cart: Cart,
    /// Its lines.
    pub items: Vec<LineItem>,
    /// Its totals.
    pub totals: Totals,
}

/// The form opening a session.
pub fn closed_body(ui: &Ui, register: &Register) -> Markup {
    html! {
        p { "No cash session is open on this register." }
        form method="post" action={"/pos/till/" (register.code) "/open"} {
            (csrf(ui))
            div class="field" {
                label for="float" { "Opening float (cash in the drawer)" }
                input id="float" name="float" inputmode="decimal" required autofocus value="0";
            }
            button type="submit" { "Open session" }
        }
    }
}

/// The selling screen of an open session.
pub fn selling_body(
    ui: &Ui,
    register: &Register,
    session: &Session,
    basket: Option<&Basket>,
    hits: &[lookup::Hit],
    manager: bool,
) -> Markup {
    let base = format!("/pos/till/{}", register.code);
    html! {
        div class="till" {
            section aria-label="Basket" {
                form class="scan" method="post" action={(base) "/scan"} {
                    (csrf(ui))
                    label for="code" { "Scan a barcode or SKU, or type a product name" }
                    input id="code" name="code" autocomplete="off" autofocus required;
                    button type="submit" { "Add" }
                }
                @if !hits.is_empty() {
                    table class="hits" {
                        caption { "Search results" }
                        tbody {
                            @for h in hits {
                                tr {
                                    td { (h.title) }
                                    td { (h.sku.as_deref().unwrap_or("")) }
                                    td class="num" { (price(h.unit_price, &h.currency_code)) }
                                    td {
                                        form method="post" action={(base) "/add"} {
                                            (csrf(ui))
                                            input type="hidden" name="variant_id" value=(h.variant_id);
                                            button type="submit" { "Add" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                @match basket {
                    Some(b) if !b.items.is_empty() => (lines(ui, &base, b, manager)),
                    _ => p { "The basket is empty." },
                }
            }
            aside aria-label="Payment" {
                @if let Some(b) = basket { (side(ui, &base, b)) }
                p { small { "Session opened " (session.opened_at) " · float " (price(session.opening_float, &currency(basket))) } }
            }
        }
    }
}

fn currency(basket: Option<&Basket>) -> String {
    basket.map_or(String::new(), |b| b.cart.currency_code.clone())
}

fn line_total(item: &LineItem) -> i64 {
    refresh::item_line(item).totals().map_or(0, |t| t.total)
}

fn lines(ui: &Ui, base: &str, b: &Basket, manager: bool) -> Markup {
    let cur = &b.cart.currency_code;
    html! {
        table class="basket" {
            thead { tr { th { "Item" } th { "Qty" } th class="num" { "Price" } th class="num" { "Total" } th { "" } } }
            tbody {
                @for item in &b.items {
                    tr {
                        td {
                            (item.title)
                            @if let Some(v) = &item.variant_title { " — " (v) }
                            @if let Some(d) = item.metadata.get("pos_discount") {
                                br; small { "Discount " (price(d["amount"].as_i64().unwrap_or(0), cur)) " each: " (d["reason"].as_str().unwrap_or("")) }
                            }
                            @for a in &item.adjustments {
                                br; small { "Promotion " (a.code.as_deref().unwrap_or("")) " −" (price(a.amount, cur)) }
                            }
                        }
                        td {
                            form method="post" action={(base) "/line"} {
                                (csrf(ui))
                                input type="hidden" name="line_id" value=(item.id);
                                input type="hidden" name="op" value="quantity";
                                label class="visually-hidden" for={"q-" (item.id)} { "Quantity" }
                                input id={"q-" (item.id)} type="number" name="quantity" min="0" value=(item.quantity);
                                button type="submit" class="secondary" { "Set" }
                            }
                        }
                        td class="num" { (price(item.unit_price, cur)) }
                        td class="num" { (price(line_total(item), cur)) }
                        td {
                            form method="post" action={(base) "/line"} {
                                (csrf(ui))
                                input type="hidden" name="line_id" value=(item.id);
                                input type="hidden" name="op" value="remove";
                                button type="submit" class="secondary" { "Remove" }
                            }
                        }
                    }
                    @if manager {
                        tr class="discount" {
                            td colspan="5" {
                                form method="post" action={(base) "/line"} {
                                    (csrf(ui))
                                    input type="hidden" name="line_id" value=(item.id);
                                    input type="hidden" name="op" value="discount";
                                    label { "Discount per unit " input name="amount" inputmode="decimal" size="6"; }
                                    " "
                                    label { "Reason " input name="reason" size="16"; }
                                    button type="submit" class="secondary" { "Discount" }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn side(ui: &Ui, base: &str, b: &Basket) -> Markup {
    let cur = &b.cart.currency_code;
    let walk_in = b
        .cart
        .email
        .as_deref()
        .is_some_and(|e| e.ends_with("@pos.invalid"));
    html! {
        div class="totals" {
            p { "Subtotal " (price(b.totals.items.subtotal, cur)) }
            @if b.totals.items.discount_total > 0 { p { "Discounts −" (price(b.totals.items.discount_total, cur)) } }
            p { "Tax " (price(b.totals.items.tax_total, cur)) }
            p class="due" { "Total " (price(b.totals.total(), cur)) }
        }
        form class="tender" method="post" action={(base) "/pay"} {
            (csrf(ui))
            fieldset {
                legend { "Tender" }
                div class="field" { label for="cash" { "Cash tendered" } input id="cash" name="cash" inputmode="decimal"; }
                div class="field" { label for="card" { "Card amount" } input id="card" name="card" inputmode="decimal"; }
                div class="field" { label for="card_reference" { "Card slip reference" } input id="card_reference" name="card_reference"; }
                p { small { "Card payments are recorded through the manual provider: no card terminal is connected; charge the card on the terminal, then enter the amount here." } }
            }
            button type="submit" { "Complete sale" }
        }
        form method="post" action={(base) "/customer"} {
            (csrf(ui))
            label for="customer" { "Customer email" }
            input id="customer" name="email" type="email" value=(if walk_in { "" } else { b.cart.email.as_deref().unwrap_or("") });
            button type="submit" class="secondary" { "Attach" }
        }
        form method="post" action={(base) "/promotion"} {
            (csrf(ui))
            label for="promo" { "Promotion code" }
            input id="promo" name="code";
            input type="hidden" name="op" value="add";
            button type="submit" class="secondary" { "Apply" }
        }
        form method="post" action={(base) "/clear"} {
            (csrf(ui))
            button type="submit" class="secondary" { "Cancel sale" }
        }
    }
}
