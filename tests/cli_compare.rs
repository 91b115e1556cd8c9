//! `clustersim compare`: common random numbers (a policy against itself, the narrower interval),
//! a policy worse by construction, reproducibility across thread counts, agreement with `run`,
//! and clear errors for bad policy lists.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use clustersim::engine::compare::simulate_comparison_run;
use clustersim::policy::rule_for;
use clustersim::scenario::load_str;
use serde_json::Value;
use tempfile::TempDir;

const BASELINE: &str = "scenarios/lithuania-2007-2013.json";

fn clustersim() -> Command {
    let mut command = Command::cargo_bin("clustersim").expect("binary is built");
    command.current_dir(env!("CARGO_MANIFEST_DIR"));
    command
}

/// The baseline scenario with two more variants: an exact copy of its policy, and the same
/// policy leaving half of each year's budget unspent. Returns (text, path in `dir`).
fn baseline_with_test_variants(dir: &Path) -> (String, PathBuf) {
    let source = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(BASELINE))
        .expect("baseline scenario");
    let mut value: Value = serde_json::from_str(&source).expect("baseline is JSON");
    let policy = value["policy"].clone();
    let mut half = policy.clone();
    half["unspent_share"] = Value::from(0.5);
    let variants = value["policy_variants"]
        .as_array_mut()
        .expect("the baseline has policy variants");
    variants.push(serde_json::json!({"name": "competitive-copy", "policy": policy}));
    variants.push(serde_json::json!({"name": "half-unspent", "policy": half}));
    let text = serde_json::to_string_pretty(&value).expect("encoding");
    let path = dir.join("scenario.json");
    fs::write(&path, &text).expect("writing the scenario");
    (text, path)
}

fn compare(scenario: &Path, out: &Path, extra: &[&str]) {
    clustersim()
        .arg("compare")
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .args(["--quiet"])
        .args(extra)
        .assert()
        .success();
}

/// `comparison.csv` as (header, rows of cells).
fn comparison_rows(folder: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = fs::read_to_string(folder.join("comparison.csv")).expect("comparison.csv");
    let mut lines = text.lines();
    let header = lines
        .next()
        .expect("header")
        .split(',')
        .map(str::to_string)
        .collect();
    let rows = lines
        .map(|line| line.split(',').map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// The value of `column` in the row of (`policy`, `outcome`).
fn value(folder: &Path, policy: &str, outcome: &str, column: &str) -> f64 {
    let (header, rows) = comparison_rows(folder);
    let at = header
        .iter()
        .position(|c| c == column)
        .unwrap_or_else(|| panic!("no column {column}"));
    let row = rows
        .iter()
        .find(|row| row[0] == policy && row[2] == outcome)
        .unwrap_or_else(|| panic!("no row for {policy} / {outcome}"));
    row[at]
        .parse()
        .unwrap_or_else(|_| panic!("{policy}/{outcome}/{column} = '{}'", row[at]))
}

#[test]
fn a_policy_compared_with_itself_differs_by_exactly_zero_in_every_run_and_outcome() {
    let dir = TempDir::new().unwrap();
    let (text, path) = baseline_with_test_variants(dir.path());

    // Library level: every series value, ledger cell and headline outcome of every run.
    let scenario = load_str(&text, "scenario.json").expect("valid scenario");
    let original = scenario.resolve_policy("competitive").unwrap();
    let copy = scenario.resolve_policy("competitive-copy").unwrap();
    let rules = [rule_for(&original.policy.rule), rule_for(&copy.policy.rule)];
    let pairs = [(&original, rules[0].as_ref()), (&copy, rules[1].as_ref())];
    let slots = scenario.parameter_slots();
    for run in 0..40 {
        let records = simulate_comparison_run(&scenario, &slots, &pairs, &[9, 9], run);
        // Bit for bit (undefined ratios are NaN, which `==` never equates).
        let bits = |values: &[f64]| values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(
            bits(&records[0].series),
            bits(&records[1].series),
            "run {run}"
        );
        assert_eq!(
            bits(&records[0].headline),
            bits(&records[1].headline),
            "run {run}"
        );
        assert!(
            records[0].ledger == records[1].ledger,
            "run {run}: ledgers differ"
        );
    }

    // Files: the copy's paired differences, regrets and per-period differences are exactly 0.
    let out = dir.path().join("self");
    compare(
        &path,
        &out,
        &["--policies", "competitive,competitive-copy", "--runs", "40"],
    );
    let (header, rows) = comparison_rows(&out);
    let copy_rows: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == "competitive-copy").collect();
    assert_eq!(copy_rows.len(), 7, "seven outcomes compared");
    for row in copy_rows {
        for column in [
            "difference_mean",
            "difference_standard_error",
            "difference_ci95_low",
            "difference_ci95_high",
            "p_beats_baseline",
            "regret_mean",
            "regret_p95",
        ] {
            let at = header.iter().position(|c| c == column).unwrap();
            assert_eq!(row[at], "0", "{} {column}", row[2]);
        }
        // Tied in every run: each is best half the time.
        let at = header.iter().position(|c| c == "p_best").unwrap();
        assert_eq!(row[at], "0.5", "{}", row[2]);
    }
    let runs = fs::read_to_string(out.join("comparison_runs.csv")).unwrap();
    let lines: Vec<&str> = runs.lines().skip(1).collect();
    assert_eq!(lines.len(), 80);
    for pair in lines.chunks(2) {
        let strip = |line: &str| line.replacen("competitive-copy", "competitive", 1);
        assert_eq!(strip(pair[0]), strip(pair[1]));
    }
    let periods = fs::read_to_string(out.join("comparison_periods.csv")).unwrap();
    for line in periods.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(&cells[8..], &["0", "0", "0", "0"], "{line}");
    }
}

