//! `distribution-<outcome>`: histograms of headline outcomes at the horizon, one value per run
//! from `runs.csv`, with the mean and the 90% interval (5th and 95th percentiles) marked.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::Figure;
use super::axis::Axis;
use super::data;
use super::plot::{self, Labels, Side};
use super::style::{
    self, Backend, INK, LegendEntry, SKY_BLUE, Style, Swatch, VERMILLION, format_number, nice_step,
};
use crate::engine::outcomes::{bound_decimals, is_count, mean_decimals};
use crate::report::results::ResultSet;
use crate::scenario::currency::Currency;

/// The headline outcomes that get a distribution chart, in order.
pub const OUTCOMES: [&str; 4] = [
    "networked_smes",
    "clusters_formed",
    "joint_projects",
    "cost_per_additional_networked_sme_ltl",
];

/// Equal-width histogram bins.
#[derive(Debug, Clone, PartialEq)]
pub struct Bins {
    /// Left edge of the first bin.
    pub start: f64,
    /// Bin width.
    pub width: f64,
    /// Values per bin.
    pub counts: Vec<u64>,
}

impl Bins {
    /// Bins for ascending `sorted` values: one per integer for counts spanning at most 40,
    /// otherwise a round width giving about 2·n^(1/3) bins (the Rice rule), 6 to 40 of them.
    pub fn new(sorted: &[f64], integer: bool) -> Self {
        let range = sorted
            .first()
            .zip(sorted.last())
            .map(|(min, max)| (*min, *max));
        let mut bins = Self::empty(range, sorted.len(), integer);
        sorted.iter().for_each(|value| bins.add(*value));
        bins
    }

    /// The bins [`Bins::new`] lays out for `count` values spanning `range` (smallest, largest),
    /// with nothing counted yet: the values can then be [added](Bins::add) one at a time in
    /// any order, so a histogram of a file needs its range and count (a first read), not its
    /// values.
    pub fn empty(range: Option<(f64, f64)>, count: usize, integer: bool) -> Self {
        let Some((min, max)) = range else {
            return Self {
                start: 0.0,
                width: 1.0,
                counts: Vec::new(),
            };
        };
        let (start, width) = if integer && max - min <= 40.0 {
            (min - 0.5, 1.0)
        } else if max <= min {
            let width = if min == 0.0 { 1.0 } else { min.abs() * 0.1 };
            (min - width / 2.0, width)
        } else {
            let target = (2.0 * (count as f64).cbrt()).ceil().clamp(6.0, 40.0);
            let mut width = nice_step((max - min) / target);
            if integer {
                width = width.max(1.0);
            }
            ((min / width).floor() * width, width)
        };
        let bins = (((max - start) / width).floor() as usize + 1).max(1);
        Self {
            start,
            width,
            counts: vec![0u64; bins],
        }
    }

    /// Counts one value in its bin (values outside the range in the first or last bin).
    pub fn add(&mut self, value: f64) {
        let bins = self.counts.len();
        if bins == 0 {
            return;
        }
        let index = (((value - self.start) / self.width).floor().max(0.0) as usize).min(bins - 1);
        self.counts[index] += 1;
    }

    /// Right edge of the last bin.
    pub fn end(&self) -> f64 {
        self.start + self.width * self.counts.len() as f64
    }

    /// The outline of the histogram as one closed polygon along the tops of the bins. With a
    /// `gap` (a fraction of the bin width) the outline drops to the axis between bins, so
    /// bins of single integers read as separate bars.
    pub fn outline(&self, gap: f64) -> Vec<(f64, f64)> {
        let inset = self.width * gap / 2.0;
        let mut points = vec![(self.start + inset, 0.0)];
        for (index, count) in self.counts.iter().enumerate() {
            let left = self.start + self.width * index as f64;
            let height = *count as f64;
            if gap > 0.0 && index > 0 {
                points.push((left + inset, 0.0));
            }
            points.push((left + inset, height));
            points.push((left + self.width - inset, height));
            if gap > 0.0 {
                points.push((left + self.width - inset, 0.0));
            }
        }
        if gap == 0.0 {
            points.push((self.end(), 0.0));
        }
        points
    }

    /// Whether each bin holds a single integer.
    pub fn unit_bins(&self, integer: bool) -> bool {
        integer && self.width == 1.0
    }
}

/// What a chart says about its outcome.
struct Wording {
    title: String,
    /// The outcome as the object of a sentence.
    subject: String,
    x_title: &'static str,
    unit: &'static str,
}

