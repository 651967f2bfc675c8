//! How every `/app` answer leaves: HTML with the security headers, 303 redirects, the
//! sign-in redirect with a safe `next`, and error pages (the UI never answers JSON).

use super::layout;
use crate::error::Error;
use crate::http::{Body, Request, Response};
use maud::{Markup, html};

/// The Content-Security-Policy of every page: nothing inline, nothing from elsewhere, no
/// scripts at all (the UI needs none), no framing, forms only to this origin.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The security headers every `/app` answer carries.
pub fn secure(mut response: Response) -> Response {
    for (name, value) in [
        ("Content-Security-Policy", CSP),
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
    ] {
        response.headers.push((name.into(), value.into()));
    }
    response
}

/// A page with `status`. Pages are never cached: they show live data to one session.
pub fn html_page(status: u16, markup: Markup) -> Response {
    let response = Response {
        status,
        body: Body::Bytes {
            content_type: "text/html; charset=utf-8".into(),
            data: markup.into_string().into_bytes(),
        },
        headers: vec![("Cache-Control".into(), "no-store".into())],
    };
    secure(response)
}

/// 303 See Other to a local `/app` location.
pub fn redirect(location: &str) -> Response {
    secure(Response::empty(303).with_header("Location", location))
}

/// Whether `next` is a path of this UI that is safe to redirect to after sign-in: it starts
/// with `/app`, followed by nothing, `/`, or `?`, and has no `//`, backslash or control
/// character (so it can never become a scheme-relative or foreign URL).
pub fn is_safe_next(next: &str) -> bool {
    let rest = match next.strip_prefix("/app") {
        Some(rest) => rest,
        None => return false,
    };
    let well_started = rest.is_empty() || rest.starts_with('/') || rest.starts_with('?');
    well_started
        && !next.contains("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control)
        && next.len() <= 512
}

/// Percent-encodes a query value (everything but unreserved characters).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char);
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// The path and query the request asked for, as a `next` to come back to.
pub fn here(request: &Request) -> String {
    let query: Vec<String> = request
        .query
        .iter()
        .filter_map(|(k, v)| v.as_str().map(|v| format!("{}={}", encode(k), encode(v))))
        .collect();
    if query.is_empty() {
        request.path.clone()
    } else {
        format!("{}?{}", request.path, query.join("&"))
    }
}

/// The redirect of a signed-out visit: to sign-in, coming back here afterwards (GET only;
/// a signed-out POST comes back to the UI's home).
pub fn to_sign_in(request: &Request) -> Response {
    let next = if request.method == "GET" {
        here(request)
    } else {
        "/app".into()
    };
    if is_safe_next(&next) && next != "/app" {
        redirect(&format!("/app/sign-in?next={}", encode(&next)))
    } else {
        redirect("/app/sign-in")
    }
}

/// Where an error page links back to: the admin (`/app`) or the till (`/pos`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Home {
    /// The admin UI.
    Admin,
    /// The till.
    Till,
}

impl Home {
    fn link(self) -> maud::Markup {
        match self {
            Home::Admin => html! { a href="/app" { "Back to the admin" } },
            Home::Till => html! { a href="/pos" { "Back to the till" } },
        }
    }
}

/// The 403 page of a form posted without this session's CSRF token.
pub fn forbidden() -> Response {
    forbidden_from(Home::Admin)
}

/// [`forbidden`], linking back to `home`.
pub fn forbidden_from(home: Home) -> Response {
    html_page(
        403,
        layout::bare(
            "Forbidden",
            html! {
                h1 { "Forbidden" }
                p { "This form has expired or did not come from this page. Go back, reload the page and try again." }
                p { (home.link()) }
            },
        ),
    )
}

/// The page of an error no handler turned into a message of its own. 5xx pages never carry
/// the error's detail.
pub fn error_page(err: &Error) -> Response {
    error_page_from(err, Home::Admin)
}

/// [`error_page`], linking back to `home`.
pub fn error_page_from(err: &Error, home: Home) -> Response {
    let status = err.status();
    let message = if status >= 500 {
        "Something went wrong on the server. The error was logged.".to_string()
    } else {
        err.to_string()
    };
    if status >= 500 {
        eprintln!("admin UI error: {err}");
    }
    let title = match status {
        404 => "Not found",
        400 | 415 => "Bad request",
        _ if status >= 500 => "Server error",
        _ => "Request refused",
    };
    html_page(
        status,
        layout::bare(
            title,
            html! {
                h1 { (title) }
                p role="alert" { (message) }
                p { (home.link()) }
            },
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_only_a_local_app_path() {
        for good in [
            "/app",
            "/app/orders",
            "/app/orders?q=1&status=pending",
            "/app?x=1",
        ] {
            assert!(is_safe_next(good), "{good}");
        }
        for bad in [
            "//evil.example",
            "/application",
            "https://evil.example/app",
            "/app//evil.example",
            "/app/\\evil",
            "/app/\nSet-Cookie",
            "app/orders",
            "",
        ] {
            assert!(!is_safe_next(bad), "{bad}");
        }
    }

    #[test]
    fn encodes_query_values() {
        assert_eq!(encode("/app/orders?q=a b&c"), "/app/orders%3Fq%3Da%20b%26c");
    }

    #[test]
    fn pages_carry_the_security_headers() {
        let page = html_page(200, html! { p { "x" } });
        let header = |n: &str| {
            page.headers
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(header("X-Frame-Options"), Some("DENY"));
        assert_eq!(header("X-Content-Type-Options"), Some("nosniff"));
        assert!(header("Content-Security-Policy").is_some_and(|c| !c.contains("unsafe")));
    }
}
