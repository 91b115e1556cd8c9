//! `compare-networked-smes`: networked SMEs per quarter under each compared policy, overlaid.
//!
//! Each policy has its median line (its own colour, dash pattern and end marker) over its 50%
//! band (25th–75th percentile) drawn in a translucent tint, so overlapping bands stay visible;
//! the names are written at the ends of the lines, kept apart, so no legend look-up is needed.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::Figure;
use super::axis::Axis;
use super::compare_style::{self as look, PolicyLook};
use super::data;
use super::plot::{self, Labels, Side};
use super::style::{self, Backend, FUNDING_SHADE, INK, LegendEntry, Style, Swatch};
use crate::report::comparison::ComparisonSet;
use crate::report::results::ResultSet;

/// Opacity of a policy's 50% band.
const BAND_OPACITY: f64 = 0.13;

/// One policy's series: (end of quarter, 25th, 50th, 75th percentile).
struct Series {
    name: String,
    look: PolicyLook,
    points: Vec<(f64, [f64; 3])>,
}

/// Networked SMEs over time, one median line and 50% band per policy.
pub struct CompareFan {
    series: Vec<Series>,
    span: (f64, f64),
    funding: (f64, f64),
    first_year: i32,
    last_year: i32,
    /// The funding period in words (from when money can flow).
    period: String,
    horizon_year: i32,
    subtitle: String,
}

impl CompareFan {
    /// Takes the networked-SME quartiles of every policy out of `comparison`.
    pub fn new(results: &ResultSet, comparison: &ComparisonSet) -> Self {
        let looks = look::looks(comparison);
        let series = comparison
            .policies
            .iter()
            .zip(looks)
            .map(|(name, look)| Series {
                name: name.clone(),
                look,
                points: comparison
                    .periods
                    .iter()
                    .filter(|row| row.policy == *name && row.outcome == "networked_smes")
                    .filter_map(|row| {
                        let [p25, p50, p75] = row.quartiles;
                        Some((data::period_end(&row.period)?, [p25?, p50?, p75?]))
                    })
                    .collect(),
            })
            .collect();
        let budget = &results.scenario.budget;
        Self {
            series,
            span: data::time_span(results),
            funding: data::funding_period(results),
            first_year: budget.first_year,
            last_year: budget.last_year,
            period: data::funding_period_text(results),
            horizon_year: budget.horizon_year,
            subtitle: look::provenance(results, comparison),
        }
    }
}

impl Figure for CompareFan {
    fn name(&self) -> String {
        "compare-networked-smes".to_string()
    }

    fn title(&self) -> String {
        format!(
            "Networked SMEs by policy, {}–{}",
            self.first_year, self.horizon_year
        )
    }

    fn description(&self) -> String {
        format!(
            "Networked SMEs per quarter from {} to the end of {} under each of the {} compared \
             policies: median across runs with the 50% band (25th–75th percentile); the \
             baseline is the solid black line, the funding period {} is shaded.",
            self.first_year,
            self.horizon_year,
            self.series.len(),
            self.period
        )
    }

