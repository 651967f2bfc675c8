//! `POST /admin/uploads/presigned-urls` as Medusa's local file provider answers it: there is
//! no outside store to sign a URL for, so the upload URL is `/admin/uploads` itself (the
//! multipart route) and the key a fresh unique filename with the type's extension. Stricter
//! than Medusa: a declared size over the file module's limit is refused now rather than at
//! upload.

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::http::validate::{Kind, Schema, get_f64, get_str};
use crate::http::{Access, Request, Response, Route};
use crate::modules::file::MAX_FILE_BYTES;
use serde_json::json;

/// The route.
pub fn routes() -> Vec<Route> {
    vec![Route::new(
        "POST",
        "/admin/uploads/presigned-urls",
        Access::Admin,
        "Where to upload a file (the local provider: /admin/uploads)",
        presigned,
    )]
}

/// `type/subtype` (parameters dropped, lower-cased) when `text` is a MIME type.
fn mime(text: &str) -> Option<(String, String)> {
    let essence = text.split(';').next()?.trim().to_ascii_lowercase();
    let (kind, sub) = essence.split_once('/')?;
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    (token(kind) && token(sub)).then(|| (kind.to_string(), sub.to_string()))
}

fn presigned(engine: &Engine, request: &Request) -> Result<Response> {
    let schema = Schema::new()
        .required("originalname", Kind::String)
        .required("mime_type", Kind::String)
        .required("size", Kind::Number)
        .optional("access", Kind::String)
        .allow_unknown();
    let body = request.body_with(&schema)?;
    if let Some(access) = get_str(&body, "access")
        && !["public", "private"].contains(&access)
    {
        return Err(Error::invalid(format!(
            "Invalid request: Expected: 'public, private' for field 'access', but got: '{access}'"
        )));
    }
    let declared = get_str(&body, "mime_type").unwrap_or_default();
    let (kind, extension) = mime(declared)
        .ok_or_else(|| Error::invalid(format!("Invalid file type \"{declared}\"")))?;
    let size = get_f64(&body, "size").unwrap_or_default();
    if !(0.0..=MAX_FILE_BYTES as f64).contains(&size) {
        return Err(Error::invalid(format!(
            "A file of {size} bytes is over the limit of {MAX_FILE_BYTES} bytes"
        )));
    }
    let filename = format!("{}.{extension}", engine.ctx().id("upl"));
    Ok(Response::json(json!({
        "url": "/admin/uploads",
        "filename": filename,
        "mime_type": format!("{kind}/{extension}"),
        "size": body["size"],
        "extension": extension,
        "originalname": body["originalname"],
    })))
}

#[cfg(test)]
mod tests {
    use super::mime;

    #[test]
    fn mime_types_are_parsed_like_nodes_mimetype() {
        assert_eq!(
            mime("Image/PNG; charset=x"),
            Some(("image".into(), "png".into()))
        );
        assert_eq!(mime("text/csv"), Some(("text".into(), "csv".into())));
        for bad in ["png", "image/", "/png", "image/p ng", "a/b/c"] {
            assert_eq!(mime(bad), None, "{bad}");
        }
    }
}
