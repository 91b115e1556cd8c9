//! `report.html`, `report.md` and `summary.xlsx` rendered from real result folders: every
//! section and chart present, nothing fetched from outside the file, every scenario value shown
//! with its source and kind, the workbook equal to the CSV files, the same bytes every time.

use std::fs;
use std::io::Cursor;
use std::path::Path;
use std::sync::OnceLock;

use assert_cmd::Command;
use calamine::{Data, Reader, Xlsx};
use tempfile::TempDir;

use clustersim::report::charts::Chart;
use clustersim::report::html::{escape_html, report_html};
use clustersim::report::markdown::report_md;
use clustersim::report::results::ResultSet;
use clustersim::report::table::thousands;
use clustersim::report::xlsx::summary_xlsx;
use clustersim::scenario::{Param, SourceKind};

/// A result folder read back, with its CSV files' text (the folder itself is deleted).
struct Fixture {
    results: ResultSet,
    csv: Vec<(&'static str, String)>,
}

impl Fixture {
    fn csv(&self, name: &str) -> &str {
        &self.csv.iter().find(|(n, _)| *n == name).unwrap().1
    }
}

/// Runs `clustersim run [scenario] --runs 40` into a temporary folder and reads it back.
fn run(scenario: Option<&Path>) -> Fixture {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("result");
    let mut command = Command::cargo_bin("clustersim").expect("binary is built");
    command.arg("run");
    if let Some(scenario) = scenario {
        command.arg(scenario);
    }
    command
        .args(["--runs", "40", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let results = ResultSet::load(&out).unwrap();
    let csv = ["summary.csv", "allocations.csv", "runs.csv"]
        .into_iter()
        .map(|name| (name, fs::read_to_string(out.join(name)).unwrap()))
        .collect();
    Fixture { results, csv }
}

/// The shipped baseline, run once for all tests of this file.
fn baseline() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| run(None))
}

/// Charts as the chart module makes them: a standalone SVG document with an XML declaration
/// and the SVG namespace; the second has no viewBox.
fn fake_charts() -> Vec<Chart> {
    vec![
        Chart {
            name: "networked-smes-fan".into(),
            title: "Networked SMEs, whole economy".into(),
            description: "Median and 50% / 90% bands of networked SMEs per quarter.".into(),
            svg: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg width=\"1600\" \
                  height=\"1000\" viewBox=\"0 0 1600 1000\" \
                  xmlns=\"http://www.w3.org/2000/svg\">\n<rect x=\"0\" y=\"0\" width=\"1600\" \
                  height=\"1000\" fill=\"#FFFFFF\"/>\n<text x=\"800\" y=\"40\">fan-chart-marker \
                  &amp; title</text>\n</svg>\n"
                .into(),
            png: vec![0x89, b'P', b'N', b'G'],
        },
        Chart {
            name: "headline-distributions".into(),
            title: "Headline outcomes at the horizon".into(),
            description: "Histograms with the mean and 90% interval <marked>.".into(),
            svg: "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"800\" \
                  height=\"500\"><polyline points=\"0,0 10,10\"/><text>histogram-marker</text>\
                  </svg>"
                .into(),
            png: Vec::new(),
        },
    ]
}

/// The `<tr>` of `html` holding every one of `needles` (already escaped), or a panic naming
/// what was missing.
fn row<'a>(html: &'a str, needles: &[&str]) -> &'a str {
    html.split("<tr>")
        .skip(1)
        .map(|rest| rest.split("</tr>").next().unwrap_or(rest))
        .find(|row| needles.iter().all(|needle| row.contains(needle)))
        .unwrap_or_else(|| panic!("no table row holds all of {needles:?}"))
}

/// A scenario value as the report writes it: integers grouped by thousands, other numbers in
/// their shortest form, distributions as their display (e.g. `triangular(min …)`).
fn shown(param: &Param) -> String {
    match param {
        Param::Fixed(value) if value.fract() == 0.0 => thousands(*value, 0),
        Param::Fixed(value) => format!("{value}"),
        Param::Random(_) => param.to_string(),
    }
}

