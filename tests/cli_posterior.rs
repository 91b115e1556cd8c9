//! `run --posterior DIR` and `compare --posterior DIR`: parameter sets drawn from a weighted
//! posterior (tests/data/calibration, written by hand: two groups of 100 particles over
//! `model.join_funding_response` and `model.formation_rate`, the second group with three times
//! the weight), byte-identical on any thread count, recorded in the manifest and the report, and
//! every bad posterior refused with its file, line and column.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use tempfile::TempDir;

const FIXTURE: &str = "tests/data/calibration";
const INPUTS: [&str; 2] = ["model.join_funding_response", "model.formation_rate"];

fn clustersim() -> Command {
    Command::cargo_bin("clustersim").expect("binary is built")
}

/// (weights, rows of values) of a posterior.csv, read independently of the library.
fn read_posterior(path: &Path) -> (Vec<f64>, Vec<Vec<f64>>) {
    let text = fs::read_to_string(path).unwrap();
    let mut weights = Vec::new();
    let mut values = Vec::new();
    for line in text.lines().skip(1) {
        let cells: Vec<f64> = line.split(',').map(|c| c.parse().unwrap()).collect();
        weights.push(cells[1]);
        values.push(cells[2..].to_vec());
    }
    (weights, values)
}

/// The named columns of a runs.csv, in run order.
fn runs_columns(path: &Path, names: &[&str]) -> Vec<Vec<f64>> {
    let text = fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let positions: Vec<usize> = names
        .iter()
        .map(|name| header.iter().position(|h| h == name).unwrap())
        .collect();
    let rows: Vec<Vec<&str>> = lines.map(|line| line.split(',').collect()).collect();
    positions
        .iter()
        .map(|&p| rows.iter().map(|row| row[p].parse().unwrap()).collect())
        .collect()
}

/// Standard error of a finished command.
fn stderr(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

fn run(out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    clustersim()
        .args(["run", "tests/data/minimal.json", "--quiet", "--out"])
        .arg(out)
        .args(extra)
        .assert()
}

#[test]
fn run_draws_parameter_sets_whose_weighted_means_match_the_posterior() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("posterior");
    let runs = 2000;
    run(
        &out,
        &[
            "--runs",
            &runs.to_string(),
            "--posterior",
            FIXTURE,
            "--seed",
            "11",
        ],
    )
    .success();
    let (weights, particles) = read_posterior(&Path::new(FIXTURE).join("posterior.csv"));
    let total: f64 = weights.iter().sum();
    let ess = total * total / weights.iter().map(|w| w * w).sum::<f64>();
    let drawn = runs_columns(&out.join("runs.csv"), &INPUTS);
    assert_eq!(drawn[0].len(), runs);

    // Each run takes one whole particle: its pair of values is some particle's pair, bit for bit
    // (the joint draw keeps the posterior's dependence between the inputs).
    for (run, pair) in drawn[0].iter().zip(&drawn[1]).enumerate() {
        assert!(
            particles.iter().any(|p| p[0] == *pair.0 && p[1] == *pair.1),
            "run {run} drew {pair:?}, which is no particle of the posterior"
        );
    }

    for (column, name) in INPUTS.iter().enumerate() {
        let mean_w = particles
            .iter()
            .zip(&weights)
            .map(|(p, w)| w * p[column])
            .sum::<f64>()
            / total;
        let sd_w = (particles
            .iter()
            .zip(&weights)
            .map(|(p, w)| w * (p[column] - mean_w).powi(2))
            .sum::<f64>()
            / total)
            .sqrt();
        // The runs are independent draws from the discrete distribution that puts weight w_j on
        // particle j, so their mean has standard error sd_w / √runs about the weighted mean.
        // The particle set itself only carries about ESS independent draws' worth of
        // information, so we never claim more precision than that: SE = sd_w / √min(ESS, runs)
        // (here ESS = 160 < 2000 runs). Four SE leave a false failure probability of 6e-5 per
        // input under the normal approximation (160 draws' worth of a two-point mixture).
        let se = sd_w / ess.min(runs as f64).sqrt();
        let mean = drawn[column].iter().sum::<f64>() / runs as f64;
        assert!(
            (mean - mean_w).abs() < 4.0 * se,
            "{name}: mean of the runs {mean} is not within 4 SE ({se}) of the posterior's \
             weighted mean {mean_w}"
        );
        // The test can fail: picking particles uniformly (ignoring the weights) would centre the
        // runs on the unweighted mean, which the fixture puts more than 6 SE away.
        let unweighted = particles.iter().map(|p| p[column]).sum::<f64>() / particles.len() as f64;
        assert!(
            (unweighted - mean_w).abs() > 6.0 * se,
            "{name}: fixture too weak"
        );
    }
    // Drawing from the prior instead would centre join_funding_response on the triangular
    // (0.001, 0.003, 0.006) prior's mean 0.003333, far outside the band checked above.
    let prior_mean = (0.001 + 0.003 + 0.006) / 3.0;
    let mean = drawn[0].iter().sum::<f64>() / runs as f64;
    assert!((mean - prior_mean).abs() > 0.0006, "{mean}");

    // The heavier group (weight 3/4 in all) is picked in about 3/4 of the runs: binomial
    // SE √(0.75 · 0.25 / 2000) ≈ 0.0097, allow 4 SE.
    let heavy = drawn[0].iter().filter(|v| **v >= 0.0045).count() as f64 / runs as f64;
    assert!((heavy - 0.75).abs() < 4.0 * 0.0097, "{heavy}");
}

