//! `summary.xlsx`: a result folder as one Excel workbook: first "Headline" (the run table as
//! numbers) and "By cluster" (what the funding added per cluster), then the CSV tables (sheets
//! "Summary", "Comparison" for a folder written by `clustersim compare`, "Allocations" and
//! "Runs"), written
//! with `rust_xlsxwriter`. Numbers stay numbers (full precision, with a display format per
//! column or outcome), undefined values stay empty cells, headers are bold, frozen and
//! filterable.

use anyhow::Context;
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatBorder, Workbook, Worksheet,
};

use super::comparison::ComparisonSet;
use super::comparison_csv::comparison_header;
use super::results::ResultSet;
use super::runs_digest::SAMPLE_RUNS;
use crate::engine::outcomes::{HEADLINE_OUTCOMES, bound_decimals, is_count};

mod headline;
use crate::scenario::PARAMETER_TABLE;

/// How a numeric cell is displayed (the stored value is always the full `f64`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    /// Whole numbers without separators: run index, year, integer parameters.
    Plain,
    /// Counts and money: `1,234,567`.
    Grouped,
    /// Means of counts: `1,234.57`.
    GroupedDecimal,
    /// Means printed with one decimal (counts in the headline tables): `1,234.6`.
    GroupedOneDecimal,
    /// Shares, densities, probabilities, ratios: `0.123`.
    Ratio,
    /// Decimal years: `2012.75`.
    TwoDecimals,
    /// Small rates of very different sizes: Excel's `General`.
    General,
}

impl Style {
    fn number_format(self) -> &'static str {
        match self {
            Style::Plain => "0",
            Style::Grouped => "#,##0",
            Style::GroupedDecimal => "#,##0.00",
            Style::GroupedOneDecimal => "#,##0.0",
            Style::Ratio => "0.000",
            Style::TwoDecimals => "0.00",
            Style::General => "General",
        }
    }

    /// Column width that fits typical values of this style.
    fn width(self) -> f64 {
        match self {
            Style::Plain => 8.0,
            Style::Grouped | Style::GroupedDecimal | Style::GroupedOneDecimal => 15.0,
            Style::Ratio | Style::TwoDecimals | Style::General => 11.0,
        }
    }
}

/// The formats of a workbook, created once.
struct Formats {
    header: Format,
    /// Indexed by `Style as usize`.
    styles: [Format; 7],
}

impl Formats {
    fn new() -> Self {
        let style = |style: Style| match style {
            // Excel's built-in default; no custom format needed.
            Style::General => Format::new(),
            _ => Format::new().set_num_format(style.number_format()),
        };
        Self {
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xE7_E9_EE))
                .set_border_bottom(FormatBorder::Thin),
            styles: [
                style(Style::Plain),
                style(Style::Grouped),
                style(Style::GroupedDecimal),
                style(Style::GroupedOneDecimal),
                style(Style::Ratio),
                style(Style::TwoDecimals),
                style(Style::General),
            ],
        }
    }

    fn number(&self, style: Style) -> &Format {
        &self.styles[style as usize]
    }
}

/// Display style of a statistic of a `summary.csv` outcome.
fn outcome_style(outcome: &str, percentile: bool) -> Style {
    if outcome.ends_with("_ltl") {
        Style::Grouped
    } else if is_count(outcome) && outcome != "operating" {
        if percentile {
            Style::Grouped
        } else {
            Style::GroupedDecimal
        }
    } else {
        // density, networked_share, mean_degree, operating (a probability over runs),
        // added_value_per_ltl_spent.
        Style::Ratio
    }
}

/// Display style of a `runs.csv` column.
fn runs_column_style(column: &str) -> Style {
    if column == "run" {
        return Style::Plain;
    }
    if let Some(name) = column.strip_prefix("model.") {
        return match PARAMETER_TABLE.iter().find(|info| info.name == name) {
            Some(info) if info.integer => Style::Plain,
            Some(info) if info.is_money() => Style::Grouped,
            Some(info) if info.unit == "members" => Style::GroupedDecimal,
            _ => Style::General,
        };
    }
    if column.starts_with("sector.") {
        return Style::Ratio;
    }
    if column.starts_with("valley.") {
        return Style::TwoDecimals;
    }
    if HEADLINE_OUTCOMES.contains(&column) {
        return outcome_style(column, true);
    }
    Style::General
}

