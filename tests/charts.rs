//! Charts rendered from a small result folder made by the binary: every PNG decodes at the
//! requested size and is not blank, every SVG parses and holds its title and the expected
//! number of series, text is drawn from the embedded font (title pixels present, no font
//! library linked), ticks carry thousands separators, and re-rendering gives the same bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;
use std::sync::OnceLock;

use clustersim::report::charts::{CHART_NAMES, Chart, ChartOptions, render_all};
use clustersim::report::results::ResultSet;
use clustersim::scenario::ClusterStatus;

struct Fixture {
    results: ResultSet,
    charts: Vec<Chart>,
}

/// One 40-run result of the built-in scenario, rendered once at the default size.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let folder = tempfile::tempdir().expect("temporary folder");
        let out = folder.path().join("result");
        assert_cmd::Command::cargo_bin("clustersim")
            .expect("binary")
            .args(["run", "--runs", "40", "--quiet", "--out"])
            .arg(&out)
            .assert()
            .success();
        let results = ResultSet::load(&out).expect("result folder loads");
        let charts = render_all(&results, &ChartOptions::default()).expect("charts render");
        Fixture { results, charts }
    })
}

fn chart(name: &str) -> &'static Chart {
    fixture()
        .charts
        .iter()
        .find(|chart| chart.name == name)
        .unwrap_or_else(|| panic!("no chart named {name}"))
}

/// Decoded PNG: width, height and RGB pixels.
fn decode(png: &[u8]) -> (u32, u32, Vec<[u8; 3]>) {
    let decoder = png::Decoder::new(Cursor::new(png));
    let mut reader = decoder.read_info().expect("PNG header");
    let mut buffer = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut buffer).expect("PNG data");
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let channels = info.color_type.samples();
    assert!(
        channels >= 3,
        "colour PNG expected, got {:?}",
        info.color_type
    );
    let pixels = buffer[..info.buffer_size()]
        .chunks(channels)
        .map(|pixel| [pixel[0], pixel[1], pixel[2]])
        .collect();
    (info.width, info.height, pixels)
}

const WHITE: [u8; 3] = [255, 255, 255];

#[test]
fn every_chart_is_rendered_in_order() {
    let names: Vec<&str> = fixture().charts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, CHART_NAMES);
    for chart in &fixture().charts {
        assert!(!chart.title.is_empty() && !chart.description.is_empty());
    }
}

#[test]
fn pngs_decode_at_the_requested_size_and_are_not_blank() {
    for chart in &fixture().charts {
        let (width, height, pixels) = decode(&chart.png);
        assert_eq!((width, height), (1600, 1000), "{}", chart.name);
        let drawn = pixels.iter().filter(|pixel| **pixel != WHITE).count();
        assert!(
            drawn * 100 > pixels.len(),
            "{}: only {drawn} of {} pixels drawn",
            chart.name,
            pixels.len()
        );
        let colours: BTreeSet<[u8; 3]> = pixels.iter().copied().collect();
        assert!(
            colours.len() > 2,
            "{}: {} colours",
            chart.name,
            colours.len()
        );
    }
}

#[test]
fn png_size_follows_the_options() {
    let options = ChartOptions::at_dpi(60);
    let charts = render_all(&fixture().results, &options).expect("charts render");
    for chart in charts {
        let (width, height, _) = decode(&chart.png);
        assert_eq!((width, height), (600, 375), "{}", chart.name);
    }
}

/// The embedded font draws the title: the strip where titles go (rows 20–80 of 1000) has dark
/// text pixels. Text comes only from Noto Sans registered with plotters' `ab_glyph` backend
/// (no system font lookup exists in this build), so this holds on a machine without fonts.
#[test]
fn titles_have_text_pixels_from_the_embedded_font() {
    for chart in &fixture().charts {
        let (width, _, pixels) = decode(&chart.png);
        let width = width as usize;
        let dark = pixels[20 * width..80 * width]
            .iter()
            .filter(|pixel| pixel.iter().all(|channel| *channel < 100))
            .count();
        assert!(
            dark > 1_000,
            "{}: {dark} dark pixels in the title strip",
            chart.name
        );
    }
}

