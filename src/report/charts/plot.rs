//! Plot areas with our axes, and the marks several charts share: fans, shaded periods,
//! labelled reference lines, panel grids.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontTransform, TextStyle};

use super::axis::{Axis, Coord};
use super::data::FanPoint;
use super::style::{AXIS, Backend, FUNDING_SHADE, GRID, INNER_BAND, OUTER_BAND, Style, text, tint};

/// A cartesian plot with our axes.
pub type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<Coord, Coord>>;

/// What a plot's axes say and how dense it is.
#[derive(Debug, Clone, Copy)]
pub struct Labels<'s> {
    /// Title of the x axis ("" for none).
    pub x_title: &'s str,
    /// Title of the y axis ("" for none).
    pub y_title: &'s str,
    /// Small-multiple panel (smaller tick labels).
    pub compact: bool,
    /// Whether x tick labels are written (false for upper panels of a grid).
    pub x_tick_labels: bool,
    /// Grid lines across the x axis (vertical lines).
    pub x_grid: bool,
    /// Room for the y tick labels, in pixels; `None` to fit this plot's own labels.
    pub y_label_width: Option<u32>,
    /// Extra room on the right (e.g. for a secondary axis), in pixels.
    pub right: i32,
}

impl<'s> Labels<'s> {
    /// A full-size plot with both axis titles.
    pub fn new(x_title: &'s str, y_title: &'s str) -> Self {
        Self {
            x_title,
            y_title,
            compact: false,
            x_tick_labels: true,
            x_grid: true,
            y_label_width: None,
            right: 0,
        }
    }
}

/// Tick label font of a plot.
pub fn tick_font(style: &Style, compact: bool) -> TextStyle<'static> {
    if compact {
        style.panel_tick_font()
    } else {
        style.tick_font()
    }
}

/// Widest tick label of `axis`, in pixels.
pub fn tick_label_width<DB: Backend>(
    area: &DrawingArea<DB, Shift>,
    axis: &Axis,
    font: &TextStyle<'_>,
) -> anyhow::Result<u32> {
    let mut widest = 0;
    for tick in &axis.ticks {
        widest = widest.max(area.estimate_text_size(&axis.label(*tick), font)?.0);
    }
    Ok(widest)
}

/// Pixel sizes of a plot's axes: tick marks, labels and titles.
struct AxisRoom {
    tick: i32,
    gap: i32,
    tick_text_height: i32,
    title_height: i32,
    /// Width of the y tick labels.
    y_label_width: i32,
}

impl AxisRoom {
    fn new<DB: Backend>(
        area: &DrawingArea<DB, Shift>,
        style: &Style,
        y: &Axis,
        labels: &Labels<'_>,
    ) -> anyhow::Result<Self> {
        let font = tick_font(style, labels.compact);
        let y_label_width = match labels.y_label_width {
            Some(width) => width,
            None => tick_label_width(area, y, &font)?,
        };
        Ok(Self {
            tick: style.px(if labels.compact { 5.0 } else { 7.0 }),
            gap: style.px(6.0),
            tick_text_height: area.estimate_text_size("0", &font)?.1 as i32,
            title_height: area.estimate_text_size("Ag", &style.axis_title_font())?.1 as i32,
            y_label_width: y_label_width as i32,
        })
    }

    /// Width left of the plot: tick, gap, labels, then the rotated title.
    fn left(&self, style: &Style, labels: &Labels<'_>) -> i32 {
        let mut width = self.tick + self.gap + self.y_label_width + style.px(4.0);
        if !labels.y_title.is_empty() {
            width += style.px(14.0) + self.title_height;
        }
        width
    }

    /// Height under the plot: tick, gap, labels, then the title.
    fn bottom(&self, style: &Style, labels: &Labels<'_>) -> i32 {
        let mut height = self.tick + self.gap + style.px(4.0);
        if labels.x_tick_labels {
            height += self.tick_text_height;
        }
        if !labels.x_title.is_empty() {
            height += style.px(12.0) + self.title_height;
        }
        height
    }
}

