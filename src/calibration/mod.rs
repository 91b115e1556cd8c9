//! Calibration: conditioning the scenario's uncertain inputs on observations with ABC-SMC
//! (docs/CALIBRATION.md). A targets file names simulated quantities and what was observed
//! ([`targets`]); the generic algorithm ([`abc`]) runs on the scenario's priors ([`prior`]) and
//! simulator ([`run`]); [`fit`] summarises the predictive distributions per target.

pub mod abc;
pub mod fit;
pub mod kernel;
pub mod prior;
pub mod run;
pub mod targets;
pub mod targets_file;