#[test]
fn binary_links_no_font_library() {
    let binary = std::fs::read(env!("CARGO_BIN_EXE_clustersim")).expect("binary readable");
    for library in [&b"libfontconfig"[..], b"libfreetype"] {
        assert!(
            !binary
                .windows(library.len())
                .any(|window| window == library),
            "the binary refers to {}",
            String::from_utf8_lossy(library)
        );
    }
}

/// What an SVG draws: text, multi-point polylines (line series), polygons (bands and
/// histograms) and the fill colours of rectangles.
struct Svg {
    texts: Vec<String>,
    lines: usize,
    polygons: usize,
    rect_fills: BTreeMap<String, usize>,
}

fn parse(svg: &str) -> Svg {
    let document = roxmltree::Document::parse(svg).expect("SVG is XML");
    let mut parsed = Svg {
        texts: Vec::new(),
        lines: 0,
        polygons: 0,
        rect_fills: BTreeMap::new(),
    };
    for node in document.descendants().filter(|node| node.is_element()) {
        match node.tag_name().name() {
            "text" => parsed
                .texts
                .push(node.text().unwrap_or_default().trim().to_string()),
            "polyline" => {
                let points = node.attribute("points").unwrap_or_default();
                if points.split_whitespace().count() >= 3 {
                    parsed.lines += 1;
                }
            }
            "polygon" => parsed.polygons += 1,
            "rect" => {
                let fill = node.attribute("fill").unwrap_or("none").to_uppercase();
                if fill != "NONE" && fill != "#FFFFFF" {
                    *parsed.rect_fills.entry(fill).or_default() += 1;
                }
            }
            _ => {}
        }
    }
    parsed
}

#[test]
fn svgs_parse_and_hold_their_titles() {
    for chart in &fixture().charts {
        let svg = parse(&chart.svg);
        assert!(
            svg.texts.contains(&chart.title),
            "{}: title '{}' not among the texts",
            chart.name,
            chart.title
        );
    }
}

#[test]
fn svgs_draw_the_expected_series() {
    let scenario = &fixture().results.scenario;
    // The per-cluster panels show the named clusters only (not generated initiatives).
    let clusters = scenario.clusters.iter().filter(|c| !c.generated).count();
    let forming = scenario
        .clusters
        .iter()
        .filter(|cluster| matches!(cluster.status, ClusterStatus::Forming) && !cluster.generated)
        .count();
    // (lines, bands or histograms) per chart.
    let expected = [
        // Funded fan and the counterfactual's median.
        ("networked-smes-fan", 2, 2),
        ("additional-networked-smes-fan", 1, 2),
        // Bars and whiskers only.
        ("additional-by-cluster", 0, 0),
        ("clusters-members", clusters, 2 * clusters),
        ("clusters-links", clusters, 2 * clusters),
        ("formation-probability", forming, 0),
        ("distribution-networked_smes", 0, 1),
        ("distribution-clusters_formed", 0, 1),
        ("distribution-joint_projects", 0, 1),
        ("distribution-cost_per_additional_networked_sme_ltl", 0, 1),
        ("convergence", 1, 1),
        // Transitivity and top-decile share (median and two bands each), median density.
        ("network-structure", 3, 4),
    ];
    for (name, lines, polygons) in expected {
        let svg = parse(&chart(name).svg);
        assert_eq!(svg.lines, lines, "{name}: line series");
        assert_eq!(svg.polygons, polygons, "{name}: bands");
    }

    // Bars: one fill colour per series, each used by its legend swatch and at least one bar.
    // Allocation charts count every cluster, generated initiatives included.
    let all_clusters = scenario.clusters.len();
    let shown_clusters = all_clusters.min(8);
    for (name, series) in [
        ("allocations-by-cluster", shown_clusters),
        ("allocations-flows", 4),
    ] {
        let svg = parse(&chart(name).svg);
        assert_eq!(svg.rect_fills.len(), series, "{name}: {:?}", svg.rect_fills);
        assert!(
            svg.rect_fills.values().all(|count| *count >= 2),
            "{name}: {:?}",
            svg.rect_fills
        );
        assert!(svg.texts.iter().any(|text| text == "EUR million"), "{name}");
    }
    let by_cluster = parse(&chart("allocations-by-cluster").svg);
    assert!(
        by_cluster
            .texts
            .iter()
            .any(|text| text.ends_with(&format!("Other clusters ({})", all_clusters - 7))),
        "clusters beyond the seventh are summed"
    );
}

