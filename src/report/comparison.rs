//! A comparison read back from `comparison.csv` and `comparison_periods.csv`, and what is said
//! about it: the verdict line and the text table printed at the end of `clustersim compare`.
//! Reports, charts and the printed table all start from these files, so they say the same thing.

use anyhow::{Context, bail};

use super::comparison_csv::{COMPARISON_COLUMNS, PAIRS_HEADER, PERIODS_HEADER, comparison_header};
use super::results::{number, split};
use super::table::thousands;
use super::verdict::MinDifference;
use crate::engine::outcomes::headline_label;
use crate::scenario::currency::Currency;

/// One row of `comparison.csv`. Undefined values are None.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonRow {
    /// Policy name.
    pub policy: String,
    /// Whether it is the baseline.
    pub baseline: bool,
    /// Outcome name.
    pub outcome: String,
    /// Whether lower values are better.
    pub lower_is_better: bool,
    /// Runs where the outcome is defined.
    pub n: u64,
    /// Mean.
    pub mean: Option<f64>,
    /// Standard error of the mean.
    pub standard_error: Option<f64>,
    /// 5th, 25th, 50th, 75th and 95th percentiles.
    pub percentiles: [Option<f64>; 5],
    /// Runs where the paired difference is defined.
    pub difference_n: u64,
    /// Mean paired difference to the baseline.
    pub difference_mean: Option<f64>,
    /// Its standard error.
    pub difference_standard_error: Option<f64>,
    /// 95% confidence interval of the mean difference.
    pub difference_ci95: (Option<f64>, Option<f64>),
    /// Probability of beating the baseline.
    pub p_beats_baseline: f64,
    /// Probability of being best.
    pub p_best: f64,
    /// Mean regret.
    pub regret_mean: Option<f64>,
    /// 95th percentile of regret.
    pub regret_p95: Option<f64>,
    /// Share of runs at each rank (index 0 = best).
    pub ranks: Vec<f64>,
}

/// One row of `comparison_periods.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodRow {
    /// Period label, e.g. `2009Q3`.
    pub period: String,
    /// Policy name.
    pub policy: String,
    /// Outcome name.
    pub outcome: String,
    /// Mean.
    pub mean: Option<f64>,
    /// 25th, 50th and 75th percentiles.
    pub quartiles: [Option<f64>; 3],
    /// Mean paired difference to the baseline.
    pub difference_mean: Option<f64>,
    /// 95% confidence interval of the mean difference.
    pub difference_ci95: (Option<f64>, Option<f64>),
}

/// One cell of `comparison_pairs.csv`: `policy` minus `versus` on `outcome`.
#[derive(Debug, Clone, PartialEq)]
pub struct PairRow {
    /// Outcome name.
    pub outcome: String,
    /// Row policy.
    pub policy: String,
    /// Column policy.
    pub versus: String,
    /// Runs where both are defined.
    pub n: u64,
    /// Mean paired difference.
    pub mean: Option<f64>,
    /// 95% confidence interval of the mean difference.
    pub ci95: (Option<f64>, Option<f64>),
}

/// A comparison as saved in a result folder.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonSet {
    /// Policy names in order.
    pub policies: Vec<String>,
    /// The baseline's name.
    pub baseline: String,
    /// `comparison.csv` rows in file order.
    pub rows: Vec<ComparisonRow>,
    /// `comparison_periods.csv` rows in file order.
    pub periods: Vec<PeriodRow>,
    /// `comparison_pairs.csv` rows in file order (empty for a folder written before the file
    /// existed).
    pub pairs: Vec<PairRow>,
    /// The smallest difference in networked SMEs that the verdict counts as practical.
    pub min_difference: MinDifference,
}