/// Builds a plot on `area` with room for the tick labels and axis titles. Draw shading first,
/// then [`draw_mesh`], then the data.
pub fn build<'a, DB: Backend>(
    area: &'a DrawingArea<DB, Shift>,
    style: &Style,
    x: &Axis,
    y: &Axis,
    labels: &Labels<'_>,
) -> anyhow::Result<Plot<'a, DB>> {
    let room = AxisRoom::new(area, style, y, labels)?;
    // Room for half the last x tick label, which is centred on the right edge, so that it
    // neither leaves the chart nor meets the next panel's first label.
    let font = tick_font(style, labels.compact);
    let last_label = match x.ticks.last() {
        Some(tick) => area.estimate_text_size(&x.label(*tick), &font)?.0 as i32,
        None => 0,
    };
    let right = (last_label / 2 + style.px(if labels.compact { 10.0 } else { 16.0 }))
        .max(style.px(if labels.compact { 14.0 } else { 36.0 }));
    let chart = ChartBuilder::on(area)
        .margin_top(style.px(8.0))
        .margin_left(if labels.compact { 0 } else { style.margin() })
        .margin_right(right + labels.right)
        .x_label_area_size(room.bottom(style, labels))
        .y_label_area_size(room.left(style, labels))
        .build_cartesian_2d(x.coord(), y.coord())?;
    Ok(chart)
}

/// Draws the grid (with plotters), then the axis lines, tick marks, tick labels and axis
/// titles (ourselves, so that PNG text goes through [`super::style::text`]). `area` is the
/// area the plot was built on.
pub fn draw_mesh<DB: Backend>(
    area: &DrawingArea<DB, Shift>,
    plot: &mut Plot<'_, DB>,
    style: &Style,
    x: &Axis,
    y: &Axis,
    labels: &Labels<'_>,
) -> anyhow::Result<()> {
    let mut mesh = plot.configure_mesh();
    mesh.disable_axes()
        .bold_line_style(GRID.stroke_width(style.upx(1.2)))
        .light_line_style(TRANSPARENT);
    if !labels.x_grid {
        mesh.disable_x_mesh();
    }
    mesh.draw()?;

    let room = AxisRoom::new(area, style, y, labels)?;
    let font = tick_font(style, labels.compact);
    let line = AXIS.stroke_width(style.upx(1.5));
    let origin = local(area, plot, (x.min, y.min));
    let x_end = local(area, plot, (x.max, y.min));
    let y_end = local(area, plot, (x.min, y.max));
    area.draw(&PathElement::new(vec![origin, x_end], line))?;
    area.draw(&PathElement::new(vec![origin, y_end], line))?;
    let right_middle = font.pos(Pos::new(HPos::Right, VPos::Center));
    for tick in &y.ticks {
        let (px, py) = local(area, plot, (x.min, *tick));
        area.draw(&PathElement::new(
            vec![(px - room.tick, py), (px, py)],
            line,
        ))?;
        let position = (px - room.tick - room.gap, py);
        text(area, style, &y.label(*tick), position, &right_middle)?;
    }
    let centre_top = font.pos(Pos::new(HPos::Center, VPos::Top));
    for tick in &x.ticks {
        let (px, py) = local(area, plot, (*tick, y.min));
        area.draw(&PathElement::new(
            vec![(px, py), (px, py + room.tick)],
            line,
        ))?;
        if labels.x_tick_labels {
            let position = (px, py + room.tick + room.gap);
            text(area, style, &x.label(*tick), position, &centre_top)?;
        }
    }
    let title_font = style.axis_title_font();
    if !labels.x_title.is_empty() {
        let mut top = origin.1 + room.tick + room.gap + style.px(12.0);
        if labels.x_tick_labels {
            top += room.tick_text_height;
        }
        let position = ((origin.0 + x_end.0) / 2, top);
        let font = title_font.pos(Pos::new(HPos::Center, VPos::Top));
        text(area, style, labels.x_title, position, &font)?;
    }
    if !labels.y_title.is_empty() {
        let left = origin.0 - room.left(style, labels);
        let position = (left, (origin.1 + y_end.1) / 2);
        let font = title_font
            .transform(FontTransform::Rotate270)
            .pos(Pos::new(HPos::Center, VPos::Top));
        text(area, style, labels.y_title, position, &font)?;
    }
    Ok(())
}

