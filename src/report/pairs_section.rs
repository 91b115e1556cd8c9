//! The pairwise difference matrices of a comparison report, from `comparison_pairs.csv`: for
//! networked SMEs and for the cost per additional networked SME, each policy (row) minus each
//! policy (column), paired by run, with the 95% confidence interval. The matrix is antisymmetric
//! (row minus column is minus column minus row) with zeros on the diagonal, so it shows at a
//! glance which leaders can be told apart — not only each policy against the baseline.

use super::comparison::{ComparisonSet, decimals, difference_text};
use super::document::{Block, Column, Row, Span, Table};
use crate::engine::outcomes::headline_label;

/// Outcomes whose matrix the report shows (all are in `comparison_pairs.csv`).
pub const MATRIX_OUTCOMES: [&str; 2] = ["networked_smes", "cost_per_additional_networked_sme_ltl"];

/// One cell: "mean (low to high)", "0" on the diagonal, "undefined" without a defined pair.
fn cell(comparison: &ComparisonSet, outcome: &str, policy: &str, versus: &str) -> String {
    if policy == versus {
        return "0".to_string();
    }
    match comparison.pair(outcome, policy, versus) {
        Some(pair) => match (pair.mean, pair.ci95) {
            (Some(mean), (Some(low), Some(high))) => {
                difference_text(mean, low, high, decimals(outcome))
            }
            _ => "undefined".to_string(),
        },
        None => "undefined".to_string(),
    }
}

/// The matrix of one outcome as a table: a row per policy, a column per policy.
pub(crate) fn matrix(comparison: &ComparisonSet, outcome: &str) -> Table {
    let mut columns = vec![Column {
        heading: "Row minus column".to_string(),
        numeric: false,
        nowrap: true,
    }];
    columns.extend(comparison.policies.iter().map(|policy| Column {
        heading: policy.clone(),
        numeric: true,
        nowrap: false,
    }));
    let rows = comparison
        .policies
        .iter()
        .map(|policy| {
            let mut cells = vec![Span::text(policy.clone())];
            cells.extend(
                comparison
                    .policies
                    .iter()
                    .map(|versus| Span::text(cell(comparison, outcome, policy, versus))),
            );
            Row {
                cells,
                strong: *policy == comparison.baseline,
            }
        })
        .collect();
    Table {
        columns,
        rows,
        total: None,
        grouped: false,
    }
}

/// The "Pairwise differences" blocks, or nothing for a folder without `comparison_pairs.csv`.
pub(crate) fn pairwise_blocks(
    comparison: &ComparisonSet,
    currency: &crate::scenario::currency::Currency,
) -> Vec<Block<'static>> {
    if comparison.pairs.is_empty() {
        return Vec::new();
    }
    let mut blocks = vec![
        Block::Heading("Pairwise differences".to_string()),
        Block::Paragraph(vec![
            Span::text(
                "Every policy against every other, not only against the baseline: each cell is \
                 the row policy minus the column policy, paired run by run, with its 95% \
                 confidence interval. An interval that excludes zero means the two can be told \
                 apart. The matrix is antisymmetric (swapping row and column flips the sign) \
                 with zeros on the diagonal. All compared outcomes are in ",
            ),
            Span::code("comparison_pairs.csv"),
            Span::text("."),
        ]),
    ];
    for outcome in MATRIX_OUTCOMES {
        blocks.push(Block::Paragraph(vec![Span::text(format!(
            "{}{}:",
            currency.label(headline_label(outcome)),
            if outcome.starts_with("cost") {
                " (lower is better)"
            } else {
                ""
            }
        ))]));
        blocks.push(Block::Table(matrix(comparison, outcome)));
    }
    blocks
}
