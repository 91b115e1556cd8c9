//! The workbook's first sheets: "Headline" (the table `clustersim run` prints, as numbers) and
//! "By cluster" (what the funding added per cluster, as in the report).

use rust_xlsxwriter::{Format, Worksheet};

use super::{Formats, Style, header, number, numeric_width, text_width};
use crate::engine::outcomes::{HEADLINE_OUTCOMES, headline_label, mean_decimals};
use crate::report::additions::by_cluster;
use crate::report::results::ResultSet;
use crate::report::table::{few_runs_warning, interval_from_range, interval_heading};

/// The display format of a statistic printed with `decimals` decimals (as in the run table).
fn decimals_format(formats: &Formats, decimals: usize) -> &Format {
    match decimals {
        0 => formats.number(Style::Grouped),
        1 => formats.number(Style::GroupedOneDecimal),
        _ => formats.number(Style::GroupedDecimal),
    }
}

/// "Headline": one row per headline outcome with its mean, the interval the run table prints
/// (its bounds as numbers), the mean in the second currency for money (if the scenario shows
/// one) and the runs where it is defined; notes
/// under the table say which interval it is and warn about few runs.
pub(super) fn headline_sheet(results: &ResultSet, formats: &Formats) -> anyhow::Result<Worksheet> {
    let mut sheet = Worksheet::new();
    sheet.set_name("Headline")?;
    let runs = results.runs.count() as u64;
    let interval = interval_heading(runs);
    let (low_heading, high_heading) = if interval.starts_with("Range") {
        ("Smallest run", "Largest run")
    } else {
        ("5th percentile", "95th percentile")
    };
    let currency = &results.scenario.currency;
    let second_heading = currency
        .also_in
        .as_ref()
        .map(|second| format!("Mean in {}", second.code));
    let mut columns = vec!["Outcome at the horizon", "Mean", low_heading, high_heading];
    columns.extend(second_heading.as_deref());
    columns.push("Runs where defined");
    let runs_column = columns.len() as u16 - 1;
    header(&mut sheet, formats, &columns)?;
    for (index, name) in HEADLINE_OUTCOMES.iter().enumerate() {
        let row = index + 1;
        sheet.write_string(row as u32, 0, currency.label(headline_label(name)))?;
        let digest = results.runs.headline(name);
        let summary = results.runs.headline_summary(name);
        if let Some(range) = digest.and_then(|digest| digest.range()) {
            let (low, high) = interval_from_range(range, &summary, runs);
            let mean_format = decimals_format(formats, mean_decimals(name));
            let bound_format = decimals_format(formats, super::bound_decimals(name));
            number(&mut sheet, row, 1, Some(summary.mean), mean_format)?;
            number(&mut sheet, row, 2, Some(low), bound_format)?;
            number(&mut sheet, row, 3, Some(high), bound_format)?;
            if let Some(second) = currency.second(summary.mean)
                && name.ends_with("_ltl")
            {
                number(
                    &mut sheet,
                    row,
                    4,
                    Some(second),
                    formats.number(Style::Grouped),
                )?;
            }
        }
        number(
            &mut sheet,
            row,
            runs_column.into(),
            Some(summary.n as f64),
            formats.number(Style::Grouped),
        )?;
    }
    let budget = &results.scenario.budget;
    let mut note_row = HEADLINE_OUTCOMES.len() as u32 + 2;
    sheet.write_string(
        note_row,
        0,
        format!(
            "At the horizon ({}), over {runs} runs; interval: {}. “Additional” means the \
             difference from the same run without funding.",
            budget.period_label(budget.quarters().saturating_sub(1)),
            interval.to_lowercase()
        ),
    )?;
    if let Some(warning) = few_runs_warning(runs) {
        note_row += 1;
        sheet.write_string(note_row, 0, warning)?;
    }
    if results.runs.sampled() {
        note_row += 1;
        sheet.write_string(
            note_row,
            0,
            format!(
                "The Runs sheet holds the first {} of the {runs} runs; all of them are in \
                 runs.csv.",
                results.runs.sample.rows.len()
            ),
        )?;
    }
    sheet.set_column_width(
        0,
        text_width(
            columns[0],
            // Currency codes all have three letters, so the labels' widths do not depend on it.
            HEADLINE_OUTCOMES.iter().map(|name| headline_label(name)),
        ),
    )?;
    for (index, heading) in columns.iter().enumerate().skip(1) {
        sheet.set_column_width(index as u16, numeric_width(heading, Style::Grouped))?;
    }
    Ok(sheet)
}

/// "By cluster": what the funding added per cluster at the horizon (means over runs), or None
/// for results without the per-cluster outcomes.
pub(super) fn by_cluster_sheet(
    results: &ResultSet,
    formats: &Formats,
) -> anyhow::Result<Option<Worksheet>> {
    let clusters = by_cluster(results);
    if clusters.is_empty() {
        return Ok(None);
    }
    let mut sheet = Worksheet::new();
    sheet.set_name("By cluster")?;
    let currency = &results.scenario.currency;
    let absorbed_heading = currency.label("Absorbed, LTL");
    let cost_heading = currency.label("Cost per additional networked SME, LTL");
    let columns = [
        "Cluster",
        "Cluster id",
        "Additional members",
        "Additional links",
        "Additional networked SMEs",
        "p5 additional networked SMEs",
        "p95 additional networked SMEs",
        &absorbed_heading,
        &cost_heading,
        "Runs where the cost is defined",
    ];
    header(&mut sheet, formats, &columns)?;
    let one_decimal = formats.number(Style::GroupedOneDecimal);
    let grouped = formats.number(Style::Grouped);
    for (index, cluster) in clusters.iter().enumerate() {
        let row = index + 1;
        sheet.write_string(row as u32, 0, &cluster.name)?;
        sheet.write_string(row as u32, 1, &cluster.id)?;
        number(&mut sheet, row, 2, Some(cluster.members), one_decimal)?;
        number(&mut sheet, row, 3, Some(cluster.links), one_decimal)?;
        number(&mut sheet, row, 4, Some(cluster.networked), one_decimal)?;
        number(&mut sheet, row, 5, cluster.networked_interval.0, grouped)?;
        number(&mut sheet, row, 6, cluster.networked_interval.1, grouped)?;
        number(&mut sheet, row, 7, Some(cluster.absorbed), grouped)?;
        number(&mut sheet, row, 8, cluster.cost, grouped)?;
        number(&mut sheet, row, 9, Some(cluster.cost_runs as f64), grouped)?;
    }
    sheet.set_column_width(
        0,
        text_width(columns[0], clusters.iter().map(|c| c.name.as_str())),
    )?;
    sheet.set_column_width(
        1,
        text_width(columns[1], clusters.iter().map(|c| c.id.as_str())),
    )?;
    for (index, heading) in columns.iter().enumerate().skip(2) {
        sheet.set_column_width(index as u16, numeric_width(heading, Style::Grouped))?;
    }
    super::finish(&mut sheet, clusters.len(), columns.len())?;
    Ok(Some(sheet))
}
