//! The verdict of a comparison, in words an analyst can sign: which policy grows networked SMEs
//! most and by how much — absolutely, with its 95% confidence interval, and relative to the
//! baseline's level — whether that gain is large enough to matter (`--min-difference`), and which
//! policy is cheapest per additional networked SME when that is not the most effective one.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::comparison::{
    ComparisonRow, ComparisonSet, interval_digits, nonzero_digits, percent, signed,
};
use super::table::thousands;

/// The outcome the verdict is about.
const OUTCOME: &str = "networked_smes";
/// What the funding added under the baseline, for the relative size of a gain.
const ADDITIONAL: &str = "additional_networked_smes";
/// The cost outcome (lower is better).
const COST: &str = "cost_per_additional_networked_sme_ltl";

/// The smallest difference in networked SMEs at the horizon that counts as a practical
/// difference (`compare --min-difference`): a percentage of the baseline policy's mean
/// (`1%`, the default) or a number of networked SMEs (`5`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum MinDifference {
    /// A percentage of the baseline's mean networked SMEs (1.0 = 1%).
    Percent(f64),
    /// A number of networked SMEs.
    Absolute(f64),
}

impl Default for MinDifference {
    fn default() -> Self {
        MinDifference::Percent(1.0)
    }
}

impl MinDifference {
    /// The threshold in networked SMEs, given the baseline's mean.
    pub fn threshold(self, baseline_mean: f64) -> f64 {
        match self {
            MinDifference::Percent(percent) => percent / 100.0 * baseline_mean.abs(),
            MinDifference::Absolute(smes) => smes,
        }
    }
}

impl fmt::Display for MinDifference {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MinDifference::Percent(percent) => write!(formatter, "{percent}%"),
            MinDifference::Absolute(smes) => write!(formatter, "{smes}"),
        }
    }
}

impl FromStr for MinDifference {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let trimmed = text.trim();
        let invalid = || {
            format!(
                "'{text}' is not a minimum difference: give a percentage of the baseline's mean \
                 networked SMEs between 0% and 100% (e.g. 1%) or a number of networked SMEs ≥ 0 \
                 (e.g. 5)"
            )
        };
        let (number, percent) = match trimmed.strip_suffix('%') {
            Some(number) => (number.trim(), true),
            None => (trimmed, false),
        };
        let value: f64 = number.parse().map_err(|_| invalid())?;
        if !value.is_finite() || value < 0.0 || (percent && value > 100.0) {
            return Err(invalid());
        }
        Ok(if percent {
            MinDifference::Percent(value)
        } else {
            MinDifference::Absolute(value)
        })
    }
}

impl TryFrom<String> for MinDifference {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<MinDifference> for String {
    fn from(value: MinDifference) -> Self {
        value.to_string()
    }
}

/// A change relative to a level, e.g. `+1.3%`; more decimals while a non-zero change would read
/// as 0.0%.
fn relative(change: f64, level: f64) -> String {
    let share = change / level.abs() * 100.0;
    let digits = nonzero_digits(share, 1);
    let text = signed(share, digits);
    if share > 0.0 {
        format!("+{text}%")
    } else {
        format!("{text}%")
    }
}

/// "+1.3% of the baseline's 877 networked SMEs and +1.9% of the 639 its funding added".
fn size(change: f64, baseline: &ComparisonRow, additional: Option<f64>) -> String {
    let Some(level) = baseline.mean.filter(|level| *level != 0.0) else {
        return String::new();
    };
    let mut text = format!(
        "{} of the baseline's {} networked SMEs",
        relative(change, level),
        thousands(level, 0)
    );
    if let Some(added) = additional.filter(|added| *added > 0.0) {
        text.push_str(&format!(
            " and {} of the {} its funding added",
            relative(change, added),
            thousands(added, 0)
        ));
    }
    text
}

/// The verdict: [`effect`] followed by [`cost`], computed from the comparison files.
pub fn verdict(comparison: &ComparisonSet, horizon: &str) -> String {
    let mut text = effect(comparison, horizon);
    if let Some(cost) = cost(comparison) {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&cost);
    }
    text
}

