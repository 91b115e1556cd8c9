//! Hostile scenario inputs on the command line: NaN/Infinity literals, out-of-range numbers, deep
//! nesting, binary garbage, special files, and scenarios on standard input (`-`). Each gets a
//! clear error with a position and a non-zero exit, never a panic, and nothing is written.

use std::fs;

use assert_cmd::Command;
use tempfile::TempDir;

fn clustersim() -> Command {
    Command::cargo_bin("clustersim").expect("binary is built")
}

/// Runs `validate -` on `input` and returns stderr, asserting a clean failure.
fn rejected_on_stdin(input: &[u8]) -> String {
    let assert = clustersim()
        .args(["validate", "-"])
        .write_stdin(input.to_vec())
        .assert()
        .failure()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    stderr
}

#[test]
fn nan_and_infinity_literals_are_named() {
    for literal in ["NaN", "Infinity", "-Infinity"] {
        let stderr = rejected_on_stdin(format!("{{\n  \"name\": {literal}\n}}").as_bytes());
        // Line 2; the column is where the literal (or the sign before it) is read.
        assert!(stderr.contains("(standard input):2:1"), "{stderr}");
        assert!(stderr.contains(" at name: "), "{stderr}");
        assert!(stderr.contains("write a finite number"), "{stderr}");
    }
}

#[test]
fn numbers_out_of_range_are_named() {
    let stderr = rejected_on_stdin(br#"{"budget": {"total_ltl": 1e400}}"#);
    assert!(
        stderr.contains("at budget.total_ltl: number out of range"),
        "{stderr}"
    );
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    let mut deep = String::from(r#"{"name": "x", "description": "#);
    deep.push_str(&"[".repeat(100_000));
    deep.push_str(&"]".repeat(100_000));
    deep.push('}');
    let stderr = rejected_on_stdin(deep.as_bytes());
    assert!(stderr.contains("at description"), "{stderr}");
    let stderr =
        rejected_on_stdin(format!("{}{}", "[".repeat(50_000), "]".repeat(50_000)).as_bytes());
    assert!(stderr.contains("a scenario is a JSON object"), "{stderr}");
}

#[test]
fn binary_garbage_is_not_text() {
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 7) as u8)
        .collect();
    let stderr = rejected_on_stdin(&garbage);
    assert!(
        stderr.contains("not UTF-8") || stderr.contains("not valid JSON"),
        "{stderr}"
    );
}

#[test]
fn a_valid_scenario_on_standard_input_runs_and_is_reproducible_from_its_copy() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("result");
    let text = fs::read("scenarios/policies/equal.json").unwrap();
    clustersim()
        .args(["run", "-", "--runs", "10", "--quiet", "--out"])
        .arg(&out)
        .write_stdin(text.clone())
        .assert()
        .success();
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["scenario_path"], "(standard input)");
    assert_eq!(
        manifest["command"],
        "clustersim run - --runs 10 --seed 20070101 < scenario.json"
    );
    assert_eq!(fs::read(out.join("scenario.json")).unwrap(), text);
}

#[test]
fn special_and_missing_files_are_refused_and_nothing_is_written() {
    let dir = TempDir::new().unwrap();
    let dangling = dir.path().join("dangling.json");
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("missing.json"), &dangling).unwrap();
    let inside_a_file = dir.path().join("file.json");
    fs::write(&inside_a_file, b"{}").unwrap();
    for path in [
        dangling.clone(),
        inside_a_file.join("x.json"),
        "/dev/null".into(),
    ] {
        let out = dir.path().join("out");
        let assert = clustersim()
            .arg("run")
            .arg(&path)
            .args(["--runs", "2", "--quiet", "--out"])
            .arg(&out)
            .assert()
            .failure();
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
        assert!(stderr.contains(&path.display().to_string()), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(
            !out.exists(),
            "nothing may be written for {}",
            path.display()
        );
    }
}