fn wording(outcome: &str, horizon_year: i32) -> Wording {
    match outcome {
        "networked_smes" => Wording {
            title: format!("Networked SMEs at the end of {horizon_year}"),
            subject: format!("the number of networked SMEs at the end of {horizon_year}"),
            x_title: "Networked SMEs at the horizon (firms)",
            unit: "firms",
        },
        "clusters_formed" => Wording {
            title: format!("New clusters formed by the end of {horizon_year}"),
            subject: format!("the number of new clusters formed by the end of {horizon_year}"),
            x_title: "Clusters formed from forming sectors (clusters)",
            unit: "clusters",
        },
        "joint_projects" => Wording {
            title: format!("Joint projects started by the end of {horizon_year}"),
            subject: format!("the number of joint projects started by the end of {horizon_year}"),
            x_title: "Joint projects, cumulative (projects)",
            unit: "projects",
        },
        "cost_per_additional_networked_sme_ltl" => Wording {
            title: format!("Cost per additional networked SME, end of {horizon_year}"),
            subject: format!(
                "the money absorbed per SME networked because of the funding, by the end of \
                 {horizon_year}"
            ),
            x_title: "Money absorbed per networked SME added by funding (LTL per firm)",
            unit: "LTL",
        },
        _ => Wording {
            title: format!("{outcome} at the end of {horizon_year}"),
            subject: format!("{outcome} at the end of {horizon_year}"),
            x_title: "Value",
            unit: "",
        },
    }
}

/// Distribution over runs of one headline outcome.
pub struct Distribution {
    outcome: &'static str,
    /// The histogram of the defined values.
    bins: Bins,
    /// Runs in which the outcome is defined.
    included: usize,
    mean: f64,
    /// 5th and 95th percentiles (exact, or from the sketch beyond
    /// [`EXACT_RUNS`](crate::report::runs_digest::EXACT_RUNS) runs).
    p5: f64,
    p95: f64,
    runs: usize,
    horizon_year: i32,
    subtitle: String,
    currency: Currency,
}

impl Distribution {
    /// Takes the histogram and summary of `outcome` that reading `runs.csv` made
    /// ([`RunsDigest`](crate::report::runs_digest::RunsDigest)).
    pub fn new(results: &ResultSet, outcome: &'static str) -> Self {
        let summary = results.runs.headline_summary(outcome);
        Self {
            outcome,
            bins: results.runs.histogram(outcome),
            included: summary.n as usize,
            mean: summary.mean,
            p5: summary.p5,
            p95: summary.p95,
            runs: results.runs.count(),
            horizon_year: results.scenario.budget.horizon_year,
            subtitle: data::provenance(results),
            currency: results.scenario.currency.clone(),
        }
    }

    fn money(&self) -> bool {
        self.outcome.ends_with("_ltl")
    }

    /// A percentile for a label, with the decimals every table prints it with
    /// ([`bound_decimals`]: whole numbers for counts and money).
    fn format(&self, value: f64) -> String {
        format_number(value, bound_decimals(self.outcome))
    }

    /// The mean for a label, with the decimals every table prints it with ([`mean_decimals`]).
    fn format_mean(&self, value: f64) -> String {
        format_number(value, mean_decimals(self.outcome))
    }

    /// `value` with its unit, and the second currency (if shown) for money.
    fn with_unit(&self, value: f64) -> String {
        self.unit_around(value, |v| self.format(v))
    }

    /// The mean with its unit, and the second currency (if shown) for money.
    fn mean_with_unit(&self, value: f64) -> String {
        self.unit_around(value, |v| self.format_mean(v))
    }

    fn unit_around(&self, value: f64, format: impl Fn(f64) -> String) -> String {
        let unit = wording(self.outcome, self.horizon_year).unit;
        if self.money() {
            let code = self.currency.code;
            match &self.currency.also_in {
                Some(second) => format!(
                    "{} {code} ({} {})",
                    format(value),
                    second.code,
                    format(second.convert(value))
                ),
                None => format!("{} {code}", format(value)),
            }
        } else if unit.is_empty() {
            format(value)
        } else {
            format!("{} {unit}", format(value))
        }
    }

    /// `low – high` with their unit, and the second currency's range (if shown) for money.
    fn range_with_unit(&self, low: f64, high: f64) -> String {
        if self.money() {
            let code = self.currency.code;
            match &self.currency.also_in {
                Some(second) => format!(
                    "{} – {} {code} ({} {} – {})",
                    self.format(low),
                    self.format(high),
                    second.code,
                    self.format(second.convert(low)),
                    self.format(second.convert(high))
                ),
                None => format!("{} – {} {code}", self.format(low), self.format(high)),
            }
        } else {
            format!("{} – {}", self.format(low), self.with_unit(high))
        }
    }

    fn included(&self) -> String {
        let included = self.included;
        if included == self.runs {
            match self.runs {
                1 => "the only run".to_string(),
                runs => format!("all {}", data::runs_phrase(runs)),
            }
        } else {
            format!(
                "{} of {} (the others have no defined value)",
                format_number(included as f64, 0),
                data::runs_phrase(self.runs)
            )
        }
    }
}

impl Figure for Distribution {
    fn name(&self) -> String {
        format!("distribution-{}", self.currency.name(self.outcome))
    }

    fn title(&self) -> String {
        format!(
            "{}: distribution over runs",
            wording(self.outcome, self.horizon_year).title
        )
    }

    fn description(&self) -> String {
        if self.included == 0 {
            return format!(
                "Histogram of {} over runs; no run has a defined value.",
                self.currency.name(self.outcome)
            );
        }
        format!(
            "Histogram over {} of {}, with the mean ({}) and the 90% interval ({} to {}) marked.",
            self.included(),
            wording(self.outcome, self.horizon_year).subject,
            self.mean_with_unit(self.mean),
            self.with_unit(self.p5),
            self.with_unit(self.p95),
        )
    }