/// The effect on networked SMEs: the non-baseline policy with the largest mean paired difference,
/// how much it adds with its 95% confidence interval and relative to the baseline's level,
/// whether the interval excludes zero, whether the gain reaches the minimum difference that
/// matters, and how often it is the best policy.
pub fn effect(comparison: &ComparisonSet, horizon: &str) -> String {
    let rows = comparison.outcome(OUTCOME);
    let Some(baseline) = rows.iter().find(|row| row.baseline) else {
        return String::new();
    };
    let best_alternative = rows
        .iter()
        .filter(|row| !row.baseline && row.difference_mean.is_some())
        .max_by(|a, b| {
            a.difference_mean
                .unwrap_or(f64::NEG_INFINITY)
                .total_cmp(&b.difference_mean.unwrap_or(f64::NEG_INFINITY))
                .then(a.p_best.total_cmp(&b.p_best))
        });
    let Some(alternative) = best_alternative else {
        return format!(
            "Only the baseline “{}” was simulated; there is nothing to compare it with.",
            baseline.policy
        );
    };
    let (Some(mean), (Some(low), Some(high))) =
        (alternative.difference_mean, alternative.difference_ci95)
    else {
        return String::new();
    };
    let additional = comparison
        .row(&baseline.policy, ADDITIONAL)
        .and_then(|row| row.mean);
    let minimum = comparison.min_difference;
    let threshold = minimum.threshold(baseline.mean.unwrap_or(0.0));
    let digits = nonzero_digits(mean, interval_digits(low, high, 0));
    let interval = format!("95% CI {} to {}", signed(low, digits), signed(high, digits));
    let amount = |value: f64| thousands(value, digits);
    let matters = format!(
        "the {} networked SMEs that count as a practical difference (--min-difference {minimum})",
        thousands(threshold, nonzero_digits(threshold, 0))
    );
    if low > 0.0 && mean < threshold {
        return format!(
            "No practical difference: “{}” grows networked SMEs by {} ({interval}) more than the \
             baseline “{}” by {horizon} — a clear but small gain, {}, below {matters}.",
            alternative.policy,
            amount(mean),
            baseline.policy,
            size(mean, baseline, additional)
        );
    }
    if low > 0.0 {
        // A runner-up whose interval reaches into the leader's is named too: the two cannot be
        // told apart from these intervals alone.
        let runner_up = rows
            .iter()
            .filter(|row| !row.baseline && row.policy != alternative.policy)
            .filter_map(|row| match (row.difference_mean, row.difference_ci95) {
                (Some(mean), (Some(low), Some(high))) => Some((row, mean, low, high)),
                _ => None,
            })
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .filter(|(_, _, _, runner_high)| *runner_high >= low);
        let close = match runner_up {
            Some((row, mean, low, high)) => format!(
                " “{}” is close behind with {} more (95% CI {} to {}), best in {} of runs.",
                row.policy,
                thousands(mean, 0),
                signed(low, 0),
                signed(high, 0),
                percent(row.p_best)
            ),
            None => String::new(),
        };
        return format!(
            "Policy “{}” grows networked SMEs by {} ({interval}) more than the baseline “{}” by \
             {horizon}, {}; it is the best policy in {} of runs.{close}",
            alternative.policy,
            amount(mean),
            baseline.policy,
            size(mean, baseline, additional),
            percent(alternative.p_best)
        );
    }
    if high < 0.0 {
        let prefix = if -mean < threshold {
            "No practical difference: "
        } else {
            ""
        };
        let below = if -mean < threshold {
            format!(", below {matters}")
        } else {
            String::new()
        };
        return format!(
            "{prefix}No policy grows networked SMEs more than the baseline “{}” by {horizon}: the \
             closest, “{}”, has {} fewer ({interval}), {}{below}; the baseline is the best policy \
             in {} of runs.",
            baseline.policy,
            alternative.policy,
            amount(-mean),
            size(mean, baseline, additional),
            percent(baseline.p_best)
        );
    }
    if low > -threshold && high < threshold {
        return format!(
            "No practical difference: no policy is distinguishable from the baseline “{}” on \
             networked SMEs by {horizon}; the best alternative, “{}”, differs by {} ({interval}), \
             an interval inside ±{}.",
            baseline.policy,
            alternative.policy,
            signed(mean, digits),
            matters
        );
    }
    format!(
        "No policy is distinguishable from the baseline “{}” on networked SMEs by {horizon}: the \
         best alternative, “{}”, differs by {} ({interval}); it is the best policy in {} of runs.",
        baseline.policy,
        alternative.policy,
        signed(mean, digits),
        percent(alternative.p_best)
    )
}

