//! The short headline table printed at the end of a run.

use crate::engine::Aggregates;
use crate::engine::outcomes::{HEADLINE_OUTCOMES, bound_decimals, mean_decimals};
use crate::stats::{Summary, summarize_exact};

pub use super::comparison::FEW_RUNS;

/// Formats a number with thousands separators and `decimals` decimals, e.g. `1,234,567.9`.
pub fn thousands(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return "–".into();
    }
    let formatted = format!("{:.*}", decimals, value.abs());
    let (integer, fraction) = match formatted.split_once('.') {
        Some((integer, fraction)) => (integer.to_string(), format!(".{fraction}")),
        None => (formatted.clone(), String::new()),
    };
    let mut grouped = String::new();
    for (index, digit) in integer.chars().enumerate() {
        if index > 0 && (integer.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if value < 0.0 && formatted.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    format!("{sign}{grouped}{fraction}")
}

/// The interval printed beside a headline mean over `runs` runs, from the outcome's `defined`
/// (finite) values and their summary: the 5th to 95th percentile from [`FEW_RUNS`] runs on,
/// below that the smallest to largest value, which contains the mean by definition. With the
/// lower-rank quantiles used throughout (docs/MODEL.md), the 95th percentile of fewer than 21
/// runs is never the largest run and the mean can lie above it (5 runs printed "863 | 705 –
/// 862"); below 30 runs the percentiles are also too unstable to call a 90% interval.
pub fn headline_interval(defined: &[f64], summary: &Summary, runs: u64) -> (f64, f64) {
    let low = defined.iter().copied().fold(f64::INFINITY, f64::min);
    let high = defined.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    interval_from_range((low, high), summary, runs)
}

/// [`headline_interval`] from the smallest and largest defined value instead of the values.
pub fn interval_from_range(range: (f64, f64), summary: &Summary, runs: u64) -> (f64, f64) {
    if runs < FEW_RUNS {
        range
    } else {
        (summary.p5, summary.p95)
    }
}

/// Heading of the interval column for `runs` runs.
pub fn interval_heading(runs: u64) -> &'static str {
    if runs < FEW_RUNS {
        "Range of the runs (min – max)"
    } else {
        "90% interval (p5 – p95)"
    }
}

/// The warning shown (on stdout and in the report) when there are fewer than [`FEW_RUNS`] runs.
pub fn few_runs_warning(runs: u64) -> Option<String> {
    (runs < FEW_RUNS).then(|| {
        format!(
            "Warning: only {runs} run{}. Below {FEW_RUNS} runs the means are imprecise and the \
             5th and 95th percentiles cannot be told from the extremes, so the tables show the \
             range of the runs (smallest to largest) instead of a 90% interval. Use a few \
             hundred runs for results to report.",
            if runs == 1 { "" } else { "s" }
        )
    })
}

/// Mean and interval of one headline outcome as printed: `None` when it is defined in no run.
/// Numbers follow [`mean_decimals`] and [`bound_decimals`]; the interval notes in how many runs
/// the outcome is defined when that is not all of them.
pub fn headline_cells(name: &str, values: &[f64], runs: u64) -> Option<(String, String)> {
    let defined: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let summary = summarize_exact(&defined);
    if summary.n == 0 {
        return None;
    }
    let interval = headline_interval(&defined, &summary, runs);
    Some(format_cells(name, &summary, interval, runs))
}

/// [`headline_cells`] from a summary and the interval already chosen.
pub fn format_cells(
    name: &str,
    summary: &Summary,
    (low, high): (f64, f64),
    runs: u64,
) -> (String, String) {
    let bounds = bound_decimals(name);
    let mut interval = format!("{} – {}", thousands(low, bounds), thousands(high, bounds));
    if summary.n < runs {
        interval.push_str(&format!("  (defined in {} runs)", summary.n));
    }
    (thousands(summary.mean, mean_decimals(name)), interval)
}

