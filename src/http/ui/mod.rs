//! The admin UI at `/app`: server-rendered HTML (maud: compile-time checked templates that
//! escape by default), no JavaScript, one embedded stylesheet.
//!
//! Life of a UI request: the route is `Access::Public` (the API's credentials mean nothing
//! here), and [`ui_route`] does the UI's own checks — the staff session of the
//! `stockroom_app` cookie (else a 303 to sign-in with a safe `next`), and on every POST the
//! form's CSRF token (else a 403 page) — before the page handler runs. Handlers are thin: they
//! parse the query or form, call the same services and registered workflows as the Admin API,
//! and render. Errors become HTML pages, never JSON; errors of an action render as a message
//! on the page it came from.

pub mod after_sales;
pub mod after_sales_actions;
pub mod assets;
pub mod campaigns;
pub mod customer_groups;
pub mod customers;
pub mod drafts;
pub mod drafts_customer;
pub mod drafts_new;
pub mod home;
pub mod inventory;
pub mod layout;
pub mod order_detail;
pub mod orders;
pub mod product_media;
pub mod product_organize;
pub mod product_prices;
pub mod product_variants;
pub mod products;
pub mod promotion_form;
pub mod promotions;
pub mod respond;
pub mod session;
pub mod settings;
pub mod settings_edit;
pub mod settings_fields;
pub mod settings_keys;
pub mod settings_location_page;
pub mod settings_locations;
pub mod settings_places;
pub mod settings_shipping;
pub mod settings_tax_page;
pub mod settings_taxes;
pub mod sign_in;
pub mod sorting;
pub mod view;
pub mod widgets;

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::http::form::Form;
use crate::http::{Access, Request, Response, Route};
use maud::Markup;
use session::AppSession;
use std::sync::Arc;

pub use widgets::{AdminPage, Extensions, Widget, WidgetContext, WidgetFn, ZONES};

/// What a signed-in page handler is given besides the request.
#[derive(Debug, Clone)]
pub struct Ui {
    /// The staff session (its CSRF token goes into every form).
    pub session: AppSession,
    /// The posted form (empty for GET).
    pub form: Form,
    /// Files of a `multipart/form-data` post (its plain fields are in `form`).
    pub files: Vec<crate::http::multipart::FilePart>,
    /// An error message to show at the top of the page.
    pub error: Option<String>,
    /// A confirmation to show at the top of the page.
    pub notice: Option<String>,
}

impl Ui {
    /// The same context showing `message` as an error.
    pub fn with_error(&self, message: impl Into<String>) -> Ui {
        Ui {
            error: Some(message.into()),
            ..self.clone()
        }
    }
}

/// A signed-in page or action.
pub type UiHandler = Arc<dyn Fn(&Engine, &Request, &Ui) -> Result<Response> + Send + Sync>;

/// The body of a custom module's admin page (the UI adds the shell and the heading).
pub type PageBody = Arc<dyn Fn(&Engine, &Request, &Ui) -> Result<Markup> + Send + Sync>;

/// Confirmations an action may ask for with `?done=<key>` after its redirect (a fixed list,
/// so a link cannot make the admin show text of its choosing).
const NOTICES: &[(&str, &str)] = &[
    ("fulfilled", "Fulfillment created."),
    ("shipped", "Fulfillment marked as shipped."),
    ("delivered", "Fulfillment marked as delivered."),
    ("captured", "Payment captured."),
    ("refunded", "Payment refunded."),
    ("canceled", "Order canceled."),
    ("created", "Created."),
    ("saved", "Saved."),
    ("deleted", "Deleted."),
    ("adjusted", "Stock adjusted."),
    ("activated", "Promotion activated."),
    ("return_requested", "Return requested."),
    ("return_received", "Return received."),
    (
        "exchange_created",
        "Exchange created: check the new total, then confirm it.",
    ),
    (
        "claim_created",
        "Claim created: check the new total, then confirm it.",
    ),
    ("edit_begun", "Order edit begun."),
    ("edit_updated", "Order edit updated."),
    ("change_confirmed", "Order change confirmed."),
    ("change_canceled", "Order change canceled."),
    ("converted", "Draft converted to an order."),
    ("deactivated", "Promotion deactivated."),
    ("revoked", "API key revoked."),
];

