//! The short headline table printed at the end of a run.

use crate::engine::Aggregates;
use crate::engine::outcomes::HEADLINE_OUTCOMES;

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

/// The table: each headline outcome's mean and 90% interval (5th–95th percentile) over runs.
pub fn headline_table(aggregates: &Aggregates, horizon_label: &str) -> String {
    let mut rows = vec![(
        format!("At the horizon ({horizon_label}), {} runs", aggregates.runs),
        "mean".to_string(),
        "90% interval".to_string(),
    )];
    for (index, name) in HEADLINE_OUTCOMES.iter().enumerate() {
        let summary = aggregates.headline_summary(index);
        let decimals = if name.ends_with("per_ltl_spent") {
            2
        } else {
            0
        };
        let (mean, interval) = if summary.n == 0 {
            ("undefined".to_string(), String::new())
        } else {
            let mut interval = format!(
                "{} – {}",
                thousands(summary.p5, decimals),
                thousands(summary.p95, decimals)
            );
            if summary.n < aggregates.runs {
                interval.push_str(&format!("  (defined in {} runs)", summary.n));
            }
            (thousands(summary.mean, decimals), interval)
        };
        rows.push((
            crate::engine::outcomes::headline_label(name).to_string(),
            mean,
            interval,
        ));
    }
    let width = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let mean_width = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
    rows.iter()
        .map(|(name, mean, interval)| {
            let pad = width - name.chars().count();
            let mean_pad = mean_width - mean.chars().count();
            format!(
                "{name}{}  {}{mean}  {interval}\n",
                " ".repeat(pad),
                " ".repeat(mean_pad)
            )
        })
        .collect()
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
}
