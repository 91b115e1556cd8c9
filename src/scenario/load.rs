//! Reading a scenario file: parse with serde (keeping the JSON path of any error), then check it
//! into a [`Scenario`]. Every error names the file, the JSON path, the line and column, and what
//! would be valid.

use std::fmt;
use std::path::Path;

use super::json_path::{JsonPath, locate};
use super::plan::{Problem, Scenario};
use super::spec::ScenarioFile;

/// The baseline scenario shipped with the tool, embedded so `clustersim run` works anywhere.
pub const BASELINE_JSON: &str = include_str!("../../scenarios/lithuania-2007-2013.json");

/// Name shown for the embedded baseline in messages and manifests.
pub const BASELINE_LABEL: &str = "scenarios/lithuania-2007-2013.json (built in)";

/// Problems listed (and located) in an error message; the rest are counted.
const SHOWN_PROBLEMS: usize = 50;

/// Largest scenario file accepted, bytes. Real scenarios are a few kilobytes.
const MAX_SCENARIO_BYTES: u64 = 16 * 1024 * 1024;

/// One located problem in a scenario file.
#[derive(Debug, Clone, PartialEq)]
pub struct LocatedProblem {
    /// JSON path, e.g. `clusters[2].sector`.
    pub path: String,
    /// 1-based line and column, when known.
    pub position: Option<(usize, usize)>,
    /// What is wrong and what would be valid.
    pub message: String,
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("cannot read scenario '{file}': {reason}")]
    Read {
        /// File as given.
        file: String,
        /// What went wrong.
        reason: String,
    },
    /// The file was read but is not a valid scenario.
    #[error("{}", format_problems("scenario", file, problems))]
    Invalid {
        /// File as given.
        file: String,
        /// Every problem found (at least one).
        problems: Vec<LocatedProblem>,
    },
}

/// Every problem of a file, located, one per line (the first [`SHOWN_PROBLEMS`]).
pub(crate) fn format_problems(what: &str, file: &str, problems: &[LocatedProblem]) -> String {
    let mut out = String::new();
    let count = problems.len();
    if count > 1 {
        out.push_str(&format!("{what} '{file}' has {count} problems:\n"));
    }
    for (index, problem) in problems.iter().take(SHOWN_PROBLEMS).enumerate() {
        if index > 0 {
            out.push('\n');
        }
        out.push_str(&problem.to_string_in(file));
    }
    if count > SHOWN_PROBLEMS {
        out.push_str(&format!(
            "\n… and {} more problems (fix these first)",
            count - SHOWN_PROBLEMS
        ));
    }
    out
}

impl LocatedProblem {
    fn to_string_in(&self, file: &str) -> String {
        match self.position {
            Some((line, column)) => {
                format!("{file}:{line}:{column}: at {}: {}", self.path, self.message)
            }
            None => format!("{file}: at {}: {}", self.path, self.message),
        }
    }
}

impl fmt::Display for LocatedProblem {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.to_string_in("scenario"))
    }
}

/// Reads and checks a scenario file.
pub fn load_path(path: &Path) -> Result<Scenario, ScenarioError> {
    read_path(path).map(|(scenario, _)| scenario)
}

/// Label of a scenario read from standard input.
pub const STDIN_LABEL: &str = "(standard input)";

/// Reads and checks a scenario file, returning its text too (for hashing and copying). The path
/// `-` reads standard input.
pub fn read_path(path: &Path) -> Result<(Scenario, String), ScenarioError> {
    if path.as_os_str() == "-" {
        return read_stdin();
    }
    let file = path.display().to_string();
    let read_error = |reason: String| ScenarioError::Read {
        file: file.clone(),
        reason,
    };
    let metadata = std::fs::metadata(path).map_err(|error| read_error(error.to_string()))?;
    if metadata.is_dir() {
        return Err(read_error(
            "it is a directory; give the path of a scenario JSON file".into(),
        ));
    }
    if metadata.len() > MAX_SCENARIO_BYTES {
        return Err(read_error(format!(
            "it is {} bytes; scenario files are limited to {MAX_SCENARIO_BYTES} bytes",
            metadata.len()
        )));
    }
    let file_handle = std::fs::File::open(path).map_err(|error| read_error(error.to_string()))?;
    let bytes = read_limited(file_handle).map_err(read_error)?;
    let text = utf8(bytes).map_err(read_error)?;
    let scenario = load_str(&text, &file)?;
    Ok((scenario, text))
}

