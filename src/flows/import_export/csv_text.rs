//! CSV text in and out through the `csv` crate (RFC 4180 quoting, embedded newlines and
//! quotes are the crate's, never hand-written here), with a guard against formula
//! injection that survives a round trip.
//!
//! A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
//! as a formula. Medusa's exporter strips those characters (losing data); here a text cell
//! that would start a formula is written with a leading `'` (OWASP's advice), and reading
//! takes exactly that `'` off again, so export → import gives back the same text.

use crate::error::{Error, Result};

/// Characters that make a spreadsheet read a cell as a formula.
const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `text` needs the guard: it starts a formula, or it already starts with the
/// guard's `'` in front of something that needs it (so that `'` is kept on reading).
fn needs_guard(text: &str) -> bool {
    match text.chars().next() {
        Some(c) if TRIGGERS.contains(&c) => true,
        Some('\'') => needs_guard(&text[1..]),
        _ => false,
    }
}

/// A text cell as written: `'` in front when it would start a formula.
pub fn text(value: &str) -> String {
    if needs_guard(value) {
        format!("'{value}")
    } else {
        value.to_string()
    }
}

/// A cell as read: the guard's `'` taken off again.
pub fn unguard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_guard(rest) => rest,
        _ => cell,
    }
}

/// A header and rows of cells, each row as long as the header.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// Column names.
    pub header: Vec<String>,
    /// Rows, cells already guarded with [`text`] where they are text.
    pub rows: Vec<Vec<String>>,
}

/// The table as CSV bytes (`\n` line ends, fields quoted only where needed).
///
/// # Errors
/// `unexpected_state` when a row is not as long as the header (a builder's bug).
pub fn write(table: &Table) -> Result<Vec<u8>> {
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let failed = |e: csv::Error| Error::UnexpectedState(format!("writing CSV: {e}"));
    out.write_record(&table.header).map_err(failed)?;
    for row in &table.rows {
        out.write_record(row).map_err(failed)?;
    }
    out.into_inner()
        .map_err(|e| Error::UnexpectedState(format!("writing CSV: {e}")))
}

/// A CSV file read: its header and its data rows, numbered from 1 as Medusa's importer
/// numbers them (the header is not a row).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sheet {
    /// Column names, trimmed.
    pub header: Vec<String>,
    /// `(row number, cells)`, cells unguarded; blank lines are skipped and not counted.
    pub rows: Vec<(usize, Vec<String>)>,
}

/// Reads CSV bytes (a UTF-8 byte-order mark is allowed).
///
/// # Errors
/// 400 `invalid_data` for text that is not UTF-8 CSV, a row with another number of fields
/// than the header (naming the row), or a file without a header.
pub fn read(bytes: &[u8]) -> Result<Sheet> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| Error::invalid(format!("Invalid CSV header: {e}")))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    if header.iter().all(String::is_empty) {
        return Err(Error::invalid("The CSV file has no header row"));
    }
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let row = index + 1;
        let record = record.map_err(|e| Error::invalid(format!("Row {row}: {}", reason(&e))))?;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        rows.push((row, record.iter().map(|c| unguard(c).to_string()).collect()));
    }
    Ok(Sheet { header, rows })
}

fn reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("expected {expected_len} columns as in the header, found {len}"),
        csv::ErrorKind::Utf8 { .. } => "the text is not UTF-8".to_string(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_guard_round_trips() {
        for value in [
            "=1+1", "-5 off", "'=x", "''+y", "plain", "it's", "'", "", "@a", "\tt",
        ] {
            assert_eq!(unguard(&text(value)), value, "{value:?}");
        }
        assert_eq!(text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(text("it's"), "it's");
    }

    #[test]
    fn quoting_is_the_crates() {
        let table = Table {
            header: vec!["A".into(), "B".into()],
            rows: vec![vec!["a,b".into(), "say \"hi\"\nthere".into()]],
        };
        let bytes = write(&table).unwrap();
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            "A,B\n\"a,b\",\"say \"\"hi\"\"\nthere\"\n"
        );
        let sheet = read(&bytes).unwrap();
        assert_eq!(sheet.header, table.header);
        assert_eq!(sheet.rows, vec![(1, table.rows[0].clone())]);
    }

    #[test]
    fn bad_rows_are_named() {
        let err = read(b"A,B\n1,2\n3\n").unwrap_err().to_string();
        assert!(err.starts_with("Row 2: expected 2 columns"), "{err}");
        let sheet = read(b"\xEF\xBB\xBFA\n\n1\n").unwrap();
        assert_eq!(sheet.header, vec!["A"]);
        assert_eq!(sheet.rows, vec![(1, vec!["1".to_string()])]);
    }
}
