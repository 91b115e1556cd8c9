//! `formation-probability`: for each cluster forming at the start, the probability that it has
//! formed by each quarter.
//!
//! Twelve crossing lines in one plot cannot be told apart, least of all in grey, so this is a
//! grid of small multiples, one line per panel, ordered from the most to the least likely to
//! have formed by the horizon. The ordering turns the grid into a ranking, and each panel
//! writes its probability at the horizon next to the end of its line.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::Figure;
use super::axis::Axis;
use super::data;
use super::panels::{layout, panel_labels, panel_title};
use super::plot::{self, Labels};
use super::style::{self, BLUE, Backend, FUNDING_SHADE, LegendEntry, Style, Swatch};
use crate::report::results::ResultSet;

struct Panel {
    name: String,
    /// (end of quarter, probability formed by then).
    points: Vec<(f64, f64)>,
}

impl Panel {
    fn at_horizon(&self) -> f64 {
        self.points.last().map_or(0.0, |point| point.1)
    }
}

/// Formation probability of every forming cluster.
pub struct FormationProbability {
    panels: Vec<Panel>,
    span: (f64, f64),
    funding: (f64, f64),
    first_year: i32,
    horizon_year: i32,
    subtitle: String,
}

impl FormationProbability {
    /// Takes the `operating` means of the forming clusters out of `results`.
    pub fn new(results: &ResultSet) -> Self {
        let mut panels: Vec<Panel> = results
            .scenario
            .clusters
            .iter()
            .enumerate()
            .filter(|(index, cluster)| data::is_forming(results, *index) && !cluster.generated)
            .map(|(_, cluster)| Panel {
                name: cluster.name.clone(),
                points: data::means(results, &cluster.id, "operating"),
            })
            .collect();
        // Stable sort: equal probabilities keep the scenario's order.
        panels.sort_by(|a, b| b.at_horizon().total_cmp(&a.at_horizon()));
        let budget = &results.scenario.budget;
        Self {
            panels,
            span: data::time_span(results),
            funding: data::funding_period(results),
            first_year: budget.first_year,
            horizon_year: budget.horizon_year,
            subtitle: data::provenance(results),
        }
    }
}

impl Figure for FormationProbability {
    fn name(&self) -> String {
        "formation-probability".to_string()
    }

    fn title(&self) -> String {
        format!(
            "Probability that each forming cluster has formed, {}–{}",
            self.first_year, self.horizon_year
        )
    }

    fn description(&self) -> String {
        format!(
            "Small multiples, one panel per named cluster forming at the start, ordered from most \
             to least likely: the share of runs in which the cluster operates at the end of each \
             quarter, with the probability at the end of {} written at the end of each line \
             (generated initiatives are counted in the totals and listed in summary.csv).",
            self.horizon_year
        )
    }

    fn draw<DB: Backend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> anyhow::Result<()> {
        let legend = [
            LegendEntry::new(
                Swatch::Line {
                    color: BLUE,
                    width: 4.0,
                    dashed: false,
                },
                "Share of runs in which the cluster has formed",
            ),
            LegendEntry::new(
                Swatch::Fill {
                    color: FUNDING_SHADE,
                    outline: None,
                },
                "Funding period",
            ),
        ];
        let subtitle = format!(
            "{} · the number at each line's end is the probability by the end of {}; panels \
             are ordered by it",
            self.subtitle, self.horizon_year
        );
        let body = style::frame(root, style, &self.title(), &subtitle, &legend)?;
        if self.panels.is_empty() {
            style::notice(
                &body,
                style,
                "No cluster is forming at the start of this scenario.",
            )?;
            return Ok(());
        }
        let grid = layout(
            &body,
            style,
            self.panels.len(),
            "Year",
            "Probability of having formed (%)",
        )?;
        let x = Axis::years(self.span.0, self.span.1, self.first_year, 4);
        let y = Axis::probability();
        let font = style.panel_value_font();
        let end_label_room = body.estimate_text_size("100%", &font)?.0 as i32 + style.px(8.0);
        for (panel, (area, bottom)) in self.panels.iter().zip(grid) {
            let plot_area = panel_title(&area, style, &panel.name, "")?;
            let labels = Labels {
                x_tick_labels: bottom,
                right: end_label_room,
                ..panel_labels()
            };
            let mut chart = plot::build(&plot_area, style, &x, &y, &labels)?;
            plot::shade_funding(&mut chart, self.funding, &y)?;
            plot::draw_mesh(&plot_area, &mut chart, style, &x, &y, &labels)?;
            chart.draw_series(LineSeries::new(
                panel.points.iter().copied(),
                BLUE.stroke_width(style.upx(4.0)),
            ))?;
            if let Some(&end) = panel.points.last() {
                plot::text_at(
                    &plot_area,
                    &chart,
                    style,
                    end,
                    (style.px(6.0), 0),
                    &style::format_percent(end.1),
                    &font,
                    (HPos::Left, VPos::Center),
                )?;
            }
        }
        Ok(())
    }
}
