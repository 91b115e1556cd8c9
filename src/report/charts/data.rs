//! Series taken out of the result tables in the shape the charts draw them.

use crate::report::results::{ResultSet, SummaryRow};
use crate::scenario::ClusterStatus;

/// The time of a period label as a fractional year at the *end* of the quarter: `2007Q1` →
/// 2007.25, `2007Q4` → 2008.0. Summary values are end-of-quarter states, so this puts each
/// point where its state holds. `None` for a label that is not `YYYYQn`.
pub fn period_end(period: &str) -> Option<f64> {
    let (year, quarter) = period.split_once('Q')?;
    let year: i32 = year.parse().ok()?;
    let quarter: u8 = quarter.parse().ok()?;
    (1..=4)
        .contains(&quarter)
        .then(|| f64::from(year) + f64::from(quarter) / 4.0)
}

/// One point of a fan chart: time and the 5th, 25th, 50th, 75th and 95th percentiles.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FanPoint {
    /// Fractional year (end of quarter).
    pub time: f64,
    /// Percentiles 5, 25, 50, 75, 95.
    pub percentiles: [f64; 5],
}

/// The fan of one (cluster or `total`, outcome) series: the periods where all five
/// percentiles are defined, in period order.
pub fn fan(results: &ResultSet, cluster: &str, outcome: &str) -> Vec<FanPoint> {
    results
        .series(cluster, outcome)
        .into_iter()
        .filter_map(|row: &SummaryRow| {
            let time = period_end(&row.period)?;
            let [p5, p25, p50, p75, p95] = row.percentiles;
            Some(FanPoint {
                time,
                percentiles: [p5?, p25?, p50?, p75?, p95?],
            })
        })
        .collect()
}

/// The mean of one series over time, where defined.
pub fn means(results: &ResultSet, cluster: &str, outcome: &str) -> Vec<(f64, f64)> {
    results
        .series(cluster, outcome)
        .into_iter()
        .filter_map(|row| Some((period_end(&row.period)?, row.mean?)))
        .collect()
}

/// Highest 95th percentile of a fan (0 when empty).
pub fn fan_top(points: &[FanPoint]) -> f64 {
    points
        .iter()
        .map(|point| point.percentiles[4])
        .fold(0.0, f64::max)
}

/// Lowest 5th percentile of a fan (0 when empty or all positive).
pub fn fan_bottom(points: &[FanPoint]) -> f64 {
    points
        .iter()
        .map(|point| point.percentiles[0])
        .fold(0.0, f64::min)
}

/// The time span of the model: start of the first funding year to the end of the horizon year.
pub fn time_span(results: &ResultSet) -> (f64, f64) {
    let budget = &results.scenario.budget;
    (
        f64::from(budget.first_year),
        f64::from(budget.horizon_year + 1),
    )
}

/// The funding period as fractional years: from the first quarter in which money can flow
/// (some measure's contracts have started and it has money for that year) to the end of the
/// last funding year ([`Budget::money_period`](crate::scenario::Budget::money_period)).
pub fn funding_period(results: &ResultSet) -> (f64, f64) {
    results.scenario.budget.money_period()
}

/// The funding period in words, e.g. `2010 Q4–2015` (the quarter only when it is not Q1).
pub fn funding_period_text(results: &ResultSet) -> String {
    let (start, end) = funding_period(results);
    let year = start.floor();
    let quarter = ((start - year) * 4.0).round() as i32 + 1;
    let last = end as i32 - 1;
    if quarter == 1 {
        format!("{}–{last}", year as i32)
    } else {
        format!("{} Q{quarter}–{last}", year as i32)
    }
}

/// One line under every title: which scenario, policy and how many runs.
pub fn provenance(results: &ResultSet) -> String {
    format!(
        "Scenario {} · {} allocation · {} · seed {}",
        results.manifest.scenario_name,
        super::baseline_rule_kind(results).replace('_', " "),
        runs_phrase(results.runs.count()),
        results.manifest.seed
    )
}

/// "1 run", "300 runs", "12,000 runs".
pub fn runs_phrase(runs: usize) -> String {
    let count = super::style::format_number(runs as f64, 0);
    if runs == 1 {
        format!("{count} run")
    } else {
        format!("{count} runs")
    }
}

/// Whether cluster `index` was forming at the start.
pub fn is_forming(results: &ResultSet, index: usize) -> bool {
    results
        .scenario
        .clusters
        .get(index)
        .is_some_and(|cluster| matches!(cluster.status, ClusterStatus::Forming))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_end_at_fractional_years() {
        assert_eq!(period_end("2007Q1"), Some(2007.25));
        assert_eq!(period_end("2007Q4"), Some(2008.0));
        assert_eq!(period_end("2015Q2"), Some(2015.5));
        assert_eq!(period_end("2015Q5"), None);
        assert_eq!(period_end("2015"), None);
        assert_eq!(period_end("total"), None);
    }

    #[test]
    fn run_counts_read_well() {
        assert_eq!(runs_phrase(1), "1 run");
        assert_eq!(runs_phrase(300), "300 runs");
        assert_eq!(runs_phrase(12_000), "12,000 runs");
    }
}
