//! The "Policy comparison" section of `report.html` and `report.md`, first in the report of a
//! folder written by `clustersim compare`: the computed verdict, one table of every policy and
//! outcome, the five comparison charts and how to read them. Everything is taken from
//! `comparison.csv` and `comparison_periods.csv` through [`ComparisonSet`], so the section says
//! what the printed table says.

use super::charts::{COMPARISON_CHART_NAMES, Chart};
use super::comparison::{
    ComparisonRow, ComparisonSet, FEW_RUNS, decimals, difference_text, percent, signed,
    tied_in_every_run,
};
use super::document::{Block, Column, Paragraph, Row, Section, Span, Table};
use super::results::ResultSet;
use super::table::thousands;
use crate::engine::outcomes::{headline_label, is_count};

/// The horizon as a period label, e.g. `2015Q4` (the label the verdict uses).
pub(crate) fn horizon(results: &ResultSet) -> String {
    let budget = &results.scenario.budget;
    budget.period_label(budget.quarters().saturating_sub(1))
}

/// The lead paragraph of a comparison report: how many policies, which is the baseline, and that
/// the other sections describe the baseline only.
pub(crate) fn lead(comparison: &ComparisonSet, common_random_numbers: bool) -> Paragraph {
    let others: Vec<String> = comparison
        .policies
        .iter()
        .filter(|policy| **policy != comparison.baseline)
        .map(|policy| format!("“{policy}”"))
        .collect();
    vec![Span::text(format!(
        "This is a comparison of {} allocation policies {}: the baseline “{}” against {}. The \
         Policy comparison section compares them; the other sections, charts and tables \
         describe the baseline policy “{}” only.",
        comparison.policies.len(),
        if common_random_numbers {
            "on common random numbers (the same uncertain values and random events in each run)"
        } else {
            "with independent random numbers (--crn off)"
        },
        comparison.baseline,
        list(&others),
        comparison.baseline
    ))]
}

