//! The route table: method + path pattern (`/store/products/:id`) → handler, plus who may call
//! it. The table is data, so the OpenAPI document and the "every admin route needs auth" test
//! are generated from it and cannot drift.

use super::{Request, Response};
use crate::engine::Engine;
use crate::error::{Error, Result};
use std::collections::HashMap;
use std::sync::Arc;

/// A request handler: parse, call a service or workflow, shape the envelope.
pub type Handler = Arc<dyn Fn(&Engine, &Request) -> Result<Response> + Send + Sync>;

/// Who may call a route. The HTTP layer checks it before the handler runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone (health, auth entry points).
    Public,
    /// A valid publishable API key in `x-publishable-api-key` (every `/store` route).
    Store,
    /// A publishable key and an authenticated customer.
    Customer,
    /// An authenticated admin user (bearer token, session or secret key).
    Admin,
    /// A secret API key only (`Authorization: Basic` with the key): machine-to-machine
    /// routes that a signed-in user's token must not reach.
    SecretKey,
}

/// A check a route runs before its handler (see `src/http/middleware.rs`); the `u8` orders
/// them: rate limit, then query, then body.
pub(crate) type Check = Arc<dyn Fn(&Engine, &Request) -> Result<()> + Send + Sync>;

/// One entry of the route table.
#[derive(Clone)]
pub struct Route {
    /// Upper-case HTTP method.
    pub method: &'static str,
    /// Pattern with `:param` segments.
    pub pattern: String,
    /// Who may call it.
    pub access: Access,
    /// One-line description (used in the OpenAPI document).
    pub summary: &'static str,
    segments: Vec<Segment>,
    handler: Handler,
    base: Handler,
    checks: Vec<(u8, Check)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param(String),
}

impl Route {
    /// A route; `pattern` segments starting with `:` capture path parameters.
    pub fn new(
        method: &'static str,
        pattern: &str,
        access: Access,
        summary: &'static str,
        handler: impl Fn(&Engine, &Request) -> Result<Response> + Send + Sync + 'static,
    ) -> Self {
        let segments = split(pattern)
            .map(|s| match s.strip_prefix(':') {
                Some(name) => Segment::Param(name.to_string()),
                None => Segment::Literal(s.to_string()),
            })
            .collect();
        let handler: Handler = Arc::new(handler);
        Route {
            method,
            pattern: pattern.to_string(),
            access,
            summary,
            segments,
            base: handler.clone(),
            handler,
            checks: Vec::new(),
        }
    }

    /// Adds a check that runs before the handler, in `order` among the others.
    pub(crate) fn with_check(mut self, order: u8, check: Check) -> Self {
        self.checks.push((order, check));
        self.checks.sort_by_key(|(order, _)| *order);
        let (base, checks) = (self.base.clone(), self.checks.clone());
        self.handler = Arc::new(move |engine, request| {
            for (_, check) in &checks {
                check(engine, request)?;
            }
            base(engine, request)
        });
        self
    }

    /// Names of the path parameters, in order.
    pub fn param_names(&self) -> Vec<&str> {
        self.segments
            .iter()
            .filter_map(|s| match s {
                Segment::Param(name) => Some(name.as_str()),
                Segment::Literal(_) => None,
            })
            .collect()
    }

    /// The handler.
    pub fn handler(&self) -> &Handler {
        &self.handler
    }

    /// Captured parameters if `path` matches the pattern.
    fn capture(&self, path: &[&str]) -> Option<Vec<(String, String)>> {
        if path.len() != self.segments.len() {
            return None;
        }
        let mut params = Vec::new();
        for (segment, part) in self.segments.iter().zip(path) {
            match segment {
                Segment::Literal(lit) if lit == part => {}
                Segment::Literal(_) => return None,
                Segment::Param(_) if part.is_empty() => return None,
                Segment::Param(name) => params.push((name.clone(), (*part).to_string())),
            }
        }
        Some(params)
    }
}

