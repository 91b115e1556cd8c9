//! Running the simulator on sensitivity designs: a Saltelli design for Sobol' indices, Morris
//! trajectories and a tornado, all in one ordered batch of evaluations.
//!
//! An evaluation is one simulation (each policy and the shared no-funding counterfactual, on
//! common random numbers) at given input values on a given random stream. Inputs are the
//! scenario's uncertain parameter slots, placed by quantile ([`slot_value_at`]); fixed slots keep
//! their values. The model's own randomness is one more factor of the Sobol' design: row r of A
//! runs on stream 2r and row r of B on stream 2r + 1, so A_B^(stream) is A's inputs on B's
//! stream, and the stream factor's total index is the share of the output variance that comes
//! from the model's randomness (with its interactions with the inputs). Morris trajectory t runs
//! every point on one stream (so its elementary effects are differences on common random
//! numbers), and tornado replication r runs every setting on one stream.
//!
//! Evaluations are simulated in parallel and collected in evaluation order
//! ([`super::run_in_order`]), so the outputs are the same on any thread count.

use super::{RunSettings, run_in_order, simulate_policies_measuring};
use crate::model::parameters::{parameters_from_values, slot_value_at};
use crate::policy::{AllocationRule, rule_for};
use crate::scenario::{NamedPolicy, ParameterSlot, Scenario};
use crate::stats::sensitivity::morris::DEFAULT_LEVELS;
use crate::stats::sensitivity::{MorrisDesign, SaltelliDesign, Side};

use super::compare::SharedRule;
use super::comparison::compared_headline_indices;
use super::outcomes::HEADLINE_OUTCOMES;

/// First stream index of the Morris trajectories (Sobol' rows use streams below 2^40).
const MORRIS_STREAMS: u64 = 1 << 40;
/// First stream index of the tornado replications.
const TORNADO_STREAMS: u64 = 1 << 41;
/// Percentiles of the tornado's low and high settings.
pub const TORNADO_PERCENTILES: (f64, f64) = (0.1, 0.9);

/// Sizes of the designs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DesignSizes {
    /// Rows N of the Saltelli design.
    pub samples: usize,
    /// Morris trajectories.
    pub trajectories: usize,
    /// Tornado replications.
    pub replications: usize,
}

/// One outcome the analysis explains: a headline outcome of one policy, or the paired
/// difference of the second policy minus the first.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysedOutcome {
    /// Headline outcome name.
    pub outcome: &'static str,
    /// The policy, or `"b - a"` for a paired difference.
    pub policy: String,
}

/// Everything needed to evaluate the designs.
pub struct SensitivityPlan<'a> {
    scenario: &'a Scenario,
    slots: Vec<ParameterSlot>,
    /// Slot index of each uncertain input, in slot order.
    pub inputs: Vec<usize>,
    policies: Vec<NamedPolicy>,
    rules: Vec<Box<SharedRule>>,
    /// The outcomes, in output order.
    pub outcomes: Vec<AnalysedOutcome>,
    seed: u64,
    /// The Saltelli design over the inputs and the stream (the last factor).
    pub saltelli: SaltelliDesign,
    /// Morris trajectories over the inputs.
    pub morris: MorrisDesign,
    /// Tornado replications.
    pub replications: usize,
    /// Slot values of A's and B's rows, `row · slots + slot`.
    a_values: Vec<f64>,
    b_values: Vec<f64>,
}

impl SensitivityPlan<'_> {
    /// The uncertain inputs' slot values in row `row` of A (`b` false) or B (`b` true), in the
    /// order of [`inputs`](Self::inputs).
    pub fn input_values(&self, row: usize, b: bool) -> Vec<f64> {
        let width = self.slots.len();
        let values = if b { &self.b_values } else { &self.a_values };
        let row = &values[row * width..(row + 1) * width];
        self.inputs.iter().map(|&slot| row[slot]).collect()
    }
}

impl SensitivityPlan<'_> {
    /// The uncertain inputs' labels.
    pub fn input_labels(&self) -> Vec<String> {
        self.inputs
            .iter()
            .map(|&slot| self.slots[slot].label.clone())
            .collect()
    }

    /// The uncertain inputs' slots.
    pub fn input_slots(&self) -> Vec<&ParameterSlot> {
        self.inputs.iter().map(|&slot| &self.slots[slot]).collect()
    }

    /// Number of evaluations: Saltelli, then Morris, then tornado.
    pub fn evaluations(&self) -> usize {
        self.saltelli.evaluations() + self.morris.evaluations() + self.tornado_evaluations()
    }

    fn tornado_evaluations(&self) -> usize {
        self.replications * (2 * self.inputs.len() + 1)
    }
}

