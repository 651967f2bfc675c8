//! HTTP: the hardened tiny_http server, the route table, and the request/response types that
//! handlers see. Only this layer knows tiny_http and the wire JSON envelopes.
//!
//! Life of a request: its connection's thread takes a place in the gate → CORS preflight or
//! `/health` answered directly → route lookup (404/405) → size and content-type checks on the
//! body → access check ([`auth`]) → the handler under `catch_unwind` → JSON response and one
//! access-log line.

pub mod admin;
pub mod auth;
pub mod auth_routes;
pub mod catalog_json;
pub mod cors;
pub mod fields;
pub mod form;
mod gate;
pub mod json_out;
pub mod middleware;
pub mod multipart;
pub mod openapi;
pub mod pos;
pub mod product_docs;
pub mod product_json;
pub mod product_parts_json;
pub mod query;
pub mod router;
pub mod routes;
pub mod server;
pub mod session;
pub mod starting;
pub mod static_files;
pub mod store;
pub mod test_control;
pub mod ui;
pub mod validate;
pub mod warm;

use crate::error::{Error, Result};
use serde_json::{Map, Value};

pub use router::{Access, Handler, Route, Router};

/// A parsed request as handlers see it: no tiny_http types, so handlers are testable without
/// sockets.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Upper-case method.
    pub method: String,
    /// Path without the query string.
    pub path: String,
    /// Path parameters captured by the route pattern.
    pub params: Vec<(String, String)>,
    /// The query string, parsed qs-style (`id[0]=a` → `{"id":["a"]}`).
    pub query: Map<String, Value>,
    /// Headers with lower-cased names.
    pub headers: Vec<(String, String)>,
    /// Raw body bytes (already bounded by the body limit).
    pub body: Vec<u8>,
    /// Who is calling, resolved by the access check.
    pub actor: auth::Actor,
    /// The peer's IP address (`None` for requests built in-process): login throttling
    /// counts failures per (identity, address).
    pub remote_addr: Option<std::net::IpAddr>,
    /// The address the server listens on (`None` in-process): absolute URLs fall back to it
    /// when a request has no usable `Host` header.
    pub local_addr: Option<std::net::SocketAddr>,
}

impl Request {
    /// A path parameter by name; empty if the route has none of that name.
    pub fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// A header by lower-case name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A query parameter that must be a single string, if present.
    pub fn query_str(&self, key: &str) -> Option<&str> {
        self.query.get(key).and_then(Value::as_str)
    }

    /// The body as JSON (an empty body is `{}`).
    ///
    /// # Errors
    /// 415 when a non-empty body is not declared `application/json`; 400 `invalid_data` when
    /// it is not valid JSON.
    pub fn json(&self) -> Result<Value> {
        if !self.body.is_empty() && !self.is_json() {
            return Err(Error::UnsupportedMediaType);
        }
        validate::parse_json_body(&self.body).map_err(|e| Error::InvalidData(e.to_string()))
    }

    /// The body as JSON, checked strictly against `schema` (unknown keys rejected with
    /// Medusa's messages).
    ///
    /// # Errors
    /// As [`Request::json`], and 400 `invalid_data` when the body does not fit the schema.
    pub fn body_with(&self, schema: &validate::Schema) -> Result<Value> {
        let body = self.json()?;
        schema
            .check(&body)
            .map_err(|e| Error::InvalidData(e.to_string()))?;
        Ok(body)
    }

    /// The body parsed as `T` (a serde struct; `#[serde(deny_unknown_fields)]` makes a
    /// misspelled key an error too).
    ///
    /// # Errors
    /// As [`Request::json`], and 400 `invalid_data` naming the field that does not fit
    /// ("Invalid request: Field 'amount' is required").
    pub fn body_as<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        crate::workflow::parse_input(&self.json()?)
    }

    fn is_json(&self) -> bool {
        self.header("content-type").is_some_and(|ct| {
            let mime = ct
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            mime == "application/json" || mime.ends_with("+json")
        })
    }
}

/// What a handler answers. The server adds CORS and content headers.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// Body.
    pub body: Body,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
}