#[test]
fn common_random_numbers_narrow_the_standard_error_of_the_paired_difference() {
    let dir = TempDir::new().unwrap();
    let with = dir.path().join("crn-on");
    let without = dir.path().join("crn-off");
    let policies = ["--policies", "competitive,equal-split", "--runs", "200"];
    compare(Path::new(BASELINE), &with, &policies);
    compare(
        Path::new(BASELINE),
        &without,
        &[&policies[..], &["--crn", "off"]].concat(),
    );
    let column = "difference_standard_error";
    let on = value(&with, "equal-split", "networked_smes", column);
    let off = value(&without, "equal-split", "networked_smes", column);
    // Measured at 200 runs: about 1.8 with CRN against about 10.5 without (ratio ≈ 0.17): the
    // policies' outcomes are strongly correlated when they face the same draws. Each SE estimate
    // at 200 runs is within about ±10% (relative sd of a sample sd ≈ 1/√(2·199) = 5%), so a
    // required ratio below 0.5 cannot fail by chance, while it would fail if the policies did not
    // share their random numbers (ratio ≈ 1).
    assert!(
        on < 0.5 * off,
        "CRN standard error {on} is not well below the independent one {off}"
    );
    eprintln!(
        "SE of the paired difference: CRN {on:.3}, independent {off:.3}, ratio {:.3}",
        on / off
    );
    // The baseline runs under the master seed either way, so its own results do not change.
    assert_eq!(
        value(&with, "competitive", "links", "mean"),
        value(&without, "competitive", "links", "mean")
    );
    assert_ne!(
        value(&with, "equal-split", "links", "mean"),
        value(&without, "equal-split", "links", "mean")
    );
}

#[test]
fn a_policy_that_returns_half_the_money_unspent_is_ranked_below_with_probability_near_one() {
    let dir = TempDir::new().unwrap();
    let (_, path) = baseline_with_test_variants(dir.path());
    let out = dir.path().join("half");
    compare(
        &path,
        &out,
        &["--policies", "competitive,half-unspent", "--runs", "300"],
    );
    // Measured: the per-run paired difference in networked SMEs has mean ≈ −233 and sd ≈ 73, so
    // the half-funded policy comes out ahead in a run with probability ≈ Φ(−3.2) ≈ 0.0007;
    // expected ≈ 0.2 such runs in 300, and more than 6 (2%) has probability < 1e-9.
    for outcome in ["networked_smes", "links", "joint_projects"] {
        let p_best = value(&out, "competitive", outcome, "p_best");
        let beats = value(&out, "half-unspent", outcome, "p_beats_baseline");
        let rank_2 = value(&out, "half-unspent", outcome, "rank_2");
        assert!(
            p_best >= 0.98,
            "{outcome}: full funding best in only {p_best}"
        );
        assert!(
            beats <= 0.02,
            "{outcome}: half funding beats full in {beats}"
        );
        assert!(
            rank_2 >= 0.98,
            "{outcome}: half funding last in only {rank_2}"
        );
        assert!(value(&out, "half-unspent", outcome, "difference_ci95_high") < 0.0);
    }
    // Half of the money is returned: about LTL 93 million more than the full policy returns.
    let runs = fs::read_to_string(out.join("runs.csv")).unwrap();
    assert!(!runs.is_empty());
}