/// Reads a scenario from standard input (at most the same size as a file).
fn read_stdin() -> Result<(Scenario, String), ScenarioError> {
    let read_error = |reason: String| ScenarioError::Read {
        file: STDIN_LABEL.into(),
        reason,
    };
    let bytes = read_limited(std::io::stdin().lock()).map_err(read_error)?;
    let text = utf8(bytes).map_err(read_error)?;
    let scenario = load_str(&text, STDIN_LABEL)?;
    Ok((scenario, text))
}

/// Reads everything, refusing more than [`MAX_SCENARIO_BYTES`] (also for pipes and special files
/// whose size is not known in advance).
fn read_limited(reader: impl std::io::Read) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    reader
        .take(MAX_SCENARIO_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| error.to_string())?;
    if bytes.len() as u64 > MAX_SCENARIO_BYTES {
        return Err(format!(
            "it is larger than {MAX_SCENARIO_BYTES} bytes, the limit for scenario files"
        ));
    }
    Ok(bytes)
}

fn utf8(bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|error| {
        format!(
            "it is not UTF-8 text (invalid byte at offset {}); scenario files are JSON",
            error.utf8_error().valid_up_to()
        )
    })
}

/// Parses and checks scenario text; `file` names it in errors.
pub fn load_str(text: &str, file: &str) -> Result<Scenario, ScenarioError> {
    let parsed = parse(text, file)?;
    // Keys spelt for another currency than the declared one are problems too.
    let mut key_problems = Vec::new();
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
        let mut ignored = Vec::new();
        let currency = super::currency::check(
            parsed.currency.as_deref(),
            parsed.price_year,
            parsed.also_in.as_deref(),
            &mut ignored,
        );
        super::currency::check_keys(&value, &currency, &mut key_problems);
    }
    let checked = match Scenario::from_file(parsed) {
        Ok(scenario) if key_problems.is_empty() => Ok(scenario),
        Ok(_) => Err(key_problems),
        Err(mut problems) => {
            problems.extend(key_problems);
            Err(problems)
        }
    };
    let mut scenario = checked.map_err(|problems| ScenarioError::Invalid {
        file: file.to_string(),
        problems: problems
            .into_iter()
            .enumerate()
            .map(|(index, problem)| {
                // Locating rescans the text, so only the problems that are shown are located:
                // thousands of problems (6,000 duplicate ids) must not cost minutes.
                if index < SHOWN_PROBLEMS {
                    locate_problem(text, problem)
                } else {
                    LocatedProblem {
                        path: problem.path.to_string(),
                        position: None,
                        message: problem.message,
                    }
                }
            })
            .collect(),
    })?;
    scenario.warnings = super::plausible::implausible_parameters(
        &scenario.model,
        &JsonPath::root().key("model"),
        &scenario.currency,
    )
    .into_iter()
    .map(|warning| locate_problem(text, warning))
    .collect();
    Ok(scenario)
}

/// The scenario's warnings as printed on stderr: `FILE:LINE:COLUMN: warning: at PATH: message`.
pub fn warning_lines(scenario: &Scenario, file: &str) -> Vec<String> {
    scenario
        .warnings
        .iter()
        .map(|warning| {
            let at = warning.to_string_in(file);
            match at.find(": at ") {
                Some(cut) => format!("{}: warning{}", &at[..cut], &at[cut..]),
                None => format!("warning: {at}"),
            }
        })
        .collect()
}

/// The embedded baseline scenario.
pub fn load_baseline() -> Result<Scenario, ScenarioError> {
    load_str(BASELINE_JSON, BASELINE_LABEL)
}

/// A problem located in the text it was found in.
pub(crate) fn locate_problem(text: &str, problem: Problem) -> LocatedProblem {
    LocatedProblem {
        position: locate(text, &problem.path),
        path: problem.path.to_string(),
        message: problem.message,
    }
}

fn parse(text: &str, file: &str) -> Result<ScenarioFile, ScenarioError> {
    if text.trim().is_empty() {
        return Err(ScenarioError::Invalid {
            file: file.to_string(),
            problems: vec![LocatedProblem {
                path: JsonPath::root().to_string(),
                position: Some((1, 1)),
                message: "the file is empty; a scenario is a JSON object (run `clustersim init FILE` for a starter)".into(),
            }],
        });
    }
    if let Some(problem) = not_an_object(text) {
        return Err(ScenarioError::Invalid {
            file: file.to_string(),
            problems: vec![problem],
        });
    }
    deserialize_located(text).map_err(|problem| ScenarioError::Invalid {
        file: file.to_string(),
        problems: vec![problem],
    })
}

