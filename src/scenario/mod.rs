//! Scenario files: serde types, distributions, validation into a checked plan.

pub mod correlations;
pub mod currency;
pub mod distribution;
pub mod formation_slots;
pub mod json_path;
pub mod load;
pub mod measures;
pub mod model_parameters;
pub mod observations;
pub mod plan;
pub mod plausible;
pub mod policy_plan;
pub mod posterior;
pub mod provenance;
pub mod spec;

pub use correlations::Correlations;
pub use distribution::{Distribution, Param};
pub use load::{
    BASELINE_JSON, BASELINE_LABEL, STDIN_LABEL, ScenarioError, load_baseline, load_path, load_str,
    read_path, warning_lines,
};
pub use measures::Measure;
pub use model_parameters::{ModelParameters, PARAMETER_TABLE, ParameterInfo};
pub use plan::{Budget, Cluster, ParameterSlot, Scenario, Sector, Valley};
pub use policy_plan::{NamedPolicy, Policy, RULE_KINDS, Rule};
pub use posterior::{POSTERIOR_FILE, Posterior, PosteriorError, posterior_folder};
pub use spec::{
    ClusterStatus, CorrelationSpec, ScenarioFile, SourceKind, Unabsorbed, Uncontracted,
};
