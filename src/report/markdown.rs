//! `report.md`: the same report as `report.html` in Markdown (CommonMark with GitHub pipe
//! tables), for pasting into documents. Charts are linked as `charts/<name>.png`, the PNG files
//! written next to the report.

use std::fmt::Write as _;

use super::charts::Chart;
use super::document::{Block, Document, Span, Table};
use super::results::ResultSet;

/// Renders `report.md` for a result folder and its charts. The same inputs give the same bytes.
pub fn report_md(results: &ResultSet, charts: &[Chart]) -> String {
    document_md(&Document::build(results, charts))
}

/// Renders a report document as Markdown (charts linked as PNGs).
pub(crate) fn document_md(document: &Document<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", text(&document.title, false));
    for paragraph in &document.lead {
        let _ = writeln!(out, "{}\n", paragraph_md(paragraph));
    }
    for section in &document.sections {
        let _ = writeln!(out, "## {}\n", text(section.heading, false));
        for block in &section.blocks {
            block_md(&mut out, block);
        }
    }
    // One newline at the end of the file.
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// The relative path of a chart's PNG from the report, percent-encoding anything unusual.
pub(crate) fn chart_png_path(name: &str) -> String {
    let mut path = String::from("charts/");
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            path.push(byte as char);
        } else {
            let _ = write!(path, "%{byte:02X}");
        }
    }
    path.push_str(".png");
    path
}

fn block_md(out: &mut String, block: &Block<'_>) {
    match block {
        Block::Paragraph(paragraph) => {
            let _ = writeln!(out, "{}\n", paragraph_md(paragraph));
        }
        Block::Heading(heading) => {
            let _ = writeln!(out, "### {}\n", text(heading, false));
        }
        Block::Table(table) => table_md(out, table),
        Block::Figure(number, chart) => figure_md(out, *number, chart),
        Block::Facts(facts) => {
            for (label, value) in facts {
                let _ = writeln!(out, "- **{}:** {}", text(label, false), span(value, false));
            }
            out.push('\n');
        }
        Block::Code(code) => {
            let fence = "`".repeat(longest_run(code, '`').max(2) + 1);
            let _ = writeln!(out, "{fence}sh\n{code}\n{fence}\n");
        }
    }
}

fn table_md(out: &mut String, table: &Table) {
    let bold = |cells: Vec<String>| -> Vec<String> {
        cells
            .into_iter()
            .map(|cell| {
                if cell.is_empty() {
                    cell
                } else {
                    format!("**{cell}**")
                }
            })
            .collect()
    };
    let headings: Vec<String> = table
        .columns
        .iter()
        .map(|column| text(&column.heading, false))
        .collect();
    let _ = writeln!(out, "| {} |", headings.join(" | "));
    let rules: Vec<&str> = table
        .columns
        .iter()
        .map(|column| if column.numeric { "---:" } else { "---" })
        .collect();
    let _ = writeln!(out, "| {} |", rules.join(" | "));
    let mut previous_group: Option<&str> = None;
    for row in &table.rows {
        let mut cells: Vec<String> = row.cells.iter().map(|cell| span(cell, true)).collect();
        // A grouped table names its group only where it changes.
        if table.grouped
            && let Some(first) = row.cells.first()
        {
            if previous_group == Some(first.text.as_str()) {
                cells[0].clear();
            }
            previous_group = Some(first.text.as_str());
        }
        if row.strong {
            cells = bold(cells);
        }
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    if let Some(total) = &table.total {
        let cells = bold(total.iter().map(|cell| span(cell, true)).collect());
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push('\n');
}

fn figure_md(out: &mut String, number: usize, chart: &Chart) {
    let alt = if chart.description.trim().is_empty() {
        &chart.title
    } else {
        &chart.description
    };
    let _ = writeln!(
        out,
        "![{}]({})\n",
        alt_text(alt),
        chart_png_path(&chart.name)
    );
    let _ = writeln!(
        out,
        "*Figure {number}. {}.* {}\n",
        text(chart.title.trim_end_matches('.'), false),
        text(&chart.description, false)
    );
}

/// A paragraph on a line of its own: only its start can open a block by accident.
fn paragraph_md(spans: &[Span]) -> String {
    spans
        .iter()
        .enumerate()
        .map(|(index, s)| {
            if index == 0 && !s.code {
                text(&s.text, true)
            } else {
                span(s, false)
            }
        })
        .collect()
}

fn span(span: &Span, in_table: bool) -> String {
    if span.code {
        code(&span.text, in_table)
    } else {
        text(&span.text, false)
    }
}

/// Line breaks would end a table row or a paragraph: they become spaces.
fn one_line(value: &str) -> String {
    value.split(['\n', '\r']).collect::<Vec<_>>().join(" ")
}

/// Escapes plain text so that Markdown shows it literally; at the start of a line, also what
/// would open a block (heading, list, quote, rule).
fn text(value: &str, line_start: bool) -> String {
    let value = one_line(value);
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' => {
                out.push('\\');
                out.push(c);
            }
            '&' if chars
                .peek()
                .is_some_and(|next| next.is_ascii_alphanumeric() || *next == '#') =>
            {
                out.push_str("\\&");
            }
            _ => out.push(c),
        }
    }
    if line_start {
        if out.starts_with(['#', '-', '+', '=', '~']) {
            out.insert(0, '\\');
        } else if let Some(digits) = out.find(|c: char| !c.is_ascii_digit())
            && digits > 0
            && out[digits..].starts_with(['.', ')'])
        {
            out.insert(digits, '\\');
        }
    }
    out
}

/// A code span that survives backticks in its content and `|` in table cells.
fn code(value: &str, in_table: bool) -> String {
    let value = one_line(value);
    let fence = "`".repeat(longest_run(&value, '`') + 1);
    let padding = if value.starts_with('`') || value.ends_with('`') {
        " "
    } else {
        ""
    };
    let body = if in_table {
        value.replace('|', "\\|")
    } else {
        value
    };
    format!("{fence}{padding}{body}{padding}{fence}")
}

/// Alt text of an image: only brackets and backslashes need escaping.
fn alt_text(value: &str) -> String {
    let mut out = String::new();
    for c in one_line(value).chars() {
        if matches!(c, '\\' | '[' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn longest_run(value: &str, target: char) -> usize {
    let mut longest = 0;
    let mut current = 0;
    for c in value.chars() {
        if c == target {
            current += 1;
            longest = longest.max(current);
        } else {
            current = 0;
        }
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            text("a|b *c* [d] <e>", false),
            "a\\|b \\*c\\* \\[d\\] \\<e\\>"
        );
        assert_eq!(text("# not a heading", true), "\\# not a heading");
        assert_eq!(text("2007. A year", true), "2007\\. A year");
        assert_eq!(text("0.66 s", false), "0.66 s");
        assert_eq!(
            text("Pyka & Ahrweiler; &amp;", false),
            "Pyka & Ahrweiler; \\&amp;"
        );
    }

    #[test]
    fn code_spans_survive_backticks_and_pipes() {
        assert_eq!(code("a`b", false), "``a`b``");
        assert_eq!(code("`x", false), "`` `x ``");
        assert_eq!(code("a|b", true), "`a\\|b`");
    }

    #[test]
    fn chart_paths_are_relative_and_encoded() {
        assert_eq!(chart_png_path("fan-chart"), "charts/fan-chart.png");
        assert_eq!(chart_png_path("a b(c)"), "charts/a%20b%28c%29.png");
    }
}