/// Deserialises JSON text into `T`, or says where and why it failed (JSON path, line and column,
/// what would be valid). Trailing content after the top-level value is refused too.
pub(crate) fn deserialize_located<T: serde::de::DeserializeOwned>(
    text: &str,
) -> Result<T, LocatedProblem> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parsed: T = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|error| json_problem(text, JsonPath::from(error.path()), error.inner()))?;
    deserializer
        .end()
        .map_err(|error| json_problem(text, JsonPath::root(), &error))?;
    Ok(parsed)
}

/// A scenario must be one JSON object; say so plainly when the text starts like JSON of another
/// kind (judged by its first character, so that even a deeply nested array gets this message).
fn not_an_object(text: &str) -> Option<LocatedProblem> {
    let trimmed = text.trim_start_matches(['\u{feff}', ' ', '\t', '\n', '\r']);
    let found = match trimmed.chars().next()? {
        '{' => return None,
        '[' => "an array",
        '"' => "a string",
        '-' | '0'..='9' => "a number",
        't' | 'f' if trimmed.starts_with("true") || trimmed.starts_with("false") => "a boolean",
        'n' if trimmed.starts_with("null") => "null",
        _ => return None,
    };
    let before = &text[..text.len() - trimmed.len()];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(0, |tail| tail.chars().count())
        + 1;
    Some(LocatedProblem {
        path: JsonPath::root().to_string(),
        position: Some((line, column)),
        message: format!(
            "the file holds {found}, but a scenario is a JSON object {{\"name\": …, \"budget\": …, …}} (run `clustersim init FILE` for a starter)"
        ),
    })
}

/// The text at a 1-based line and column, for recognising what a syntax error stopped at.
fn text_at(text: &str, line: usize, column: usize) -> &str {
    let Some(line_text) = text.split('\n').nth(line.saturating_sub(1)) else {
        return "";
    };
    let start = line_text
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line_text.len(), |(index, _)| index);
    &line_text[start..]
}

fn json_problem(text: &str, path: JsonPath, error: &serde_json::Error) -> LocatedProblem {
    // serde_json counts columns from 0 at the start of a line (e.g. at the end of a file that ends
    // in a newline); positions here are 1-based.
    let position = (error.line() > 0).then(|| (error.line(), error.column().max(1)));
    let valid_json = serde_json::from_str::<serde_json::Value>(text).is_ok();
    let at = text_at(text, error.line(), error.column().max(1));
    let message = if ["NaN", "Infinity", "-Infinity", "+Infinity"]
        .iter()
        .any(|literal| at.starts_with(literal))
    {
        "NaN and Infinity are not JSON numbers; write a finite number".to_string()
    } else if error.to_string().starts_with("number out of range") {
        "number out of range: numbers must be finite and within about ±1.8e308".to_string()
    } else {
        describe_json_error(error, &path, valid_json)
    };
    LocatedProblem {
        message,
        path: path.to_string(),
        position,
    }
}

/// What the enumerated field at the end of `path` accepts.
fn accepted_values_at(path: &JsonPath) -> Option<&'static str> {
    let last = path
        .segments()
        .iter()
        .rev()
        .find_map(|segment| match segment {
            super::json_path::Segment::Key(key) => Some(key.as_str()),
            super::json_path::Segment::Index(_) => None,
        })?;
    accepted_values(last)
}

/// What each enumerated field accepts, for messages about values of the wrong kind.
fn accepted_values(field: &str) -> Option<&'static str> {
    Some(match field {
        "rule" => {
            "\"equal\", \"by_members\", \"by_potential\", {\"competitive\": {…}}, {\"performance\": {…}} or {\"fixed\": {\"shares\": {…}, \"later_clusters\": …}}"
        }
        "status" => "\"operating\" or \"forming\"",
        "profile" => "\"even\" or {\"weights\": [one number per funding year]}",
        "unabsorbed" => "\"carry_over\" or \"return\"",
        "kind" => "\"data\" or \"assumption\"",
        "later_clusters" => {
            "\"none\" or a share ≥ 0 (e.g. 0.1) for each forming cluster not listed in shares"
        }
        _ => return None,
    })
}

