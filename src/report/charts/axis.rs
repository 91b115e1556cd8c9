//! Axis ranges and tick positions, chosen here rather than by plotters so that ticks fall on
//! round numbers, labels carry thousands separators, and years never get a comma.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;

use super::style::{decimals_for_step, format_number, nice_step};

/// A linear plotters coordinate whose grid lines and ticks are exactly our tick positions
/// (labels come from [`Axis::label`] through the mesh's formatter).
pub struct Coord {
    linear: RangedCoordf64,
    ticks: Vec<f64>,
}

impl Ranged for Coord {
    type ValueType = f64;
    type FormatOption = DefaultFormatting;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.linear.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.linear.range()
    }
}

/// How tick labels are written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TickFormat {
    /// A number with thousands separators and this many decimals.
    Number(usize),
    /// A calendar year (no separator).
    Year,
    /// A probability written as a percentage.
    Percent,
}

/// One axis: its range, ticks and label format.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// Lower end.
    pub min: f64,
    /// Upper end.
    pub max: f64,
    /// Tick positions.
    pub ticks: Vec<f64>,
    /// Label format.
    pub format: TickFormat,
}

impl Axis {
    /// A linear axis covering `[low, high]`, widened to round ticks about `target` ticks apart
    /// (at least 1 apart when `integer`).
    pub fn linear(low: f64, high: f64, target: usize, integer: bool) -> Self {
        let (mut low, mut high) = if low.is_finite() && high.is_finite() && low <= high {
            (low, high)
        } else {
            (0.0, 1.0)
        };
        if high - low < f64::EPSILON * high.abs().max(1.0) {
            let pad = if low == 0.0 { 1.0 } else { low.abs() * 0.1 };
            (low, high) = if low >= 0.0 && low - pad < 0.0 {
                (0.0, high + pad)
            } else {
                (low - pad, high + pad)
            };
        }
        let mut step = nice_step((high - low) / target.max(1) as f64);
        if integer {
            step = step.max(1.0);
        }
        let first = (low / step + 1e-9).floor() as i64;
        let last = (high / step - 1e-9).ceil() as i64;
        let decimals = decimals_for_step(step);
        let ticks: Vec<f64> = (first..=last)
            .map(|i| clean(i as f64 * step, decimals))
            .collect();
        Self {
            min: ticks[0],
            max: ticks[ticks.len() - 1],
            ticks,
            format: TickFormat::Number(decimals),
        }
    }

    /// A probability axis from 0 to 1 with ticks every 25 percentage points.
    pub fn probability() -> Self {
        Self {
            min: 0.0,
            max: 1.0,
            ticks: vec![0.0, 0.25, 0.5, 0.75, 1.0],
            format: TickFormat::Percent,
        }
    }

    /// A time axis from `min` to `max` (fractional years) with a tick on whole years, every 1,
    /// 2, 3, 5 or 10 years so that there are at most `max_ticks`, counted from `first_year`.
    pub fn years(min: f64, max: f64, first_year: i32, max_ticks: usize) -> Self {
        let span = (max - min).max(1.0);
        let step = [1, 2, 3, 5, 10, 20, 50]
            .into_iter()
            .find(|step| span / f64::from(*step) + 1.0 <= max_ticks.max(2) as f64)
            .unwrap_or(100);
        let ticks = (0..)
            .map(|k| f64::from(first_year + k * step))
            .take_while(|year| *year <= max + 1e-9)
            .filter(|year| *year >= min - 1e-9)
            .collect();
        Self {
            min,
            max,
            ticks,
            format: TickFormat::Year,
        }
    }

    /// The plotters coordinate of this axis.
    pub fn coord(&self) -> Coord {
        Coord {
            linear: (self.min..self.max).into(),
            ticks: self.ticks.clone(),
        }
    }

    /// The tick label of `value`.
    pub fn label(&self, value: f64) -> String {
        match self.format {
            TickFormat::Number(decimals) => format_number(value, decimals),
            TickFormat::Year => format!("{}", value.round() as i64),
            TickFormat::Percent => format!("{}%", format_number(value * 100.0, 0)),
        }
    }

    /// Clamps `value` into the axis range (used to clip bands that leave the plot).
    pub fn clamp(&self, value: f64) -> f64 {
        value.clamp(self.min, self.max)
    }
}

/// `value` rounded to `decimals` decimals, so ticks like 0.30000000000000004 become 0.3.
fn clean(value: f64, decimals: usize) -> f64 {
    let factor = 10f64.powi(decimals as i32);
    let rounded = (value * factor).round() / factor;
    if rounded == 0.0 { 0.0 } else { rounded }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_ticks_are_round() {
        let axis = Axis::linear(0.0, 1_234.0, 6, true);
        assert_eq!(axis.ticks, vec![0.0, 250.0, 500.0, 750.0, 1_000.0, 1_250.0]);
        assert_eq!((axis.min, axis.max), (0.0, 1_250.0));
        assert_eq!(axis.label(1_000.0), "1,000");

        let axis = Axis::linear(0.0, 1_000.0, 3, true);
        assert_eq!(axis.ticks, vec![0.0, 500.0, 1_000.0]);

        let axis = Axis::linear(0.1, 0.73, 6, false);
        assert_eq!(axis.ticks, vec![0.0, 0.2, 0.4, 0.6, 0.8]);
        assert_eq!(axis.label(0.6), "0.6");
    }

    #[test]
    fn integer_axes_never_step_below_one() {
        let axis = Axis::linear(0.0, 2.0, 6, true);
        assert_eq!(axis.ticks, vec![0.0, 1.0, 2.0]);
    }

    #[test]
    fn degenerate_ranges_widen() {
        let axis = Axis::linear(0.0, 0.0, 5, true);
        assert_eq!((axis.min, axis.max), (0.0, 1.0));
        let axis = Axis::linear(f64::NAN, 3.0, 5, false);
        assert_eq!((axis.min, axis.max), (0.0, 1.0));
        let axis = Axis::linear(50.0, 50.0, 5, false);
        assert!(axis.min < 50.0 && axis.max > 50.0);
    }

    #[test]
    fn year_ticks_have_no_separator() {
        let axis = Axis::years(2007.0, 2016.3, 2007, 12);
        assert_eq!(axis.ticks.len(), 10);
        assert_eq!(axis.label(2016.0), "2016");
        let axis = Axis::years(2007.0, 2016.3, 2007, 5);
        assert_eq!(axis.ticks, vec![2007.0, 2010.0, 2013.0, 2016.0]);
    }

    #[test]
    fn percent_labels() {
        assert_eq!(Axis::probability().label(0.75), "75%");
    }
}