fn split(path: &str) -> impl Iterator<Item = &str> {
    path.trim_matches('/').split('/').filter(|s| !s.is_empty())
}

/// The whole table.
#[derive(Clone, Default)]
pub struct Router {
    routes: Vec<Route>,
    /// Positions in `routes` by shape ([`shape`]): a lookup compares the few patterns of its
    /// path's shape instead of all ~480 (a linear scan cost ~14,000 instructions a request).
    by_shape: HashMap<String, Vec<usize>>,
}

/// Stands for a parameter segment in a shape.
const ANY: &str = "*";

/// A pattern's or a path's shape: its segment count and first two segments (`*` for a
/// parameter, nothing for a missing one).
fn shape(len: usize, first: &str, second: &str) -> String {
    let mut key = String::new();
    write_shape(&mut key, len, first, second);
    key
}

/// Appends the shape `{len}/{first}/{second}` to `key`.
fn write_shape(key: &mut String, len: usize, first: &str, second: &str) {
    use std::fmt::Write as _;
    if len < 10 {
        key.push(char::from(b'0' + len as u8));
    } else {
        let _ = write!(key, "{len}");
    }
    key.push('/');
    key.push_str(first);
    key.push('/');
    key.push_str(second);
}

impl Route {
    fn shape(&self) -> String {
        let slot = |i: usize| match self.segments.get(i) {
            Some(Segment::Literal(s)) => s.as_str(),
            Some(Segment::Param(_)) => ANY,
            None => "",
        };
        shape(self.segments.len(), slot(0), slot(1))
    }
}

impl Router {
    /// Adds a route. A later route with the same method and pattern replaces the earlier one,
    /// so users can override a core route.
    pub fn add(&mut self, route: Route) {
        self.routes
            .retain(|r| !(r.method == route.method && r.segments == route.segments));
        self.routes.push(route);
        self.by_shape.clear();
        for (position, route) in self.routes.iter().enumerate() {
            self.by_shape
                .entry(route.shape())
                .or_default()
                .push(position);
        }
    }

    /// Positions of the routes whose pattern may match `parts`, in table order.
    fn candidates(&self, parts: &[&str]) -> Vec<usize> {
        let part = |i: usize| parts.get(i).copied().unwrap_or("");
        let mut found = Vec::new();
        // The four shapes are written into one buffer, not four `format!`s (a lookup runs
        // on every request).
        let mut key = String::with_capacity(64);
        for first in [part(0), ANY] {
            for second in [part(1), ANY] {
                key.clear();
                write_shape(&mut key, parts.len(), first, second);
                if let Some(positions) = self.by_shape.get(key.as_str()) {
                    found.extend_from_slice(positions);
                }
            }
        }
        found.sort_unstable();
        found.dedup();
        found
    }

