//! `additional-networked-smes-fan`: what the funding added. Per run, the networked SMEs of the
//! funded run minus those of the same run without funding (the counterfactual, on the same random
//! streams), fanned over runs per quarter, with the counterfactual's own median beside the funded
//! median for scale.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::Figure;
use super::axis::Axis;
use super::data::{self, FanPoint};
use super::plot::{self, Labels, Side};
use super::style::{
    self, AXIS, BLUISH_GREEN, FUNDING_SHADE, INK, INNER_BAND, LegendEntry, OUTER_BAND, Style,
    Swatch, tint,
};
use crate::report::results::ResultSet;

/// The fan chart of additional networked SMEs.
pub struct AdditionalNetworkedSmes {
    points: Vec<FanPoint>,
    span: (f64, f64),
    funding: (f64, f64),
    first_year: i32,
    /// The funding period in words (from when money can flow).
    period: String,
    horizon_year: i32,
    /// Median funded and counterfactual networked SMEs at the horizon, for the subtitle.
    levels: Option<(f64, f64)>,
    subtitle: String,
}

impl AdditionalNetworkedSmes {
    /// Takes the series out of `results`.
    pub fn new(results: &ResultSet) -> Self {
        let budget = &results.scenario.budget;
        let last = |outcome: &str| {
            data::fan(results, "total", outcome)
                .last()
                .map(|point| point.percentiles[2])
        };
        Self {
            points: data::fan(results, "total", "additional_networked_smes"),
            span: data::time_span(results),
            funding: data::funding_period(results),
            first_year: budget.first_year,
            period: data::funding_period_text(results),
            horizon_year: budget.horizon_year,
            levels: last("networked_smes").zip(last("counterfactual_networked_smes")),
            subtitle: data::provenance(results),
        }
    }
}

impl Figure for AdditionalNetworkedSmes {
    fn name(&self) -> String {
        "additional-networked-smes-fan".to_string()
    }

    fn title(&self) -> String {
        format!(
            "Additional networked SMEs due to the funding, {}–{}",
            self.first_year, self.horizon_year
        )
    }

    fn description(&self) -> String {
        format!(
            "Fan chart of the additional networked SMEs: in each run, the SMEs with at least one \
             cooperation link with the funding minus those in the same run without any funding \
             (same parameters and random numbers), per quarter from {} to the end of {}: median \
             across runs with the 50% and 90% bands; zero (no effect) is marked and the funding \
             period {} shaded.",
            self.first_year, self.horizon_year, self.period
        )
    }

    fn draw<DB: style::Backend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> anyhow::Result<()> {
        let legend = [
            LegendEntry::new(
                Swatch::Line {
                    color: BLUISH_GREEN,
                    width: 4.0,
                    dashed: false,
                },
                "Median",
            ),
            LegendEntry::new(
                Swatch::Fill {
                    color: tint(BLUISH_GREEN, INNER_BAND),
                    outline: None,
                },
                "50% of runs (25th–75th percentile)",
            ),
            LegendEntry::new(
                Swatch::Fill {
                    color: tint(BLUISH_GREEN, OUTER_BAND),
                    outline: None,
                },
                "90% of runs (5th–95th percentile)",
            ),
            LegendEntry::new(
                Swatch::Fill {
                    color: FUNDING_SHADE,
                    outline: None,
                },
                format!("Funding period {}", self.period),
            ),
        ];
        let subtitle = match self.levels {
            Some((funded, counterfactual)) => format!(
                "{} · per run: with funding minus the same run without it · medians at the end of \
                 {}: {} with funding, {} without",
                self.subtitle,
                self.horizon_year,
                style::format_number(funded, 0),
                style::format_number(counterfactual, 0)
            ),
            None => self.subtitle.clone(),
        };
        let body = style::frame(root, style, &self.title(), &subtitle, &legend)?;
        let horizon = self.span.1;
        let x = Axis::years(self.span.0, horizon + 0.45, self.first_year, 14);
        let top = data::fan_top(&self.points);
        let y = Axis::linear(data::fan_bottom(&self.points), top / 0.86, 6, true);
        let labels = Labels::new(
            "Year (each point is the end of a quarter)",
            "Additional networked SMEs (firms)",
        );
        let mut chart = plot::build(&body, style, &x, &y, &labels)?;
        plot::shade_funding(&mut chart, self.funding, &y)?;
        plot::draw_mesh(&body, &mut chart, style, &x, &y, &labels)?;
        if y.min < 0.0 {
            plot::horizontal_line(
                &body,
                &chart,
                style,
                0.0,
                &x,
                AXIS.stroke_width(style.reference_width()),
                false,
            )?;
        }
        plot::draw_fan(
            &mut chart,
            &self.points,
            BLUISH_GREEN,
            style.line_width(),
            &y,
        )?;
        let font = style.annotation_font();
        plot::vertical_line(
            &body,
            &chart,
            style,
            horizon,
            &y,
            INK.stroke_width(style.reference_width()),
            true,
            Some((
                &format!("Horizon: end of {}", self.horizon_year),
                Side::Left,
                0,
            )),
            &font,
        )?;
        Ok(())
    }
}
