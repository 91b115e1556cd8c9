//! What the five comparison charts share: one look per policy (colour, dash pattern, marker) so a
//! policy is recognisable from chart to chart and in a greyscale print, the outcome wording, the
//! provenance line, and the grid of small multiples with the policy names written once on the
//! left.
//!
//! The baseline is always solid black with a filled disc and its name is set in bold with
//! "(baseline)"; the other policies take the Okabe–Ito colours (without yellow, which is too
//! light on white) each with its own dash pattern and marker, so that colour is never the only
//! thing telling two policies apart.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, TextStyle};

use super::data;
use super::plot::{self, Plot};
use super::style::{
    self, BLUE, BLUISH_GREEN, Backend, FONT, INK, MUTED_TEXT, ORANGE, REDDISH_PURPLE, SKY_BLUE,
    Style, TEXT, VERMILLION,
};
use crate::report::comparison::{ComparisonRow, ComparisonSet};
use crate::report::results::ResultSet;

/// Colours of the non-baseline policies, in order.
const COLORS: [RGBColor; 6] = [
    ORANGE,
    SKY_BLUE,
    BLUISH_GREEN,
    VERMILLION,
    BLUE,
    REDDISH_PURPLE,
];

/// Dash patterns (on, off, … in pixels of a 1000-px-high chart) of the non-baseline policies.
const DASHES: [&[f64]; 6] = [
    &[20.0, 8.0],
    &[7.0, 6.0],
    &[2.5, 6.0],
    &[20.0, 6.0, 4.0, 6.0],
    &[10.0, 4.0, 10.0, 14.0],
    &[30.0, 6.0, 5.0, 6.0, 5.0, 6.0],
];

/// The shape drawn at a policy's points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marker {
    /// A filled disc (the baseline).
    Disc,
    /// A filled square.
    Square,
    /// An open circle.
    Ring,
    /// An open square.
    OpenSquare,
    /// A plus sign.
    Plus,
    /// A diagonal cross.
    Cross,
    /// A plus and a cross over each other.
    Star,
}

const MARKERS: [Marker; 6] = [
    Marker::Square,
    Marker::Ring,
    Marker::OpenSquare,
    Marker::Plus,
    Marker::Cross,
    Marker::Star,
];

/// How one policy is drawn in every comparison chart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PolicyLook {
    /// Line and marker colour.
    pub color: RGBColor,
    /// Dash pattern; empty for a solid line.
    pub dash: &'static [f64],
    /// Marker.
    pub marker: Marker,
    /// Whether this is the baseline.
    pub baseline: bool,
}

impl PolicyLook {
    /// Width of this policy's line, in pixels of a 1000-px-high chart.
    pub fn line_width(&self) -> f64 {
        if self.baseline { 5.0 } else { 4.0 }
    }
}

/// The look of every policy of `comparison`, in policy order. Beyond six alternatives the
/// colours repeat with another dash pattern and marker.
pub(crate) fn looks(comparison: &ComparisonSet) -> Vec<PolicyLook> {
    let mut alternative = 0;
    comparison
        .policies
        .iter()
        .map(|policy| {
            if *policy == comparison.baseline {
                return PolicyLook {
                    color: INK,
                    dash: &[],
                    marker: Marker::Disc,
                    baseline: true,
                };
            }
            let k = alternative;
            alternative += 1;
            let round = k / COLORS.len();
            PolicyLook {
                color: COLORS[k % COLORS.len()],
                dash: DASHES[(k + round) % DASHES.len()],
                marker: MARKERS[(k + 2 * round) % MARKERS.len()],
                baseline: false,
            }
        })
        .collect()
}