/// The rows of one group of a grouped table (up to the group's `</tbody>`).
fn group<'a>(html: &'a str, name: &str) -> &'a str {
    let heading = format!("scope=\"rowgroup\">{}</th></tr>", escape_html(name));
    let start = html
        .find(&heading)
        .unwrap_or_else(|| panic!("no group '{name}'"));
    let rest = &html[start..];
    &rest[..rest.find("</tbody>").unwrap_or(rest.len())]
}

fn cell(text: &str) -> String {
    format!("<td>{}</td>", escape_html(text))
}

/// A cell of the one-line Source and Kind columns.
fn label_cell(text: &str) -> String {
    format!("<td class=\"nowrap\">{}</td>", escape_html(text))
}

fn code_cell(text: &str) -> String {
    format!("<td><code>{}</code></td>", escape_html(text))
}

/// Source and kind cells for a section's `source` field.
fn source_cells(fixture: &Fixture, source: Option<&str>) -> [String; 2] {
    match source {
        Some(id) => {
            let spec = fixture
                .results
                .scenario
                .file
                .sources
                .iter()
                .find(|s| s.id == id)
                .unwrap();
            let kind = match spec.kind {
                SourceKind::Data => "data",
                SourceKind::Assumption => "assumption",
            };
            [
                format!("<td class=\"nowrap\"><code>{}</code></td>", escape_html(id)),
                label_cell(kind),
            ]
        }
        None => [label_cell("–"), label_cell("assumption (no source given)")],
    }
}

#[test]
fn html_has_every_section_and_every_chart_inline() {
    let fixture = baseline();
    let charts = fake_charts();
    let html = report_html(&fixture.results, &charts);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.trim_end().ends_with("</html>"));
    for (id, heading) in [
        ("headline", "Headline results"),
        ("charts", "Charts"),
        ("allocations", "Allocations"),
        ("network-structure", "Network structure"),
        ("assumptions", "Assumptions"),
        ("method", "Method"),
        ("reproducibility", "Reproducibility"),
    ] {
        assert!(
            html.contains(&format!("<section id=\"{id}\">\n<h2>{heading}</h2>")),
            "section {id} is missing"
        );
    }
    assert!(html.contains("<h1>clustersim report: lithuania-2007-2013</h1>"));
    let description = &fixture.results.scenario.file.description;
    assert!(html.contains(&escape_html(description)));

    // Charts: inline, without XML prolog or namespace URL, scalable, captioned.
    assert_eq!(html.matches("<figure").count(), charts.len());
    assert_eq!(html.matches("<svg").count(), charts.len());
    assert!(html.contains("fan-chart-marker &amp; title</text>"));
    assert!(html.contains("<polyline points=\"0,0 10,10\"/><text>histogram-marker</text>"));
    assert!(!html.contains("<?xml"));
    assert!(!html.contains("xmlns"));
    assert!(html.contains("viewBox=\"0 0 800 500\""), "viewBox added");
    assert!(html.contains("figure svg { display: block; width: 100%; height: auto;"));
    assert!(html.contains("page-break-inside: avoid"));
    for (number, chart) in charts.iter().enumerate() {
        assert!(html.contains(&format!(
            "<figcaption><strong>Figure {}. {}.</strong> {}</figcaption>",
            number + 1,
            escape_html(&chart.title),
            escape_html(&chart.description)
        )));
    }

    // Headline table: one row per headline outcome with thousands separators.
    for (name, summary) in fixture.results.headline_summaries() {
        if name == "allocated_ltl" {
            let mean = thousands(summary.mean, 0);
            assert_eq!(mean, "187,004,000", "every run allocates the whole budget");
            row(
                &html,
                &[
                    "<td>Allocated, LTL</td>",
                    &mean,
                    "<td class=\"number\">40</td>",
                ],
            );
        }
    }

    // Allocation table: a group per year with its subtotal, and a totals row.
    let budget = &fixture.results.scenario.budget;
    for year in budget.first_year..=budget.last_year {
        assert!(
            group(&html, &year.to_string()).contains(&format!(
                "<tr class=\"subtotal\"><td>All clusters, {year}</td>"
            )),
            "{year}"
        );
    }
    assert!(html.contains(
        "<tfoot>\n<tr><td>All years, all clusters</td><td class=\"number\">187,004,000</td>"
    ));

    // Reproducibility block from the manifest.
    let manifest = &fixture.results.manifest;
    for text in [
        &manifest.scenario_sha256,
        &manifest.scenario_path,
        &manifest.started_utc,
        &manifest.finished_utc,
        &manifest.version,
    ] {
        assert!(html.contains(&escape_html(text)), "{text} is missing");
    }
    assert!(html.contains(&format!("<dt>Seed</dt><dd>{}</dd>", manifest.seed)));
    assert!(html.contains(&format!(
        "<pre><code>{}</code></pre>",
        escape_html(&manifest.command)
    )));
    assert!(html.contains("<code>docs/MODEL.md</code>"));
    assert!(html.contains("DDSketch"));
}

