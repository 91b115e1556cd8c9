//! Reports of a folder written by `clustersim compare`: the five comparison charts exist as PNG
//! and SVG and are drawn, the Policy comparison section comes first with the verdict exactly as
//! `comparison::verdict` computes it from the folder, the workbook has a Comparison sheet, and
//! `clustersim report` re-renders the same bytes. A plain `run` folder has none of this.

use std::collections::BTreeMap;
use std::fs;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;
use calamine::{Data, Reader, Xlsx};
use clustersim::report::charts::{
    CHART_NAMES, COMPARISON_CHART_NAMES, ChartOptions, VERDICT_CHART, drawn_efficient_set,
    render_all,
};
use clustersim::report::results::ResultSet;
use clustersim::report::verdict::{efficient_set, verdict};
use tempfile::TempDir;

/// Policies compared on the minimal scenario (rule kinds, whose names hold `_`).
const POLICIES: [&str; 3] = ["equal", "by_members", "by_potential"];

fn clustersim() -> Command {
    Command::cargo_bin("clustersim").expect("binary is built")
}

fn minimal_scenario() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/minimal.json")
}

/// One comparison of three policies on the minimal scenario, 30 runs, kept for all tests.
fn comparison_folder() -> &'static Path {
    static FOLDER: OnceLock<(TempDir, PathBuf)> = OnceLock::new();
    let (_, folder) = FOLDER.get_or_init(|| {
        let dir = TempDir::new().expect("temporary folder");
        let out = dir.path().join("result");
        clustersim()
            .arg("compare")
            .arg(minimal_scenario())
            .args(["--policies", &POLICIES.join(","), "--baseline", "equal"])
            .args(["--runs", "30", "--quiet", "--out"])
            .arg(&out)
            .assert()
            .success();
        (dir, out)
    });
    folder
}

fn verdict_of(folder: &Path) -> String {
    let results = ResultSet::load(folder).expect("result folder loads");
    let comparison = results.comparison.as_ref().expect("a comparison folder");
    let budget = &results.scenario.budget;
    verdict(comparison, &budget.period_label(budget.quarters() - 1))
}

/// `text` as `report.html` writes it (element content).
fn html_escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// `text` as `report.md` writes it: Markdown's special characters escaped with a backslash.
fn markdown_escaped(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn decode(png: &[u8]) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(Cursor::new(png));
    let mut reader = decoder.read_info().expect("PNG header");
    let mut buffer = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut buffer).expect("PNG data");
    buffer.truncate(info.buffer_size());
    (info.width, info.height, buffer)
}

#[test]
fn every_comparison_chart_is_written_as_png_and_svg() {
    let folder = comparison_folder();
    let results = ResultSet::load(folder).expect("loads");
    let charts = render_all(&results, &ChartOptions::default()).expect("renders");
    for name in COMPARISON_CHART_NAMES {
        let png = fs::read(folder.join(format!("charts/{name}.png"))).expect("PNG exists");
        let (width, height, pixels) = decode(&png);
        assert_eq!((width, height), (1600, 1000), "{name}");
        let inked = pixels.iter().filter(|value| **value < 200).count();
        assert!(
            inked > 20_000,
            "{name} is nearly blank ({inked} dark values)"
        );

        let svg = fs::read_to_string(folder.join(format!("charts/{name}.svg"))).expect("SVG");
        let document = roxmltree::Document::parse(&svg).expect("SVG parses");
        let text: String = document
            .descendants()
            .filter(|node| node.is_text())
            .filter_map(|node| node.text())
            .collect::<Vec<_>>()
            .join(" ");
        let chart = charts.iter().find(|c| c.name == name).expect("rendered");
        assert!(
            text.contains(&chart.title),
            "{name}: title '{}'",
            chart.title
        );
        for policy in POLICIES {
            assert!(text.contains(policy), "{name} names the policy {policy}");
        }
    }
}

