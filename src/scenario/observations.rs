//! Observations: members of named clusters counted at known dates. They are not model inputs;
//! reports draw them against the simulated trajectories (and a calibration can use them).

use std::collections::BTreeMap;

use super::json_path::JsonPath;
use super::plan::{Problem, list_or_none};
use super::spec::ObservationSpec;

/// A checked observation.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// Index of the observed cluster in [`Scenario::clusters`](super::Scenario::clusters).
    pub cluster: usize,
    /// Decimal year.
    pub date: f64,
    /// Members observed.
    pub members: u64,
}

/// Checks the observations against the named clusters (`cluster_index`: id → index), pushing a
/// problem for an unknown cluster or a date that is not a plausible decimal year.
pub(super) fn check(
    specs: &[ObservationSpec],
    cluster_index: &BTreeMap<String, usize>,
    problems: &mut Vec<Problem>,
) -> Vec<Observation> {
    let path = JsonPath::root().key("observations");
    let ids: Vec<String> = cluster_index.keys().cloned().collect();
    let mut out = Vec::with_capacity(specs.len());
    for (index, spec) in specs.iter().enumerate() {
        let path = path.index(index);
        let cluster = cluster_index.get(&spec.cluster).copied();
        if cluster.is_none() {
            problems.push(Problem {
                path: path.key("cluster"),
                message: format!(
                    "unknown cluster '{}'; valid: {}",
                    spec.cluster,
                    list_or_none(&ids)
                ),
            });
        }
        if !(spec.date.is_finite() && (1800.0..=2300.0).contains(&spec.date)) {
            problems.push(Problem {
                path: path.key("date"),
                message: format!(
                    "a decimal year between 1800 and 2300 is expected, e.g. 2012.5 for mid-2012 (got {})",
                    spec.date
                ),
            });
        }
        if let Some(cluster) = cluster {
            out.push(Observation {
                cluster,
                date: spec.date,
                members: spec.members,
            });
        }
    }
    out
}
