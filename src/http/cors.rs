//! CORS with separate origin lists for `/store`, `/admin` and `/auth`, as Medusa's
//! `storeCors`, `adminCors` and `authCors`. Credentials are allowed (cookies), so the
//! allowed origin is always echoed, never `*`.

/// Allowed origins per route family. An entry `*` allows any origin.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CorsConfig {
    /// Origins allowed on `/store/*`.
    pub store: Vec<String>,
    /// Origins allowed on `/admin/*`.
    pub admin: Vec<String>,
    /// Origins allowed on `/auth/*`.
    pub auth: Vec<String>,
}

/// Splits a comma-separated origin list (`STORE_CORS=http://a,http://b`).
pub fn parse_origins(list: &str) -> Vec<String> {
    list.split(',')
        .map(|o| o.trim().trim_end_matches('/').to_string())
        .filter(|o| !o.is_empty())
        .collect()
}

const ALLOWED_METHODS: &str = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
const ALLOWED_HEADERS: &str =
    "content-type, authorization, x-publishable-api-key, idempotency-key, x-medusa-locale";

impl CorsConfig {
    /// The list governing `path`, if the path is in one of the three families.
    fn origins_for(&self, path: &str) -> Option<&[String]> {
        let family = path.trim_start_matches('/').split('/').next().unwrap_or("");
        match family {
            "store" => Some(&self.store),
            "admin" => Some(&self.admin),
            // Medusa's dashboard asks `GET /cloud/auth` on its sign-in page (whether to offer
            // Medusa Cloud's login); it is a sign-in call, so the auth list governs it.
            "auth" | "cloud" => Some(&self.auth),
            _ => None,
        }
    }

    /// The origin to echo in `Access-Control-Allow-Origin`, if `origin` may call `path`.
    pub fn allow<'a>(&self, path: &str, origin: &'a str) -> Option<&'a str> {
        let list = self.origins_for(path)?;
        let origin_trimmed = origin.trim_end_matches('/');
        list.iter()
            .any(|o| o == "*" || o == origin_trimmed)
            .then_some(origin)
    }

    /// Headers for an ordinary response to an allowed origin.
    pub fn response_headers(&self, path: &str, origin: Option<&str>) -> Vec<(String, String)> {
        let Some(origin) = origin.and_then(|o| self.allow(path, o)) else {
            return Vec::new();
        };
        vec![
            ("Access-Control-Allow-Origin".into(), origin.into()),
            ("Access-Control-Allow-Credentials".into(), "true".into()),
            ("Vary".into(), "Origin".into()),
        ]
    }

    /// Headers answering a preflight (`OPTIONS` with `Access-Control-Request-Method`).
    /// Empty when the origin is not allowed: the browser then blocks the call.
    pub fn preflight_headers(&self, path: &str, origin: Option<&str>) -> Vec<(String, String)> {
        let mut headers = self.response_headers(path, origin);
        if !headers.is_empty() {
            headers.push((
                "Access-Control-Allow-Methods".into(),
                ALLOWED_METHODS.into(),
            ));
            headers.push((
                "Access-Control-Allow-Headers".into(),
                ALLOWED_HEADERS.into(),
            ));
            headers.push(("Access-Control-Max-Age".into(), "600".into()));
        }
        headers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> CorsConfig {
        CorsConfig {
            store: parse_origins("http://localhost:8000, http://shop.test/"),
            admin: parse_origins("http://admin.test"),
            auth: parse_origins("*"),
        }
    }

    #[test]
    fn store_origin_allowed_on_store_only() {
        let c = config();
        assert_eq!(
            c.allow("/store/products", "http://localhost:8000"),
            Some("http://localhost:8000")
        );
        assert_eq!(c.allow("/admin/products", "http://localhost:8000"), None);
    }

    #[test]
    fn trailing_slash_in_list_is_ignored() {
        assert!(config().allow("/store/x", "http://shop.test").is_some());
    }

    #[test]
    fn wildcard_echoes_the_origin() {
        assert_eq!(
            config().allow("/auth/user/emailpass", "http://x"),
            Some("http://x")
        );
    }

    #[test]
    fn other_paths_get_no_cors() {
        assert!(
            config()
                .response_headers("/health", Some("http://x"))
                .is_empty()
        );
    }

    #[test]
    fn preflight_lists_methods_and_headers() {
        let headers = config().preflight_headers("/store/carts", Some("http://shop.test"));
        let names: Vec<&str> = headers.iter().map(|(k, _)| k.as_str()).collect();
        assert!(names.contains(&"Access-Control-Allow-Methods"));
        assert!(names.contains(&"Access-Control-Allow-Headers"));
    }
}
