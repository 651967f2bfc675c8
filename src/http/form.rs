//! Strict `application/x-www-form-urlencoded` bodies, as HTML forms post them (the admin UI at
//! `/app`). Keys and values are decoded with the query parser's decoder (`+` is a space,
//! malformed `%` escapes and invalid UTF-8 are refused, not passed through); a body of another
//! type, more than [`MAX_FIELDS`] fields, or a field without `=` is a clear 400.

use super::Request;
use super::query::decode_component;
use crate::error::{Error, Result};

/// Most fields one form may carry (the largest UI form has a few dozen).
pub const MAX_FIELDS: usize = 200;

/// A decoded form: its fields in the order they were sent (names may repeat).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Form {
    fields: Vec<(String, String)>,
}

impl Form {
    /// Parses `body`.
    ///
    /// # Errors
    /// 400 `invalid_data` for too many fields, a field without `=`, an empty name, or a
    /// malformed escape.
    pub fn parse(body: &[u8]) -> Result<Form> {
        let text =
            std::str::from_utf8(body).map_err(|_| Error::invalid("The form is not valid UTF-8"))?;
        let mut fields = Vec::new();
        for part in text.split('&').filter(|p| !p.is_empty()) {
            if fields.len() == MAX_FIELDS {
                return Err(Error::invalid(format!(
                    "The form has more than {MAX_FIELDS} fields"
                )));
            }
            let (name, value) = part
                .split_once('=')
                .ok_or_else(|| Error::invalid("Every form field needs a name and a value"))?;
            let name = decode(name)?;
            if name.is_empty() {
                return Err(Error::invalid("A form field has an empty name"));
            }
            fields.push((name, decode(value)?));
        }
        Ok(Form { fields })
    }

    /// The form of a request, which must be declared `application/x-www-form-urlencoded`.
    ///
    /// # Errors
    /// 415 for another content type; as [`Form::parse`].
    pub fn of(request: &Request) -> Result<Form> {
        let declared = request
            .header("content-type")
            .and_then(|ct| ct.split(';').next())
            .map(|mime| mime.trim().to_ascii_lowercase());
        match declared.as_deref() {
            Some("application/x-www-form-urlencoded") => Form::parse(&request.body),
            None if request.body.is_empty() => Ok(Form::default()),
            _ => Err(Error::UnsupportedMediaType),
        }
    }

    /// A form of these `(name, value)` pairs (a multipart body's plain fields).
    pub fn from_fields(fields: Vec<(String, String)>) -> Form {
        Form { fields }
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Every `(name, value)` pair, in order.
    pub fn fields(&self) -> &[(String, String)] {
        &self.fields
    }

    /// The trimmed value of a field that must be present and not blank.
    ///
    /// # Errors
    /// 400 `invalid_data` naming the field's label.
    pub fn required(&self, name: &str, label: &str) -> Result<&str> {
        self.get(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| Error::invalid(format!("{label} is required")))
    }

    /// The trimmed value of an optional field; blank counts as absent.
    pub fn optional(&self, name: &str) -> Option<&str> {
        self.get(name).map(str::trim).filter(|v| !v.is_empty())
    }

    /// A whole number typed into a field (blank → `None`).
    ///
    /// # Errors
    /// 400 `invalid_data` naming the label when it is not an integer.
    pub fn integer(&self, name: &str, label: &str) -> Result<Option<i64>> {
        self.optional(name)
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| Error::invalid(format!("{label} must be a whole number")))
            })
            .transpose()
    }
}

fn decode(raw: &str) -> Result<String> {
    decode_component(raw).map_err(|e| {
        let detail = e.0.trim_start_matches("Invalid query string: ");
        Error::invalid(format!("Invalid form: {detail}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_fields_in_order() {
        let form = Form::parse(b"email=a%40b.c&title=Two+words&tag=x&tag=y&empty=").unwrap();
        assert_eq!(form.get("email"), Some("a@b.c"));
        assert_eq!(form.get("title"), Some("Two words"));
        assert_eq!(form.all("tag"), vec!["x", "y"]);
        assert_eq!(form.get("empty"), Some(""));
        assert_eq!(form.optional("empty"), None);
        assert_eq!(form.get("missing"), None);
    }

    #[test]
    fn refuses_malformed_bodies() {
        for bad in [&b"a=%zz"[..], b"novalue", b"=x", b"a=%ff", b"\xff=1"] {
            let err = Form::parse(bad).unwrap_err();
            assert_eq!(err.status(), 400, "{bad:?}");
        }
    }

    #[test]
    fn refuses_too_many_fields() {
        let body = vec!["a=1"; MAX_FIELDS + 1].join("&");
        assert!(Form::parse(body.as_bytes()).is_err());
        let body = vec!["a=1"; MAX_FIELDS].join("&");
        assert_eq!(
            Form::parse(body.as_bytes()).unwrap().fields().len(),
            MAX_FIELDS
        );
    }

    #[test]
    fn required_and_integer_name_the_field() {
        let form = Form::parse(b"qty=abc&name=+").unwrap();
        let err = form.integer("qty", "Quantity").unwrap_err();
        assert_eq!(err.to_string(), "Quantity must be a whole number");
        let err = form.required("name", "Name").unwrap_err();
        assert_eq!(err.to_string(), "Name is required");
        assert_eq!(form.integer("none", "None").unwrap(), None);
    }

    #[test]
    fn only_form_content_types_are_read() {
        let mut request = Request {
            body: b"a=1".to_vec(),
            headers: vec![("content-type".into(), "application/json".into())],
            ..Request::default()
        };
        assert_eq!(Form::of(&request).unwrap_err().status(), 415);
        request.headers[0].1 = "application/x-www-form-urlencoded; charset=UTF-8".into();
        assert_eq!(Form::of(&request).unwrap().get("a"), Some("1"));
    }
}
