//! `compare-ranks`: how often each policy comes first, second, … across runs, as a heat map per
//! outcome (policies down, ranks across, darker = more runs), with the share written in each
//! cell. Runs where policies tie share the tied ranks evenly, so a row sums to 100%.
//!
//! One hue from white to Okabe–Ito blue: the shade is monotone in the share, so the map reads in
//! grey too. Text is black on light cells and white on dark ones.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::Figure;
use super::axis::{Axis, TickFormat};
use super::compare_style::{self as look, PolicyPanels};
use super::plot::{self, Labels};
use super::style::{self, BLUE, Backend, FONT, GRID, Style, TEXT, tint};
use crate::report::comparison::{ComparisonSet, percent};
use crate::report::results::ResultSet;

/// Rank shares of every policy and outcome.
pub struct CompareRanks {
    data: PolicyPanels<Vec<f64>>,
}

impl CompareRanks {
    /// Takes the rank shares out of `comparison`.
    pub fn new(results: &ResultSet, comparison: &ComparisonSet) -> Self {
        Self {
            data: PolicyPanels::new(results, comparison, |row| {
                row.map(|row| row.ranks.clone()).unwrap_or_default()
            }),
        }
    }
}

/// The colour of a cell holding `share` of the runs.
pub(crate) fn cell_color(share: f64) -> RGBColor {
    tint(BLUE, share.clamp(0.0, 1.0))
}

/// Whether text on `color` should be white (WCAG relative luminance below 0.3).
pub(crate) fn needs_white_text(color: RGBColor) -> bool {
    let linear = |channel: u8| {
        let c = f64::from(channel) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = 0.2126 * linear(color.0) + 0.7152 * linear(color.1) + 0.0722 * linear(color.2);
    luminance < 0.3
}

impl Figure for CompareRanks {
    fn name(&self) -> String {
        "compare-ranks".to_string()
    }

    fn title(&self) -> String {
        format!(
            "Rank of each policy across runs, end of {}",
            self.data.horizon_year
        )
    }

    fn description(&self) -> String {
        format!(
            "Heat maps, one per outcome: rows are the {} policies, columns the rank within a run \
             (1 = best; for the cost, lowest is best), each cell shaded and labelled with the \
             share of runs in which the policy has that rank; ties are split evenly.",
            self.data.names.len()
        )
    }

    fn draw<DB: Backend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> anyhow::Result<()> {
        let subtitle = format!(
            "{} · share of runs at each rank, 1 = best (for the cost, the lowest); ties split \
             evenly · darker = more runs",
            self.data.subtitle
        );
        let body = style::frame(root, style, &self.title(), &subtitle, &[])?;
        if self.data.panels.is_empty() {
            return style::notice(&body, style, "comparison.csv has no outcomes.");
        }
        let names = look::names_width(&body, style, &self.data.names, &self.data.looks)?;
        let count = self.data.names.len();
        let y = look::category_axis(count);
        let x = Axis {
            min: 0.5,
            max: count.max(1) as f64 + 0.5,
            ticks: (1..=count).map(|rank| rank as f64).collect(),
            format: TickFormat::Number(0),
        };
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
                    "rank 1 = {}",
                    if panel.lower_is_better {
                        "lowest"
                    } else {
                        "highest"
                    }
                ),
            )?;
            let labels = Labels {
                y_label_width: Some(look::left_room(&area, style, &x, slot.first_column, names)?),
                x_grid: false,
                ..super::panels::panel_labels()
            };
            let mut chart = plot::build(&area, style, &x, &y, &labels)?;
            let corner = |rank: usize, index: usize, sign: f64| {
                plot::local(
                    &area,
                    &chart,
                    (
                        rank as f64 + 0.5 * sign,
                        look::category(index, count) - 0.5 * sign,
                    ),
                )
            };
            let cell_width = (corner(1, 0, 1.0).0 - corner(1, 0, -1.0).0).abs();
            let cell_height = (corner(1, 0, 1.0).1 - corner(1, 0, -1.0).1).abs();
            // The largest font up to the panel value size that fits ">99%" in a cell.
            let mut size = 22.0 * f64::from(style.height) / 1000.0;
            let font_at = |size: f64| (FONT, size).into_font();
            while size > 6.0 {
                let (w, h) = area.estimate_text_size(">99%", &font_at(size).color(&TEXT))?;
                if (w as i32) < cell_width - style.px(6.0) && (h as i32) < cell_height - 2 {
                    break;
                }
                size -= 1.0;
            }
            for (index, shares) in panel.values.iter().enumerate() {
                for (rank, share) in shares.iter().enumerate().map(|(r, s)| (r + 1, *s)) {
                    let color = cell_color(share);
                    let (a, b) = (corner(rank, index, -1.0), corner(rank, index, 1.0));
                    area.draw(&Rectangle::new([a, b], color.filled()))?;
                    area.draw(&Rectangle::new([a, b], GRID.stroke_width(1)))?;
                    let text_color = if needs_white_text(color) { WHITE } else { TEXT };
                    let font = font_at(size)
                        .color(&text_color)
                        .pos(Pos::new(HPos::Center, VPos::Center));
                    let middle = ((a.0 + b.0) / 2, (a.1 + b.1) / 2);
                    style::text(&area, style, &percent(share), middle, &font)?;
                }
            }
            plot::draw_mesh(&area, &mut chart, style, &x, &y, &labels)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_turns_white_on_dark_cells() {
        assert!(!needs_white_text(cell_color(0.0)));
        assert!(!needs_white_text(cell_color(0.2)));
        assert!(needs_white_text(cell_color(1.0)));
        assert!(needs_white_text(cell_color(0.8)));
    }
}