/// Why a sensitivity analysis cannot run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SensitivityError {
    /// No input is uncertain.
    #[error(
        "the scenario has no uncertain inputs: every parameter is a fixed number, so there is nothing to apportion; give some parameters a distribution, e.g. {{\"pert\": {{\"min\": 0.5, \"mode\": 1, \"max\": 2}}}}"
    )]
    NoUncertainInputs,
    /// The design could not be built.
    #[error("{0}")]
    Design(String),
}

impl<'a> SensitivityPlan<'a> {
    /// Builds the designs for `scenario` under `policies` (one or two), scrambled and drawn with
    /// `seed`.
    pub fn new(
        scenario: &'a Scenario,
        policies: Vec<NamedPolicy>,
        sizes: DesignSizes,
        seed: u64,
    ) -> Result<Self, SensitivityError> {
        let slots = scenario.parameter_slots();
        let inputs: Vec<usize> = slots
            .iter()
            .enumerate()
            .filter(|(_, slot)| slot.param.is_random())
            .map(|(index, _)| index)
            .collect();
        if inputs.is_empty() {
            return Err(SensitivityError::NoUncertainInputs);
        }
        let factors = inputs.len() + 1;
        let saltelli = SaltelliDesign::new(factors, sizes.samples, seed)
            .map_err(|error| SensitivityError::Design(error.to_string()))?;
        let morris = MorrisDesign::new(
            inputs.len(),
            sizes.trajectories,
            DEFAULT_LEVELS,
            seed ^ 0x4D4F_5252_4953_0000,
        )
        .map_err(|error| SensitivityError::Design(error.to_string()))?;
        let values_at = |u: &[f64]| -> Vec<f64> {
            let mut values: Vec<f64> = slots.iter().map(|slot| slot_value_at(slot, 0.5)).collect();
            for (&slot, &u) in inputs.iter().zip(u) {
                values[slot] = slot_value_at(&slots[slot], u);
            }
            values
        };
        let mut a_values = Vec::with_capacity(sizes.samples * slots.len());
        let mut b_values = Vec::with_capacity(sizes.samples * slots.len());
        for row in 0..sizes.samples {
            use crate::stats::sensitivity::Evaluation;
            a_values.extend(values_at(&saltelli.point(Evaluation::A { row })));
            b_values.extend(values_at(&saltelli.point(Evaluation::B { row })));
        }
        let mut outcomes: Vec<AnalysedOutcome> = policies
            .iter()
            .flat_map(|policy| {
                HEADLINE_OUTCOMES.iter().map(|outcome| AnalysedOutcome {
                    outcome,
                    policy: policy.name.clone(),
                })
            })
            .collect();
        if let [first, second] = &policies[..] {
            outcomes.extend(
                compared_headline_indices()
                    .into_iter()
                    .map(|index| AnalysedOutcome {
                        outcome: HEADLINE_OUTCOMES[index],
                        policy: format!("{} - {}", second.name, first.name),
                    }),
            );
        }
        let rules = policies
            .iter()
            .map(|named| rule_for(&named.policy.rule))
            .collect();
        Ok(SensitivityPlan {
            scenario,
            slots,
            inputs,
            policies,
            rules,
            outcomes,
            seed,
            saltelli,
            morris,
            replications: sizes.replications,
            a_values,
            b_values,
        })
    }

