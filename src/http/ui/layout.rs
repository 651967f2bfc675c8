//! The page shell: skip link, header with sign-out, the main navigation (core sections, then
//! the admin pages custom modules registered), and `main`. Every page has one `h1`.

use super::assets;
use super::session::CSRF_FIELD;
use super::{Ui, widgets};
use crate::engine::Engine;
use maud::{DOCTYPE, Markup, html};

/// The core sections of the navigation, in order: (link name, path).
pub const SECTIONS: &[(&str, &str)] = &[
    ("Home", "/app"),
    ("Orders", "/app/orders"),
    ("Products", "/app/products"),
    ("Inventory", "/app/inventory"),
    ("Customers", "/app/customers"),
    ("Customer groups", "/app/customer-groups"),
    ("Promotions", "/app/promotions"),
    ("Settings", "/app/settings"),
];

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · Stockroom admin" }
            link rel="stylesheet" href=(assets::css_path());
        }
    }
}

/// A page outside the signed-in shell (sign-in, errors).
pub fn bare(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body {
                main id="main" class="signin" { (body) }
            }
        }
    }
}

/// A hidden CSRF field for a form of this session.
pub fn csrf(ui: &Ui) -> Markup {
    html! { input type="hidden" name=(CSRF_FIELD) value=(ui.session.csrf); }
}

/// A signed-in page: `current` is the path of the navigation entry to mark as the page's.
pub fn page(engine: &Engine, ui: &Ui, title: &str, current: &str, body: Markup) -> Markup {
    let custom = widgets::extensions(engine)
        .pages
        .iter()
        .map(|p| (p.title.as_str(), p.path.as_str()));
    let entries: Vec<(&str, &str)> = SECTIONS.iter().copied().chain(custom).collect();
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body {
                a class="skip" href="#main" { "Skip to content" }
                header class="top" {
                    a class="brand" href="/app" { "Stockroom admin" }
                    form method="post" action="/app/sign-out" {
                        (csrf(ui))
                        button type="submit" class="secondary" { "Sign out" }
                    }
                }
                div class="layout" {
                    nav class="main" aria-label="Main" {
                        ul {
                            @for (name, path) in &entries {
                                li {
                                    @if *path == current {
                                        a href=(path) aria-current="page" { (name) }
                                    } @else {
                                        a href=(path) { (name) }
                                    }
                                }
                            }
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
}