/// Checks `compare-efficient-set` of `folder` against the verdict's efficient set: the policies
/// the chart classifies as efficient are `efficient_set`'s, its SVG rings exactly that many
/// points in black (the only unfilled black circles), joins them by one step line through
/// 2k − 1 corners, and names every policy. Returns the efficient set.
fn check_efficient_set_chart(folder: &Path) -> Vec<String> {
    let results = ResultSet::load(folder).expect("loads");
    let comparison = results.comparison.as_ref().expect("a comparison");
    let set = efficient_set(comparison);
    assert!(!set.is_empty(), "costs are defined");
    assert_eq!(drawn_efficient_set(comparison), set);

    let svg = fs::read_to_string(folder.join("charts/compare-efficient-set.svg")).expect("svg");
    let document = roxmltree::Document::parse(&svg).expect("SVG parses");
    let rings = document
        .descendants()
        .filter(|node| node.has_tag_name("circle"))
        .filter(|node| node.attribute("fill") == Some("none"))
        .filter(|node| node.attribute("stroke") == Some("#000000"))
        .count();
    assert_eq!(rings, set.len(), "one black ring per efficient policy");
    let steps: Vec<usize> = document
        .descendants()
        .filter(|node| node.has_tag_name("polyline"))
        .filter_map(|node| node.attribute("points"))
        .map(|points| points.split_whitespace().count())
        .filter(|count| *count > 2)
        .collect();
    // Efficient policies at the same point share one corner (the step line drops repeats), so
    // the line has 2d − 1 corners for d distinct efficient points, and there is none for d = 1.
    let csv = fs::read_to_string(folder.join("comparison.csv")).expect("comparison.csv");
    let mean_of = |policy: &str, outcome: &str| -> String {
        csv.lines()
            .map(|line| line.split(',').collect::<Vec<_>>())
            .find(|cells| cells[0] == policy && cells[2] == outcome)
            .map(|cells| cells[5].to_string())
            .expect("a row per policy and outcome")
    };
    let mut distinct: Vec<(String, String)> = set
        .iter()
        .map(|policy| {
            (
                mean_of(policy, "networked_smes"),
                mean_of(policy, "cost_per_additional_networked_sme_ltl"),
            )
        })
        .collect();
    distinct.sort();
    distinct.dedup();
    let expected = if distinct.len() > 1 {
        vec![2 * distinct.len() - 1]
    } else {
        Vec::new()
    };
    assert_eq!(steps, expected, "the frontier's corners");
    let text: String = document
        .descendants()
        .filter(|node| node.is_text())
        .filter_map(|node| node.text())
        .collect::<Vec<_>>()
        .join(" ");
    for policy in &comparison.policies {
        assert!(text.contains(policy.as_str()), "names {policy}");
    }
    set
}

#[test]
fn the_efficient_set_chart_rings_the_verdicts_efficient_set() {
    check_efficient_set_chart(comparison_folder());
}

#[test]
fn comparison_charts_come_first_then_the_usual_ones() {
    let results = ResultSet::load(comparison_folder()).expect("loads");
    let charts = render_all(&results, &ChartOptions::default()).expect("renders");
    let names: Vec<&str> = charts.iter().map(|c| c.name.as_str()).collect();
    // On common random numbers the verdict-by-input chart follows the comparison charts.
    let expected: Vec<&str> = COMPARISON_CHART_NAMES
        .iter()
        .chain(&[VERDICT_CHART])
        .chain(CHART_NAMES.iter())
        .copied()
        .collect();
    assert_eq!(names, expected);
}

#[test]
fn reports_open_with_the_comparison_and_its_computed_verdict() {
    let folder = comparison_folder();
    let verdict = verdict_of(folder);
    assert!(
        verdict.starts_with("Policy ")
            || verdict.starts_with("No policy")
            || verdict.starts_with("No practical difference")
    );

    let html = fs::read_to_string(folder.join("report.html")).expect("report.html");
    assert!(
        html.contains(&format!("<p>{}</p>", html_escaped(&verdict))),
        "report.html lacks the verdict {verdict}"
    );
    let results = ResultSet::load(folder).expect("result folder loads");
    let efficient = clustersim::report::verdict::efficient_set_sentence(
        results.comparison.as_ref().expect("a comparison"),
    )
    .expect("costs are defined");
    assert!(
        html.contains(&format!("<p>{}</p>", html_escaped(&efficient))),
        "report.html lacks the efficient set {efficient}"
    );
    let first_section = html.find("<section id=").expect("a section");
    assert!(html[first_section..].starts_with("<section id=\"comparison\">"));
    assert!(html.contains("This is a comparison of 3 allocation policies"));
    assert!(html.contains("the baseline “equal”"));
    for name in COMPARISON_CHART_NAMES {
        assert!(
            html.contains(&format!("<figure id=\"chart-{name}\">")),
            "{name}"
        );
    }
    // Each chart appears once: the comparison charts are not repeated under Charts.
    assert_eq!(
        html.matches("<figure id=\"chart-compare-ranks\">").count(),
        1
    );

    let markdown = fs::read_to_string(folder.join("report.md")).expect("report.md");
    assert!(
        markdown.contains(&format!("\n{}\n", markdown_escaped(&verdict))),
        "report.md lacks the verdict {verdict}"
    );
    let first = markdown.find("\n## ").expect("a section");
    assert!(markdown[first..].starts_with("\n## Policy comparison\n"));
    for name in COMPARISON_CHART_NAMES {
        assert!(markdown.contains(&format!("(charts/{name}.png)")), "{name}");
    }
}