fn header(sheet: &mut Worksheet, formats: &Formats, columns: &[&str]) -> anyhow::Result<()> {
    for (index, name) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, index as u16, *name, &formats.header)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// Autofilter over the header and `rows` data rows.
fn finish(sheet: &mut Worksheet, rows: usize, columns: usize) -> anyhow::Result<()> {
    sheet.autofilter(0, 0, rows as u32, columns.saturating_sub(1) as u16)?;
    Ok(())
}

fn number(
    sheet: &mut Worksheet,
    row: usize,
    column: usize,
    value: Option<f64>,
    format: &Format,
) -> anyhow::Result<()> {
    if let Some(value) = value.filter(|v| v.is_finite()) {
        sheet.write_number_with_format(row as u32, column as u16, value, format)?;
    }
    Ok(())
}

/// Width of a text column: its longest value or heading, within reason.
fn text_width<'a>(heading: &str, values: impl Iterator<Item = &'a str>) -> f64 {
    let longest = values
        .map(|v| v.chars().count())
        .chain(std::iter::once(heading.chars().count()))
        .max()
        .unwrap_or(8);
    (longest.clamp(6, 48) + 2) as f64
}

fn numeric_width(heading: &str, style: Style) -> f64 {
    style.width().max(heading.chars().count() as f64 + 3.0)
}

fn summary_sheet(results: &ResultSet, formats: &Formats) -> anyhow::Result<Worksheet> {
    let mut sheet = Worksheet::new();
    sheet.set_name("Summary")?;
    let columns: Vec<&str> = super::csv::SUMMARY_HEADER.split(',').collect();
    header(&mut sheet, formats, &columns)?;
    for (index, row) in results.summary.iter().enumerate() {
        let r = index + 1;
        sheet.write_string(r as u32, 0, &row.period)?;
        sheet.write_string(r as u32, 1, &row.cluster)?;
        sheet.write_string(r as u32, 2, results.scenario.currency.name(&row.outcome))?;
        number(
            &mut sheet,
            r,
            3,
            Some(row.n as f64),
            formats.number(Style::Grouped),
        )?;
        let moments = formats.number(outcome_style(&row.outcome, false));
        let percentiles = formats.number(outcome_style(&row.outcome, true));
        for (offset, value) in [row.mean, row.standard_error, row.sd].iter().enumerate() {
            number(&mut sheet, r, 4 + offset, *value, moments)?;
        }
        for (offset, value) in row.percentiles.iter().enumerate() {
            number(&mut sheet, r, 7 + offset, *value, percentiles)?;
        }
    }
    let summary = &results.summary;
    let widths = [
        text_width(columns[0], summary.iter().map(|r| r.period.as_str())),
        text_width(columns[1], summary.iter().map(|r| r.cluster.as_str())),
        text_width(columns[2], summary.iter().map(|r| r.outcome.as_str())),
        numeric_width(columns[3], Style::Plain),
    ];
    for (index, width) in widths.iter().enumerate() {
        sheet.set_column_width(index as u16, *width)?;
    }
    for index in 4..columns.len() {
        sheet.set_column_width(index as u16, 16)?;
    }
    finish(&mut sheet, summary.len(), columns.len())?;
    Ok(sheet)
}

