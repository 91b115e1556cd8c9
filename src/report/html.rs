//! `report.html`: the report as one self-contained HTML5 file that can be mailed, archived or
//! printed. Charts are inline SVG, styles sit in a `<style>` element, and nothing refers to
//! anything outside the file (no links to style sheets, scripts, fonts or images), so the page
//! looks the same offline and makes no network request.

use std::fmt::Write as _;

use super::charts::Chart;
use super::document::{Block, Column, Document, Span, Table};
use super::results::ResultSet;

/// Renders `report.html` for a result folder and its charts. The same inputs give the same
/// bytes.
pub fn report_html(results: &ResultSet, charts: &[Chart]) -> String {
    document_html(&Document::build(results, charts), charts)
}

/// Renders a report document as HTML (charts inline).
pub(crate) fn document_html(document: &Document<'_>, charts: &[Chart]) -> String {
    let mut out = String::with_capacity(
        64 * 1024 + charts.iter().map(|chart| chart.svg.len()).sum::<usize>(),
    );
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str(
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"clustersim\">\n",
    );
    let _ = writeln!(out, "<title>{}</title>", escape_html(&document.title));
    out.push_str("<style>\n");
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n<header>\n");
    let _ = writeln!(out, "<h1>{}</h1>", escape_html(&document.title));
    for paragraph in &document.lead {
        let _ = writeln!(out, "<p class=\"lead\">{}</p>", spans(paragraph));
    }
    out.push_str("<nav aria-label=\"Contents\"><ol>\n");
    for section in &document.sections {
        let _ = writeln!(
            out,
            "<li><a href=\"#{}\">{}</a></li>",
            section.id,
            escape_html(section.heading)
        );
    }
    out.push_str("</ol></nav>\n</header>\n<main>\n");
    for section in &document.sections {
        let _ = writeln!(
            out,
            "<section id=\"{}\">\n<h2>{}</h2>",
            section.id,
            escape_html(section.heading)
        );
        for block in &section.blocks {
            block_html(&mut out, block);
        }
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn spans(spans: &[Span]) -> String {
    spans.iter().map(span).collect()
}

fn span(span: &Span) -> String {
    if span.code {
        format!("<code>{}</code>", escape_html(&span.text))
    } else {
        escape_html(&span.text)
    }
}

fn block_html(out: &mut String, block: &Block<'_>) {
    match block {
        Block::Paragraph(paragraph) => {
            let _ = writeln!(out, "<p>{}</p>", spans(paragraph));
        }
        Block::Heading(heading) => {
            let _ = writeln!(out, "<h3>{}</h3>", escape_html(heading));
        }
        Block::Table(table) => table_html(out, table),
        Block::Figure(number, chart) => figure_html(out, *number, chart),
        Block::Facts(facts) => {
            out.push_str("<dl class=\"facts\">\n");
            for (label, value) in facts {
                let _ = writeln!(
                    out,
                    "<dt>{}</dt><dd>{}</dd>",
                    escape_html(label),
                    span(value)
                );
            }
            out.push_str("</dl>\n");
        }
        Block::Code(code) => {
            let _ = writeln!(out, "<pre><code>{}</code></pre>", escape_html(code));
        }
    }
}

fn table_html(out: &mut String, table: &Table) {
    // A grouped table shows its first column as a heading row per group instead.
    let skip = usize::from(table.grouped);
    let columns = &table.columns[skip..];
    let class = |column: &Column| match (column.numeric, column.nowrap) {
        (true, _) => " class=\"number\"",
        (false, true) => " class=\"nowrap\"",
        (false, false) => "",
    };
    let cells = |out: &mut String, row: &[Span]| {
        for (cell, column) in row.iter().skip(skip).zip(columns) {
            let _ = write!(out, "<td{}>{}</td>", class(column), span(cell));
        }
    };
    out.push_str("<div class=\"table\">\n<table>\n<thead>\n<tr>");
    for column in columns {
        let _ = write!(
            out,
            "<th scope=\"col\"{}>{}</th>",
            class(column),
            escape_html(&column.heading)
        );
    }
    out.push_str("</tr>\n</thead>\n");
    let mut group: Option<&str> = None;
    for (index, row) in table.rows.iter().enumerate() {
        let key = row.cells.first().map_or("", |cell| cell.text.as_str());
        if index == 0 || (table.grouped && group != Some(key)) {
            if index > 0 {
                out.push_str("</tbody>\n");
            }
            out.push_str("<tbody>\n");
            if table.grouped {
                let _ = writeln!(
                    out,
                    "<tr class=\"group\"><th colspan=\"{}\" scope=\"rowgroup\">{}</th></tr>",
                    columns.len(),
                    escape_html(key)
                );
            }
            group = Some(key);
        }
        out.push_str(if row.strong {
            "<tr class=\"subtotal\">"
        } else {
            "<tr>"
        });
        cells(out, &row.cells);
        out.push_str("</tr>\n");
    }
    if !table.rows.is_empty() {
        out.push_str("</tbody>\n");
    }
    if let Some(total) = &table.total {
        out.push_str("<tfoot>\n<tr>");
        cells(out, total);
        out.push_str("</tr>\n</tfoot>\n");
    }
    out.push_str("</table>\n</div>\n");
}

fn figure_html(out: &mut String, number: usize, chart: &Chart) {
    let _ = writeln!(
        out,
        "<figure id=\"chart-{}\">",
        escape_html(&anchor(&chart.name))
    );
    match inline_svg(&chart.svg, &chart.title) {
        Some(svg) => {
            out.push_str(&svg);
            out.push('\n');
        }
        None => {
            let _ = writeln!(
                out,
                "<p class=\"missing\">The chart “{}” could not be embedded (its SVG has no \
                 &lt;svg&gt; element).</p>",
                escape_html(&chart.name)
            );
        }
    }
    let _ = writeln!(
        out,
        "<figcaption><strong>Figure {number}. {}.</strong> {}</figcaption>\n</figure>",
        escape_html(chart.title.trim_end_matches('.')),
        escape_html(&chart.description)
    );
}

/// An anchor id made of letters, digits and `-` from a chart name.
fn anchor(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// Prepares a standalone SVG document for inline use in HTML: drops everything before the root
/// `<svg` (XML declaration, doctype, comments) and after its end, drops the namespace
/// declarations (the HTML parser puts `<svg>` in the SVG namespace by itself, and they are the
/// only URLs in plotters' output), adds a `viewBox` from `width`/`height` if there is none so
/// that CSS can scale the chart, and labels it for screen readers. None if there is no `<svg`.
pub(crate) fn inline_svg(svg: &str, title: &str) -> Option<String> {
    let start = find_tag(svg, "svg")?;
    let rest = &svg[start..];
    let tag_end = start_tag_end(rest)?;
    let tag = &rest[..tag_end];
    let self_closing = tag.ends_with("/>");
    let attributes_text = tag["<svg".len()..tag.len() - if self_closing { 2 } else { 1 }].trim();
    let attributes = parse_attributes(attributes_text);

    let find = |name: &str| {
        attributes
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    };
    let mut kept: Vec<(String, String)> = attributes
        .iter()
        .filter(|(key, _)| key != "xmlns" && !key.starts_with("xmlns:"))
        .filter(|(key, _)| key != "role" && key != "aria-label")
        .cloned()
        .collect();
    if find("viewBox").is_none() {
        let number = |value: Option<&str>| {
            value
                .map(|v| v.trim().trim_end_matches("px"))
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|v| v.is_finite() && *v > 0.0)
        };
        if let (Some(width), Some(height)) = (number(find("width")), number(find("height"))) {
            kept.push(("viewBox".into(), format!("0 0 {width} {height}")));
        }
    }
    kept.push(("role".into(), "img".into()));
    // Values are kept as raw attribute text, so the title goes in escaped.
    kept.push(("aria-label".into(), escape_html(title)));

    let mut out = String::from("<svg");
    for (key, value) in &kept {
        let _ = write!(out, " {key}=\"{}\"", escape_attribute_value(value));
    }
    if self_closing {
        out.push_str("/>");
        return Some(out);
    }
    out.push('>');
    let body = &rest[tag_end..];
    let body = match body.rfind("</svg>") {
        Some(end) => &body[..end + "</svg>".len()],
        None => body,
    };
    out.push_str(body.trim_end());
    Some(out)
}

/// Escapes a raw attribute value for a double-quoted attribute, leaving existing entities alone.
fn escape_attribute_value(value: &str) -> String {
    value.replace('"', "&quot;").replace('<', "&lt;")
}

/// Byte offset of the first `<name` start tag (followed by whitespace, `>` or `/`) outside
/// comments, processing instructions and declarations.
fn find_tag(text: &str, name: &str) -> Option<usize> {
    let mut position = 0;
    while let Some(offset) = text[position..].find('<') {
        let at = position + offset;
        let rest = &text[at..];
        if let Some(comment) = rest.strip_prefix("<!--") {
            position = at + 4 + comment.find("-->")? + 3;
            continue;
        }
        if rest.starts_with("<?") || rest.starts_with("<!") {
            position = at + start_tag_end(rest)?;
            continue;
        }
        let after = &rest[1..];
        if after.len() > name.len()
            && after[..name.len()].eq_ignore_ascii_case(name)
            && after[name.len()..].starts_with(|c: char| c.is_whitespace() || c == '>' || c == '/')
        {
            return Some(at);
        }
        position = at + 1;
    }
    None
}

/// Length of the tag at the start of `text` up to and including its closing `>`, skipping `>`
/// inside quoted attribute values.
fn start_tag_end(text: &str) -> Option<usize> {
    let mut quote = None;
    for (index, c) in text.char_indices() {
        match (c, quote) {
            ('"' | '\'', None) => quote = Some(c),
            (c, Some(q)) if c == q => quote = None,
            ('>', None) => return Some(index + 1),
            _ => {}
        }
    }
    None
}

/// `name="value"` pairs of a start tag, values kept raw (entities untouched).
fn parse_attributes(text: &str) -> Vec<(String, String)> {
    let mut attributes = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let name_end = rest
            .find(|c: char| c.is_whitespace() || c == '=')
            .unwrap_or(rest.len());
        let name = rest[..name_end].to_string();
        rest = rest[name_end..].trim_start();
        let mut value = String::new();
        if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            match after.chars().next() {
                Some(quote @ ('"' | '\'')) => {
                    let inner = &after[1..];
                    let end = inner.find(quote).unwrap_or(inner.len());
                    value = inner[..end].to_string();
                    rest = inner.get(end + 1..).unwrap_or("");
                }
                _ => {
                    let end = after.find(char::is_whitespace).unwrap_or(after.len());
                    value = after[..end].to_string();
                    rest = &after[end..];
                }
            }
        }
        if !name.is_empty() {
            attributes.push((name, value));
        }
        rest = rest.trim_start();
    }
    attributes
}

