//! `compare-efficient-set`: every policy as a point of cost per additional networked SME (x,
//! lower is better) against networked SMEs (y, higher is better) at the horizon, means over the
//! runs, so up and left is better.
//!
//! The efficient set — the policies no other policy beats on both, as
//! [`crate::report::verdict::efficient_set`] defines it — is drawn with full-colour markers
//! ringed in black and joined by a black step line (the frontier: the most networked SMEs to be
//! had at each cost); the policies beaten on both are faded, their names grey. No whiskers: on
//! common random numbers the intervals of each policy's mean are much wider than those of the
//! paired differences that decide the comparison (drawn in `compare-differences`), and would
//! hide the frontier.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::Figure;
use super::axis::Axis;
use super::compare_style::{self as look, PolicyLook};
use super::plot::{self, Labels};
use super::style::{self, Backend, INK, LegendEntry, MUTED_TEXT, Style, Swatch, tint};
use crate::report::comparison::ComparisonSet;
use crate::report::results::ResultSet;

/// The effect the chart plots (y).
const EFFECT: &str = "networked_smes";
/// The cost the chart plots (x).
const COST: &str = "cost_per_additional_networked_sme_ltl";
/// How much of its colour a policy beaten on both keeps.
const FADED: f64 = 0.45;

/// One policy's place on the chart.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Point {
    /// Mean cost per additional networked SME (x).
    cost: f64,
    /// Mean networked SMEs (y).
    effect: f64,
}

/// Each policy's point (None where a mean is undefined), in policy order.
fn points(comparison: &ComparisonSet) -> Vec<Option<Point>> {
    comparison
        .policies
        .iter()
        .map(|policy| {
            Some(Point {
                cost: comparison.row(policy, COST)?.mean?,
                effect: comparison.row(policy, EFFECT)?.mean?,
            })
        })
        .collect()
}

/// Which of `points` are drawn as efficient: a point is beaten when another is at least as far
/// up (effect) and at least as far left (cost), and strictly further on one.
fn classify(points: &[Option<Point>]) -> Vec<bool> {
    let drawn: Vec<Point> = points.iter().flatten().copied().collect();
    points
        .iter()
        .map(|point| {
            point.is_some_and(|p| {
                !drawn.iter().any(|q| {
                    q.effect >= p.effect
                        && q.cost <= p.cost
                        && (q.effect > p.effect || q.cost < p.cost)
                })
            })
        })
        .collect()
}

/// The policies `compare-efficient-set` draws as efficient (ringed, on the frontier), in policy
/// order — classified from the points as drawn.
pub fn drawn_efficient_set(comparison: &ComparisonSet) -> Vec<String> {
    comparison
        .policies
        .iter()
        .zip(classify(&points(comparison)))
        .filter(|(_, efficient)| *efficient)
        .map(|(policy, _)| policy.clone())
        .collect()
}

/// The frontier as a step line through the efficient points, cheapest first: from each point
/// right at its level to the next one's cost, then up to it.
fn frontier(points: &[Option<Point>], efficient: &[bool]) -> Vec<(f64, f64)> {
    let mut on: Vec<Point> = points
        .iter()
        .zip(efficient)
        .filter(|(_, efficient)| **efficient)
        .filter_map(|(point, _)| *point)
        .collect();
    on.sort_by(|a, b| {
        a.cost
            .total_cmp(&b.cost)
            .then(a.effect.total_cmp(&b.effect))
    });
    let mut path: Vec<(f64, f64)> = Vec::new();
    for point in on {
        if let Some(&(_, level)) = path.last() {
            path.push((point.cost, level));
        }
        path.push((point.cost, point.effect));
    }
    path.dedup();
    path
}

/// Networked SMEs against cost per additional networked SME, with the efficient set.
pub struct CompareEfficientSet {
    names: Vec<String>,
    looks: Vec<PolicyLook>,
    points: Vec<Option<Point>>,
    efficient: Vec<bool>,
    horizon_year: i32,
    subtitle: String,
    currency: &'static str,
}

impl CompareEfficientSet {
    /// Takes the means and standard errors of networked SMEs and cost per additional networked
    /// SME out of `comparison`.
    pub fn new(results: &ResultSet, comparison: &ComparisonSet) -> Self {
        let points = points(comparison);
        let efficient = classify(&points);
        Self {
            names: comparison.policies.clone(),
            looks: look::looks(comparison),
            points,
            efficient,
            horizon_year: results.scenario.budget.horizon_year,
            subtitle: look::provenance(results, comparison),
            currency: results.scenario.currency.code,
        }
    }

    /// Names of the policies not drawn (a mean undefined).
    fn undefined(&self) -> Vec<&str> {
        self.names
            .iter()
            .zip(&self.points)
            .filter(|(_, point)| point.is_none())
            .map(|(name, _)| name.as_str())
            .collect()
    }
}