#[test]
fn the_comparison_table_has_a_row_per_policy_and_outcome() {
    let html = fs::read_to_string(comparison_folder().join("report.html")).expect("html");
    let start = html.find("<section id=\"comparison\">").expect("section");
    let end = start + html[start..].find("</section>").expect("end");
    let section = &html[start..end];
    for policy in POLICIES {
        // Seven outcomes, one row each (the baseline's name carries "(baseline)"), and one row
        // in each of the two pairwise matrices.
        let rows = section
            .matches(&format!("<td class=\"nowrap\">{policy}"))
            .count();
        assert_eq!(rows, 7 + 2, "{policy}");
    }
    assert!(section.contains("equal (baseline)"));
    assert!(section.contains("lower is better"));
}

#[test]
fn the_workbook_has_the_headline_first_and_a_comparison_sheet_after_summary() {
    let folder = comparison_folder();
    let bytes = fs::read(folder.join("summary.xlsx")).expect("summary.xlsx");
    let mut workbook = Xlsx::new(Cursor::new(bytes)).expect("workbook");
    assert_eq!(
        workbook.sheet_names(),
        [
            "Headline",
            "By cluster",
            "Summary",
            "Comparison",
            "Pairwise",
            "Allocations",
            "Runs"
        ]
    );
    let range = workbook.worksheet_range("Comparison").expect("sheet");
    assert_eq!(range.height(), 1 + POLICIES.len() * 7);
    let csv = fs::read_to_string(folder.join("comparison.csv")).expect("csv");
    let lines: Vec<&str> = csv.lines().collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    assert_eq!(range.width(), header.len());
    for (column, name) in header.iter().enumerate() {
        assert_eq!(
            range.get((0, column)),
            Some(&Data::String(name.to_string()))
        );
    }
    // Every cell equals the file's: numbers as numbers, the baseline flag as a boolean.
    for (row, line) in lines.iter().enumerate().skip(1) {
        for (column, expected) in line.split(',').enumerate() {
            let actual = range.get((row, column)).unwrap_or(&Data::Empty);
            match (expected, expected.parse::<f64>()) {
                ("", _) => assert_eq!(actual, &Data::Empty, "row {row} column {column}"),
                ("true" | "false", _) => {
                    assert_eq!(actual, &Data::Bool(expected == "true"), "row {row}")
                }
                (_, Ok(number)) => {
                    assert_eq!(actual, &Data::Float(number), "row {row} column {column}")
                }
                (_, Err(_)) => assert_eq!(actual, &Data::String(expected.to_string())),
            }
        }
    }
}

fn rendered_files(folder: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for name in ["report.html", "report.md", "summary.xlsx"] {
        files.insert(name.to_string(), fs::read(folder.join(name)).expect("file"));
    }
    for entry in fs::read_dir(folder.join("charts"))
        .expect("charts")
        .flatten()
    {
        let name = format!("charts/{}", entry.file_name().to_string_lossy());
        files.insert(name, fs::read(entry.path()).expect("chart"));
    }
    files
}

#[test]
fn re_rendering_a_comparison_gives_identical_bytes() {
    // A copy, so the other tests keep reading the original.
    let dir = TempDir::new().expect("temporary folder");
    let copy = dir.path().join("copy");
    fs::create_dir_all(copy.join("charts")).expect("folders");
    let source = comparison_folder();
    for entry in fs::read_dir(source).expect("folder").flatten() {
        if entry.path().is_file() {
            fs::copy(entry.path(), copy.join(entry.file_name())).expect("copy");
        }
    }
    for entry in fs::read_dir(source.join("charts"))
        .expect("charts")
        .flatten()
    {
        fs::copy(entry.path(), copy.join("charts").join(entry.file_name())).expect("copy");
    }
    let before = rendered_files(&copy);
    fs::remove_dir_all(copy.join("charts")).expect("remove charts");
    fs::remove_file(copy.join("report.html")).expect("remove report");
    clustersim().arg("report").arg(&copy).assert().success();
    let after = rendered_files(&copy);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &before {
        assert!(bytes == &after[name], "{name} differs after re-rendering");
    }
}

