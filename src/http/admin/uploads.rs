//! `/admin/uploads` (Medusa 2.21.2 `api/admin/uploads/route.js` and `[id]/route.js`): files
//! sent as `multipart/form-data` under the field `files` go to the engine's file provider
//! and are answered as `{id, url}` — with the built-in local provider, kept in the store and
//! the url pointing at `/static/<id>-<name>` on the host the request was sent to.

use super::deleted;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::http::multipart::{self, MultipartError};
use crate::http::{Access, Request, Response, Route};
use crate::modules::file::provider::{FileCall, FileRef};
use crate::modules::file::{self, NewFile, StoredFile};
use serde_json::{Value, json};

/// The upload routes.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            "POST",
            "/admin/uploads",
            Access::Admin,
            "Upload files (multipart/form-data, field `files`)",
            upload,
        ),
        Route::new(
            "GET",
            "/admin/uploads/:id",
            Access::Admin,
            "Retrieve an uploaded file",
            retrieve,
        ),
        Route::new(
            "DELETE",
            "/admin/uploads/:id",
            Access::Admin,
            "Delete an uploaded file",
            delete,
        ),
    ]
}

/// The `{id, url}` Medusa answers for a file.
pub fn file_json(request: &Request, stored: &StoredFile) -> Value {
    json!({ "id": stored.id, "url": format!("{}/static/{}", base_url(request), stored.key()) })
}

/// `http://<host>`: the request's `Host` when it is a plain host\[:port\], else the server's
/// own address (a `Host` header is the client's to choose, so nothing else is echoed).
pub fn base_url(request: &Request) -> String {
    let plain = |h: &&str| {
        !h.is_empty()
            && h.len() <= 255
            && h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
    };
    match request.header("host").map(str::trim).filter(plain) {
        Some(host) => format!("http://{host}"),
        None => match request.local_addr {
            Some(addr) => format!("http://{addr}"),
            None => "http://localhost".to_string(),
        },
    }
}

fn upload(engine: &Engine, request: &Request) -> Result<Response> {
    let content_type = request.header("content-type").unwrap_or("");
    let is_multipart = content_type
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("multipart/form-data");
    let parts = if is_multipart {
        let boundary = multipart::boundary(content_type)
            .ok_or_else(|| Error::invalid("Malformed multipart body: no usable boundary"))?;
        multipart::parse(&request.body, &boundary, file::MAX_FILE_BYTES).map_err(|e| match e {
            MultipartError::FileTooLarge(name) => file::too_large(&name),
            malformed => Error::invalid(malformed.to_string()),
        })?
    } else {
        // Multer leaves other bodies alone, so Medusa finds no files in them.
        Vec::new()
    };
    if let Some(part) = parts.iter().find(|p| p.field != "files") {
        return Err(Error::invalid(format!("Unexpected field: {}", part.field)));
    }
    if parts.is_empty() {
        return Err(Error::invalid("No files were uploaded"));
    }
    // Hashed here, on the request's worker, not inside the write job.
    let files: Vec<NewFile> = parts
        .into_iter()
        .map(|p| NewFile::new(p.filename, p.content_type.as_deref(), p.content))
        .collect();
    let base = base_url(request);
    let stored = engine
        .providers()
        .file()
        .upload(&file_call(engine, &base), files)?;
    let files: Vec<Value> = stored.iter().map(ref_json).collect();
    Ok(Response::json(json!({ "files": files })))
}

/// The file provider's view of the engine for this request.
fn file_call<'a>(engine: &'a Engine, base_url: &'a str) -> FileCall<'a> {
    FileCall {
        store: engine.store(),
        ctx: engine.ctx(),
        base_url,
    }
}

fn ref_json(file: &FileRef) -> Value {
    json!({ "id": file.id, "url": file.url })
}

fn retrieve(engine: &Engine, request: &Request) -> Result<Response> {
    let id = request.param("id");
    let base = base_url(request);
    let found = engine
        .providers()
        .file()
        .get(&file_call(engine, &base), id)?;
    Ok(Response::json(json!({ "file": ref_json(&found) })))
}

fn delete(engine: &Engine, request: &Request) -> Result<Response> {
    let id = request.param("id");
    let base = base_url(request);
    // As Medusa's `deleteFilesWorkflow`, an unknown id is not an error.
    engine
        .providers()
        .file()
        .delete(&file_call(engine, &base), id)?;
    Ok(deleted(id, "file"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_host(host: Option<&str>) -> Request {
        Request {
            headers: host
                .map(|h| vec![("host".to_string(), h.to_string())])
                .unwrap_or_default(),
            local_addr: "127.0.0.1:9000".parse().ok(),
            ..Request::default()
        }
    }

    #[test]
    fn urls_use_a_plain_host_header_or_the_server_address() {
        assert_eq!(
            base_url(&with_host(Some("shop.example:8080"))),
            "http://shop.example:8080"
        );
        assert_eq!(
            base_url(&with_host(Some("[::1]:9000"))),
            "http://[::1]:9000"
        );
        assert_eq!(
            base_url(&with_host(Some("evil/path?x"))),
            "http://127.0.0.1:9000"
        );
        assert_eq!(base_url(&with_host(Some(""))), "http://127.0.0.1:9000");
        assert_eq!(base_url(&with_host(None)), "http://127.0.0.1:9000");
        assert_eq!(base_url(&Request::default()), "http://localhost");
    }
}
