//! clustersim: Monte Carlo simulation of how a public cluster-support budget, allocated by a
//! chosen policy, grows SME cooperation networks.
//!
//! The pipeline runs scenario → policy/model → engine → stats → report; each stage is a module.

pub mod scenario;
pub mod stats;