impl ComparisonSet {
    /// Parses the two files' text.
    pub fn parse(comparison: &str, periods: &str) -> anyhow::Result<Self> {
        const FILE: &str = "comparison.csv";
        let mut lines = comparison.lines();
        let header = lines.next().unwrap_or_default();
        let fixed = COMPARISON_COLUMNS.len();
        let policies_in_header = split(header).len().saturating_sub(fixed);
        if policies_in_header == 0 || header != comparison_header(policies_in_header) {
            bail!("{FILE} does not start with the expected header");
        }
        let mut rows = Vec::new();
        for (index, line) in lines.enumerate() {
            let line_number = index + 2;
            let cells = split(line);
            if cells.len() != fixed + policies_in_header {
                bail!(
                    "{FILE} line {line_number}: expected {} cells, found {}",
                    fixed + policies_in_header,
                    cells.len()
                );
            }
            let value = |at: usize| number(&cells[at], FILE, line_number);
            let count = |at: usize| -> anyhow::Result<u64> {
                cells[at]
                    .parse()
                    .with_context(|| format!("{FILE} line {line_number}: bad count"))
            };
            let share = |at: usize| -> anyhow::Result<f64> {
                value(at)?.with_context(|| format!("{FILE} line {line_number}: missing share"))
            };
            rows.push(ComparisonRow {
                policy: cells[0].clone(),
                baseline: cells[1] == "true",
                outcome: cells[2].clone(),
                lower_is_better: cells[3] == "lower",
                n: count(4)?,
                mean: value(5)?,
                standard_error: value(6)?,
                percentiles: [value(7)?, value(8)?, value(9)?, value(10)?, value(11)?],
                difference_n: count(12)?,
                difference_mean: value(13)?,
                difference_standard_error: value(14)?,
                difference_ci95: (value(15)?, value(16)?),
                p_beats_baseline: share(17)?,
                p_best: share(18)?,
                regret_mean: value(19)?,
                regret_p95: value(20)?,
                ranks: (fixed..fixed + policies_in_header)
                    .map(share)
                    .collect::<anyhow::Result<_>>()?,
            });
        }
        let mut policies: Vec<String> = Vec::new();
        for row in &rows {
            if !policies.contains(&row.policy) {
                policies.push(row.policy.clone());
            }
        }
        if policies.len() != policies_in_header {
            bail!(
                "{FILE} names {} policies but has {policies_in_header} rank columns",
                policies.len()
            );
        }
        let Some(baseline) = rows.iter().find(|row| row.baseline) else {
            bail!("{FILE} marks no policy as the baseline");
        };
        let baseline = baseline.policy.clone();

        const PERIODS: &str = "comparison_periods.csv";
        let mut lines = periods.lines();
        if lines.next() != Some(PERIODS_HEADER) {
            bail!("{PERIODS} does not start with the expected header '{PERIODS_HEADER}'");
        }
        let mut period_rows = Vec::new();
        for (index, line) in lines.enumerate() {
            let line_number = index + 2;
            let cells = split(line);
            if cells.len() != 12 {
                bail!(
                    "{PERIODS} line {line_number}: expected 12 cells, found {}",
                    cells.len()
                );
            }
            let value = |at: usize| number(&cells[at], PERIODS, line_number);
            period_rows.push(PeriodRow {
                period: cells[0].clone(),
                policy: cells[1].clone(),
                outcome: cells[2].clone(),
                mean: value(4)?,
                quartiles: [value(5)?, value(6)?, value(7)?],
                difference_mean: value(8)?,
                difference_ci95: (value(10)?, value(11)?),
            });
        }
        Ok(Self {
            policies,
            baseline,
            rows,
            periods: period_rows,
            pairs: Vec::new(),
            min_difference: MinDifference::default(),
        })
    }

    /// The outcome names as the code spells them (`cost_per_additional_networked_sme_ltl`), from
    /// the files' names in `currency` (`…_eur`).
    pub fn with_canonical_names(mut self, currency: &Currency) -> Self {
        let canonical = |written: &mut String| {
            if let Some((name, _)) = crate::engine::comparison::COMPARED_OUTCOMES
                .iter()
                .find(|(name, _)| currency.name(name) == written.as_str())
            {
                *written = name.to_string();
            }
        };
        self.rows
            .iter_mut()
            .for_each(|row| canonical(&mut row.outcome));
        self.pairs
            .iter_mut()
            .for_each(|pair| canonical(&mut pair.outcome));
        self
    }

