//! The one error type of the engine, and its mapping to Medusa's error JSON.
//!
//! Every fallible function returns [`Result<T>`]. Each variant documents the HTTP status and
//! the Medusa `type` it becomes (reference §1.4), so the HTTP layer maps errors in exactly one
//! place ([`Error::status`], [`Error::to_json`]). SQLite errors are classified in one place too
//! ([`Error::from_sqlite`]): a unique violation is a `duplicate_error`, a foreign-key violation
//! a `not_found`, a NOT NULL violation an `invalid_data`. Anything else from the database is a
//! 500 whose body never carries SQL, file paths or other internals.

use serde_json::{Value, json};

/// Shorthand used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every way a Stockroom operation can fail, as a client should see it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// 404 `not_found`: "Product with id: X was not found".
    #[error("{0}")]
    NotFound(String),
    /// 400 `invalid_data`: validation failures and business-rule violations.
    #[error("{0}")]
    InvalidData(String),
    /// 400 `not_allowed`, with Medusa's optional `code` (e.g. `insufficient_inventory`).
    #[error("{message}")]
    NotAllowed {
        /// Human-readable reason.
        message: String,
        /// Medusa error code, when it has one.
        code: Option<&'static str>,
    },
    /// 401 with the authenticate middleware's bare body `{"message":"Unauthorized"}`.
    #[error("Unauthorized")]
    Unauthorized,
    /// 401 `unauthorized` with a message (auth routes: "Invalid email or password").
    #[error("{0}")]
    AuthFailed(String),
    /// 422 `duplicate_error`, code `invalid_request_error`.
    #[error("{0}")]
    Duplicate(String),
    /// 409 `conflict`, code `invalid_state_error`, with Medusa's fixed retry message.
    #[error("{0}")]
    Conflict(String),
    /// 422 `payment_authorization_error`.
    #[error("{0}")]
    PaymentAuthorization(String),
    /// 400 with Medusa's middleware shape `{errors: [...], message}`.
    #[error("Provided request body contains errors. Please check the data and retry the request")]
    BodyErrors(Vec<String>),
    /// 413 `invalid_data`: the body is larger than the configured limit.
    #[error("Request body is larger than the limit of {0} bytes")]
    PayloadTooLarge(usize),
    /// 415 `invalid_data`: a body that is not JSON.
    #[error("Content-Type must be application/json")]
    UnsupportedMediaType,
    /// 404 `not_found` for a path no route matches.
    #[error("Route {method} {path} was not found")]
    RouteNotFound {
        /// HTTP method as sent.
        method: String,
        /// Path without the query string.
        path: String,
    },
    /// 405 `not_allowed`: the path exists, the method does not. Carries the allowed methods.
    #[error("Method {method} is not allowed on {path}")]
    MethodNotAllowed {
        /// HTTP method as sent.
        method: String,
        /// Path without the query string.
        path: String,
        /// Methods the path accepts (for the `Allow` header).
        allowed: Vec<String>,
    },
    /// 429 `not_allowed` with a `Retry-After` of `retry_after_secs` (login throttling and a
    /// saturated password-hashing gate; Medusa has no such limit, so the type is its nearest).
    #[error("{message}")]
    TooManyRequests {
        /// "Too many login attempts, retry in N s".
        message: String,
        /// Seconds until a retry can succeed (at least 1).
        retry_after_secs: u64,
    },
    /// 500 `unexpected_state`: an invariant the engine relies on does not hold.
    #[error("{0}")]
    UnexpectedState(String),
    /// 500 `database_error`. The SQLite detail stays in logs, never in the body.
    #[error("database error: {0}")]
    Database(rusqlite::Error),
    /// 500 `unknown_error`: anything else (the detail stays in logs).
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// A `not_found` error in Medusa's usual wording: "`Kind` with id: `id` was not found".
    pub fn not_found(kind: &str, id: &str) -> Self {
        Error::NotFound(format!("{kind} with id: {id} was not found"))
    }

    /// A `not_allowed` error without a code.
    pub fn not_allowed(message: impl Into<String>) -> Self {
        Error::NotAllowed {
            message: message.into(),
            code: None,
        }
    }

    /// A `invalid_data` error.
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::InvalidData(message.into())
    }

    /// Classifies a SQLite error: constraint violations become client errors with a message
    /// built from the constraint (table and column names only, never SQL or values); every
    /// other failure is a 500 `database_error`.
    pub fn from_sqlite(err: rusqlite::Error) -> Self {
        use rusqlite::ffi::ErrorCode;
        let (code, extended) = match &err {
            rusqlite::Error::SqliteFailure(e, _) => (e.code, e.extended_code),
            rusqlite::Error::QueryReturnedNoRows => {
                return Error::NotFound("Record was not found".into());
            }
            _ => return Error::Database(err),
        };
        let detail = match &err {
            rusqlite::Error::SqliteFailure(_, Some(msg)) => msg.as_str(),
            _ => "",
        };
        match (code, extended) {
            (ErrorCode::ConstraintViolation, rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE)
            | (ErrorCode::ConstraintViolation, rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY) => {
                Error::Duplicate(duplicate_message(detail))
            }
            (ErrorCode::ConstraintViolation, rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY) => {
                Error::NotFound("A referenced record was not found".into())
            }
            (ErrorCode::ConstraintViolation, rusqlite::ffi::SQLITE_CONSTRAINT_NOTNULL) => {
                Error::InvalidData(not_null_message(detail))
            }
            (ErrorCode::ConstraintViolation, rusqlite::ffi::SQLITE_CONSTRAINT_CHECK) => {
                Error::InvalidData("A value is outside its allowed range".into())
            }
            (ErrorCode::DatabaseBusy, _) | (ErrorCode::DatabaseLocked, _) => {
                Error::Conflict("database busy".into())
            }
            _ => Error::Database(err),
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            Error::NotFound(_) | Error::RouteNotFound { .. } => 404,
            Error::InvalidData(_) | Error::NotAllowed { .. } | Error::BodyErrors(_) => 400,
            Error::Unauthorized | Error::AuthFailed(_) => 401,
            Error::MethodNotAllowed { .. } => 405,
            Error::Conflict(_) => 409,
            Error::PayloadTooLarge(_) => 413,
            Error::TooManyRequests { .. } => 429,
            Error::UnsupportedMediaType => 415,
            Error::Duplicate(_) | Error::PaymentAuthorization(_) => 422,
            Error::UnexpectedState(_) | Error::Database(_) | Error::Internal(_) => 500,
        }
    }

    /// Medusa's `type` string for this error, `None` for the bare 401 and the errors-array shape.
    pub fn medusa_type(&self) -> Option<&'static str> {
        Some(match self {
            Error::NotFound(_) | Error::RouteNotFound { .. } => "not_found",
            Error::InvalidData(_) | Error::PayloadTooLarge(_) | Error::UnsupportedMediaType => {
                "invalid_data"
            }
            Error::NotAllowed { .. }
            | Error::MethodNotAllowed { .. }
            | Error::TooManyRequests { .. } => "not_allowed",
            Error::AuthFailed(_) => "unauthorized",
            Error::Duplicate(_) => "duplicate_error",
            Error::Conflict(_) => "conflict",
            Error::PaymentAuthorization(_) => "payment_authorization_error",
            Error::UnexpectedState(_) => "unexpected_state",
            Error::Database(_) => "database_error",
            Error::Internal(_) => "unknown_error",
            Error::Unauthorized | Error::BodyErrors(_) => return None,
        })
    }

    /// The response body, exactly as Medusa's error handler shapes it. 5xx bodies carry a
    /// fixed message so no SQL, path or internal detail can leak.
    pub fn to_json(&self) -> Value {
        match self {
            Error::Unauthorized => json!({"message": "Unauthorized"}),
            Error::BodyErrors(errors) => json!({"errors": errors, "message": self.to_string()}),
            Error::Conflict(_) => json!({
                "type": "conflict",
                "code": "invalid_state_error",
                "message": "The request conflicted with another request. You may retry the request with the provided Idempotency-Key.",
            }),
            Error::Duplicate(m) => {
                json!({"type": "duplicate_error", "code": "invalid_request_error", "message": m})
            }
            Error::NotAllowed {
                message,
                code: Some(code),
            } => {
                json!({"type": "not_allowed", "code": code, "message": message})
            }
            Error::Database(_) => json!({
                "type": "database_error",
                "code": "api_error",
                "message": "An unexpected database error occurred.",
            }),
            Error::Internal(_) => json!({
                "type": "unknown_error",
                "code": "unknown_error",
                "message": "An unknown error occurred.",
            }),
            other => json!({"type": other.medusa_type(), "message": other.to_string()}),
        }
    }
}