#[test]
fn html_makes_no_external_request() {
    let html = report_html(&baseline().results, &fake_charts());
    for forbidden in [
        "<link", "<script", "src=", "<iframe", "<object", "<embed", "<img", "@import", "http://",
        "https://", "//www.",
    ] {
        assert!(
            !html.contains(forbidden),
            "report.html contains {forbidden}"
        );
    }
    // The only URLs are the embedded chart fonts, as data URIs in two `@font-face` rules.
    assert_eq!(html.matches("@font-face").count(), 2);
    assert_eq!(html.matches("url(").count(), 2);
    assert_eq!(html.matches("url(data:font/ttf;base64,").count(), 2);
    // The only links are anchors within the page.
    for (index, _) in html.match_indices("href=") {
        assert!(
            html[index..].starts_with("href=\"#"),
            "{}",
            &html[index..index + 40]
        );
    }
}

#[test]
fn every_scenario_value_is_shown_with_its_source_and_kind() {
    let fixture = baseline();
    let html = report_html(&fixture.results, &[]);
    let file = &fixture.results.scenario.file;

    let budget = group(&html, "Budget");
    let [source, kind] = source_cells(fixture, file.budget.source.as_deref());
    row(
        budget,
        &[&cell("Total budget"), &cell("187,004,000"), &source, &kind],
    );
    assert_eq!(
        kind,
        label_cell("data"),
        "the baseline's budget is published data"
    );
    for (item, value) in [
        ("First funding year", file.budget.first_year),
        ("Last funding year", file.budget.last_year),
        ("Horizon year", file.budget.horizon_year),
    ] {
        row(
            budget,
            &[&cell(item), &cell(&value.to_string()), &source, &kind],
        );
    }

    for sector in &file.sectors {
        let rows = group(&html, &format!("Sector: {}", sector.name));
        let [source, kind] = source_cells(fixture, sector.source.as_deref());
        for (item, value) in [
            ("SMEs", thousands(sector.firms as f64, 0)),
            (
                "Sole-proprietor share",
                format!("{}", sector.sole_proprietor_share),
            ),
            (
                "Cooperation propensity",
                shown(&sector.cooperation_propensity),
            ),
            ("Cluster potential", shown(&sector.potential)),
        ] {
            row(rows, &[&cell(item), &cell(&value), &source, &kind]);
        }
    }
    // A sector whose potential is a distribution shows the distribution.
    let wood = file.sectors.iter().find(|s| s.id == "wood").unwrap();
    assert!(matches!(wood.potential, Param::Random(_)));
    row(
        group(&html, "Sector: Wood processing and furniture"),
        &[&cell("triangular(min 0.4, mode 0.6, max 0.75)")],
    );
    // Every value of the rebuilt baseline cites a source: none is shown without one.
    assert!(!html.contains(&label_cell("assumption (no source given)")));

    for cluster in &file.clusters {
        let rows = group(&html, &format!("Cluster: {}", cluster.name));
        let [source, kind] = source_cells(fixture, cluster.source.as_deref());
        let status = format!("{:?}", cluster.status).to_lowercase();
        for (item, value) in [
            ("Status at the start", status),
            (
                "Initial members",
                thousands(cluster.initial_members as f64, 0),
            ),
            ("Initial links", thousands(cluster.initial_links as f64, 0)),
        ] {
            row(rows, &[&cell(item), &cell(&value), &source, &kind]);
        }
    }

    for valley in &file.valleys {
        let rows = group(&html, &format!("Valley: {} ({})", valley.name, valley.city));
        let [source, kind] = source_cells(fixture, valley.source.as_deref());
        let value = cell(&valley.opening_year.to_string());
        row(rows, &[&cell("Opening year"), &value, &source, &kind]);
    }

    // Model parameters cite their source through model_sources (a name, else `default`).
    let model = group(&html, "Model parameters");
    let mut random = 0;
    for (info, param) in file.model.values() {
        random += usize::from(matches!(param, Param::Random(_)));
        let id = file
            .model_sources
            .get(info.name)
            .or_else(|| file.model_sources.get("default"))
            .map(String::as_str);
        let [source, kind] = source_cells(fixture, id);
        row(
            model,
            &[
                &code_cell(info.name),
                &cell(&shown(param)),
                &cell(info.unit),
                &source,
                &kind,
            ],
        );
    }
    assert!(random > 0, "the baseline has uncertain model parameters");
    row(
        model,
        &[
            &code_cell("formation_rate"),
            &cell("triangular(min 0.02, mode 0.05, max 0.1)"),
            "<code>model-behaviour</code>",
            &label_cell("assumption"),
        ],
    );

    let policy_rows = group(&html, "Allocation policy");
    let policy = &file.policy;
    for (name, value) in [
        ("infrastructure_share", policy.infrastructure_share),
        ("forming_reserve_share", policy.forming_reserve_share),
        ("floor_share", policy.floor_share),
        ("cap_share", policy.cap_share),
        ("unspent_share", policy.unspent_share),
    ] {
        row(
            policy_rows,
            &[
                &code_cell(name),
                &cell(&shown(&Param::Fixed(value))),
                "<code>policy-baseline</code>",
                &label_cell("assumption"),
            ],
        );
    }
    row(policy_rows, &[&code_cell("rule"), &cell("competitive")]);

    // Every source with its citation; a source no value cites is pointed out.
    for source in &file.sources {
        row(
            &html,
            &[
                &format!("<code>{}</code>", source.id),
                &cell(&source.citation),
            ],
        );
    }
    let uncited = html
        .split("Sources that no value cites, which may describe them: ")
        .nth(1)
        .and_then(|rest| rest.split("</p>").next())
        .expect("uncited sources are listed");
    // LT-C5 (the photovoltaic cluster's LT+ grant) is cited only inside other citations.
    assert!(uncited.contains("<code>LT-C5</code>"), "{uncited}");
    assert!(
        !uncited.contains("<code>model-behaviour</code>"),
        "{uncited}"
    );
    assert!(!uncited.contains("<code>firms-nace</code>"), "{uncited}");
}