    /// Reads the text of `comparison_pairs.csv` into [`Self::pairs`].
    pub fn with_pairs(mut self, pairs: &str) -> anyhow::Result<Self> {
        const FILE: &str = "comparison_pairs.csv";
        let mut lines = pairs.lines();
        if lines.next() != Some(PAIRS_HEADER) {
            bail!("{FILE} does not start with the expected header '{PAIRS_HEADER}'");
        }
        for (index, line) in lines.enumerate() {
            let line_number = index + 2;
            let cells = split(line);
            if cells.len() != 8 {
                bail!(
                    "{FILE} line {line_number}: expected 8 cells, found {}",
                    cells.len()
                );
            }
            let value = |at: usize| number(&cells[at], FILE, line_number);
            self.pairs.push(PairRow {
                outcome: cells[0].clone(),
                policy: cells[1].clone(),
                versus: cells[2].clone(),
                n: cells[3]
                    .parse()
                    .with_context(|| format!("{FILE} line {line_number}: bad count"))?,
                mean: value(4)?,
                ci95: (value(6)?, value(7)?),
            });
        }
        Ok(self)
    }

    /// The pairwise cell `policy` minus `versus` on `outcome`.
    pub fn pair(&self, outcome: &str, policy: &str, versus: &str) -> Option<&PairRow> {
        self.pairs
            .iter()
            .find(|row| row.outcome == outcome && row.policy == policy && row.versus == versus)
    }

    /// The row of `policy` and `outcome`.
    pub fn row(&self, policy: &str, outcome: &str) -> Option<&ComparisonRow> {
        self.rows
            .iter()
            .find(|row| row.policy == policy && row.outcome == outcome)
    }

    /// The rows of one outcome, in policy order.
    pub fn outcome(&self, outcome: &str) -> Vec<&ComparisonRow> {
        self.rows.iter().filter(|r| r.outcome == outcome).collect()
    }
}

/// Decimals used to present an outcome's mean and differences: 2 for ratios, 1 for new
/// clusters formed (a handful per run, so a mean of 9.6 should not read as 10), else 0.
pub(crate) fn decimals(outcome: &str) -> usize {
    if outcome.ends_with("per_ltl_spent") {
        2
    } else if outcome == "clusters_formed" {
        1
    } else {
        0
    }
}

/// A signed number with a proper minus sign and thousands separators.
pub(crate) fn signed(value: f64, decimals: usize) -> String {
    let text = thousands(value, decimals);
    match text.strip_prefix('-') {
        Some(rest) => format!("−{rest}"),
        None => text,
    }
}

/// Decimals for a difference and its interval: `digits`, or more (up to `digits` + 2) while a
/// rounded end of an interval that excludes zero would read as 0, so that "−2 (−4 to 0)" is
/// shown as "−1.9 (−3.6 to −0.2)" and never suggests an interval touching zero; and while the
/// two ends of an interval of non-zero width would read alike ("2 (2 to 2)").
pub(crate) fn interval_digits(low: f64, high: f64, digits: usize) -> usize {
    let reads_as_zero = |value: f64, digits: usize| {
        let scale = 10f64.powi(digits as i32);
        (value * scale).round() == 0.0
    };
    // Compared as printed: `format!` rounds half to even (2.5 → "2"), unlike `f64::round`.
    let reads_alike =
        |digits: usize| low != high && format!("{low:.digits$}") == format!("{high:.digits$}");
    let mut digits = digits;
    while digits < 3
        && ((low > 0.0 && reads_as_zero(low, digits))
            || (high < 0.0 && reads_as_zero(high, digits))
            || reads_alike(digits))
    {
        digits += 1;
    }
    digits
}

/// Decimals that show `value` as non-zero when it is (from `digits` up to 3), so that a
/// difference of 4.0 against 4.04 reads "0.04", not "0.0".
pub(crate) fn nonzero_digits(value: f64, digits: usize) -> usize {
    let mut digits = digits;
    while digits < 3 && value != 0.0 && (value * 10f64.powi(digits as i32)).round() == 0.0 {
        digits += 1;
    }
    digits
}

