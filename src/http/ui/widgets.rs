//! Extension points of the admin UI, registered through the public builder
//! (`EngineBuilder::widget`, `EngineBuilder::admin_page`).
//!
//! **The widget contract.** A widget is a Rust function of the page's entity — a
//! [`WidgetContext`] with the entity's id and the engine to read through services — that
//! returns [`maud::Markup`], so whatever it shows is escaped unless it says otherwise. Widgets
//! render in their zone in registration order. A widget that returns `Err` or panics renders
//! a small error box in its place and the rest of the page still works. Zones have Medusa's
//! names ([`ZONES`]); registering an unknown zone fails `EngineBuilder::build`.

use super::PageBody;
use crate::engine::Engine;
use crate::error::{Error, Result};
use maud::{Markup, html};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

/// The zones pages render, as Medusa names them.
pub const ZONES: &[&str] = &[
    "order.details.before",
    "order.details.after",
    "order.details.side.before",
    "order.details.side.after",
    "order.list.before",
    "order.list.after",
    "product.details.before",
    "product.details.after",
    "product.details.side.before",
    "product.details.side.after",
    "product.list.before",
    "product.list.after",
    "customer.details.before",
    "customer.details.after",
    "customer.details.side.before",
    "customer.details.side.after",
    "customer.list.before",
    "customer.list.after",
    "inventory_item.details.before",
    "inventory_item.details.after",
    "inventory_item.details.side.before",
    "inventory_item.details.side.after",
    "promotion.details.before",
    "promotion.details.after",
    "promotion.details.side.before",
    "promotion.details.side.after",
    "store.details.before",
    "store.details.after",
];

/// What a widget is given: the page's entity and the engine to read it through.
pub struct WidgetContext<'a> {
    /// The engine (read through `engine.store().read(...)` and the module services).
    pub engine: &'a Engine,
    /// The zone being rendered.
    pub zone: &'a str,
    /// The page's entity (`cus_…`, `order_…`, …); empty on list pages.
    pub entity_id: &'a str,
}

/// A widget's function.
pub type WidgetFn = Arc<dyn Fn(&WidgetContext) -> Result<Markup> + Send + Sync>;

/// A widget registered in a zone.
#[derive(Clone)]
pub struct Widget {
    /// Its zone.
    pub zone: String,
    /// What it renders.
    pub render: WidgetFn,
}

/// An admin page of a custom module, with its navigation entry.
#[derive(Clone)]
pub struct AdminPage {
    /// `/app/<slug>`.
    pub path: String,
    /// The link name in the navigation and the page's heading.
    pub title: String,
    /// The page's body (the shell, navigation and heading are the UI's).
    pub render: PageBody,
}

/// Everything custom modules added to the UI.
#[derive(Clone, Default)]
pub struct Extensions {
    /// Widgets, in registration order.
    pub widgets: Vec<Widget>,
    /// Admin pages, in registration order.
    pub pages: Vec<AdminPage>,
}

/// Slugs the core UI uses; an admin page may not take them.
const RESERVED: &[&str] = &[
    "assets",
    "campaigns",
    "sign-in",
    "sign-out",
    "orders",
    "products",
    "inventory",
    "customers",
    "promotions",
    "settings",
];

impl Extensions {
    /// Checks every registration: known zones, well-formed unreserved unique page slugs.
    ///
    /// # Errors
    /// 400 `invalid_data` naming the first bad registration.
    pub fn check(&self) -> Result<()> {
        if let Some(w) = self
            .widgets
            .iter()
            .find(|w| !ZONES.contains(&w.zone.as_str()))
        {
            return Err(Error::invalid(format!(
                "Unknown admin widget zone '{}'",
                w.zone
            )));
        }
        for (i, page) in self.pages.iter().enumerate() {
            let slug = page.path.trim_start_matches("/app/");
            let well_formed = !slug.is_empty()
                && slug
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !well_formed || RESERVED.contains(&slug) {
                return Err(Error::invalid(format!(
                    "Admin page slug '{slug}' must be lower-case letters, digits and '-', and not a core page"
                )));
            }
            if self.pages[..i].iter().any(|p| p.path == page.path) {
                return Err(Error::invalid(format!(
                    "Admin page '{slug}' is registered twice"
                )));
            }
        }
        Ok(())
    }
}

/// The engine's UI extensions.
pub fn extensions(engine: &Engine) -> &Extensions {
    engine.ui_extensions()
}

/// Every widget of `zone` for `entity_id`, in registration order; a failing widget becomes
/// an error box.
pub fn zone(engine: &Engine, zone: &str, entity_id: &str) -> Markup {
    let context = WidgetContext {
        engine,
        zone,
        entity_id,
    };
    let widgets = extensions(engine).widgets.iter().filter(|w| w.zone == zone);
    html! {
        @for widget in widgets {
            @let outcome = catch_unwind(AssertUnwindSafe(|| (widget.render)(&context)));
            @match outcome {
                Ok(Ok(markup)) => section class="widget card" data-zone=(zone) { (markup) },
                Ok(Err(err)) => div class="widget-error" role="alert" {
                    "A widget in " (zone) " failed: " (failure_message(&err))
                },
                Err(_) => div class="widget-error" role="alert" {
                    "A widget in " (zone) " failed."
                },
            }
        }
    }
}

fn failure_message(err: &Error) -> String {
    if err.status() >= 500 {
        eprintln!("admin widget error: {err}");
        "an internal error (logged)".into()
    } else {
        err.to_string()
    }
}