#[test]
fn inputs_the_posterior_does_not_cover_keep_their_prior_draws() {
    // Common random numbers with a run from the priors: every other uncertain input of run i
    // takes exactly the value it takes without a posterior.
    let dir = TempDir::new().unwrap();
    let prior = dir.path().join("prior");
    let posterior = dir.path().join("posterior");
    run(&prior, &["--runs", "50"]).success();
    run(&posterior, &["--runs", "50", "--posterior", FIXTURE]).success();
    let others = ["model.tie_funding_response", "model.networking_uplift"];
    assert_eq!(
        runs_columns(&prior.join("runs.csv"), &others),
        runs_columns(&posterior.join("runs.csv"), &others)
    );
    assert_ne!(
        runs_columns(&prior.join("runs.csv"), &INPUTS),
        runs_columns(&posterior.join("runs.csv"), &INPUTS)
    );
}

#[test]
fn same_seed_gives_identical_bytes_on_one_and_two_threads_with_a_posterior() {
    let dir = TempDir::new().unwrap();
    for verb in ["run", "compare"] {
        let mut folders = Vec::new();
        for threads in ["1", "2"] {
            let out = dir.path().join(format!("{verb}-{threads}"));
            let mut command = clustersim();
            command.args([verb, "tests/data/minimal.json", "--quiet", "--runs", "300"]);
            if verb == "compare" {
                command.args(["--policies", "equal,by_members"]);
            }
            command
                .args(["--posterior", FIXTURE, "--threads", threads, "--out"])
                .arg(&out)
                .assert()
                .success();
            folders.push(out);
        }
        let mut files = vec!["summary.csv", "runs.csv", "allocations.csv", "drivers.csv"];
        if verb == "compare" {
            files.extend(["comparison.csv", "comparison_runs.csv"]);
        }
        for file in files {
            let a = fs::read(folders[0].join(file)).unwrap();
            let b = fs::read(folders[1].join(file)).unwrap();
            assert!(!a.is_empty());
            assert!(a == b, "{verb}: {file} differs between 1 and 2 threads");
        }
    }
}