/// "mean (low to high)" with [`interval_digits`] decimals (more while a non-zero mean would read
/// as zero, see [`nonzero_digits`]) and true minus signs.
pub(crate) fn difference_text(mean: f64, low: f64, high: f64, digits: usize) -> String {
    let digits = nonzero_digits(mean, interval_digits(low, high, digits));
    format!(
        "{} ({} to {})",
        signed(mean, digits),
        signed(low, digits),
        signed(high, digits)
    )
}

/// Whether every policy has the same value of `outcome` as the baseline in every run (paired
/// differences all exactly 0, none undefined on one side only): ranks and P(best) then only
/// record ties.
pub fn tied_in_every_run(comparison: &ComparisonSet, outcome: &str) -> bool {
    let rows = comparison.outcome(outcome);
    !rows.is_empty()
        && rows.iter().all(|row| {
            row.difference_n == row.n
                && row.p_beats_baseline == 0.0
                && row.difference_mean == Some(0.0)
                && row.difference_standard_error == Some(0.0)
        })
}

/// Runs below which the normal-approximation intervals are too narrow (see docs/MODEL.md §13a).
pub const FEW_RUNS: u64 = 30;

/// A percentage for prose, e.g. `41%`, `<1%`, `>99%`.
pub fn percent(share: f64) -> String {
    let value = share * 100.0;
    if value > 0.0 && value < 0.5 {
        "<1%".into()
    } else if (99.5..100.0).contains(&value) {
        ">99%".into()
    } else {
        format!("{value:.0}%")
    }
}

