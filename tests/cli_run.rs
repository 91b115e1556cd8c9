//! `clustersim run`: reproducibility across thread counts and seeds, output folders, the
//! manifest, and the README's command with no scenario at all.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use tempfile::TempDir;

fn clustersim() -> Command {
    Command::cargo_bin("clustersim").expect("binary is built")
}

fn run_into(out: &Path, extra: &[&str]) {
    clustersim()
        .args([
            "run",
            "scenarios/lithuania-2007-2013.json",
            "--runs",
            "60",
            "--out",
        ])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

#[test]
fn same_seed_gives_identical_bytes_on_one_and_two_threads() {
    let dir = TempDir::new().unwrap();
    let one = dir.path().join("one");
    let two = dir.path().join("two");
    run_into(&one, &["--seed", "42", "--threads", "1", "--quiet"]);
    run_into(&two, &["--seed", "42", "--threads", "2", "--quiet"]);
    for file in ["summary.csv", "runs.csv", "allocations.csv"] {
        let a = fs::read(one.join(file)).unwrap();
        let b = fs::read(two.join(file)).unwrap();
        assert!(!a.is_empty());
        assert!(a == b, "{file} differs between 1 and 2 threads");
    }
}

#[test]
fn a_different_seed_changes_the_results() {
    let dir = TempDir::new().unwrap();
    let first = dir.path().join("first");
    let second = dir.path().join("second");
    run_into(&first, &["--seed", "1", "--quiet"]);
    run_into(&second, &["--seed", "2", "--quiet"]);
    for file in ["summary.csv", "runs.csv"] {
        assert_ne!(
            fs::read(first.join(file)).unwrap(),
            fs::read(second.join(file)).unwrap(),
            "{file} did not change with the seed"
        );
    }
}

#[test]
fn out_refuses_to_overwrite_without_force_and_keeps_the_earlier_result() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("result");
    run_into(&out, &["--seed", "1", "--quiet"]);
    let before = fs::read(out.join("runs.csv")).unwrap();
    let assert = clustersim()
        .args([
            "run",
            "scenarios/lithuania-2007-2013.json",
            "--runs",
            "5",
            "--seed",
            "9",
            "--out",
        ])
        .arg(&out)
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(
        stderr.contains("--force"),
        "message should offer --force: {stderr}"
    );
    assert_eq!(
        fs::read(out.join("runs.csv")).unwrap(),
        before,
        "earlier result was touched"
    );
    // With --force the result is replaced, and no staging folder is left behind.
    run_into(&out, &["--seed", "9", "--quiet", "--force"]);
    assert_ne!(fs::read(out.join("runs.csv")).unwrap(), before);
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "staging folders left: {leftovers:?}");
}

