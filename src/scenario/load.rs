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
    #[error("{}", format_problems(file, problems))]
    Invalid {
        /// File as given.
        file: String,
        /// Every problem found (at least one).
        problems: Vec<LocatedProblem>,
    },
}

fn format_problems(file: &str, problems: &[LocatedProblem]) -> String {
    let mut out = String::new();
    let count = problems.len();
    if count > 1 {
        out.push_str(&format!("scenario '{file}' has {count} problems:\n"));
    }
    for (index, problem) in problems.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        out.push_str(&problem.to_string_in(file));
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

/// Reads and checks a scenario file, returning its text too (for hashing and copying).
pub fn read_path(path: &Path) -> Result<(Scenario, String), ScenarioError> {
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
    let bytes = std::fs::read(path).map_err(|error| read_error(error.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|error| {
        read_error(format!(
            "it is not UTF-8 text (invalid byte at offset {}); scenario files are JSON",
            error.utf8_error().valid_up_to()
        ))
    })?;
    let scenario = load_str(&text, &file)?;
    Ok((scenario, text))
}

/// Parses and checks scenario text; `file` names it in errors.
pub fn load_str(text: &str, file: &str) -> Result<Scenario, ScenarioError> {
    let parsed = parse(text, file)?;
    Scenario::from_file(parsed).map_err(|problems| ScenarioError::Invalid {
        file: file.to_string(),
        problems: problems
            .into_iter()
            .map(|problem| locate_problem(text, problem))
            .collect(),
    })
}

/// The embedded baseline scenario.
pub fn load_baseline() -> Result<Scenario, ScenarioError> {
    load_str(BASELINE_JSON, BASELINE_LABEL)
}

fn locate_problem(text: &str, problem: Problem) -> LocatedProblem {
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
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parsed: ScenarioFile = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|error| json_error(file, &error.path().to_string(), error.inner()))?;
    // Reject trailing content after the top-level object.
    deserializer
        .end()
        .map_err(|error| json_error(file, "", &error))?;
    Ok(parsed)
}

fn json_error(file: &str, path: &str, error: &serde_json::Error) -> ScenarioError {
    let position = (error.line() > 0).then(|| (error.line(), error.column()));
    ScenarioError::Invalid {
        file: file.to_string(),
        problems: vec![LocatedProblem {
            path: JsonPath::parse(path).to_string(),
            position,
            message: describe_json_error(error),
        }],
    }
}

/// serde_json's message without its trailing " at line L column C" (shown separately), with a
/// hint for the common classes of mistake.
fn describe_json_error(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let message = match text.rfind(" at line ") {
        Some(cut) => text[..cut].to_string(),
        None => text,
    };
    match error.classify() {
        serde_json::error::Category::Eof => {
            format!("{message}: the file ends early (truncated JSON?)")
        }
        serde_json::error::Category::Syntax => format!("{message}: this is not valid JSON"),
        _ => message,
    }
}