/// Shades `[from, to]` on the x axis over the whole height of the plot.
pub fn shade_period<DB: Backend>(
    plot: &mut Plot<'_, DB>,
    (from, to): (f64, f64),
    y: &Axis,
    color: RGBColor,
) -> anyhow::Result<()> {
    plot.draw_series(std::iter::once(Rectangle::new(
        [(from, y.min), (to, y.max)],
        color.filled(),
    )))?;
    Ok(())
}

/// The funding period shading.
pub fn shade_funding<DB: Backend>(
    plot: &mut Plot<'_, DB>,
    period: (f64, f64),
    y: &Axis,
) -> anyhow::Result<()> {
    shade_period(plot, period, y, FUNDING_SHADE)
}

/// Draws a fan: the 90% band (5th–95th percentile), the 50% band (25th–75th) and the median
/// line, in tints of `color`. Values are clipped to the y axis. Draws nothing for an empty fan.
pub fn draw_fan<DB: Backend>(
    plot: &mut Plot<'_, DB>,
    points: &[FanPoint],
    color: RGBColor,
    line_width: u32,
    y: &Axis,
) -> anyhow::Result<()> {
    if points.is_empty() {
        return Ok(());
    }
    for ((low, high), amount) in [((0, 4), OUTER_BAND), ((1, 3), INNER_BAND)] {
        let band: Vec<(f64, f64)> = points
            .iter()
            .map(|point| (point.time, y.clamp(point.percentiles[high])))
            .chain(
                points
                    .iter()
                    .rev()
                    .map(|point| (point.time, y.clamp(point.percentiles[low]))),
            )
            .collect();
        plot.draw_series(std::iter::once(Polygon::new(
            band,
            tint(color, amount).filled(),
        )))?;
    }
    plot.draw_series(LineSeries::new(
        points
            .iter()
            .map(|point| (point.time, y.clamp(point.percentiles[2]))),
        color.stroke_width(line_width),
    ))?;
    Ok(())
}

/// Pixel position of a data point relative to `canvas`, the area the plot was built on.
/// Marks are drawn on the canvas rather than the plotting area because plotters clamps every
/// position into the area an element is drawn on, and labels may sit in the margins.
pub fn local<DB: Backend>(
    canvas: &DrawingArea<DB, Shift>,
    plot: &Plot<'_, DB>,
    point: (f64, f64),
) -> (i32, i32) {
    let base = canvas.get_base_pixel();
    let (x, y) = plot.backend_coord(&point);
    (x - base.0, y - base.1)
}

/// Where a reference line's label goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Text ends just left of the line.
    Left,
    /// Text starts just right of the line.
    Right,
}

/// A vertical reference line at `x` over the whole plot height, solid or dashed, with an
/// optional label at `row` text rows below the top of the plot on `side` of the line.
#[allow(clippy::too_many_arguments)]
pub fn vertical_line<DB: Backend>(
    area: &DrawingArea<DB, Shift>,
    plot: &Plot<'_, DB>,
    style: &Style,
    x: f64,
    y: &Axis,
    line: ShapeStyle,
    dashed: bool,
    label: Option<(&str, Side, u32)>,
    font: &TextStyle<'_>,
) -> anyhow::Result<()> {
    let top = local(area, plot, (x, y.max));
    let bottom = local(area, plot, (x, y.min));
    if dashed {
        super::style::draw_dashed(area, style, top, bottom, line)?;
    } else {
        area.draw(&PathElement::new(vec![top, bottom], line))?;
    }
    if let Some((label, side, row)) = label {
        let (_, height) = area.estimate_text_size("Ag", font)?;
        let gap = style.px(8.0);
        let y_pixel = top.1 + style.px(6.0) + row as i32 * (height as i32 + style.px(6.0));
        let (x_pixel, h_pos) = match side {
            Side::Left => (top.0 - gap, HPos::Right),
            Side::Right => (top.0 + gap, HPos::Left),
        };
        label_with_background(area, style, label, (x_pixel, y_pixel), h_pos, font)?;
    }
    Ok(())
}