impl Error {
    /// The error as the workflow journal stores it.
    pub fn to_stored(&self) -> Value {
        json!({"type": self.medusa_type(), "message": self.to_string(), "code": self.code()})
    }

    /// Rebuilds an error from [`Error::to_stored`], so a replayed run answers as the first did.
    pub fn from_stored(stored: &Value) -> Error {
        let message = stored["message"].as_str().unwrap_or("").to_string();
        match stored["type"].as_str().unwrap_or("") {
            "not_found" => Error::NotFound(message),
            "invalid_data" => Error::InvalidData(message),
            "not_allowed" => Error::NotAllowed {
                message,
                code: known_code(stored["code"].as_str()),
            },
            "unauthorized" => Error::AuthFailed(message),
            "duplicate_error" => Error::Duplicate(message),
            "conflict" => Error::Conflict(message),
            "payment_authorization_error" => Error::PaymentAuthorization(message),
            "unexpected_state" => Error::UnexpectedState(message),
            _ => Error::Internal(message),
        }
    }

    fn code(&self) -> Option<&'static str> {
        match self {
            Error::NotAllowed { code, .. } => *code,
            _ => None,
        }
    }
}

/// Medusa's error codes, as `'static` strings.
fn known_code(code: Option<&str>) -> Option<&'static str> {
    match code? {
        "insufficient_inventory" => Some("insufficient_inventory"),
        "cart_incompatible_state" => Some("cart_incompatible_state"),
        "unknown_modules" => Some("unknown_modules"),
        _ => None,
    }
}

