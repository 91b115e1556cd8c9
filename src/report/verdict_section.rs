//! "Does the verdict survive?": the blocks that close the Policy comparison section — whether
//! the leading policy stays ahead of the runner-up across the lower, middle and upper third of
//! every uncertain input (see [`super::verdict_by_input`]), as a sentence, a chart and a table.

use super::charts::{Chart, VERDICT_CHART};
use super::document::{Block, Column, Row, Span, Table};
use super::results::ResultSet;
use super::verdict_by_input::{BY_INPUT_FILE, THIRDS, Third, VerdictByInput, survival_sentence};

/// Most inputs listed in the table (all are in the CSV).
const TABLE_ROWS: usize = 15;

fn column(heading: &str, numeric: bool) -> Column {
    Column {
        heading: heading.to_string(),
        numeric,
        nowrap: false,
    }
}

fn third_cell(third: &Third) -> String {
    let one = |value: f64| super::comparison::signed(value, 1);
    format!(
        "{} ({} to {})",
        one(third.mean),
        one(third.ci95.0),
        one(third.ci95.1)
    )
}

fn table(verdict: &VerdictByInput) -> Table {
    let mut columns = vec![column("Input (by how much the difference moves)", false)];
    columns.extend(
        THIRDS
            .iter()
            .map(|third| column(&format!("{third} third: difference (95% CI)"), true)),
    );
    columns.push(column("Leader ahead in all three?", false));
    Table {
        columns,
        rows: verdict
            .inputs
            .iter()
            .take(TABLE_ROWS)
            .map(|input| {
                let mut cells = vec![Span::code(&input.input)];
                cells.extend(input.thirds.iter().map(|t| Span::text(third_cell(t))));
                let ahead = input.thirds.iter().all(Third::leader_ahead);
                cells.push(Span::text(if ahead { "yes" } else { "NO" }));
                Row {
                    cells,
                    strong: !ahead,
                }
            })
            .collect(),
        total: None,
        grouped: false,
    }
}

/// The blocks, for a folder written by `clustersim compare`.
pub(crate) fn verdict_blocks<'a>(results: &ResultSet, charts: &'a [Chart]) -> Vec<Block<'a>> {
    let mut blocks = vec![Block::Heading("Does the verdict survive?".to_string())];
    let common = results
        .manifest
        .comparison
        .as_ref()
        .is_some_and(|c| c.common_random_numbers);
    if !common {
        blocks.push(Block::Paragraph(vec![Span::text(
            "Not analysed: with independent random numbers (--crn off) the policies faced \
             different uncertain values in the same run, so the runs cannot be grouped by an \
             input's value for all policies at once. Compare with common random numbers (the \
             default) to see whether the leader holds across each assumption's range.",
        )]));
        return blocks;
    }
    let Some(verdict) = &results.verdict_by_input else {
        blocks.push(Block::Paragraph(vec![Span::text(
            "Not analysed: it needs at least 6 runs in which the two leading policies' networked \
             SMEs are defined, and at least one uncertain input that varies.",
        )]));
        return blocks;
    };
    blocks.push(Block::Paragraph(vec![Span::text(survival_sentence(
        verdict,
    ))]));
    blocks.push(Block::Paragraph(vec![
        Span::text(format!(
            "How it is checked: the two policies with the most networked SMEs at the horizon on \
             average, “{}” and “{}” (difference {}, 95% CI {} to {}, over {} runs), \
             are compared run by run within the runs where each uncertain input was in its \
             lower, middle or upper third (by rank). A negative difference in a third means the \
             runner-up leads when that assumption is low, middle or high — the other \
             assumptions still varying as drawn. Intervals are mean ± 1.96 standard errors of \
             the paired differences within the third. With many inputs, about one interval in \
             twenty excludes zero by chance alone: confirm a single marginal change with more \
             runs (e.g. --until-se) before acting on it. Every input and third is in ",
            verdict.leader,
            verdict.runner_up,
            super::comparison::signed(verdict.overall.0, 1),
            super::comparison::signed(verdict.overall.1.0, 1),
            super::comparison::signed(verdict.overall.1.1, 1),
            verdict.runs
        )),
        Span::code(BY_INPUT_FILE),
        Span::text("."),
    ]));
    if verdict.thirds_runs < verdict.runs {
        blocks.push(Block::Paragraph(vec![Span::text(format!(
            "The thirds are taken within the first {} runs (those the report holds whole; the \
             runs are independent draws, so they are a random sample of all {}).",
            super::table::thousands(verdict.thirds_runs as f64, 0),
            super::table::thousands(verdict.runs as f64, 0)
        ))]));
    }
    if let Some((index, chart)) = charts
        .iter()
        .enumerate()
        .find(|(_, chart)| chart.name == VERDICT_CHART)
    {
        blocks.push(Block::Figure(index + 1, chart));
    }
    blocks.push(Block::Table(table(verdict)));
    if verdict.inputs.len() > TABLE_ROWS {
        blocks.push(Block::Paragraph(vec![Span::text(format!(
            "{} inputs that move the difference less are left out of this table.",
            verdict.inputs.len() - TABLE_ROWS
        ))]));
    }
    blocks
}