/// A horizontal reference line at `value` across the plot, dashed or solid.
pub fn horizontal_line<DB: Backend>(
    area: &DrawingArea<DB, Shift>,
    plot: &Plot<'_, DB>,
    style: &Style,
    value: f64,
    x: &Axis,
    line: ShapeStyle,
    dashed: bool,
) -> anyhow::Result<()> {
    let left = local(area, plot, (x.min, value));
    let right = local(area, plot, (x.max, value));
    if dashed {
        super::style::draw_dashed(area, style, left, right, line)?;
    } else {
        area.draw(&PathElement::new(vec![left, right], line))?;
    }
    Ok(())
}

/// Text at a data point, shifted by `offset` pixels, anchored at (`h_pos`, `v_pos`).
#[allow(clippy::too_many_arguments)]
pub fn text_at<DB: Backend>(
    area: &DrawingArea<DB, Shift>,
    plot: &Plot<'_, DB>,
    style: &Style,
    point: (f64, f64),
    offset: (i32, i32),
    label: &str,
    font: &TextStyle<'_>,
    (h_pos, v_pos): (HPos, VPos),
) -> anyhow::Result<()> {
    let (x, y) = local(area, plot, point);
    let font = font.pos(Pos::new(h_pos, v_pos));
    text(area, style, label, (x + offset.0, y + offset.1), &font)
}

/// Text on a white box (so it stays legible over grid lines and shading), top-anchored at
/// `position`.
pub fn label_with_background<DB: Backend>(
    area: &DrawingArea<DB, Shift>,
    style: &Style,
    label: &str,
    position: (i32, i32),
    h_pos: HPos,
    font: &TextStyle<'_>,
) -> anyhow::Result<()> {
    let (width, height) = area.estimate_text_size(label, font)?;
    let (width, height) = (width as i32, height as i32);
    let left = match h_pos {
        HPos::Left => position.0,
        HPos::Right => position.0 - width,
        HPos::Center => position.0 - width / 2,
    };
    let pad = style.px(4.0);
    area.draw(&Rectangle::new(
        [
            (left - pad, position.1 - pad / 2),
            (left + width + pad, position.1 + height + pad),
        ],
        WHITE.filled(),
    ))?;
    let font = font.pos(Pos::new(HPos::Left, VPos::Top));
    text(area, style, label, (left, position.1), &font)
}

/// Splits `area` into a grid of `count` panels, `columns` wide, the bottom row taller by
/// `bottom_extra` pixels (for the shared x tick labels). Returns the panels in reading order
/// with a flag telling whether each is in the bottom row of its column.
pub fn panel_grid<DB: Backend>(
    area: &DrawingArea<DB, Shift>,
    count: usize,
    columns: usize,
    bottom_extra: i32,
) -> Vec<(DrawingArea<DB, Shift>, bool)> {
    let columns = columns.max(1);
    let rows = count.div_ceil(columns).max(1);
    let (width, height) = area.dim_in_pixel();
    let panel_height = (height as i32 - bottom_extra) as f64 / rows as f64;
    let x_breaks: Vec<i32> = (1..columns)
        .map(|c| (width as f64 * c as f64 / columns as f64).round() as i32)
        .collect();
    let y_breaks: Vec<i32> = (1..rows)
        .map(|r| (panel_height * r as f64).round() as i32)
        .collect();
    area.split_by_breakpoints(x_breaks, y_breaks)
        .into_iter()
        .take(count)
        .enumerate()
        .map(|(index, panel)| {
            let below = index + columns;
            (panel, below >= count)
        })
        .collect()
}

/// Columns for `count` panels: as square a grid as fits a landscape page (4 × 4 for 16,
/// 4 × 3 for 12).
pub fn grid_columns(count: usize) -> usize {
    ((count as f64).sqrt().ceil() as usize).max(1)
}