/// The "Comparison" sheet: `comparison.csv` as it is, one row per policy and outcome.
fn comparison_sheet(comparison: &ComparisonSet, formats: &Formats) -> anyhow::Result<Worksheet> {
    let mut sheet = Worksheet::new();
    sheet.set_name("Comparison")?;
    let header_text = comparison_header(comparison.policies.len());
    let columns: Vec<&str> = header_text.split(',').collect();
    header(&mut sheet, formats, &columns)?;
    let counts = formats.number(Style::Grouped);
    let shares = formats.number(Style::Ratio);
    for (index, row) in comparison.rows.iter().enumerate() {
        let r = index + 1;
        sheet.write_string(r as u32, 0, &row.policy)?;
        sheet.write_boolean(r as u32, 1, row.baseline)?;
        sheet.write_string(r as u32, 2, &row.outcome)?;
        sheet.write_string(
            r as u32,
            3,
            if row.lower_is_better {
                "lower"
            } else {
                "higher"
            },
        )?;
        let moments = formats.number(outcome_style(&row.outcome, false));
        let percentiles = formats.number(outcome_style(&row.outcome, true));
        number(&mut sheet, r, 4, Some(row.n as f64), counts)?;
        number(&mut sheet, r, 5, row.mean, moments)?;
        number(&mut sheet, r, 6, row.standard_error, moments)?;
        for (offset, value) in row.percentiles.iter().enumerate() {
            number(&mut sheet, r, 7 + offset, *value, percentiles)?;
        }
        number(&mut sheet, r, 12, Some(row.difference_n as f64), counts)?;
        let difference = [
            row.difference_mean,
            row.difference_standard_error,
            row.difference_ci95.0,
            row.difference_ci95.1,
        ];
        for (offset, value) in difference.iter().enumerate() {
            number(&mut sheet, r, 13 + offset, *value, moments)?;
        }
        number(&mut sheet, r, 17, Some(row.p_beats_baseline), shares)?;
        number(&mut sheet, r, 18, Some(row.p_best), shares)?;
        number(&mut sheet, r, 19, row.regret_mean, moments)?;
        number(&mut sheet, r, 20, row.regret_p95, percentiles)?;
        for (offset, share) in row.ranks.iter().enumerate() {
            number(&mut sheet, r, 21 + offset, Some(*share), shares)?;
        }
    }
    let rows = &comparison.rows;
    sheet.set_column_width(
        0,
        text_width(columns[0], rows.iter().map(|r| r.policy.as_str())),
    )?;
    sheet.set_column_width(1, numeric_width(columns[1], Style::Plain))?;
    sheet.set_column_width(
        2,
        text_width(columns[2], rows.iter().map(|r| r.outcome.as_str())),
    )?;
    sheet.set_column_width(3, numeric_width(columns[3], Style::Plain))?;
    for (index, heading) in columns.iter().enumerate().skip(4) {
        let style = if index >= 17 && index != 19 && index != 20 {
            Style::Ratio
        } else {
            Style::Grouped
        };
        sheet.set_column_width(index as u16, numeric_width(heading, style))?;
    }
    finish(&mut sheet, rows.len(), columns.len())?;
    Ok(sheet)
}

/// The "Pairwise" sheet: `comparison_pairs.csv`, each policy minus each policy per outcome.
fn pairs_sheet(comparison: &ComparisonSet, formats: &Formats) -> anyhow::Result<Worksheet> {
    let mut sheet = Worksheet::new();
    sheet.set_name("Pairwise")?;
    let columns = [
        "outcome",
        "policy",
        "versus",
        "n",
        "difference_mean",
        "difference_ci95_low",
        "difference_ci95_high",
    ];
    header(&mut sheet, formats, &columns)?;
    let counts = formats.number(Style::Grouped);
    for (index, pair) in comparison.pairs.iter().enumerate() {
        let r = index + 1;
        sheet.write_string(r as u32, 0, &pair.outcome)?;
        sheet.write_string(r as u32, 1, &pair.policy)?;
        sheet.write_string(r as u32, 2, &pair.versus)?;
        number(&mut sheet, r, 3, Some(pair.n as f64), counts)?;
        let style = formats.number(outcome_style(&pair.outcome, false));
        for (offset, value) in [pair.mean, pair.ci95.0, pair.ci95.1].iter().enumerate() {
            number(&mut sheet, r, 4 + offset, *value, style)?;
        }
    }
    let pairs = &comparison.pairs;
    sheet.set_column_width(
        0,
        text_width(columns[0], pairs.iter().map(|p| p.outcome.as_str())),
    )?;
    for column in [1, 2] {
        sheet.set_column_width(
            column,
            text_width(
                columns[column as usize],
                comparison.policies.iter().map(String::as_str),
            ),
        )?;
    }
    for (index, heading) in columns.iter().enumerate().skip(3) {
        sheet.set_column_width(index as u16, numeric_width(heading, Style::Grouped))?;
    }
    finish(&mut sheet, pairs.len(), columns.len())?;
    Ok(sheet)
}