impl From<rusqlite::Error> for Error {
    fn from(err: rusqlite::Error) -> Self {
        Error::from_sqlite(err)
    }
}

impl From<serde_json::Error> for Error {
    fn from(err: serde_json::Error) -> Self {
        Error::Internal(format!("json: {err}"))
    }
}

/// "UNIQUE constraint failed: product.handle" → "Product with handle already exists."
fn duplicate_message(detail: &str) -> String {
    match constraint_columns(detail) {
        Some((table, columns)) => format!("{} with {} already exists.", humanize(table), columns),
        None => "A record with these values already exists.".into(),
    }
}

/// "NOT NULL constraint failed: product.title" → "Invalid request: Field 'title' is required".
fn not_null_message(detail: &str) -> String {
    match constraint_columns(detail) {
        Some((_, column)) => format!("Invalid request: Field '{column}' is required"),
        None => "Invalid request: a required field is missing".into(),
    }
}

/// Splits SQLite's "KIND constraint failed: t.a, t.b" into ("t", "a, b").
fn constraint_columns(detail: &str) -> Option<(&str, String)> {
    let list = detail.split_once("constraint failed: ")?.1;
    let mut table = None;
    let mut columns = Vec::new();
    for item in list.split(", ") {
        let (t, c) = item.split_once('.')?;
        table.get_or_insert(t);
        columns.push(c);
    }
    Some((table?, columns.join(", ")))
}

