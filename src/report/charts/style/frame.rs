//! What surrounds a plot: title, subtitle and legend rows, and the text helpers they use
//! (wrapping, shortening), plus dashed lines and rotated axis titles.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{FontTransform, TextStyle};

use super::{Backend, Style, TEXT_SLACK, text};

/// How a legend entry is drawn.
#[derive(Debug, Clone, Copy)]
pub enum Swatch {
    /// A line, solid or dashed.
    Line {
        /// Colour.
        color: RGBColor,
        /// Width in pixels of a 1000-px-high chart.
        width: f64,
        /// Dashed.
        dashed: bool,
    },
    /// A filled box (bands, bars, shaded periods).
    Fill {
        /// Fill colour.
        color: RGBColor,
        /// Outline colour, if any.
        outline: Option<RGBColor>,
    },
    /// A box split in two colours (one entry for the same band drawn in two colours).
    Split {
        /// Left half.
        left: RGBColor,
        /// Right half.
        right: RGBColor,
    },
}

/// One legend entry.
#[derive(Debug, Clone)]
pub struct LegendEntry {
    /// What it looks like.
    pub swatch: Swatch,
    /// What it says.
    pub label: String,
}

impl LegendEntry {
    /// A legend entry.
    pub fn new(swatch: Swatch, label: impl Into<String>) -> Self {
        Self {
            swatch,
            label: label.into(),
        }
    }
}

/// Draws the title and subtitle at the top left and the legend in rows under them, outside the
/// plot area, and returns the area left for the plot.
pub fn frame<DB: Backend>(
    root: &DrawingArea<DB, Shift>,
    style: &Style,
    title: &str,
    subtitle: &str,
    legend: &[LegendEntry],
) -> anyhow::Result<DrawingArea<DB, Shift>> {
    let margin = style.margin();
    let title_font = style.title_font();
    text(root, style, title, (margin, margin), &title_font)?;
    let (_, title_height) = root.estimate_text_size("Ag", &title_font)?;
    let mut y = margin + title_height as i32 + style.px(12.0);
    if !subtitle.is_empty() {
        let subtitle_font = style.subtitle_font();
        let (_, height) = root.estimate_text_size("Ag", &subtitle_font)?;
        let width = (f64::from(style.width as i32 - 2 * margin) * TEXT_SLACK).max(1.0) as u32;
        for line in wrap_text(root, subtitle, &subtitle_font, width)? {
            text(root, style, &line, (margin, y), &subtitle_font)?;
            y += height as i32 + style.px(6.0);
        }
        y += style.px(8.0);
    }
    if !legend.is_empty() {
        y += style.px(4.0);
        y = draw_legend(
            root,
            style,
            legend,
            (margin, y),
            style.width as i32 - margin,
        )?;
    }
    let (_, bottom) = root.split_vertically(y + style.px(10.0));
    Ok(bottom)
}

/// Draws legend entries in rows starting at `origin`, wrapping before `right`; returns the y
/// coordinate under the last row.
pub fn draw_legend<DB: Backend>(
    area: &DrawingArea<DB, Shift>,
    style: &Style,
    entries: &[LegendEntry],
    origin: (i32, i32),
    right: i32,
) -> anyhow::Result<i32> {
    let font = style.legend_font();
    let (_, text_height) = area.estimate_text_size("Ag", &font)?;
    let row_height = text_height as i32 + style.px(12.0);
    let swatch_width = style.px(54.0);
    let swatch_gap = style.px(12.0);
    let entry_gap = style.px(32.0);
    let (mut x, mut y) = origin;
    for entry in entries {
        let (text_width, _) = area.estimate_text_size(&entry.label, &font)?;
        let text_width = (f64::from(text_width) / TEXT_SLACK).ceil() as i32;
        let entry_width = swatch_width + swatch_gap + text_width;
        if x > origin.0 && x + entry_width > right {
            x = origin.0;
            y += row_height;
        }
        let middle = y + text_height as i32 / 2;
        draw_swatch(area, style, entry.swatch, (x, middle), swatch_width)?;
        text(
            area,
            style,
            &entry.label,
            (x + swatch_width + swatch_gap, y),
            &font,
        )?;
        x += entry_width + entry_gap;
    }
    Ok(y + row_height)
}

