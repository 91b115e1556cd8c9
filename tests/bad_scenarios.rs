//! Broken scenario files. Every mistake must be reported on stderr as
//! `FILE:LINE:COLUMN: at JSON.PATH: message` (1-based line and column, a message saying what would
//! be valid), by `validate` and by `run` alike, with a non-zero exit and no panic; and
//! `run --out DIR` must write nothing: DIR does not exist afterwards and no hidden partial folder
//! is left beside it.
//!
//! Variants are made from `tests/data/minimal.json` by replacing text on one line (so the line of
//! the mistake is known exactly), from the baseline `scenarios/lithuania-2007-2013.json` by
//! editing its JSON value, or are hand-written files in `tests/data/` with the mistake on a known
//! line.

use std::fs;
use std::path::Path;
use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;
use proptest::prelude::*;
use serde_json::{Value, json};
use tempfile::TempDir;

const MINIMAL: &str = "tests/data/minimal.json";
const BASELINE: &str = "scenarios/lithuania-2007-2013.json";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn crate_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the binary from the crate root.
fn clustersim(args: &[&str]) -> Output {
    Command::cargo_bin("clustersim")
        .expect("the clustersim binary is built")
        .current_dir(crate_root())
        .env("RUST_BACKTRACE", "0")
        .timeout(Duration::from_secs(60))
        .args(args)
        .output()
        .expect("clustersim could be started")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A scenario file on disk: `path` is exactly what is passed on the command line (and so what
/// error messages must name).
struct ScenarioFile {
    _dir: Option<TempDir>,
    path: String,
    text: String,
}

impl ScenarioFile {
    /// A file of `tests/data/`, named by its path relative to the crate root.
    fn data(name: &str) -> Self {
        let path = format!("tests/data/{name}");
        let text = fs::read_to_string(crate_root().join(&path)).expect("test data file");
        Self {
            _dir: None,
            path,
            text,
        }
    }

    /// `text` written to `name` in a fresh temporary folder.
    fn written(name: &str, text: String) -> Self {
        let dir = TempDir::new().expect("temporary folder");
        let file = dir.path().join(name);
        fs::write(&file, &text).expect("writing the scenario");
        Self {
            path: file.to_str().expect("UTF-8 temporary path").to_string(),
            _dir: Some(dir),
            text,
        }
    }
}

fn minimal_text() -> String {
    fs::read_to_string(crate_root().join(MINIMAL)).expect("tests/data/minimal.json")
}

/// `tests/data/minimal.json` with each `(from, to)` replacement applied; `from` must occur
/// exactly once, so the edit is unambiguous.
fn minimal_with(edits: &[(&str, &str)]) -> ScenarioFile {
    let mut text = minimal_text();
    for (from, to) in edits {
        assert_eq!(
            text.matches(from).count(),
            1,
            "`{from}` must occur exactly once in {MINIMAL}"
        );
        text = text.replacen(from, to, 1);
    }
    ScenarioFile::written("scenario.json", text)
}

/// The baseline with `edit` applied to its JSON value, written pretty-printed.
fn baseline_with(edit: impl FnOnce(&mut Value)) -> ScenarioFile {
    let source = fs::read_to_string(crate_root().join(BASELINE)).expect("baseline scenario");
    let mut value: Value = serde_json::from_str(&source).expect("baseline is JSON");
    edit(&mut value);
    let mut text = serde_json::to_string_pretty(&value).expect("re-encoding the baseline");
    text.push('\n');
    ScenarioFile::written("baseline-variant.json", text)
}

/// 1-based line of byte offset `at`.
fn line_at(text: &str, at: usize) -> usize {
    text[..at].matches('\n').count() + 1
}

/// Byte offset just after `needles` found in turn (each searched after the previous one); the
/// first needle must be unique in `text`.
fn find_after(text: &str, needles: &[&str]) -> usize {
    let (first, rest) = needles.split_first().expect("at least one needle");
    assert_eq!(
        text.matches(first).count(),
        1,
        "`{first}` must occur exactly once in the scenario"
    );
    let mut at = text.find(first).expect("needle present") + first.len();
    for needle in rest {
        at += text[at..]
            .find(needle)
            .unwrap_or_else(|| panic!("`{needle}` not found after `{first}`"))
            + needle.len();
    }
    at
}

/// The line of the only occurrence of `needle`.
fn line_of(text: &str, needle: &str) -> (usize, usize) {
    let line = line_at(text, find_after(text, &[needle]) - needle.len());
    (line, line)
}

/// First and last line of the JSON value that follows `needles` (usually ending with a key and
/// its colon), e.g. `span(text, &["\"id\": \"wood\"", "\"potential\":"])`.
fn span(text: &str, needles: &[&str]) -> (usize, usize) {
    let bytes = text.as_bytes();
    let mut at = find_after(text, needles);
    while at < bytes.len() && (bytes[at].is_ascii_whitespace() || bytes[at] == b':') {
        at += 1;
    }
    let start = at;
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let mut end = start;
    while end < bytes.len() {
        let byte = bytes[end];
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
                if depth == 0 {
                    break;
                }
            }
        } else {
            match byte {
                b'"' => in_string = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' | b',' | b'\n' if depth == 0 => break,
                b'}' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
        }
        end += 1;
    }
    (line_at(text, start), line_at(text, end.min(bytes.len())))
}

/// One reported problem, parsed from `FILE:LINE:COLUMN: at PATH: MESSAGE`.
#[derive(Debug)]
struct Problem {
    /// The whole problem line, without any `error: ` prefix.
    line_text: String,
    line: usize,
    column: usize,
    message: String,
}

/// Finds the problem reported at JSON `path` in `stderr`, checking that it names `file`.
fn problem_at(stderr: &str, file: &str, path: &str) -> Problem {
    let marker = format!(": at {path}: ");
    let found = stderr
        .lines()
        .find(|line| line.contains(&marker))
        .unwrap_or_else(|| panic!("no problem reported at `{path}`; stderr:\n{stderr}"));
    let line_text = found.strip_prefix("error: ").unwrap_or(found).to_string();
    let rest = line_text
        .strip_prefix(&format!("{file}:"))
        .unwrap_or_else(|| panic!("the problem does not start with `{file}:`: {line_text}"));
    let (position, message) = rest
        .split_once(&marker)
        .unwrap_or_else(|| panic!("no `LINE:COLUMN` before the path: {line_text}"));
    let (line, column) = position
        .split_once(':')
        .unwrap_or_else(|| panic!("no `LINE:COLUMN` before the path: {line_text}"));
    let number = |s: &str| -> usize {
        s.parse()
            .unwrap_or_else(|_| panic!("`{s}` is not a line or column number: {line_text}"))
    };
    Problem {
        line: number(line),
        column: number(column),
        message: message.to_string(),
        line_text: line_text.clone(),
    }
}

fn assert_no_panic(stderr: &str) {
    assert!(
        !stderr.contains("panicked"),
        "clustersim panicked; stderr:\n{stderr}"
    );
}

/// `run FILE --runs 2 --out DIR` must fail (stderr containing `expected`, no panic) and write
/// nothing: neither DIR nor anything else (such as a hidden partial folder) in its parent.
fn assert_run_fails_writing_nothing(file: &str, expected: &str) {
    let out_parent = TempDir::new().expect("temporary folder");
    let out = out_parent.path().join("result");
    let output = clustersim(&[
        "run",
        file,
        "--runs",
        "2",
        "--out",
        out.to_str().expect("UTF-8 temporary path"),
        "--quiet",
    ]);
    let stderr = text(&output.stderr);
    assert!(
        !output.status.success(),
        "run accepted {file}; stderr:\n{stderr}"
    );
    assert_no_panic(&stderr);
    assert!(
        stderr.contains(expected),
        "run's stderr lacks `{expected}`:\n{stderr}"
    );
    assert!(!out.exists(), "run created --out {}", out.display());
    let left: Vec<_> = fs::read_dir(out_parent.path())
        .expect("listing the output parent")
        .map(|entry| entry.expect("folder entry").file_name())
        .collect();
    assert!(left.is_empty(), "run left {left:?} beside the --out folder");
}

/// `validate` and `run` both reject `scenario` with a problem at JSON `path`, on a line within
/// `lines` (inclusive) and a column ≥ 1, whose message contains every hint; nothing is written.
fn assert_rejected(
    scenario: &ScenarioFile,
    path: &str,
    lines: (usize, usize),
    hints: &[&str],
) -> Problem {
    let output = clustersim(&["validate", &scenario.path]);
    let stderr = text(&output.stderr);
    let stdout = text(&output.stdout);
    assert!(
        !output.status.success(),
        "validate accepted the scenario:\n{}\nstdout:\n{stdout}",
        scenario.text
    );
    assert_no_panic(&stderr);
    assert!(
        !stdout.contains("valid scenario"),
        "validate printed a plan for a broken scenario:\n{stdout}"
    );
    assert!(
        stderr.starts_with("error: "),
        "stderr does not start with `error: `:\n{stderr}"
    );
    let problem = problem_at(&stderr, &scenario.path, path);
    assert!(
        problem.column >= 1,
        "columns are 1-based, got column {}: {}",
        problem.column,
        problem.line_text
    );
    assert!(
        (lines.0..=lines.1).contains(&problem.line),
        "expected the problem on line {}..={}, got line {}: {}",
        lines.0,
        lines.1,
        problem.line,
        problem.line_text
    );
    for hint in hints {
        assert!(
            problem.message.contains(hint),
            "the message lacks `{hint}`: {}",
            problem.line_text
        );
    }
    assert_run_fails_writing_nothing(&scenario.path, &problem.line_text);
    problem
}

// ---------------------------------------------------------------------------------------------
// Misspelt fields
// ---------------------------------------------------------------------------------------------

#[test]
fn misspelt_top_level_field_lists_valid_fields() {
    let scenario = minimal_with(&[("\"policy\": {", "\"polcy\": {")]);
    let lines = line_of(&scenario.text, "\"polcy\"");
    assert_rejected(
        &scenario,
        "polcy",
        lines,
        &[
            "unknown field `polcy`",
            "`name`",
            "`budget`",
            "`policy`",
            "`simulation`",
        ],
    );
}

#[test]
fn misspelt_budget_field_lists_valid_fields() {
    let scenario = minimal_with(&[("\"total_ltl\":", "\"totl_ltl\":")]);
    let lines = line_of(&scenario.text, "\"totl_ltl\"");
    assert_rejected(
        &scenario,
        "budget.totl_ltl",
        lines,
        &[
            "unknown field `totl_ltl`",
            "`total_ltl`",
            "`first_year`",
            "`horizon_year`",
        ],
    );
}

#[test]
fn misspelt_cluster_field_in_hand_written_file_is_reported_on_its_line() {
    let scenario = ScenarioFile::data("misspelt_cluster_field.json");
    // `"inital_members": 0,` is on line 43 of the file.
    assert_rejected(
        &scenario,
        "clusters[1].inital_members",
        (43, 43),
        &[
            "unknown field `inital_members`",
            "`initial_members`",
            "`initial_links`",
            "`sector`",
        ],
    );
}

#[test]
fn misspelt_cluster_field_in_baseline_lists_valid_fields() {
    let scenario = baseline_with(|value| {
        let cluster = value["clusters"][1]
            .as_object_mut()
            .expect("cluster object");
        let members = cluster.remove("initial_members").expect("initial_members");
        cluster.insert("inital_members".into(), members);
    });
    let lines = line_of(&scenario.text, "\"inital_members\"");
    assert_rejected(
        &scenario,
        "clusters[1].inital_members",
        lines,
        &["unknown field `inital_members`", "`initial_members`"],
    );
}

#[test]
fn misspelt_distribution_parameter_lists_valid_parameters() {
    let scenario = minimal_with(&[(
        "\"potential\": 0.7",
        r#""potential": {"triangular": {"min": 0.4, "mod": 0.6, "max": 0.75}}"#,
    )]);
    let lines = line_of(&scenario.text, "\"mod\"");
    assert_rejected(
        &scenario,
        "sectors[0].potential.triangular.mod",
        lines,
        &["unknown field `mod`", "`min`", "`mode`", "`max`"],
    );
}

#[test]
fn unknown_rule_lists_valid_rules() {
    let scenario = minimal_with(&[("\"rule\": \"equal\"", "\"rule\": \"equl\"")]);
    let lines = line_of(&scenario.text, "\"equl\"");
    assert_rejected(
        &scenario,
        "policy.rule",
        lines,
        &[
            "unknown variant `equl`",
            "\"equal\"",
            "\"by_members\"",
            "{\"competitive\": {…}}",
            "{\"fixed\": {\"shares\": {…}",
        ],
    );
}

/// The commonest first mistake with rules: a rule with settings written as a string, or one
/// without settings written as an object. The message shows the right spelling with an example
/// and every valid form.
#[test]
fn a_rule_written_in_the_wrong_form_shows_both_spellings() {
    for (rule, hints) in [
        (
            r#""competitive""#,
            [
                "\"competitive\" takes settings, so it is written as an object, not as a string",
                "\"rule\": {\"competitive\": {}} for the default settings",
                "\"request_ltl_per_member\": 60000",
            ],
        ),
        (
            r#"{"equal": {}}"#,
            [
                "\"equal\" has no settings, so it is written as a string, not as an object",
                "\"rule\": \"equal\"",
                "{\"performance\": {…}}",
            ],
        ),
        (
            r#""fixed""#,
            [
                "\"fixed\" takes settings",
                "\"shares\": {\"CLUSTER-ID\": 0.6",
                "\"later_clusters\": \"none\"",
            ],
        ),
    ] {
        let scenario = minimal_with(&[("\"rule\": \"equal\"", &format!("\"rule\": {rule}"))]);
        let lines = line_of(&scenario.text, "\"rule\"");
        let variant = rule.split('"').nth(1).expect("a rule name");
        let problem = assert_rejected(&scenario, &format!("policy.rule.{variant}"), lines, &hints);
        assert!(
            !problem.message.contains("variant, expected"),
            "{}",
            problem.message
        );
    }
}

/// Another enumerated field in the wrong form gets the same kind of message.
#[test]
fn a_cluster_status_written_as_an_object_shows_the_string_form() {
    let scenario = minimal_with(&[("\"status\": \"operating\"", r#""status": {"operating": 1}"#)]);
    let lines = line_of(&scenario.text, "\"operating\"");
    assert_rejected(
        &scenario,
        "clusters[0].status.operating",
        lines,
        &[
            "\"operating\" has no settings, so it is written as a string",
            "\"status\": \"operating\"",
        ],
    );
}

/// A fixed rule must say what clusters that form later get: refused without, naming them; the
/// explicit "none" or a share is accepted and the plan states it.
#[test]
fn a_fixed_rule_must_say_what_clusters_that_form_later_get() {
    let scenario = minimal_with(&[(
        "\"rule\": \"equal\"",
        r#""rule": {"fixed": {"shares": {"ict-cluster": 1}}}"#,
    )]);
    let lines = line_of(&scenario.text, "\"rule\"");
    assert_rejected(
        &scenario,
        "policy.rule.fixed",
        lines,
        &[
            "clusters that may form later have no share: food-cluster",
            "\"later_clusters\": \"none\"",
        ],
    );
    for (later, stated) in [
        (
            r#""none""#,
            "clusters that form later get nothing: food-cluster",
        ),
        ("0.5", "fixed (ict-cluster 1, food-cluster 0.5)"),
    ] {
        let scenario = minimal_with(&[(
            "\"rule\": \"equal\"",
            &format!(
                r#""rule": {{"fixed": {{"shares": {{"ict-cluster": 1}}, "later_clusters": {later}}}}}"#
            ),
        )]);
        let output = clustersim(&["validate", &scenario.path]);
        let stdout = text(&output.stdout);
        assert!(output.status.success(), "{}", text(&output.stderr));
        assert!(stdout.contains(stated), "{stdout}");
    }
    let scenario = minimal_with(&[(
        "\"rule\": \"equal\"",
        r#""rule": {"fixed": {"shares": {"ict-cluster": 1}, "later_clusters": "all"}}"#,
    )]);
    let lines = line_of(&scenario.text, "\"rule\"");
    assert_rejected(
        &scenario,
        "policy.rule.fixed.later_clusters",
        lines,
        &["valid values are \"none\" or a share ≥ 0"],
    );
}

#[test]
fn unknown_cluster_status_lists_valid_statuses() {
    let scenario = minimal_with(&[("\"status\": \"operating\"", "\"status\": \"running\"")]);
    let lines = line_of(&scenario.text, "\"running\"");
    assert_rejected(
        &scenario,
        "clusters[0].status",
        lines,
        &[
            "unknown variant `running`",
            "valid values are \"operating\" or \"forming\"",
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Wrong types and missing fields
// ---------------------------------------------------------------------------------------------

#[test]
fn string_where_number_expected_is_a_type_error() {
    let scenario = minimal_with(&[("\"total_ltl\": 1000000", "\"total_ltl\": \"1000000\"")]);
    let lines = line_of(&scenario.text, "\"total_ltl\"");
    let problem = assert_rejected(
        &scenario,
        "budget.total_ltl",
        lines,
        &["invalid type: string \"1000000\"", "expected"],
    );
    assert!(
        problem.message.contains("number") || problem.message.contains("f64"),
        "the message does not say a number is expected: {}",
        problem.line_text
    );
}

#[test]
fn string_where_parameter_expected_says_number_or_distribution() {
    let scenario = minimal_with(&[("\"potential\": 0.7", "\"potential\": \"0.7\"")]);
    let lines = line_of(&scenario.text, "\"0.7\"");
    assert_rejected(
        &scenario,
        "sectors[0].potential",
        lines,
        &[
            "invalid type: string \"0.7\"",
            "a number or a distribution object",
        ],
    );
}

#[test]
fn negative_firm_count_is_a_type_error() {
    let scenario = minimal_with(&[("\"firms\": 200", "\"firms\": -5")]);
    let lines = line_of(&scenario.text, "\"firms\": -5");
    assert_rejected(&scenario, "sectors[0].firms", lines, &["-5", "expected"]);
}

#[test]
fn missing_budget_first_year_is_named() {
    // The line is blanked rather than removed so that every other line keeps its number.
    let scenario = minimal_with(&[("\"first_year\": 2010,", "")]);
    let lines = span(&scenario.text, &["\"budget\":"]);
    assert_rejected(&scenario, "budget", lines, &["missing field `first_year`"]);
}

#[test]
fn missing_section_is_named() {
    // The whole `policy` section removed from the baseline: reported at the top level, at the
    // end of the object, naming the section.
    let scenario = baseline_with(|value| {
        value.as_object_mut().expect("object").remove("policy");
    });
    let last = scenario.text.lines().count();
    assert_rejected(
        &scenario,
        "(top level)",
        (1, last),
        &["missing field `policy`"],
    );
}

#[test]
fn missing_cluster_sector_is_named() {
    let scenario = minimal_with(&[("\"sector\": \"ict\",", "")]);
    let lines = span(&scenario.text, &["\"clusters\": ["]);
    assert_rejected(&scenario, "clusters[0]", lines, &["missing field `sector`"]);
}

// ---------------------------------------------------------------------------------------------
// Distributions
// ---------------------------------------------------------------------------------------------

#[test]
fn pert_with_min_above_max_names_the_parameter() {
    let scenario = minimal_with(&[(
        "\"potential\": 0.7",
        r#""potential": {"pert": {"min": 0.9, "mode": 0.5, "max": 0.2}}"#,
    )]);
    let lines = line_of(&scenario.text, "\"pert\"");
    assert_rejected(
        &scenario,
        "sectors[0].potential",
        lines,
        &["PERT needs min < max", "got min 0.9, max 0.2"],
    );
}

#[test]
fn pert_with_min_above_max_in_baseline_names_sector_4_potential() {
    let scenario = baseline_with(|value| {
        value["sectors"][4]["potential"] = json!({"pert": {"min": 0.8, "mode": 0.5, "max": 0.3}});
    });
    // The distribution spans several lines; the position must fall within it.
    let lines = span(&scenario.text, &["\"id\": \"wood\"", "\"potential\":"]);
    assert_rejected(
        &scenario,
        "sectors[4].potential",
        lines,
        &["PERT needs min < max", "got min 0.8, max 0.3"],
    );
}

#[test]
fn normal_with_negative_sd_names_model_tie_rate() {
    let scenario = minimal_with(&[(
        "\"tie_rate\": 0.1",
        r#""tie_rate": {"normal": {"mean": 0.1, "sd": -0.05}}"#,
    )]);
    let lines = line_of(&scenario.text, "\"tie_rate\"");
    assert_rejected(
        &scenario,
        "model.tie_rate",
        lines,
        &["normal needs sd > 0", "got sd -0.05"],
    );
}

#[test]
fn beta_with_alpha_not_positive_names_the_parameter() {
    for (alpha, shown) in [("0", "got alpha 0"), ("-1.5", "got alpha -1.5")] {
        let replacement = format!(r#""tie_rate": {{"beta": {{"alpha": {alpha}, "beta": 2}}}}"#);
        let scenario = minimal_with(&[("\"tie_rate\": 0.1", &replacement)]);
        let lines = line_of(&scenario.text, "\"tie_rate\"");
        assert_rejected(
            &scenario,
            "model.tie_rate",
            lines,
            &["beta needs alpha > 0", shown],
        );
    }
}

#[test]
fn unknown_distribution_kind_lists_valid_kinds() {
    let scenario = minimal_with(&[(
        "\"tie_rate\": 0.1",
        r#""tie_rate": {"weibull": {"shape": 2, "scale": 0.1}}"#,
    )]);
    let lines = line_of(&scenario.text, "\"weibull\"");
    assert_rejected(
        &scenario,
        "model.tie_rate",
        lines,
        &[
            "unknown distribution `weibull`",
            "uniform",
            "triangular",
            "pert",
            "normal",
            "truncated_normal",
            "lognormal",
            "beta",
            "gamma",
        ],
    );
}

#[test]
fn triangular_mode_outside_range_names_the_parameter() {
    let scenario = minimal_with(&[(
        "\"potential\": 0.5",
        r#""potential": {"triangular": {"min": 0.2, "mode": 0.9, "max": 0.6}}"#,
    )]);
    let lines = line_of(&scenario.text, "\"triangular\"");
    assert_rejected(
        &scenario,
        "sectors[1].potential",
        lines,
        &[
            "triangular needs min <= mode <= max",
            "got min 0.2, mode 0.9, max 0.6",
        ],
    );
}

#[test]
fn distribution_outside_valid_range_names_the_range() {
    let scenario = minimal_with(&[(
        "\"potential\": 0.7",
        r#""potential": {"uniform": {"min": 2, "max": 3}}"#,
    )]);
    let lines = line_of(&scenario.text, "\"uniform\"");
    assert_rejected(
        &scenario,
        "sectors[0].potential",
        lines,
        &["outside the valid range [0, 1]"],
    );
}

#[test]
fn probability_of_eight_is_refused_with_its_range() {
    let scenario = minimal_with(&[("\"tie_rate\": 0.1", "\"tie_rate\": 0.1, \"exit_rate\": 8")]);
    let lines = line_of(&scenario.text, "\"exit_rate\"");
    let problem = assert_rejected(
        &scenario,
        "model.exit_rate",
        lines,
        &["a value between 0 and 1 is expected", "got 8"],
    );
    // The column points at exit_rate's value, not at tie_rate earlier on the same line.
    let key = "\"exit_rate\": ";
    let column = lines_text(&scenario.text, problem.line).find(key);
    assert_eq!(
        column.map(|at| at + key.len() + 1),
        Some(problem.column),
        "{}",
        problem.line_text
    );
}

#[test]
fn negative_rate_is_refused_with_its_range() {
    let scenario = minimal_with(&[("\"tie_rate\": 0.1", "\"tie_rate\": -0.1")]);
    let lines = line_of(&scenario.text, "\"tie_rate\"");
    assert_rejected(
        &scenario,
        "model.tie_rate",
        lines,
        &["a value between 0 and 100 is expected", "got -0.1"],
    );
}

#[test]
fn distribution_whose_support_leaves_the_valid_range_is_refused() {
    // Each support overlaps the valid range, so only a check of the whole support refuses it.
    for (replacement, range, support) in [
        (
            r#""tie_rate": 0.1, "exit_rate": {"normal": {"mean": 0.05, "sd": 0.02}}"#,
            "[0, 1]",
            "(−∞, ∞)",
        ),
        (
            r#""tie_rate": 0.1, "exit_rate": {"uniform": {"min": 0.5, "max": 1.5}}"#,
            "[0, 1]",
            "[0.5, 1.5]",
        ),
        (
            r#""tie_rate": 0.1, "tie_dissolution_rate": {"triangular": {"min": -0.1, "mode": 0.1, "max": 0.3}}"#,
            "[0, 1]",
            "[-0.1, 0.3]",
        ),
        (
            r#""tie_rate": 0.1, "size_half_members": {"normal": {"mean": 50, "sd": 10}}"#,
            "(0, ∞)",
            "(−∞, ∞)",
        ),
    ] {
        let scenario = minimal_with(&[("\"tie_rate\": 0.1", replacement)]);
        let name = replacement
            .split('"')
            .nth(3)
            .expect("the replacement names a second parameter");
        let lines = line_of(&scenario.text, "\"tie_rate\"");
        assert_rejected(
            &scenario,
            &format!("model.{name}"),
            lines,
            &[
                &format!("outside the valid range {range}"),
                &format!("its support is {support}"),
                "truncated_normal",
            ],
        );
    }
}

#[test]
fn distribution_inside_the_valid_range_and_open_at_zero_is_accepted() {
    let scenario = minimal_with(&[(
        "\"tie_rate\": 0.1",
        r#""tie_rate": 0.1, "size_half_members": {"lognormal": {"mean": 50, "sd": 10}}, "exit_rate": {"truncated_normal": {"mean": 0.05, "sd": 0.02, "min": 0, "max": 1}}"#,
    )]);
    let output = clustersim(&["validate", &scenario.path]);
    assert!(output.status.success(), "{}", text(&output.stderr));
}

fn lines_text(text: &str, line: usize) -> &str {
    text.lines().nth(line - 1).unwrap_or_default()
}

#[test]
fn fixed_model_parameter_out_of_range_names_the_range() {
    let scenario = minimal_with(&[("\"tie_rate\": 0.1", "\"tie_rate\": 500")]);
    let lines = line_of(&scenario.text, "\"tie_rate\"");
    assert_rejected(
        &scenario,
        "model.tie_rate",
        lines,
        &["a value between 0 and 100 is expected", "got 500"],
    );
}

// ---------------------------------------------------------------------------------------------
// Cross-references and ranges
// ---------------------------------------------------------------------------------------------

#[test]
fn cluster_naming_unknown_sector_lists_valid_sectors() {
    let scenario = minimal_with(&[("\"sector\": \"ict\"", "\"sector\": \"itc\"")]);
    let lines = line_of(&scenario.text, "\"itc\"");
    assert_rejected(
        &scenario,
        "clusters[0].sector",
        lines,
        &["unknown sector 'itc'", "valid: ict, food"],
    );
}

#[test]
fn unknown_source_lists_valid_sources() {
    let scenario = minimal_with(&[(
        "\"horizon_year\": 2012",
        "\"horizon_year\": 2012, \"source\": \"nowhere\"",
    )]);
    let lines = line_of(&scenario.text, "\"nowhere\"");
    assert_rejected(
        &scenario,
        "budget.source",
        lines,
        &["unknown source 'nowhere'", "valid: (none defined)"],
    );
}

#[test]
fn negative_budget_names_the_valid_range() {
    let scenario = minimal_with(&[("\"total_ltl\": 1000000", "\"total_ltl\": -250000")]);
    let lines = line_of(&scenario.text, "\"total_ltl\"");
    assert_rejected(
        &scenario,
        "budget.total_ltl",
        lines,
        &["between 0 and", "got -250000"],
    );
}

#[test]
fn reversed_funding_years_are_reported_at_last_year() {
    let scenario = minimal_with(&[("\"last_year\": 2011", "\"last_year\": 2009")]);
    let lines = line_of(&scenario.text, "\"last_year\"");
    assert_rejected(
        &scenario,
        "budget.last_year",
        lines,
        &["reversed", "last_year must be ≥ first_year"],
    );
}

#[test]
fn horizon_before_last_year_is_reported_at_horizon_year() {
    let scenario = minimal_with(&[("\"horizon_year\": 2012", "\"horizon_year\": 2010")]);
    let lines = line_of(&scenario.text, "\"horizon_year\"");
    assert_rejected(
        &scenario,
        "budget.horizon_year",
        lines,
        &[
            "horizon_year 2010 is before last_year 2011",
            "at least the last funding year",
        ],
    );
}

#[test]
fn duplicate_cluster_ids_are_reported_at_the_second() {
    let scenario = minimal_with(&[("\"id\": \"food-cluster\"", "\"id\": \"ict-cluster\"")]);
    let lines = span(
        &scenario.text,
        &["\"clusters\":", "\"ict-cluster\"", "\"id\":"],
    );
    assert_rejected(
        &scenario,
        "clusters[1].id",
        lines,
        &["duplicate cluster id 'ict-cluster'", "must be unique"],
    );
}

#[test]
fn fixed_share_for_unknown_cluster_lists_valid_clusters() {
    let scenario = minimal_with(&[(
        "\"rule\": \"equal\"",
        r#""rule": {"fixed": {"shares": {"ict-cluster": 1, "no-such-cluster": 0.5}}}"#,
    )]);
    let lines = line_of(&scenario.text, "\"no-such-cluster\"");
    assert_rejected(
        &scenario,
        "policy.rule.fixed.shares.no-such-cluster",
        lines,
        &[
            "unknown cluster 'no-such-cluster'",
            "valid: ict-cluster, food-cluster",
        ],
    );
}

#[test]
fn floor_share_too_high_for_the_clusters_gives_the_largest_valid_floor() {
    // Two clusters: floors of 0.6 each would need 120% of the budget.
    let scenario = minimal_with(&[("\"floor_share\": 0.0", "\"floor_share\": 0.6")]);
    let lines = line_of(&scenario.text, "\"floor_share\"");
    assert_rejected(
        &scenario,
        "policy.floor_share",
        lines,
        &[
            "floors cannot all be met",
            "2 clusters",
            "floor_share ≤ 0.5",
        ],
    );
}

#[test]
fn more_initial_links_than_member_pairs_gives_the_maximum() {
    // 5 members have at most 5 × 4 / 2 = 10 links.
    let scenario = minimal_with(&[("\"initial_links\": 4", "\"initial_links\": 11")]);
    let lines = line_of(&scenario.text, "\"initial_links\"");
    assert_rejected(
        &scenario,
        "clusters[0].initial_links",
        lines,
        &["11 links among 5 members is impossible", "at most", "= 10"],
    );
}

#[test]
fn initial_links_equal_to_member_pairs_are_accepted() {
    let scenario = minimal_with(&[("\"initial_links\": 4", "\"initial_links\": 10")]);
    let output = clustersim(&["validate", &scenario.path]);
    assert!(
        output.status.success(),
        "10 links among 5 members were rejected:\n{}",
        text(&output.stderr)
    );
}

#[test]
fn several_problems_are_counted_then_listed_one_per_line() {
    let scenario = minimal_with(&[
        ("\"total_ltl\": 1000000", "\"total_ltl\": -1"),
        ("\"sector\": \"ict\"", "\"sector\": \"itc\""),
    ]);
    let output = clustersim(&["validate", &scenario.path]);
    let stderr = text(&output.stderr);
    assert!(!output.status.success());
    assert_no_panic(&stderr);
    let first = stderr.lines().next().unwrap_or_default();
    assert_eq!(
        first,
        format!("error: scenario '{}' has 2 problems:", scenario.path)
    );
    assert_eq!(stderr.lines().count(), 3, "stderr:\n{stderr}");
    let budget = problem_at(&stderr, &scenario.path, "budget.total_ltl");
    assert_eq!(budget.line, line_of(&scenario.text, "\"total_ltl\"").0);
    assert!(budget.message.contains("between 0 and"), "{budget:?}");
    let sector = problem_at(&stderr, &scenario.path, "clusters[0].sector");
    assert_eq!(sector.line, line_of(&scenario.text, "\"itc\"").0);
    assert!(sector.message.contains("valid: ict, food"), "{sector:?}");
    assert_run_fails_writing_nothing(&scenario.path, &budget.line_text);
}

// ---------------------------------------------------------------------------------------------
// Not a scenario object at all
// ---------------------------------------------------------------------------------------------

#[test]
fn empty_file_suggests_init() {
    let scenario = ScenarioFile::written("empty.json", String::new());
    assert_rejected(
        &scenario,
        "(top level)",
        (1, 1),
        &["empty", "JSON object", "clustersim init"],
    );
}

#[test]
fn whitespace_only_file_counts_as_empty() {
    let scenario = ScenarioFile::written("blank.json", "  \n\t\n".to_string());
    assert_rejected(
        &scenario,
        "(top level)",
        (1, 1),
        &["empty", "clustersim init"],
    );
}

#[test]
fn truncated_json_says_the_file_ends_early() {
    // Cut right after `"clusters": [`, without a final newline.
    let source = fs::read_to_string(crate_root().join(BASELINE)).expect("baseline scenario");
    let cut = find_after(&source, &["\"clusters\": ["]);
    let scenario = ScenarioFile::written("truncated.json", source[..cut].to_string());
    let last_line = scenario.text.lines().count();
    assert_rejected(
        &scenario,
        "clusters",
        (last_line, last_line),
        &["ends early", "truncated"],
    );
}

#[test]
fn truncated_file_ending_in_newline_reports_a_one_based_column() {
    // tests/data/truncated.json stops after line 28, `  "clusters": [`, and a newline.
    let scenario = ScenarioFile::data("truncated.json");
    assert_rejected(
        &scenario,
        "clusters",
        (28, 29),
        &["ends early", "truncated"],
    );
}

#[test]
fn syntax_error_inside_an_object_names_the_object() {
    for (from, to, hint) in [
        (
            "\"horizon_year\": 2012",
            "\"horizon_year\": 2012,",
            "trailing comma",
        ),
        (
            "\"last_year\": 2011,",
            "\"last_year\": 2011",
            "expected `,` or `}`",
        ),
    ] {
        let scenario = minimal_with(&[(from, to)]);
        let lines = span(&scenario.text, &["\"budget\":"]);
        assert_rejected(&scenario, "budget", lines, &[hint]);
    }
}

#[test]
fn json_array_instead_of_object_is_rejected() {
    let scenario = ScenarioFile::written("array.json", "[1, 2]\n".to_string());
    let output = clustersim(&["validate", &scenario.path]);
    let stderr = text(&output.stderr);
    assert!(!output.status.success(), "an array was accepted");
    assert_no_panic(&stderr);
    let line = stderr.lines().next().unwrap_or_default();
    let rest = line
        .strip_prefix(&format!("error: {}:1:", scenario.path))
        .unwrap_or_else(|| panic!("no `FILE:1:COLUMN:` position: {stderr}"));
    assert!(rest.contains(": at "), "no JSON path: {stderr}");
    assert_run_fails_writing_nothing(&scenario.path, line.trim_start_matches("error: "));
}

#[test]
fn top_level_non_object_says_a_json_object_is_expected() {
    for json in ["[1, 2]", "[]", "\"minimal\"", "42", "null"] {
        let scenario = ScenarioFile::written("not-object.json", format!("{json}\n"));
        assert_rejected(&scenario, "(top level)", (1, 1), &["object"]);
    }
}

#[test]
fn array_of_field_values_is_not_accepted_as_a_scenario() {
    let source = fs::read_to_string(crate_root().join(BASELINE)).expect("baseline scenario");
    let value: Value = serde_json::from_str(&source).expect("baseline is JSON");
    let fields: Vec<Value> = value
        .as_object()
        .expect("baseline object")
        .values()
        .cloned()
        .collect();
    let text = serde_json::to_string_pretty(&Value::Array(fields)).expect("encoding");
    let scenario = ScenarioFile::written("positional.json", text);
    assert_rejected(&scenario, "(top level)", (1, 1), &["object"]);
}

#[test]
fn number_where_rule_expected_lists_valid_rules() {
    let scenario = minimal_with(&[("\"rule\": \"equal\"", "\"rule\": 5")]);
    let lines = line_of(&scenario.text, "\"rule\"");
    let problem = assert_rejected(&scenario, "policy.rule", lines, &["\"equal\"", "\"fixed\""]);
    assert!(
        !problem.message.contains("not valid JSON"),
        "valid JSON called invalid: {}",
        problem.line_text
    );
}

#[test]
fn trailing_garbage_after_the_object_is_reported_on_its_line() {
    // tests/data/trailing_garbage.json is minimal.json followed by a second object on line 67.
    let scenario = ScenarioFile::data("trailing_garbage.json");
    assert_rejected(&scenario, "(top level)", (67, 67), &["trailing characters"]);
}

#[test]
fn non_utf8_file_is_rejected_as_not_text() {
    let dir = TempDir::new().expect("temporary folder");
    let file = dir.path().join("latin1.json");
    fs::write(&file, b"{\"name\": \"Klaip\xe9da\"}\n").expect("writing");
    let file = file.to_str().expect("UTF-8 temporary path");
    let output = clustersim(&["validate", file]);
    let stderr = text(&output.stderr);
    assert!(!output.status.success());
    assert_no_panic(&stderr);
    assert!(stderr.contains(file), "{stderr}");
    assert!(stderr.contains("not UTF-8"), "{stderr}");
    assert_run_fails_writing_nothing(file, "not UTF-8");
}

// ---------------------------------------------------------------------------------------------
// Robustness
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Any proper prefix of a valid scenario is rejected, with a position, and without a panic.
    #[test]
    fn truncated_minimal_scenario_is_rejected_without_panic(cut in 0usize..10_000) {
        let source = minimal_text();
        let closing = source.rfind('}').expect("closing brace");
        let mut cut = cut % closing;
        while !source.is_char_boundary(cut) {
            cut -= 1;
        }
        let scenario = ScenarioFile::written("cut.json", source[..cut].to_string());
        let output = clustersim(&["validate", &scenario.path]);
        let stderr = text(&output.stderr);
        prop_assert!(!output.status.success(), "prefix of {} bytes accepted", cut);
        prop_assert!(!stderr.contains("panicked"), "panic: {}", stderr);
        let prefix = format!("error: {}:", scenario.path);
        prop_assert!(stderr.starts_with(&prefix), "no file name: {}", stderr);
        prop_assert!(stderr.contains(": at "), "no JSON path: {}", stderr);
    }
}

// ---------------------------------------------------------------------------------------------
// Policy variants (for `compare`)
// ---------------------------------------------------------------------------------------------

#[test]
fn duplicate_policy_variant_names_are_rejected_at_the_second() {
    let scenario = baseline_with(|value| {
        value["policy_variants"][2]["name"] = Value::from("equal-split");
    });
    let problem = assert_rejected(
        &scenario,
        "policy_variants[2].name",
        span(&scenario.text, &["\"members-share\"", "\"name\":"]),
        &["duplicate policy name 'equal-split'", "policy_variants[0]"],
    );
    assert!(problem.message.contains("unique"), "{}", problem.message);
}

#[test]
fn a_policy_variant_may_not_take_a_rule_kind_as_its_name() {
    let scenario = baseline_with(|value| {
        value["policy_variants"][0]["name"] = Value::from("by-members");
    });
    assert_rejected(
        &scenario,
        "policy_variants[0].name",
        span(&scenario.text, &["\"policy_variants\"", "\"name\":"]),
        &["names a rule kind", "choose another name"],
    );
}

#[test]
fn a_policy_variant_is_checked_like_the_policy() {
    let scenario = baseline_with(|value| {
        value["policy_variants"][1]["policy"]["unspent_share"] = Value::from(1.5);
    });
    assert_rejected(
        &scenario,
        "policy_variants[1].policy.unspent_share",
        span(&scenario.text, &["\"members-share\"", "\"unspent_share\":"]),
        &["a share between 0 and 1 is expected (got 1.5)"],
    );
}
