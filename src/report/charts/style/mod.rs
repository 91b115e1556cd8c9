//! The one look shared by every chart: palette, fonts, sizes, number formats (`numbers.rs`),
//! titles and legends (`frame.rs`).
//!
//! Sizes are given for a chart 1000 px high and scaled to the actual height, so a chart rendered
//! for print at a higher resolution looks the same, only sharper. Colours are the Okabe–Ito
//! palette (Okabe & Ito 2008, "Color Universal Design"), which stays distinguishable for the
//! common forms of colour blindness; every chart also separates its series without colour
//! (by lightness, dash pattern, position or panel) so a greyscale print still reads.

mod frame;
mod numbers;

pub use frame::{
    LegendEntry, Swatch, draw_dashed, draw_legend, draw_vertical_title, fit_text, frame, wrap_text,
};
pub use numbers::{decimals_for_step, format_number, format_percent, format_value, nice_step};

use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{FontStyle, TextStyle};

/// A plotters backend whose errors can travel inside `anyhow::Error`.
pub trait Backend: DrawingBackend<ErrorType: 'static> {}

impl<T: DrawingBackend<ErrorType: 'static>> Backend for T {}

/// Font family name the embedded font is registered under. SVG viewers read it as a CSS font
/// list: Noto Sans where installed, else their own sans-serif (see [`TEXT_SLACK`]).
pub const FONT: &str = "Noto Sans, sans-serif";

/// Share of the available width that wrapped or shortened text may fill, as measured in Noto
/// Sans. SVG viewers without Noto Sans substitute their sans-serif, up to about 5% wider
/// (DejaVu Sans), and the text must still fit.
pub const TEXT_SLACK: f64 = 0.93;

/// Okabe–Ito orange.
pub const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
/// Okabe–Ito sky blue.
pub const SKY_BLUE: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
/// Okabe–Ito bluish green.
pub const BLUISH_GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
/// Okabe–Ito yellow.
pub const YELLOW: RGBColor = RGBColor(0xF0, 0xE4, 0x42);
/// Okabe–Ito blue.
pub const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
/// Okabe–Ito vermillion.
pub const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
/// Okabe–Ito reddish purple.
pub const REDDISH_PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
/// Okabe–Ito black.
pub const INK: RGBColor = RGBColor(0x00, 0x00, 0x00);

/// The Okabe–Ito palette in its published order.
pub const OKABE_ITO: [RGBColor; 8] = [
    ORANGE,
    SKY_BLUE,
    BLUISH_GREEN,
    YELLOW,
    BLUE,
    VERMILLION,
    REDDISH_PURPLE,
    INK,
];

/// Body text.
pub const TEXT: RGBColor = RGBColor(0x1A, 0x1A, 0x1A);
/// Subtitles and notes.
pub const MUTED_TEXT: RGBColor = RGBColor(0x55, 0x55, 0x55);
/// Grid lines.
pub const GRID: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);
/// Axis lines and tick marks.
pub const AXIS: RGBColor = RGBColor(0x44, 0x44, 0x44);
/// Shading of the funding period behind time series (light enough to sit under every band:
/// grey level 239 against 199 and below for the bands).
pub const FUNDING_SHADE: RGBColor = RGBColor(0xEF, 0xEF, 0xEF);

/// Tint of the outer (90%) band of a fan.
pub const OUTER_BAND: f64 = 0.35;
/// Tint of the inner (50%) band of a fan.
pub const INNER_BAND: f64 = 0.6;
/// Everything that is not one of the named series (e.g. "other clusters").
pub const OTHER: RGBColor = RGBColor(0xB0, 0xB0, 0xB0);

/// `color` mixed with white: `amount` 1 is the colour itself, 0 is white. Bands use opaque tints
/// rather than transparency so they look the same in SVG and PNG and in grey.
pub fn tint(color: RGBColor, amount: f64) -> RGBColor {
    let mix = |channel: u8| (255.0 - amount * (255.0 - f64::from(channel))).round() as u8;
    RGBColor(mix(color.0), mix(color.1), mix(color.2))
}

/// Registers the embedded Noto Sans (regular and bold) with plotters, once per process.
pub fn register_fonts() -> anyhow::Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, notosans::REGULAR_TTF).is_ok()
            && plotters::style::register_font(FONT, FontStyle::Bold, notosans::BOLD_TTF).is_ok()
    });
    anyhow::ensure!(ok, "the embedded Noto Sans font could not be registered");
    Ok(())
}

