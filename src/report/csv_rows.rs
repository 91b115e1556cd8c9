//! Reading a CSV file written by this tool one row at a time, in memory independent of its
//! length: the report stage's way to read `runs.csv` and `comparison_runs.csv`, which grow with
//! the run count.

use std::io::BufRead;

use anyhow::{Context, bail};

use super::results::{number, split};

/// Reads a CSV file written by this tool one row at a time, reusing one line buffer: memory is
/// one line, whatever the file's length.
pub struct RowReader<R> {
    reader: R,
    file: &'static str,
    line: String,
    line_number: usize,
    width: usize,
}

impl<R: BufRead> RowReader<R> {
    /// Reads the header line of `file` (named in errors) and returns the reader and the column
    /// names; an empty file has no columns.
    pub fn new(mut reader: R, file: &'static str) -> anyhow::Result<(Self, Vec<String>)> {
        let mut line = String::new();
        reader
            .read_line(&mut line)
            .with_context(|| format!("reading {file}"))?;
        let header = trim_newline(&line);
        let columns = if header.is_empty() {
            Vec::new()
        } else {
            split(header)
        };
        let reader = Self {
            reader,
            file,
            line,
            line_number: 1,
            width: columns.len(),
        };
        Ok((reader, columns))
    }

    /// Reads the next row into `cells` as text; false at the end of the file. A row with a
    /// different number of cells than the header is an error naming its line.
    pub fn next_cells(&mut self, cells: &mut Vec<String>) -> anyhow::Result<bool> {
        if !self.next_line()? {
            return Ok(false);
        }
        *cells = split(trim_newline(&self.line));
        self.check_width(cells.len())?;
        Ok(true)
    }

    /// Reads the next row into `values` as numbers (blank or non-finite cells are `None`);
    /// false at the end of the file.
    pub fn next_values(&mut self, values: &mut Vec<Option<f64>>) -> anyhow::Result<bool> {
        if !self.next_line()? {
            return Ok(false);
        }
        values.clear();
        let line = trim_newline(&self.line);
        let (file, line_number) = (self.file, self.line_number);
        if line.contains('"') {
            for cell in split(line) {
                values.push(number(&cell, file, line_number)?);
            }
        } else {
            for cell in line.split(',') {
                values.push(number(cell, file, line_number)?);
            }
        }
        self.check_width(values.len())?;
        Ok(true)
    }

    /// The line number of the row last read (the header is line 1).
    pub fn line_number(&self) -> usize {
        self.line_number
    }

    fn next_line(&mut self) -> anyhow::Result<bool> {
        self.line.clear();
        let read = self
            .reader
            .read_line(&mut self.line)
            .with_context(|| format!("reading {} line {}", self.file, self.line_number + 1))?;
        if read == 0 {
            return Ok(false);
        }
        self.line_number += 1;
        Ok(true)
    }

    fn check_width(&self, found: usize) -> anyhow::Result<()> {
        if found != self.width {
            bail!(
                "{} line {}: expected {} cells, found {found}",
                self.file,
                self.line_number,
                self.width
            );
        }
        Ok(())
    }
}

/// A line without its `\n` or `\r\n`.
fn trim_newline(line: &str) -> &str {
    let line = line.strip_suffix('\n').unwrap_or(line);
    line.strip_suffix('\r').unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_read_one_at_a_time_with_their_line_numbers() {
        let text = "run,\"a,b\",policy\r\n0,1.5,\"x,y\"\n1,,z\n";
        let (mut rows, header) = RowReader::new(text.as_bytes(), "t.csv").unwrap();
        assert_eq!(header, ["run", "a,b", "policy"]);
        let mut cells = Vec::new();
        assert!(rows.next_cells(&mut cells).unwrap());
        assert_eq!(cells, ["0", "1.5", "x,y"]);
        assert_eq!(rows.line_number(), 2);
        assert!(rows.next_cells(&mut cells).unwrap());
        assert_eq!(cells, ["1", "", "z"]);
        assert!(!rows.next_cells(&mut cells).unwrap());
        let (mut rows, _) = RowReader::new("run,a\n0,2\n1\n".as_bytes(), "t.csv").unwrap();
        let mut values = Vec::new();
        assert!(rows.next_values(&mut values).unwrap());
        assert_eq!(values, [Some(0.0), Some(2.0)]);
        let error = rows.next_values(&mut values).unwrap_err();
        assert_eq!(error.to_string(), "t.csv line 3: expected 2 cells, found 1");
    }
}
