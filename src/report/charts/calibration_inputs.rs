//! `calibration-inputs`: small multiples, one panel per calibrated input, the prior's density
//! (an outline, from its quantile function) against the posterior's (a filled histogram of the
//! particles, weighted), on a common scale per panel.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::Figure;
use super::axis::Axis;
use super::panels::{layout, panel_labels, panel_title};
use super::plot::{self, Labels};
use super::style::{self, Backend, INK, LegendEntry, SKY_BLUE, Style, Swatch, format_value};
use crate::report::calibration_data::{Calibration, InputSummary};

/// Histogram bins per panel.
const BINS: usize = 30;

/// Densities of the prior and the posterior over equal bins of one panel's axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Densities {
    /// Left edge of the first bin.
    pub start: f64,
    /// Bin width.
    pub width: f64,
    /// Prior density per bin (share of the quantile grid ÷ width).
    pub prior: Vec<f64>,
    /// Posterior density per bin (weight ÷ width).
    pub posterior: Vec<f64>,
}

impl Densities {
    /// Both densities of `input` over [`BINS`] equal bins of `[start, end]`.
    pub fn new(input: &InputSummary, start: f64, end: f64) -> Self {
        let width = ((end - start) / BINS as f64).max(f64::MIN_POSITIVE);
        let bin = |value: f64| (((value - start) / width).floor().max(0.0) as usize).min(BINS - 1);
        let mut prior = vec![0.0; BINS];
        let share = 1.0 / input.prior_grid.len().max(1) as f64;
        for value in &input.prior_grid {
            prior[bin(*value)] += share / width;
        }
        let mut posterior = vec![0.0; BINS];
        for (value, weight) in &input.particles {
            posterior[bin(*value)] += weight / width;
        }
        Self {
            start,
            width,
            prior,
            posterior,
        }
    }

    /// The step outline of `density` from the axis up along the bin tops and back down.
    pub fn outline(&self, density: &[f64]) -> Vec<(f64, f64)> {
        let mut points = vec![(self.start, 0.0)];
        for (index, height) in density.iter().enumerate() {
            let left = self.start + self.width * index as f64;
            points.push((left, *height));
            points.push((left + self.width, *height));
        }
        points.push((self.start + self.width * density.len() as f64, 0.0));
        points
    }
}

/// Prior against posterior for every calibrated input.
pub struct PriorPosterior<'a> {
    calibration: &'a Calibration,
}

impl<'a> PriorPosterior<'a> {
    /// The chart of a calibration.
    pub fn new(calibration: &'a Calibration) -> Self {
        Self { calibration }
    }
}

/// The x range of an input's panel: everything the prior grid and the particles cover.
fn span(input: &InputSummary) -> (f64, f64) {
    let values = input
        .prior_grid
        .iter()
        .copied()
        .chain(input.particles.iter().map(|(value, _)| *value));
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(low, high), v| {
        (low.min(v), high.max(v))
    })
}

impl Figure for PriorPosterior<'_> {
    fn name(&self) -> String {
        "calibration-inputs".into()
    }

    fn title(&self) -> String {
        "Calibrated inputs: prior against posterior".into()
    }

    fn description(&self) -> String {
        "Small multiples, one panel per calibrated input: the prior's density as a black \
         outline (from the scenario's distribution, truncated to the valid range) and the \
         posterior's as a filled blue histogram of the particles, weighted; each panel has its \
         own scales, and its tag gives the posterior 90% interval's width as a multiple of the \
         prior's (×0.2: the data narrowed the input to a fifth)."
            .into()
    }

    fn draw<DB: Backend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> anyhow::Result<()> {
        let legend = [
            LegendEntry::new(
                Swatch::Fill {
                    color: SKY_BLUE,
                    outline: None,
                },
                "Posterior (particles, weighted)",
            ),
            LegendEntry::new(
                Swatch::Line {
                    color: INK,
                    width: 3.0,
                    dashed: false,
                },
                "Prior",
            ),
        ];
        let subtitle = format!(
            "Scenario {} · {} particles, effective sample size {} · densities, each panel on \
             its own scales",
            self.calibration.scenario_name,
            self.calibration.posterior.particles(),
            format_value(self.calibration.posterior.effective_sample_size())
        );
        let body = style::frame(root, style, &self.title(), &subtitle, &legend)?;
        let inputs = &self.calibration.inputs;
        let grid = layout(&body, style, inputs.len(), "Input value", "Density")?;
        let panels: Vec<(Axis, Axis, Densities)> = inputs
            .iter()
            .map(|input| {
                let (low, high) = span(input);
                let x = Axis::linear(low, high, 3, false);
                let densities = Densities::new(input, x.min, x.max);
                let peak = densities
                    .prior
                    .iter()
                    .chain(&densities.posterior)
                    .fold(0.0, |peak: f64, d| peak.max(*d));
                (x, Axis::linear(0.0, peak * 1.05, 3, false), densities)
            })
            .collect();
        let font = plot::tick_font(style, true);
        let mut y_label_width = 0;
        for (_, y, _) in &panels {
            y_label_width = y_label_width.max(plot::tick_label_width(root, y, &font)?);
        }
        for ((input, (area, _)), (x, y, densities)) in inputs.iter().zip(grid).zip(&panels) {
            let tag = input
                .width_ratio()
                .map_or(String::new(), |ratio| format!("width ×{ratio:.2}"));
            let plot_area = panel_title(&area, style, &input.label, &tag)?;
            // Every panel has its own x scale, so every panel shows its x tick labels.
            let labels = Labels {
                x_tick_labels: true,
                y_label_width: Some(y_label_width),
                x_grid: false,
                ..panel_labels()
            };
            let mut chart = plot::build(&plot_area, style, x, y, &labels)?;
            plot::draw_mesh(&plot_area, &mut chart, style, x, y, &labels)?;
            chart.draw_series(std::iter::once(Polygon::new(
                densities.outline(&densities.posterior),
                SKY_BLUE.filled(),
            )))?;
            chart.draw_series(LineSeries::new(
                densities.outline(&densities.prior),
                INK.stroke_width(style.upx(2.5)),
            ))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn densities_integrate_to_one_and_put_the_weight_where_the_particles_are() {
        let input = InputSummary {
            label: "model.x".into(),
            prior_grid: (0..1000).map(|k| (k as f64 + 0.5) / 1000.0).collect(),
            prior: [0.5, 0.05, 0.95],
            particles: vec![(0.1, 0.25), (0.92, 0.75)],
            posterior: [0.7, 0.1, 0.9],
        };
        let densities = Densities::new(&input, 0.0, 1.5);
        let area = |d: &[f64]| d.iter().sum::<f64>() * densities.width;
        assert!((area(&densities.prior) - 1.0).abs() < 1e-12);
        assert!((area(&densities.posterior) - 1.0).abs() < 1e-12);
        // 0.92 lies in bin 18 of width 0.05: weight 0.75 ÷ 0.05 = 15.
        assert!((densities.posterior[18] - 15.0).abs() < 1e-9);
        // The uniform prior on [0, 1] has density 1 in every bin below 1, none above.
        assert!(densities.prior[..20].iter().all(|d| (d - 1.0).abs() < 1e-9));
        assert!(densities.prior[20..].iter().all(|d| *d == 0.0));
        let outline = densities.outline(&densities.prior);
        assert_eq!(outline.first(), Some(&(0.0, 0.0)));
        assert_eq!(outline.len(), 2 * BINS + 2);
    }
}