    /// The slot values and stream of evaluation `index`.
    fn setting(&self, index: usize) -> (Vec<f64>, u64) {
        let saltelli = self.saltelli.evaluations();
        let morris = self.morris.evaluations();
        let width = self.slots.len();
        let medians = || -> Vec<f64> {
            self.slots
                .iter()
                .map(|slot| slot_value_at(slot, 0.5))
                .collect()
        };
        if index < saltelli {
            let evaluation = self.saltelli.evaluation(index);
            let row = evaluation.row();
            let (a, b) = (
                &self.a_values[row * width..(row + 1) * width],
                &self.b_values[row * width..(row + 1) * width],
            );
            let mut values = a.to_vec();
            for (factor, &slot) in self.inputs.iter().enumerate() {
                if evaluation.side(factor) == Side::B {
                    values[slot] = b[slot];
                }
            }
            let stream = match evaluation.side(self.inputs.len()) {
                Side::A => 2 * row as u64,
                Side::B => 2 * row as u64 + 1,
            };
            (values, stream)
        } else if index < saltelli + morris {
            let index = index - saltelli;
            let trajectory = index / (self.inputs.len() + 1);
            let mut values = medians();
            for (&slot, &u) in self.inputs.iter().zip(self.morris.point(index)) {
                values[slot] = slot_value_at(&self.slots[slot], u);
            }
            (values, MORRIS_STREAMS + trajectory as u64)
        } else {
            let index = index - saltelli - morris;
            let per_replication = 2 * self.inputs.len() + 1;
            let replication = index / per_replication;
            let mut values = medians();
            let setting = index % per_replication;
            if setting > 0 {
                let input = (setting - 1) / 2;
                let slot = self.inputs[input];
                let (low, high) = TORNADO_PERCENTILES;
                let u = if (setting - 1) % 2 == 0 { low } else { high };
                values[slot] = slot_value_at(&self.slots[slot], u);
            }
            (values, TORNADO_STREAMS + replication as u64)
        }
    }

    /// Simulates evaluation `index` and returns its outputs, one per [`Self::outcomes`].
    pub fn evaluate(&self, index: usize) -> Vec<f64> {
        let (values, stream) = self.setting(index);
        let parameters = parameters_from_values(self.scenario, values);
        let funding: Vec<_> = self
            .policies
            .iter()
            .zip(&self.rules)
            .map(|(named, rule)| Some((&named.policy, rule.as_ref() as &dyn AllocationRule)))
            .collect();
        // Only headlines are used: no policy's network structure is measured.
        let records = simulate_policies_measuring(
            self.scenario,
            &parameters,
            &funding,
            self.seed,
            stream,
            &|_| false,
        );
        let mut outputs: Vec<f64> = records
            .iter()
            .flat_map(|record| record.headline.iter().copied())
            .collect();
        if let [first, second] = &records[..] {
            outputs.extend(
                compared_headline_indices()
                    .into_iter()
                    .map(|index| second.headline[index] - first.headline[index]),
            );
        }
        outputs
    }
}

/// Model outputs of every evaluation, split by design.
#[derive(Debug, Clone, PartialEq)]
pub struct DesignOutputs {
    /// `saltelli[outcome][evaluation]`.
    pub saltelli: Vec<Vec<f64>>,
    /// `morris[outcome][evaluation]`.
    pub morris: Vec<Vec<f64>>,
    /// `tornado[outcome][setting]`: the mean over replications of setting 0 (every input at its
    /// median), then each input's low and high setting.
    pub tornado: Vec<Vec<f64>>,
}