#[test]
fn unsourced_values_are_assumptions_and_text_is_escaped() {
    let dir = TempDir::new().unwrap();
    let mut scenario: serde_json::Value =
        serde_json::from_str(&fs::read_to_string("tests/data/minimal.json").unwrap()).unwrap();
    scenario["description"] = "Tiny <script>alert(1)</script> & \"quoted\" | *pipe*".into();
    scenario["sources"] = serde_json::json!([{
        "id": "register",
        "kind": "data",
        "citation": "Business register <2010>, https://example.org/register"
    }]);
    scenario["sectors"][0]["source"] = "register".into();
    scenario["sectors"][1]["name"] = "Food & <drink>".into();
    let path = dir.path().join("escaped.json");
    fs::write(&path, serde_json::to_string_pretty(&scenario).unwrap()).unwrap();
    let fixture = run(Some(&path));

    let html = report_html(&fixture.results, &[]);
    assert!(!html.contains("<script"));
    assert!(html.contains("Tiny &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot;"));
    assert!(html.contains("<td>Business register &lt;2010&gt;, https://example.org/register</td>"));
    assert!(!html.contains("=\"http"), "a citation URL stays plain text");
    row(
        group(&html, "Sector: ICT"),
        &[&cell("SMEs"), "<code>register</code>", &label_cell("data")],
    );
    row(
        group(&html, "Sector: Food & <drink>"),
        &[&cell("SMEs"), &label_cell("assumption (no source given)")],
    );
    // Everything without a source, row by row.
    for name in [
        "Budget",
        "Sector: Food & <drink>",
        "Cluster: ICT cluster",
        "Cluster: Food cluster",
        "Valley: Tech valley (Vilnius)",
        "Model parameters",
        "Allocation policy",
    ] {
        let rows: Vec<&str> = group(&html, name).split("<tr>").skip(1).collect();
        assert!(!rows.is_empty(), "{name}");
        for row in rows {
            assert!(
                row.contains(&label_cell("assumption (no source given)")),
                "{name}: {row}"
            );
            assert!(!row.contains(&label_cell("data")), "{name}: {row}");
        }
    }
    row(
        group(&html, "Valley: Tech valley (Vilnius)"),
        &[&cell("Opening year"), &cell("2011.5")],
    );

    let markdown = report_md(&fixture.results, &[]);
    assert!(
        markdown.contains("Tiny \\<script\\>alert(1)\\</script\\> & \"quoted\" \\| \\*pipe\\*")
    );
    assert!(markdown.contains("| Sector: Food & \\<drink\\> | SMEs | 100 |"));
}