#[test]
fn the_manifest_and_the_report_record_the_posterior() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("result");
    run(&out, &["--runs", "20", "--posterior", FIXTURE]).success();
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let posterior = &manifest["posterior"];
    assert_eq!(posterior["folder"], FIXTURE);
    assert_eq!(posterior["particles"], 200);
    // Weights 0.0025 × 100 and 0.0075 × 100: ESS = 1 / (100 · 0.0025² + 100 · 0.0075²) = 160.
    let ess = posterior["effective_sample_size"].as_f64().unwrap();
    assert!((ess - 160.0).abs() < 1e-9, "{ess}");
    assert_eq!(posterior["inputs"], serde_json::json!(INPUTS));
    let csv = fs::read(Path::new(FIXTURE).join("posterior.csv")).unwrap();
    assert_eq!(
        posterior["posterior_sha256"],
        clustersim::report::sha256_hex(&csv)
    );
    let command = manifest["command"].as_str().unwrap();
    assert!(
        command.contains("--posterior tests/data/calibration"),
        "{command}"
    );
    let report = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        report.contains("Inputs from a calibrated posterior, not from their priors: `model.join_funding_response`, `model.formation_rate`"),
        "{report}"
    );
    assert!(report.contains("effective sample size 160"));

    // Without a posterior, the manifest has no posterior record.
    let prior = dir.path().join("prior");
    run(&prior, &["--runs", "5"]).success();
    let text = fs::read_to_string(prior.join("manifest.json")).unwrap();
    assert!(!text.contains("posterior"), "{text}");
}

#[test]
fn the_scenario_field_is_resolved_relative_to_the_scenario_file() {
    let dir = TempDir::new().unwrap();
    let calibration = dir.path().join("calibration");
    fs::create_dir(&calibration).unwrap();
    for file in ["posterior.csv", "manifest.json"] {
        fs::copy(Path::new(FIXTURE).join(file), calibration.join(file)).unwrap();
    }
    let mut scenario: serde_json::Value =
        serde_json::from_str(&fs::read_to_string("tests/data/minimal.json").unwrap()).unwrap();
    scenario["posterior"] = "calibration".into();
    let path = dir.path().join("scenario.json");
    fs::write(&path, serde_json::to_string_pretty(&scenario).unwrap()).unwrap();
    let out = dir.path().join("result");
    let assert = clustersim()
        .args(["run", "--quiet", "--runs", "10", "--out"])
        .arg(&out)
        .arg(&path)
        .current_dir(std::env::temp_dir())
        .assert()
        .success();
    // The copy differs from minimal.json by the `posterior` field, so its hash differs from
    // the one the calibration's manifest names.
    assert!(stderr(&assert).contains("calibrated on another scenario file"));
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["posterior"]["particles"], 200);
    assert_eq!(
        manifest["posterior"]["folder"],
        calibration.display().to_string()
    );
}

#[test]
fn correlations_are_dropped_with_a_warning_under_a_posterior() {
    // correlated.json correlates join_funding_response with tie_rate; under the posterior the
    // calibrated input comes from the particles and the scenario's correlations are not imposed.
    let dir = TempDir::new().unwrap();
    let calibration = dir.path().join("calibration");
    fs::create_dir(&calibration).unwrap();
    let text = fs::read_to_string(Path::new(FIXTURE).join("posterior.csv")).unwrap();
    let only_join: String = text
        .lines()
        .map(|line| line.rsplit_once(',').unwrap().0.to_string() + "\n")
        .collect();
    fs::write(calibration.join("posterior.csv"), only_join).unwrap();
    let out = dir.path().join("result");
    let assert = clustersim()
        .args([
            "run",
            "tests/data/correlated.json",
            "--quiet",
            "--runs",
            "10",
        ])
        .args(["--posterior"])
        .arg(&calibration)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let stderr = stderr(&assert);
    assert!(
        stderr.contains("the scenario's correlations are not imposed under a posterior"),
        "{stderr}"
    );
    assert!(stderr.contains("has no readable manifest.json"), "{stderr}");
}

