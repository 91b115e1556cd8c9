//! `compare-verdict-by-input`: does the leading policy stay ahead? For the uncertain inputs that
//! move it most, the mean paired difference (leader − runner-up) in networked SMEs within the
//! runs where the input was in its lower, middle and upper third, each with its 95% interval.
//! Left of the zero line the runner-up leads.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::Figure;
use super::axis::{Axis, TickFormat};
use super::plot::{self, Labels};
use super::style::{self, BLUE, Backend, INK, LegendEntry, SKY_BLUE, Style, Swatch, VERMILLION};
use crate::report::results::ResultSet;
use crate::report::verdict_by_input::{InputThirds, THIRDS};

/// File stem of the chart.
pub const VERDICT_CHART: &str = "compare-verdict-by-input";

/// Most inputs drawn.
const MAX_ROWS: usize = 10;

/// Colours of the lower, middle and upper thirds: light to dark in grey as well.
const COLORS: [RGBColor; 3] = [SKY_BLUE, VERMILLION, BLUE];

/// The thirds of the inputs that move the difference most.
pub struct VerdictByInput {
    leader: String,
    runner_up: String,
    overall: f64,
    rows: Vec<InputThirds>,
    inputs: usize,
    runs: usize,
}

impl VerdictByInput {
    /// Takes the analysis out of `results` (a comparison on common random numbers).
    pub fn new(results: &ResultSet) -> Option<Self> {
        let verdict = results.verdict_by_input.as_ref()?;
        Some(Self {
            leader: verdict.leader.clone(),
            runner_up: verdict.runner_up.clone(),
            overall: verdict.overall.0,
            rows: verdict.inputs.iter().take(MAX_ROWS).cloned().collect(),
            inputs: verdict.inputs.len(),
            runs: verdict.runs,
        })
    }
}

impl Figure for VerdictByInput {
    fn name(&self) -> String {
        VERDICT_CHART.to_string()
    }

    fn title(&self) -> String {
        format!(
            "Leader “{}” minus runner-up “{}” within each third of the inputs",
            self.leader, self.runner_up
        )
    }

    fn description(&self) -> String {
        format!(
            "For the {} of {} uncertain inputs that move it most, the mean difference in \
             networked SMEs at the horizon between “{}” and “{}” within the runs where the input \
             was in its lower, middle and upper third, with 95% intervals; left of zero the \
             runner-up leads; the dashed line is the difference over all {} runs.",
            self.rows.len(),
            self.inputs,
            self.leader,
            self.runner_up,
            self.runs
        )
    }

    fn draw<DB: Backend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> anyhow::Result<()> {
        let subtitle = format!(
            "Networked SMEs at the horizon, “{}” minus “{}”, run by run · dot = mean within the \
             runs where the input was in that third, bar = 95% interval · dashed = all {} runs \
             · left of zero the runner-up leads",
            self.leader, self.runner_up, self.runs
        );
        let legend: Vec<LegendEntry> = THIRDS
            .iter()
            .zip(COLORS)
            .map(|(third, color)| {
                LegendEntry::new(
                    Swatch::Fill {
                        color,
                        outline: None,
                    },
                    format!("{third} third of the input"),
                )
            })
            .collect();
        let body = style::frame(root, style, &self.title(), &subtitle, &legend)?;
        let font = style.tick_font();
        let mut names_width = 0;
        for row in &self.rows {
            names_width = names_width.max(body.estimate_text_size(&row.input, &font)?.0);
        }
        let mut low: f64 = 0.0;
        let mut high: f64 = 0.0;
        for third in self.rows.iter().flat_map(|row| &row.thirds) {
            low = low.min(third.ci95.0);
            high = high.max(third.ci95.1);
        }
        let pad = (high - low).max(1.0) * 0.05;
        let x = Axis::linear(low - pad, high + pad, 6, false);
        let count = self.rows.len();
        let y = Axis {
            min: -0.5,
            max: count as f64 - 0.5,
            ticks: Vec::new(),
            format: TickFormat::Number(0),
        };
        let labels = Labels {
            y_label_width: Some(names_width),
            ..Labels::new("difference in networked SMEs (leader − runner-up)", "")
        };
        let mut chart = plot::build(&body, style, &x, &y, &labels)?;
        plot::draw_mesh(&body, &mut chart, style, &x, &y, &labels)?;
        let line = |value: f64| {
            (
                plot::local(&body, &chart, (value, y.max)),
                plot::local(&body, &chart, (value, y.min)),
            )
        };
        let (top, bottom) = line(0.0);
        body.draw(&PathElement::new(
            vec![top, bottom],
            INK.stroke_width(style.reference_width()),
        ))?;
        let (top, bottom) = line(self.overall);
        style::draw_dashed(&body, style, top, bottom, INK.stroke_width(style.upx(1.5)))?;
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
            for (position, (third, color)) in row.thirds.iter().zip(COLORS).enumerate() {
                // Lower third on top, upper third at the bottom of the row.
                let offset = 0.25 - 0.25 * position as f64;
                let a = plot::local(&body, &chart, (third.ci95.0, level + offset));
                let b = plot::local(&body, &chart, (third.ci95.1, level + offset));
                body.draw(&PathElement::new(
                    vec![a, b],
                    color.stroke_width(style.upx(3.0)),
                ))?;
                let centre = plot::local(&body, &chart, (third.mean, level + offset));
                body.draw(&Circle::new(centre, style.px(7.0), color.filled()))?;
                body.draw(&Circle::new(
                    centre,
                    style.px(7.0),
                    INK.stroke_width(style.upx(1.0)),
                ))?;
            }
        }
        Ok(())
    }
}