fn notice_of(request: &Request) -> Option<String> {
    let key = request.query_str("done")?;
    NOTICES
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, text)| (*text).to_string())
}

/// A route of the signed-in UI: the session and CSRF checks, then `handler`; errors become
/// HTML pages.
pub fn ui_route(
    method: &'static str,
    pattern: &str,
    summary: &'static str,
    handler: impl Fn(&Engine, &Request, &Ui) -> Result<Response> + Send + Sync + 'static,
) -> Route {
    Route::new(
        method,
        pattern,
        Access::Public,
        summary,
        move |engine, request| {
            Ok(guarded(engine, request, &handler).unwrap_or_else(|e| respond::error_page(&e)))
        },
    )
}

fn guarded(
    engine: &Engine,
    request: &Request,
    handler: &dyn Fn(&Engine, &Request, &Ui) -> Result<Response>,
) -> Result<Response> {
    let Some(session) = session::current(engine, request)? else {
        return Ok(respond::to_sign_in(request));
    };
    let (form, files) = if request.method == "POST" {
        let (form, files) = posted(request)?;
        if !session.csrf_matches(form.get(session::CSRF_FIELD)) {
            return Ok(respond::forbidden());
        }
        (form, files)
    } else {
        (Form::default(), Vec::new())
    };
    let ui = Ui {
        session,
        form,
        files,
        error: None,
        notice: notice_of(request),
    };
    handler(engine, request, &ui)
}

/// A POST's form: urlencoded, or `multipart/form-data` (an upload form: its plain fields,
/// the CSRF token among them, and its files, each at most the file module's limit).
fn posted(request: &Request) -> Result<(Form, Vec<crate::http::multipart::FilePart>)> {
    use crate::http::multipart;
    let content_type = request.header("content-type").unwrap_or("");
    let Some(boundary) = multipart::boundary(content_type) else {
        return Ok((Form::of(request)?, Vec::new()));
    };
    let max = crate::modules::file::MAX_FILE_BYTES;
    let (files, fields) =
        multipart::parse_form(&request.body, &boundary, max).map_err(|e| match e {
            multipart::MultipartError::FileTooLarge(name) => crate::modules::file::too_large(&name),
            malformed => Error::invalid(malformed.to_string()),
        })?;
    Ok((Form::from_fields(fields), files))
}

/// The route of a custom module's admin page.
pub fn admin_page_route(page: &AdminPage) -> Route {
    let page = page.clone();
    ui_route(
        "GET",
        &page.path.clone(),
        "Custom admin page",
        move |engine, request, ui| {
            let body = (page.render)(engine, request, ui)?;
            let markup = layout::page(engine, ui, &page.title, &page.path, body);
            Ok(respond::html_page(200, markup))
        },
    )
}

/// Every core `/app` route.
pub fn routes() -> Vec<Route> {
    let mut routes = vec![Route::new(
        "GET",
        "/app/assets/:name",
        Access::Public,
        "Admin UI asset (content-hashed, immutable)",
        assets::serve,
    )];
    routes.extend(sign_in::routes());
    routes.extend(home::routes());
    routes.extend(orders::routes());
    routes.extend(order_detail::routes());
    routes.extend(after_sales_actions::routes());
    routes.extend(drafts_new::routes());
    routes.extend(drafts::routes());
    routes.extend(drafts_customer::routes());
    routes.extend(customers::routes());
    routes.extend(customer_groups::routes());
    routes.extend(products::routes());
    routes.extend(product_media::routes());
    routes.extend(product_variants::routes());
    routes.extend(product_prices::routes());
    routes.extend(product_organize::routes());
    routes.extend(inventory::routes());
    routes.extend(promotion_form::routes());
    routes.extend(promotions::routes());
    routes.extend(campaigns::routes());
    routes.extend(settings::routes());
    routes.extend(settings_edit::routes());
    routes.extend(settings_taxes::routes());
    routes.extend(settings_keys::routes());
    routes.extend(settings_locations::routes());
    routes.extend(settings_shipping::routes());
    routes
}
