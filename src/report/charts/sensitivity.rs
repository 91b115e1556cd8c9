//! Charts of a sensitivity analysis: Sobol' indices with interval whiskers, the Morris μ*–σ
//! plane, and the tornado, each for one outcome.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axis::Axis;
use super::plot::{self, Labels};
use super::style::{self, BLUE, Backend, INK, LegendEntry, SKY_BLUE, Style, Swatch, VERMILLION};
use super::{Chart, ChartOptions, Figure, render};
use crate::engine::sensitivity::TORNADO_PERCENTILES;
use crate::engine::sensitivity_analysis::{
    InputSensitivity, OutcomeSensitivity, SensitivityAnalysis,
};
use crate::report::sensitivity_report::{outcome_title, reported, top_inputs};
use crate::scenario::currency::Currency;

/// Inputs shown in the bar charts.
const BARS: usize = 12;
/// Points labelled in the Morris plane.
const MORRIS_LABELS: usize = 6;

/// Draws the Sobol' and tornado charts of every reported outcome of the first policy and of the
/// paired difference, and the Morris plane of the first.
pub fn render_sensitivity_charts(
    analysis: &SensitivityAnalysis,
    currency: &Currency,
    options: &ChartOptions,
) -> anyhow::Result<Vec<Chart>> {
    style::register_fonts()?;
    let mut charts = Vec::new();
    let outcomes: Vec<&OutcomeSensitivity> = reported(analysis)
        .into_iter()
        .filter(|o| o.outcome.outcome == "networked_smes")
        .collect();
    for (index, outcome) in outcomes.iter().enumerate() {
        let slug = format!("networked_smes-{}", slug(&outcome.outcome.policy));
        if outcome.note.is_none() {
            charts.push(render(
                &SobolBars {
                    outcome,
                    currency,
                    slug: slug.clone(),
                },
                options,
            )?);
        }
        charts.push(render(
            &Tornado {
                outcome,
                currency,
                slug: slug.clone(),
            },
            options,
        )?);
        if index == 0 {
            charts.push(render(
                &MorrisPlane {
                    outcome,
                    currency,
                    slug,
                },
                options,
            )?);
        }
    }
    Ok(charts)
}

/// A file-name part made of letters, digits and `-`.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// Widest label among `labels`, in pixels.
fn widest<DB: Backend>(
    area: &DrawingArea<DB, Shift>,
    style: &Style,
    labels: &[&str],
) -> anyhow::Result<u32> {
    let font = style.tick_font();
    let mut widest = 0;
    for label in labels {
        widest = widest.max(area.estimate_text_size(label, &font)?.0);
    }
    Ok(widest)
}

/// Writes category names right-aligned left of the plot, one per row from the top.
fn draw_row_names<DB: Backend>(
    area: &DrawingArea<DB, Shift>,
    chart: &plot::Plot<'_, DB>,
    style: &Style,
    x_min: f64,
    names: &[&str],
) -> anyhow::Result<()> {
    let font = style.tick_font().pos(Pos::new(HPos::Right, VPos::Center));
    for (index, name) in names.iter().enumerate() {
        let row = (names.len() - 1 - index) as f64;
        let (left, middle) = plot::local(area, chart, (x_min, row));
        style::text(area, style, name, (left - style.px(10.0), middle), &font)?;
    }
    Ok(())
}

fn category_axis(count: usize) -> Axis {
    Axis {
        min: -0.5,
        max: count.max(1) as f64 - 0.5,
        ticks: Vec::new(),
        format: super::axis::TickFormat::Number(0),
    }
}

/// Draws a horizontal interval with end caps.
fn whisker<DB: Backend>(
    area: &DrawingArea<DB, Shift>,
    style: &Style,
    from: (i32, i32),
    to: (i32, i32),
) -> anyhow::Result<()> {
    let line = INK.stroke_width(style.upx(2.0));
    area.draw(&PathElement::new(vec![from, to], line))?;
    let cap = style.px(6.0);
    for end in [from, to] {
        area.draw(&PathElement::new(
            vec![(end.0, end.1 - cap), (end.0, end.1 + cap)],
            line,
        ))?;
    }
    Ok(())
}

/// Sobol' total and first-order indices of the inputs with the largest total index.
struct SobolBars<'a> {
    outcome: &'a OutcomeSensitivity,
    currency: &'a Currency,
    slug: String,
}