    fn draw<DB: Backend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> anyhow::Result<()> {
        let words = wording(self.outcome, self.horizon_year);
        let subtitle = format!("{} · histogram of {}", self.subtitle, self.included());
        if self.included == 0 {
            let body = style::frame(root, style, &self.title(), &subtitle, &[])?;
            style::notice(&body, style, "No run has a defined value of this outcome.")?;
            return Ok(());
        }
        let (p5, p95) = (self.p5, self.p95);
        let legend = [
            LegendEntry::new(
                Swatch::Fill {
                    color: SKY_BLUE,
                    outline: None,
                },
                "Runs per bin",
            ),
            LegendEntry::new(
                Swatch::Line {
                    color: VERMILLION,
                    width: 4.0,
                    dashed: false,
                },
                format!("Mean {}", self.mean_with_unit(self.mean)),
            ),
            LegendEntry::new(
                Swatch::Line {
                    color: INK,
                    width: 3.0,
                    dashed: true,
                },
                format!(
                    "90% interval (5th–95th percentile) {}",
                    self.range_with_unit(p5, p95)
                ),
            ),
        ];
        let body = style::frame(root, style, &self.title(), &subtitle, &legend)?;
        let integer = is_count(self.outcome);
        let bins = &self.bins;
        let peak = bins.counts.iter().copied().max().unwrap_or(0) as f64;
        let x = Axis::linear(bins.start, bins.end(), 7, integer && bins.width >= 1.0);
        // Head room for three rows of labels above the bars.
        let y = Axis::linear(0.0, peak / 0.72, 6, true);
        let x_title = self.currency.label(words.x_title);
        let labels = Labels {
            x_grid: false,
            ..Labels::new(&x_title, "Runs (count)")
        };
        let mut chart = plot::build(&body, style, &x, &y, &labels)?;
        plot::draw_mesh(&body, &mut chart, style, &x, &y, &labels)?;
        let gap = if bins.unit_bins(integer) { 0.2 } else { 0.0 };
        chart.draw_series(std::iter::once(Polygon::new(
            bins.outline(gap),
            SKY_BLUE.filled(),
        )))?;
        let font = style.annotation_font();
        let dashed = INK.stroke_width(style.reference_width());
        plot::vertical_line(
            &body,
            &chart,
            style,
            p5,
            &y,
            dashed,
            true,
            Some((
                &format!("5th percentile {}", self.format(p5)),
                Side::Right,
                1,
            )),
            &font,
        )?;
        plot::vertical_line(
            &body,
            &chart,
            style,
            p95,
            &y,
            dashed,
            true,
            Some((
                &format!("95th percentile {}", self.format(p95)),
                Side::Left,
                2,
            )),
            &font,
        )?;
        plot::vertical_line(
            &body,
            &chart,
            style,
            self.mean,
            &y,
            VERMILLION.stroke_width(style.upx(4.0)),
            false,
            // Beside the line, not across it.
            Some((
                &format!("Mean {}", self.format_mean(self.mean)),
                Side::Right,
                0,
            )),
            &font,
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_get_one_bin_per_integer() {
        let bins = Bins::new(&[3.0, 4.0, 4.0, 7.0], true);
        assert_eq!(bins.start, 2.5);
        assert_eq!(bins.width, 1.0);
        assert_eq!(bins.counts, vec![1, 2, 0, 0, 1]);
        assert_eq!(bins.end(), 7.5);
    }

    #[test]
    fn wide_ranges_get_round_widths() {
        let values: Vec<f64> = (0..1000).map(|i| 1_000.0 + f64::from(i) * 3.7).collect();
        let bins = Bins::new(&values, false);
        assert_eq!(bins.width, 200.0);
        assert_eq!(bins.start, 1_000.0);
        assert_eq!(bins.counts.iter().sum::<u64>(), 1000);
        assert!(bins.end() >= 1_000.0 + 999.0 * 3.7);
    }

    #[test]
    fn one_value_gets_one_bin() {
        let bins = Bins::new(&[5.0, 5.0], false);
        assert_eq!(bins.counts, vec![2]);
        assert!(bins.start < 5.0 && bins.end() > 5.0);
        assert!(Bins::new(&[], true).counts.is_empty());
    }

    #[test]
    fn outline_closes_on_the_axis() {
        let bins = Bins::new(&[1.0, 2.0, 2.0], true);
        let outline = bins.outline(0.0);
        assert_eq!(outline.first(), Some(&(0.5, 0.0)));
        assert_eq!(outline.last(), Some(&(2.5, 0.0)));
        assert_eq!(outline.len(), 2 + 2 * bins.counts.len());
        let separated = bins.outline(0.2);
        assert_eq!(
            separated,
            vec![
                (0.6, 0.0),
                (0.6, 1.0),
                (1.4, 1.0),
                (1.4, 0.0),
                (1.6, 0.0),
                (1.6, 2.0),
                (2.4, 2.0),
                (2.4, 0.0)
            ]
        );
    }
}
