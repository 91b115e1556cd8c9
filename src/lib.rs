//! clustersim: Monte Carlo simulation of how a public cluster-support budget, allocated by a
//! chosen policy, grows SME cooperation networks.
//!
//! The pipeline runs scenario → policy/model → engine → stats → report; each stage is a module.

pub mod calibration;
pub mod cli;
pub mod commands;
pub mod engine;
pub mod model;
pub mod money;
pub mod policy;
pub mod report;
pub mod scaleout;
pub mod scenario;
pub mod stats;
