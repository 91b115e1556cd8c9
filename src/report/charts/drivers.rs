//! `drivers`: a tornado-style bar chart of what drives the main outcome (additional networked
//! SMEs): one row per uncertain input, strongest at the top, a bar from zero to its partial rank
//! correlation (PRCC) with the 95% interval as a whisker, and Spearman's ρ as an open circle.
//! The x axis always spans −1 to 1, so bars of different results compare at a glance.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::Figure;
use super::axis::{Axis, TickFormat};
use super::plot::{self, Labels};
use super::style::{self, BLUE, Backend, INK, LegendEntry, Style, Swatch, VERMILLION, tint};
use crate::engine::outcomes::headline_label;
use crate::report::drivers::Driver;
use crate::report::drivers_section::main_outcome;
use crate::report::results::ResultSet;

/// File stem of the chart.
pub const DRIVERS_CHART: &str = "drivers";

/// Most inputs drawn.
const MAX_ROWS: usize = 12;

/// The strongest inputs of the main outcome.
pub struct Drivers {
    outcome: Option<&'static str>,
    rows: Vec<Driver>,
    inputs: usize,
    runs: usize,
    currency: crate::scenario::currency::Currency,
}

impl Drivers {
    /// Takes the drivers of the main outcome out of `results`.
    pub fn new(results: &ResultSet) -> Self {
        let drivers = &results.drivers;
        let outcome = main_outcome(drivers);
        let rows: Vec<Driver> = outcome
            .map(|outcome| drivers.for_outcome(outcome))
            .unwrap_or_default()
            .into_iter()
            .cloned()
            .collect();
        Self {
            outcome,
            inputs: rows.len(),
            rows: rows.into_iter().take(MAX_ROWS).collect(),
            runs: drivers.runs,
            currency: results.scenario.currency.clone(),
        }
    }
}

impl Figure for Drivers {
    fn name(&self) -> String {
        DRIVERS_CHART.to_string()
    }

    fn title(&self) -> String {
        match self.outcome {
            Some(outcome) => format!(
                "What drives the result: {}",
                self.currency.label(headline_label(outcome))
            ),
            None => "What drives the result".to_string(),
        }
    }

    fn description(&self) -> String {
        format!(
            "Tornado-style bars: for the {} strongest of {} uncertain inputs, the partial rank \
             correlation (PRCC) with the outcome over {} runs (bar, with its 95% interval as a \
             whisker) and Spearman's rank correlation (open circle); right of zero the outcome \
             rises with the input, left of zero it falls.",
            self.rows.len(),
            self.inputs,
            self.runs
        )
    }

    fn draw<DB: Backend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> anyhow::Result<()> {
        let subtitle = format!(
            "{} runs · bar = partial rank correlation (PRCC) with the other inputs accounted for, \
             whisker = its 95% interval; circle = Spearman's ρ · strongest input at the top{}",
            self.runs,
            if self.inputs > self.rows.len() {
                format!(
                    "; {} weaker inputs in drivers.csv",
                    self.inputs - self.rows.len()
                )
            } else {
                String::new()
            }
        );
        let legend = [
            LegendEntry::new(
                Swatch::Fill {
                    color: tint(BLUE, 0.75),
                    outline: Some(BLUE),
                },
                "PRCC > 0: outcome rises with the input",
            ),
            LegendEntry::new(
                Swatch::Fill {
                    color: tint(VERMILLION, 0.45),
                    outline: Some(VERMILLION),
                },
                "PRCC < 0: outcome falls as the input rises",
            ),
        ];
        let body = style::frame(root, style, &self.title(), &subtitle, &legend)?;
        if self.rows.is_empty() {
            return style::notice(
                &body,
                style,
                "No headline outcome varies with an uncertain input in these runs.",
            );
        }
        let font = style.tick_font();
        let mut names_width = 0;
        for row in &self.rows {
            names_width = names_width.max(body.estimate_text_size(&row.input, &font)?.0);
        }
        let x = Axis::linear(-1.0, 1.0, 8, false);
        let count = self.rows.len();
        let y = Axis {
            min: -0.5,
            max: count as f64 - 0.5,
            ticks: Vec::new(),
            format: TickFormat::Number(0),
        };
        let labels = Labels {
            y_label_width: Some(names_width),
            ..Labels::new("rank correlation with the outcome", "")
        };
        let mut chart = plot::build(&body, style, &x, &y, &labels)?;
        plot::draw_mesh(&body, &mut chart, style, &x, &y, &labels)?;
        let zero_top = plot::local(&body, &chart, (0.0, y.max));
        let zero_bottom = plot::local(&body, &chart, (0.0, y.min));
        body.draw(&PathElement::new(
            vec![zero_top, zero_bottom],
            INK.stroke_width(style.reference_width()),
        ))?;
        let half = 0.32;
        let name_font = font.pos(Pos::new(HPos::Right, VPos::Center));
        for (index, row) in self.rows.iter().enumerate() {
            let level = (count - 1 - index) as f64;
            let (left, middle) = plot::local(&body, &chart, (x.min, level));
            style::text(
                &body,
                style,
                &row.input,
                (left - style.px(10.0), middle),
                &name_font,
            )?;
            if let Some((value, (low, high))) = row.prcc {
                let color = if value >= 0.0 { BLUE } else { VERMILLION };
                let fill = if value >= 0.0 {
                    tint(BLUE, 0.75)
                } else {
                    tint(VERMILLION, 0.45)
                };
                let a = plot::local(&body, &chart, (0.0, level + half));
                let b = plot::local(&body, &chart, (value, level - half));
                body.draw(&Rectangle::new([a, b], fill.filled()))?;
                body.draw(&Rectangle::new([a, b], color.stroke_width(style.upx(1.5))))?;
                let whisker = INK.stroke_width(style.upx(2.0));
                let from = plot::local(&body, &chart, (low, level));
                let to = plot::local(&body, &chart, (high, level));
                body.draw(&PathElement::new(vec![from, to], whisker))?;
                let cap = style.px(7.0);
                for end in [from, to] {
                    body.draw(&PathElement::new(
                        vec![(end.0, end.1 - cap), (end.0, end.1 + cap)],
                        whisker,
                    ))?;
                }
            }
            if let Some((rho, _)) = row.spearman {
                let centre = plot::local(&body, &chart, (rho, level));
                let radius = style.px(7.0);
                body.draw(&Circle::new(centre, radius, WHITE.filled()))?;
                body.draw(&Circle::new(
                    centre,
                    radius,
                    INK.stroke_width(style.upx(2.0)),
                ))?;
            }
        }
        Ok(())
    }
}
