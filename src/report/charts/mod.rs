//! Charts of a result folder, drawn with plotters as SVG and PNG from the same drawing code.
//!
//! Text is drawn with an embedded, openly licensed font (Noto Sans from the `notosans` crate,
//! registered with plotters' `ab_glyph` backend), so a machine without system fonts draws the
//! same PNG. Every chart is a pure function of the [`ResultSet`]: no clock, no random ids, no
//! hash-map order, so re-rendering saved results gives byte-identical SVG.
//!
//! One file per kind of chart; [`style`] holds the look they share, [`axis`] the tick logic,
//! [`plot`] the plot-area helpers (fans, shading, reference lines) and [`data`] the extraction
//! of series from the result tables.
//!
//! Convention that the tests rely on: data series are the only multi-point `<polyline>`s
//! (one per line series) and the only `<polygon>`s (one per band or histogram) in the SVG;
//! axes, ticks, reference lines and legend swatches are two-point segments or rectangles.

mod additional;
mod additional_by_cluster;
mod allocations;
mod axis;
mod calibration_fit;
mod calibration_inputs;
mod compare_boxes;
mod compare_differences;
mod compare_efficient;
mod compare_fan;
mod compare_ranks;
mod compare_style;
pub(crate) mod convergence;
mod data;
pub(crate) mod distribution;
mod drivers;
mod fan;
mod formation;
mod network_picture;
mod panels;
mod plot;
mod png;
mod raster_text;
mod sensitivity;
mod structure;
pub mod style;
mod svg_text;
mod verdict;

use plotters::coord::Shift;
use plotters::prelude::*;

pub use drivers::DRIVERS_CHART;
pub use verdict::VERDICT_CHART;

use super::results::ResultSet;
pub use compare_efficient::drawn_efficient_set;
pub use sensitivity::render_sensitivity_charts;
use style::{Backend, Style};

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

/// Names of the charts [`render_all`] draws, in order.
pub const CHART_NAMES: [&str; 15] = [
    "networked-smes-fan",
    "additional-networked-smes-fan",
    "additional-by-cluster",
    "clusters-members",
    "clusters-links",
    "formation-probability",
    "allocations-by-cluster",
    "allocations-flows",
    "distribution-networked_smes",
    "distribution-clusters_formed",
    "distribution-joint_projects",
    "distribution-cost_per_additional_networked_sme_ltl",
    "convergence",
    DRIVERS_CHART,
    "network-structure",
];

/// Names of the charts [`render_all`] draws first for a folder written by `clustersim compare`,
/// in order.
pub const COMPARISON_CHART_NAMES: [&str; 5] = [
    "compare-networked-smes",
    "compare-distributions",
    "compare-differences",
    "compare-ranks",
    "compare-efficient-set",
];

/// Renders every chart of a result folder: for a comparison the charts of
/// [`COMPARISON_CHART_NAMES`] first (and [`VERDICT_CHART`] when the comparison used common random
/// numbers), then those of [`CHART_NAMES`] (which describe the baseline
/// policy), in order.
pub fn render_all(results: &ResultSet, options: &ChartOptions) -> anyhow::Result<Vec<Chart>> {
    anyhow::ensure!(
        options.width >= 200 && options.height >= 125,
        "charts must be at least 200 × 125 pixels (asked for {} × {})",
        options.width,
        options.height
    );
    style::register_fonts()?;
    let mut charts = Vec::new();
    if let Some(comparison) = &results.comparison {
        charts.push(render(
            &compare_fan::CompareFan::new(results, comparison),
            options,
        )?);
        charts.push(render(
            &compare_boxes::CompareBoxes::new(results, comparison),
            options,
        )?);
        charts.push(render(
            &compare_differences::CompareDifferences::new(results, comparison),
            options,
        )?);
        charts.push(render(
            &compare_ranks::CompareRanks::new(results, comparison),
            options,
        )?);
        charts.push(render(
            &compare_efficient::CompareEfficientSet::new(results, comparison),
            options,
        )?);
        if let Some(verdict) = verdict::VerdictByInput::new(results) {
            charts.push(render(&verdict, options)?);
        }
    }
    charts.extend([
        render(&fan::NetworkedSmes::new(results), options)?,
        render(&additional::AdditionalNetworkedSmes::new(results), options)?,
        render(
            &additional_by_cluster::AdditionalByCluster::new(results),
            options,
        )?,
        render(&panels::ClusterPanels::new(results, "members"), options)?,
        render(&panels::ClusterPanels::new(results, "links"), options)?,
        render(&formation::FormationProbability::new(results), options)?,
        render(&allocations::ByCluster::new(results), options)?,
        render(&allocations::Flows::new(results), options)?,
    ]);
    for outcome in distribution::OUTCOMES {
        charts.push(render(
            &distribution::Distribution::new(results, outcome),
            options,
        )?);
    }
    charts.push(render(&convergence::Convergence::new(results), options)?);
    charts.push(render(&drivers::Drivers::new(results), options)?);
    charts.push(render(&structure::NetworkStructure::new(results), options)?);
    Ok(charts)
}

