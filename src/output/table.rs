//! The seam between finished observations and files. Every table cogov writes — the contract tables,
//! sweep results, figure data, game and validation tables — is a header and rows of [`Cell`]s handed
//! to a [`TableSink`], which decides the bytes. CSV (RFC 4180, through the `csv` crate) is the one
//! format today; a binary format plugs in as another sink, typed by [`Cell`].
//!
//! Numbers are written in Rust's shortest round-trip form (`0.1`, `1e-7`, `3`): reading a cell back
//! gives the same `f64`, identical on every machine. A non-finite number is an empty cell. Text is
//! quoted only where RFC 4180 needs it (a comma, a quote or a line break).

use std::fmt::Write as _;
use std::io::Write;

use crate::error::{Error, InputError, Result};

/// One cell of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    /// A real number; NaN and infinities are written as an empty cell.
    Num(f64),
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<f64> for Cell {
    fn from(v: f64) -> Self {
        Cell::Num(v)
    }
}

impl From<usize> for Cell {
    fn from(v: usize) -> Self {
        Cell::Int(v as i64)
    }
}

impl From<u32> for Cell {
    fn from(v: u32) -> Self {
        Cell::Int(i64::from(v))
    }
}

impl From<bool> for Cell {
    fn from(v: bool) -> Self {
        Cell::Text(v.to_string())
    }
}

impl Cell {
    /// The cell as text, in the form every format writes for it.
    pub fn write_text(&self, buf: &mut String) {
        buf.clear();
        match self {
            Cell::Text(s) => buf.push_str(s),
            Cell::Int(v) => write!(buf, "{v}").expect("writing to a String"),
            Cell::Num(v) if v.is_finite() => write!(buf, "{v}").expect("writing to a String"),
            Cell::Num(_) => {}
        }
    }
}

/// A table held in memory: what the figure computations and small reports build before writing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new<S: AsRef<str>>(columns: &[S]) -> Self {
        Table {
            columns: columns.iter().map(|c| c.as_ref().to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Append a row; it must have one cell per column.
    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len(), "a row of the table's width");
        self.rows.push(row);
    }

    /// The first number that is NaN or infinite, as (data row from 1, column, value).
    pub fn first_non_finite(&self) -> Option<(usize, &str, f64)> {
        self.rows.iter().enumerate().find_map(|(r, row)| {
            row.iter()
                .zip(&self.columns)
                .find_map(|(cell, column)| match cell {
                    Cell::Num(v) if !v.is_finite() => Some((r + 1, column.as_str(), *v)),
                    _ => None,
                })
        })
    }

    /// The table in CSV, as [`CsvSink`] writes it.
    pub fn to_csv(&self) -> String {
        let mut sink = CsvSink::new(Vec::new(), &self.columns).expect("writing to memory");
        for row in &self.rows {
            sink.row(row).expect("writing to memory");
        }
        String::from_utf8(sink.into_inner().expect("writing to memory"))
            .expect("CSV of UTF-8 cells")
    }
}

/// Where a table's rows go. A sink is made with the table's header and receives its rows in order;
/// the only failure is the writer's.
pub trait TableSink {
    fn row(&mut self, cells: &[Cell]) -> std::io::Result<()>;
}

/// The table formats cogov writes. Every table is CSV; the large ones (`timeseries`, `regions`, a
/// sweep's `results`) can be Apache Parquet instead (`--format parquet`, the `parquet` feature).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Csv,
    Parquet,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Parquet => "parquet",
        }
    }

    /// The format, or the error that this build cannot write it (bad input: the rebuild is named).
    pub fn available(self) -> Result<Format> {
        if self == Format::Parquet && !cfg!(feature = "parquet") {
            return Err(Error::Feature {
                feature: "parquet",
                what: "--format parquet",
            });
        }
        Ok(self)
    }
}

