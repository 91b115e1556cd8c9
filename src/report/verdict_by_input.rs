//! Does the verdict survive? For a comparison on common random numbers: for every uncertain
//! input, the paired difference in networked SMEs at the horizon between the two leading
//! policies within the runs where the input was in its lower, middle and upper third, and
//! whether the leader changes anywhere. Written as `comparison_by_input.csv` and shown in the
//! Policy comparison section with the `compare-verdict-by-input` chart.
//!
//! The thirds are taken by rank: the runs sorted by the input's drawn value (ties by run index)
//! and cut into three groups as equal as possible, so each holds about a third of the runs
//! whatever the input's distribution. The other inputs keep varying within each third: this
//! asks whether the leader holds across each assumption's range, one assumption at a time, as
//! the pattern-finding of exploratory modelling does (Bankes 1993; Lempert, Popper & Bankes 2003).

use std::collections::{BTreeMap, VecDeque};
use std::io::BufRead;
use std::path::Path;

use anyhow::{Context, bail};

use super::csv::{cell, text};
use super::csv_rows::RowReader;
use super::results::{number, open};
use super::runs_digest::RunsDigest;
use crate::engine::comparison::PERIOD_OUTCOME;
use crate::scenario::{Param, Scenario};
use crate::stats::Moments;
use crate::stats::rank_correlation::Z_95;

/// The outcome whose leader is checked (the verdict's outcome).
pub const VERDICT_OUTCOME: &str = PERIOD_OUTCOME;

/// The file this analysis writes into a comparison's result folder.
pub const BY_INPUT_FILE: &str = "comparison_by_input.csv";

/// Header of `comparison_by_input.csv`.
pub const BY_INPUT_HEADER: &str = "input,third,input_low,input_high,runs,leader,runner_up,difference_mean,difference_ci95_low,difference_ci95_high,leader_ahead";

/// Names of the thirds, low to high.
pub const THIRDS: [&str; 3] = ["lower", "middle", "upper"];

/// The paired difference (leader − runner-up) within one third of one input.
#[derive(Debug, Clone, PartialEq)]
pub struct Third {
    /// Runs in the third.
    pub runs: usize,
    /// Smallest and largest drawn value of the input in the third.
    pub input_range: (f64, f64),
    /// Mean difference.
    pub mean: f64,
    /// 95% confidence interval of the mean (mean ± 1.96 standard errors).
    pub ci95: (f64, f64),
}

impl Third {
    /// Whether the leader is ahead on average in this third (a tie counts as ahead: nothing
    /// changes).
    pub fn leader_ahead(&self) -> bool {
        self.mean >= 0.0
    }
}

/// One input's three thirds.
#[derive(Debug, Clone, PartialEq)]
pub struct InputThirds {
    /// Input label as in `runs.csv`.
    pub input: String,
    /// Lower, middle and upper third.
    pub thirds: [Third; 3],
}

impl InputThirds {
    /// How much the difference moves across the thirds (largest minus smallest mean).
    pub fn spread(&self) -> f64 {
        let means = self.thirds.iter().map(|t| t.mean);
        means.clone().fold(f64::NEG_INFINITY, f64::max) - means.fold(f64::INFINITY, f64::min)
    }
}

/// The whole analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct VerdictByInput {
    /// The policy with the highest mean networked SMEs at the horizon.
    pub leader: String,
    /// The second highest.
    pub runner_up: String,
    /// Runs in the overall difference (those where both are defined).
    pub runs: usize,
    /// Runs the thirds are taken from: all of them, or those of the first
    /// [`SAMPLE_RUNS`](super::runs_digest::SAMPLE_RUNS) runs beyond that.
    pub thirds_runs: usize,
    /// The paired difference over all runs: mean and 95% interval.
    pub overall: (f64, (f64, f64)),
    /// Every uncertain input that varies, largest spread first.
    pub inputs: Vec<InputThirds>,
}

