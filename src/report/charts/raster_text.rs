//! Correct glyph placement for text in PNGs.
//!
//! plotters 0.3.7 rasterises `ab_glyph` text by drawing each glyph at the pen position without
//! its left side bearing (it ignores `px_bounds().min.x`), so in a PNG "1" sits too far left
//! ("201 3") and "j" too far right ("pro jects"). [`draw`] draws text one glyph at a time, each
//! shifted by its own side bearing, read from the embedded font's `hmtx` table. The charts draw
//! all PNG text through it, tick labels included (see `plot::draw_axes`). SVG needs no fix:
//! viewers lay out SVG text themselves.
//!
//! Font tables are read as in the OpenType specification (`head`, `hhea`, `OS/2`, `maxp`,
//! `hmtx`, and `cmap` format 4); scaling follows `ab_glyph`, where a font size of `s` pixels
//! maps the font's ascender − descender to `s`.

use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::{FontStyle, TextStyle};

use super::style::{Backend, FONT};

/// Horizontal metrics of one embedded font.
#[derive(Debug)]
pub struct FontMetrics {
    /// Ascender − descender in font units (what `ab_glyph` scales to the font size).
    height: f32,
    /// Font units per em (`head` table).
    units_per_em: f32,
    /// (advance width, left side bearing) per glyph, in font units.
    horizontal: Vec<(u16, i16)>,
    /// `cmap` format 4 segments: (end, start, delta, range offset position or 0).
    segments: Vec<(u16, u16, u16, usize)>,
    data: &'static [u8],
}

fn read_u16(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(data.get(at..at + 2)?.try_into().ok()?))
}

fn read_i16(data: &[u8], at: usize) -> Option<i16> {
    read_u16(data, at).map(|value| value as i16)
}

fn read_u32(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

impl FontMetrics {
    /// Reads the metrics of a TrueType font; `None` if a needed table is missing or malformed.
    pub fn parse(data: &'static [u8]) -> Option<Self> {
        let tables = read_u16(data, 4)? as usize;
        let table = |tag: &[u8; 4]| -> Option<usize> {
            (0..tables).find_map(|index| {
                let record = 12 + 16 * index;
                (data.get(record..record + 4)? == tag)
                    .then(|| read_u32(data, record + 8).map(|offset| offset as usize))
                    .flatten()
            })
        };
        let units_per_em = read_u16(data, table(b"head")? + 18)?;
        let hhea = table(b"hhea")?;
        let (mut ascender, mut descender) = (read_i16(data, hhea + 4)?, read_i16(data, hhea + 6)?);
        if let Some(os2) = table(b"OS/2") {
            // USE_TYPO_METRICS (bit 7 of fsSelection) makes the typographic values win, as in
            // ttf-parser, which ab_glyph uses.
            if read_u16(data, os2 + 62)? & (1 << 7) != 0 {
                ascender = read_i16(data, os2 + 68)?;
                descender = read_i16(data, os2 + 70)?;
            }
        }
        let metrics_count = read_u16(data, hhea + 34)? as usize;
        let glyph_count = read_u16(data, table(b"maxp")? + 4)? as usize;
        let hmtx = table(b"hmtx")?;
        let mut horizontal = Vec::with_capacity(glyph_count);
        for glyph in 0..glyph_count {
            let entry = if glyph < metrics_count {
                (
                    read_u16(data, hmtx + 4 * glyph)?,
                    read_i16(data, hmtx + 4 * glyph + 2)?,
                )
            } else {
                let last_advance = horizontal.last().map_or(0, |entry: &(u16, i16)| entry.0);
                let at = hmtx + 4 * metrics_count + 2 * (glyph - metrics_count);
                (last_advance, read_i16(data, at)?)
            };
            horizontal.push(entry);
        }
        let cmap = table(b"cmap")?;
        let subtable = (0..read_u16(data, cmap + 2)? as usize).find_map(|index| {
            let record = cmap + 4 + 8 * index;
            let (platform, encoding) = (read_u16(data, record)?, read_u16(data, record + 2)?);
            let offset = cmap + read_u32(data, record + 4)? as usize;
            (platform == 3 && encoding == 1 && read_u16(data, offset)? == 4).then_some(offset)
        })?;
        let segment_count = read_u16(data, subtable + 6)? as usize / 2;
        let ends = subtable + 14;
        let starts = ends + 2 * segment_count + 2;
        let deltas = starts + 2 * segment_count;
        let range_offsets = deltas + 2 * segment_count;
        let mut segments = Vec::with_capacity(segment_count);
        for index in 0..segment_count {
            let range_offset = read_u16(data, range_offsets + 2 * index)? as usize;
            segments.push((
                read_u16(data, ends + 2 * index)?,
                read_u16(data, starts + 2 * index)?,
                read_u16(data, deltas + 2 * index)?,
                if range_offset == 0 {
                    0
                } else {
                    range_offsets + 2 * index + range_offset
                },
            ));
        }
        Some(Self {
            height: f32::from(ascender) - f32::from(descender),
            units_per_em: f32::from(units_per_em),
            horizontal,
            segments,
            data,
        })
    }

    /// Glyph index of `c` (0, the missing glyph, if the font has none).
    pub fn glyph(&self, c: char) -> usize {
        let Ok(code) = u16::try_from(u32::from(c)) else {
            return 0;
        };
        let Some(&(_, start, delta, range)) = self.segments.iter().find(|s| s.0 >= code) else {
            return 0;
        };
        if code < start {
            return 0;
        }
        let glyph = if range == 0 {
            code.wrapping_add(delta)
        } else {
            match read_u16(self.data, range + 2 * usize::from(code - start)) {
                Some(0) | None => 0,
                Some(glyph) => glyph.wrapping_add(delta),
            }
        };
        usize::from(glyph)
    }

    /// The em (CSS `font-size`) of text that `ab_glyph` draws at font size `size`: ab_glyph maps
    /// ascender − descender, not the em, to `size`.
    pub fn em_for_size(&self, size: f64) -> f64 {
        size * f64::from(self.units_per_em) / f64::from(self.height)
    }

    /// (advance, left side bearing) of `glyph` in pixels at font size `size`.
    pub fn horizontal(&self, glyph: usize, size: f64) -> (f32, f32) {
        let scale = size as f32 / self.height;
        let (advance, bearing) = self.horizontal.get(glyph).copied().unwrap_or((0, 0));
        (f32::from(advance) * scale, f32::from(bearing) * scale)
    }
}

/// Metrics of the embedded font in `style` (regular or bold), parsed once.
pub fn metrics(style: FontStyle) -> Option<&'static FontMetrics> {
    static REGULAR: OnceLock<Option<FontMetrics>> = OnceLock::new();
    static BOLD: OnceLock<Option<FontMetrics>> = OnceLock::new();
    match style {
        FontStyle::Bold => BOLD
            .get_or_init(|| FontMetrics::parse(notosans::BOLD_TTF))
            .as_ref(),
        _ => REGULAR
            .get_or_init(|| FontMetrics::parse(notosans::REGULAR_TTF))
            .as_ref(),
    }
}

