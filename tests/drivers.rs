//! `drivers.csv` and the "What drives the result" section: the rank correlations written are
//! those of the runs in `runs.csv` (recomputed here from the file with the library), fixed inputs
//! are left out and named, and `clustersim report` re-renders the same bytes.

use std::fs;
use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use clustersim::stats::rank_correlation::{Z_95, fisher_interval, prcc, spearman};
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

fn csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = fs::read_to_string(path).expect("readable CSV");
    let mut lines = text.lines();
    let header = lines
        .next()
        .expect("a header")
        .split(',')
        .map(String::from)
        .collect();
    let rows = lines
        .map(|line| line.split(',').map(String::from).collect())
        .collect();
    (header, rows)
}

#[test]
fn drivers_csv_holds_the_rank_correlations_of_the_runs() {
    let dir = TempDir::new().expect("temporary folder");
    let folder = dir.path().join("result");
    let output = clustersim(&[
        "run",
        "tests/data/correlated.json",
        "--runs",
        "400",
        "--quiet",
        "--out",
        folder.to_str().expect("UTF-8"),
    ]);
    assert!(output.status.success(), "{output:?}");

    // The inputs with a distribution in tests/data/correlated.json (and the model's defaults).
    let (runs_header, runs_rows) = csv(&folder.join("runs.csv"));
    let column = |name: &str| -> Vec<f64> {
        let index = runs_header.iter().position(|c| c == name).expect("column");
        runs_rows
            .iter()
            .map(|row| row[index].parse().expect("a number"))
            .collect()
    };
    let (header, rows) = csv(&folder.join("drivers.csv"));
    assert_eq!(
        header.join(","),
        "outcome,input,runs,spearman,spearman_ci95_low,spearman_ci95_high,prcc,prcc_ci95_low,prcc_ci95_high,rank"
    );
    let outcome = "networked_smes";
    let rows: Vec<&Vec<String>> = rows.iter().filter(|row| row[0] == outcome).collect();
    let inputs: Vec<String> = rows.iter().map(|row| row[1].clone()).collect();
    let mut sorted = inputs.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            "model.formation_rate",
            "model.join_funding_response",
            "model.networking_uplift",
            "model.tie_funding_response",
            "model.tie_rate",
            "sector.ict.potential",
        ],
        "exactly the inputs with a distribution; fixed ones are left out"
    );
    // Recompute from runs.csv in the scenario's input order.
    let ordered: Vec<&str> = runs_header
        .iter()
        .map(String::as_str)
        .filter(|name| inputs.iter().any(|input| input == name))
        .collect();
    let columns: Vec<Vec<f64>> = ordered.iter().map(|name| column(name)).collect();
    let output_values = column(outcome);
    let expected = prcc(&columns, &output_values).expect("PRCC");
    let mut previous = f64::INFINITY;
    for (position, row) in rows.iter().enumerate() {
        let index = ordered
            .iter()
            .position(|name| *name == row[1])
            .expect("input");
        let value: f64 = row[6].parse().expect("PRCC");
        assert_eq!(value, expected[index], "{}", row[1]);
        let (low, high) = fisher_interval(value, 400, ordered.len() - 1, Z_95).expect("interval");
        assert_eq!(
            (
                row[7].parse::<f64>().unwrap(),
                row[8].parse::<f64>().unwrap()
            ),
            (low, high)
        );
        let rho: f64 = row[3].parse().expect("Spearman");
        assert_eq!(
            rho,
            spearman(&columns[index], &output_values).expect("Spearman")
        );
        assert_eq!(row[2], "400");
        assert_eq!(row[9], (position + 1).to_string(), "ranked by |PRCC|");
        assert!(value.abs() <= previous);
        previous = value.abs();
    }

    // The report names the section and the fixed inputs; `report` re-renders the same CSV.
    let report = fs::read_to_string(folder.join("report.md")).expect("report.md");
    assert!(
        report.contains("## What drives the result"),
        "section present"
    );
    assert!(report.contains("charts/drivers.png"), "chart present");
    assert!(
        report.contains("are fixed numbers in the scenario"),
        "fixed inputs named"
    );
    // (Markdown escapes the underscores.)
    assert!(
        report.contains(r"model.join\_base\_rate"),
        "a fixed input is listed"
    );
    let before = fs::read(folder.join("drivers.csv")).expect("drivers.csv");
    fs::remove_file(folder.join("drivers.csv")).expect("removed");
    let output = clustersim(&["report", folder.to_str().expect("UTF-8")]);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        fs::read(folder.join("drivers.csv")).expect("re-rendered"),
        before
    );
}

#[test]
fn too_few_runs_leave_prcc_blank_and_say_why() {
    let dir = TempDir::new().expect("temporary folder");
    let folder = dir.path().join("tiny");
    let output = clustersim(&[
        "run",
        "tests/data/correlated.json",
        "--runs",
        "6",
        "--quiet",
        "--out",
        folder.to_str().expect("UTF-8"),
    ]);
    assert!(output.status.success(), "{output:?}");
    let (_, rows) = csv(&folder.join("drivers.csv"));
    // 6 inputs need at least 10 runs for PRCC; Spearman needs only 3 (and 4 for an interval).
    assert!(!rows.is_empty());
    for row in &rows {
        assert_eq!(row[6], "", "no PRCC from 6 runs: {row:?}");
    }
    let report = fs::read_to_string(folder.join("report.md")).expect("report.md");
    assert!(
        report.contains("6 runs are too few for 6 inputs"),
        "{report}"
    );
}
