//! `compare-distributions`: the distribution over runs of every compared outcome at the horizon,
//! one box plot per policy, one panel per outcome.
//!
//! Boxes run from the 25th to the 75th percentile with the median as a black bar; whiskers reach
//! the 5th and 95th percentiles (not the extremes, which depend on the number of runs). Policies
//! are rows in the same order in every panel, named once on the left.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::Figure;
use super::axis::Axis;
use super::compare_style::{self as look, PolicyPanels};
use super::plot::{self, Labels};
use super::style::{self, Backend, INK, Style, tint};
use crate::report::comparison::{ComparisonRow, ComparisonSet};
use crate::report::results::ResultSet;

/// Tint of a policy's box.
const BOX_TINT: f64 = 0.45;

/// Box plots of every compared outcome per policy.
pub struct CompareBoxes {
    data: PolicyPanels<Option<[f64; 5]>>,
}

fn five(row: &ComparisonRow) -> Option<[f64; 5]> {
    let [a, b, c, d, e] = row.percentiles;
    Some([a?, b?, c?, d?, e?])
}

impl CompareBoxes {
    /// Takes the percentiles of every policy and outcome out of `comparison`.
    pub fn new(results: &ResultSet, comparison: &ComparisonSet) -> Self {
        Self {
            data: PolicyPanels::new(results, comparison, |row| row.and_then(five)),
        }
    }
}

impl Figure for CompareBoxes {
    fn name(&self) -> String {
        "compare-distributions".to_string()
    }

    fn title(&self) -> String {
        format!(
            "Outcomes by policy at the end of {}",
            self.data.horizon_year
        )
    }

    fn description(&self) -> String {
        format!(
            "Box plots, one panel per outcome, one box per policy: the box spans the 25th to \
             75th percentile over runs, the black bar is the median and the whiskers reach the \
             5th and 95th percentiles; {} policies, the baseline named in bold.",
            self.data.names.len()
        )
    }

    fn draw<DB: Backend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> anyhow::Result<()> {
        let subtitle = format!(
            "{} · box 25th–75th percentile, bar median, whiskers 5th–95th percentile · each \
             panel has its own scale",
            self.data.subtitle
        );
        let body = style::frame(root, style, &self.title(), &subtitle, &[])?;
        if self.data.panels.is_empty() {
            return style::notice(&body, style, "comparison.csv has no outcomes.");
        }
        let names = look::names_width(&body, style, &self.data.names, &self.data.looks)?;
        let count = self.data.names.len();
        let y = look::category_axis(count);
        for (panel, slot) in self.data.panels.iter().zip(look::policy_grid(
            &body,
            style,
            self.data.panels.len(),
            names,
        )) {
            let left = if slot.first_column { names as i32 } else { 0 };
            let area = look::panel_header(
                &slot.area,
                style,
                left + style.px(6.0),
                &self.data.short_label(&panel.outcome),
                &self.data.panel_note(&panel.outcome, panel.lower_is_better),
            )?;
            let defined: Vec<&[f64; 5]> = panel.values.iter().flatten().collect();
            let low = defined.iter().map(|b| b[0]).fold(f64::INFINITY, f64::min);
            let high = defined
                .iter()
                .map(|b| b[4])
                .fold(f64::NEG_INFINITY, f64::max);
            let integer = crate::engine::outcomes::is_count(&panel.outcome);
            let x = Axis::linear(low, high, 4, integer);
            let labels = Labels {
                y_label_width: Some(look::left_room(&area, style, &x, slot.first_column, names)?),
                ..super::panels::panel_labels()
            };
            let mut chart = plot::build(&area, style, &x, &y, &labels)?;
            plot::draw_mesh(&area, &mut chart, style, &x, &y, &labels)?;
            let half = 0.3;
            for (index, (values, policy_look)) in
                panel.values.iter().zip(&self.data.looks).enumerate()
            {
                let Some([p5, p25, p50, p75, p95]) = *values else {
                    continue;
                };
                let row = look::category(index, count);
                let whisker = policy_look.color.stroke_width(style.upx(3.0));
                for (from, to) in [(p5, p25), (p75, p95)] {
                    let a = plot::local(&area, &chart, (from, row));
                    let b = plot::local(&area, &chart, (to, row));
                    area.draw(&PathElement::new(vec![a, b], whisker))?;
                }
                for end in [p5, p95] {
                    let a = plot::local(&area, &chart, (end, row - half / 2.0));
                    let b = plot::local(&area, &chart, (end, row + half / 2.0));
                    area.draw(&PathElement::new(vec![a, b], whisker))?;
                }
                let corners = [
                    plot::local(&area, &chart, (p25, row + half)),
                    plot::local(&area, &chart, (p75, row - half)),
                ];
                let fill = if policy_look.baseline {
                    tint(INK, 0.2)
                } else {
                    tint(policy_look.color, BOX_TINT)
                };
                area.draw(&Rectangle::new(corners, fill.filled()))?;
                area.draw(&Rectangle::new(
                    corners,
                    policy_look.color.stroke_width(style.upx(2.0)),
                ))?;
                let a = plot::local(&area, &chart, (p50, row - half));
                let b = plot::local(&area, &chart, (p50, row + half));
                area.draw(&PathElement::new(
                    vec![a, b],
                    INK.stroke_width(style.upx(5.0)),
                ))?;
            }
            if slot.first_column {
                look::draw_names(
                    &area,
                    &chart,
                    style,
                    x.min,
                    &self.data.names,
                    &self.data.looks,
                )?;
            }
        }
        Ok(())
    }
}
