//! The command line around scenario checking: `validate` on good files, `schema`, `init`, and
//! scenario arguments that are not readable files (missing file, directory), for `validate` and
//! for `run --out DIR` (which must then write nothing).

use std::fs;
use std::path::Path;
use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

const MINIMAL: &str = "tests/data/minimal.json";
const BASELINE: &str = "scenarios/lithuania-2007-2013.json";

/// Files of every result folder (see `RESULT_FILES` in src/commands/run.rs and `REPORT_FILES`
/// in src/report/render.rs).
const RESULT_FILES: [&str; 10] = [
    "summary.csv",
    "allocations.csv",
    "runs.csv",
    "scenario.json",
    "manifest.json",
    "drivers.csv",
    "charts",
    "report.html",
    "report.md",
    "summary.xlsx",
];

fn crate_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the binary from the crate root.
fn clustersim(args: &[&str]) -> Output {
    Command::cargo_bin("clustersim")
        .expect("the clustersim binary is built")
        .current_dir(crate_root())
        .env("RUST_BACKTRACE", "0")
        .timeout(Duration::from_secs(120))
        .args(args)
        .output()
        .expect("clustersim could be started")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn utf8(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

fn assert_no_panic(stderr: &str) {
    assert!(
        !stderr.contains("panicked"),
        "clustersim panicked; stderr:\n{stderr}"
    );
}

/// Asserts a failed command: non-zero exit, no panic, stderr starting with `error: ` and
/// containing every item of `expected`. Returns stderr.
fn assert_fails(output: &Output, expected: &[&str]) -> String {
    let stderr = text(&output.stderr);
    assert!(
        !output.status.success(),
        "the command succeeded; stdout:\n{}\nstderr:\n{stderr}",
        text(&output.stdout)
    );
    assert_no_panic(&stderr);
    assert!(
        stderr.starts_with("error: "),
        "stderr does not start with `error: `:\n{stderr}"
    );
    for item in expected {
        assert!(stderr.contains(item), "stderr lacks `{item}`:\n{stderr}");
    }
    stderr
}

/// Entries of a folder (hidden ones included), sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("listing a folder")
        .map(|entry| {
            entry
                .expect("folder entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// `run SCENARIO --runs 2 --out DIR` must fail with stderr containing `expected` and write
/// nothing: neither DIR nor anything else (such as a hidden partial folder) beside it.
fn assert_run_fails_writing_nothing(scenario: &str, expected: &[&str]) {
    let out_parent = TempDir::new().expect("temporary folder");
    let out = out_parent.path().join("result");
    let output = clustersim(&[
        "run",
        scenario,
        "--runs",
        "2",
        "--out",
        utf8(&out),
        "--quiet",
    ]);
    assert_fails(&output, expected);
    assert!(!out.exists(), "run created --out {}", out.display());
    let left = entries(out_parent.path());
    assert!(left.is_empty(), "run left {left:?} beside the --out folder");
}

/// Runs `run SCENARIO --runs RUNS --out DIR` and checks a complete result folder with nothing
/// else left beside it.
fn assert_run_writes_result(scenario: &str, runs: &str) {
    let out_parent = TempDir::new().expect("temporary folder");
    let out = out_parent.path().join("result");
    let output = clustersim(&[
        "run",
        scenario,
        "--runs",
        runs,
        "--out",
        utf8(&out),
        "--quiet",
    ]);
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "run failed:\n{stderr}");
    assert_no_panic(&stderr);
    assert_eq!(
        entries(out_parent.path()),
        vec!["result".to_string()],
        "only the result folder may be left"
    );
    let mut expected: Vec<String> = RESULT_FILES.iter().map(|f| f.to_string()).collect();
    expected.sort();
    assert_eq!(entries(&out), expected);
    let manifest: Value = serde_json::from_str(
        &fs::read_to_string(out.join("manifest.json")).expect("manifest.json"),
    )
    .expect("manifest.json is JSON");
    assert_eq!(
        manifest["runs"].as_u64().map(|n| n.to_string()),
        Some(runs.to_string())
    );
}

// ---------------------------------------------------------------------------------------------
// validate on good files
// ---------------------------------------------------------------------------------------------

/// Every `.json` scenario file under `folder` (relative to the crate root, searched
/// recursively), as paths relative to the crate root, sorted. Calibration targets files
/// (`*.targets.json`, docs/CALIBRATION.md) sit beside their scenarios and are not scenarios.
fn json_files(folder: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![folder.to_string()];
    while let Some(relative) = pending.pop() {
        for entry in fs::read_dir(crate_root().join(&relative)).expect("listing a folder") {
            let entry = entry.expect("folder entry");
            let name = format!("{relative}/{}", entry.file_name().to_string_lossy());
            if entry.file_type().expect("file type").is_dir() {
                pending.push(name);
            } else if name.ends_with(".json") && !name.ends_with(".targets.json") {
                found.push(name);
            }
        }
    }
    found.sort();
    found
}

#[test]
fn validate_accepts_every_shipped_scenario() {
    let scenarios = json_files("scenarios");
    assert!(
        scenarios.contains(&BASELINE.to_string()),
        "the baseline is missing from {scenarios:?}"
    );
    for name in &scenarios {
        let output = clustersim(&["validate", name]);
        let stdout = text(&output.stdout);
        let stderr = text(&output.stderr);
        assert!(output.status.success(), "{name} was rejected:\n{stderr}");
        assert_no_panic(&stderr);
        assert!(
            stdout.starts_with(&format!("{name}: valid scenario '")),
            "{name}: unexpected output:\n{stdout}"
        );
    }
}

#[test]
fn validate_accepts_minimal_test_scenario() {
    let output = clustersim(&["validate", MINIMAL]);
    let stdout = text(&output.stdout);
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{MINIMAL} was rejected:\n{stderr}");
    assert_no_panic(&stderr);
    assert!(
        stdout.starts_with("tests/data/minimal.json: valid scenario 'minimal'\n"),
        "{stdout}"
    );
    for line in [
        "over 2010–2011, projected to 2012 (12 quarters)",
        "Sectors (2):",
        "Clusters (2):",
        "sector ict; operating, 5 members, 4 links; valleys: tech-valley",
        "sector food; forming",
        "Valleys (1):",
        "Policy: equal;",
        "Simulation: 5 runs, seed 1",
    ] {
        assert!(stdout.contains(line), "the plan lacks `{line}`:\n{stdout}");
    }
}

/// `validate` and `run` accept valid but implausible values and warn on stderr, naming the file,
/// line:column and JSON path, with the fraction meant when a percentage was written; the report
/// repeats the warning. Plausible values (the minimal scenario) print no warning.
#[test]
fn implausible_values_warn_naming_the_path_in_validate_run_and_the_report() {
    let dir = TempDir::new().expect("temporary folder");
    let scenario = dir.path().join("implausible.json");
    let minimal = fs::read_to_string(crate_root().join(MINIMAL)).expect("minimal scenario");
    let edited = minimal.replacen(
        "\"tie_rate\": 0.1",
        "\"tie_rate\": 0.1,\n    \"networking_uplift\": 8,\n    \"valley_spillover\": 30",
        1,
    );
    fs::write(&scenario, &edited).expect("scenario written");
    let path = scenario.display().to_string();
    let expected = [
        format!(
            "{path}:62:25: warning: at model.valley_spillover: 30 is valid but outside the plausible range [0, 2]"
        ),
        format!(
            "{path}:61:26: warning: at model.networking_uplift: 8 is valid but outside the plausible range [0, 1] ratio; it is used as written — if you meant 8%, write 0.08"
        ),
    ];
    let output = clustersim(&["validate", &path]);
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    for line in &expected {
        assert!(
            stderr.contains(line.as_str()),
            "missing `{line}` in:\n{stderr}"
        );
    }
    let out = dir.path().join("result");
    let output = clustersim(&["run", &path, "--runs", "2", "--out", utf8(&out), "--quiet"]);
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    for line in &expected {
        assert!(
            stderr.contains(line.as_str()),
            "run lacks `{line}`:\n{stderr}"
        );
    }
    let report = fs::read_to_string(out.join("report.md")).expect("report.md");
    assert!(
        // Markdown escapes the underscore.
        report.contains(r"Warning: at model.networking\_uplift in the scenario: 8 is valid"),
        "the report does not repeat the warning"
    );

    let output = clustersim(&["validate", MINIMAL]);
    assert!(
        !text(&output.stderr).contains("warning"),
        "{}",
        text(&output.stderr)
    );
}

// ---------------------------------------------------------------------------------------------
// schema and init
// ---------------------------------------------------------------------------------------------

#[test]
fn schema_prints_json_with_properties_and_budget() {
    let output = clustersim(&["schema"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let schema: Value = serde_json::from_str(&stdout).expect("schema output is JSON");
    assert!(stdout.contains("\"properties\""));
    assert!(stdout.contains("budget"));
    let properties = schema["properties"]
        .as_object()
        .expect("top-level properties");
    for field in ["name", "budget", "sectors", "clusters", "policy", "model"] {
        assert!(properties.contains_key(field), "schema lacks `{field}`");
    }
}

#[test]
fn init_writes_a_scenario_that_validate_accepts() {
    let dir = TempDir::new().expect("temporary folder");
    let file = dir.path().join("my-scenario.json");
    let output = clustersim(&["init", utf8(&file)]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(file.is_file(), "init wrote nothing");
    let output = clustersim(&["validate", utf8(&file)]);
    assert!(
        output.status.success(),
        "validate rejected the starter:\n{}",
        text(&output.stderr)
    );
    assert!(text(&output.stdout).contains("valid scenario 'my-scenario'"));
    assert_eq!(
        entries(dir.path()),
        vec!["my-scenario.json".to_string()],
        "init left temporary files"
    );
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let dir = TempDir::new().expect("temporary folder");
    let file = dir.path().join("scenario.json");
    let output = clustersim(&["init", utf8(&file)]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    // The analyst edits the starter; a second init must not lose the edit.
    let edited =
        fs::read_to_string(&file)
            .expect("starter")
            .replacen("my-scenario", "edited-scenario", 1);
    fs::write(&file, &edited).expect("editing the starter");
    let output = clustersim(&["init", utf8(&file)]);
    assert_fails(&output, &[utf8(&file), "already exists", "--force"]);
    assert_eq!(fs::read_to_string(&file).expect("scenario"), edited);
}

#[test]
fn init_overwrites_with_force() {
    let dir = TempDir::new().expect("temporary folder");
    let file = dir.path().join("scenario.json");
    fs::write(&file, "not a scenario\n").expect("writing");
    let output = clustersim(&["init", utf8(&file), "--force"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let output = clustersim(&["validate", utf8(&file)]);
    assert!(
        output.status.success(),
        "the overwritten file is not valid:\n{}",
        text(&output.stderr)
    );
    assert_eq!(entries(dir.path()), vec!["scenario.json".to_string()]);
}

#[test]
fn init_refuses_a_directory_even_with_force() {
    let dir = TempDir::new().expect("temporary folder");
    let output = clustersim(&["init", utf8(dir.path()), "--force"]);
    assert_fails(&output, &[utf8(dir.path()), "folder"]);
    assert!(entries(dir.path()).is_empty(), "init wrote into the folder");
}

// ---------------------------------------------------------------------------------------------
// Scenario arguments that are not readable files
// ---------------------------------------------------------------------------------------------

#[test]
fn validate_nonexistent_file_names_it() {
    let dir = TempDir::new().expect("temporary folder");
    let file = dir.path().join("no-such-scenario.json");
    let output = clustersim(&["validate", utf8(&file)]);
    assert_fails(
        &output,
        &[utf8(&file), "cannot read scenario", "No such file"],
    );
}

#[test]
fn run_nonexistent_file_writes_nothing() {
    let dir = TempDir::new().expect("temporary folder");
    let file = dir.path().join("no-such-scenario.json");
    assert_run_fails_writing_nothing(utf8(&file), &[utf8(&file), "cannot read scenario"]);
}

#[test]
fn validate_directory_says_a_json_file_is_needed() {
    let dir = TempDir::new().expect("temporary folder");
    let output = clustersim(&["validate", utf8(dir.path())]);
    assert_fails(
        &output,
        &[utf8(dir.path()), "is a directory", "scenario JSON file"],
    );
}

#[test]
fn validate_scenarios_folder_says_a_json_file_is_needed() {
    let output = clustersim(&["validate", "scenarios"]);
    assert_fails(&output, &["'scenarios'", "is a directory"]);
}

#[test]
fn run_directory_writes_nothing() {
    let dir = TempDir::new().expect("temporary folder");
    assert_run_fails_writing_nothing(utf8(dir.path()), &[utf8(dir.path()), "is a directory"]);
}

// ---------------------------------------------------------------------------------------------
// run: options and results
// ---------------------------------------------------------------------------------------------

#[test]
fn run_with_zero_runs_writes_nothing() {
    let out_parent = TempDir::new().expect("temporary folder");
    let out = out_parent.path().join("result");
    let output = clustersim(&[
        "run",
        MINIMAL,
        "--runs",
        "0",
        "--out",
        utf8(&out),
        "--quiet",
    ]);
    assert_fails(&output, &["--runs must be between 1 and"]);
    assert!(!out.exists());
    assert!(entries(out_parent.path()).is_empty());
}

#[test]
fn run_baseline_writes_a_complete_result_folder() {
    assert_run_writes_result(BASELINE, "2");
}

#[test]
fn run_minimal_scenario_writes_a_complete_result_folder() {
    assert_run_writes_result(MINIMAL, "3");
}