fn allocations_sheet(results: &ResultSet, formats: &Formats) -> anyhow::Result<Worksheet> {
    let mut sheet = Worksheet::new();
    sheet.set_name("Allocations")?;
    let header_text = super::csv::allocations_header(&results.scenario.currency);
    let columns: Vec<&str> = header_text.split(',').collect();
    header(&mut sheet, formats, &columns)?;
    let money = formats.number(Style::Grouped);
    for (index, row) in results.allocations.iter().enumerate() {
        let r = index + 1;
        number(
            &mut sheet,
            r,
            0,
            Some(f64::from(row.year)),
            formats.number(Style::Plain),
        )?;
        sheet.write_string(r as u32, 1, &row.cluster)?;
        sheet.write_string(r as u32, 2, &row.instrument)?;
        sheet.write_string(r as u32, 3, &row.quantity)?;
        let values = [row.mean, row.p5, row.p50, row.p95];
        for (offset, value) in values.iter().enumerate() {
            number(&mut sheet, r, 4 + offset, *value, money)?;
            // The same conversion as allocations.csv, so the cells equal the file's values.
            if let Some(second) = &results.scenario.currency.also_in {
                number(
                    &mut sheet,
                    r,
                    8 + offset,
                    value.map(|v| second.convert(v)),
                    money,
                )?;
            }
        }
    }
    let allocations = &results.allocations;
    sheet.set_column_width(0, numeric_width(columns[0], Style::Plain))?;
    sheet.set_column_width(
        1,
        text_width(columns[1], allocations.iter().map(|r| r.cluster.as_str())),
    )?;
    sheet.set_column_width(
        2,
        text_width(
            columns[2],
            allocations.iter().map(|r| r.instrument.as_str()),
        ),
    )?;
    sheet.set_column_width(
        3,
        text_width(columns[3], allocations.iter().map(|r| r.quantity.as_str())),
    )?;
    for (index, heading) in columns.iter().enumerate().skip(4) {
        sheet.set_column_width(index as u16, numeric_width(heading, Style::Grouped))?;
    }
    finish(&mut sheet, allocations.len(), columns.len())?;
    Ok(sheet)
}

/// Rows the Runs sheet holds at most: the first [`SAMPLE_RUNS`] runs, which the report keeps
/// whole (a workbook is built in memory, about 100 bytes a cell). All runs are always in
/// `runs.csv`, and the Headline sheet says so when the sheet holds fewer.
pub const RUNS_SHEET_ROWS: usize = SAMPLE_RUNS;

/// The Runs sheet's name: `Runs`, or `Runs (first 10000)` when there are more runs than it
/// holds ([`RUNS_SHEET_ROWS`]).
pub fn runs_sheet_name(runs: usize) -> String {
    if runs > RUNS_SHEET_ROWS {
        format!("Runs (first {RUNS_SHEET_ROWS})")
    } else {
        "Runs".to_string()
    }
}

fn runs_sheet(results: &ResultSet, formats: &Formats) -> anyhow::Result<Worksheet> {
    let mut sheet = Worksheet::new();
    let runs = &results.runs.sample;
    sheet.set_name(runs_sheet_name(results.runs.count()))?;
    let columns: Vec<&str> = runs.columns.iter().map(String::as_str).collect();
    let written: Vec<String> = columns
        .iter()
        .map(|column| results.scenario.currency.name(column).into_owned())
        .collect();
    header(
        &mut sheet,
        formats,
        &written.iter().map(String::as_str).collect::<Vec<_>>(),
    )?;
    let styles: Vec<Style> = columns.iter().map(|c| runs_column_style(c)).collect();
    for (index, row) in runs.rows.iter().take(RUNS_SHEET_ROWS).enumerate() {
        for (column, value) in row.iter().enumerate() {
            let style = styles.get(column).copied().unwrap_or(Style::General);
            number(&mut sheet, index + 1, column, *value, formats.number(style))?;
        }
    }
    for (index, (heading, style)) in columns.iter().zip(&styles).enumerate() {
        sheet.set_column_width(index as u16, numeric_width(heading, *style))?;
    }
    finish(
        &mut sheet,
        runs.rows.len().min(RUNS_SHEET_ROWS),
        columns.len(),
    )?;
    Ok(sheet)
}