impl Figure for SobolBars<'_> {
    fn name(&self) -> String {
        format!("sobol-{}", self.slug)
    }

    fn title(&self) -> String {
        format!(
            "Sobol' indices: {}",
            outcome_title(self.outcome, self.currency)
        )
    }

    fn description(&self) -> String {
        format!(
            "For the {BARS} inputs with the largest total index (the model's own randomness \
             included): the total index S_T (dark bar), the first-order index S_1 (light bar) and \
             their 95% bootstrap intervals (whiskers). S_T is the share of the outcome's variance \
             the input explains with its interactions, S_1 alone."
        )
    }

    fn draw<DB: Backend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> anyhow::Result<()> {
        let legend = [
            LegendEntry::new(
                Swatch::Fill {
                    color: BLUE,
                    outline: None,
                },
                "total index S_T",
            ),
            LegendEntry::new(
                Swatch::Fill {
                    color: SKY_BLUE,
                    outline: None,
                },
                "first-order index S_1",
            ),
        ];
        let body = style::frame(
            root,
            style,
            &self.title(),
            "share of the outcome's variance at the horizon; whiskers are 95% bootstrap intervals",
            &legend,
        )?;
        let inputs = top_inputs(self.outcome, BARS);
        let names: Vec<&str> = inputs.iter().map(|i| i.input.as_str()).collect();
        let estimates = inputs.iter().flat_map(|i| [i.first, i.total]).flatten();
        let (low, high) = estimates.fold((0.0f64, 0.0f64), |(low, high), e| {
            (low.min(e.low), high.max(e.high))
        });
        let x = Axis::linear(low.max(-1.0), high.clamp(0.1, 1.5), 5, false);
        let y = category_axis(inputs.len());
        let labels = Labels {
            y_label_width: Some(widest(&body, style, &names)?),
            ..Labels::new("index (share of variance)", "")
        };
        let mut chart = plot::build(&body, style, &x, &y, &labels)?;
        plot::draw_mesh(&body, &mut chart, style, &x, &y, &labels)?;
        for (index, input) in inputs.iter().enumerate() {
            let row = (inputs.len() - 1 - index) as f64;
            for (estimate, offset, color) in
                [(input.total, 0.18, BLUE), (input.first, -0.18, SKY_BLUE)]
            {
                let Some(estimate) = estimate else { continue };
                let value = x.clamp(estimate.value);
                let top = plot::local(&body, &chart, (x.clamp(0.0), row + offset + 0.15));
                let bottom = plot::local(&body, &chart, (value, row + offset - 0.15));
                body.draw(&Rectangle::new([top, bottom], color.filled()))?;
                let from = plot::local(&body, &chart, (x.clamp(estimate.low), row + offset));
                let to = plot::local(&body, &chart, (x.clamp(estimate.high), row + offset));
                whisker(&body, style, from, to)?;
            }
        }
        draw_row_names(&body, &chart, style, x.min, &names)
    }
}

/// Tornado: the outcome with each input at its 10th and 90th percentile, the others at medians.
struct Tornado<'a> {
    outcome: &'a OutcomeSensitivity,
    currency: &'a Currency,
    slug: String,
}

impl Tornado<'_> {
    fn bars(&self) -> Vec<(&InputSensitivity, f64, f64)> {
        let mut bars: Vec<(&InputSensitivity, f64, f64)> = self
            .outcome
            .inputs
            .iter()
            .filter_map(|input| input.tornado.map(|(low, high)| (input, low, high)))
            .filter(|(_, low, high)| low.is_finite() && high.is_finite())
            .collect();
        bars.sort_by(|a, b| {
            (b.2 - b.1)
                .abs()
                .total_cmp(&(a.2 - a.1).abs())
                .then_with(|| a.0.input.cmp(&b.0.input))
        });
        bars.truncate(BARS);
        bars
    }
}

