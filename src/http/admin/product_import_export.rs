//! `/admin/products/export`, `/admin/products/import[s]` and their confirmations (Medusa
//! 2.21.2's product CSV routes): thin — the query or body is read here, the work is
//! `flows::import_export`'s journaled workflows. Export answers `202 {transaction_id}`
//! and posts the file's URL to the admin feed (`GET /admin/notifications`); an upload
//! answers `202 {transaction_id, summary: {toCreate, toUpdate}}` and writes nothing to the
//! catalog; a confirmation answers `202 {}` once the import is in.

use super::uploads::base_url;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::import_export::{self, exports, product_import};
use crate::http::fields::{boolean, ids, string, strings};
use crate::http::multipart::{self, MultipartError};
use crate::http::validate::{Kind, Schema};
use crate::http::{Access, Request, Response, Route};
use crate::modules::file;
use serde_json::{Value, json};

/// The routes.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            "POST",
            "/admin/products/export",
            Access::Admin,
            "Export products (the list's filters) as a CSV in Medusa's layout",
            export,
        ),
        Route::new(
            "POST",
            "/admin/products/import",
            Access::Admin,
            "Upload a product CSV (multipart/form-data, field `file`) for import",
            import,
        ),
        Route::new(
            "POST",
            "/admin/products/import/:transaction_id/confirm",
            Access::Admin,
            "Confirm a product import",
            confirm_import,
        ),
        Route::new(
            "POST",
            "/admin/products/imports",
            Access::Admin,
            "Start a product import from an uploaded file's key",
            import_by_key,
        ),
        Route::new(
            "POST",
            "/admin/products/imports/:transaction_id/confirm",
            Access::Admin,
            "Confirm a product import started from a file key",
            confirm_import_by_key,
        ),
    ]
}

/// `202` with a JSON body, as Medusa answers these routes.
pub(super) fn accepted(body: Value) -> Response {
    let mut response = Response::json(body);
    response.status = 202;
    response
}

fn export(engine: &Engine, req: &Request) -> Result<Response> {
    let q = &req.query;
    let filter = json!({
        "id": ids(q)?,
        "handle": strings(q, "handle")?,
        "status": strings(q, "status")?,
        "q": string(q, "q")?,
        "category_id": strings(q, "category_id")?,
        "collection_id": strings(q, "collection_id")?,
        "tag_id": strings(q, "tag_id")?,
        "type_id": strings(q, "type_id")?,
        "sales_channel_id": strings(q, "sales_channel_id")?,
        "is_giftcard": boolean(q, "is_giftcard")?,
    });
    let transaction = exports::start(engine, &import_export::PRODUCTS, filter, &base_url(req))?;
    Ok(accepted(json!({ "transaction_id": transaction })))
}

/// The one `file` part of a multipart body (multer's `upload.single("file")`).
fn uploaded_file(req: &Request) -> Result<multipart::FilePart> {
    let content_type = req.header("content-type").unwrap_or("");
    if !content_type
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        return Err(Error::invalid("No file was uploaded for importing"));
    }
    let boundary = multipart::boundary(content_type)
        .ok_or_else(|| Error::invalid("Malformed multipart body: no usable boundary"))?;
    let parts =
        multipart::parse(&req.body, &boundary, file::MAX_FILE_BYTES).map_err(|e| match e {
            MultipartError::FileTooLarge(name) => file::too_large(&name),
            malformed => Error::invalid(malformed.to_string()),
        })?;
    let mut parts = parts.into_iter();
    let first = parts.next();
    match (first, parts.next()) {
        (Some(part), None) if part.field == "file" => Ok(part),
        (Some(part), _) if part.field != "file" => {
            Err(Error::invalid(format!("Unexpected field: {}", part.field)))
        }
        (Some(_), Some(extra)) => Err(Error::invalid(format!("Unexpected field: {}", extra.field))),
        _ => Err(Error::invalid("No file was uploaded for importing")),
    }
}

fn import(engine: &Engine, req: &Request) -> Result<Response> {
    let part = uploaded_file(req)?;
    let text = String::from_utf8(part.content)
        .map_err(|_| Error::invalid("The uploaded file is not UTF-8 text"))?;
    let input = product_import::UploadInput {
        filename: part.filename,
        file_content: Some(text),
        file_key: None,
    };
    let (transaction, summary) = product_import::upload(engine, product_import::UPLOAD, &input)?;
    Ok(accepted(
        json!({ "transaction_id": transaction, "summary": summary }),
    ))
}

/// The body of `POST /admin/products/imports` (checked by its schema first, for Medusa's
/// wording): a file the file module already holds. The other keys are only checked.
#[derive(serde::Deserialize)]
struct UploadedFile {
    file_key: String,
    originalname: String,
}

fn import_by_key(engine: &Engine, req: &Request) -> Result<Response> {
    let schema = Schema::new()
        .required("file_key", Kind::String)
        .required("originalname", Kind::String)
        .required("extension", Kind::String)
        .required("size", Kind::Number)
        .required("mime_type", Kind::String);
    let body: UploadedFile = crate::workflow::parse_input(&req.body_with(&schema)?)?;
    let input = product_import::UploadInput {
        filename: body.originalname,
        file_content: None,
        file_key: Some(body.file_key),
    };
    let (transaction, summary) =
        product_import::upload(engine, product_import::UPLOAD_BY_KEY, &input)?;
    Ok(accepted(
        json!({ "transaction_id": transaction, "summary": summary }),
    ))
}

fn confirm_import(engine: &Engine, req: &Request) -> Result<Response> {
    product_import::confirm(engine, product_import::UPLOAD, req.param("transaction_id"))?;
    Ok(accepted(json!({})))
}

fn confirm_import_by_key(engine: &Engine, req: &Request) -> Result<Response> {
    product_import::confirm(
        engine,
        product_import::UPLOAD_BY_KEY,
        req.param("transaction_id"),
    )?;
    Ok(accepted(json!({})))
}