impl VerdictByInput {
    /// (input, third index) wherever the runner-up is ahead on average.
    pub fn changes(&self) -> Vec<(&InputThirds, usize)> {
        self.inputs
            .iter()
            .flat_map(|input| {
                (0..3)
                    .filter(|&third| !input.thirds[third].leader_ahead())
                    .map(move |third| (input, third))
            })
            .collect()
    }
}

fn mean_and_interval(values: impl Iterator<Item = f64>) -> (f64, (f64, f64)) {
    let mut moments = Moments::new();
    values.for_each(|v| moments.push(v));
    interval(&moments)
}

fn interval(moments: &Moments) -> (f64, (f64, f64)) {
    let mean = moments.mean();
    let half = Z_95 * moments.standard_error();
    (mean, (mean - half, mean + half))
}

/// One policy's `VERDICT_OUTCOME` over the runs of `comparison_runs.csv`.
#[derive(Debug, Default)]
struct PolicyValues {
    /// Sum of the defined values, in run order.
    sum: f64,
    /// Runs where it is defined.
    defined: usize,
    /// Rows (runs) of this policy.
    rows: usize,
    /// The values of the first runs (None where undefined), at most the number asked for.
    first: Vec<Option<f64>>,
}

impl PolicyValues {
    fn mean(&self) -> Option<f64> {
        (self.defined > 0).then(|| self.sum / self.defined as f64)
    }
}

/// Opens `comparison_runs.csv` and finds the verdict outcome's column.
fn open_policy_rows(
    folder: &Path,
) -> anyhow::Result<(RowReader<impl BufRead + use<>>, usize, usize)> {
    let (rows, header) =
        RowReader::new(open(folder, "comparison_runs.csv")?, "comparison_runs.csv")?;
    let column = header
        .iter()
        .position(|c| c == VERDICT_OUTCOME)
        .with_context(|| format!("comparison_runs.csv has no '{VERDICT_OUTCOME}' column"))?;
    if header.first().map(String::as_str) != Some("run")
        || header.get(1).map(String::as_str) != Some("policy")
    {
        bail!("comparison_runs.csv does not start with the columns 'run,policy'");
    }
    Ok((rows, column, header.len()))
}

/// Reads the outcome `VERDICT_OUTCOME` of every policy from `comparison_runs.csv`, streaming:
/// policy name → its sum and count over all runs and the values of its first `keep` runs.
fn read_policy_values(
    folder: &Path,
    keep: usize,
) -> anyhow::Result<BTreeMap<String, PolicyValues>> {
    let (mut rows, column, _) = open_policy_rows(folder)?;
    let mut values: BTreeMap<String, PolicyValues> = BTreeMap::new();
    let mut cells = Vec::new();
    while rows.next_cells(&mut cells)? {
        let value = number(&cells[column], "comparison_runs.csv", rows.line_number())?;
        if !values.contains_key(&cells[1]) {
            values.insert(cells[1].clone(), PolicyValues::default());
        }
        let Some(policy) = values.get_mut(&cells[1]) else {
            continue;
        };
        if let Some(value) = value {
            policy.sum += value;
            policy.defined += 1;
        }
        if policy.first.len() < keep {
            policy.first.push(value);
        }
        policy.rows += 1;
    }
    Ok(values)
}

/// The paired difference `leader − runner_up` over the first `runs` runs of
/// `comparison_runs.csv`, streaming. The file is in run order with every policy's row of a run
/// together, so the queues hold at most a run's rows.
fn overall_difference(
    folder: &Path,
    leader: &str,
    runner_up: &str,
    runs: usize,
) -> anyhow::Result<Moments> {
    let (mut rows, column, _) = open_policy_rows(folder)?;
    let (mut leading, mut following) = (VecDeque::new(), VecDeque::new());
    let mut moments = Moments::new();
    let mut paired = 0;
    let mut cells = Vec::new();
    while rows.next_cells(&mut cells)? {
        let value = number(&cells[column], "comparison_runs.csv", rows.line_number())?;
        if cells[1] == leader {
            leading.push_back(value);
        } else if cells[1] == runner_up {
            following.push_back(value);
        }
        while let (Some(a), Some(b)) = (leading.front(), following.front()) {
            if paired < runs
                && let (Some(a), Some(b)) = (a, b)
            {
                moments.push(a - b);
            }
            paired += 1;
            leading.pop_front();
            following.pop_front();
        }
    }
    Ok(moments)
}

