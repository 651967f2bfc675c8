//! The till's page shell: the admin UI's stylesheet plus the till's own, a header with the
//! register's name, its sections and sign-out, and one `h1`.

use crate::http::ui::Ui;
use crate::http::ui::assets;
use crate::http::ui::layout::csrf;
use crate::modules::pos::Register;
use maud::{DOCTYPE, Markup, html};

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · Stockroom till" }
            link rel="stylesheet" href=(assets::css_path());
            link rel="stylesheet" href=(assets::pos_css_path());
        }
    }
}

/// A page outside the signed-in shell (sign-in).
pub fn bare(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body { main id="main" class="signin" { (body) } }
        }
    }
}

/// A signed-in till page.
pub fn page(ui: &Ui, title: &str, register: Option<&Register>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body {
                a class="skip no-print" href="#main" { "Skip to content" }
                header class="top" {
                    a class="brand" href="/pos" { "Stockroom till" }
                    @if let Some(r) = register {
                        nav aria-label="Till" class="pos-bar" {
                            a href={"/pos/till/" (r.code)} { "Sell" }
                            a href={"/pos/till/" (r.code) "/cash"} { "Cash" }
                            a href={"/pos/till/" (r.code) "/return"} { "Return" }
                            span { (r.name) " (" (r.code) ")" }
                        }
                    }
                    a class="no-print" href="/pos/staff" { "Staff" }
                    form method="post" action="/pos/sign-out" {
                        (csrf(ui))
                        button type="submit" class="secondary" { "Sign out" }
                    }
                }
                main id="main" {
                    h1 { (title) }
                    @if let Some(message) = &ui.error {
                        div class="notice error" role="alert" { (message) }
                    }
                    @if let Some(message) = &ui.notice {
                        div class="notice ok" role="status" { (message) }
                    }
                    (body)
                }
            }
        }
    }
}
