//! `networked-smes-fan`: how many SMEs cooperate in cluster networks over time, across runs,
//! with the median of the same runs without funding (the counterfactual) beside the funded fan.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::Figure;
use super::axis::Axis;
use super::data::{self, FanPoint};
use super::plot::{self, Labels, Side};
use super::style::{
    self, BLUE, FUNDING_SHADE, INK, INNER_BAND, LegendEntry, OUTER_BAND, Style, Swatch, VERMILLION,
    tint,
};
use crate::report::results::ResultSet;

/// The fan chart of total networked SMEs.
pub struct NetworkedSmes {
    points: Vec<FanPoint>,
    /// The counterfactual's fan (empty for results written before it was recorded).
    counterfactual: Vec<FanPoint>,
    span: (f64, f64),
    funding: (f64, f64),
    first_year: i32,
    /// The funding period in words (from when money can flow).
    period: String,
    horizon_year: i32,
    subtitle: String,
}

impl NetworkedSmes {
    /// Takes the series out of `results`.
    pub fn new(results: &ResultSet) -> Self {
        let budget = &results.scenario.budget;
        Self {
            points: data::fan(results, "total", "networked_smes"),
            counterfactual: data::fan(results, "total", "counterfactual_networked_smes"),
            span: data::time_span(results),
            funding: data::funding_period(results),
            first_year: budget.first_year,
            period: data::funding_period_text(results),
            horizon_year: budget.horizon_year,
            subtitle: data::provenance(results),
        }
    }
}

impl Figure for NetworkedSmes {
    fn name(&self) -> String {
        "networked-smes-fan".to_string()
    }

    fn title(&self) -> String {
        format!(
            "SMEs cooperating in cluster networks, {}–{}",
            self.first_year, self.horizon_year
        )
    }

    fn description(&self) -> String {
        format!(
            "Fan chart of the number of SMEs with at least one cooperation link in any cluster, \
             per quarter from {} to the end of {}: median across runs with the 50% and 90% \
             bands, and the median of the same runs without any funding as a thinner line; the \
             funding period {} is shaded and the horizon marked.",
            self.first_year, self.horizon_year, self.period
        )
    }

    fn draw<DB: style::Backend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> anyhow::Result<()> {
        let mut legend = vec![
            LegendEntry::new(
                Swatch::Line {
                    color: BLUE,
                    width: 4.0,
                    dashed: false,
                },
                "Median",
            ),
            LegendEntry::new(
                Swatch::Fill {
                    color: tint(BLUE, INNER_BAND),
                    outline: None,
                },
                "50% of runs (25th–75th percentile)",
            ),
            LegendEntry::new(
                Swatch::Fill {
                    color: tint(BLUE, OUTER_BAND),
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
        if !self.counterfactual.is_empty() {
            legend.insert(
                1,
                LegendEntry::new(
                    Swatch::Line {
                        color: VERMILLION,
                        width: 2.5,
                        dashed: false,
                    },
                    "Median without funding (same runs)",
                ),
            );
        }
        let body = style::frame(root, style, &self.title(), &self.subtitle, &legend)?;
        let horizon = self.span.1;
        let x = Axis::years(self.span.0, horizon + 0.45, self.first_year, 14);
        // Head room above the data for the period and horizon labels.
        let y = Axis::linear(
            data::fan_bottom(&self.points).min(data::fan_bottom(&self.counterfactual)),
            data::fan_top(&self.points).max(data::fan_top(&self.counterfactual)) / 0.86,
            6,
            true,
        );
        let labels = Labels::new(
            "Year (each point is the end of a quarter)",
            "Networked SMEs (firms)",
        );
        let mut chart = plot::build(&body, style, &x, &y, &labels)?;
        plot::shade_funding(&mut chart, self.funding, &y)?;
        plot::draw_mesh(&body, &mut chart, style, &x, &y, &labels)?;
        plot::draw_fan(&mut chart, &self.points, BLUE, style.line_width(), &y)?;
        if !self.counterfactual.is_empty() {
            chart.draw_series(LineSeries::new(
                self.counterfactual
                    .iter()
                    .map(|point| (point.time, y.clamp(point.percentiles[2]))),
                VERMILLION.stroke_width(style.upx(2.5)),
            ))?;
        }
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
        let funding_label = format!("Funding period {}", self.period);
        let middle = (self.funding.0 + self.funding.1) / 2.0;
        plot::text_at(
            &body,
            &chart,
            style,
            (middle, y.max),
            (0, style.px(10.0)),
            &funding_label,
            &font,
            (
                plotters::style::text_anchor::HPos::Center,
                plotters::style::text_anchor::VPos::Top,
            ),
        )?;
        Ok(())
    }
}