#[test]
fn outputs_have_the_documented_shape() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("result");
    run_into(&out, &["--seed", "5", "--quiet"]);
    let summary = fs::read_to_string(out.join("summary.csv")).unwrap();
    let mut lines = summary.lines();
    assert_eq!(
        lines.next().unwrap(),
        "period,cluster,outcome,n,mean,standard_error,sd,p5,p25,p50,p75,p95"
    );
    // 40 quarters (2007–2016) × (96 clusters — 16 named and 80 generated initiatives, six per
    // sector — × 12 outcomes + 18 totals), plus at the 10 year ends (96 clusters + total) × 8
    // network-structure outcomes.
    assert_eq!(
        summary.lines().count() - 1,
        40 * (96 * 12 + 18) + 10 * (96 + 1) * 8
    );
    assert_eq!(
        summary
            .lines()
            .filter(|line| line.starts_with("2016Q4,")
                && !line.starts_with("2016Q4,total,")
                && line.contains(",additional_networked_smes,60,"))
            .count(),
        96,
        "every cluster's additional networked SMEs, defined in every run"
    );
    assert!(summary.contains("2016Q4,total,counterfactual_networked_smes,60,"));
    assert!(summary.contains("2016Q4,total,networked_smes,60,"));
    assert!(summary.contains("2016Q4,wood-initiative-2,members,60,"));
    let runs = fs::read_to_string(out.join("runs.csv")).unwrap();
    assert_eq!(runs.lines().count(), 61, "header plus one row per run");
    assert!(
        runs.lines()
            .next()
            .unwrap()
            .starts_with("run,model.join_base_rate,")
    );
    let allocations = fs::read_to_string(out.join("allocations.csv")).unwrap();
    // 9 funding years (2007–2015) × 96 clusters × 2 instruments × 4 quantities.
    assert_eq!(allocations.lines().count() - 1, 9 * 96 * 2 * 4);
    // Allocated money sums to the budget.
    let mut by_year = std::collections::BTreeMap::<String, f64>::new();
    for line in allocations.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        if cells[3] == "allocated" {
            *by_year.entry(cells[0].to_string()).or_default() += cells[4].parse::<f64>().unwrap();
        }
    }
    let total: f64 = by_year.values().sum();
    assert!(
        (total - 187_004_000.0).abs() < 0.01,
        "allocated total {total}"
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["seed"], 5);
    assert_eq!(manifest["runs"], 60);
    assert_eq!(manifest["runs_completed"], 60);
    assert_eq!(manifest["scenario_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(
        manifest["command"],
        "clustersim run scenarios/lithuania-2007-2013.json --runs 60 --seed 5"
    );
    assert!(out.join("scenario.json").exists());
}

#[test]
fn readme_command_runs_the_built_in_baseline_twice_without_clobbering() {
    // The README's first command, from a folder with no scenarios/ in it.
    let dir = TempDir::new().unwrap();
    for _ in 0..2 {
        let assert = clustersim()
            .current_dir(dir.path())
            .args(["run", "--runs", "30"])
            .assert()
            .success();
        let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
        assert!(
            stdout.contains("Networked SMEs"),
            "headline table missing: {stdout}"
        );
        assert!(stdout.contains("90% interval"));
    }
    let parent = dir.path().join("output").join("lithuania-2007-2013");
    let results: Vec<_> = fs::read_dir(&parent)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir() && e.file_name() != "latest")
        .collect();
    assert_eq!(results.len(), 2, "each run gets its own folder");
    let latest = parent.join("latest");
    assert!(
        latest.join("manifest.json").exists(),
        "latest points at a result"
    );
}

#[test]
fn the_readme_reproduce_command_reproduces_bytes() {
    let dir = TempDir::new().unwrap();
    let first = dir.path().join("first");
    run_into(&first, &["--seed", "77", "--quiet"]);
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(first.join("manifest.json")).unwrap()).unwrap();
    let command = manifest["command"].as_str().unwrap();
    let words: Vec<&str> = command.split_whitespace().skip(1).collect();
    let second = dir.path().join("second");
    clustersim()
        .args(&words)
        .arg("--out")
        .arg(&second)
        .arg("--quiet")
        .assert()
        .success();
    for file in ["summary.csv", "runs.csv", "allocations.csv"] {
        assert!(fs::read(first.join(file)).unwrap() == fs::read(second.join(file)).unwrap());
    }
}

#[test]
fn force_never_replaces_a_folder_that_is_not_a_result() {
    let dir = TempDir::new().unwrap();
    let notes = dir.path().join("notes");
    fs::create_dir(&notes).unwrap();
    fs::write(notes.join("thesis.docx"), b"years of work").unwrap();
    let assert = clustersim()
        .args(["run", "--runs", "5", "--quiet", "--force", "--out"])
        .arg(&notes)
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stderr.contains("not a clustersim result"), "{stderr}");
    assert_eq!(
        fs::read(notes.join("thesis.docx")).unwrap(),
        b"years of work"
    );
    let leftovers = fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(leftovers, 1, "nothing but the notes folder");
}

#[test]
fn force_without_out_is_a_usage_error() {
    clustersim()
        .args(["run", "--runs", "5", "--force"])
        .assert()
        .failure()
        .code(2);
}

