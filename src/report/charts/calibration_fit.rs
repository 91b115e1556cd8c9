//! `calibration-fit`: the predictive check, one panel per target: the prior and posterior
//! predictive 90% intervals with their means, the observation (or bound) as a vertical line over
//! its acceptable band, and for a misfit the closest value any posterior draw reached.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::Figure;
use super::axis::{Axis, TickFormat};
use super::panels::{layout, panel_labels, panel_title};
use super::plot::{self, Labels};
use super::style::{
    self, BLUE, BLUISH_GREEN, Backend, INK, LegendEntry, OTHER, Style, Swatch, VERMILLION, tint,
};
use crate::report::calibration_data::{Calibration, FitRow};

/// Height of the prior's interval in a panel (the posterior's is at 1, the panel spans 0–3).
const PRIOR_ROW: f64 = 2.0;
/// Height of the posterior's interval.
const POSTERIOR_ROW: f64 = 1.0;

/// The predictive check of every target.
pub struct PredictiveCheck<'a> {
    calibration: &'a Calibration,
}

impl<'a> PredictiveCheck<'a> {
    /// The chart of a calibration.
    pub fn new(calibration: &'a Calibration) -> Self {
        Self { calibration }
    }
}

/// The x range of a target's panel: observation, band, both intervals and the closest value,
/// widened by a tenth of the range on each side (not below 0 for values that are all ≥ 0), so
/// that a one-sided band and marks at the ends stay visible.
pub fn span(row: &FitRow) -> (f64, f64) {
    let values = [Some(row.observed), row.lower, row.upper, row.closest]
        .into_iter()
        .chain(row.prior)
        .chain(row.posterior)
        .flatten()
        .filter(|v| v.is_finite());
    let (low, high) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(low, high), v| {
        (low.min(v), high.max(v))
    });
    let pad = 0.1 * (high - low);
    let padded_low = if low >= 0.0 {
        (low - pad).max(0.0)
    } else {
        low - pad
    };
    (padded_low, high + pad)
}

impl Figure for PredictiveCheck<'_> {
    fn name(&self) -> String {
        "calibration-fit".into()
    }

    fn title(&self) -> String {
        "Predictive check: simulated against observed, per target".into()
    }

    fn description(&self) -> String {
        "Small multiples, one panel per target: the prior predictive 90% interval (grey, upper \
         bar) and the posterior predictive 90% interval (blue, lower bar), each with its mean \
         as a dot; the observed value or bound as a black vertical line over its acceptable \
         band (green); panels of misfits are tagged 'misfit' and mark the closest value a \
         posterior draw reached with a vermillion cross; each panel has its own scale."
            .into()
    }

    fn draw<DB: Backend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> anyhow::Result<()> {
        let band = tint(BLUISH_GREEN, 0.25);
        let mut legend = vec![
            LegendEntry::new(
                Swatch::Line {
                    color: OTHER,
                    width: 8.0,
                    dashed: false,
                },
                "Prior predictive 90% (dot: mean)",
            ),
            LegendEntry::new(
                Swatch::Line {
                    color: BLUE,
                    width: 8.0,
                    dashed: false,
                },
                "Posterior predictive 90% (dot: mean)",
            ),
            LegendEntry::new(
                Swatch::Line {
                    color: INK,
                    width: 3.0,
                    dashed: false,
                },
                "Observed value or bound",
            ),
            LegendEntry::new(
                Swatch::Fill {
                    color: band,
                    outline: None,
                },
                "Acceptable band",
            ),
        ];
        let misfits = self.calibration.misfits().len();
        if misfits > 0 {
            legend.push(LegendEntry::new(
                Swatch::Fill {
                    color: VERMILLION,
                    outline: None,
                },
                "Closest simulated value (misfits)",
            ));
        }
        let subtitle = format!(
            "Scenario {} · {} targets, {} misfit{} · each panel on its own scale",
            self.calibration.scenario_name,
            self.calibration.fit.len(),
            misfits,
            if misfits == 1 { "" } else { "s" }
        );
        let body = style::frame(root, style, &self.title(), &subtitle, &legend)?;
        let fit = &self.calibration.fit;
        if fit.is_empty() {
            style::notice(&body, style, "fit.csv lists no targets.")?;
            return Ok(());
        }
        let grid = layout(&body, style, fit.len(), "Simulated or observed value", "")?;
        let y = Axis {
            min: 0.0,
            max: PRIOR_ROW + POSTERIOR_ROW,
            ticks: Vec::new(),
            format: TickFormat::Number(0),
        };
        let radius = style.upx(6.0) as i32;
        let row_font = plot::tick_font(style, true);
        let row_names = [(PRIOR_ROW, "prior"), (POSTERIOR_ROW, "posterior")];
        let mut row_label_width = 0;
        for (_, name) in row_names {
            row_label_width = row_label_width.max(root.estimate_text_size(name, &row_font)?.0);
        }
        for (row, (area, _)) in fit.iter().zip(grid) {
            let (low, high) = span(row);
            let x = Axis::linear(low, high, 3, false);
            let tag = if row.misfit { "misfit" } else { "" };
            let plot_area = panel_title(&area, style, &row.target, tag)?;
            let labels = Labels {
                x_tick_labels: true,
                y_label_width: Some(row_label_width),
                x_grid: true,
                ..panel_labels()
            };
            let mut chart = plot::build(&plot_area, style, &x, &y, &labels)?;
            let from = row.lower.unwrap_or(x.min).max(x.min);
            let to = row.upper.unwrap_or(x.max).min(x.max);
            if from < to {
                plot::shade_period(&mut chart, (from, to), &y, band)?;
            }
            plot::draw_mesh(&plot_area, &mut chart, style, &x, &y, &labels)?;
            // The rows are named at the left, so that print in grey still tells them apart.
            for (height, name) in row_names {
                plot::text_at(
                    &plot_area,
                    &chart,
                    style,
                    (x.min, height),
                    (-style.px(8.0), 0),
                    name,
                    &row_font,
                    (HPos::Right, VPos::Center),
                )?;
            }
            for (summary, height, color) in [
                (row.prior, PRIOR_ROW, OTHER),
                (row.posterior, POSTERIOR_ROW, BLUE),
            ] {
                if let [_, Some(p05), Some(p95)] = summary {
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(p05, height), (p95, height)],
                        color.stroke_width(style.upx(8.0)),
                    )))?;
                }
                if let Some(mean) = summary[0] {
                    chart.draw_series(std::iter::once(Circle::new(
                        (mean, height),
                        radius,
                        INK.filled(),
                    )))?;
                }
            }
            let line = INK.stroke_width(style.reference_width());
            let font = style.annotation_font();
            plot::vertical_line(
                &plot_area,
                &chart,
                style,
                row.observed,
                &y,
                line,
                false,
                None,
                &font,
            )?;
            if let (true, Some(closest)) = (row.misfit, row.closest) {
                chart.draw_series(std::iter::once(Cross::new(
                    (closest, POSTERIOR_ROW),
                    radius + style.upx(2.0) as i32,
                    VERMILLION.stroke_width(style.upx(3.0)),
                )))?;
            }
        }
        Ok(())
    }
}