#[test]
fn a_plain_run_has_no_comparison_section_chart_or_sheet() {
    let dir = TempDir::new().expect("temporary folder");
    let out = dir.path().join("result");
    clustersim()
        .arg("run")
        .arg(minimal_scenario())
        .args(["--runs", "10", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let html = fs::read_to_string(out.join("report.html")).expect("html");
    assert!(!html.contains("Policy comparison"));
    assert!(!html.contains("This is a comparison"));
    let markdown = fs::read_to_string(out.join("report.md")).expect("md");
    assert!(!markdown.contains("Policy comparison"));
    for name in COMPARISON_CHART_NAMES {
        assert!(!out.join(format!("charts/{name}.svg")).exists(), "{name}");
    }
    let bytes = fs::read(out.join("summary.xlsx")).expect("xlsx");
    let workbook = Xlsx::new(Cursor::new(bytes)).expect("workbook");
    assert_eq!(
        workbook.sheet_names(),
        ["Headline", "By cluster", "Summary", "Allocations", "Runs"]
    );
}

#[test]
fn seven_policies_get_distinct_charts() {
    // The built-in scenario defines seven policies; few runs are enough to draw them.
    let dir = TempDir::new().expect("temporary folder");
    let out = dir.path().join("result");
    clustersim()
        .args(["compare", "--runs", "12", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let results = ResultSet::load(&out).expect("loads");
    let comparison = results.comparison.as_ref().expect("comparison");
    assert_eq!(comparison.policies.len(), 7);
    for name in COMPARISON_CHART_NAMES {
        let svg = fs::read_to_string(out.join(format!("charts/{name}.svg"))).expect("svg");
        for policy in &comparison.policies {
            assert!(svg.contains(policy.as_str()), "{name} names {policy}");
        }
    }
    // Some but not all of the seven are efficient, so a chart ringing every policy (or none)
    // would fail here.
    let set = check_efficient_set_chart(&out);
    assert!(set.len() < comparison.policies.len(), "{set:?}");
    // The lines of the seven policies are drawn in seven different colours.
    let svg = fs::read_to_string(out.join("charts/compare-networked-smes.svg")).expect("svg");
    let strokes: std::collections::BTreeSet<&str> = svg
        .split("stroke=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    for colour in [
        "#000000", "#E69F00", "#56B4E9", "#009E73", "#D55E00", "#0072B2", "#CC79A7",
    ] {
        assert!(strokes.contains(colour), "no line in {colour}: {strokes:?}");
    }
}

#[test]
fn the_assumptions_and_the_policy_table_describe_the_policies_actually_compared() {
    // The scenario's own rule is `equal`; the baseline here is `by_potential`, so the assumptions
    // (which describe the baseline) must show by_potential, and the policy table both policies.
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("result");
    clustersim()
        .arg("compare")
        .arg(minimal_scenario())
        .args([
            "--policies",
            "equal,by_potential",
            "--baseline",
            "by_potential",
        ])
        .args(["--runs", "10", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let report = fs::read_to_string(out.join("report.md")).unwrap();
    let rule_row = report
        .lines()
        .find(|line| line.contains("| `rule` |"))
        .expect("the assumptions table has a rule row");
    assert!(rule_row.contains("by\\_potential"), "{rule_row}");
    assert!(!rule_row.contains("| equal"), "{rule_row}");
    let table = report
        .split("### Policies compared")
        .nth(1)
        .expect("a table of the policies compared");
    assert!(table.contains("`by_potential (baseline)`"), "{table}");
    assert!(
        table.contains("| `equal` | the scenario's policy |"),
        "{table}"
    );
}

/// `comparison_pairs.csv` parsed: (outcome, policy, versus) → (n, mean, SE, low, high) as text.
fn pairs(folder: &Path) -> BTreeMap<(String, String, String), Vec<String>> {
    let text = fs::read_to_string(folder.join("comparison_pairs.csv")).expect("pairs csv");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "outcome,policy,versus,n,difference_mean,difference_standard_error,difference_ci95_low,difference_ci95_high"
        )
    );
    lines
        .map(|line| {
            let cells: Vec<String> = line.split(',').map(str::to_string).collect();
            (
                (cells[0].clone(), cells[1].clone(), cells[2].clone()),
                cells[3..].to_vec(),
            )
        })
        .collect()
}

/// The text of `-value` as the CSV writes it (`cell` prints Rust's shortest round-trip form).
fn negated(cell: &str) -> String {
    if cell.is_empty() {
        return String::new();
    }
    let value: f64 = cell.parse().expect("a number");
    if value == 0.0 {
        "0".to_string()
    } else {
        format!("{}", -value)
    }
}

#[test]
fn the_pairwise_matrix_is_antisymmetric_with_zero_diagonal_in_csv_report_and_workbook() {
    let folder = comparison_folder();
    let matrix = pairs(folder);
    let outcomes = [
        "networked_smes",
        "additional_networked_smes",
        "links",
        "clusters_formed",
        "joint_projects",
        "cost_per_additional_networked_sme_ltl",
        "added_value_per_ltl_spent",
    ];
    assert_eq!(
        matrix.len(),
        outcomes.len() * POLICIES.len() * POLICIES.len()
    );
    let mut off_diagonal_nonzero = 0;
    for outcome in outcomes {
        for policy in POLICIES {
            for versus in POLICIES {
                let key = |a: &str, b: &str| (outcome.to_string(), a.to_string(), b.to_string());
                let cell = &matrix[&key(policy, versus)];
                let mirror = &matrix[&key(versus, policy)];
                if policy == versus {
                    assert_eq!(cell[1..], ["0", "0", "0", "0"], "{outcome} {policy}");
                    continue;
                }
                // Same runs, negated mean, same standard error, interval ends swapped and
                // negated — exactly, since negating every per-run difference is exact.
                assert_eq!(cell[0], mirror[0], "{outcome} {policy} {versus} n");
                assert_eq!(cell[1], negated(&mirror[1]), "{outcome} {policy} {versus}");
                assert_eq!(cell[2], mirror[2], "{outcome} {policy} {versus} SE");
                assert_eq!(cell[3], negated(&mirror[4]), "{outcome} {policy} {versus}");
                assert_eq!(cell[4], negated(&mirror[3]), "{outcome} {policy} {versus}");
                if cell[1] != "0" {
                    off_diagonal_nonzero += 1;
                }
            }
        }
    }
    // The policies differ, so the test is not passed by a matrix of zeros.
    assert!(off_diagonal_nonzero > 0);
    // The row against the baseline column is comparison.csv's difference to the baseline.
    let results = ResultSet::load(folder).expect("loads");
    let comparison = results.comparison.expect("comparison");
    for row in &comparison.rows {
        let pair = comparison
            .pair(&row.outcome, &row.policy, &comparison.baseline)
            .expect("a pair per row");
        assert_eq!(
            pair.mean, row.difference_mean,
            "{} {}",
            row.policy, row.outcome
        );
        assert_eq!(pair.ci95, row.difference_ci95);
    }

    // The report shows the matrices; the workbook holds the file cell for cell.
    let markdown = fs::read_to_string(folder.join("report.md")).expect("report.md");
    assert!(markdown.contains("Pairwise differences"));
    assert!(
        markdown.contains("comparison\\_pairs.csv") || markdown.contains("comparison_pairs.csv")
    );
    let bytes = fs::read(folder.join("summary.xlsx")).expect("summary.xlsx");
    let mut workbook = Xlsx::new(Cursor::new(bytes)).expect("workbook");
    let range = workbook
        .worksheet_range("Pairwise")
        .expect("Pairwise sheet");
    assert_eq!(range.height(), 1 + matrix.len());
    let text = fs::read_to_string(folder.join("comparison_pairs.csv")).expect("csv");
    for (row, line) in text.lines().enumerate().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        for (column, expected) in [0, 1, 2, 3, 4, 6, 7]
            .iter()
            .map(|&at| cells[at])
            .enumerate()
        {
            let actual = range.get((row, column)).unwrap_or(&Data::Empty);
            match expected.parse::<f64>() {
                _ if expected.is_empty() => assert_eq!(actual, &Data::Empty),
                Ok(number) => assert_eq!(actual, &Data::Float(number), "row {row} {column}"),
                Err(_) => assert_eq!(actual, &Data::String(expected.to_string())),
            }
        }
    }
}