/// RFC 4180 CSV with `\n` line ends.
pub struct CsvSink<W: Write> {
    writer: csv::Writer<W>,
    buf: String,
}

impl<W: Write> CsvSink<W> {
    pub fn new<S: AsRef<str>>(inner: W, columns: &[S]) -> std::io::Result<Self> {
        let mut writer = csv::WriterBuilder::new().from_writer(inner);
        writer.write_record(columns.iter().map(|c| c.as_ref()))?;
        Ok(CsvSink {
            writer,
            buf: String::new(),
        })
    }

    /// A sink that continues a table whose header is already written.
    pub fn append(inner: W) -> Self {
        CsvSink {
            writer: csv::WriterBuilder::new().from_writer(inner),
            buf: String::new(),
        }
    }

    /// Flush and return the underlying writer.
    pub fn into_inner(self) -> std::io::Result<W> {
        self.writer.into_inner().map_err(|e| e.into_error())
    }
}

impl<W: Write> TableSink for CsvSink<W> {
    fn row(&mut self, cells: &[Cell]) -> std::io::Result<()> {
        for cell in cells {
            cell.write_text(&mut self.buf);
            self.writer.write_field(&self.buf)?;
        }
        Ok(self.writer.write_record(None::<&[u8]>)?)
    }
}

/// One data row of a table cogov wrote, read back to redraw figures or merge sweeps.
pub struct Row<'a> {
    file: &'a str,
    /// 1-based line number in the file.
    line: u64,
    record: csv::StringRecord,
}

impl Row<'_> {
    /// The error for this row, naming the file and the line.
    pub fn malformed(&self, reason: &str) -> Error {
        InputError::Data {
            file: self.file.to_string(),
            line: self.line,
            reason: reason.to_string(),
        }
        .into()
    }

    /// Field `i` as text.
    pub fn get(&self, i: usize) -> &str {
        &self.record[i]
    }

    pub fn len(&self) -> usize {
        self.record.len()
    }

    pub fn is_empty(&self) -> bool {
        self.record.is_empty()
    }

    /// Field `i` as a number.
    pub fn num(&self, i: usize) -> Result<f64> {
        self.get(i)
            .parse()
            .map_err(|_| self.malformed(&format!("`{}` is not a number", self.get(i))))
    }

    /// Field `i` as a number; an empty cell (how a non-finite value is written) is NaN.
    pub fn num_or_nan(&self, i: usize) -> Result<f64> {
        if self.get(i).is_empty() {
            Ok(f64::NAN)
        } else {
            self.num(i)
        }
    }

    /// Field `i` as a whole number ≥ 0.
    pub fn index(&self, i: usize) -> Result<usize> {
        self.get(i)
            .parse()
            .map_err(|_| self.malformed(&format!("`{}` is not a whole number", self.get(i))))
    }
}

/// A table read back: its header and data rows.
pub struct ReadTable<'a> {
    pub columns: Vec<String>,
    pub rows: Vec<Row<'a>>,
}

impl ReadTable<'_> {
    /// The position of column `name`, or an error naming the file.
    pub fn column(&self, file: &str, name: &str) -> Result<usize> {
        self.columns.iter().position(|c| c == name).ok_or_else(|| {
            InputError::Data {
                file: file.to_string(),
                line: 1,
                reason: format!("no column `{name}`"),
            }
            .into()
        })
    }
}