/// When the cheapest policy per additional networked SME is not the most effective one (highest
/// mean networked SMEs): both named, with their costs, how much cheaper, and — from the pairwise
/// matrix — what the cheaper one gives up in networked SMEs. When it is the same policy, one
/// sentence saying so. None when costs are undefined.
pub fn cost(comparison: &ComparisonSet) -> Option<String> {
    let best_by = |outcome: &str, lower: bool| -> Option<(&ComparisonRow, f64)> {
        comparison
            .outcome(outcome)
            .into_iter()
            .filter_map(|row| row.mean.map(|mean| (row, mean)))
            .max_by(|a, b| {
                let order = a.1.total_cmp(&b.1);
                if lower { order.reverse() } else { order }
            })
    };
    let (effective, _) = best_by(OUTCOME, false)?;
    let (cheapest, cheapest_cost) = best_by(COST, true)?;
    let effective_cost = comparison.row(&effective.policy, COST)?.mean?;
    if cheapest.policy == effective.policy {
        return Some(format!(
            "“{}” is also the cheapest per additional networked SME (LTL {}).",
            cheapest.policy,
            thousands(cheapest_cost, 0)
        ));
    }
    let saving = (effective_cost - cheapest_cost) / effective_cost;
    let given_up = comparison
        .pair(OUTCOME, &cheapest.policy, &effective.policy)
        .and_then(|pair| match (pair.mean, pair.ci95) {
            (Some(mean), (Some(low), Some(high))) => {
                let digits = nonzero_digits(mean, interval_digits(low, high, 0));
                Some(format!(
                    "; it has {} networked SMEs fewer (95% CI {} to {})",
                    thousands(-mean, digits),
                    signed(-high, digits),
                    signed(-low, digits)
                ))
            }
            _ => None,
        })
        .unwrap_or_default();
    Some(format!(
        "The cheapest per additional networked SME is “{}”: LTL {} against LTL {} for the most \
         effective, “{}” ({} less{given_up}).",
        cheapest.policy,
        thousands(cheapest_cost, 0),
        thousands(effective_cost, 0),
        effective.policy,
        percent(saving)
    ))
}

/// The efficient set: the policies not beaten on both effect (mean networked SMEs, higher is
/// better) and cost (mean cost per additional networked SME, lower is better) — a policy is
/// beaten when another is at least as good on both and better on one. Policies whose mean cost
/// is undefined are left out. In policy order.
pub fn efficient_set(comparison: &ComparisonSet) -> Vec<String> {
    let points: Vec<(&str, f64, f64)> = comparison
        .policies
        .iter()
        .filter_map(|policy| {
            let effect = comparison.row(policy, OUTCOME)?.mean?;
            let cost = comparison.row(policy, COST)?.mean?;
            Some((policy.as_str(), effect, cost))
        })
        .collect();
    points
        .iter()
        .filter(|(_, effect, cost)| {
            !points.iter().any(|(_, other_effect, other_cost)| {
                other_effect >= effect
                    && other_cost <= cost
                    && (other_effect > effect || other_cost < cost)
            })
        })
        .map(|(policy, _, _)| policy.to_string())
        .collect()
}