/// A response body.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// Serialized as `application/json`.
    Json(Value),
    /// Sent as `text/plain`.
    Text(String),
    /// Already-serialized JSON, sent as `application/json` (large listings are written
    /// straight into a buffer).
    RawJson(String),
    /// Already-serialized JSON shared with a memo (a store listing page kept between writes):
    /// sent without copying.
    SharedJson(std::sync::Arc<str>),
    /// Bytes sent as they are with their own `Content-Type` (stored files).
    Bytes {
        /// The `Content-Type` header.
        content_type: String,
        /// The bytes.
        data: Vec<u8>,
    },
    /// No body.
    Empty,
}

/// `{key: value}` without copying `value`.
pub fn envelope(key: &str, value: Value) -> Value {
    let mut map = serde_json::Map::new();
    map.insert(key.to_string(), value);
    Value::Object(map)
}

impl Response {
    /// 200 with a JSON body.
    pub fn json(value: Value) -> Self {
        Response {
            status: 200,
            body: Body::Json(value),
            headers: Vec::new(),
        }
    }

    /// 200 with `{key: value}`: the document moves into its envelope. (`json!({key: value})`
    /// would deep-copy it through `to_value`, which cost ~9% of a checkout's instructions.)
    pub fn envelope(key: &str, value: Value) -> Self {
        Response::json(envelope(key, value))
    }

    /// 200 with `{key: <json>}` where `json` is already-serialized JSON text.
    pub fn raw_envelope(key: &str, json: &str) -> Self {
        let mut out = String::with_capacity(json.len() + key.len() + 8);
        let mut o = json_out::Obj::start(&mut out);
        o.raw(key, json);
        o.end();
        Response::raw_json(out)
    }

    /// A status with no body.
    pub fn empty(status: u16) -> Self {
        Response {
            status,
            body: Body::Empty,
            headers: Vec::new(),
        }
    }

    /// 200 with an already-serialized JSON body.
    pub fn raw_json(json: String) -> Self {
        Response {
            status: 200,
            body: Body::RawJson(json),
            headers: Vec::new(),
        }
    }

    /// 200 with already-serialized JSON that a memo keeps too.
    pub fn shared_json(json: std::sync::Arc<str>) -> Self {
        Response {
            status: 200,
            body: Body::SharedJson(json),
            headers: Vec::new(),
        }
    }

    /// 200 with a plain-text body.
    pub fn text(text: impl Into<String>) -> Self {
        Response {
            status: 200,
            body: Body::Text(text.into()),
            headers: Vec::new(),
        }
    }

    /// Changes the status.
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// The error's status and Medusa body (405 carries `Allow`, 429 `Retry-After`).
    pub fn from_error(err: &Error) -> Self {
        let response = Response::json(err.to_json()).with_status(err.status());
        match err {
            Error::MethodNotAllowed { allowed, .. } => {
                response.with_header("Allow", allowed.join(", "))
            }
            Error::TooManyRequests {
                retry_after_secs, ..
            } => response.with_header("Retry-After", retry_after_secs.to_string()),
            _ => response,
        }
    }
}

/// One page of an iterator: skips `offset` items and takes at most `limit` (the in-memory
/// lists — reference data, a document's parts — that have no query to page in SQL).
pub trait Paged: Iterator + Sized {
    /// The items of the page at `offset` of size `limit`.
    fn page(self, offset: u64, limit: u64) -> std::iter::Take<std::iter::Skip<Self>> {
        self.skip(usize::try_from(offset).unwrap_or(usize::MAX))
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
    }
}

impl<I: Iterator> Paged for I {}

/// Builds a list envelope: `{ <key>: [...], count, offset, limit }`.
pub fn list_envelope(key: &str, items: Vec<Value>, count: u64, offset: u64, limit: u64) -> Value {
    let mut map = Map::new();
    map.insert(key.to_string(), Value::Array(items));
    map.insert("count".into(), count.into());
    map.insert("offset".into(), offset.into());
    map.insert("limit".into(), limit.into());
    Value::Object(map)
}
