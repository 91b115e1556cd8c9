//! `convergence`: the running mean of the headline outcome (networked SMEs at the horizon) over
//! the first n runs, ± 2 standard errors, against n — how many runs are enough.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::Figure;
use super::axis::Axis;
use super::data;
use super::plot::{self, Labels};
use super::style::{
    self, BLUE, Backend, INK, LegendEntry, OUTER_BAND, Style, Swatch, format_number, tint,
};
use crate::engine::outcomes::mean_decimals;
use crate::report::results::ResultSet;
use crate::stats::Moments;

/// The outcome whose running mean is drawn.
pub const OUTCOME: &str = "networked_smes";

/// At most this many points are drawn; longer traces are thinned evenly (the last run is
/// always kept).
const MAX_POINTS: usize = 2_000;

/// One point of the trace.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TracePoint {
    /// Runs so far.
    pub runs: u64,
    /// Mean of those runs.
    pub mean: f64,
    /// Standard error of that mean (0 for one run).
    pub standard_error: f64,
}

/// The running mean and standard error after each value, in order, thinned to at most
/// [`MAX_POINTS`] points. Uses [`Moments`], so the last point equals the summary.
#[cfg(test)]
pub fn trace(values: &[f64]) -> Vec<TracePoint> {
    let mut builder = TraceBuilder::new(values.len());
    values.iter().for_each(|value| builder.push(*value));
    builder.finish()
}

/// [`trace`] fed one value at a time, for a number of values known in advance (a first read of
/// the file counts them): memory is the at most [`MAX_POINTS`] + 1 points, whatever the count.
#[derive(Debug, Clone)]
pub struct TraceBuilder {
    total: usize,
    every: usize,
    seen: usize,
    moments: Moments,
    points: Vec<TracePoint>,
}

impl TraceBuilder {
    /// A trace of `total` values: every `ceil(total / MAX_POINTS)`-th running value is kept,
    /// and the last.
    pub fn new(total: usize) -> Self {
        Self {
            total,
            every: total.div_ceil(MAX_POINTS).max(1),
            seen: 0,
            moments: Moments::new(),
            points: Vec::with_capacity(total.min(MAX_POINTS) + 1),
        }
    }

    /// Adds the next value.
    pub fn push(&mut self, value: f64) {
        self.moments.push(value);
        self.seen += 1;
        if self.seen % self.every == 0 || self.seen == self.total {
            self.points.push(TracePoint {
                runs: self.moments.count(),
                mean: self.moments.mean(),
                standard_error: self.moments.standard_error(),
            });
        }
    }

    /// The points.
    pub fn finish(self) -> Vec<TracePoint> {
        self.points
    }
}

/// The convergence trace of networked SMEs at the horizon.
pub struct Convergence {
    points: Vec<TracePoint>,
    horizon_year: i32,
    subtitle: String,
}

impl Convergence {
    /// Takes the trace of the `networked_smes` column of `runs.csv` that reading it made
    /// ([`RunsDigest`](crate::report::runs_digest::RunsDigest)).
    pub fn new(results: &ResultSet) -> Self {
        Self {
            points: results.runs.convergence().to_vec(),
            horizon_year: results.scenario.budget.horizon_year,
            subtitle: data::provenance(results),
        }
    }
}

impl Figure for Convergence {
    fn name(&self) -> String {
        "convergence".to_string()
    }

    fn title(&self) -> String {
        format!(
            "Convergence of mean networked SMEs at the end of {}",
            self.horizon_year
        )
    }

    fn description(&self) -> String {
        format!(
            "Running mean of networked SMEs at the end of {} over the first n runs, with a band \
             of ± 2 standard errors, against the number of runs n; the dashed line is the mean \
             of all runs.",
            self.horizon_year
        )
    }

