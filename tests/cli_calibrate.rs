//! `clustersim calibrate`: the result folder and its formats, byte-identical posteriors on any
//! thread count, misfits reported, bad targets refused with their location, the targets schema,
//! and the baseline's shipped targets.

use std::fs;
use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

const SCENARIO: &str = "tests/data/calibration.json";
const TARGETS: &str = "tests/data/calibration.targets.json";

fn crate_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn clustersim(args: &[&str]) -> Output {
    Command::cargo_bin("clustersim")
        .expect("the clustersim binary is built")
        .current_dir(crate_root())
        .args(args)
        .output()
        .expect("clustersim runs")
}

/// A small calibration of the test scenario into `out`.
fn calibrate(out: &Path, targets: &str, threads: &str) -> Output {
    clustersim(&[
        "calibrate",
        SCENARIO,
        "--targets",
        targets,
        "--particles",
        "60",
        "--generations",
        "3",
        "--threads",
        threads,
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ])
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn posterior_csv_is_byte_identical_on_one_and_two_threads() {
    let dir = TempDir::new().unwrap();
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    let first = calibrate(&one, TARGETS, "1");
    assert!(first.status.success(), "{}", stderr(&first));
    let second = calibrate(&two, TARGETS, "2");
    assert!(second.status.success(), "{}", stderr(&second));
    for file in ["posterior.csv", "fit.csv", "generations.csv"] {
        assert_eq!(
            fs::read(one.join(file)).unwrap(),
            fs::read(two.join(file)).unwrap(),
            "{file} differs between 1 and 2 threads"
        );
    }
}

#[test]
fn the_result_folder_follows_the_agreed_formats() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("result");
    let output = calibrate(&out, TARGETS, "2");
    assert!(output.status.success(), "{}", stderr(&output));

    let posterior = fs::read_to_string(out.join("posterior.csv")).unwrap();
    let mut lines = posterior.lines();
    // The uncertain slots in parameter-slot order: model parameters (three written in the file,
    // three whose defaults are distributions), then sector values.
    assert_eq!(
        lines.next(),
        Some(
            "particle,weight,model.join_base_rate,model.join_funding_response,model.tie_rate,model.tie_funding_response,model.formation_rate,model.networking_uplift,sector.ict.potential"
        )
    );
    let rows: Vec<Vec<f64>> = lines
        .map(|line| line.split(',').map(|c| c.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), 60);
    for (index, row) in rows.iter().enumerate() {
        assert_eq!(row[0], index as f64);
        assert_eq!(row.len(), 9);
        assert!((0.01..=0.06).contains(&row[2]), "{row:?}");
        assert!((0.3..=0.9).contains(&row[8]), "{row:?}");
    }
    let total: f64 = rows.iter().map(|row| row[1]).sum();
    assert!((total - 1.0).abs() < 1e-12, "weights sum to {total}");

    let fit = fs::read_to_string(out.join("fit.csv")).unwrap();
    let mut lines = fit.lines();
    assert_eq!(
        lines.next(),
        Some(
            "target,quantity,observed,kind,lower,upper,source,prior_mean,prior_p05,prior_p95,posterior_mean,posterior_p05,posterior_p95,inside,misfit,closest"
        )
    );
    let members: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(members[0], "ict-members-2014");
    assert_eq!(members[1], "members of ict-cluster at the end of 2014Q4");
    assert_eq!(members[3], "sd");
    let interval: Vec<&str> = fit.lines().nth(3).unwrap().split(',').collect();
    assert_eq!(
        (interval[3], interval[4], interval[5]),
        ("interval", "3", "5")
    );

    let generations = fs::read_to_string(out.join("generations.csv")).unwrap();
    let mut lines = generations.lines();
    assert_eq!(
        lines.next(),
        Some("generation,tolerance,particles,simulations,acceptance_rate,ess")
    );
    let tolerances: Vec<f64> = lines
        .map(|line| line.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    assert_eq!(tolerances.len(), 4);
    assert_eq!(tolerances[0], f64::INFINITY);
    assert!(
        tolerances.windows(2).all(|pair| pair[1] <= pair[0]),
        "{tolerances:?}"
    );

    let manifest: Value =
        serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["complete"], true);
    assert_eq!(manifest["seed"], 7);
    assert_eq!(manifest["calibration"]["targets_file"], TARGETS);
    assert_eq!(
        manifest["calibration"]["targets_hash"]
            .as_str()
            .unwrap()
            .len(),
        64
    );
    assert!(manifest["calibration"]["ess"].as_f64().unwrap() > 0.0);
    assert_eq!(
        manifest["command"],
        format!(
            "clustersim calibrate {SCENARIO} --targets {TARGETS} --particles 60 --generations 3 --seed 7"
        )
    );
    assert!(out.join("targets.json").is_file());
}