/// A sentence naming the efficient set, or None when no policy has a defined cost.
pub fn efficient_set_sentence(comparison: &ComparisonSet) -> Option<String> {
    let set = efficient_set(comparison);
    if set.is_empty() {
        return None;
    }
    let names: Vec<String> = set.iter().map(|name| format!("“{name}”")).collect();
    let beaten = comparison.policies.len() - set.len();
    Some(format!(
        "Efficient set (not beaten on both networked SMEs and cost per additional networked SME \
         by another policy): {}; {} of the {} policies {} beaten on both.",
        names.join(", "),
        beaten,
        comparison.policies.len(),
        if beaten == 1 { "is" } else { "are" }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::comparison::PairRow;

    /// One comparison row; `difference` = (mean, low, high) to the baseline.
    fn row(policy: &str, outcome: &str, mean: f64, difference: (f64, f64, f64)) -> ComparisonRow {
        ComparisonRow {
            policy: policy.into(),
            baseline: policy == "a",
            outcome: outcome.into(),
            lower_is_better: outcome == COST,
            n: 1000,
            mean: Some(mean),
            standard_error: Some(1.0),
            percentiles: [Some(mean); 5],
            difference_n: 1000,
            difference_mean: Some(difference.0),
            difference_standard_error: Some(0.1),
            difference_ci95: (Some(difference.1), Some(difference.2)),
            p_beats_baseline: 0.5,
            p_best: if policy == "a" { 0.3 } else { 0.7 },
            regret_mean: Some(0.0),
            regret_p95: Some(0.0),
            ranks: vec![0.5, 0.5],
        }
    }

    /// Baseline "a" with 1,000 networked SMEs (600 added by its funding) at LTL 50,000 each;
    /// "b" differs by `difference` networked SMEs and costs `cost_b` per additional one.
    fn two_policies(difference: (f64, f64, f64), cost_b: f64) -> ComparisonSet {
        let zero = (0.0, 0.0, 0.0);
        ComparisonSet {
            policies: vec!["a".into(), "b".into()],
            baseline: "a".into(),
            rows: vec![
                row("a", OUTCOME, 1000.0, zero),
                row("a", ADDITIONAL, 600.0, zero),
                row("a", COST, 50_000.0, zero),
                row("b", OUTCOME, 1000.0 + difference.0, difference),
                row("b", ADDITIONAL, 600.0 + difference.0, difference),
                row("b", COST, cost_b, (cost_b - 50_000.0, 0.0, 0.0)),
            ],
            periods: Vec::new(),
            pairs: vec![PairRow {
                outcome: OUTCOME.into(),
                policy: "a".into(),
                versus: "b".into(),
                n: 1000,
                mean: Some(-difference.0),
                ci95: (Some(-difference.2), Some(-difference.1)),
            }],
            min_difference: MinDifference::default(),
        }
    }

    #[test]
    fn a_tiny_but_clear_gain_is_no_practical_difference() {
        // +2 (95% CI 1.5 to 2.5) excludes zero but is 0.2% of 1,000, below the default 1% = 10.
        let set = two_policies((2.0, 1.5, 2.5), 50_000.0);
        let line = effect(&set, "2015Q4");
        assert_eq!(
            line,
            "No practical difference: “b” grows networked SMEs by 2.0 (95% CI 1.5 to 2.5) more than the \
             baseline “a” by 2015Q4 — a clear but small gain, +0.2% of the baseline's 1,000 \
             networked SMEs and +0.3% of the 600 its funding added, below the 10 networked SMEs \
             that count as a practical difference (--min-difference 1%)."
        );
        // With no minimum the same gain is named as a gain.
        let mut set = set;
        set.min_difference = MinDifference::Absolute(0.0);
        assert!(effect(&set, "2015Q4").starts_with("Policy “b” grows networked SMEs by 2.0"));
    }

    #[test]
    fn a_gain_above_the_minimum_states_its_size_relative_to_the_baseline() {
        let set = two_policies((100.0, 90.0, 110.0), 50_000.0);
        assert_eq!(
            effect(&set, "2015Q4"),
            "Policy “b” grows networked SMEs by 100 (95% CI 90 to 110) more than the baseline \
             “a” by 2015Q4, +10.0% of the baseline's 1,000 networked SMEs and +16.7% of the 600 \
             its funding added; it is the best policy in 70% of runs."
        );
    }

    #[test]
    fn an_interval_inside_the_minimum_either_way_is_no_practical_difference() {
        let set = two_policies((1.0, -3.0, 5.0), 50_000.0);
        assert!(
            effect(&set, "2015Q4")
                .starts_with("No practical difference: no policy is distinguishable"),
            "{}",
            effect(&set, "2015Q4")
        );
        let set = two_policies((1.0, -30.0, 32.0), 50_000.0);
        assert!(effect(&set, "2015Q4").starts_with("No policy is distinguishable"));
    }

    #[test]
    fn the_cheaper_policy_is_named_when_it_is_not_the_most_effective() {
        // "b" adds 100 networked SMEs at LTL 60,000 each; the baseline costs LTL 50,000.
        let set = two_policies((100.0, 90.0, 110.0), 60_000.0);
        assert_eq!(
            cost(&set).as_deref(),
            Some(
                "The cheapest per additional networked SME is “a”: LTL 50,000 against LTL 60,000 \
                 for the most effective, “b” (17% less; it has 100 networked SMEs fewer (95% CI 90 \
                 to 110))."
            )
        );
        // Cheaper and more effective: one sentence naming it once.
        let set = two_policies((100.0, 90.0, 110.0), 40_000.0);
        assert_eq!(
            cost(&set).as_deref(),
            Some("“b” is also the cheapest per additional networked SME (LTL 40,000).")
        );
        assert!(verdict(&set, "2015Q4").ends_with("(LTL 40,000)."));
    }

    #[test]
    fn differences_print_with_enough_digits_to_be_non_zero() {
        let mut set = two_policies((0.04, 0.02, 0.06), 50_000.0);
        set.min_difference = MinDifference::Absolute(0.0);
        let line = effect(&set, "2015Q4");
        assert!(line.contains("by 0.04 (95% CI 0.02 to 0.06)"), "{line}");
        assert!(line.contains("+0.004% of the baseline's 1,000"), "{line}");
    }

    #[test]
    fn the_efficient_set_leaves_out_policies_beaten_on_both_effect_and_cost() {
        // "b": more effective and dearer than "a"; "c": less effective and dearer than "b".
        let mut set = two_policies((100.0, 90.0, 110.0), 60_000.0);
        set.policies.push("c".into());
        set.rows.push(row("c", OUTCOME, 1050.0, (50.0, 40.0, 60.0)));
        set.rows
            .push(row("c", COST, 65_000.0, (15_000.0, 0.0, 0.0)));
        assert_eq!(efficient_set(&set), ["a", "b"]);
        assert_eq!(
            efficient_set_sentence(&set).as_deref(),
            Some(
                "Efficient set (not beaten on both networked SMEs and cost per additional \
                 networked SME by another policy): “a”, “b”; 1 of the 3 policies is beaten on \
                 both."
            )
        );
        // Equal on both: neither beats the other.
        let set = two_policies((0.0, 0.0, 0.0), 50_000.0);
        assert_eq!(efficient_set(&set), ["a", "b"]);
        // Cheaper and more effective: the only efficient policy.
        let set = two_policies((100.0, 90.0, 110.0), 40_000.0);
        assert_eq!(efficient_set(&set), ["b"]);
    }

    #[test]
    fn minimum_differences_parse_and_print_back() {
        assert_eq!("1%".parse(), Ok(MinDifference::Percent(1.0)));
        assert_eq!(" 0.5 % ".parse(), Ok(MinDifference::Percent(0.5)));
        assert_eq!("12".parse(), Ok(MinDifference::Absolute(12.0)));
        for bad in ["", "-1", "101%", "NaN", "1e400", "five"] {
            let error = bad.parse::<MinDifference>().expect_err(bad);
            assert!(error.contains("e.g. 1%"), "{error}");
        }
        assert_eq!(MinDifference::Percent(2.5).to_string(), "2.5%");
        assert_eq!(MinDifference::default().threshold(877.0), 8.77);
        assert_eq!(MinDifference::Absolute(3.0).threshold(877.0), 3.0);
    }
}
