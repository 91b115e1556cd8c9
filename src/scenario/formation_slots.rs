//! Generated cluster initiatives: the slots a sector's formation process may fill beyond the
//! clusters named in the file.
//!
//! A sector holds at most `max_clusters` initiatives over a run, its named clusters included.
//! The rest are generated here, after the named ones, as forming clusters with ids
//! `<sector>-initiative-<k>` (k counting on from the sector's named clusters) and the union of
//! the named clusters' research fields (so they share their valleys). The model forms a sector's
//! forming clusters strictly in order: named ones first, in file order, then generated ones.

use std::collections::BTreeSet;

use super::json_path::JsonPath;
use super::plan::{Cluster, Problem, Sector};
use super::spec::{ClusterStatus, ScenarioFile};

/// Most initiatives one sector may hold.
pub const MAX_CLUSTERS_PER_SECTOR: u64 = 1000;

/// Sets each sector's `max_clusters` and appends its generated forming clusters to `clusters`,
/// pushing a problem for an invalid `max_clusters` or a generated id that clashes with a named
/// cluster's.
pub(super) fn add_generated(
    file: &ScenarioFile,
    sectors: &mut [Sector],
    clusters: &mut Vec<Cluster>,
    problems: &mut Vec<Problem>,
) {
    let named_ids: BTreeSet<&str> = file.clusters.iter().map(|c| c.id.as_str()).collect();
    for (index, (spec, sector)) in file.sectors.iter().zip(sectors.iter_mut()).enumerate() {
        let named: Vec<&Cluster> = clusters.iter().filter(|c| c.sector == index).collect();
        let named_count = named.len() as u64;
        let max = spec.max_clusters.unwrap_or(named_count);
        if spec.max_clusters.is_some()
            && !(named_count.max(1)..=MAX_CLUSTERS_PER_SECTOR).contains(&max)
        {
            problems.push(Problem {
                path: JsonPath::root()
                    .key("sectors")
                    .index(index)
                    .key("max_clusters"),
                message: format!(
                    "max_clusters counts the sector's named clusters too: between {} and {MAX_CLUSTERS_PER_SECTOR} is expected (got {max})",
                    named_count.max(1)
                ),
            });
            sector.max_clusters = named_count;
            continue;
        }
        sector.max_clusters = max;
        let mut fields: Vec<String> = Vec::new();
        for cluster in file.clusters.iter().filter(|c| c.sector == spec.id) {
            for field in &cluster.fields {
                if !fields.contains(field) {
                    fields.push(field.clone());
                }
            }
        }
        let valleys: Vec<usize> = file
            .valleys
            .iter()
            .enumerate()
            .filter(|(_, valley)| valley.fields.iter().any(|field| fields.contains(field)))
            .map(|(valley, _)| valley)
            .collect();
        for number in named_count + 1..=max {
            let id = format!("{}-initiative-{number}", spec.id);
            if named_ids.contains(id.as_str()) {
                problems.push(Problem {
                    path: JsonPath::root()
                        .key("sectors")
                        .index(index)
                        .key("max_clusters"),
                    message: format!(
                        "the generated initiative id '{id}' is already a named cluster's id; rename that cluster"
                    ),
                });
            }
            clusters.push(Cluster {
                id,
                name: format!("{} initiative {number}", spec.name),
                sector: index,
                status: ClusterStatus::Forming,
                initial_members: 0,
                initial_links: 0,
                founded_quarter: None,
                valleys: valleys.clone(),
                research_partners: 0,
                generated: true,
            });
        }
    }
}