#[test]
fn same_seed_gives_identical_bytes_on_one_and_two_threads() {
    let dir = TempDir::new().unwrap();
    let one = dir.path().join("one");
    let two = dir.path().join("two");
    let common = ["--runs", "40", "--seed", "7"];
    compare(
        Path::new(BASELINE),
        &one,
        &[&common[..], &["--threads", "1"]].concat(),
    );
    compare(
        Path::new(BASELINE),
        &two,
        &[&common[..], &["--threads", "2"]].concat(),
    );
    for file in [
        "comparison.csv",
        "comparison_periods.csv",
        "comparison_runs.csv",
        "summary.csv",
        "runs.csv",
        "allocations.csv",
    ] {
        let a = fs::read(one.join(file)).unwrap();
        let b = fs::read(two.join(file)).unwrap();
        assert!(!a.is_empty(), "{file} is empty");
        assert!(a == b, "{file} differs between 1 and 2 threads");
    }
    // The reports differ only in the lines that record the thread count and the clock.
    let report = |folder: &Path| -> Vec<String> {
        fs::read_to_string(folder.join("report.md"))
            .unwrap()
            .lines()
            .filter(|line| {
                ![
                    "**Threads:**",
                    "**Started (UTC):**",
                    "**Finished (UTC):**",
                    "**Wall time:**",
                ]
                .iter()
                .any(|label| line.contains(label))
            })
            .map(str::to_string)
            .collect()
    };
    assert_eq!(report(&one), report(&two));
}

#[test]
fn the_baseline_policy_gets_exactly_the_results_of_run() {
    let dir = TempDir::new().unwrap();
    let compared = dir.path().join("compared");
    let ran = dir.path().join("ran");
    compare(
        Path::new(BASELINE),
        &compared,
        &[
            "--policies",
            "equal-split,competitive,fixed-shares",
            "--baseline",
            "competitive",
            "--runs",
            "30",
        ],
    );
    clustersim()
        .args(["run", BASELINE, "--runs", "30", "--quiet", "--out"])
        .arg(&ran)
        .assert()
        .success();
    for file in ["summary.csv", "runs.csv", "allocations.csv"] {
        assert!(
            fs::read(compared.join(file)).unwrap() == fs::read(ran.join(file)).unwrap(),
            "{file} of the baseline policy differs from `run`"
        );
    }
}