#[test]
fn parallel_runs_into_the_default_folder_all_succeed() {
    let dir = TempDir::new().unwrap();
    let children: Vec<_> = (0..3)
        .map(|seed| {
            std::process::Command::new(assert_cmd::cargo::cargo_bin("clustersim"))
                .current_dir(dir.path())
                .args([
                    "run",
                    "--runs",
                    "20",
                    "--quiet",
                    "--seed",
                    &seed.to_string(),
                ])
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success(), "a parallel run failed");
    }
    let parent = dir.path().join("output").join("lithuania-2007-2013");
    let results = fs::read_dir(&parent)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.') && e.file_name() != "latest")
        .count();
    assert_eq!(results, 3, "three distinct result folders");
}

#[test]
fn absurd_sizes_are_refused_before_any_work_with_the_estimate_and_the_limit() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("huge");
    let assert = clustersim()
        .args(["run", "--runs", "100000000", "--out"])
        .arg(&out)
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(
        stderr.contains("GiB (limit 20.0 GiB)") && stderr.contains("--allow-large"),
        "{stderr}"
    );
    assert!(!out.exists());
    // A billion firms per sector: the networks of the runs in flight would not fit any machine.
    let mut scenario: serde_json::Value =
        serde_json::from_str(&fs::read_to_string("scenarios/lithuania-2007-2013.json").unwrap())
            .unwrap();
    for sector in scenario["sectors"].as_array_mut().unwrap() {
        sector["firms"] = serde_json::json!(1_000_000_000u64);
    }
    let path = dir.path().join("big.json");
    fs::write(&path, scenario.to_string()).unwrap();
    let assert = clustersim()
        .arg("run")
        .arg(&path)
        .args(["--runs", "10", "--out"])
        .arg(&out)
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(
        stderr.contains("memory up to about")
            && stderr.contains("this machine has")
            && stderr.contains("the networks of the runs in flight"),
        "{stderr}"
    );
    assert!(!out.exists());
}

/// `1,234.5` → 1234.5.
fn number(text: &str) -> f64 {
    text.trim()
        .replace(',', "")
        .parse()
        .unwrap_or_else(|_| panic!("not a number: {text:?}"))
}

#[test]
fn five_runs_print_every_mean_within_its_interval_and_warn() {
    let folder = TempDir::new().unwrap();
    let out = folder.path().join("five");
    let assert = clustersim()
        .args(["run", "tests/data/minimal.json", "--runs", "5", "--out"])
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert!(stdout.contains("Warning: only 5 runs."), "{stdout}");
    assert!(stdout.contains("Range of the runs (min – max)"), "{stdout}");
    // Rows: label, mean, "low – high" and perhaps "(defined in n runs)".
    let mut rows = 0;
    for line in stdout.lines().skip(1) {
        let Some((head, high)) = line.split_once(" – ") else {
            continue;
        };
        let high = high.split("  (").next().unwrap();
        let words: Vec<&str> = head.split_whitespace().collect();
        let (mean, low) = (words[words.len() - 2], words[words.len() - 1]);
        let (mean, low, high) = (number(mean), number(low), number(high));
        assert!(low <= mean && mean <= high, "{line}");
        rows += 1;
    }
    assert_eq!(rows, clustersim::engine::outcomes::HEADLINE_OUTCOMES.len());
    // The report says the same.
    let markdown = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(markdown.contains("Warning: only 5 runs."));
    let table = markdown
        .split("## Headline results")
        .nth(1)
        .unwrap()
        .split("\n\n")
        .nth(2)
        .unwrap();
    let mut checked = 0;
    for row in table.lines().skip(2) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        if cells[2] == "undefined" {
            continue;
        }
        let (low, high) = cells[3].split_once(" – ").unwrap();
        let (mean, low, high) = (number(cells[2]), number(low), number(high));
        assert!(low <= mean && mean <= high, "{row}");
        checked += 1;
    }
    assert_eq!(checked, rows);
}