    fn draw<DB: Backend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> anyhow::Result<()> {
        let Some(last) = self.points.last().copied() else {
            let body = style::frame(root, style, &self.title(), &self.subtitle, &[])?;
            style::notice(&body, style, "No run has a defined value.")?;
            return Ok(());
        };
        // The first few runs can swing far; the scale follows the band from the 20th run (or
        // the tenth of all runs if fewer) and earlier excursions are clipped at the edges.
        let settled = (last.runs / 10).clamp(2, 20).min(last.runs);
        let (mut low, mut high) = (last.mean, last.mean);
        for point in self.points.iter().filter(|point| point.runs >= settled) {
            low = low.min(point.mean - 2.0 * point.standard_error);
            high = high.max(point.mean + 2.0 * point.standard_error);
        }
        let pad = (high - low).max(1.0) * 0.08;
        let y = Axis::linear(low - pad, high + pad, 6, false);
        let clipped = self.points.iter().any(|point| {
            point.runs >= 2
                && (point.mean - 2.0 * point.standard_error < y.min
                    || point.mean + 2.0 * point.standard_error > y.max)
        });
        let subtitle = if clipped {
            format!(
                "{} · early runs outside the scale are cut at its edges",
                self.subtitle
            )
        } else {
            self.subtitle.clone()
        };
        let legend = [
            LegendEntry::new(
                Swatch::Line {
                    color: BLUE,
                    width: 4.0,
                    dashed: false,
                },
                "Running mean",
            ),
            LegendEntry::new(
                Swatch::Fill {
                    color: tint(BLUE, OUTER_BAND),
                    outline: None,
                },
                "± 2 standard errors",
            ),
            LegendEntry::new(
                Swatch::Line {
                    color: INK,
                    width: 3.0,
                    dashed: true,
                },
                format!(
                    "Mean of {}: {} ± {} (2 standard errors)",
                    data::runs_phrase(last.runs as usize),
                    format_number(last.mean, mean_decimals("networked_smes")),
                    format_number(2.0 * last.standard_error, mean_decimals("networked_smes"))
                ),
            ),
        ];
        let body = style::frame(root, style, &self.title(), &subtitle, &legend)?;
        let x = Axis::linear(0.0, last.runs as f64, 8, true);
        let y_title = format!("Mean networked SMEs, end of {} (firms)", self.horizon_year);
        let labels = Labels::new("Runs (count)", &y_title);
        let mut chart = plot::build(&body, style, &x, &y, &labels)?;
        plot::draw_mesh(&body, &mut chart, style, &x, &y, &labels)?;
        let band: Vec<&TracePoint> = self.points.iter().filter(|p| p.runs >= 2).collect();
        if !band.is_empty() {
            let outline: Vec<(f64, f64)> = band
                .iter()
                .map(|p| (p.runs as f64, y.clamp(p.mean + 2.0 * p.standard_error)))
                .chain(
                    band.iter()
                        .rev()
                        .map(|p| (p.runs as f64, y.clamp(p.mean - 2.0 * p.standard_error))),
                )
                .collect();
            chart.draw_series(std::iter::once(Polygon::new(
                outline,
                tint(BLUE, OUTER_BAND).filled(),
            )))?;
        }
        plot::horizontal_line(
            &body,
            &chart,
            style,
            last.mean,
            &x,
            INK.stroke_width(style.reference_width()),
            true,
        )?;
        chart.draw_series(LineSeries::new(
            self.points.iter().map(|p| (p.runs as f64, y.clamp(p.mean))),
            BLUE.stroke_width(style.line_width()),
        ))?;
        plot::text_at(
            &body,
            &chart,
            style,
            (x.max, last.mean),
            (-style.px(8.0), -style.px(10.0)),
            &format_number(last.mean, mean_decimals("networked_smes")),
            &style.annotation_font(),
            (HPos::Right, VPos::Bottom),
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_matches_hand_computed_moments() {
        let points = trace(&[2.0, 4.0, 9.0]);
        assert_eq!(points.len(), 3);
        assert_eq!((points[0].runs, points[0].mean), (1, 2.0));
        assert_eq!(points[0].standard_error, 0.0);
        assert_eq!(points[1].mean, 3.0);
        // sd of (2, 4) is sqrt(2); se = sqrt(2) / sqrt(2) = 1.
        assert!((points[1].standard_error - 1.0).abs() < 1e-12);
        assert_eq!(points[2].mean, 5.0);
        // sd of (2, 4, 9) = sqrt(13); se = sqrt(13 / 3).
        assert!((points[2].standard_error - (13.0f64 / 3.0).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn long_traces_are_thinned_and_keep_the_last_run() {
        let values: Vec<f64> = (0..5_001).map(f64::from).collect();
        let points = trace(&values);
        assert!(points.len() <= MAX_POINTS + 1);
        assert_eq!(points.last().map(|p| p.runs), Some(5_001));
        assert_eq!(points.last().map(|p| p.mean), Some(2_500.0));
    }
}
