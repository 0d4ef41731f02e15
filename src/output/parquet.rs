//! Apache Parquet through the writer seam, for the large tables (`timeseries`, `regions`, a sweep's
//! `results`). Rows are buffered into row groups of [`ROW_GROUP`]; each column's type is read from
//! the cells of the first group: whole numbers only → `INT64`; numbers (with the empty cells a
//! table writes for a missing value) → optional `DOUBLE`, a non-finite number null; anything else
//! → optional UTF-8 text, an empty cell null. Pages are Snappy-compressed. The file holds no time
//! stamp, so the same rows give the same bytes.

use std::io::Write;
use std::sync::Arc;

use parquet::basic::{Compression, LogicalType, Repetition, Type as Physical};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

use super::table::{Cell, TableSink};

/// Rows per row group: a group of the default `timeseries` is a few megabytes.
pub const ROW_GROUP: usize = 65_536;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Int,
    Num,
    Text,
}

fn kind_of<'a>(cells: impl Iterator<Item = &'a Cell>) -> Kind {
    let (mut ints, mut nums, mut empty, mut text) = (0, 0, 0, 0);
    for c in cells {
        match c {
            Cell::Int(_) => ints += 1,
            Cell::Num(_) => nums += 1,
            Cell::Text(s) if s.is_empty() => empty += 1,
            Cell::Text(_) => text += 1,
        }
    }
    if text > 0 || ints + nums == 0 {
        Kind::Text
    } else if nums == 0 && empty == 0 {
        Kind::Int
    } else {
        Kind::Num
    }
}

fn invalid(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string())
}

/// A table streamed into a Parquet file.
pub struct ParquetSink<W: Write + Send> {
    columns: Vec<String>,
    rows: Vec<Vec<Cell>>,
    kinds: Option<Vec<Kind>>,
    writer: Option<SerializedFileWriter<W>>,
    inner: Option<W>,
}

impl<W: Write + Send> ParquetSink<W> {
    pub fn new<S: AsRef<str>>(inner: W, columns: &[S]) -> Self {
        ParquetSink {
            columns: columns.iter().map(|c| c.as_ref().to_string()).collect(),
            rows: Vec::new(),
            kinds: None,
            writer: None,
            inner: Some(inner),
        }
    }

    fn open(&mut self) -> std::io::Result<()> {
        let kinds: Vec<Kind> = (0..self.columns.len())
            .map(|c| kind_of(self.rows.iter().map(|r| &r[c])))
            .collect();
        let fields = self
            .columns
            .iter()
            .zip(&kinds)
            .map(|(name, kind)| {
                let builder = match kind {
                    Kind::Int => Type::primitive_type_builder(name, Physical::INT64)
                        .with_repetition(Repetition::REQUIRED),
                    Kind::Num => Type::primitive_type_builder(name, Physical::DOUBLE)
                        .with_repetition(Repetition::OPTIONAL),
                    Kind::Text => Type::primitive_type_builder(name, Physical::BYTE_ARRAY)
                        .with_repetition(Repetition::OPTIONAL)
                        .with_logical_type(Some(LogicalType::String)),
                };
                builder.build().map(Arc::new).map_err(invalid)
            })
            .collect::<std::io::Result<Vec<_>>>()?;
        let schema = Type::group_type_builder("cogov")
            .with_fields(fields)
            .build()
            .map_err(invalid)?;
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(format!("cogov {}", super::BUILD.version))
            .build();
        let inner = self.inner.take().expect("opened once");
        self.writer = Some(
            SerializedFileWriter::new(inner, Arc::new(schema), Arc::new(props)).map_err(invalid)?,
        );
        self.kinds = Some(kinds);
        Ok(())
    }