    fn draw<DB: Backend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> anyhow::Result<()> {
        let body = style::frame(root, style, &self.title(), &self.subtitle, &[])?;
        let margin = style.margin();
        let right = style.width as i32 - margin;
        let names: Vec<String> = self.series.iter().map(|s| s.name.clone()).collect();
        let looks: Vec<PolicyLook> = self.series.iter().map(|s| s.look).collect();
        let y_legend = look::draw_policy_legend(&body, style, &names, &looks, (margin, 0), right)?;
        let band_color = self
            .series
            .iter()
            .find(|s| !s.look.baseline)
            .map_or(INK, |s| s.look.color);
        let extra = [
            LegendEntry::new(
                Swatch::Fill {
                    color: style::tint(band_color, 0.3),
                    outline: None,
                },
                "50% of runs (25th–75th percentile), in the policy's colour",
            ),
            LegendEntry::new(
                Swatch::Fill {
                    color: FUNDING_SHADE,
                    outline: None,
                },
                format!("Funding period {}", self.period),
            ),
        ];
        let y_legend = style::draw_legend(&body, style, &extra, (margin, y_legend), right)?;
        let (_, body) = body.split_vertically(y_legend + style.px(6.0));

        if self.series.iter().all(|s| s.points.is_empty()) {
            return style::notice(
                &body,
                style,
                "No networked-SME series in comparison_periods.csv.",
            );
        }
        let top = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.1[2]))
            .fold(0.0, f64::max);
        let bottom = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.1[0]))
            .fold(0.0, f64::min);
        let horizon = self.span.1;
        let x = Axis::years(self.span.0, horizon, self.first_year, 14);
        let y = Axis::linear(bottom, top / 0.9, 6, true);
        // Room on the right for the names at the ends of the lines.
        let label_font = style.annotation_font();
        let mut widest = 0;
        for series in &self.series {
            let label = look::policy_label(&series.name, &series.look);
            let font = look::name_font(style, 25.0, &series.look);
            widest = widest.max(body.estimate_text_size(&label, &font)?.0);
        }
        let marker = style.px(16.0);
        let labels = Labels {
            right: (f64::from(widest) / style::TEXT_SLACK) as i32 + marker + style.px(36.0),
            ..Labels::new(
                "Year (each point is the end of a quarter)",
                "Networked SMEs (firms)",
            )
        };
        let mut chart = plot::build(&body, style, &x, &y, &labels)?;
        plot::shade_funding(&mut chart, self.funding, &y)?;
        plot::draw_mesh(&body, &mut chart, style, &x, &y, &labels)?;
        for series in &self.series {
            if series.points.is_empty() {
                continue;
            }
            let band: Vec<(f64, f64)> = series
                .points
                .iter()
                .map(|(time, q)| (*time, y.clamp(q[2])))
                .chain(
                    series
                        .points
                        .iter()
                        .rev()
                        .map(|(time, q)| (*time, y.clamp(q[0]))),
                )
                .collect();
            chart.draw_series(std::iter::once(Polygon::new(
                band,
                series.look.color.mix(BAND_OPACITY).filled(),
            )))?;
        }
        // Baseline last, so it is on top.
        let mut order: Vec<&Series> = self.series.iter().filter(|s| !s.look.baseline).collect();
        order.extend(self.series.iter().filter(|s| s.look.baseline));
        let mut ends = Vec::new();
        for series in order {
            let pixels: Vec<(i32, i32)> = series
                .points
                .iter()
                .map(|(time, q)| plot::local(&body, &chart, (*time, y.clamp(q[1]))))
                .collect();
            look::draw_path(&body, style, &pixels, &series.look)?;
            if let Some(end) = pixels.last() {
                look::draw_marker(
                    &body,
                    style,
                    series.look.marker,
                    series.look.color,
                    *end,
                    marker,
                )?;
                ends.push((end.1, series));
            }
        }
        // Names at the line ends, pushed apart so they never overlap.
        let (_, text_height) = body.estimate_text_size("Ag", &label_font)?;
        let spacing = text_height as i32 + style.px(4.0);
        ends.sort_by_key(|(y, _)| *y);
        let mut placed: Vec<i32> = Vec::new();
        for (y_end, _) in &ends {
            let next = placed
                .last()
                .map_or(*y_end, |last| (*y_end).max(last + spacing));
            placed.push(next);
        }
        // If the names ran off the bottom of the plot, shift them all up.
        let floor = plot::local(&body, &chart, (x.min, y.min)).1;
        if let Some(last) = placed.last().copied()
            && last > floor
        {
            let shift = last - floor;
            for y_label in &mut placed {
                *y_label -= shift;
            }
        }
        let end_x = plot::local(&body, &chart, (horizon, y.min)).0;
        let leader = super::style::MUTED_TEXT.stroke_width(style.upx(1.5));
        for ((y_end, series), y_label) in ends.iter().zip(placed) {
            // A leader from the marker to a name pushed away from it.
            if (y_label - y_end).abs() > style.px(6.0) {
                body.draw(&PathElement::new(
                    vec![
                        (end_x + marker / 2 + style.px(2.0), *y_end),
                        (end_x + marker + style.px(10.0), y_label),
                    ],
                    leader,
                ))?;
            }
            let font =
                look::name_font(style, 25.0, &series.look).pos(Pos::new(HPos::Left, VPos::Center));
            let label = look::policy_label(&series.name, &series.look);
            style::text(
                &body,
                style,
                &label,
                (end_x + marker + style.px(14.0), y_label),
                &font,
            )?;
        }
        plot::vertical_line(
            &body,
            &chart,
            style,
            self.funding.1,
            &y,
            INK.stroke_width(style.reference_width()),
            true,
            Some((
                &format!("End of funding, {}", self.last_year),
                Side::Left,
                0,
            )),
            &label_font,
        )?;
        Ok(())
    }
}