fn draw_swatch<DB: Backend>(
    area: &DrawingArea<DB, Shift>,
    style: &Style,
    swatch: Swatch,
    (x, middle): (i32, i32),
    width: i32,
) -> anyhow::Result<()> {
    match swatch {
        Swatch::Line {
            color,
            width: line_width,
            dashed,
        } => {
            let line = color.stroke_width(style.upx(line_width));
            if dashed {
                let (dash, gap) = style.dash();
                let dash = dash.min(width / 3).max(1);
                let gap = gap.min(width / 5).max(1);
                let mut start = x;
                while start < x + width {
                    let end = (start + dash).min(x + width);
                    area.draw(&PathElement::new(
                        vec![(start, middle), (end, middle)],
                        line,
                    ))?;
                    start = end + gap;
                }
            } else {
                area.draw(&PathElement::new(
                    vec![(x, middle), (x + width, middle)],
                    line,
                ))?;
            }
        }
        Swatch::Fill { color, outline } => {
            let half = style.px(11.0);
            let corners = [(x, middle - half), (x + width, middle + half)];
            area.draw(&Rectangle::new(corners, color.filled()))?;
            if let Some(outline) = outline {
                area.draw(&Rectangle::new(corners, outline.stroke_width(1)))?;
            }
        }
        Swatch::Split { left, right } => {
            let half = style.px(11.0);
            let split = x + width / 2;
            area.draw(&Rectangle::new(
                [(x, middle - half), (split, middle + half)],
                left.filled(),
            ))?;
            area.draw(&Rectangle::new(
                [(split, middle - half), (x + width, middle + half)],
                right.filled(),
            ))?;
        }
    }
    Ok(())
}

/// Draws a rotated axis title centred on the left edge of `area`.
pub fn draw_vertical_title<DB: Backend>(
    area: &DrawingArea<DB, Shift>,
    style: &Style,
    title: &str,
    x: i32,
) -> anyhow::Result<()> {
    let (_, height) = area.dim_in_pixel();
    let font = style
        .axis_title_font()
        .transform(FontTransform::Rotate270)
        .pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Top,
        ));
    text(area, style, title, (x, height as i32 / 2), &font)
}

/// Draws a dashed straight line between two pixel positions as separate two-point segments
/// (so that only data series are drawn as multi-point polylines).
pub fn draw_dashed<DB: Backend>(
    area: &DrawingArea<DB, Shift>,
    style: &Style,
    from: (i32, i32),
    to: (i32, i32),
    line: ShapeStyle,
) -> anyhow::Result<()> {
    let (dash, gap) = style.dash();
    let (dx, dy) = (f64::from(to.0 - from.0), f64::from(to.1 - from.1));
    let length = dx.hypot(dy);
    if length < 1.0 {
        return Ok(());
    }
    let mut start = 0.0;
    while start < length {
        let end = (start + f64::from(dash)).min(length);
        let at = |t: f64| {
            (
                from.0 + (dx * t / length).round() as i32,
                from.1 + (dy * t / length).round() as i32,
            )
        };
        area.draw(&PathElement::new(vec![at(start), at(end)], line))?;
        start = end + f64::from(gap);
    }
    Ok(())
}

/// `text` broken into lines at spaces so that each fits in `width` pixels (a single word wider
/// than that gets a line of its own).
pub fn wrap_text<DB: Backend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    font: &TextStyle<'_>,
    width: u32,
) -> anyhow::Result<Vec<String>> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|word| !word.is_empty()) {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if line.is_empty() || area.estimate_text_size(&candidate, font)?.0 <= width {
            line = candidate;
        } else {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    Ok(lines)
}

/// `text` shortened with an ellipsis so that it fits in `width` pixels in `font` (with
/// [`TEXT_SLACK`]).
pub fn fit_text<DB: Backend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    font: &TextStyle<'_>,
    width: u32,
) -> anyhow::Result<String> {
    let width = (f64::from(width) * TEXT_SLACK) as u32;
    if area.estimate_text_size(text, font)?.0 <= width {
        return Ok(text.to_string());
    }
    let characters: Vec<char> = text.chars().collect();
    for keep in (1..characters.len()).rev() {
        let candidate: String = characters[..keep]
            .iter()
            .collect::<String>()
            .trim_end()
            .to_string()
            + "…";
        if area.estimate_text_size(&candidate, font)?.0 <= width {
            return Ok(candidate);
        }
    }
    Ok("…".to_string())
}