impl Figure for Tornado<'_> {
    fn name(&self) -> String {
        format!("tornado-{}", self.slug)
    }

    fn title(&self) -> String {
        format!("Tornado: {}", outcome_title(self.outcome, self.currency))
    }

    fn description(&self) -> String {
        let (low, high) = TORNADO_PERCENTILES;
        format!(
            "For the {BARS} inputs that swing the outcome most: the mean outcome with the input \
             at its {:.0}th percentile (orange) and its {:.0}th percentile (blue), every other \
             input at its median, averaged over replications that share their random numbers; \
             the vertical line is the outcome with every input at its median.",
            low * 100.0,
            high * 100.0
        )
    }

    fn draw<DB: Backend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> anyhow::Result<()> {
        let (low_p, high_p) = TORNADO_PERCENTILES;
        let legend = [
            LegendEntry::new(
                Swatch::Fill {
                    color: VERMILLION,
                    outline: None,
                },
                format!("input at its {:.0}th percentile", low_p * 100.0),
            ),
            LegendEntry::new(
                Swatch::Fill {
                    color: BLUE,
                    outline: None,
                },
                format!("input at its {:.0}th percentile", high_p * 100.0),
            ),
        ];
        let body = style::frame(
            root,
            style,
            &self.title(),
            "mean outcome at the horizon; the others at their medians, on common random numbers",
            &legend,
        )?;
        let bars = self.bars();
        if bars.is_empty() || !self.outcome.base.is_finite() {
            return style::notice(
                &body,
                style,
                "The outcome is undefined in the tornado runs.",
            );
        }
        let base = self.outcome.base;
        let names: Vec<&str> = bars.iter().map(|(i, _, _)| i.input.as_str()).collect();
        let (low, high) = bars.iter().fold((base, base), |(low, high), (_, a, b)| {
            (low.min(*a).min(*b), high.max(*a).max(*b))
        });
        let pad = (high - low) * 0.05;
        let x = Axis::linear(low - pad, high + pad, 5, false);
        let y = category_axis(bars.len());
        let x_title = outcome_title(self.outcome, self.currency);
        let labels = Labels {
            y_label_width: Some(widest(&body, style, &names)?),
            ..Labels::new(&x_title, "")
        };
        let mut chart = plot::build(&body, style, &x, &y, &labels)?;
        plot::draw_mesh(&body, &mut chart, style, &x, &y, &labels)?;
        for (index, (_, at_low, at_high)) in bars.iter().enumerate() {
            let row = (bars.len() - 1 - index) as f64;
            // The bar reaching farther from the centre first, so a shorter one on the same side
            // stays visible on top of it.
            let mut pair = [(*at_low, VERMILLION), (*at_high, BLUE)];
            pair.sort_by(|a, b| (b.0 - base).abs().total_cmp(&(a.0 - base).abs()));
            for (value, color) in pair {
                let a = plot::local(&body, &chart, (base, row + 0.3));
                let b = plot::local(&body, &chart, (value, row - 0.3));
                body.draw(&Rectangle::new([a, b], color.filled()))?;
            }
        }
        let top = plot::local(&body, &chart, (base, y.max));
        let bottom = plot::local(&body, &chart, (base, y.min));
        body.draw(&PathElement::new(
            vec![top, bottom],
            INK.stroke_width(style.reference_width()),
        ))?;
        draw_row_names(&body, &chart, style, x.min, &names)
    }
}

/// Morris screening: μ* against σ for every input.
struct MorrisPlane<'a> {
    outcome: &'a OutcomeSensitivity,
    currency: &'a Currency,
    slug: String,
}

impl Figure for MorrisPlane<'_> {
    fn name(&self) -> String {
        format!("morris-{}", self.slug)
    }

    fn title(&self) -> String {
        format!(
            "Morris screening: {}",
            outcome_title(self.outcome, self.currency)
        )
    }

    fn description(&self) -> String {
        format!(
            "Each input's mean absolute elementary effect μ* (how much it moves the outcome) \
             against the standard deviation σ of its effects (non-linearity and interactions); \
             the {MORRIS_LABELS} inputs with the largest μ* are named. Inputs near the origin can \
             be fixed."
        )
    }

    fn draw<DB: Backend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> anyhow::Result<()> {
        let body = style::frame(
            root,
            style,
            &self.title(),
            "effect of moving one input by half its probability range, over random trajectories",
            &[],
        )?;
        let mut points: Vec<(&str, f64, f64)> = self
            .outcome
            .inputs
            .iter()
            .filter_map(|input| {
                let m = input.morris?;
                (m.mu_star.is_finite() && m.sigma.is_finite()).then_some((
                    input.input.as_str(),
                    m.mu_star,
                    m.sigma,
                ))
            })
            .collect();
        if points.is_empty() {
            return style::notice(&body, style, "The outcome is undefined in the Morris runs.");
        }
        points.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        let x_high = points.iter().map(|p| p.1).fold(0.0, f64::max);
        let y_high = points.iter().map(|p| p.2).fold(0.0, f64::max);
        let x = Axis::linear(0.0, x_high * 1.25, 5, false);
        let y = Axis::linear(0.0, y_high * 1.1, 5, false);
        let labels = Labels::new(
            "μ* (mean absolute elementary effect)",
            "σ (spread of effects)",
        );
        let mut chart = plot::build(&body, style, &x, &y, &labels)?;
        plot::draw_mesh(&body, &mut chart, style, &x, &y, &labels)?;
        let font = style
            .annotation_font()
            .pos(Pos::new(HPos::Left, VPos::Center));
        for (rank, (name, mu_star, sigma)) in points.iter().enumerate() {
            let centre = plot::local(&body, &chart, (*mu_star, *sigma));
            body.draw(&Circle::new(centre, style.px(7.0), BLUE.filled()))?;
            if rank < MORRIS_LABELS {
                style::text(
                    &body,
                    style,
                    name,
                    (centre.0 + style.px(10.0), centre.1),
                    &font,
                )?;
            }
        }
        Ok(())
    }
}