    /// Write the buffered rows as one row group.
    fn flush_group(&mut self) -> std::io::Result<()> {
        if self.writer.is_none() {
            self.open()?;
        }
        if self.rows.is_empty() {
            return Ok(());
        }
        let kinds = self.kinds.as_ref().expect("opened");
        let writer = self.writer.as_mut().expect("opened");
        let mut group = writer.next_row_group().map_err(invalid)?;
        let mut text = String::new();
        for (c, kind) in kinds.iter().enumerate() {
            let mut column = group
                .next_column()
                .map_err(invalid)?
                .expect("one column writer per schema field");
            let cells = self.rows.iter().map(|r| &r[c]);
            let name = &self.columns[c];
            match kind {
                Kind::Int => {
                    let values = cells
                        .map(|cell| match cell {
                            Cell::Int(v) => Ok(*v),
                            other => Err(invalid(format!(
                                "column `{name}` holds whole numbers, not {other:?}"
                            ))),
                        })
                        .collect::<std::io::Result<Vec<i64>>>()?;
                    column
                        .typed::<Int64Type>()
                        .write_batch(&values, None, None)
                        .map_err(invalid)?;
                }
                Kind::Num => {
                    let mut values = Vec::with_capacity(self.rows.len());
                    let mut defined = Vec::with_capacity(self.rows.len());
                    for cell in cells {
                        let v = match cell {
                            Cell::Num(v) => Some(*v).filter(|v| v.is_finite()),
                            Cell::Int(i) => Some(*i as f64),
                            Cell::Text(s) if s.is_empty() => None,
                            Cell::Text(s) => {
                                return Err(invalid(format!(
                                    "column `{name}` holds numbers, not the text `{s}`"
                                )));
                            }
                        };
                        defined.push(i16::from(v.is_some()));
                        values.extend(v);
                    }
                    column
                        .typed::<DoubleType>()
                        .write_batch(&values, Some(&defined), None)
                        .map_err(invalid)?;
                }
                Kind::Text => {
                    let mut values = Vec::with_capacity(self.rows.len());
                    let mut defined = Vec::with_capacity(self.rows.len());
                    for cell in cells {
                        cell.write_text(&mut text);
                        defined.push(i16::from(!text.is_empty()));
                        if !text.is_empty() {
                            values.push(ByteArray::from(text.as_str()));
                        }
                    }
                    column
                        .typed::<ByteArrayType>()
                        .write_batch(&values, Some(&defined), None)
                        .map_err(invalid)?;
                }
            }
            column.close().map_err(invalid)?;
        }
        group.close().map_err(invalid)?;
        self.rows.clear();
        Ok(())
    }

    /// Write the last row group and the footer; returns the underlying writer.
    pub fn into_inner(mut self) -> std::io::Result<W> {
        self.flush_group()?;
        self.writer
            .take()
            .expect("opened")
            .into_inner()
            .map_err(invalid)
    }
}

impl<W: Write + Send> TableSink for ParquetSink<W> {
    fn row(&mut self, cells: &[Cell]) -> std::io::Result<()> {
        self.rows.push(cells.to_vec());
        if self.rows.len() == ROW_GROUP {
            self.flush_group()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;

    fn reader(bytes: &[u8]) -> SerializedFileReader<std::fs::File> {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(bytes).unwrap();
        SerializedFileReader::new(file).unwrap()
    }

    fn write(columns: &[&str], rows: &[Vec<Cell>]) -> Vec<u8> {
        let mut sink = ParquetSink::new(Vec::new(), columns);
        for r in rows {
            sink.row(r).unwrap();
        }
        sink.into_inner().unwrap()
    }

    #[test]
    fn cells_read_back_typed_with_missing_values_as_nulls() {
        let rows: Vec<Vec<Cell>> = (0..ROW_GROUP + 3)
            .map(|i| {
                vec![
                    Cell::from(if i % 2 == 0 { "a, \"b\"" } else { "" }),
                    Cell::from(i),
                    if i % 7 == 0 {
                        Cell::Num(f64::NAN)
                    } else {
                        Cell::Num(0.1 * i as f64)
                    },
                ]
            })
            .collect();
        let bytes = write(&["name", "i", "x"], &rows);
        let reader = reader(&bytes);
        assert_eq!(reader.metadata().num_row_groups(), 2);
        for (i, row) in reader.get_row_iter(None).unwrap().enumerate() {
            let fields: Vec<Field> = row
                .unwrap()
                .get_column_iter()
                .map(|(_, f)| f.clone())
                .collect();
            let name = if i % 2 == 0 {
                Field::Str("a, \"b\"".into())
            } else {
                Field::Null
            };
            assert_eq!(fields[0], name, "row {i}");
            assert_eq!(fields[1], Field::Long(i as i64));
            let x = if i % 7 == 0 {
                Field::Null
            } else {
                Field::Double(0.1 * i as f64)
            };
            assert_eq!(fields[2], x, "row {i}");
        }
        // The same rows, the same bytes.
        assert_eq!(write(&["name", "i", "x"], &rows), bytes);
    }

    #[test]
    fn an_empty_table_has_its_columns_and_no_rows() {
        let bytes = write(&["a", "b"], &[]);
        let reader = reader(&bytes);
        let schema = reader.metadata().file_metadata().schema_descr();
        assert_eq!(schema.num_columns(), 2);
        assert_eq!(reader.metadata().file_metadata().num_rows(), 0);
    }

    #[test]
    fn a_cell_of_another_kind_than_its_column_is_an_error_not_a_silent_cast() {
        let mut rows = vec![vec![Cell::from(1usize)]; ROW_GROUP];
        rows.push(vec![Cell::Num(0.5)]);
        let mut sink = ParquetSink::new(Vec::new(), &["n"]);
        let mut result = Ok(());
        for r in &rows {
            result = result.and_then(|_| sink.row(r));
        }
        let e = result
            .and_then(|_| sink.into_inner().map(drop))
            .unwrap_err();
        assert!(
            e.to_string().contains("column `n` holds whole numbers"),
            "{e}"
        );
    }
}