/// Names of the charts [`render_calibration_charts`] draws, in order.
pub const CALIBRATION_CHART_NAMES: [&str; 2] = ["calibration-fit", "calibration-inputs"];

/// Draws the charts of a calibration folder: the predictive check per target, then prior
/// against posterior per input.
pub fn render_calibration_charts(
    calibration: &crate::report::calibration_data::Calibration,
    options: &ChartOptions,
) -> anyhow::Result<Vec<Chart>> {
    style::register_fonts()?;
    Ok(vec![
        render(&calibration_fit::PredictiveCheck::new(calibration), options)?,
        render(
            &calibration_inputs::PriorPosterior::new(calibration),
            options,
        )?,
    ])
}

/// Draws the picture of an exported run's networks at the horizon (`networks/run-<i>`; layout
/// in [`network_picture`]).
pub fn render_network(
    scenario: &crate::scenario::Scenario,
    history: &crate::engine::network_history::NetworkHistory,
    seed: u64,
    options: &ChartOptions,
) -> anyhow::Result<Chart> {
    style::register_fonts()?;
    render(
        &network_picture::NetworkPicture::new(scenario, history, seed),
        options,
    )
}

/// The allocation rule of the policy that the folder's summary, allocations and runs describe:
/// the baseline of a comparison, otherwise the scenario's own policy.
pub(crate) fn baseline_rule_kind(results: &ResultSet) -> &'static str {
    results
        .comparison
        .as_ref()
        .and_then(|comparison| results.scenario.resolve_policy(&comparison.baseline).ok())
        .map_or(results.scenario.policy.rule.kind(), |named| {
            named.policy.rule.kind()
        })
}

/// A chart that can draw itself on any plotters backend.
pub(crate) trait Figure {
    /// File stem.
    fn name(&self) -> String;
    /// Title as drawn.
    fn title(&self) -> String;
    /// One-sentence alt text.
    fn description(&self) -> String;
    /// Draws the whole chart on `root` (already filled white).
    fn draw<DB: Backend>(&self, root: &DrawingArea<DB, Shift>, style: &Style)
    -> anyhow::Result<()>;
}

/// Draws `figure` twice, as SVG and as PNG, from the same code.
pub(crate) fn render(figure: &impl Figure, options: &ChartOptions) -> anyhow::Result<Chart> {
    let size = (options.width, options.height);
    let name = figure.name();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE)?;
        figure
            .draw(&root, &Style::new(options.width, options.height, false))
            .map_err(|error| error.context(format!("drawing chart '{name}' as SVG")))?;
        root.present()?;
    }
    let svg = svg_text::match_layout(&svg);
    let mut pixels = vec![0u8; options.width as usize * options.height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, size).into_drawing_area();
        root.fill(&WHITE)?;
        figure
            .draw(&root, &Style::new(options.width, options.height, true))
            .map_err(|error| error.context(format!("drawing chart '{name}' as PNG")))?;
        root.present()?;
    }
    let png = png::encode_rgb(&pixels, options.width, options.height)?;
    Ok(Chart {
        name,
        title: figure.title(),
        description: figure.description(),
        svg,
        png,
    })
}
