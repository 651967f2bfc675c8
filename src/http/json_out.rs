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
            Some(v) => integer(out, v),
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
    // Most strings need no escape at all: find the first 8-byte word that might hold one and
    // copy everything before it at once (a listing page is ~140 KB, mostly strings).
    let clean = plain_prefix(s.as_bytes());
    out.push_str(&s[..clean]);
    let rest = &s[clean..];
    let mut plain = 0;
    for (i, b) in rest.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&rest[plain..i]);
        if escape.is_empty() {
            let _ = write!(out, "\\u{b:04x}");
        } else {
            out.push_str(escape);
        }
        plain = i + 1;
    }
    out.push_str(&rest[plain..]);
    out.push('"');
}

/// How many leading bytes are whole 8-byte words without `"`, `\\` or a control byte (each
/// word tested at once with the classic "has a zero byte" bit trick). The cut always falls on
/// a boundary before any byte that needs escaping, and ASCII-only tests cannot split a UTF-8
/// character's leading byte from the check (multi-byte sequences are all ≥ 0x80).
fn plain_prefix(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let mut done = 0;
    for chunk in bytes.chunks_exact(8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let v = u64::from_le_bytes(word);
        let control = v.wrapping_sub(ONES * 0x20) & !v & HIGHS;
        if control
            | has_zero(v ^ (ONES * u64::from(b'"')))
            | has_zero(v ^ (ONES * u64::from(b'\\')))
            != 0
        {
            break;
        }
        done += 8;
    }
    // A cut inside a multi-byte character would make `&s[..done]` panic: step back to a
    // character boundary (the bytes after it are rescanned one by one).
    while done > 0 && bytes.get(done).is_some_and(|b| (0x80..0xC0).contains(b)) {
        done -= 1;
    }
    done
}

/// An integer's decimal digits, without `fmt`'s machinery (listings write thousands).
pub fn integer(out: &mut String, v: i64) {
    let mut buf = [0u8; 20];
    let mut start = buf.len();
    let mut n = v.unsigned_abs();
    loop {
        start -= 1;
        buf[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        out.push('-');
    }
    if let Ok(digits) = std::str::from_utf8(&buf[start..]) {
        out.push_str(digits);
    }
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
        o.int("min", Some(i64::MIN));
        o.int("max", Some(i64::MAX));
        o.int("zero", Some(0));
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
                "t": true, "m": {"k": [1]}, "arr2": [1, 2], "min": i64::MIN, "max": i64::MAX,
                "zero": 0})
        );
        assert!(out.contains("\"w\":400,"));
    }

    #[test]
    fn strings_escape_the_same_whatever_their_alignment() {
        let samples = [
            "plain ascii text that is long enough",
            "a\"quote at 1",
            "seven7\\backslash",
            "ctrl\u{1}\u{1f} bytes and\ttabs\nnewlines",
            "ümlaut and 日本語 and emoji 🎉 across words",
            "",
            "12345678\"",
        ];
        for sample in samples {
            for pad in 0..9 {
                let text = format!("{}{sample}", "x".repeat(pad));
                let mut out = String::new();
                string(&mut out, &text);
                assert_eq!(out, serde_json::to_string(&text).unwrap(), "{text:?}");
            }
        }
    }
}
