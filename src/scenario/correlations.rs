//! Checking the scenario's `correlations`: rank correlations between uncertain inputs, turned
//! into the matrix the Iman–Conover method imposes (see [`crate::stats::iman_conover`]).
//!
//! A correlation that names an unknown input, a fixed number, the same input twice or a pair
//! already given, or a set of correlations that cannot hold together (a matrix that is not
//! positive definite), is refused with the JSON path of the offending entry — never repaired.

use super::distribution::Param;
use super::json_path::JsonPath;
use super::plan::{ParameterSlot, Problem};
use super::spec::CorrelationSpec;
use crate::stats::iman_conover::target_factor;
use crate::stats::matrix::first_failing_pivot;

/// The checked rank correlations of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Correlations {
    /// Indices into [`Scenario::parameter_slots`](super::Scenario::parameter_slots) of the inputs
    /// that take part, ascending.
    pub slots: Vec<usize>,
    /// Their labels, in the same order.
    pub labels: Vec<String>,
    /// Target rank-correlation matrix over `slots` (k × k, row-major, unit diagonal).
    pub rank: Vec<f64>,
    /// Cholesky factor of the normal-score correlation target (see
    /// [`crate::stats::iman_conover::target_factor`]).
    pub factor: Vec<f64>,
}

/// The slot a correlation names: its `runs.csv` label, or a model parameter's bare name.
fn find_slot(slots: &[ParameterSlot], name: &str) -> Option<usize> {
    let name = name.trim();
    slots
        .iter()
        .position(|slot| slot.label == name)
        .or_else(|| {
            slots
                .iter()
                .position(|slot| slot.label == format!("model.{name}"))
        })
}

/// Checks `specs` against the scenario's parameter slots; problems are pushed with their paths.
/// Returns `None` when there are no correlations or any problem was found.
pub(super) fn check_correlations(
    specs: &[CorrelationSpec],
    slots: &[ParameterSlot],
    path: &JsonPath,
    problems: &mut Vec<Problem>,
) -> Option<Correlations> {
    if specs.is_empty() {
        return None;
    }
    let uncertain: Vec<&str> = slots
        .iter()
        .filter(|slot| matches!(slot.param, Param::Random(_)))
        .map(|slot| slot.label.as_str())
        .collect();
    let before = problems.len();
    let mut pairs: Vec<(usize, usize, f64, usize)> = Vec::new();
    for (index, spec) in specs.iter().enumerate() {
        let entry = path.index(index);
        if spec.inputs.len() != 2 {
            problems.push(Problem {
                path: entry.key("inputs"),
                message: format!(
                    "a correlation names exactly two inputs (got {}), e.g. \"inputs\": [\"model.join_funding_response\", \"model.tie_funding_response\"]",
                    spec.inputs.len()
                ),
            });
            continue;
        }
        let mut found = Vec::with_capacity(2);
        for (position, name) in spec.inputs.iter().enumerate() {
            let input_path = entry.key("inputs").index(position);
            match find_slot(slots, name) {
                None => problems.push(Problem {
                    path: input_path,
                    message: format!(
                        "unknown input '{name}'; inputs with a distribution: {}",
                        if uncertain.is_empty() {
                            "(none: give an input a distribution first)".to_string()
                        } else {
                            uncertain.join(", ")
                        }
                    ),
                }),
                Some(slot) => match &slots[slot].param {
                    Param::Fixed(value) => problems.push(Problem {
                        path: input_path,
                        message: format!(
                            "'{}' is a fixed number ({value}), so it cannot be correlated; give it a distribution first",
                            slots[slot].label
                        ),
                    }),
                    Param::Random(_) => found.push(slot),
                },
            }
        }
        if !(spec.rank.is_finite() && spec.rank > -1.0 && spec.rank < 1.0) {
            problems.push(Problem {
                path: entry.key("rank"),
                message: format!(
                    "a rank correlation strictly between -1 and 1 is expected (got {}); for inputs that move in lockstep, use one input",
                    spec.rank
                ),
            });
            continue;
        }
        if let [a, b] = found[..] {
            if a == b {
                problems.push(Problem {
                    path: entry.key("inputs"),
                    message: format!(
                        "'{}' is named twice; a correlation links two different inputs",
                        slots[a].label
                    ),
                });
                continue;
            }
            let (low, high) = (a.min(b), a.max(b));
            if let Some(&(_, _, _, first)) =
                pairs.iter().find(|(x, y, _, _)| (*x, *y) == (low, high))
            {
                problems.push(Problem {
                    path: entry.clone(),
                    message: format!(
                        "the correlation of '{}' and '{}' is already given at correlations[{first}]; give each pair once",
                        slots[low].label, slots[high].label
                    ),
                });
                continue;
            }
            pairs.push((low, high, spec.rank, index));
        }
    }
    if problems.len() > before {
        return None;
    }
    let mut members: Vec<usize> = pairs.iter().flat_map(|(a, b, _, _)| [*a, *b]).collect();
    members.sort_unstable();
    members.dedup();
    let k = members.len();
    let mut rank = vec![0.0; k * k];
    for i in 0..k {
        rank[i * k + i] = 1.0;
    }
    for (a, b, value, _) in &pairs {
        let i = members.iter().position(|m| m == a).unwrap_or(0);
        let j = members.iter().position(|m| m == b).unwrap_or(0);
        rank[i * k + j] = *value;
        rank[j * k + i] = *value;
    }
    let labels: Vec<String> = members.iter().map(|m| slots[*m].label.clone()).collect();
    let not_positive_definite = |problems: &mut Vec<Problem>, failing: Option<usize>| {
        let involved = failing.map_or(String::new(), |pivot| {
            format!(
                " (they fail once '{}' is added to {})",
                labels[pivot],
                labels[..pivot]
                    .iter()
                    .map(|l| format!("'{l}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        });
        problems.push(Problem {
            path: path.clone(),
            message: format!(
                "these rank correlations cannot hold together: the correlation matrix they make is not positive definite{involved}; weaken or remove some of them (clustersim does not adjust them for you)"
            ),
        });
    };
    if let Some(pivot) = first_failing_pivot(&rank, k) {
        not_positive_definite(problems, Some(pivot));
        return None;
    }
    match target_factor(&rank, k) {
        Some(factor) => Some(Correlations {
            slots: members,
            labels,
            rank,
            factor,
        }),
        None => {
            not_positive_definite(problems, None);
            None
        }
    }
}
