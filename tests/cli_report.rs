//! `clustersim report RESULTS_DIR`: re-rendering from saved results, without re-running, gives
//! the same bytes; a folder that is not a result is refused clearly.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use assert_cmd::Command;
use tempfile::TempDir;

fn clustersim() -> Command {
    Command::cargo_bin("clustersim").expect("binary is built")
}

fn files_under(folder: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for name in ["report.html", "report.md", "summary.xlsx"] {
        files.insert(name.to_string(), fs::read(folder.join(name)).unwrap());
    }
    for entry in fs::read_dir(folder.join("charts")).unwrap().flatten() {
        let name = format!("charts/{}", entry.file_name().to_string_lossy());
        files.insert(name, fs::read(entry.path()).unwrap());
    }
    files
}

#[test]
fn re_rendering_from_saved_results_gives_identical_bytes() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("result");
    clustersim()
        .args(["run", "--runs", "40", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let before = files_under(&out);
    assert!(before.keys().filter(|name| name.ends_with(".svg")).count() >= 10);
    // Delete the rendered files so the re-render cannot reuse them, then re-render.
    fs::remove_dir_all(out.join("charts")).unwrap();
    fs::remove_file(out.join("report.html")).unwrap();
    clustersim().arg("report").arg(&out).assert().success();
    let after = files_under(&out);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &before {
        assert!(bytes == &after[name], "{name} differs after re-rendering");
    }
    // A higher resolution gives larger PNGs (10 × 6.25 inches at 200 dpi).
    clustersim()
        .args(["report", "--dpi", "200"])
        .arg(&out)
        .assert()
        .success();
    let png = fs::read(out.join("charts/networked-smes-fan.png")).unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let reader = decoder.read_info().unwrap();
    assert_eq!((reader.info().width, reader.info().height), (2000, 1250));
}

#[test]
fn report_refuses_a_folder_that_is_not_a_result() {
    let dir = TempDir::new().unwrap();
    let assert = clustersim()
        .arg("report")
        .arg(dir.path())
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stderr.contains("manifest.json"), "{stderr}");
    assert!(!stderr.contains("panicked"));
    clustersim()
        .args(["report", "--dpi", "10"])
        .arg(dir.path())
        .assert()
        .failure();
}

/// The values of one column of a CSV file written by clustersim (no quoted cells in it).
fn csv_column(text: &str, name: &str) -> Vec<String> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let index = header.iter().position(|c| *c == name).unwrap();
    lines
        .map(|line| line.split(',').nth(index).unwrap().to_string())
        .collect()
}

/// Beyond the report's bound of 10,000 runs held whole (`SAMPLE_RUNS`), the drivers, the
/// verdict's thirds and the workbook's Runs sheet take the first 10,000 runs and say so, while
/// the headline statistics still cover every run; re-rendering gives the same bytes.
#[test]
fn beyond_ten_thousand_runs_the_report_holds_the_first_ten_thousand_and_says_so() {
    use calamine::{Data, Reader, Xlsx};
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("compare");
    clustersim()
        .args(["compare", "tests/data/minimal.json", "--runs", "10050"])
        .args([
            "--policies",
            "equal,by_members,by_potential",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    // Drivers: from the first 10,000 runs.
    let drivers = fs::read_to_string(out.join("drivers.csv")).unwrap();
    let analysed: Vec<u64> = csv_column(&drivers, "runs")
        .iter()
        .map(|cell| cell.parse().unwrap())
        .collect();
    assert!(!analysed.is_empty());
    assert!(analysed.iter().all(|runs| *runs <= 10_000), "{analysed:?}");
    assert!(analysed.contains(&10_000), "{analysed:?}");
    let report = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        report.contains(
            "These are the first 10,000 of the 10,050 runs: each run's inputs are independent \
             draws, so the first runs are a random sample of them"
        ),
        "the drivers section names its sample"
    );
    // 1/√(10,000 − 3) = 0.0100015.
    assert!(
        report.contains("Over 10,000 runs a rank correlation has a standard error of about 0.010 ")
    );
    // The verdict by input: thirds within the first 10,000 runs, overall over all of them.
    let by_input = fs::read_to_string(out.join("comparison_by_input.csv")).unwrap();
    let thirds: Vec<u64> = csv_column(&by_input, "runs")
        .iter()
        .map(|cell| cell.parse().unwrap())
        .collect();
    assert!(thirds.len() >= 3);
    for input in thirds.chunks(3) {
        assert!(input.iter().sum::<u64>() <= 10_000, "{input:?}");
    }
    assert!(
        report.contains("The thirds are taken within the first 10,000 runs"),
        "the verdict names its sample"
    );
    assert!(
        report.contains(", over 10050 runs)"),
        "the overall difference covers every run"
    );
    // The workbook: the Runs sheet holds 10,000 runs and is named so; the headline mean is
    // over all 10,050 runs of runs.csv.
    let mut workbook = Xlsx::new(std::io::Cursor::new(
        fs::read(out.join("summary.xlsx")).unwrap(),
    ))
    .unwrap();
    assert!(
        workbook
            .sheet_names()
            .contains(&"Runs (first 10000)".to_string())
    );
    let runs_sheet = workbook.worksheet_range("Runs (first 10000)").unwrap();
    assert_eq!(runs_sheet.height(), 10_001);
    let headline = workbook.worksheet_range("Headline").unwrap();
    let networked = (1..headline.height())
        .find(|row| {
            matches!(headline.get((*row, 0)), Some(Data::String(label)) if label.starts_with("Networked SMEs"))
        })
        .unwrap();
    let Some(Data::Float(mean)) = headline.get((networked, 1)) else {
        panic!("no mean");
    };
    let runs = fs::read_to_string(out.join("runs.csv")).unwrap();
    let values: Vec<f64> = csv_column(&runs, "networked_smes")
        .iter()
        .map(|cell| cell.parse().unwrap())
        .collect();
    assert_eq!(values.len(), 10_050);
    let all_runs = values.iter().sum::<f64>() / values.len() as f64;
    // Exact sums in the tool, a plain sum here: equal to rounding (1e-12 relative).
    assert!(
        (mean - all_runs).abs() <= 1e-12 * all_runs.abs(),
        "{mean} vs {all_runs}"
    );
    // Re-rendering from the files gives the same bytes.
    let before = files_under(&out);
    fs::remove_dir_all(out.join("charts")).unwrap();
    clustersim().arg("report").arg(&out).assert().success();
    let after = files_under(&out);
    for (name, bytes) in &before {
        assert!(bytes == &after[name], "{name} differs after re-rendering");
    }
}