/// 1000 members of a cluster in a sector of 400 firms cannot be reached by any parameter set:
/// the target is a misfit in fit.csv, with the closest value, and listed on stderr.
#[test]
fn an_unreachable_target_is_reported_as_a_misfit() {
    let dir = TempDir::new().unwrap();
    let targets = dir.path().join("targets.json");
    let text = fs::read_to_string(crate_root().join(TARGETS))
        .unwrap()
        .replace(
            r#""observed": 60, "uncertainty": {"sd": 8}"#,
            r#""observed": 1000, "uncertainty": {"sd": 8}"#,
        );
    fs::write(&targets, text).unwrap();
    let out = dir.path().join("result");
    let output = calibrate(&out, targets.to_str().unwrap(), "2");
    assert!(output.status.success(), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains(
            "misfit: ict-members-2014 (members of ict-cluster at the end of 2014Q4): observed 1000"
        ),
        "{message}"
    );
    let fit = fs::read_to_string(out.join("fit.csv")).unwrap();
    let row: Vec<&str> = fit.lines().nth(1).unwrap().split(',').collect();
    assert_eq!((row[13], row[14]), ("false", "true"));
    let closest: f64 = row[15].parse().unwrap();
    let p95: f64 = row[12].parse().unwrap();
    assert!(
        closest >= p95 && closest <= 400.0,
        "closest {closest}, p95 {p95}"
    );
    let manifest: Value =
        serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["calibration"]["misfits"][0], "ict-members-2014");
    // The folder's own report lists the misfit first, and its charts are drawn.
    let report = fs::read_to_string(out.join("report.md")).unwrap();
    let misfits_at = report.find("## Misfits").unwrap_or(usize::MAX);
    let fit_heading_at = report.find("## Fit per target").unwrap_or(0);
    assert!(misfits_at < fit_heading_at, "{report}");
    assert!(report[misfits_at..fit_heading_at].contains("ict-members-2014"));
    for chart in ["calibration-fit.svg", "calibration-inputs.svg"] {
        assert!(out.join("charts").join(chart).is_file(), "{chart}");
    }
    assert!(out.join("report.html").is_file());
}

#[test]
fn bad_targets_are_refused_with_file_path_line_and_column() {
    let dir = TempDir::new().unwrap();
    let targets = dir.path().join("bad.json");
    fs::write(
        &targets,
        r#"{"targets": [
  {"name": "x", "quantity": "members", "cluster": "no-such-cluster", "date": 2012,
   "observed": 5, "uncertainty": {"sd": 1}, "source": "s"}
]}"#,
    )
    .unwrap();
    let out = dir.path().join("result");
    let output = calibrate(&out, targets.to_str().unwrap(), "1");
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(
        message.contains(&format!("{}:2:", targets.display())),
        "{message}"
    );
    assert!(message.contains("at targets[0].cluster: unknown cluster 'no-such-cluster'; valid: ict-cluster, food-cluster"), "{message}");
    assert!(!message.contains("panicked"), "{message}");
    assert!(!out.exists(), "nothing is written for bad targets");

    let missing = calibrate(&out, "no/such/targets.json", "1");
    assert!(!missing.status.success());
    assert!(stderr(&missing).contains("cannot read targets 'no/such/targets.json'"));
}

#[test]
fn bad_settings_are_refused_before_anything_runs() {
    for (flag, value, expected) in [
        ("--particles", "1", "--particles must be between 2"),
        (
            "--quantile",
            "1",
            "--quantile must lie strictly between 0 and 1",
        ),
        ("--max-moves", "0", "--max-moves must be between 1"),
        ("--threads", "0", "--threads must be at least 1"),
    ] {
        let output = clustersim(&["calibrate", SCENARIO, "--targets", TARGETS, flag, value]);
        assert!(!output.status.success());
        assert!(stderr(&output).contains(expected), "{}", stderr(&output));
    }
    // A scenario without observations needs a targets file.
    let output = clustersim(&["calibrate", SCENARIO]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("has no observations inside the run"));
}