/// The text table printed at the end of `clustersim compare`: per outcome, each policy's mean,
/// its difference to the baseline with the 95% interval, and its probability of being best.
/// Money labels are written in `currency`.
pub fn comparison_table(
    comparison: &ComparisonSet,
    horizon: &str,
    runs: u64,
    currency: &Currency,
) -> String {
    let mut lines = vec![format!(
        "Policies compared at the horizon ({horizon}), {runs} runs, baseline “{}”",
        comparison.baseline
    )];
    let mut outcomes: Vec<&str> = Vec::new();
    for row in &comparison.rows {
        if !outcomes.contains(&row.outcome.as_str()) {
            outcomes.push(&row.outcome);
        }
    }
    let width = comparison
        .policies
        .iter()
        .map(|p| p.chars().count())
        .max()
        .unwrap_or(6)
        .max(6);
    for outcome in outcomes {
        let digits = decimals(outcome);
        let tied = tied_in_every_run(comparison, outcome);
        lines.push(String::new());
        lines.push(format!(
            "{}{}",
            currency.label(headline_label(outcome)),
            if comparison
                .outcome(outcome)
                .first()
                .is_some_and(|r| r.lower_is_better)
            {
                " (lower is better)"
            } else {
                ""
            }
        ));
        lines.push(format!(
            "  {:<width$}  {:>12}  {:>30}  {:>7}",
            "policy", "mean", "vs baseline (95% CI)", "P(best)"
        ));
        for row in comparison.outcome(outcome) {
            let mean = row
                .mean
                .map_or("undefined".into(), |m| thousands(m, digits));
            let difference = if row.baseline {
                "baseline".to_string()
            } else {
                match (row.difference_mean, row.difference_ci95) {
                    (Some(mean), (Some(low), Some(high))) => {
                        difference_text(mean, low, high, digits)
                    }
                    _ => "undefined".into(),
                }
            };
            let best = if tied {
                "tied".to_string()
            } else {
                percent(row.p_best)
            };
            lines.push(format!(
                "  {:<width$}  {mean:>12}  {difference:>30}  {best:>7}",
                row.policy,
            ));
        }
        if tied {
            lines.push("  (every policy has the same value in every run)".to_string());
        }
    }
    if runs < FEW_RUNS {
        lines.push(String::new());
        lines.push(format!(
            "Only {runs} runs: the 95% intervals assume many runs and are too narrow below {FEW_RUNS}."
        ));
    }
    lines.push(String::new());
    lines.push(
        currency
            .label(&super::verdict::verdict(comparison, horizon))
            .into_owned(),
    );
    if let Some(efficient) = super::verdict::efficient_set_sentence(comparison) {
        lines.push(efficient);
    }
    lines.push(String::new());
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A two-policy comparison of networked SMEs where "b" differs from the baseline "a" by
    /// `mean` with interval [`low`, `high`] and is best in `p_best` of runs.
    fn comparison(mean: f64, low: f64, high: f64, p_best: f64) -> ComparisonSet {
        let row = |policy: &str, baseline: bool, difference: [f64; 3], best: f64| {
            format!(
                "{policy},{baseline},networked_smes,higher,100,900,5,700,800,900,1000,1100,100,{},1,{},{},0.3,{best},10,40,{best},{}",
                difference[0],
                difference[1],
                difference[2],
                1.0 - best
            )
        };
        let text = format!(
            "{}\n{}\n{}\n",
            comparison_header(2),
            row("a", true, [0.0, 0.0, 0.0], 1.0 - p_best),
            row("b", false, [mean, low, high], p_best)
        );
        ComparisonSet::parse(&text, &format!("{PERIODS_HEADER}\n")).expect("parses")
    }

    #[test]
    fn parses_what_comparison_csv_writes() {
        let set = comparison(12.0, 10.0, 14.0, 0.75);
        assert_eq!(set.policies, ["a", "b"]);
        assert_eq!(set.baseline, "a");
        let row = set.row("b", "networked_smes").unwrap();
        assert_eq!(row.difference_ci95, (Some(10.0), Some(14.0)));
        assert_eq!(row.ranks, vec![0.75, 0.25]);
        assert!(!row.lower_is_better);
    }

    #[test]
    fn intervals_that_exclude_zero_never_read_as_touching_it() {
        assert_eq!(
            difference_text(-1.9, -3.56, -0.23, 0),
            "−1.9 (−3.6 to −0.2)"
        );
        assert_eq!(
            difference_text(-1.0, -1.62, -0.17, 0),
            "−1.0 (−1.6 to −0.2)"
        );
        assert_eq!(difference_text(40.4, 39.2, 41.7, 0), "40 (39 to 42)");
        // A non-zero mean gets the digits to show it, and its interval the same digits.
        assert_eq!(difference_text(0.3, -0.4, 1.0, 0), "0.3 (−0.4 to 1.0)");
        // The ends of an interval of non-zero width never read alike.
        assert_eq!(difference_text(2.0, 1.6, 2.4, 0), "2.0 (1.6 to 2.4)");
        assert_eq!(difference_text(12.0, 11.0, 13.0, 0), "12 (11 to 13)");
        assert_eq!(interval_digits(0.0001, 0.2, 0), 3);
        // A non-zero mean never reads as zero, even when its interval contains zero.
        assert_eq!(difference_text(0.04, -0.02, 0.1, 1), "0.04 (−0.02 to 0.10)");
    }

    #[test]
    fn ties_in_every_run_are_recognised() {
        let mut set = comparison(0.0, 0.0, 0.0, 0.5);
        for row in &mut set.rows {
            row.difference_standard_error = Some(0.0);
            row.p_beats_baseline = 0.0;
        }
        assert!(tied_in_every_run(&set, "networked_smes"));
        set.rows[1].difference_standard_error = Some(0.1);
        assert!(!tied_in_every_run(&set, "networked_smes"));
        assert!(!tied_in_every_run(&set, "links"));
    }

    #[test]
    fn percentages_never_round_to_certainty() {
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(0.001), "<1%");
        assert_eq!(percent(0.996), ">99%");
        assert_eq!(percent(1.0), "100%");
        assert_eq!(percent(0.4149), "41%");
    }

    #[test]
    fn a_wrong_header_is_refused() {
        assert!(ComparisonSet::parse("policy,outcome\n", PERIODS_HEADER).is_err());
    }
}