/// The analysis of a comparison folder, or `None` when it does not apply: fewer than two
/// policies, fewer than 6 runs, or no uncertain input that varies. The leader, the runner-up
/// and their overall difference come from all runs; the thirds from the runs `runs` holds whole
/// (the first [`SAMPLE_RUNS`](super::runs_digest::SAMPLE_RUNS)).
pub fn verdict_by_input(
    folder: &Path,
    scenario: &Scenario,
    runs: &RunsDigest,
    policies: &[String],
) -> anyhow::Result<Option<VerdictByInput>> {
    let sample = &runs.sample;
    let values = read_policy_values(folder, sample.rows.len())?;
    // Leader and runner-up by mean over the runs where the outcome is defined.
    let mut means: Vec<(&String, f64)> = policies
        .iter()
        .filter_map(|policy| Some((policy, values.get(policy)?.mean()?)))
        .collect();
    // Highest mean first; equal means keep the order the policies were given in.
    means.sort_by(|a, b| b.1.total_cmp(&a.1));
    let [(leader, _), (runner_up, _), ..] = means[..] else {
        return Ok(None);
    };
    let (Some(leader_values), Some(runner_values)) = (values.get(leader), values.get(runner_up))
    else {
        return Ok(None);
    };
    // Paired differences in the runs held whole where both are defined, with the run's row.
    let pairs: Vec<(usize, f64)> = leader_values
        .first
        .iter()
        .zip(&runner_values.first)
        .enumerate()
        .filter_map(|(row, (a, b))| Some((row, (*a)? - (*b)?)))
        .filter(|(row, _)| *row < sample.rows.len())
        .collect();
    if pairs.len() < 6 {
        return Ok(None);
    }
    let every_run_held = leader_values.rows <= leader_values.first.len()
        && runner_values.rows <= runner_values.first.len();
    let (overall, overall_runs) = if every_run_held {
        (
            mean_and_interval(pairs.iter().map(|(_, d)| *d)),
            pairs.len(),
        )
    } else {
        let moments = overall_difference(folder, leader, runner_up, runs.count())?;
        (interval(&moments), moments.count() as usize)
    };
    let mut inputs = Vec::new();
    for slot in scenario.parameter_slots() {
        if matches!(slot.param, Param::Fixed(_)) {
            continue;
        }
        let Some(column) = sample.column(&slot.label) else {
            continue;
        };
        let mut ordered: Vec<(f64, usize, f64)> = pairs
            .iter()
            .filter_map(|&(row, difference)| Some((column[row]?, row, difference)))
            .collect();
        if ordered.len() < 6 || ordered.iter().all(|(v, _, _)| *v == ordered[0].0) {
            continue;
        }
        ordered.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let n = ordered.len();
        let third = |k: usize| {
            let part = &ordered[k * n / 3..(k + 1) * n / 3];
            let (mean, ci95) = mean_and_interval(part.iter().map(|(_, _, d)| *d));
            Third {
                runs: part.len(),
                input_range: (part[0].0, part[part.len() - 1].0),
                mean,
                ci95,
            }
        };
        inputs.push(InputThirds {
            input: slot.label.clone(),
            thirds: [third(0), third(1), third(2)],
        });
    }
    if inputs.is_empty() {
        return Ok(None);
    }
    // Largest spread first; equal spreads keep the scenario's input order.
    inputs.sort_by(|a, b| b.spread().total_cmp(&a.spread()));
    Ok(Some(VerdictByInput {
        leader: leader.clone(),
        runner_up: runner_up.clone(),
        runs: overall_runs,
        thirds_runs: pairs.len(),
        overall,
        inputs,
    }))
}