    /// Every route, in registration order.
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// Finds the route for `method` and `path`. Literal segments win over parameters
    /// (`/store/carts/mine` before `/store/carts/:id`).
    ///
    /// # Errors
    /// `RouteNotFound` (404) when no pattern matches the path, `MethodNotAllowed` (405) when
    /// the path matches under other methods only.
    pub fn find(&self, method: &str, path: &str) -> Result<(&Route, Vec<(String, String)>)> {
        let parts: Vec<&str> = split(path).collect();
        let mut allowed = Vec::new();
        let mut best: Option<(&Route, Vec<(String, String)>)> = None;
        for route in self.candidates(&parts).into_iter().map(|i| &self.routes[i]) {
            let Some(params) = route.capture(&parts) else {
                continue;
            };
            if route.method != method {
                allowed.push(route.method.to_string());
                continue;
            }
            if best.as_ref().is_none_or(|(_, p)| params.len() < p.len()) {
                best = Some((route, params));
            }
        }
        if let Some(found) = best {
            return Ok(found);
        }
        if allowed.is_empty() {
            return Err(Error::RouteNotFound {
                method: method.into(),
                path: path.into(),
            });
        }
        allowed.sort();
        allowed.dedup();
        Err(Error::MethodNotAllowed {
            method: method.into(),
            path: path.into(),
            allowed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn router() -> Router {
        let mut r = Router::default();
        for (m, p) in [
            ("GET", "/store/carts/:id"),
            ("POST", "/store/carts/:id"),
            ("GET", "/store/carts/mine"),
            ("DELETE", "/store/carts/:id/line-items/:line_id"),
        ] {
            r.add(Route::new(m, p, Access::Store, "", |_, _| {
                Ok(Response::empty(200))
            }));
        }
        r
    }

    type Expected<'a> = std::result::Result<(&'a str, &'a [(&'a str, &'a str)]), u16>;

    #[track_caller]
    fn check(method: &str, path: &str, expected: Expected) {
        let router = router();
        match (router.find(method, path), expected) {
            (Ok((route, params)), Ok((pattern, want))) => {
                assert_eq!(route.pattern, pattern);
                let got: Vec<(&str, &str)> = params
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                assert_eq!(got, want);
            }
            (Err(e), Err(status)) => assert_eq!(e.status(), status),
            (got, want) => panic!(
                "{method} {path}: got {:?}, want {want:?}",
                got.map(|r| r.0.pattern.clone())
            ),
        }
    }

    #[test]
    fn captures_params() {
        check(
            "GET",
            "/store/carts/cart_1",
            Ok(("/store/carts/:id", &[("id", "cart_1")])),
        );
    }

    #[test]
    fn captures_two_params() {
        check(
            "DELETE",
            "/store/carts/c/line-items/l",
            Ok((
                "/store/carts/:id/line-items/:line_id",
                &[("id", "c"), ("line_id", "l")],
            )),
        );
    }

    #[test]
    fn literal_beats_param() {
        check("GET", "/store/carts/mine", Ok(("/store/carts/mine", &[])));
    }

    #[test]
    fn trailing_slash_is_the_same_path() {
        check(
            "GET",
            "/store/carts/c1/",
            Ok(("/store/carts/:id", &[("id", "c1")])),
        );
    }

    #[test]
    fn unknown_path_is_404() {
        check("GET", "/store/nothing", Err(404));
    }

    #[test]
    fn wrong_method_is_405() {
        check("PUT", "/store/carts/c1", Err(405));
    }

    #[test]
    fn later_route_replaces_same_pattern() {
        let mut r = router();
        r.add(Route::new(
            "GET",
            "/store/carts/:id",
            Access::Public,
            "override",
            |_, _| Ok(Response::empty(204)),
        ));
        let (route, _) = r.find("GET", "/store/carts/x").unwrap();
        assert_eq!(route.summary, "override");
        assert_eq!(r.routes().len(), 4);
    }

    #[test]
    fn the_shape_index_finds_what_a_scan_of_every_route_finds() {
        let mut r = router();
        for (m, p) in [
            ("GET", "/health"),
            ("GET", "/static/:key"),
            ("GET", "/:tenant/overview"),
            ("POST", "/:tenant/:thing/:id"),
        ] {
            r.add(Route::new(m, p, Access::Public, "", |_, _| {
                Ok(Response::empty(200))
            }));
        }
        let scan = |parts: &[&str]| -> Vec<usize> {
            (0..r.routes.len())
                .filter(|&i| r.routes[i].capture(parts).is_some())
                .collect()
        };
        for path in [
            "/health",
            "/static/a.png",
            "/acme/overview",
            "/acme/carts/c1",
            "/store/carts/c1",
            "/store/carts/mine",
            "/store/carts/c1/line-items/l1",
            "/nothing/here/at/all/today",
            "/",
        ] {
            let parts: Vec<&str> = split(path).collect();
            let indexed: Vec<usize> = r
                .candidates(&parts)
                .into_iter()
                .filter(|&i| r.routes[i].capture(&parts).is_some())
                .collect();
            assert_eq!(indexed, scan(&parts), "{path}");
        }
        assert_eq!(
            r.find("GET", "/acme/overview").unwrap().0.pattern,
            "/:tenant/overview"
        );
    }
}