/// Sizes of one chart, scaled to its height.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Chart width in pixels.
    pub width: u32,
    /// Chart height in pixels.
    pub height: u32,
    /// Drawing pixels (PNG) rather than vectors (SVG): text is then placed glyph by glyph
    /// (see [`super::raster_text`]).
    pub raster: bool,
    scale: f64,
}

impl Style {
    /// The style of a `width` × `height` chart, drawn as pixels if `raster`.
    pub fn new(width: u32, height: u32, raster: bool) -> Self {
        Self {
            width,
            height,
            raster,
            scale: f64::from(height) / 1000.0,
        }
    }

    /// `base` pixels of a 1000-px-high chart at this chart's size (at least 1).
    pub fn px(&self, base: f64) -> i32 {
        (base * self.scale).round().max(1.0) as i32
    }

    /// `base` as an unsigned pixel count (line widths).
    pub fn upx(&self, base: f64) -> u32 {
        self.px(base).unsigned_abs()
    }

    fn font(&self, base: f64, style: FontStyle, color: RGBColor) -> TextStyle<'static> {
        (FONT, base * self.scale, style).into_font().color(&color)
    }

    /// Chart title.
    pub fn title_font(&self) -> TextStyle<'static> {
        self.font(42.0, FontStyle::Bold, TEXT)
    }

    /// The line under the title.
    pub fn subtitle_font(&self) -> TextStyle<'static> {
        self.font(27.0, FontStyle::Normal, MUTED_TEXT)
    }

    /// Axis titles.
    pub fn axis_title_font(&self) -> TextStyle<'static> {
        self.font(30.0, FontStyle::Normal, TEXT)
    }

    /// Tick labels.
    pub fn tick_font(&self) -> TextStyle<'static> {
        self.font(26.0, FontStyle::Normal, TEXT)
    }

    /// Legend entries.
    pub fn legend_font(&self) -> TextStyle<'static> {
        self.font(27.0, FontStyle::Normal, TEXT)
    }

    /// Titles of small-multiple panels.
    pub fn panel_title_font(&self) -> TextStyle<'static> {
        self.font(23.0, FontStyle::Bold, TEXT)
    }

    /// A note after a panel title (e.g. "forming").
    pub fn panel_tag_font(&self) -> TextStyle<'static> {
        self.font(23.0, FontStyle::Normal, MUTED_TEXT)
    }

    /// Tick labels of small-multiple panels.
    pub fn panel_tick_font(&self) -> TextStyle<'static> {
        self.font(21.0, FontStyle::Normal, TEXT)
    }

    /// Labels written on the plot (reference lines, values).
    pub fn annotation_font(&self) -> TextStyle<'static> {
        self.font(25.0, FontStyle::Normal, TEXT)
    }

    /// A value written inside a small-multiple panel.
    pub fn panel_value_font(&self) -> TextStyle<'static> {
        self.font(22.0, FontStyle::Bold, TEXT)
    }

    /// Outer margin around the whole chart.
    pub fn margin(&self) -> i32 {
        self.px(28.0)
    }

    /// Width of a data line.
    pub fn line_width(&self) -> u32 {
        self.upx(4.0)
    }

    /// Width of a reference line (mean, horizon).
    pub fn reference_width(&self) -> u32 {
        self.upx(3.0)
    }

    /// Dash and gap length of dashed reference lines.
    pub fn dash(&self) -> (i32, i32) {
        (self.px(14.0), self.px(9.0))
    }
}

/// Draws `text` at `position` (pixels of `area`), anchored as `font.pos` says. Every chart text
/// goes through here, so that PNG text gets correct glyph spacing.
pub fn text<DB: Backend>(
    area: &DrawingArea<DB, Shift>,
    style: &Style,
    text: &str,
    position: (i32, i32),
    font: &TextStyle<'_>,
) -> anyhow::Result<()> {
    if style.raster {
        super::raster_text::draw(area, text, position, font)
    } else {
        area.draw(&Text::new(text.to_string(), position, font.clone()))?;
        Ok(())
    }
}

/// A one-line message in place of a chart that has nothing to show.
pub fn notice<DB: Backend>(
    area: &DrawingArea<DB, Shift>,
    style: &Style,
    message: &str,
) -> anyhow::Result<()> {
    let position = (style.margin(), style.margin());
    text(area, style, message, position, &style.annotation_font())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tints_mix_with_white() {
        assert_eq!(tint(BLUE, 1.0), BLUE);
        assert_eq!(tint(BLUE, 0.0), RGBColor(255, 255, 255));
        assert_eq!(tint(RGBColor(0, 100, 255), 0.5), RGBColor(128, 178, 255));
    }
}