/// Writes `posterior.csv` into a fresh calibration folder and runs with it, expecting failure
/// with `message` (and nothing written).
fn refused(posterior: &str, message: &str) {
    let dir = TempDir::new().unwrap();
    let calibration = dir.path().join("calibration");
    fs::create_dir(&calibration).unwrap();
    fs::write(calibration.join("posterior.csv"), posterior).unwrap();
    let out = dir.path().join("result");
    let file = calibration.join("posterior.csv").display().to_string();
    let assert = clustersim()
        .args(["run", "tests/data/minimal.json", "--quiet", "--runs", "5"])
        .arg("--posterior")
        .arg(&calibration)
        .arg("--out")
        .arg(&out)
        .assert()
        .failure();
    let stderr = stderr(&assert);
    assert!(
        stderr.starts_with("error: ") && stderr.contains(&format!("{file}:{message}")),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!out.exists(), "a refused posterior must write nothing");
}

#[test]
fn bad_posteriors_are_refused_with_file_line_and_column() {
    let header = "particle,weight,model.join_funding_response\n";
    refused(
        "particle,weight,model.tie_rat\n0,1,0.1\n",
        "1:3: 'model.tie_rat' is not an input of this scenario; the uncertain inputs are \
         model.join_funding_response, model.tie_funding_response, model.formation_rate, \
         model.networking_uplift",
    );
    refused(
        "particle,weight,model.tie_rate\n0,1,0.1\n",
        "1:3: 'model.tie_rate' is a fixed value in this scenario, not an uncertain input",
    );
    refused(
        &format!("{header}0,0.5,0.002\n1,-0.5,0.003\n"),
        "3:2: a weight is a finite number ≥ 0; found '-0.5'",
    );
    refused(
        &format!("{header}0,NaN,0.002\n"),
        "2:2: a weight is a finite number ≥ 0; found 'NaN'",
    );
    refused(
        &format!("{header}0,0,0.002\n1,0,0.003\n"),
        "2:2: the weights must have a positive, finite sum (normally 1); they sum to 0",
    );
    refused(
        &format!("{header}0,1,-0.002\n"),
        "2:3: model.join_funding_response must be a number between 0 and 10 (its valid \
         range); found '-0.002'",
    );
    refused(
        &format!("{header}0,1,inf\n"),
        "2:3: model.join_funding_response must be a number between 0 and 10",
    );
    refused(
        &format!("{header}0,1\n"),
        "2:3: expected 3 cells like the header, found 2",
    );
    refused(
        "weight,particle\n",
        "1:1: the header must start with 'particle,weight'",
    );
}

#[test]
fn a_missing_posterior_is_refused() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("result");
    // A folder that does not exist, and a folder without posterior.csv.
    let missing = dir.path().join("nowhere");
    let text = stderr(&run(&out, &["--posterior", missing.to_str().unwrap()]).failure());
    assert!(
        text.contains(&format!(
            "cannot read the posterior '{}': it is not a folder",
            missing.display()
        )),
        "{text}"
    );
    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    let text = stderr(&run(&out, &["--posterior", empty.to_str().unwrap()]).failure());
    assert!(
        text.contains(&format!(
            "cannot read the posterior '{}'",
            empty.join("posterior.csv").display()
        )) && text.contains("holding posterior.csv"),
        "{text}"
    );
    assert!(!out.exists());
}

#[test]
fn an_empty_posterior_field_is_a_scenario_error() {
    let dir = TempDir::new().unwrap();
    let text = fs::read_to_string("tests/data/minimal.json")
        .unwrap()
        .replacen(
            "\"name\": \"minimal\",",
            "\"name\": \"minimal\",\n  \"posterior\": \" \",",
            1,
        );
    let path = dir.path().join("scenario.json");
    fs::write(&path, text).unwrap();
    let assert = clustersim().arg("validate").arg(&path).assert().failure();
    let stderr = stderr(&assert);
    assert!(
        stderr.contains(&format!(
            "{}:3:16: at posterior: the posterior is a calibration folder",
            path.display()
        )),
        "{stderr}"
    );
}