/// Draws `marker` centred at `(x, y)` (pixels of `area`), `size` pixels across.
pub(crate) fn draw_marker<DB: Backend>(
    area: &DrawingArea<DB, Shift>,
    style: &Style,
    marker: Marker,
    color: RGBColor,
    (x, y): (i32, i32),
    size: i32,
) -> anyhow::Result<()> {
    let half = (size / 2).max(2);
    let stroke = color.stroke_width(style.upx(3.0));
    let square = [(x - half, y - half), (x + half, y + half)];
    match marker {
        Marker::Disc => {
            area.draw(&Circle::new((x, y), half, color.filled()))?;
        }
        Marker::Ring => {
            area.draw(&Circle::new((x, y), half, WHITE.filled()))?;
            area.draw(&Circle::new((x, y), half, stroke))?;
        }
        Marker::Square => {
            area.draw(&Rectangle::new(square, color.filled()))?;
        }
        Marker::OpenSquare => {
            area.draw(&Rectangle::new(square, WHITE.filled()))?;
            area.draw(&Rectangle::new(square, stroke))?;
        }
        Marker::Plus | Marker::Cross | Marker::Star => {
            let straight = [
                ((x - half, y), (x + half, y)),
                ((x, y - half), (x, y + half)),
            ];
            let diagonal = [
                ((x - half, y - half), (x + half, y + half)),
                ((x - half, y + half), (x + half, y - half)),
            ];
            let segments: Vec<_> = match marker {
                Marker::Plus => straight.to_vec(),
                Marker::Cross => diagonal.to_vec(),
                _ => straight.into_iter().chain(diagonal).collect(),
            };
            for (from, to) in segments {
                area.draw(&PathElement::new(vec![from, to], stroke))?;
            }
        }
    }
    Ok(())
}

/// Draws a line through `points` (pixels of `area`) in `look`'s colour and dash pattern. A
/// solid line is one polyline (a data series); a dashed one is drawn as two-point dashes that
/// follow the path, the pattern running on across corners.
pub(crate) fn draw_path<DB: Backend>(
    area: &DrawingArea<DB, Shift>,
    style: &Style,
    points: &[(i32, i32)],
    look: &PolicyLook,
) -> anyhow::Result<()> {
    let line = look.color.stroke_width(style.upx(look.line_width()));
    if points.len() < 2 {
        return Ok(());
    }
    if look.dash.is_empty() {
        area.draw(&PathElement::new(points.to_vec(), line))?;
        return Ok(());
    }
    let scale = f64::from(style.height) / 1000.0;
    let pattern: Vec<f64> = look.dash.iter().map(|d| (d * scale).max(1.0)).collect();
    // Position within the pattern: which piece, and how far into it.
    let (mut piece, mut into) = (0usize, 0.0f64);
    for pair in points.windows(2) {
        let (from, to) = (pair[0], pair[1]);
        let (dx, dy) = (f64::from(to.0 - from.0), f64::from(to.1 - from.1));
        let length = dx.hypot(dy);
        let at = |t: f64| {
            (
                from.0 + (dx * t / length).round() as i32,
                from.1 + (dy * t / length).round() as i32,
            )
        };
        let mut done = 0.0;
        while done < length {
            let step = (pattern[piece] - into).min(length - done);
            if piece % 2 == 0 && step > 0.0 {
                area.draw(&PathElement::new(vec![at(done), at(done + step)], line))?;
            }
            done += step;
            into += step;
            if into >= pattern[piece] - 1e-9 {
                piece = (piece + 1) % pattern.len();
                into = 0.0;
            }
        }
    }
    Ok(())
}

/// A line swatch with the marker in its middle, `width` pixels long, centred vertically on
/// `middle`.
pub(crate) fn draw_swatch<DB: Backend>(
    area: &DrawingArea<DB, Shift>,
    style: &Style,
    look: &PolicyLook,
    (x, middle): (i32, i32),
    width: i32,
) -> anyhow::Result<()> {
    draw_path(area, style, &[(x, middle), (x + width, middle)], look)?;
    draw_marker(
        area,
        style,
        look.marker,
        look.color,
        (x + width / 2, middle),
        style.px(16.0),
    )
}

/// Draws one legend entry per policy (line, marker, name; the baseline's name in bold with
/// "(baseline)") in rows from `origin`, wrapping before `right`; returns the y under the last
/// row.
pub(crate) fn draw_policy_legend<DB: Backend>(
    area: &DrawingArea<DB, Shift>,
    style: &Style,
    names: &[String],
    looks: &[PolicyLook],
    origin: (i32, i32),
    right: i32,
) -> anyhow::Result<i32> {
    let (_, text_height) = area.estimate_text_size("Ag", &style.legend_font())?;
    let row_height = text_height as i32 + style.px(12.0);
    let swatch_width = style.px(64.0);
    let swatch_gap = style.px(12.0);
    let entry_gap = style.px(32.0);
    let (mut x, mut y) = origin;
    for (name, look) in names.iter().zip(looks) {
        let label = policy_label(name, look);
        let font = name_font(style, 27.0, look);
        let (text_width, _) = area.estimate_text_size(&label, &font)?;
        let text_width = (f64::from(text_width) / style::TEXT_SLACK).ceil() as i32;
        let entry_width = swatch_width + swatch_gap + text_width;
        if x > origin.0 && x + entry_width > right {
            x = origin.0;
            y += row_height;
        }
        draw_swatch(
            area,
            style,
            look,
            (x, y + text_height as i32 / 2),
            swatch_width,
        )?;
        style::text(
            area,
            style,
            &label,
            (x + swatch_width + swatch_gap, y),
            &font,
        )?;
        x += entry_width + entry_gap;
    }
    Ok(y + row_height)
}