#[test]
fn the_workbook_opens_on_the_headline_and_its_clusters_add_up_to_the_totals() {
    use calamine::{Data, Reader, Xlsx};
    let folder = TempDir::new().unwrap();
    let out = folder.path().join("book");
    run_into(&out, &["--quiet"]);
    let bytes = fs::read(out.join("summary.xlsx")).unwrap();
    let mut workbook = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let names = workbook.sheet_names();
    assert_eq!(names[..3], ["Headline", "By cluster", "Summary"]);
    let headline = workbook.worksheet_range("Headline").unwrap();
    let value =
        |range: &calamine::Range<Data>, row: usize, column: usize| match range.get((row, column)) {
            Some(Data::Float(value)) => *value,
            other => panic!("({row}, {column}): {other:?}"),
        };
    let row_of = |label: &str| {
        (1..headline.height())
            .find(|row| headline.get((*row, 0)) == Some(&Data::String(label.to_string())))
            .unwrap_or_else(|| panic!("no row {label}"))
    };
    // 60 runs: the 5th to 95th percentile, which the mean lies within here.
    assert_eq!(
        headline.get((0, 2)),
        Some(&Data::String("5th percentile".into()))
    );
    let additional = row_of("Additional networked SMEs (vs no funding)");
    let absorbed = row_of("Absorbed (spent), LTL");
    let (mean, low, high) = (
        value(&headline, additional, 1),
        value(&headline, additional, 2),
        value(&headline, additional, 3),
    );
    assert!(low <= mean && mean <= high && mean > 0.0);
    // The headline mean is the mean of funded minus counterfactual per run (runs.csv)…
    let runs = fs::read_to_string(out.join("runs.csv")).unwrap();
    let header: Vec<&str> = runs.lines().next().unwrap().split(',').collect();
    let column = header
        .iter()
        .position(|name| *name == "additional_networked_smes")
        .unwrap();
    let per_run: Vec<f64> = runs
        .lines()
        .skip(1)
        .map(|line| line.split(',').nth(column).unwrap().parse().unwrap())
        .collect();
    let run_mean = per_run.iter().sum::<f64>() / per_run.len() as f64;
    assert!((run_mean - mean).abs() <= 1e-9 * mean);
    // …and the clusters' means add up to it, as the absorbed money adds up to the total.
    let clusters = workbook.worksheet_range("By cluster").unwrap();
    let sum = |column: usize| -> f64 {
        (1..clusters.height())
            .map(|row| value(&clusters, row, column))
            .sum()
    };
    assert_eq!(clusters.height() - 1, 96);
    assert!((sum(4) - mean).abs() <= 1e-9 * mean, "{} vs {mean}", sum(4));
    let total_absorbed = value(&headline, absorbed, 1);
    assert!((sum(7) - total_absorbed).abs() <= 1e-6 * total_absorbed);
}

#[test]
fn measures_csv_holds_the_ledger_per_measure_and_year() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("measures");
    clustersim()
        .args([
            "run",
            "tests/data/measures.json",
            "--runs",
            "8",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let text = fs::read_to_string(out.join("measures.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "year,measure,instrument,quantity,mean_ltl,p5_ltl,p50_ltl,p95_ltl,mean_eur,p5_eur,p50_eur,p95_eur"
        )
    );
    // Per measure: mean allocated (both instruments) + mean returned without a contract over
    // the years = the measure's budget (means are linear; the file rounds to cents).
    let mut accounted = std::collections::BTreeMap::<String, f64>::new();
    let mut late_before_2010 = 0.0;
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells.len(), 12, "{line}");
        let (year, measure, quantity) = (cells[0], cells[1], cells[3]);
        let mean: f64 = cells[4].parse().unwrap();
        if matches!(quantity, "allocated" | "not_contracted_returned") {
            *accounted.entry(measure.to_string()).or_default() += mean;
        }
        if measure == "late" && quantity == "allocated" && year < "2010" {
            late_before_2010 += mean;
        }
    }
    assert!(
        (accounted["early"] - 6_000_000.0).abs() < 0.1,
        "{accounted:?}"
    );
    assert!(
        (accounted["late"] - 3_000_000.0).abs() < 0.1,
        "{accounted:?}"
    );
    assert_eq!(late_before_2010, 0.0);
}
