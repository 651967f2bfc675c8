//! The UI's static assets, embedded in the binary with `include_bytes!` and served under
//! `/app/assets/<name>.<content-hash>.<ext>` with a year-long immutable cache: a new build
//! with a changed file gets a new URL, so browsers never keep a stale one.

use super::respond::{error_page, secure};
use crate::crypto::sha256_hex;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::http::{Body, Request, Response};
use std::sync::OnceLock;

/// One embedded file.
struct Asset {
    stem: &'static str,
    ext: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const CSS: Asset = Asset {
    stem: "app",
    ext: "css",
    content_type: "text/css; charset=utf-8",
    bytes: include_bytes!("assets/app.css"),
};

/// The till's stylesheet (touch-sized controls, the 80 mm receipt's print rules).
const POS_CSS: Asset = Asset {
    stem: "pos",
    ext: "css",
    content_type: "text/css; charset=utf-8",
    bytes: include_bytes!("assets/pos.css"),
};

const ALL: &[Asset] = &[CSS, POS_CSS];

impl Asset {
    /// `/app/assets/app.<first 16 hex of SHA-256>.css`
    fn path(&self) -> String {
        let hash = sha256_hex(self.bytes);
        format!("/app/assets/{}.{}.{}", self.stem, &hash[..16], self.ext)
    }
}

/// Every asset's hashed path, in the order of [`ALL`] (hashed once per process, not per
/// request).
fn paths() -> &'static [String] {
    static PATHS: OnceLock<Vec<String>> = OnceLock::new();
    PATHS.get_or_init(|| ALL.iter().map(Asset::path).collect())
}

/// The hashed path of the stylesheet (computed once).
pub fn css_path() -> &'static str {
    &paths()[0]
}

/// The hashed path of the till's stylesheet.
pub fn pos_css_path() -> &'static str {
    &paths()[1]
}

/// `GET /app/assets/:name`: the asset whose hashed name is exactly `name`, else a 404 page.
///
/// # Errors
/// None: a missing asset is a 404 page.
pub fn serve(_: &Engine, request: &Request) -> Result<Response> {
    let wanted = format!("/app/assets/{}", request.param("name"));
    let found = paths().iter().position(|p| *p == wanted);
    let Some(asset) = found.and_then(|i| ALL.get(i)) else {
        return Ok(error_page(&Error::NotFound("No such asset".into())));
    };
    let response = Response {
        status: 200,
        body: Body::Bytes {
            content_type: asset.content_type.into(),
            data: asset.bytes.to_vec(),
        },
        headers: vec![(
            "Cache-Control".into(),
            "public, max-age=31536000, immutable".into(),
        )],
    };
    Ok(secure(response))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_names_the_content_hash() {
        let path = css_path();
        assert!(path.starts_with("/app/assets/app.") && path.ends_with(".css"));
        let hash = &path["/app/assets/app.".len()..path.len() - 4];
        assert_eq!(hash, &sha256_hex(CSS.bytes)[..16]);
    }
}