/// Every number of four or more digits drawn on a chart has thousands separators, except years.
#[test]
fn numbers_carry_thousands_separators() {
    let budget = &fixture().results.scenario.budget;
    let years = (budget.first_year - 1)..=(budget.horizon_year + 1);
    for chart in &fixture().charts {
        for text in parse(&chart.svg).texts {
            // A seed is an identifier, not a quantity.
            let text = match text.split_once("seed ") {
                Some((before, after)) => {
                    format!(
                        "{before}{}",
                        after.trim_start_matches(|c: char| c.is_ascii_digit())
                    )
                }
                None => text,
            };
            for word in text.split(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.')) {
                let integer = word.split('.').next().unwrap_or_default();
                if integer.len() < 4 || integer.contains(',') {
                    continue;
                }
                let is_year = integer
                    .parse::<i32>()
                    .is_ok_and(|year| years.contains(&year));
                assert!(is_year, "{}: '{word}' in '{text}'", chart.name);
            }
        }
    }
}

#[test]
fn rendering_again_gives_identical_bytes() {
    let again = render_all(&fixture().results, &ChartOptions::default()).expect("charts render");
    for (first, second) in fixture().charts.iter().zip(&again) {
        assert!(first.svg == second.svg, "{}: SVG differs", first.name);
        assert!(first.png == second.png, "{}: PNG differs", first.name);
    }
}

#[test]
fn reloaded_results_render_the_same_svg() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let out = folder.path().join("result");
    assert_cmd::Command::cargo_bin("clustersim")
        .expect("binary")
        .args(["run", "--runs", "40", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let results = ResultSet::load(&out).expect("result folder loads");
    let charts = render_all(&results, &ChartOptions::default()).expect("charts render");
    for (first, second) in fixture().charts.iter().zip(&charts) {
        assert!(first.svg == second.svg, "{}: SVG differs", first.name);
    }
}

/// Degenerate inputs — one run, two clusters, outcomes that are the same or undefined in every
/// run — still give every chart, at the requested size, with its title.
#[test]
fn tiny_results_render_every_chart() {
    for runs in ["1", "3"] {
        let folder = tempfile::tempdir().expect("temporary folder");
        let out = folder.path().join("result");
        assert_cmd::Command::cargo_bin("clustersim")
            .expect("binary")
            .args([
                "run",
                "tests/data/minimal.json",
                "--quiet",
                "--runs",
                runs,
                "--out",
            ])
            .arg(&out)
            .assert()
            .success();
        let results = ResultSet::load(&out).expect("result folder loads");
        let charts = render_all(&results, &ChartOptions::at_dpi(80)).expect("charts render");
        assert_eq!(charts.len(), CHART_NAMES.len());
        for chart in charts {
            let (width, height, _) = decode(&chart.png);
            assert_eq!((width, height), (800, 500), "{runs} runs: {}", chart.name);
            assert!(
                parse(&chart.svg).texts.contains(&chart.title),
                "{runs} runs: {}",
                chart.name
            );
        }
    }
}

/// Regression: with the rebuilt baseline's 96 initiative slots, `additional-by-cluster` drew one
/// row per slot and its labels overlapped (found by the browser check); it shows the named
/// clusters only, and says so.
#[test]
fn additional_by_cluster_shows_named_clusters_only() {
    let chart = chart("additional-by-cluster");
    let scenario = &fixture().results.scenario;
    let generated: Vec<_> = scenario.clusters.iter().filter(|c| c.generated).collect();
    assert!(
        !generated.is_empty(),
        "the baseline has generated initiatives"
    );
    for cluster in generated {
        assert!(!chart.svg.contains(&cluster.name), "{}", cluster.name);
    }
    let named = scenario.clusters.iter().filter(|c| !c.generated).count();
    assert!(
        chart
            .description
            .contains(&format!("one row per named cluster ({named} clusters")),
        "{}",
        chart.description
    );
}
