//! Drawing one run's parameters: every uncertain value once per run, each from its own stream.

use rand_chacha::ChaCha8Rng;

use super::streams::{Purpose, stream};
use crate::scenario::{Correlations, ModelParameters, ParameterSlot, Scenario};
use crate::stats::iman_conover;

/// How many times a draw outside a parameter's valid range is redrawn before it is clamped.
pub const MAX_REDRAWS: usize = 1000;

/// Runs per block within which correlated inputs are rearranged (Iman–Conover): block b holds
/// runs `b · 256 .. (b + 1) · 256`, whatever `--runs`, threads or shards.
pub const CORRELATION_BLOCK_RUNS: u64 = 256;

/// The values one run uses.
#[derive(Debug, Clone, PartialEq)]
pub struct RunParameters {
    /// Model parameters.
    pub model: ModelParameters<f64>,
    /// Cooperation propensity per sector.
    pub propensity: Vec<f64>,
    /// Cluster potential per sector.
    pub potential: Vec<f64>,
    /// First quarter index in which each valley is open (may be 0 or beyond the horizon).
    pub valley_open_quarter: Vec<usize>,
    /// First quarter index in which each measure's money can flow: the quarter containing its
    /// drawn contract start (0 for the implicit measure; may lie beyond the funding period).
    pub measure_start_quarter: Vec<usize>,
    /// Every slot's value in [`Scenario::parameter_slots`] order (for `runs.csv`).
    pub values: Vec<f64>,
}

/// Draws slot `index` for `run`: a fixed value as is; a distribution from stream
/// (seed, Parameter, index, run), redrawn while outside [min, max] up to [`MAX_REDRAWS`] times and
/// then clamped; integer slots rounded half away from zero.
pub fn draw_slot(slot: &ParameterSlot, rng: &mut ChaCha8Rng) -> f64 {
    let mut value = slot.param.sample(rng);
    let mut redraws = 0;
    while !(value >= slot.min && value <= slot.max) && redraws < MAX_REDRAWS {
        value = slot.param.sample(rng);
        redraws += 1;
    }
    let value = if value.is_nan() {
        slot.min
    } else {
        value.clamp(slot.min, slot.max)
    };
    if slot.integer { value.round() } else { value }
}

/// Draws every parameter of run `run`: each input from its prior, except that under a posterior
/// the inputs it covers take the values of run `run`'s particle (and correlations are not
/// imposed: the particles carry the dependence).
pub fn draw_parameters(
    scenario: &Scenario,
    slots: &[ParameterSlot],
    seed: u64,
    run: u64,
) -> RunParameters {
    let posterior = scenario.posterior.as_deref();
    let mut values: Vec<f64> = slots
        .iter()
        .enumerate()
        .map(|(index, slot)| {
            if posterior.is_some_and(|posterior| posterior.column_of_slot[index].is_some()) {
                // Replaced by the run's particle below; its prior stream is left unused.
                return f64::NAN;
            }
            let mut rng = stream(seed, Purpose::Parameter, index as u64, run);
            draw_slot(slot, &mut rng)
        })
        .collect();
    if let Some(posterior) = posterior {
        // The particles carry the calibrated inputs' dependence; correlations do not apply.
        posterior.apply(seed, run, &mut values);
    } else if let Some(correlations) = &scenario.correlations {
        for (slot, value) in
            correlations
                .slots
                .iter()
                .zip(correlated_values(correlations, slots, seed, run))
        {
            values[*slot] = value;
        }
    }
    parameters_from_values(scenario, values)
}

/// The value of `slot` at probability `u` in (0, 1): a fixed value as is; a distribution's
/// quantile within the slot's valid range [min, max] (the quantile of the distribution truncated
/// to that range, as [`draw_slot`]'s redrawing samples it, or the value clamped to the range when
/// the distribution puts no mass inside it); integer slots rounded half away from zero. Used by
/// design-based sensitivity analysis, which places inputs by quantile instead of drawing them.
pub fn slot_value_at(slot: &ParameterSlot, u: f64) -> f64 {
    let value = match &slot.param {
        crate::scenario::Param::Fixed(value) => *value,
        crate::scenario::Param::Random(distribution) => {
            let (below, up_to_max) = (distribution.cdf(slot.min), distribution.cdf(slot.max));
            if up_to_max > below {
                distribution.quantile(below + u * (up_to_max - below))
            } else {
                distribution.quantile(u)
            }
        }
    };
    let value = if value.is_nan() {
        slot.min
    } else {
        value.clamp(slot.min, slot.max)
    };
    if slot.integer { value.round() } else { value }
}

/// A run's parameters from every slot's value, in [`Scenario::parameter_slots`] order.
pub fn parameters_from_values(scenario: &Scenario, values: Vec<f64>) -> RunParameters {
    let model_count = Scenario::model_parameter_count();
    let mut position = 0;
    let model = scenario
        .model
        .map(|_, _| {
            let value = values[position];
            position += 1;
            Ok::<f64, std::convert::Infallible>(value)
        })
        .unwrap_or_else(|never| match never {});
    debug_assert_eq!(position, model_count);
    let sector_values = &values[model_count..model_count + 2 * scenario.sectors.len()];
    let propensity = sector_values.iter().step_by(2).copied().collect();
    let potential = sector_values.iter().skip(1).step_by(2).copied().collect();
    let first_year = f64::from(scenario.budget.first_year);
    let valleys_start = model_count + 2 * scenario.sectors.len();
    let valleys_end = valleys_start + scenario.valleys.len();
    let valley_open_quarter = values[valleys_start..valleys_end]
        .iter()
        .map(|year| ((year - first_year) * 4.0).ceil().max(0.0) as usize)
        .collect();
    let mut measure_years = values[valleys_end..].iter();
    let measure_start_quarter = scenario
        .budget
        .measures
        .iter()
        .map(|measure| match (measure.implicit, measure_years.next()) {
            (false, Some(year)) => {
                crate::scenario::measures::contract_start_quarter(*year, scenario.budget.first_year)
            }
            _ => 0,
        })
        .collect();
    RunParameters {
        model,
        propensity,
        potential,
        valley_open_quarter,
        measure_start_quarter,
        values,
    }
}