#[test]
fn schema_targets_prints_the_targets_schema() {
    let output = clustersim(&["schema", "--targets"]);
    assert!(output.status.success());
    let schema: Value = serde_json::from_slice(&output.stdout).unwrap();
    let text = schema.to_string();
    for field in [
        "targets",
        "quantity",
        "uncertainty",
        "at_least",
        "interval",
        "sd_share",
    ] {
        assert!(text.contains(field), "{field} missing from the schema");
    }
    // The scenario schema is unchanged without the flag.
    let scenario: Value = serde_json::from_slice(&clustersim(&["schema"]).stdout).unwrap();
    assert!(scenario.to_string().contains("policy_variants"));
}

/// The shipped baseline's targets load against the shipped baseline, each citing a facts id.
#[test]
fn the_baseline_ships_targets_that_load_and_cite_the_facts_file() {
    let scenario =
        clustersim::scenario::load_path(&crate_root().join("scenarios/lithuania-2007-2013.json"))
            .unwrap();
    let path = crate_root().join("scenarios/lithuania-2007-2013.targets.json");
    let (targets, _) = clustersim::calibration::targets::read_targets(&path, &scenario).unwrap();
    assert!(targets.targets.len() >= 5);
    let facts = fs::read_to_string(crate_root().join("../shared/data/lithuania-facts.csv"))
        .or_else(|_| fs::read_to_string("/work/shared/data/lithuania-facts.csv"))
        .ok();
    for target in &targets.targets {
        let id = target
            .source
            .split([':', ',', ' '])
            .next()
            .unwrap_or_default();
        assert!(
            id.starts_with("LT-") || id.starts_with("EU-"),
            "{} cites no facts id: {}",
            target.name,
            target.source
        );
        if let Some(facts) = &facts {
            assert!(
                facts.contains(&format!("\n{id},")),
                "{id} is not in the facts file"
            );
        }
    }
}

/// Ctrl-C (SIGINT) keeps the generations that finished: a result marked incomplete, with the
/// posterior of the last finished generation, and exit status 130.
#[cfg(unix)]
#[test]
fn sigint_keeps_the_finished_generations() {
    let dir = TempDir::new().unwrap();
    // Generation 0 of 40 small runs takes milliseconds on an idle machine, so two seconds leave
    // many generations done. On a loaded machine the interrupt can come before the handler is
    // installed (killed by the signal) or before generation 0 finished (nothing to keep, by
    // design); both are retried with a longer wait, so the test checks what is kept whenever
    // something finished, whatever the machine's load.
    let mut output = None;
    for seconds in [2, 6, 20] {
        let out = dir.path().join(format!("result-{seconds}"));
        let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("clustersim"))
            .current_dir(crate_root())
            .args([
                "calibrate",
                SCENARIO,
                "--targets",
                TARGETS,
                "--particles",
                "40",
                "--generations",
                "1000",
                "--max-moves",
                "20",
                "--quiet",
                "--out",
            ])
            .arg(&out)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_secs(seconds));
        let status = std::process::Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let finished = child.wait_with_output().unwrap();
        if finished.status.code().is_none() {
            continue;
        }
        if stderr(&finished).contains("before the first generation finished") {
            assert!(
                !out.exists(),
                "an interrupt before any generation writes nothing"
            );
            continue;
        }
        output = Some((finished, out));
        break;
    }
    let (output, out) = output.expect("a generation finished within 20 seconds");
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(130), "{message}");
    assert!(message.contains("finished generations"), "{message}");
    let manifest: Value =
        serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["complete"], false);
    assert_eq!(manifest["calibration"]["ending"], "interrupted");
    let finished = manifest["calibration"]["generations_completed"]
        .as_u64()
        .unwrap();
    let generations = fs::read_to_string(out.join("generations.csv")).unwrap();
    assert_eq!(generations.lines().count() as u64, finished + 2);
    let posterior = fs::read_to_string(out.join("posterior.csv")).unwrap();
    assert_eq!(posterior.lines().count(), 41);
    assert!(
        manifest["command"]
            .as_str()
            .unwrap()
            .contains(&format!("--generations {finished}"))
    );
}
