//! The scenario's uncertain inputs as an ABC prior: every parameter slot drawn from a
//! distribution (fixed numbers stay fixed and are not calibrated), with the density of the value
//! a run would use — the distribution restricted to the slot's valid range, as
//! [`draw_slot`] samples it, and for integer slots the probability of the rounded value.

use rand_chacha::ChaCha8Rng;

use super::abc::Prior;
use crate::model::parameters::draw_slot;
use crate::scenario::{Param, ParameterSlot, Scenario};

/// The calibrated inputs of a scenario.
#[derive(Debug, Clone)]
pub struct ScenarioPrior {
    /// Every parameter slot of the scenario.
    slots: Vec<ParameterSlot>,
    /// Indices into `slots` of the uncertain ones, in slot order.
    calibrated: Vec<usize>,
}

impl ScenarioPrior {
    /// The prior of a scenario's uncertain inputs. Correlated inputs are refused: their joint
    /// density (an Iman–Conover rearrangement) has no closed form.
    pub fn new(scenario: &Scenario) -> anyhow::Result<Self> {
        if scenario.correlations.is_some() {
            anyhow::bail!(
                "calibrate does not support rank correlations between inputs (the scenario's \"correlations\"): their joint prior density has no closed form; calibrate a copy without them"
            );
        }
        let slots = scenario.parameter_slots();
        let calibrated: Vec<usize> = slots
            .iter()
            .enumerate()
            .filter(|(_, slot)| slot.param.is_random())
            .map(|(index, _)| index)
            .collect();
        if calibrated.is_empty() {
            anyhow::bail!(
                "the scenario has no uncertain inputs to calibrate: write at least one model, sector or valley value as a distribution"
            );
        }
        Ok(Self { slots, calibrated })
    }

    /// Labels of the calibrated inputs (their `runs.csv` names), in slot order.
    pub fn labels(&self) -> Vec<String> {
        self.calibrated
            .iter()
            .map(|index| self.slots[*index].label.clone())
            .collect()
    }

    /// The calibrated slots, in order.
    pub fn calibrated_slots(&self) -> Vec<&ParameterSlot> {
        self.calibrated
            .iter()
            .map(|index| &self.slots[*index])
            .collect()
    }

    /// Every slot's value for a run: the fixed values, with the calibrated ones from `theta`.
    pub fn full_values(&self, theta: &[f64]) -> Vec<f64> {
        let mut values: Vec<f64> = self.slots.iter().map(|slot| slot.param.mean()).collect();
        for (index, value) in self.calibrated.iter().zip(theta) {
            values[*index] = *value;
        }
        values
    }
}

/// ln of the prior density (or probability, for an integer slot) of `value` in `slot`, up to the
/// slot's constant truncation mass; −∞ outside the slot's valid range.
pub fn slot_ln_density(slot: &ParameterSlot, value: f64) -> f64 {
    let Param::Random(distribution) = &slot.param else {
        return 0.0;
    };
    if !(value >= slot.min && value <= slot.max) {
        return f64::NEG_INFINITY;
    }
    if slot.integer {
        let low = (value - 0.5).max(slot.min);
        let high = (value + 0.5).min(slot.max);
        let mass = distribution.cdf(high) - distribution.cdf(low);
        return if mass > 0.0 {
            mass.ln()
        } else {
            f64::NEG_INFINITY
        };
    }
    distribution.ln_pdf(value)
}

impl Prior for ScenarioPrior {
    fn dimension(&self) -> usize {
        self.calibrated.len()
    }

    fn sample(&self, rng: &mut ChaCha8Rng) -> Vec<f64> {
        self.calibrated
            .iter()
            .map(|index| draw_slot(&self.slots[*index], rng))
            .collect()
    }

    fn ln_density(&self, theta: &[f64]) -> f64 {
        self.calibrated
            .iter()
            .zip(theta)
            .map(|(index, value)| slot_ln_density(&self.slots[*index], *value))
            .sum()
    }

    fn integer(&self) -> Vec<bool> {
        self.calibrated
            .iter()
            .map(|index| self.slots[*index].integer)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Distribution;

    fn slot(param: Param, min: f64, max: f64, integer: bool) -> ParameterSlot {
        ParameterSlot {
            label: "model.x".into(),
            param,
            min,
            max,
            integer,
        }
    }

    /// An integer slot's probability is the distribution's mass rounding to the value:
    /// uniform on [0, 10] gives 1/10 to 3 (from [2.5, 3.5)) and 1/20 to 0 (from [0, 0.5)).
    #[test]
    fn integer_slots_use_the_mass_of_the_rounding_cell() {
        let uniform = Param::Random(Distribution::uniform(0.0, 10.0).unwrap());
        let integer = slot(uniform, 0.0, 10.0, true);
        assert!((slot_ln_density(&integer, 3.0) - 0.1f64.ln()).abs() < 1e-12);
        assert!((slot_ln_density(&integer, 0.0) - 0.05f64.ln()).abs() < 1e-12);
        assert_eq!(slot_ln_density(&integer, 11.0), f64::NEG_INFINITY);
    }

    /// A continuous slot uses the density, and nothing outside the slot's valid range.
    #[test]
    fn continuous_slots_use_the_density_inside_the_valid_range() {
        let normal = Param::Random(Distribution::normal(0.5, 1.0).unwrap());
        let bounded = slot(normal.clone(), 0.0, 1.0, false);
        let Param::Random(distribution) = &normal else {
            unreachable!()
        };
        assert_eq!(slot_ln_density(&bounded, 0.2), distribution.ln_pdf(0.2));
        assert_eq!(slot_ln_density(&bounded, -0.1), f64::NEG_INFINITY);
        assert_eq!(slot_ln_density(&bounded, 1.1), f64::NEG_INFINITY);
    }
}