/// The table: each headline outcome's mean and its interval (see [`headline_interval`]) over
/// runs, followed by the few-runs warning where it applies.
/// Money labels are written in `currency`.
pub fn headline_table(
    aggregates: &Aggregates,
    horizon_label: &str,
    currency: &crate::scenario::currency::Currency,
) -> String {
    let mut rows = vec![(
        format!("At the horizon ({horizon_label}), {} runs", aggregates.runs),
        "mean".to_string(),
        interval_heading(aggregates.runs).to_string(),
    )];
    for (index, name) in HEADLINE_OUTCOMES.iter().enumerate() {
        let cells = if aggregates.has_headline_values() {
            headline_cells(name, &aggregates.headline[index], aggregates.runs)
        } else {
            // Beyond the exact limit (far above FEW_RUNS): the sketch's 5th to 95th percentile.
            let summary = aggregates.headline_summary(index);
            (summary.n > 0)
                .then(|| format_cells(name, &summary, (summary.p5, summary.p95), aggregates.runs))
        };
        let (mean, interval) = cells.unwrap_or_else(|| ("undefined".to_string(), String::new()));
        rows.push((
            currency
                .label(crate::engine::outcomes::headline_label(name))
                .into_owned(),
            mean,
            interval,
        ));
    }
    let width = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let mean_width = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
    let mut table: String = rows
        .iter()
        .map(|(name, mean, interval)| {
            let pad = width - name.chars().count();
            let mean_pad = mean_width - mean.chars().count();
            format!(
                "{name}{}  {}{mean}  {interval}\n",
                " ".repeat(pad),
                " ".repeat(mean_pad)
            )
        })
        .collect();
    if let Some(warning) = few_runs_warning(aggregates.runs) {
        table.push_str(&format!("\n{warning}\n\n"));
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands() {
        assert_eq!(thousands(1_234_567.89, 1), "1,234,567.9");
        assert_eq!(thousands(999.0, 0), "999");
        assert_eq!(thousands(-1000.0, 0), "-1,000");
        assert_eq!(thousands(0.5, 2), "0.50");
        assert_eq!(thousands(f64::NAN, 0), "–");
    }

    /// Parses a printed number such as `1,234.5` or `-3`.
    fn parse(text: &str) -> f64 {
        text.replace(',', "").parse().unwrap()
    }

    #[test]
    fn a_printed_mean_lies_within_its_printed_interval_however_few_the_runs() {
        // Skewed values where the lower-rank 95th percentile of 5 runs (the 4th value) lies
        // below the mean, and counts whose mean rounds up past it: the range contains both.
        let cases: [(&str, &[f64]); 4] = [
            ("joint_projects", &[705.0, 760.0, 800.0, 862.0, 1185.0]),
            ("additional_networked_smes", &[0.0, 1.0, 1.0, 0.0, 6.0]),
            ("added_value_per_ltl_spent", &[0.0, 0.19, 0.12, 0.18, 0.11]),
            (
                "cost_per_additional_networked_sme_ltl",
                &[166_666.7, f64::NAN, 1e6, 1e6, f64::NAN],
            ),
        ];
        for (name, values) in cases {
            for runs in [1, 2, 5, 29] {
                let values = &values[..values.len().min(runs as usize)];
                let Some((mean, interval)) = headline_cells(name, values, runs) else {
                    continue;
                };
                let (low, high) = interval.split_once(" – ").unwrap();
                let high = high.split("  (").next().unwrap();
                let (mean, low, high) = (parse(&mean), parse(low), parse(high));
                assert!(
                    low <= mean && mean <= high,
                    "{name}, {runs} runs: {low} {mean} {high}"
                );
            }
        }
        let (mean, interval) = headline_cells("joint_projects", cases[0].1, 5).unwrap();
        assert_eq!((mean.as_str(), interval.as_str()), ("862.4", "705 – 1,185"));
    }

    #[test]
    fn few_runs_are_warned_about_and_many_are_not() {
        assert!(few_runs_warning(5).unwrap().contains("only 5 runs"));
        assert!(few_runs_warning(29).is_some());
        assert!(few_runs_warning(30).is_none());
        assert_eq!(interval_heading(30), "90% interval (p5 – p95)");
    }
}
