//! SVG text at the size the charts were laid out for.
//!
//! The charts measure text with `ab_glyph`, which scales a font so that its ascender − descender
//! equals the font size (1.362 em for Noto Sans), but plotters 0.3.7's SVG backend writes
//! `font-size` as the size divided by 1.24. A browser therefore drew every SVG label about 10%
//! wider than measured, so long subtitles ran past the chart's edge and legend entries crowded
//! each other, while the PNGs (drawn with the measured metrics) were fine. [`match_layout`]
//! rewrites each `font-size` to the em the layout assumed.

use super::raster_text;
use plotters::style::FontStyle;

/// What plotters' SVG backend divides the font size by when it writes `font-size`.
const PLOTTERS_SVG_FONT_DIVISOR: f64 = 1.24;

/// `svg` with every `font-size="…"` attribute set to the em of the embedded font at the size
/// plotters was given. Unchanged if the font's metrics cannot be read.
pub fn match_layout(svg: &str) -> String {
    let Some(metrics) = raster_text::metrics(FontStyle::Normal) else {
        return svg.to_string();
    };
    const ATTRIBUTE: &str = "font-size=\"";
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    while let Some(start) = rest.find(ATTRIBUTE) {
        let value_start = start + ATTRIBUTE.len();
        let Some(length) = rest[value_start..].find('"') else {
            break;
        };
        let value = &rest[value_start..value_start + length];
        out.push_str(&rest[..value_start]);
        match value.parse::<f64>() {
            Ok(written) if written.is_finite() => {
                let em = metrics.em_for_size(written * PLOTTERS_SVG_FONT_DIVISOR);
                out.push_str(&format!("{}", (em * 1000.0).round() / 1000.0));
            }
            _ => out.push_str(value),
        }
        rest = &rest[value_start + length..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn font_sizes_become_the_em_that_ab_glyph_measured() {
        // Noto Sans: unitsPerEm 2048, ascender 2189 and descender −600 (hhea), so a font size
        // of 27 px is an em of 27 · 2048 / 2789 = 19.826 px; plotters wrote 27 / 1.24.
        let written = 27.0 / 1.24;
        let svg = format!("<text x=\"1\" font-size=\"{written}\" fill=\"#000\">Ag</text>");
        assert_eq!(
            match_layout(&svg),
            "<text x=\"1\" font-size=\"19.826\" fill=\"#000\">Ag</text>"
        );
        assert_eq!(match_layout("<rect width=\"3\"/>"), "<rect width=\"3\"/>");
    }

    #[test]
    fn bold_and_regular_share_the_vertical_metrics() {
        let regular = raster_text::metrics(FontStyle::Normal).unwrap();
        let bold = raster_text::metrics(FontStyle::Bold).unwrap();
        assert_eq!(regular.em_for_size(27.0), bold.em_for_size(27.0));
    }
}
