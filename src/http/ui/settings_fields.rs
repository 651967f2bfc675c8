//! Form pieces of the settings pages that keep what staff typed: each form names itself in a
//! hidden `_form` field, and when the page is rendered again on the answer to that form (a
//! refusal), its fields show what was posted rather than what is stored — so a bad value
//! answers the form again with its message and nothing typed is lost.

use super::{Ui, layout};
use crate::error::{Error, Result};
use crate::http::Response;
use maud::{Markup, html};

/// The hidden field naming a form.
pub const FORM_FIELD: &str = "_form";

/// Whether the request being answered is a post of form `form`.
pub fn posted(ui: &Ui, form: &str) -> bool {
    ui.form.get(FORM_FIELD) == Some(form)
}

/// What field `name` of form `form` shows: the posted value when that form was posted, else
/// `stored`.
pub fn value(ui: &Ui, form: &str, name: &str, stored: &str) -> String {
    if posted(ui, form) {
        ui.form.get(name).unwrap_or("").to_string()
    } else {
        stored.to_string()
    }
}

/// Whether checkbox `name` of form `form` is ticked: as posted, else `stored`.
pub fn checked(ui: &Ui, form: &str, name: &str, stored: bool) -> bool {
    if posted(ui, form) {
        ui.form.get(name) == Some("true")
    } else {
        stored
    }
}

/// The opening fields of a form: the CSRF token and the form's name.
pub fn start(ui: &Ui, form: &str) -> Markup {
    html! {
        (layout::csrf(ui))
        input type="hidden" name=(FORM_FIELD) value=(form);
    }
}

/// A labelled text input of form `form` (`id` must be unique on the page).
pub fn text(ui: &Ui, form: &str, (id, name, label): (&str, &str, &str), stored: &str) -> Markup {
    html! {
        div {
            label for=(id) { (label) }
            input id=(id) name=(name) value=(value(ui, form, name, stored));
        }
    }
}

/// A labelled checkbox of form `form` posting `true` when ticked.
pub fn checkbox(
    ui: &Ui,
    form: &str,
    (id, name, label): (&str, &str, &str),
    stored: bool,
) -> Markup {
    html! {
        div {
            input type="checkbox" id=(id) name=(name) value="true" checked[checked(ui, form, name, stored)];
            " " label for=(id) class="inline" { (label) }
        }
    }
}

/// The answer to a settings form: success redirects to `to`; a refusal (4xx) renders the
/// page again through `again` with the message, keeping the posted values; a server error
/// stays an error.
///
/// # Errors
/// 5xx errors of `outcome`, and errors of `again`.
pub fn answer<T>(
    outcome: Result<T>,
    to: &str,
    again: impl FnOnce(&Ui, u16) -> Result<Response>,
    ui: &Ui,
) -> Result<Response> {
    match outcome {
        Ok(_) => Ok(super::respond::redirect(to)),
        Err(err) if err.status() < 500 => again(&ui.with_error(err.to_string()), err.status()),
        Err(err) => Err(err),
    }
}

/// A two-letter country code typed into field `name` (lower-cased).
///
/// # Errors
/// 400 naming `label` when blank or not two letters.
pub fn country(ui: &Ui, name: &str, label: &str) -> Result<String> {
    let code = ui.form.required(name, label)?.to_lowercase();
    if code.len() == 2 && code.chars().all(|c| c.is_ascii_lowercase()) {
        Ok(code)
    } else {
        Err(Error::invalid(format!(
            "{label} must be a two-letter ISO code"
        )))
    }
}
