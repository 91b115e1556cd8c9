//! Scenario files: serde types, distributions, validation into a checked plan.

pub mod distribution;
pub mod json_path;
