//! Writing JSON straight into a buffer, for large responses (product listings): no
//! intermediate `serde_json::Value` tree, so a page costs one buffer instead of thousands of
//! small maps. Numbers are written the way JavaScript prints them (`400`, not `400.0`).

use serde::Serialize;
use serde_json::Value;
use std::fmt::Write as _;

/// An open JSON object being written.
pub struct Obj<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> Obj<'a> {
    /// Opens an object (`{`); call [`Obj::end`] to close it.
    pub fn start(out: &'a mut String) -> Obj<'a> {
        out.push('{');
        Obj { out, first: true }
    }

    /// Opens an object holding `value`'s own fields (a struct that serializes to an object),
    /// so more keys can follow. The caller must not add a key the struct already has.
    ///
    /// # Errors
    /// `value` fails to serialize.
    pub fn extend<T: Serialize>(out: &'a mut String, value: &T) -> serde_json::Result<Obj<'a>> {
        let text = serde_json::to_string(value)?;
        let fields = text
            .strip_prefix('{')
            .and_then(|t| t.strip_suffix('}'))
            .ok_or_else(|| serde::ser::Error::custom("not an object"))?;
        out.push('{');
        out.push_str(fields);
        Ok(Obj {
            out,
            first: fields.is_empty(),
        })
    }

    /// Lets `write` add whole `"key":value` pairs (comma-separated) at this point.
    pub fn with_separator(&mut self, write: impl FnOnce(&mut String)) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        write(self.out);
    }

    /// Any serializable value, written in place.
    ///
    /// # Errors
    /// `value` fails to serialize.
    pub fn serialized<T: Serialize + ?Sized>(
        &mut self,
        key: &str,
        value: &T,
    ) -> serde_json::Result<()> {
        let text = serde_json::to_string(value)?;
        self.key(key).push_str(&text);
        Ok(())
    }

    /// Writes `"key":` and returns the buffer for the value.
    pub fn key(&mut self, key: &str) -> &mut String {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        string(self.out, key);
        self.out.push(':');
        self.out
    }

    /// A string or null.
    pub fn str(&mut self, key: &str, value: Option<&str>) {
        let out = self.key(key);
        match value {
            Some(v) => string(out, v),
            None => out.push_str("null"),
        }
    }

    /// A boolean.
    pub fn bool(&mut self, key: &str, value: bool) {
        self.key(key).push_str(if value { "true" } else { "false" });
    }

    /// An integer or null.
    pub fn int(&mut self, key: &str, value: Option<i64>) {
        let out = self.key(key);
        match value {
            Some(v) => {
                let _ = write!(out, "{v}");
            }
            None => out.push_str("null"),
        }
    }

    /// A float (JavaScript style) or null.
    pub fn num(&mut self, key: &str, value: Option<f64>) {
        let out = self.key(key);
        match value {
            Some(v) => number(out, v),
            None => out.push_str("null"),
        }
    }

    /// Already-serialized JSON.
    pub fn raw(&mut self, key: &str, json: &str) {
        self.key(key).push_str(json);
    }

    /// Any JSON value (metadata) or null.
    pub fn value(&mut self, key: &str, value: Option<&Value>) {
        let out = self.key(key);
        match value {
            Some(v) => out.push_str(&v.to_string()),
            None => out.push_str("null"),
        }
    }

    /// Closes the object.
    pub fn end(self) {
        self.out.push('}');
    }
}

/// Writes `items` as a JSON array, each with `write`.
pub fn array<T>(out: &mut String, items: &[T], mut write: impl FnMut(&mut String, &T)) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write(out, item);
    }
    out.push(']');
}

/// A JSON string literal with the escapes JSON requires. Runs of plain characters are
/// copied at once; only `"`, `\\` and control characters are escaped.
pub fn string(out: &mut String, s: &str) {
    out.push('"');
    let mut plain = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[plain..i]);
        if escape.is_empty() {
            let _ = write!(out, "\\u{b:04x}");
        } else {
            out.push_str(escape);
        }
        plain = i + 1;
    }
    out.push_str(&s[plain..]);
    out.push('"');
}

/// A float as JavaScript prints it: whole values without a fraction.
pub fn number(out: &mut String, v: f64) {
    if !v.is_finite() {
        out.push_str("null");
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        let _ = write!(out, "{}", v as i64);
    } else {
        let _ = write!(out, "{v}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_valid_json() {
        let mut out = String::new();
        let mut o = Obj::start(&mut out);
        o.str("a", Some("q\"\\\n\u{1}é"));
        o.str("b", None);
        o.num("w", Some(400.0));
        o.num("x", Some(1.5));
        o.int("i", Some(-3));
        o.bool("t", true);
        o.value("m", Some(&serde_json::json!({"k": [1]})));
        o.key("arr");
        array(o.key("arr2"), &[1, 2], |out, n| {
            out.push_str(&n.to_string())
        });
        o.end();
        let out = out.replace("\"arr\":,", "");
        let parsed: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            parsed,
            serde_json::json!({"a": "q\"\\\n\u{1}é", "b": null, "w": 400, "x": 1.5, "i": -3,
                "t": true, "m": {"k": [1]}, "arr2": [1, 2]})
        );
        assert!(out.contains("\"w\":400,"));
    }
}
