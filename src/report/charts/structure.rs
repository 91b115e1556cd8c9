//! `network-structure`: the shape of all clusters' networks at each year end, across runs —
//! transitivity against that of random networks of the same densities, and the share of tie ends
//! held by the best-connected tenth of members.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::Figure;
use super::axis::Axis;
use super::data::{self, FanPoint};
use super::plot::{self, Labels};
use super::style::{self, BLUE, FUNDING_SHADE, LegendEntry, MUTED_TEXT, Style, Swatch, VERMILLION};
use crate::report::results::ResultSet;

/// Fans of total transitivity and top-decile link share, and the median random transitivity.
pub struct NetworkStructure {
    transitivity: Vec<FanPoint>,
    concentration: Vec<FanPoint>,
    random: Vec<FanPoint>,
    span: (f64, f64),
    funding: (f64, f64),
    first_year: i32,
    /// The funding period in words (from when money can flow).
    period: String,
    horizon_year: i32,
    subtitle: String,
}

impl NetworkStructure {
    /// Takes the series out of `results`.
    pub fn new(results: &ResultSet) -> Self {
        let budget = &results.scenario.budget;
        let transitivity = data::fan(results, "total", "transitivity");
        Self {
            transitivity,
            concentration: data::fan(results, "total", "top_decile_link_share"),
            random: data::fan(results, "total", "random_transitivity"),
            span: data::time_span(results),
            funding: data::funding_period(results),
            first_year: budget.first_year,
            period: data::funding_period_text(results),
            horizon_year: budget.horizon_year,
            subtitle: data::provenance(results),
        }
    }
}

impl Figure for NetworkStructure {
    fn name(&self) -> String {
        "network-structure".to_string()
    }

    fn title(&self) -> String {
        format!(
            "Structure of the cooperation networks, {}–{}",
            self.first_year, self.horizon_year
        )
    }

    fn description(&self) -> String {
        "At the end of each year, over all clusters: transitivity (share of connected triples \
         that close into triangles) and the share of tie ends held by the tenth of members with \
         most ties, each as the median across runs with the 50% and 90% bands, and the median \
         transitivity the same clusters would have if their ties were placed at random (each \
         connected triple closing with its cluster's density)."
            .to_string()
    }

    fn draw<DB: style::Backend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> anyhow::Result<()> {
        let line = |color, label: &str| {
            LegendEntry::new(
                Swatch::Line {
                    color,
                    width: 4.0,
                    dashed: false,
                },
                label,
            )
        };
        let legend = [
            line(BLUE, "Transitivity (median; bands: 50% and 90% of runs)"),
            line(VERMILLION, "Top 10% of members' share of tie ends"),
            line(MUTED_TEXT, "Transitivity if ties were random (median)"),
            LegendEntry::new(
                Swatch::Fill {
                    color: FUNDING_SHADE,
                    outline: None,
                },
                format!("Funding period {}", self.period),
            ),
        ];
        let body = style::frame(root, style, &self.title(), &self.subtitle, &legend)?;
        let x = Axis::years(self.span.0, self.span.1 + 0.45, self.first_year, 14);
        let top = data::fan_top(&self.transitivity)
            .max(data::fan_top(&self.concentration))
            .max(0.05);
        let y = Axis::linear(0.0, (top / 0.9).min(1.0), 6, false);
        let labels = Labels::new("Year (each point is the end of a year)", "Share (0 to 1)");
        let mut chart = plot::build(&body, style, &x, &y, &labels)?;
        plot::shade_funding(&mut chart, self.funding, &y)?;
        plot::draw_mesh(&body, &mut chart, style, &x, &y, &labels)?;
        plot::draw_fan(&mut chart, &self.transitivity, BLUE, style.line_width(), &y)?;
        plot::draw_fan(
            &mut chart,
            &self.concentration,
            VERMILLION,
            style.line_width(),
            &y,
        )?;
        if !self.random.is_empty() {
            chart.draw_series(LineSeries::new(
                self.random
                    .iter()
                    .map(|point| (point.time, y.clamp(point.percentiles[2]))),
                MUTED_TEXT.stroke_width(style.line_width()),
            ))?;
        }
        Ok(())
    }
}