/// Builds `summary.xlsx` from a result folder. The workbook's creation time is the run's start
/// time from the manifest, so the same results give the same bytes.
pub fn summary_xlsx(results: &ResultSet) -> anyhow::Result<Vec<u8>> {
    let formats = Formats::new();
    let mut workbook = Workbook::new();
    let manifest = &results.manifest;
    let created = ExcelDateTime::parse_from_str(&manifest.started_utc)
        .or_else(|_| ExcelDateTime::from_ymd(2000, 1, 1))
        .context("building the workbook's creation date")?;
    let properties = DocProperties::new()
        .set_title(format!("clustersim results: {}", manifest.scenario_name))
        .set_subject("Monte Carlo summary, allocations and runs")
        .set_comment(format!(
            "{} {}; seed {}; {} runs; scenario SHA-256 {}",
            manifest.tool,
            manifest.version,
            manifest.seed,
            manifest.runs_completed,
            manifest.scenario_sha256
        ))
        .set_creation_datetime(&created);
    workbook.set_properties(&properties);
    workbook.push_worksheet(headline::headline_sheet(results, &formats).context("Headline sheet")?);
    if let Some(sheet) =
        headline::by_cluster_sheet(results, &formats).context("By cluster sheet")?
    {
        workbook.push_worksheet(sheet);
    }
    workbook.push_worksheet(summary_sheet(results, &formats).context("Summary sheet")?);
    if let Some(comparison) = &results.comparison {
        workbook
            .push_worksheet(comparison_sheet(comparison, &formats).context("Comparison sheet")?);
        if !comparison.pairs.is_empty() {
            workbook.push_worksheet(pairs_sheet(comparison, &formats).context("Pairwise sheet")?);
        }
    }
    workbook.push_worksheet(allocations_sheet(results, &formats).context("Allocations sheet")?);
    workbook.push_worksheet(runs_sheet(results, &formats).context("Runs sheet")?);
    workbook.save_to_buffer().context("assembling summary.xlsx")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn styles_follow_units() {
        assert_eq!(outcome_style("allocated_ltl", false), Style::Grouped);
        assert_eq!(outcome_style("members", false), Style::GroupedDecimal);
        assert_eq!(outcome_style("members", true), Style::Grouped);
        assert_eq!(outcome_style("density", false), Style::Ratio);
        assert_eq!(outcome_style("operating", true), Style::Ratio);
        assert_eq!(runs_column_style("run"), Style::Plain);
        assert_eq!(runs_column_style("model.founding_members"), Style::Plain);
        assert_eq!(
            runs_column_style("model.absorption_base_ltl"),
            Style::Grouped
        );
        assert_eq!(runs_column_style("model.tie_rate"), Style::General);
        assert_eq!(runs_column_style("sector.ict.potential"), Style::Ratio);
        assert_eq!(
            runs_column_style("valley.santara.opening_year"),
            Style::TwoDecimals
        );
        assert_eq!(runs_column_style("added_value_per_ltl_spent"), Style::Ratio);
        assert_eq!(runs_column_style("networked_smes"), Style::Grouped);
    }
}

#[cfg(test)]
mod row_limit_tests {
    use super::*;

    #[test]
    fn runs_beyond_the_sheet_row_limit_are_named_in_the_sheet() {
        assert_eq!(runs_sheet_name(10_000), "Runs");
        assert_eq!(runs_sheet_name(RUNS_SHEET_ROWS), "Runs");
        assert_eq!(runs_sheet_name(RUNS_SHEET_ROWS + 1), "Runs (first 10000)");
        assert!(
            runs_sheet_name(usize::MAX).chars().count() <= 31,
            "Excel sheet names ≤ 31"
        );
    }
}