/// Inline styles: system fonts only (no web fonts), readable tables, figures that scale with
/// the page and are not split across printed pages.
const STYLE: &str = r#":root { color-scheme: light; --ink: #1a1a1a; --muted: #555; --rule: #c8c8c8; --band: #f3f4f6; --accent: #0072b2; }
* { box-sizing: border-box; }
html { font-size: 16px; }
body { margin: 0; color: var(--ink); background: #fff; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", Arial, sans-serif; line-height: 1.5; }
header, main { max-width: 72rem; margin: 0 auto; padding: 0 1.5rem; }
header { padding-top: 2rem; border-bottom: 1px solid var(--rule); padding-bottom: 1rem; }
h1 { font-size: 1.8rem; line-height: 1.25; margin: 0 0 0.75rem; }
h2 { font-size: 1.35rem; margin: 2.5rem 0 0.75rem; padding-bottom: 0.25rem; border-bottom: 2px solid var(--accent); break-after: avoid; page-break-after: avoid; }
h3 { font-size: 1.1rem; margin: 1.75rem 0 0.5rem; break-after: avoid; page-break-after: avoid; }
p { margin: 0.5rem 0 1rem; max-width: 60rem; }
p.lead { font-size: 1.05rem; }
nav ol { display: flex; flex-wrap: wrap; gap: 0.25rem 1.5rem; margin: 0.5rem 0 0; padding: 0; list-style: none; counter-reset: section; }
nav li { counter-increment: section; }
nav li::before { content: counter(section) ". "; color: var(--muted); }
a { color: var(--accent); }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 0.9em; overflow-wrap: anywhere; }
pre { background: var(--band); border: 1px solid var(--rule); padding: 0.75rem 1rem; white-space: pre-wrap; overflow-wrap: anywhere; }
div.table { overflow-x: auto; margin: 0.5rem 0 1.5rem; }
table { width: 100%; border-collapse: collapse; font-size: 0.9rem; font-variant-numeric: tabular-nums; }
th, td { padding: 0.3rem 0.6rem; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); background: #fff; }
tbody tr:nth-child(even) { background: var(--band); }
tbody tr.group th { padding-top: 1rem; background: #fff; border-bottom: 1px solid var(--ink); text-align: left; font-weight: 600; }
tbody tr.subtotal td { font-weight: 600; background: #fff; border-top: 1px solid var(--ink); }
tfoot td { font-weight: 600; border-top: 2px solid var(--ink); border-bottom: none; }
td code { white-space: nowrap; overflow-wrap: normal; }
th.number, td.number { text-align: right; width: 1%; }
td.number { white-space: nowrap; }
th.nowrap, td.nowrap { white-space: nowrap; }
figure { margin: 1.5rem 0 2rem; break-inside: avoid; page-break-inside: avoid; }
figure svg { display: block; width: 100%; height: auto; border: 1px solid var(--rule); }
figcaption { margin-top: 0.5rem; font-size: 0.9rem; color: var(--muted); max-width: 60rem; }
figcaption strong { color: var(--ink); }
p.missing { color: #b00; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1.25rem; margin: 0.5rem 0 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
@media print {
  @page { margin: 15mm; }
  html { font-size: 10pt; }
  table { font-size: 8.5pt; }
  header, main { max-width: none; padding: 0; }
  nav { display: none; }
  a { color: inherit; text-decoration: none; }
  div.table { overflow: visible; }
  thead { display: table-header-group; }
  tfoot { display: table-row-group; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  tr.group { break-after: avoid; page-break-after: avoid; }
  tbody tr:nth-child(even) { background: none; }
  figure svg { border: none; }
  h2 { border-bottom-color: var(--ink); }
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape_html(r#"<a href="x">&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn inline_svg_drops_prolog_and_namespace_and_keeps_view_box() {
        let svg = "<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n<!-- <svg> in a comment -->\n\
                   <svg width=\"1600\" height=\"1000\" viewBox=\"0 0 1600 1000\" \
                   xmlns=\"http://www.w3.org/2000/svg\">\n<rect x=\"0\"/>\n</svg>\n";
        let inline = inline_svg(svg, "A \"title\"").unwrap();
        assert_eq!(
            inline,
            "<svg width=\"1600\" height=\"1000\" viewBox=\"0 0 1600 1000\" role=\"img\" \
             aria-label=\"A &quot;title&quot;\">\n<rect x=\"0\"/>\n</svg>"
        );
    }

    #[test]
    fn inline_svg_adds_a_view_box_from_the_size() {
        let inline = inline_svg("<svg width='800px' height='500'><g/></svg>", "t").unwrap();
        assert!(inline.starts_with("<svg width=\"800px\" height=\"500\" viewBox=\"0 0 800 500\""));
        assert!(inline.ends_with("<g/></svg>"));
    }

    #[test]
    fn inline_svg_needs_an_svg_element() {
        assert_eq!(inline_svg("<?xml version=\"1.0\"?><svgx/>", "t"), None);
    }
}