/// A policy's name as charts write it: the baseline gets "(baseline)".
pub(crate) fn policy_label(name: &str, look: &PolicyLook) -> String {
    if look.baseline {
        format!("{name} (baseline)")
    } else {
        name.to_string()
    }
}

/// The font of a policy's name at `base` size: bold for the baseline.
pub(crate) fn name_font(style: &Style, base: f64, look: &PolicyLook) -> TextStyle<'static> {
    let weight = if look.baseline {
        FontStyle::Bold
    } else {
        FontStyle::Normal
    };
    (FONT, base * f64::from(style.height) / 1000.0, weight)
        .into_font()
        .color(&TEXT)
}

/// The line under every comparison chart's title.
pub(crate) fn provenance(results: &ResultSet, comparison: &ComparisonSet) -> String {
    let common = results
        .manifest
        .comparison
        .as_ref()
        .is_none_or(|c| c.common_random_numbers);
    format!(
        "Scenario {} · {} policies, baseline {} · {} · {} · seed {}",
        results.manifest.scenario_name,
        comparison.policies.len(),
        comparison.baseline,
        if common {
            "common random numbers"
        } else {
            "independent random numbers"
        },
        data::runs_phrase(results.runs.count()),
        results.manifest.seed
    )
}

/// The compared outcomes in file order.
pub(crate) fn outcomes(comparison: &ComparisonSet) -> Vec<String> {
    let mut outcomes: Vec<String> = Vec::new();
    for row in &comparison.rows {
        if !outcomes.contains(&row.outcome) {
            outcomes.push(row.outcome.clone());
        }
    }
    outcomes
}

/// One panel of a per-outcome chart: the outcome, its direction, and one value per policy (in
/// policy order).
pub(crate) struct OutcomePanel<T> {
    /// Outcome name.
    pub outcome: String,
    /// Whether lower values are better.
    pub lower_is_better: bool,
    /// One value per policy.
    pub values: Vec<T>,
}

/// What the per-outcome comparison charts (boxes, differences, ranks) hold: the policies with
/// their looks, one panel per compared outcome, the horizon year and the provenance subtitle.
pub(crate) struct PolicyPanels<T> {
    /// Policy names in order.
    pub names: Vec<String>,
    /// One look per policy.
    pub looks: Vec<PolicyLook>,
    /// One panel per outcome.
    pub panels: Vec<OutcomePanel<T>>,
    /// The last projected year.
    pub horizon_year: i32,
    /// Scenario, policies, random numbers, runs and seed.
    pub subtitle: String,
    /// The scenario's currency (for money labels).
    pub currency: crate::scenario::currency::Currency,
}

impl<T> PolicyPanels<T> {
    /// Takes one value per policy and outcome out of `comparison` with `value` (given the
    /// policy's row, None if it has none).
    pub fn new(
        results: &ResultSet,
        comparison: &ComparisonSet,
        value: impl Fn(Option<&ComparisonRow>) -> T,
    ) -> Self {
        let panels = outcomes(comparison)
            .into_iter()
            .map(|outcome| OutcomePanel {
                lower_is_better: comparison
                    .outcome(&outcome)
                    .first()
                    .is_some_and(|row| row.lower_is_better),
                values: comparison
                    .policies
                    .iter()
                    .map(|policy| value(comparison.row(policy, &outcome)))
                    .collect(),
                outcome,
            })
            .collect();
        Self {
            names: comparison.policies.clone(),
            looks: looks(comparison),
            panels,
            horizon_year: results.scenario.budget.horizon_year,
            subtitle: provenance(results, comparison),
            currency: results.scenario.currency.clone(),
        }
    }

    /// The short panel title of `outcome`, money in the scenario's currency.
    pub fn short_label(&self, outcome: &str) -> String {
        self.currency.label(&short_label(outcome)).into_owned()
    }

    /// The note under a panel title, money in the scenario's currency.
    pub fn panel_note(&self, outcome: &str, lower_is_better: bool) -> String {
        self.currency
            .label(&panel_note(outcome, lower_is_better))
            .into_owned()
    }
}