/// `a`, `a and b`, `a, b and c`.
fn list(items: &[String]) -> String {
    match items {
        [] => "no other policy".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn number_column(heading: &str) -> Column {
    Column {
        heading: heading.to_string(),
        numeric: true,
        nowrap: false,
    }
}

fn text_column(heading: &str, nowrap: bool) -> Column {
    Column {
        heading: heading.to_string(),
        numeric: false,
        nowrap,
    }
}

/// The table row of one policy and outcome.
fn table_row(group: &str, row: &ComparisonRow, tied: bool) -> Row {
    let digits = decimals(&row.outcome);
    let value = |value: Option<f64>| value.map_or("undefined".to_string(), |v| signed(v, digits));
    // Percentiles of counts are whole numbers.
    let percentile_digits = if is_count(&row.outcome) { 0 } else { digits };
    let interval = match (row.percentiles[0], row.percentiles[4]) {
        (Some(low), Some(high)) => format!(
            "{} – {}",
            signed(low, percentile_digits),
            signed(high, percentile_digits)
        ),
        _ => "–".to_string(),
    };
    let (difference, beats) = if row.baseline {
        ("baseline".to_string(), "–".to_string())
    } else {
        let difference = match (row.difference_mean, row.difference_ci95) {
            (Some(mean), (Some(low), Some(high))) => difference_text(mean, low, high, digits),
            _ => "undefined".to_string(),
        };
        (difference, percent(row.p_beats_baseline))
    };
    let policy = if row.baseline {
        Span::text(format!("{} (baseline)", row.policy))
    } else {
        Span::text(row.policy.clone())
    };
    Row {
        cells: vec![
            Span::text(group),
            policy,
            Span::text(value(row.mean)),
            Span::text(interval),
            Span::text(difference),
            Span::text(beats),
            Span::text(if tied {
                "tied in every run".to_string()
            } else {
                percent(row.p_best)
            }),
            Span::text(value(row.regret_mean)),
            Span::text(value(row.regret_p95)),
        ],
        strong: row.baseline,
    }
}

/// The table of every policy and outcome, grouped by outcome.
fn table(comparison: &ComparisonSet, currency: &crate::scenario::currency::Currency) -> Table {
    let mut outcomes: Vec<&str> = Vec::new();
    for row in &comparison.rows {
        if !outcomes.contains(&row.outcome.as_str()) {
            outcomes.push(&row.outcome);
        }
    }
    let mut rows = Vec::new();
    for outcome in outcomes {
        let rows_of_outcome = comparison.outcome(outcome);
        let direction = if rows_of_outcome.first().is_some_and(|r| r.lower_is_better) {
            "lower is better"
        } else {
            "higher is better"
        };
        let group = format!("{} · {direction}", currency.label(headline_label(outcome)));
        let tied = tied_in_every_run(comparison, outcome);
        rows.extend(
            rows_of_outcome
                .into_iter()
                .map(|row| table_row(&group, row, tied)),
        );
    }
    Table {
        columns: vec![
            text_column("Outcome", false),
            text_column("Policy", true),
            number_column("Mean"),
            number_column("90% interval (p5 – p95)"),
            number_column("Difference vs baseline (95% CI)"),
            number_column("P(beats baseline)"),
            number_column("P(best)"),
            number_column("Mean regret"),
            number_column("Regret p95"),
        ],
        rows,
        total: None,
        grouped: true,
    }
}

/// Each compared policy with its description and settings, as resolved from the scenario.
fn policies_table(results: &ResultSet, comparison: &ComparisonSet) -> Table {
    let scenario = &results.scenario;
    let rows = comparison
        .policies
        .iter()
        .map(|name| {
            let (description, settings) = match scenario.resolve_policy(name) {
                Ok(named) => (
                    named.description,
                    scenario
                        .currency
                        .label(&named.policy.describe(&scenario.clusters))
                        .into_owned(),
                ),
                Err(problem) => (String::new(), problem),
            };
            let label = if *name == comparison.baseline {
                format!("{name} (baseline)")
            } else {
                name.clone()
            };
            Row {
                cells: vec![
                    Span::code(label),
                    Span::text(description),
                    Span::text(settings),
                ],
                strong: *name == comparison.baseline,
            }
        })
        .collect();
    Table {
        columns: vec![
            text_column("Policy", true),
            text_column("Description", false),
            text_column("Rule and settings", false),
        ],
        rows,
        total: None,
        grouped: false,
    }
}

/// The "Policy comparison" section: verdict, table, how to read it, and the comparison charts
/// found among `charts` (numbered by their place in `charts`).
pub(crate) fn comparison_section<'a>(
    results: &ResultSet,
    comparison: &ComparisonSet,
    charts: &'a [Chart],
) -> Section<'a> {
    let horizon = horizon(results);
    let runs = thousands(results.runs.count() as f64, 0);
    let common = results
        .manifest
        .comparison
        .as_ref()
        .is_none_or(|c| c.common_random_numbers);
    let randomness = if common {
        "All policies were simulated on the same runs with common random numbers: run k draws \
         the same uncertain values and the same random events under every policy, so the \
         difference between two policies in one run is due to the policy alone. Differences to \
         the baseline are therefore taken run by run (paired), and their 95% confidence \
         intervals (mean ± 1.96 standard errors of the paired differences) are much narrower \
         than the spread of either policy."
    } else {
        "The policies were simulated with independent random numbers (--crn off): the \
         differences to the baseline are still taken run by run, but they mix the effect of the \
         policy with the chance differences between runs, so their confidence intervals are \
         wider than with common random numbers."
    };
    let mut blocks = vec![
        Block::Paragraph(vec![Span::text(
            results
                .scenario
                .currency
                .label(&super::verdict::verdict(comparison, &horizon))
                .into_owned(),
        )]),
        Block::Paragraph(vec![Span::text(format!(
            "At the horizon ({horizon}), over {runs} runs, for each outcome and policy: the mean \
             and the 90% interval (5th to 95th percentile of the runs); the mean difference to \
             the baseline with its 95% confidence interval; P(beats baseline), the share of runs \
             in which the policy does strictly better than the baseline; P(best), the share of \
             runs in which it is the best of all policies; and the regret, how far it falls \
             short of the best policy of the same run (0 when it is the best), as a mean and a \
             95th percentile."
        ))]),
        Block::Table(table(comparison, &results.scenario.currency)),
    ];
    if let Some(efficient) = super::verdict::efficient_set_sentence(comparison) {
        blocks.insert(1, Block::Paragraph(vec![Span::text(efficient)]));
    }
    if results.manifest.runs_completed < FEW_RUNS {
        blocks.push(Block::Paragraph(vec![Span::text(format!(
            "Only {runs} runs: the 95% confidence intervals use the normal approximation, which \
             needs many runs; below {FEW_RUNS} runs they are too narrow. Use hundreds of runs \
             before drawing conclusions."
        ))]));
    }
    blocks.extend(super::pairs_section::pairwise_blocks(
        comparison,
        &results.scenario.currency,
    ));
    blocks.push(Block::Heading("Policies compared".to_string()));
    blocks.push(Block::Table(policies_table(results, comparison)));
    blocks.extend([
        Block::Heading("How to read the comparison".to_string()),
        Block::Paragraph(vec![Span::text(randomness)]),
        Block::Paragraph(vec![Span::text(
            "Higher is better for every outcome except the cost per additional networked SME, \
             where lower is better; “beats”, “best”, “regret” and the ranks follow that \
             direction. When policies tie in a run (the same value), they share the tied ranks \
             evenly and each counts as best with an equal share, so every row of the rank chart \
             and the P(best) column of each outcome add up to 100%. An outcome on which every \
             policy has the same value in every run (typically new clusters formed, since forming \
             clusters get the same reserve under every rule) is marked “tied in every run”.",
        )]),
    ]);
    for name in COMPARISON_CHART_NAMES {
        if let Some((index, chart)) = charts.iter().enumerate().find(|(_, c)| c.name == name) {
            blocks.push(Block::Figure(index + 1, chart));
        }
    }
    blocks.push(Block::Paragraph(vec![
        Span::text("Per-run values of every policy are in "),
        Span::code("comparison_runs.csv"),
        Span::text(", these statistics in "),
        Span::code("comparison.csv"),
        Span::text(", every pair of policies in "),
        Span::code("comparison_pairs.csv"),
        Span::text(" and the quarterly series in "),
        Span::code("comparison_periods.csv"),
        Span::text("."),
    ]));
    Section {
        id: "comparison",
        heading: "Policy comparison",
        blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_as_prose() {
        let items = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(list(&items(&[])), "no other policy");
        assert_eq!(list(&items(&["a"])), "a");
        assert_eq!(list(&items(&["a", "b", "c"])), "a, b and c");
    }

    #[test]
    fn signs_are_true_minus_signs() {
        assert_eq!(signed(-1234.4, 0), "−1,234");
        assert_eq!(signed(5.0, 0), "5");
    }
}