/// Simulates every evaluation on `threads` workers; `progress` is called once per evaluation.
pub fn evaluate_designs(
    plan: &SensitivityPlan,
    threads: usize,
    progress: &(dyn Fn() + Sync),
) -> anyhow::Result<DesignOutputs> {
    let outcomes = plan.outcomes.len();
    let saltelli = plan.saltelli.evaluations();
    let morris = plan.morris.evaluations();
    let per_replication = 2 * plan.inputs.len() + 1;
    let mut outputs = DesignOutputs {
        saltelli: vec![Vec::with_capacity(saltelli); outcomes],
        morris: vec![Vec::with_capacity(morris); outcomes],
        tornado: vec![vec![0.0; per_replication]; outcomes],
    };
    let mut index = 0usize;
    let replications = plan.replications.max(1) as f64;
    run_in_order(
        RunSettings {
            runs: plan.evaluations() as u64,
            seed: plan.seed,
            threads,
        },
        &|| false,
        &|evaluation| {
            let values = plan.evaluate(evaluation as usize);
            progress();
            values
        },
        &mut |values: &Vec<f64>| {
            for (outcome, &value) in values.iter().enumerate() {
                if index < saltelli {
                    outputs.saltelli[outcome].push(value);
                } else if index < saltelli + morris {
                    outputs.morris[outcome].push(value);
                } else {
                    let setting = (index - saltelli - morris) % per_replication;
                    outputs.tornado[outcome][setting] += value / replications;
                }
            }
            index += 1;
            Ok(false)
        },
    )?;
    Ok(outputs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load_baseline;

    #[test]
    fn saltelli_evaluations_swap_exactly_one_factor_or_the_stream() {
        let scenario = load_baseline().unwrap();
        let plan = SensitivityPlan::new(
            &scenario,
            vec![scenario.main_policy()],
            DesignSizes {
                samples: 4,
                trajectories: 2,
                replications: 1,
            },
            9,
        )
        .unwrap();
        let k = plan.inputs.len();
        let (a, a_stream) = plan.setting(0);
        let (b, b_stream) = plan.setting(1);
        assert_eq!((a_stream, b_stream), (0, 1));
        for factor in 0..k {
            let (mixed, stream) = plan.setting(2 + factor);
            assert_eq!(stream, 0);
            for (slot, value) in mixed.iter().enumerate() {
                let expected = if slot == plan.inputs[factor] {
                    b[slot]
                } else {
                    a[slot]
                };
                assert_eq!(*value, expected);
            }
        }
        let (stream_swapped, stream) = plan.setting(2 + k);
        assert_eq!((stream_swapped, stream), (a, 1));
        assert_eq!(plan.evaluations(), 4 * (k + 3) + 2 * (k + 1) + 2 * k + 1);
    }

    #[test]
    fn the_stream_factor_recovers_the_share_of_noise() {
        // A synthetic model on the design's settings: f = x + σ z, with x the first input's value
        // and z a standard normal keyed by the evaluation's stream, as the simulator's randomness
        // is. The stream's total index must be σ² / (Var x + σ²), the input's (and its first-order
        // index) Var x / (Var x + σ²), and every other input's zero.
        use crate::stats::sensitivity::sobol_indices;
        use rand::SeedableRng;
        use rand_distr::Distribution as _;
        let scenario = load_baseline().unwrap();
        let plan = SensitivityPlan::new(
            &scenario,
            vec![scenario.main_policy()],
            DesignSizes {
                samples: 2048,
                trajectories: 2,
                replications: 2,
            },
            3,
        )
        .unwrap();
        let slot = plan.inputs[0];
        // Var x from a fine midpoint grid over u (the variance of the truncated quantile map).
        let grid: Vec<f64> = (0..100_000)
            .map(|i| slot_value_at(&plan.slots[slot], (f64::from(i) + 0.5) / 100_000.0))
            .collect();
        let mean = grid.iter().sum::<f64>() / grid.len() as f64;
        let variance = grid.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / grid.len() as f64;
        let sigma = variance.sqrt(); // equal shares: the truth is ½ and ½
        let outputs: Vec<f64> = (0..plan.saltelli.evaluations())
            .map(|index| {
                let (values, stream) = plan.setting(index);
                let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(99);
                rng.set_stream(stream);
                let z: f64 = rand_distr::StandardNormal.sample(&mut rng);
                values[slot] + sigma * z
            })
            .collect();
        let indices = sobol_indices(&plan.saltelli, &outputs, 200, 1).unwrap();
        let k = plan.inputs.len();
        // Tolerance: four standard errors of each estimator's mean term (sd/√N/V), the
        // sample-size-derived bound of the Ishigami test.
        for (estimate, truth) in [
            (indices.total[k], 0.5),
            (indices.total[0], 0.5),
            (indices.first[0], 0.5),
            (indices.total[1], 0.0),
        ] {
            assert!(
                (estimate.value - truth).abs() <= 4.0 * estimate.standard_error + 1e-12,
                "{estimate:?} vs {truth}"
            );
        }
    }

    #[test]
    fn tornado_settings_move_one_input_to_its_percentiles() {
        let scenario = load_baseline().unwrap();
        let plan = SensitivityPlan::new(
            &scenario,
            vec![scenario.main_policy()],
            DesignSizes {
                samples: 2,
                trajectories: 1,
                replications: 2,
            },
            1,
        )
        .unwrap();
        let start = plan.saltelli.evaluations() + plan.morris.evaluations();
        let (base, stream) = plan.setting(start);
        assert_eq!(stream, TORNADO_STREAMS);
        let (low, _) = plan.setting(start + 1);
        let (high, _) = plan.setting(start + 2);
        let slot = plan.inputs[0];
        assert!(low[slot] <= base[slot] && base[slot] <= high[slot]);
        assert!(low[slot] < high[slot]);
        let changed = (0..base.len()).filter(|&s| low[s] != base[s]).count();
        assert_eq!(changed, 1);
        let per_replication = 2 * plan.inputs.len() + 1;
        assert_eq!(plan.setting(start + per_replication).1, TORNADO_STREAMS + 1);
    }
}