/// A short panel title for an outcome.
pub(crate) fn short_label(outcome: &str) -> String {
    match outcome {
        "networked_smes" => "Networked SMEs".to_string(),
        "additional_networked_smes" => "Additional networked SMEs".to_string(),
        "added_value_per_ltl_spent" => "Added value per LTL spent".to_string(),
        "links" => "Cooperation links".to_string(),
        "clusters_formed" => "New clusters formed".to_string(),
        "joint_projects" => "Joint projects".to_string(),
        "cost_per_additional_networked_sme_ltl" => "Cost per additional networked SME".to_string(),
        other => crate::engine::outcomes::headline_label(other).to_string(),
    }
}

/// The unit of an outcome's values.
pub(crate) fn unit(outcome: &str) -> &'static str {
    match outcome {
        "networked_smes" | "additional_networked_smes" => "firms",
        "added_value_per_ltl_spent" => "LTL per LTL",
        "links" => "links",
        "clusters_formed" => "clusters",
        "joint_projects" => "projects, cumulative",
        "cost_per_additional_networked_sme_ltl" => "LTL per firm",
        _ if outcome.ends_with("_ltl") => "LTL",
        _ => "",
    }
}

/// The note under a panel title: unit and which direction is better.
pub(crate) fn panel_note(outcome: &str, lower_is_better: bool) -> String {
    let direction = if lower_is_better {
        "lower is better"
    } else {
        "higher is better"
    };
    match unit(outcome) {
        "" => direction.to_string(),
        unit => format!("{unit} · {direction}"),
    }
}

/// One panel of a [`PolicyGrid`].
pub(crate) struct GridPanel<DB: Backend> {
    /// The panel's area (its title included).
    pub area: DrawingArea<DB, Shift>,
    /// Whether the panel is in the first column, the one that writes the policy names.
    pub first_column: bool,
}

/// Width to reserve left of first-column plots for the policy names.
pub(crate) fn names_width<DB: Backend>(
    area: &DrawingArea<DB, Shift>,
    style: &Style,
    names: &[String],
    looks: &[PolicyLook],
) -> anyhow::Result<u32> {
    let mut widest = 0;
    for (name, look) in names.iter().zip(looks) {
        let font = name_font(style, 22.0, look);
        widest = widest.max(area.estimate_text_size(&policy_label(name, look), &font)?.0);
    }
    // Name, gap, marker.
    Ok((f64::from(widest) / style::TEXT_SLACK).ceil() as u32 + style.upx(4.0 + 12.0 + 16.0 + 8.0))
}

/// Splits `body` into `count` panels, three to a row, the first column wider by `names` pixels.
pub(crate) fn policy_grid<DB: Backend>(
    body: &DrawingArea<DB, Shift>,
    style: &Style,
    count: usize,
    names: u32,
) -> Vec<GridPanel<DB>> {
    let columns = count.clamp(1, 3);
    let rows = count.div_ceil(columns).max(1);
    let margin = style.margin();
    let area = body.margin(0, margin, margin, margin);
    let (width, height) = area.dim_in_pixel();
    let share =
        (f64::from(width) - f64::from(names)).max(f64::from(columns as u32)) / columns as f64;
    let x_breaks: Vec<i32> = (1..columns)
        .map(|c| (f64::from(names) + share * c as f64).round() as i32)
        .collect();
    let y_breaks: Vec<i32> = (1..rows)
        .map(|r| (f64::from(height) * r as f64 / rows as f64).round() as i32)
        .collect();
    area.split_by_breakpoints(x_breaks, y_breaks)
        .into_iter()
        .take(count)
        .enumerate()
        .map(|(index, area)| GridPanel {
            // Room between a row's tick labels and the titles of the row under it.
            area: if index >= columns {
                area.margin(style.px(18.0), 0, 0, 0)
            } else {
                area
            },
            first_column: index % columns == 0,
        })
        .collect()
}

/// Room for the y labels of a panel's plot: the policy names in the first column, elsewhere half
/// the first x tick label (which is centred on the left edge and must not reach the panel to the
/// left).
pub(crate) fn left_room<DB: Backend>(
    area: &DrawingArea<DB, Shift>,
    style: &Style,
    x: &super::axis::Axis,
    first_column: bool,
    names: u32,
) -> anyhow::Result<u32> {
    if first_column {
        return Ok(names);
    }
    let first = match x.ticks.first() {
        Some(tick) => {
            area.estimate_text_size(&x.label(*tick), &plot::tick_font(style, true))?
                .0
        }
        None => 0,
    };
    Ok(first / 2 + style.upx(6.0))
}