/// `comparison_by_input.csv`: one row per (input, third); the header alone without an analysis.
pub fn by_input_csv(verdict: Option<&VerdictByInput>) -> String {
    let mut out = String::from(BY_INPUT_HEADER);
    out.push('\n');
    let Some(verdict) = verdict else {
        return out;
    };
    for input in &verdict.inputs {
        for (third, result) in THIRDS.iter().zip(&input.thirds) {
            out.push_str(&format!(
                "{},{third},{},{},{},{},{},{},{},{},{}\n",
                text(&input.input),
                cell(result.input_range.0),
                cell(result.input_range.1),
                result.runs,
                text(&verdict.leader),
                text(&verdict.runner_up),
                cell(result.mean),
                cell(result.ci95.0),
                cell(result.ci95.1),
                result.leader_ahead()
            ));
        }
    }
    out
}

/// A value with three significant digits (whole numbers from 100 on), for prose and tables.
pub fn compact(value: f64) -> String {
    if !value.is_finite() || value == 0.0 {
        return format!("{value}");
    }
    let digits = (2 - value.abs().log10().floor() as i32).clamp(0, 12) as usize;
    format!("{value:.digits$}")
}

/// A signed number with one decimal and a true minus sign.
fn one(value: f64) -> String {
    super::comparison::signed(value, 1)
}