/// "product_variant" → "Product variant".
fn humanize(table: &str) -> String {
    let text = table.replace('_', " ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    fn sqlite_error(sql: &str) -> Error {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "PRAGMA foreign_keys=ON;
             CREATE TABLE product (id TEXT PRIMARY KEY, handle TEXT UNIQUE, title TEXT NOT NULL);
             CREATE TABLE product_variant (id TEXT PRIMARY KEY, product_id TEXT REFERENCES product(id));
             INSERT INTO product VALUES ('p1', 'shirt', 'Shirt');",
        )
        .unwrap();
        Error::from(conn.execute(sql, []).unwrap_err())
    }

    #[track_caller]
    fn check(err: Error, status: u16, body: Value) {
        assert_eq!(err.status(), status, "{err:?}");
        assert_eq!(err.to_json(), body);
    }

    #[test]
    fn unique_violation_is_duplicate_422() {
        check(
            sqlite_error("INSERT INTO product VALUES ('p2', 'shirt', 'x')"),
            422,
            json!({"type":"duplicate_error","code":"invalid_request_error","message":"Product with handle already exists."}),
        );
    }

    #[test]
    fn foreign_key_violation_is_not_found() {
        check(
            sqlite_error("INSERT INTO product_variant VALUES ('v1', 'nope')"),
            404,
            json!({"type":"not_found","message":"A referenced record was not found"}),
        );
    }

    #[test]
    fn not_null_violation_is_invalid_data() {
        check(
            sqlite_error("INSERT INTO product VALUES ('p3', 'x', NULL)"),
            400,
            json!({"type":"invalid_data","message":"Invalid request: Field 'title' is required"}),
        );
    }

    #[test]
    fn other_database_errors_do_not_leak_sql() {
        let err = sqlite_error("SELECT * FROM secret_table_name");
        assert_eq!(err.status(), 500);
        let body = err.to_json().to_string();
        assert!(!body.contains("secret_table_name"), "{body}");
        assert!(body.contains("database_error"));
    }

    #[test]
    fn stored_errors_round_trip() {
        let err = Error::NotAllowed {
            message: "no stock".into(),
            code: Some("insufficient_inventory"),
        };
        let back = Error::from_stored(&err.to_stored());
        assert_eq!(
            (back.status(), back.to_json()),
            (err.status(), err.to_json())
        );
        let back = Error::from_stored(&Error::not_found("Cart", "c1").to_stored());
        assert_eq!(back.to_string(), "Cart with id: c1 was not found");
    }

    #[test]
    fn bare_unauthorized_shape() {
        check(Error::Unauthorized, 401, json!({"message":"Unauthorized"}));
    }

    #[test]
    fn not_found_wording() {
        check(
            Error::not_found("Product", "prod_1"),
            404,
            json!({"type":"not_found","message":"Product with id: prod_1 was not found"}),
        );
    }

    #[test]
    fn not_allowed_with_code() {
        let err = Error::NotAllowed {
            message: "out of stock".into(),
            code: Some("insufficient_inventory"),
        };
        check(
            err,
            400,
            json!({"type":"not_allowed","code":"insufficient_inventory","message":"out of stock"}),
        );
    }

    #[test]
    fn conflict_uses_medusa_retry_message() {
        let body = Error::Conflict("x".into()).to_json();
        assert_eq!(body["code"], "invalid_state_error");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .starts_with("The request conflicted")
        );
    }

    #[test]
    fn internal_is_opaque() {
        check(
            Error::Internal("/etc/passwd".into()),
            500,
            json!({"type":"unknown_error","code":"unknown_error","message":"An unknown error occurred."}),
        );
    }

    #[test]
    fn body_errors_shape() {
        let body = Error::BodyErrors(vec!["bad".into()]).to_json();
        assert_eq!(body["errors"], json!(["bad"]));
        assert_eq!(
            body["message"],
            "Provided request body contains errors. Please check the data and retry the request"
        );
    }
}