#[test]
fn by_default_every_policy_the_scenario_defines_is_compared_and_the_manifest_reproduces_it() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("all");
    let output = clustersim()
        .args(["compare", BASELINE, "--runs", "20", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("baseline “competitive”"), "{stdout}");
    assert!(
        stdout.contains("best policy in"),
        "no verdict line:\n{stdout}"
    );
    let (header, rows) = comparison_rows(&out);
    let mut policies: Vec<&str> = Vec::new();
    for row in &rows {
        if !policies.contains(&row[0].as_str()) {
            policies.push(&row[0]);
        }
    }
    assert_eq!(
        policies,
        [
            "competitive",
            "equal-split",
            "members-share",
            "potential-share",
            "performance-tranches",
            "fixed-shares",
            "competitive-70-30"
        ]
    );
    assert_eq!(header.last().map(String::as_str), Some("rank_7"));
    // Every policy's rank shares sum to one, and so does each rank over the policies.
    for outcome in ["networked_smes", "cost_per_additional_networked_sme_ltl"] {
        let start = header.iter().position(|c| c == "rank_1").unwrap();
        let shares: Vec<Vec<f64>> = rows
            .iter()
            .filter(|r| r[2] == outcome)
            .map(|r| r[start..].iter().map(|c| c.parse().unwrap()).collect())
            .collect();
        for policy in &shares {
            assert!((policy.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        }
        for rank in 0..7 {
            let total: f64 = shares.iter().map(|p| p[rank]).sum();
            assert!((total - 1.0).abs() < 1e-9);
        }
    }
    let manifest: Value =
        serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["comparison"]["baseline"], "competitive");
    assert_eq!(manifest["comparison"]["common_random_numbers"], true);
    let command = manifest["command"].as_str().unwrap();
    assert!(
        command.starts_with("clustersim compare scenarios/lithuania-2007-2013.json --policies competitive,equal-split,"),
        "{command}"
    );
    assert!(
        command.contains(
            "--baseline competitive --crn on --min-difference 1% --runs 20 --seed 20070101"
        )
    );
    assert_eq!(manifest["comparison"]["min_difference"], "1%");
}

/// `--min-difference` sets what the verdict counts as a practical difference: with 100% of the
/// baseline's networked SMEs no policy difference is practical; with 0 every clear difference
/// is. The value is recorded in the manifest and its reproducing command; a bad value is refused.
#[test]
fn min_difference_decides_what_the_verdict_calls_practical() {
    let dir = TempDir::new().unwrap();
    for (minimum, practical) in [("100%", false), ("0", true)] {
        let out = dir.path().join(minimum.replace('%', "pct"));
        let output = clustersim()
            .args(["compare", "tests/data/minimal.json", "--runs", "30"])
            .args(["--policies", "equal,by_members,by_potential"])
            .args(["--min-difference", minimum, "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(output.status.success());
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(
            !stdout.contains("No practical difference"),
            practical,
            "--min-difference {minimum}:\n{stdout}"
        );
        let manifest: Value =
            serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(manifest["comparison"]["min_difference"], minimum);
        assert!(
            manifest["command"]
                .as_str()
                .unwrap()
                .contains(&format!("--min-difference {minimum}")),
            "{}",
            manifest["command"]
        );
    }
    assert_refused(
        &["--min-difference", "five"],
        &["'five' is not a minimum difference", "e.g. 1%"],
    );
    assert_refused(&["--min-difference", "120%"], &["between 0% and 100%"]);
}

/// `compare` with `args` fails with a message containing each of `expected`, without a panic,
/// and writes nothing.
fn assert_refused(args: &[&str], expected: &[&str]) {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("result");
    let output = clustersim()
        .args(["compare", BASELINE, "--runs", "5", "--out"])
        .arg(&out)
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "accepted {args:?}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for text in expected {
        assert!(stderr.contains(text), "missing `{text}` in:\n{stderr}");
    }
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        0,
        "something was written for {args:?}"
    );
}

#[test]
fn bad_policy_lists_get_clear_errors_and_write_nothing() {
    assert_refused(
        &["--policies", "competitive,equall"],
        &[
            "unknown policy 'equall'",
            "valid: equal, by_members",
            "competitive-70-30",
        ],
    );
    assert_refused(
        &["--policies", "equal,by-members,equal"],
        &["lists 'equal' twice"],
    );
    assert_refused(
        &["--policies", "equal"],
        &[
            "at least two policies, and --policies names only 'equal'",
            "the scenario defines 7 policies: competitive, equal-split, members-share, \
             potential-share, performance-tranches, fixed-shares, competitive-70-30",
            "--policies equal,competitive,equal-split",
        ],
    );
    assert_refused(
        &[
            "--policies",
            "equal,by_members",
            "--baseline",
            "competitive",
        ],
        &["--baseline 'competitive' is not among the policies compared (equal, by_members)"],
    );
    assert_refused(&["--policies", "equal,,by_members"], &["empty name"]);
    assert_refused(
        &["--policies", "equal,fixed"],
        &["policy 'fixed' needs shares per cluster", "policy_variants"],
    );
    assert_refused(&["--crn", "maybe"], &["invalid value 'maybe'", "on", "off"]);
}

#[test]
fn rule_kinds_name_the_scenarios_policy_with_that_rule() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("kinds");
    // `by-members` (hyphen) and `members-share` (a variant with the same settings) are the same
    // policy, so they agree in every run.
    compare(
        Path::new(BASELINE),
        &out,
        &["--policies", "by-members,members-share", "--runs", "20"],
    );
    assert_eq!(
        value(&out, "members-share", "links", "difference_mean"),
        0.0
    );
    assert_eq!(value(&out, "by_members", "links", "p_best"), 0.5);
}
