//! `compare-differences`: each policy's mean paired difference to the baseline at the horizon,
//! with its 95% confidence interval, one panel per outcome.
//!
//! The runs of all policies share their random numbers, so the difference is taken run by run
//! and its interval is much narrower than the spread of either policy. A dot right of the zero
//! line is more than the baseline, which is better except for the cost (lower is better there;
//! the panel says so).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::Figure;
use super::axis::Axis;
use super::compare_style::{self as look, PolicyPanels};
use super::plot::{self, Labels};
use super::style::{self, Backend, INK, MUTED_TEXT, Style};
use crate::report::comparison::ComparisonSet;
use crate::report::results::ResultSet;

/// Paired differences to the baseline with 95% confidence intervals.
pub struct CompareDifferences {
    data: PolicyPanels<Option<(f64, f64, f64)>>,
}

impl CompareDifferences {
    /// Takes the paired differences out of `comparison` (None for the baseline and undefined
    /// differences).
    pub fn new(results: &ResultSet, comparison: &ComparisonSet) -> Self {
        Self {
            data: PolicyPanels::new(results, comparison, |row| {
                let row = row.filter(|row| !row.baseline)?;
                let (low, high) = row.difference_ci95;
                Some((row.difference_mean?, low?, high?))
            }),
        }
    }
}

impl Figure for CompareDifferences {
    fn name(&self) -> String {
        "compare-differences".to_string()
    }

    fn title(&self) -> String {
        format!(
            "Difference to the baseline at the end of {}, with 95% confidence intervals",
            self.data.horizon_year
        )
    }

    fn description(&self) -> String {
        format!(
            "One panel per outcome: for each of the {} other policies, the mean difference to \
             the baseline over paired runs (dot) and its 95% confidence interval (bar); the \
             vertical line is no difference; higher is better except for the cost per \
             additional networked SME, where lower is better.",
            self.data.names.len().saturating_sub(1)
        )
    }

    fn draw<DB: Backend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> anyhow::Result<()> {
        let subtitle = format!(
            "{} · policy minus baseline, run by run; dot = mean, bar = 95% confidence interval \
             (hidden behind the dot when narrower) · right of zero is more: better, except for \
             the cost, where lower is better",
            self.data.subtitle
        );
        let body = style::frame(root, style, &self.title(), &subtitle, &[])?;
        if self.data.panels.is_empty() {
            return style::notice(&body, style, "comparison.csv has no outcomes.");
        }
        let names = look::names_width(&body, style, &self.data.names, &self.data.looks)?;
        let count = self.data.names.len();
        let y = look::category_axis(count);
        let marker = style.px(18.0);
        let note_font = style.panel_tick_font().color(&MUTED_TEXT);
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
                &format!(
                    "difference, {}",
                    self.data.panel_note(&panel.outcome, panel.lower_is_better)
                ),
            )?;
            let defined: Vec<&(f64, f64, f64)> = panel.values.iter().flatten().collect();
            let low = defined.iter().map(|d| d.1).fold(0.0, f64::min);
            let high = defined.iter().map(|d| d.2).fold(0.0, f64::max);
            let pad = (high - low) * 0.05;
            // No difference in any run: a symmetric axis with zero in the middle.
            let (low, high, pad) = if high - low <= 0.0 {
                (-1.0, 1.0, 0.0)
            } else {
                (low, high, pad)
            };
            let x = Axis::linear(low - pad, high + pad, 4, false);
            let labels = Labels {
                y_label_width: Some(look::left_room(&area, style, &x, slot.first_column, names)?),
                ..super::panels::panel_labels()
            };
            let mut chart = plot::build(&area, style, &x, &y, &labels)?;
            plot::draw_mesh(&area, &mut chart, style, &x, &y, &labels)?;
            let top = plot::local(&area, &chart, (0.0, y.max));
            let bottom = plot::local(&area, &chart, (0.0, y.min));
            area.draw(&PathElement::new(
                vec![top, bottom],
                INK.stroke_width(style.reference_width()),
            ))?;
            for (index, (difference, policy_look)) in
                panel.values.iter().zip(&self.data.looks).enumerate()
            {
                let row = look::category(index, count);
                let Some((mean, low, high)) = *difference else {
                    let (zero, middle) = plot::local(&area, &chart, (0.0, row));
                    let text = if policy_look.baseline {
                        "baseline"
                    } else {
                        "undefined"
                    };
                    let font = note_font.pos(Pos::new(HPos::Left, VPos::Center));
                    style::text(&area, style, text, (zero + style.px(8.0), middle), &font)?;
                    continue;
                };
                let bar = policy_look.color.stroke_width(style.upx(4.0));
                let a = plot::local(&area, &chart, (low, row));
                let b = plot::local(&area, &chart, (high, row));
                area.draw(&PathElement::new(vec![a, b], bar))?;
                let cap = style.px(8.0);
                for end in [a, b] {
                    area.draw(&PathElement::new(
                        vec![(end.0, end.1 - cap), (end.0, end.1 + cap)],
                        bar,
                    ))?;
                }
                let centre = plot::local(&area, &chart, (mean, row));
                // A white halo, so open markers and crosses stand out from their own bar.
                area.draw(&Circle::new(
                    centre,
                    marker / 2 + style.px(4.0),
                    WHITE.filled(),
                ))?;
                look::draw_marker(
                    &area,
                    style,
                    policy_look.marker,
                    policy_look.color,
                    centre,
                    marker,
                )?;
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