/// Draws `text` at `position` (pixels of `area`) anchored and rotated as `font` says, glyph by
/// glyph, each at its pen position plus its left side bearing. Fonts other than the embedded
/// one are left to plotters.
pub fn draw<DB: Backend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    position: (i32, i32),
    font: &TextStyle<'_>,
) -> anyhow::Result<()> {
    let description = &font.font;
    let metrics = match description.get_name() {
        name if name == FONT => metrics(description.get_style()),
        _ => None,
    };
    let Some(metrics) = metrics else {
        area.draw(&Text::new(text.to_string(), position, font.clone()))?;
        return Ok(());
    };
    let (red, green, blue) = font.color.rgb;
    let alpha = font.color.alpha;
    if alpha == 0.0 {
        return Ok(());
    }
    let ((min_x, min_y), (max_x, max_y)) = description
        .layout_box(text)
        .map_err(|error| anyhow::anyhow!("laying out '{text}': {error}"))?;
    let (width, height) = (max_x - min_x, max_y - min_y);
    let dx = match font.pos.h_pos {
        HPos::Left => 0,
        HPos::Right => -width,
        HPos::Center => -width / 2,
    };
    let dy = match font.pos.v_pos {
        VPos::Top => 0,
        VPos::Center => -height / 2,
        VPos::Bottom => -height,
    };
    let transform = description.get_transform();
    let mut pen = 0f32;
    let mut buffer = [0u8; 4];
    for c in text.chars() {
        let (advance, bearing) = metrics.horizontal(metrics.glyph(c), description.get_size());
        let left = (pen + bearing).floor() as i32;
        description
            .draw(c.encode_utf8(&mut buffer), (0, 0), |x, y, coverage| {
                let (x, y) = transform.transform(left + x + dx - min_x, y + dy - min_y);
                area.draw_pixel(
                    (position.0 + x, position.1 + y),
                    &RGBAColor(red, green, blue, alpha * f64::from(coverage)),
                )
            })
            .map_err(|error| anyhow::anyhow!("drawing '{text}': {error}"))??;
        pen += advance;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_fonts_parse() {
        for style in [FontStyle::Normal, FontStyle::Bold] {
            let font = metrics(style).expect("Noto Sans metrics");
            // Noto Sans: ascender 2189, descender −600 (units per em 2048).
            assert_eq!(font.height, 2789.0);
            assert_ne!(font.glyph('A'), 0);
            assert_ne!(font.glyph('–'), 0);
            assert_ne!(font.glyph('−'), 0);
            assert_ne!(font.glyph('…'), 0);
            assert_eq!(font.glyph('\u{E000}'), 0);
        }
    }

    #[test]
    fn bearings_differ_where_plotters_misplaces_glyphs() {
        let font = metrics(FontStyle::Normal).expect("Noto Sans metrics");
        let (_, one) = font.horizontal(font.glyph('1'), 100.0);
        let (_, zero) = font.horizontal(font.glyph('0'), 100.0);
        let (_, j) = font.horizontal(font.glyph('j'), 100.0);
        assert!(one > zero + 2.0, "'1' has a wide left side bearing");
        assert!(j < 0.0, "'j' hangs left of its pen position");
    }

    #[test]
    fn advances_match_plotters_layout() {
        super::super::style::register_fonts().expect("fonts");
        let mut svg = String::new();
        let area = SVGBackend::with_string(&mut svg, (100, 100)).into_drawing_area();
        for (text, style) in [
            ("Joint projects 2013", FontStyle::Normal),
            ("1,234,567 firms", FontStyle::Normal),
            ("Networked SMEs – 90%", FontStyle::Bold),
        ] {
            let size = 31.0;
            let font = (FONT, size, style).into_font();
            let expected = area
                .estimate_text_size(text, &TextStyle::from(font))
                .expect("layout")
                .0;
            let metrics = metrics(style).expect("metrics");
            let width: f32 = text
                .chars()
                .map(|c| metrics.horizontal(metrics.glyph(c), size).0)
                .sum();
            assert_eq!(width as u32, expected, "{text}");
        }
    }
}
