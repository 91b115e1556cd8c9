//! `clusters-members` and `clusters-links`: small multiples, one fan chart per cluster, and the
//! panel layout that `formation-probability` shares.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::Figure;
use super::axis::Axis;
use super::data::{self, FanPoint};
use super::plot::{self, Labels};
use super::style::{
    self, BLUE, Backend, FUNDING_SHADE, INK, INNER_BAND, LegendEntry, OUTER_BAND, Style, Swatch,
    VERMILLION, tint,
};
use crate::report::results::ResultSet;

/// One cluster's panel.
struct Panel {
    name: String,
    forming: bool,
    points: Vec<FanPoint>,
    /// Observed (decimal year, value) within the charted span: the scenario's `observations`
    /// of this cluster, for the members chart only.
    observed: Vec<(f64, f64)>,
}

/// The scenario's observations of cluster `index` inside the charted period, as
/// (decimal year, members).
fn observed(results: &ResultSet, index: usize) -> Vec<(f64, f64)> {
    let (start, end) = data::time_span(results);
    results
        .scenario
        .observations
        .iter()
        .filter(|o| o.cluster == index && (start..=end).contains(&o.date))
        .map(|o| (o.date, o.members as f64))
        .collect()
}

/// Members or links of every cluster as small multiples.
pub struct ClusterPanels {
    outcome: &'static str,
    panels: Vec<Panel>,
    span: (f64, f64),
    funding: (f64, f64),
    first_year: i32,
    horizon_year: i32,
    subtitle: String,
}

impl ClusterPanels {
    /// `outcome` is `members` or `links`.
    pub fn new(results: &ResultSet, outcome: &'static str) -> Self {
        let panels = results
            .scenario
            .clusters
            .iter()
            .enumerate()
            .filter(|(_, cluster)| !cluster.generated)
            .map(|(index, cluster)| Panel {
                name: cluster.name.clone(),
                forming: data::is_forming(results, index),
                points: data::fan(results, &cluster.id, outcome),
                observed: if outcome == "members" {
                    observed(results, index)
                } else {
                    Vec::new()
                },
            })
            .collect();
        let budget = &results.scenario.budget;
        Self {
            outcome,
            panels,
            span: data::time_span(results),
            funding: data::funding_period(results),
            first_year: budget.first_year,
            horizon_year: budget.horizon_year,
            subtitle: data::provenance(results),
        }
    }

    fn noun(&self) -> &'static str {
        if self.outcome == "links" {
            "Cooperation links"
        } else {
            "Members"
        }
    }

    fn unit(&self) -> &'static str {
        if self.outcome == "links" {
            "links"
        } else {
            "firms"
        }
    }
}

impl Figure for ClusterPanels {
    fn name(&self) -> String {
        format!("clusters-{}", self.outcome)
    }

    fn title(&self) -> String {
        format!(
            "{} per cluster, {}–{}",
            self.noun(),
            self.first_year,
            self.horizon_year
        )
    }

    fn description(&self) -> String {
        format!(
            "Small multiples, one panel per cluster: {} by quarter, median across runs with the \
             50% and 90% bands; clusters forming at the start in vermillion and tagged \
             'forming'; each panel has its own vertical scale; named clusters only (generated \
             initiatives are counted in the totals and listed in summary.csv); black dots are \
             the scenario's observed members, where it gives any.",
            self.noun().to_lowercase()
        )
    }

    fn draw<DB: Backend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> anyhow::Result<()> {
        let mut colors = Vec::new();
        let mut legend = Vec::new();
        for (color, forming, label) in [
            (BLUE, false, "Median (operating)"),
            (VERMILLION, true, "Median (forming)"),
        ] {
            if self.panels.iter().any(|panel| panel.forming == forming) {
                colors.push(color);
                legend.push(LegendEntry::new(
                    Swatch::Line {
                        color,
                        width: 4.0,
                        dashed: false,
                    },
                    label,
                ));
            }
        }
        for (amount, label) in [(INNER_BAND, "50% of runs"), (OUTER_BAND, "90% of runs")] {
            let left = tint(colors.first().copied().unwrap_or(BLUE), amount);
            let right = tint(colors.last().copied().unwrap_or(BLUE), amount);
            legend.push(LegendEntry::new(Swatch::Split { left, right }, label));
        }
        legend.push(LegendEntry::new(
            Swatch::Fill {
                color: FUNDING_SHADE,
                outline: None,
            },
            "Funding period",
        ));
        if self.panels.iter().any(|panel| !panel.observed.is_empty()) {
            legend.push(LegendEntry::new(
                Swatch::Fill {
                    color: INK,
                    outline: None,
                },
                "Observed (dots)",
            ));
        }
        let subtitle = format!(
            "{} · status at the start of {} · each panel has its own vertical scale",
            self.subtitle, self.first_year
        );
        let body = style::frame(root, style, &self.title(), &subtitle, &legend)?;
        let y_title = format!("{} ({})", self.noun(), self.unit());
        let grid = layout(&body, style, self.panels.len(), "Year", &y_title)?;
        let x = Axis::years(self.span.0, self.span.1, self.first_year, 4);
        let axes: Vec<Axis> = self
            .panels
            .iter()
            .map(|panel| {
                let observed_top = panel.observed.iter().map(|o| o.1).fold(0.0, f64::max);
                Axis::linear(
                    data::fan_bottom(&panel.points),
                    data::fan_top(&panel.points).max(observed_top),
                    4,
                    true,
                )
            })
            .collect();
        let font = plot::tick_font(style, true);
        let mut y_label_width = 0;
        for axis in &axes {
            y_label_width = y_label_width.max(plot::tick_label_width(root, axis, &font)?);
        }
        for ((panel, (area, bottom)), y) in self.panels.iter().zip(grid).zip(&axes) {
            let color = if panel.forming { VERMILLION } else { BLUE };
            let tag = if panel.forming { "forming" } else { "" };
            let plot_area = panel_title(&area, style, &panel.name, tag)?;
            let labels = Labels {
                x_tick_labels: bottom,
                y_label_width: Some(y_label_width),
                ..panel_labels()
            };
            let mut chart = plot::build(&plot_area, style, &x, y, &labels)?;
            plot::shade_funding(&mut chart, self.funding, y)?;
            plot::draw_mesh(&plot_area, &mut chart, style, &x, y, &labels)?;
            plot::draw_fan(&mut chart, &panel.points, color, style.upx(3.0), y)?;
            let radius = style.upx(5.0) as i32;
            chart.draw_series(
                panel
                    .observed
                    .iter()
                    .map(|&(year, value)| Circle::new((year, value), radius, INK.filled())),
            )?;
        }
        Ok(())
    }
}