/// Writes a panel's title (bold) and note (muted) on two lines, shortened to fit, and returns
/// the area under them.
pub(crate) fn panel_header<DB: Backend>(
    area: &DrawingArea<DB, Shift>,
    style: &Style,
    left: i32,
    title: &str,
    note: &str,
) -> anyhow::Result<DrawingArea<DB, Shift>> {
    let (width, _) = area.dim_in_pixel();
    let available = width.saturating_sub((left + style.px(8.0)).unsigned_abs());
    let mut y = style.px(4.0);
    for (line, font) in [
        (title, style.panel_title_font()),
        (note, style.panel_tag_font().color(&MUTED_TEXT)),
    ] {
        let fitted = style::fit_text(area, line, &font, available)?;
        style::text(area, style, &fitted, (left, y), &font)?;
        y += area.estimate_text_size("Ag", &font)?.1 as i32 + style.px(3.0);
    }
    let (_, below) = area.split_vertically(y + style.px(2.0));
    Ok(below)
}

/// The vertical position of policy `index` of `count` on a category axis (the first at the top).
pub(crate) fn category(index: usize, count: usize) -> f64 {
    (count - 1 - index.min(count.saturating_sub(1))) as f64
}

/// A category axis for `count` policies: one slot per policy, no ticks.
pub(crate) fn category_axis(count: usize) -> super::axis::Axis {
    super::axis::Axis {
        min: -0.5,
        max: count.max(1) as f64 - 0.5,
        ticks: Vec::new(),
        format: super::axis::TickFormat::Number(0),
    }
}

/// Writes the policy names right-aligned left of the plot, each level with its category and
/// followed by the policy's marker, so the names read as a legend for every chart.
pub(crate) fn draw_names<DB: Backend>(
    area: &DrawingArea<DB, Shift>,
    plot: &Plot<'_, DB>,
    style: &Style,
    x_min: f64,
    names: &[String],
    looks: &[PolicyLook],
) -> anyhow::Result<()> {
    for (index, (name, look)) in names.iter().zip(looks).enumerate() {
        let (x, y) = plot::local(area, plot, (x_min, category(index, names.len())));
        let marker = style.px(16.0);
        let marker_x = x - style.px(18.0) - marker / 2;
        draw_marker(area, style, look.marker, look.color, (marker_x, y), marker)?;
        let font = name_font(style, 22.0, look).pos(Pos::new(HPos::Right, VPos::Center));
        let text_x = marker_x - marker / 2 - style.px(12.0);
        style::text(area, style, &policy_label(name, look), (text_x, y), &font)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(policies: &[&str], baseline: &str) -> ComparisonSet {
        ComparisonSet {
            policies: policies.iter().map(|p| p.to_string()).collect(),
            baseline: baseline.to_string(),
            rows: Vec::new(),
            periods: Vec::new(),
            pairs: Vec::new(),
            min_difference: Default::default(),
        }
    }

    #[test]
    fn the_baseline_is_solid_black_wherever_it_is() {
        let looks = looks(&set(&["a", "b", "c"], "b"));
        assert!(looks[1].baseline && looks[1].dash.is_empty() && looks[1].color == INK);
        assert_eq!(looks[1].marker, Marker::Disc);
        assert_eq!(looks[0].color, ORANGE);
        assert_eq!(looks[2].color, SKY_BLUE);
    }

    #[test]
    fn seven_policies_differ_in_colour_dash_and_marker() {
        let names = ["a", "b", "c", "d", "e", "f", "g"];
        let looks = looks(&set(&names, "a"));
        for (i, a) in looks.iter().enumerate() {
            for b in &looks[i + 1..] {
                assert_ne!(a.color, b.color);
                assert_ne!(a.dash, b.dash);
                assert_ne!(a.marker, b.marker);
            }
        }
    }

    #[test]
    fn more_policies_than_colours_still_differ() {
        let names: Vec<String> = (0..13).map(|i| format!("p{i}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let looks = looks(&set(&refs, "p0"));
        for (i, a) in looks.iter().enumerate() {
            for b in &looks[i + 1..] {
                assert!(a != b, "two policies look the same");
            }
        }
    }

    #[test]
    fn categories_run_top_down() {
        assert_eq!(category(0, 3), 2.0);
        assert_eq!(category(2, 3), 0.0);
    }
}