/// Variants of the enumerated fields that take settings (written as an object), with an
/// example of each; every other variant is written as a string.
fn variant_example(field: &str, variant: &str) -> Option<&'static str> {
    Some(match (field, variant) {
        ("rule", "competitive") => {
            "\"rule\": {\"competitive\": {}} for the default settings, or e.g. \"rule\": {\"competitive\": {\"request_ltl_per_member\": 60000, \"request_base_ltl\": 1000000, \"quality_sd\": 0.2}}"
        }
        ("rule", "performance") => {
            "\"rule\": {\"performance\": {}} for the default settings, or e.g. \"rule\": {\"performance\": {\"base_share\": 0.5}}"
        }
        ("rule", "fixed") => {
            "\"rule\": {\"fixed\": {\"shares\": {\"CLUSTER-ID\": 0.6, \"OTHER-CLUSTER-ID\": 0.4}, \"later_clusters\": \"none\"}} (one share per cluster id)"
        }
        ("profile", "weights") => {
            "\"profile\": {\"weights\": [1, 2, 2, 1]} (one weight per funding year)"
        }
        _ => return None,
    })
}

/// The enumerated field a path points into, and the variant named in it if any: `policy.rule`
/// → ("rule", None); `policy.rule.competitive` → ("rule", Some("competitive")).
fn enumerated_field(path: &JsonPath) -> Option<(&str, Option<&str>)> {
    let keys: Vec<&str> = path
        .segments()
        .iter()
        .filter_map(|segment| match segment {
            super::json_path::Segment::Key(key) => Some(key.as_str()),
            super::json_path::Segment::Index(_) => None,
        })
        .collect();
    match keys.as_slice() {
        [.., field] if accepted_values(field).is_some() => Some((field, None)),
        [.., field, variant] if accepted_values(field).is_some() => Some((field, Some(variant))),
        _ => None,
    }
}

/// A message in the user's words for an enumerated value written in the wrong form: a variant
/// with settings written as a string, or one without settings written as an object.
fn enum_form_message(path: &JsonPath, message: &str) -> Option<String> {
    let (field, variant) = enumerated_field(path)?;
    let accepted = accepted_values(field)?;
    let variant = variant?;
    if message.contains("expected newtype variant") || message.contains("expected tuple variant") {
        let example = variant_example(field, variant)?;
        return Some(format!(
            "\"{variant}\" takes settings, so it is written as an object, not as a string: \
             {example}; {field} accepts {accepted}"
        ));
    }
    if message.contains("expected unit") {
        return Some(format!(
            "\"{variant}\" has no settings, so it is written as a string, not as an object: \
             \"{field}\": \"{variant}\"; {field} accepts {accepted}"
        ));
    }
    None
}

/// serde_json's message without its trailing " at line L column C" (shown separately), in
/// plain words, with a hint for the common classes of mistake.
fn describe_json_error(error: &serde_json::Error, path: &JsonPath, valid_json: bool) -> String {
    let text = error.to_string();
    let mut message = match text.rfind(" at line ") {
        Some(cut) => text[..cut].to_string(),
        None => text,
    };
    for (rust, plain) in [
        ("expected f64", "expected a number"),
        ("expected u64", "expected a whole number ≥ 0"),
        ("expected i32", "expected a whole number (a year)"),
        ("expected usize", "expected a whole number ≥ 0"),
    ] {
        message = message.replace(rust, plain);
    }
    if let Some(plain) = enum_form_message(path, &message) {
        return plain;
    }
    if let Some(accepted) = accepted_values_at(path)
        && message.starts_with("data did not match any variant")
    {
        return format!("a value of the wrong kind here; valid values are {accepted}");
    }
    if let Some(accepted) = accepted_values_at(path)
        && message.starts_with("unknown variant")
    {
        let cut = message.find(", expected").unwrap_or(message.len());
        return format!("{}; valid values are {accepted}", &message[..cut]);
    }
    if let Some(accepted) = accepted_values_at(path)
        && (message.starts_with("expected value") || message.starts_with("invalid type"))
    {
        if message.starts_with("expected value") {
            return format!("a value of the wrong kind here; valid values are {accepted}");
        }
        return format!("{message}; valid values are {accepted}");
    }
    match error.classify() {
        serde_json::error::Category::Eof => {
            format!("{message}: the file ends early (truncated JSON?)")
        }
        serde_json::error::Category::Syntax if !valid_json => {
            format!("{message}: this is not valid JSON")
        }
        serde_json::error::Category::Syntax => {
            format!("{message}: a value of the wrong kind for this field (see docs/SCENARIO.md)")
        }
        _ => message,
    }
}
