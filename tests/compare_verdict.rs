//! `compare`: does the verdict survive? `comparison_by_input.csv` splits the runs into thirds of
//! each uncertain input; the thirds partition the runs, their means recombine to the overall
//! paired difference recomputed from `comparison_runs.csv`, the input ranges do not overlap, and
//! the report says plainly whether the leader changes. Without common random numbers the
//! analysis is refused in words, not faked.

use std::collections::BTreeMap;
use std::fs;
use std::time::Duration;

use assert_cmd::Command;
use tempfile::TempDir;

fn clustersim(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("clustersim")
        .expect("the clustersim binary is built")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("RUST_BACKTRACE", "0")
        .timeout(Duration::from_secs(120))
        .args(args)
        .output()
        .expect("clustersim could be started")
}

fn rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .skip(1)
        .map(|line| line.split(',').map(String::from).collect())
        .collect()
}

#[test]
fn thirds_partition_the_runs_and_recombine_to_the_overall_difference() {
    let dir = TempDir::new().expect("temporary folder");
    let folder = dir.path().join("compared");
    let output = clustersim(&[
        "compare",
        "tests/data/correlated.json",
        "--policies",
        "equal,by_members",
        "--runs",
        "301",
        "--quiet",
        "--out",
        folder.to_str().expect("UTF-8"),
    ]);
    assert!(output.status.success(), "{output:?}");

    // Per policy, networked SMEs in run order, from comparison_runs.csv.
    let runs_text = fs::read_to_string(folder.join("comparison_runs.csv")).expect("runs");
    let header: Vec<&str> = runs_text
        .lines()
        .next()
        .expect("header")
        .split(',')
        .collect();
    let column = header
        .iter()
        .position(|c| *c == "networked_smes")
        .expect("column");
    let mut values: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for row in rows(&runs_text) {
        values
            .entry(row[1].clone())
            .or_default()
            .push(row[column].parse().expect("a number"));
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (leader, runner_up) = if mean(&values["equal"]) >= mean(&values["by_members"]) {
        ("equal", "by_members")
    } else {
        ("by_members", "equal")
    };
    let overall: f64 = mean(
        &values[leader]
            .iter()
            .zip(&values[runner_up])
            .map(|(a, b)| a - b)
            .collect::<Vec<_>>(),
    );

    let table = rows(&fs::read_to_string(folder.join("comparison_by_input.csv")).expect("csv"));
    assert!(!table.is_empty());
    let mut by_input: BTreeMap<String, Vec<Vec<String>>> = BTreeMap::new();
    for row in table {
        assert_eq!((row[5].as_str(), row[6].as_str()), (leader, runner_up));
        by_input.entry(row[0].clone()).or_default().push(row);
    }
    assert!(by_input.contains_key("model.tie_rate"));
    assert!(
        !by_input.contains_key("model.join_base_rate"),
        "fixed inputs are left out"
    );
    for (input, thirds) in &by_input {
        let names: Vec<&str> = thirds.iter().map(|row| row[1].as_str()).collect();
        assert_eq!(names, ["lower", "middle", "upper"], "{input}");
        // 301 runs: thirds of 100, 100 and 101 runs.
        let sizes: Vec<usize> = thirds.iter().map(|row| row[4].parse().unwrap()).collect();
        assert_eq!(sizes, [100, 100, 101], "{input}");
        // Ranges ascend and do not overlap (ties aside: a continuous input has none).
        let ranges: Vec<(f64, f64)> = thirds
            .iter()
            .map(|row| (row[2].parse().unwrap(), row[3].parse().unwrap()))
            .collect();
        for pair in ranges.windows(2) {
            assert!(
                pair[0].0 <= pair[0].1 && pair[0].1 < pair[1].0,
                "{input}: {ranges:?}"
            );
        }
        // The run-weighted mean of the thirds is the overall mean difference.
        let recombined: f64 = thirds
            .iter()
            .map(|row| row[4].parse::<f64>().unwrap() * row[7].parse::<f64>().unwrap())
            .sum::<f64>()
            / 301.0;
        assert!(
            (recombined - overall).abs() <= 1e-9 * overall.abs().max(1.0),
            "{input}: {recombined} vs {overall}"
        );
        for row in thirds {
            let (mean, low, high): (f64, f64, f64) = (
                row[7].parse().unwrap(),
                row[8].parse().unwrap(),
                row[9].parse().unwrap(),
            );
            assert!(low <= mean && mean <= high, "{row:?}");
            assert_eq!(row[10], (mean >= 0.0).to_string(), "{row:?}");
        }
    }
    let report = fs::read_to_string(folder.join("report.md")).expect("report.md");
    assert!(
        report.contains("### Does the verdict survive?"),
        "section present"
    );
    assert!(
        report.contains("charts/compare-verdict-by-input.png"),
        "chart present"
    );
    let changes = by_input.values().flatten().any(|row| row[10] == "false");
    assert!(
        report.contains("The leader changes:") || report.contains("The leader does not change"),
        "a plain answer"
    );
    if !changes {
        assert!(report.contains("The leader does not change:"));
    }
}

#[test]
fn without_common_random_numbers_the_analysis_is_declined_in_words() {
    let dir = TempDir::new().expect("temporary folder");
    let folder = dir.path().join("independent");
    let output = clustersim(&[
        "compare",
        "tests/data/correlated.json",
        "--policies",
        "equal,by_members",
        "--runs",
        "30",
        "--crn",
        "off",
        "--quiet",
        "--out",
        folder.to_str().expect("UTF-8"),
    ]);
    assert!(output.status.success(), "{output:?}");
    assert!(!folder.join("comparison_by_input.csv").exists());
    let report = fs::read_to_string(folder.join("report.md")).expect("report.md");
    assert!(
        report.contains("Not analysed: with independent random numbers"),
        "{report}"
    );
}