/// Parse CSV `text` (named `file` in errors); every row must have the header's width, and
/// `columns`, when given, is the width required.
pub fn read_csv<'a>(text: &str, file: &'a str, columns: Option<usize>) -> Result<ReadTable<'a>> {
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let located = |e: csv::Error| -> Error {
        let line = e.position().map_or(0, |p| p.line());
        InputError::Data {
            file: file.to_string(),
            line,
            reason: match e.kind() {
                csv::ErrorKind::UnequalLengths { .. } => "not the header's width".into(),
                csv::ErrorKind::Utf8 { .. } => "not UTF-8".into(),
                _ => "malformed".into(),
            },
        }
        .into()
    };
    let header: Vec<String> = reader
        .headers()
        .map_err(located)?
        .iter()
        .map(str::to_string)
        .collect();
    if let Some(n) = columns
        && header.len() != n
    {
        return Err(InputError::Data {
            file: file.to_string(),
            line: 1,
            reason: format!("{} columns, expected {n}", header.len()),
        }
        .into());
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(located)?;
        let line = record.position().map_or(0, |p| p.line());
        rows.push(Row { file, line, record });
    }
    Ok(ReadTable {
        columns: header,
        rows,
    })
}

/// The data rows of `text`, each checked to have `columns` fields.
pub fn csv_rows<'a>(text: &str, file: &'a str, columns: usize) -> Result<Vec<Row<'a>>> {
    Ok(read_csv(text, file, Some(columns))?.rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_with_commas_and_quotes_is_quoted_and_reads_back_whole() {
        let mut t = Table::new(&["key", "value"]);
        t.push(vec![
            "title".into(),
            "Wang et al. (2023), stage \"3\"".into(),
        ]);
        t.push(vec!["x".into(), Cell::Num(0.1)]);
        let csv = t.to_csv();
        assert_eq!(
            csv,
            "key,value\ntitle,\"Wang et al. (2023), stage \"\"3\"\"\"\nx,0.1\n"
        );
        let back = csv_rows(&csv, "t.csv", 2).unwrap();
        assert_eq!(back[0].get(1), "Wang et al. (2023), stage \"3\"");
        assert_eq!(back[1].num(1).unwrap(), 0.1);
    }

    #[test]
    fn numbers_round_trip_and_non_finite_values_are_empty() {
        let values = [0.1 + 0.2, 1e-300, -2.5e17, 3.0, f64::MIN_POSITIVE];
        let mut t = Table::new(&["v", "nan", "n"]);
        for v in values {
            t.push(vec![v.into(), f64::NAN.into(), 7usize.into()]);
        }
        let csv = t.to_csv();
        for (row, v) in csv_rows(&csv, "t.csv", 3).unwrap().iter().zip(values) {
            assert_eq!(row.num(0).unwrap().to_bits(), v.to_bits());
            assert_eq!(row.get(1), "");
            assert!(row.num_or_nan(1).unwrap().is_nan());
            assert_eq!(row.index(2).unwrap(), 7);
        }
    }

    /// Run both ways: `cargo test` (default features) and, in CI, `cargo test --lib
    /// --no-default-features output::table`.
    #[test]
    fn parquet_without_its_feature_is_bad_input_naming_the_rebuild() {
        let available = Format::Parquet.available();
        if cfg!(feature = "parquet") {
            assert_eq!(available.unwrap(), Format::Parquet);
        } else {
            let e = available.unwrap_err();
            assert_eq!(e.exit_code(), crate::error::EXIT_BAD_INPUT);
            let text = e.to_string();
            assert!(
                text.contains("`parquet` feature") && text.contains("cargo build --release"),
                "{text}"
            );
        }
        assert_eq!(Format::Csv.available().unwrap(), Format::Csv);
    }

    #[test]
    fn a_short_row_or_a_bad_number_names_the_file_and_line() {
        let e = csv_rows("a,b\n1,2\n3\n", "x.csv", 2).err().unwrap();
        assert_eq!(e.to_string(), "x.csv line 3: not the header's width");
        let rows = csv_rows("a,b\n1,2\n3,z\n", "x.csv", 2).unwrap();
        assert_eq!(
            rows[1].num(1).err().unwrap().to_string(),
            "x.csv line 3: `z` is not a number"
        );
        let e = csv_rows("a,b,c\n", "x.csv", 2).err().unwrap();
        assert_eq!(e.to_string(), "x.csv line 1: 3 columns, expected 2");
    }
}