/// The plain-words answer: does the leader stay ahead in every third of every input? A third in
/// which the runner-up leads with an interval clear of zero changes the leader; one where it
/// leads only on average (the interval includes zero) is counted as within the noise.
pub fn survival_sentence(verdict: &VerdictByInput) -> String {
    let changes = verdict.changes();
    let count = verdict.inputs.len();
    let (leader, runner_up) = (&verdict.leader, &verdict.runner_up);
    let (mean, (low, high)) = verdict.overall;
    let overall = format!(
        "over all runs “{leader}” leads by {} (95% CI {} to {}){}",
        one(mean),
        one(low),
        one(high),
        if low > 0.0 {
            ""
        } else {
            ", itself not clear of zero"
        }
    );
    if changes.is_empty() {
        return format!(
            "The leader does not change: {overall}, and it stays ahead of “{runner_up}” in \
             networked SMEs in the lower, middle and upper third of every one of the {count} \
             uncertain inputs (each taken one at a time, the others varying as drawn)."
        );
    }
    let (clear, noise): (Vec<_>, Vec<_>) = changes
        .iter()
        .partition(|(input, third)| input.thirds[*third].ci95.1 < 0.0);
    let noise_text = if noise.is_empty() {
        String::new()
    } else {
        format!(
            " In {} more third{} “{runner_up}” is ahead on average but within the noise (the \
             95% interval includes zero): {}.",
            noise.len(),
            if noise.len() == 1 { "" } else { "s" },
            noise
                .iter()
                .map(|(input, third)| format!("{} third of {}", THIRDS[*third], input.input))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    if clear.is_empty() {
        return format!(
            "The leader does not change clearly: {overall}; in no third of any of the {count} \
             uncertain inputs does “{runner_up}” lead with a 95% interval clear of zero.\
             {noise_text}"
        );
    }
    let places: Vec<String> = clear
        .iter()
        .map(|(input, third)| {
            let result = &input.thirds[*third];
            format!(
                "in the {} third of {} ({} to {}) “{runner_up}” leads by {} (95% CI {} to {})",
                THIRDS[*third],
                input.input,
                compact(result.input_range.0),
                compact(result.input_range.1),
                one(-result.mean),
                one(-result.ci95.1),
                one(-result.ci95.0),
            )
        })
        .collect();
    format!(
        "The leader changes: {overall}, but {}.{noise_text}",
        places.join("; ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn third(mean: f64) -> Third {
        Third {
            runs: 10,
            input_range: (0.0, 1.0),
            mean,
            ci95: (mean - 1.0, mean + 1.0),
        }
    }

    fn verdict(thirds: [[f64; 3]; 2]) -> VerdictByInput {
        VerdictByInput {
            leader: "a".into(),
            runner_up: "b".into(),
            runs: 30,
            thirds_runs: 30,
            overall: (1.0, (0.5, 1.5)),
            inputs: thirds
                .iter()
                .enumerate()
                .map(|(index, means)| InputThirds {
                    input: format!("x{index}"),
                    thirds: [third(means[0]), third(means[1]), third(means[2])],
                })
                .collect(),
        }
    }

    #[test]
    fn the_sentence_says_whether_the_leader_changes() {
        let survives = verdict([[1.0, 2.0, 3.0], [0.0, 1.0, 1.0]]);
        assert!(survives.changes().is_empty());
        assert!(survival_sentence(&survives).starts_with("The leader does not change:"));
        let flips = verdict([[1.0, 2.0, 3.0], [2.0, 1.0, -2.5]]);
        let changes = flips.changes();
        assert_eq!(changes.len(), 1);
        assert_eq!((changes[0].0.input.as_str(), changes[0].1), ("x1", 2));
        let sentence = survival_sentence(&flips);
        assert!(sentence.starts_with("The leader changes:"), "{sentence}");
        assert!(
            sentence.contains(
                "in the upper third of x1 (0 to 1.00) “b” leads by 2.5 (95% CI 1.5 to 3.5)"
            ),
            "{sentence}"
        );
        // Behind only on average (interval including zero): within the noise.
        let noisy = verdict([[1.0, 2.0, 3.0], [2.0, 1.0, -0.5]]);
        let sentence = survival_sentence(&noisy);
        assert!(
            sentence.starts_with("The leader does not change clearly:"),
            "{sentence}"
        );
        assert!(
            sentence.contains("In 1 more third “b” is ahead on average but within the noise"),
            "{sentence}"
        );
        assert!(sentence.contains("upper third of x1"), "{sentence}");
    }

    #[test]
    fn comparison_runs_are_streamed_with_only_the_first_runs_held() {
        // Three policies over 20 runs, run-major as `compare` writes them: "a" = 2i, "b" = i,
        // "c" = 3 (undefined in run 4). The differences a − b are i, so over the first 15 runs
        // their mean is 7 and their sd √20 (that of 0..=14).
        let folder = tempfile::TempDir::new().unwrap();
        let mut text = String::from("run,policy,networked_smes,links\n");
        for run in 0..20 {
            text.push_str(&format!("{run},a,{},1\n", 2 * run));
            text.push_str(&format!("{run},b,{run},1\n"));
            let c = if run == 4 { String::new() } else { "3".into() };
            text.push_str(&format!("{run},c,{c},1\n"));
        }
        std::fs::write(folder.path().join("comparison_runs.csv"), text).unwrap();
        let values = read_policy_values(folder.path(), 5).unwrap();
        let a = &values["a"];
        assert_eq!((a.rows, a.defined, a.first.len()), (20, 20, 5));
        assert_eq!(a.mean(), Some(19.0));
        assert_eq!(
            a.first,
            vec![Some(0.0), Some(2.0), Some(4.0), Some(6.0), Some(8.0)]
        );
        let c = &values["c"];
        assert_eq!((c.rows, c.defined, c.mean()), (20, 19, Some(3.0)));
        assert_eq!(c.first[4], None);
        let moments = overall_difference(folder.path(), "a", "b", 15).unwrap();
        assert_eq!(moments.count(), 15);
        assert_eq!(moments.mean(), 7.0);
        assert!((moments.sd() - 20f64.sqrt()).abs() < 1e-12);
        // Undefined values drop out of the pairs.
        assert_eq!(
            overall_difference(folder.path(), "c", "b", 20)
                .unwrap()
                .count(),
            19
        );
    }

    #[test]
    fn compact_keeps_three_significant_digits() {
        assert_eq!(compact(0.002_904_7), "0.00290");
        assert_eq!(compact(2013.25), "2013");
        assert_eq!(compact(1.5), "1.50");
        assert_eq!(compact(-42.42), "-42.4");
    }

    #[test]
    fn spread_is_the_range_of_the_third_means() {
        let v = verdict([[1.0, 2.0, 3.0], [2.0, 1.0, -2.5]]);
        assert_eq!(v.inputs[0].spread(), 2.0);
        assert_eq!(v.inputs[1].spread(), 4.5);
    }
}