/// The values of the correlated inputs in run `run`: every run of the run's block draws its
/// values independently (exactly as without correlations), the block's draws are rearranged by
/// Iman–Conover with the score permutations of stream (seed, Correlation, 0, block), and run
/// `run` takes its position's values. A pure function of (scenario, seed, run): any thread may
/// compute any run, and the first N runs are the same whatever `--runs` is.
///
/// Each run recomputes its block (256 draws per correlated input, each from its own stream, and
/// k sorts), which keeps runs independent of one another at a cost: about 0.8 ms per run with
/// four correlated inputs in the baseline (1,000 runs on one thread: 5.2 s instead of 4.4 s).
fn correlated_values(
    correlations: &Correlations,
    slots: &[ParameterSlot],
    seed: u64,
    run: u64,
) -> Vec<f64> {
    let block = run / CORRELATION_BLOCK_RUNS;
    let first = block * CORRELATION_BLOCK_RUNS;
    let mut columns: Vec<Vec<f64>> = correlations
        .slots
        .iter()
        .map(|&index| {
            (first..first + CORRELATION_BLOCK_RUNS)
                .map(|member| {
                    let mut rng = stream(seed, Purpose::Parameter, index as u64, member);
                    draw_slot(&slots[index], &mut rng)
                })
                .collect()
        })
        .collect();
    let mut rng = stream(seed, Purpose::Correlation, 0, block);
    // The factor is k × k (checked when the scenario was loaded) and the columns are equally
    // long, so the only errors `impose` knows cannot occur here.
    let imposed = iman_conover::impose(&mut columns, &correlations.factor, &mut rng);
    debug_assert!(imposed.is_ok(), "{imposed:?}");
    let position = (run - first) as usize;
    columns.iter().map(|column| column[position]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Distribution, Param};
    use rand::SeedableRng;

    fn slot(param: Param, min: f64, max: f64, integer: bool) -> ParameterSlot {
        ParameterSlot {
            label: "test".into(),
            param,
            min,
            max,
            integer,
        }
    }

    #[test]
    fn draws_outside_the_valid_range_are_redrawn_so_the_distribution_is_truncated() {
        // normal(0.5, 1) on [0, 1]: redrawing gives the normal truncated to [0, 1], whose mean is
        // 0.5 by symmetry; clamping instead would pile 31% of the mass on each bound. With
        // 20,000 draws the mean's standard error is about 0.29/√20000 ≈ 0.002; allow 5 se.
        let slot = slot(
            Param::Random(Distribution::normal(0.5, 1.0).unwrap()),
            0.0,
            1.0,
            false,
        );
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let draws: Vec<f64> = (0..20_000).map(|_| draw_slot(&slot, &mut rng)).collect();
        assert!(draws.iter().all(|v| (0.0..=1.0).contains(v)));
        let at_bounds = draws.iter().filter(|v| **v == 0.0 || **v == 1.0).count();
        assert_eq!(at_bounds, 0, "no mass piles up on the bounds");
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        assert!((mean - 0.5).abs() < 0.01, "{mean}");
    }

    #[test]
    fn a_distribution_almost_entirely_outside_is_clamped_after_the_redraw_limit() {
        // uniform(1, 1e9) on [0, 1.000000001]: almost every draw is outside; after
        // MAX_REDRAWS redraws the value is clamped to the bound, finite.
        let slot = slot(
            Param::Random(Distribution::uniform(1.0, 1e9).unwrap()),
            0.0,
            1.000_000_001,
            false,
        );
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        for _ in 0..20 {
            let value = draw_slot(&slot, &mut rng);
            assert!(value.is_finite() && (0.0..=1.000_000_001).contains(&value));
        }
    }

    #[test]
    fn slot_values_follow_the_truncated_quantile() {
        // uniform(0, 4) on the valid range [1, 2]: the truncated distribution is uniform(1, 2),
        // so u = 0.25 gives 1.25; a fixed value ignores u; an integer slot rounds.
        let truncated = slot(
            Param::Random(Distribution::uniform(0.0, 4.0).unwrap()),
            1.0,
            2.0,
            false,
        );
        assert_eq!(slot_value_at(&truncated, 0.25), 1.25);
        let fixed = slot(Param::Fixed(3.0), 0.0, 10.0, false);
        assert_eq!(slot_value_at(&fixed, 0.9), 3.0);
        let integer = slot(
            Param::Random(Distribution::uniform(0.0, 10.0).unwrap()),
            0.0,
            10.0,
            true,
        );
        assert_eq!(slot_value_at(&integer, 0.33), 3.0);
        // A distribution wholly outside the range is clamped to it.
        let outside = slot(
            Param::Random(Distribution::uniform(5.0, 6.0).unwrap()),
            0.0,
            1.0,
            false,
        );
        assert_eq!(slot_value_at(&outside, 0.5), 1.0);
    }

    #[test]
    fn integer_parameters_are_rounded() {
        let slot = slot(
            Param::Random(Distribution::uniform(2.0, 12.0).unwrap()),
            2.0,
            1000.0,
            true,
        );
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        for _ in 0..100 {
            let value = draw_slot(&slot, &mut rng);
            assert_eq!(value, value.round());
        }
    }
}