/// Whether two pixel boxes (left, top, right, bottom) overlap.
fn overlaps(a: (i32, i32, i32, i32), b: (i32, i32, i32, i32)) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

impl Figure for CompareEfficientSet {
    fn name(&self) -> String {
        "compare-efficient-set".to_string()
    }

    fn title(&self) -> String {
        format!(
            "Effect against cost at the end of {}: the efficient set",
            self.horizon_year
        )
    }

    fn description(&self) -> String {
        let efficient: Vec<&str> = self
            .names
            .iter()
            .zip(&self.efficient)
            .filter(|(_, efficient)| **efficient)
            .map(|(name, _)| name.as_str())
            .collect();
        let mut text = format!(
            "Each of the {} policies as a point: mean cost per additional networked SME in {} \
             (across, lower is better) against mean networked SMEs (up, higher is better); the \
             efficient set, the policies not beaten on both by another policy ({}), is ringed \
             and joined by a step line, the others are faded.",
            self.names.len(),
            self.currency,
            efficient.join(", ")
        );
        let undefined = self.undefined();
        if !undefined.is_empty() {
            text.push_str(&format!(
                " Not drawn, cost undefined: {}.",
                undefined.join(", ")
            ));
        }
        text
    }

    fn draw<DB: Backend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> anyhow::Result<()> {
        let mut subtitle = format!(
            "{} · means over runs; up and left is better · ringed in black and joined by the \
             step line = efficient set (not beaten on both effect and cost by another policy); \
             faded = beaten on both · the confidence intervals of the differences are in \
             compare-differences",
            self.subtitle
        );
        let undefined = self.undefined();
        if !undefined.is_empty() {
            subtitle.push_str(&format!(
                " · not drawn (cost undefined): {}",
                undefined.join(", ")
            ));
        }
        let legend = [LegendEntry::new(
            Swatch::Line {
                color: INK,
                width: 3.0,
                dashed: false,
            },
            "efficient frontier: the most networked SMEs to be had at each cost",
        )];
        let body = style::frame(root, style, &self.title(), &subtitle, &legend)?;
        let drawn: Vec<(usize, Point)> = self
            .points
            .iter()
            .enumerate()
            .filter_map(|(index, point)| point.map(|point| (index, point)))
            .collect();
        if drawn.is_empty() {
            return style::notice(
                &body,
                style,
                "No policy has a defined cost per additional networked SME.",
            );
        }
        let range = |values: Vec<f64>| {
            let low = values.iter().copied().fold(f64::INFINITY, f64::min);
            let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let pad = (high - low) * 0.08;
            (low - pad, high + pad)
        };
        let (x_low, x_high) = range(drawn.iter().map(|(_, p)| p.cost).collect());
        let (y_low, y_high) = range(drawn.iter().map(|(_, p)| p.effect).collect());
        let x = Axis::linear(x_low, x_high, 6, false);
        let y = Axis::linear(y_low, y_high, 6, false);
        let x_title = format!(
            "Cost per additional networked SME, {} (mean) · lower is better",
            self.currency
        );
        let y_title = format!(
            "Networked SMEs at the end of {} (mean) · higher is better",
            self.horizon_year
        );
        let area = body.margin(0, style.margin(), 0, 0);
        let labels = Labels::new(&x_title, &y_title);
        let mut chart = plot::build(&area, style, &x, &y, &labels)?;
        plot::draw_mesh(&area, &mut chart, style, &x, &y, &labels)?;

        // The frontier: one step line (a data series) through the efficient points.
        let path: Vec<(i32, i32)> = frontier(&self.points, &self.efficient)
            .into_iter()
            .map(|point| plot::local(&area, &chart, point))
            .collect();
        if path.len() >= 2 {
            area.draw(&PathElement::new(
                path.clone(),
                INK.stroke_width(style.upx(3.0)),
            ))?;
        }

        // Markers: the efficient ones last, ringed, in full colour; the others faded.
        let marker = style.px(22.0);
        let ring = marker / 2 + style.px(9.0);
        let mut order: Vec<&(usize, Point)> = drawn.iter().collect();
        order.sort_by_key(|(index, _)| self.efficient[*index]);
        let mut centres = vec![(0, 0); self.names.len()];
        for (index, point) in &order {
            let centre = plot::local(&area, &chart, (point.cost, point.effect));
            centres[*index] = centre;
            let policy_look = &self.looks[*index];
            if self.efficient[*index] {
                area.draw(&Circle::new(centre, ring, WHITE.filled()))?;
                area.draw(&Circle::new(centre, ring, INK.stroke_width(style.upx(3.5))))?;
                look::draw_marker(
                    &area,
                    style,
                    policy_look.marker,
                    policy_look.color,
                    centre,
                    marker,
                )?;
            } else {
                area.draw(&Circle::new(
                    centre,
                    marker / 2 + style.px(3.0),
                    WHITE.filled(),
                ))?;
                look::draw_marker(
                    &area,
                    style,
                    policy_look.marker,
                    tint(policy_look.color, FADED),
                    centre,
                    marker,
                )?;
            }
        }

        // Names beside their points, each where it meets no other name or point and stays in
        // the plot: right, left, above, below, then further down or up.
        let top_left = plot::local(&area, &chart, (x.min, y.max));
        let bottom_right = plot::local(&area, &chart, (x.max, y.min));
        let line = style.px(3.0);
        let marks: Vec<(i32, i32, i32, i32)> = drawn
            .iter()
            .map(|(index, _)| {
                let (cx, cy) = centres[*index];
                (cx - ring, cy - ring, cx + ring, cy + ring)
            })
            // The frontier's segments (horizontal or vertical) as thin boxes.
            .chain(path.windows(2).map(|pair| {
                let (a, b) = (pair[0], pair[1]);
                (
                    a.0.min(b.0) - line,
                    a.1.min(b.1) - line,
                    a.0.max(b.0) + line,
                    a.1.max(b.1) + line,
                )
            }))
            .collect();
        let mut taken: Vec<(i32, i32, i32, i32)> = Vec::new();
        let gap = ring + style.px(10.0);
        for (index, _) in &drawn {
            let (cx, cy) = centres[*index];
            let policy_look = &self.looks[*index];
            let name = look::policy_label(&self.names[*index], policy_look);
            let font = if self.efficient[*index] {
                look::name_font(style, 25.0, policy_look)
            } else {
                look::name_font(style, 25.0, policy_look).color(&MUTED_TEXT)
            };
            let (width, height) = area.estimate_text_size(&name, &font)?;
            let width = (f64::from(width) / style::TEXT_SLACK).ceil() as i32;
            let height = height as i32;
            let step = height + style.px(4.0);
            // Top-left corners of the candidate boxes.
            let candidates = [
                (cx + gap, cy - height / 2),
                (cx - gap - width, cy - height / 2),
                (cx - width / 2, cy - gap - height),
                (cx - width / 2, cy + gap),
                (cx + gap, cy - height / 2 + step),
                (cx + gap, cy - height / 2 - step),
                (cx - gap - width, cy - height / 2 + step),
                (cx - gap - width, cy - height / 2 - step),
                (cx - width / 2, cy + gap + step),
                (cx - width / 2, cy - gap - height - step),
            ];
            let fits = |(left, top): (i32, i32)| {
                let bounds = (left, top, left + width, top + height);
                left >= top_left.0
                    && top >= top_left.1
                    && left + width <= bottom_right.0
                    && top + height <= bottom_right.1
                    && !taken.iter().any(|other| overlaps(bounds, *other))
                    && !marks.iter().any(|mark| overlaps(bounds, *mark))
            };
            let (left, top) = candidates
                .iter()
                .copied()
                .find(|candidate| fits(*candidate))
                .unwrap_or(candidates[0]);
            taken.push((left, top, left + width, top + height));
            // On white, so a name read over a line stays legible.
            let pad = style.px(3.0);
            area.draw(&Rectangle::new(
                [
                    (left - pad, top - pad),
                    (left + width + pad, top + height + pad),
                ],
                WHITE.filled(),
            ))?;
            let font = font.pos(Pos::new(HPos::Left, VPos::Top));
            style::text(&area, style, &name, (left, top), &font)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(cost: f64, effect: f64) -> Option<Point> {
        Some(Point { cost, effect })
    }

    #[test]
    fn beaten_on_both_is_not_efficient() {
        // b is cheaper and better than a; c is the most effective but dearest; d ties b on
        // cost and is worse; e has no cost.
        let points = [
            point(100.0, 10.0),
            point(80.0, 12.0),
            point(120.0, 15.0),
            point(80.0, 11.0),
            None,
        ];
        assert_eq!(classify(&points), [false, true, true, false, false]);
    }

    #[test]
    fn equal_points_are_both_efficient() {
        let points = [point(50.0, 5.0), point(50.0, 5.0)];
        assert_eq!(classify(&points), [true, true]);
    }

    #[test]
    fn the_frontier_steps_right_then_up() {
        let points = [point(120.0, 15.0), point(80.0, 12.0), point(100.0, 10.0)];
        let efficient = classify(&points);
        assert_eq!(
            frontier(&points, &efficient),
            [(80.0, 12.0), (120.0, 12.0), (120.0, 15.0)]
        );
    }
}