#[test]
fn markdown_links_every_chart_png_and_has_the_same_sections() {
    let fixture = baseline();
    let charts = fake_charts();
    let markdown = report_md(&fixture.results, &charts);
    assert!(markdown.starts_with("# clustersim report: lithuania-2007-2013\n\n"));
    for heading in [
        "Headline results",
        "Charts",
        "Allocations",
        "Network structure",
        "Assumptions",
        "Method",
        "Reproducibility",
    ] {
        assert!(
            markdown.contains(&format!("\n## {heading}\n\n")),
            "{heading}"
        );
    }
    for chart in &charts {
        assert!(
            markdown.contains(&format!(
                "![{}](charts/{}.png)",
                chart.description, chart.name
            )),
            "{}",
            chart.name
        );
    }
    assert!(markdown.contains("*Figure 1. Networked SMEs, whole economy.*"));
    assert!(!markdown.contains("<svg"));
    assert!(markdown.contains(
        "| Outcome | Mean | 90% interval (p5 – p95) | Mean in EUR | Runs where defined |\n\
         | --- | ---: | ---: | ---: | ---: |\n"
    ));
    assert!(markdown.contains("| **Total** | **All years, all clusters** | **187,004,000** |"));
    assert!(markdown.contains(
        "|  | `formation_rate` | triangular(min 0.02, mode 0.05, max 0.1) | per quarter | \
         `model-behaviour` | assumption |"
    ));
    assert!(markdown.contains(
        "| Model parameters | `join_base_rate` | triangular(min 0.002, mode 0.004, max 0.008) |"
    ));
    let manifest = &fixture.results.manifest;
    assert!(markdown.contains(&format!("```sh\n{}\n```", manifest.command)));
    assert!(markdown.contains(&format!("`{}`", manifest.scenario_sha256)));
    assert!(markdown.ends_with(")\n") || markdown.ends_with("```\n"));
}

#[test]
fn reports_are_byte_identical_when_rendered_twice() {
    let fixture = baseline();
    let charts = fake_charts();
    assert_eq!(
        report_html(&fixture.results, &charts),
        report_html(&fixture.results, &charts)
    );
    assert_eq!(
        report_md(&fixture.results, &charts),
        report_md(&fixture.results, &charts)
    );
    assert_eq!(
        summary_xlsx(&fixture.results).unwrap(),
        summary_xlsx(&fixture.results).unwrap()
    );
}

/// A CSV line split on commas (the files written for the baseline quote nothing).
fn cells(line: &str) -> Vec<&str> {
    line.split(',').collect()
}