/// Axis settings of a small-multiple panel: no per-panel axis titles, compact ticks.
pub(crate) fn panel_labels() -> Labels<'static> {
    Labels {
        compact: true,
        ..Labels::new("", "")
    }
}

/// Draws the shared axis titles of a small-multiple grid (x under it, y rotated on its left)
/// and splits the rest into `count` panels; see [`plot::panel_grid`].
pub(crate) fn layout<DB: Backend>(
    body: &DrawingArea<DB, Shift>,
    style: &Style,
    count: usize,
    x_title: &str,
    y_title: &str,
) -> anyhow::Result<Vec<(DrawingArea<DB, Shift>, bool)>> {
    let title_font = style.axis_title_font();
    let (_, title_height) = body.estimate_text_size("Ag", &title_font)?;
    let (width, height) = body.dim_in_pixel();
    let margin = style.margin();
    let bottom = title_height as i32 + style.px(14.0) + margin;
    let left = margin + title_height as i32 + style.px(8.0);
    let position = (
        left + (width as i32 - left) / 2,
        height as i32 - margin - style.px(4.0),
    );
    let font = title_font.pos(Pos::new(HPos::Center, VPos::Bottom));
    style::text(body, style, x_title, position, &font)?;
    style::draw_vertical_title(body, style, y_title, margin)?;
    let grid_area = body.margin(0, bottom, left, margin - style.px(14.0));
    let (_, tick_height) = body.estimate_text_size("0", &plot::tick_font(style, true))?;
    Ok(plot::panel_grid(
        &grid_area,
        count,
        plot::grid_columns(count),
        tick_height as i32,
    ))
}

/// Writes a panel's title (shortened with an ellipsis if it does not fit, keeping `tag`) and
/// returns the area under it.
pub(crate) fn panel_title<DB: Backend>(
    area: &DrawingArea<DB, Shift>,
    style: &Style,
    name: &str,
    tag: &str,
) -> anyhow::Result<DrawingArea<DB, Shift>> {
    let font = style.panel_title_font();
    let tag_font = style.panel_tag_font();
    let (width, _) = area.dim_in_pixel();
    let indent = style.px(6.0);
    let (tag_width, _) = area.estimate_text_size(tag, &tag_font)?;
    let gap = if tag.is_empty() { 0 } else { 2 * indent };
    let available = width.saturating_sub(tag_width + (2 * indent + gap).unsigned_abs());
    // A long name first loses a trailing "cluster" (the panels are all clusters), then gets an
    // ellipsis.
    let short = ["cluster", "Cluster"]
        .iter()
        .find_map(|word| name.strip_suffix(word).map(str::trim_end))
        .filter(|short| !short.is_empty())
        .unwrap_or(name);
    let fitted = style::fit_text(area, name, &font, available)?;
    let title = if fitted == name {
        fitted
    } else {
        style::fit_text(area, short, &font, available)?
    };
    let (_, text_height) = area.estimate_text_size(&title, &font)?;
    let top = style.px(6.0);
    style::text(area, style, &title, (indent, top), &font)?;
    if !tag.is_empty() {
        // Right-aligned, so a wider substitute font in SVG viewers cannot run the title into it.
        let position = (width as i32 - indent, top);
        let font = tag_font.pos(Pos::new(HPos::Right, VPos::Top));
        style::text(area, style, tag, position, &font)?;
    }
    let (_, below) = area.split_vertically(top + text_height as i32 + style.px(2.0));
    Ok(below)
}