#[test]
fn workbook_reads_back_with_the_three_tables() {
    let fixture = baseline();
    let bytes = summary_xlsx(&fixture.results).unwrap();
    let mut workbook = Xlsx::new(Cursor::new(bytes)).unwrap();
    assert_eq!(
        workbook.sheet_names(),
        ["Headline", "By cluster", "Summary", "Allocations", "Runs"]
    );

    for (sheet, file) in [
        ("Summary", "summary.csv"),
        ("Allocations", "allocations.csv"),
        ("Runs", "runs.csv"),
    ] {
        let range = workbook.worksheet_range(sheet).unwrap();
        let text = fixture.csv(file);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(range.start(), Some((0, 0)), "{sheet}");
        assert_eq!(
            range.height(),
            lines.len(),
            "{sheet}: header plus one row per line"
        );
        let header = cells(lines[0]);
        assert_eq!(range.width(), header.len(), "{sheet}");
        for (column, name) in header.iter().enumerate() {
            assert_eq!(
                range.get((0, column)),
                Some(&Data::String(name.to_string())),
                "{sheet}"
            );
        }
        // Every cell: numbers equal the CSV's, blanks stay empty, text stays text.
        for (row, line) in lines.iter().enumerate().skip(1) {
            for (column, expected) in cells(line).iter().enumerate() {
                let actual = range.get((row, column)).unwrap_or(&Data::Empty);
                match expected.parse::<f64>() {
                    _ if expected.is_empty() => assert_eq!(actual, &Data::Empty),
                    Ok(number) => assert_eq!(
                        actual,
                        &Data::Float(number),
                        "{sheet} row {row} column {column}"
                    ),
                    Err(_) => assert_eq!(actual, &Data::String(expected.to_string())),
                }
            }
        }
    }
}

#[test]
fn a_partial_result_says_so() {
    let mut results = baseline().results.clone();
    results.manifest.complete = false;
    results.manifest.runs = 100;
    let html = report_html(&results, &[]);
    assert!(html.contains(
        "<p class=\"lead\">Partial result: the run was interrupted after 40 of the 100 runs \
         requested."
    ));
    assert!(html.contains("<dt>Runs</dt><dd>40 of 100 requested (interrupted)</dd>"));
    assert!(report_md(&results, &[]).contains("Partial result: the run was interrupted"));
}

#[test]
fn network_structure_shows_the_horizon_means_of_summary_csv() {
    let fixture = baseline();
    let markdown = report_md(&fixture.results, &fake_charts());
    // The row of all clusters: the horizon means of the total structure outcomes, as written
    // in summary.csv, with the section's decimals.
    let budget = &fixture.results.scenario.budget;
    let horizon = budget.period_label(budget.quarters() - 1);
    let before = budget.period_label(budget.quarters() - 2);
    let mean = |outcome: &str| -> f64 {
        let prefix = format!("{horizon},total,{outcome},");
        let line = fixture
            .csv("summary.csv")
            .lines()
            .find(|line| line.starts_with(&prefix))
            .unwrap_or_else(|| panic!("no {prefix} row"));
        line.split(',').nth(4).unwrap().parse().unwrap()
    };
    let expected = format!(
        "| **All clusters** | **{}** | **{}** | **{}** | **{}** | **{}** | **{}** | **{}** | **{}** | **{}** | **{}** |",
        thousands(mean("members"), 0),
        thousands(mean("density"), 3),
        thousands(mean("mean_degree"), 1),
        thousands(mean("max_degree"), 1),
        thousands(mean("top_decile_link_share"), 2),
        thousands(mean("transitivity"), 2),
        thousands(mean("random_transitivity"), 2),
        thousands(mean("components"), 1),
        thousands(mean("largest_component"), 0),
        thousands(mean("sole_representation"), 2),
    );
    assert!(markdown.contains(&expected), "{expected}");
    // Structure outcomes are measured at year ends only: no rows for other quarters.
    let summary = fixture.csv("summary.csv");
    assert!(summary.contains(&format!("\n{horizon},total,transitivity,40,")));
    assert!(summary.contains(&format!("\n{before},total,links,")));
    assert!(!summary.contains(&format!("\n{before},total,transitivity,")));
    // Sole proprietors are under-represented among the members (representation below 1).
    assert!(mean("sole_representation") < 1.0);
}
