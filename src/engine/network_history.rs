//! The history of one run's networks, for export: every member's and every tie's spells of
//! presence, recorded by simulating the run again on its own streams.
//!
//! Runs do not record their networks (that would cost memory and time in every run); a run
//! selected for export is simulated once more — same parameters, same streams, so the same
//! events — and its networks are read at the start and at the end of every quarter. A member is
//! known by its cluster and permanent number ([`Network::firm_id`]), a tie by its cluster and its
//! ends' numbers. The resolution is one quarter: a tie formed and dissolved within one quarter
//! never shows.

use std::str::FromStr;

use rustc_hash::FxHashMap;

use crate::model::network::Network;
use crate::model::{Simulation, draw_parameters};
use crate::policy::rule_for;
use crate::scenario::Scenario;

/// A member's presence: from snapshot `start` to snapshot `last`, both included. Snapshot 0 is
/// the start of the first quarter; snapshot s > 0 the end of quarter s − 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberSpell {
    /// Index of the cluster.
    pub cluster: usize,
    /// The member's permanent number in its cluster.
    pub firm: u64,
    /// Whether it is a sole proprietorship.
    pub sole: bool,
    /// First snapshot present.
    pub start: usize,
    /// Last snapshot present.
    pub last: usize,
}

/// A tie and the spells (first, last snapshot, both included) in which it existed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TieHistory {
    /// Index of the cluster.
    pub cluster: usize,
    /// The permanent numbers of its ends, lower first.
    pub ends: [u64; 2],
    /// Spells, in time order, never overlapping or touching.
    pub spells: Vec<(usize, usize)>,
}

/// The networks of one run over time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkHistory {
    /// Run index.
    pub run: u64,
    /// Number of snapshots: quarters + 1.
    pub snapshots: usize,
    /// Members in order of first appearance (cluster order within a snapshot).
    pub members: Vec<MemberSpell>,
    /// Ties in order of first appearance.
    pub ties: Vec<TieHistory>,
}

impl NetworkHistory {
    /// The last snapshot (the horizon).
    pub fn horizon(&self) -> usize {
        self.snapshots - 1
    }

    /// Members present at the horizon.
    pub fn members_at_horizon(&self) -> impl Iterator<Item = &MemberSpell> {
        self.members.iter().filter(|m| m.last == self.horizon())
    }

    /// Ties present at the horizon.
    pub fn ties_at_horizon(&self) -> impl Iterator<Item = &TieHistory> {
        self.ties
            .iter()
            .filter(|t| t.spells.last().is_some_and(|s| s.1 == self.horizon()))
    }
}

/// Which runs to export: `median` (the run at the lower median of networked SMEs at the horizon,
/// the lowest run index among ties) and run indices, comma-separated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSelection {
    /// Whether the median run is selected.
    pub median: bool,
    /// Run indices selected.
    pub runs: Vec<u64>,
}

/// A run selection that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "--export-network: '{item}' is not a run selection; give `median` or run indices (0, 1, …), comma-separated, e.g. `median,0,17`"
)]
pub struct RunSelectionError {
    /// The item that is neither `median` nor a run index.
    pub item: String,
}

impl FromStr for RunSelection {
    type Err = RunSelectionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut selection = RunSelection {
            median: false,
            runs: Vec::new(),
        };
        for item in text.split(',').map(str::trim) {
            if item == "median" {
                selection.median = true;
            } else {
                let run = item.parse().map_err(|_| RunSelectionError {
                    item: item.to_string(),
                })?;
                selection.runs.push(run);
            }
        }
        Ok(selection)
    }
}

impl RunSelection {
    /// The selected run indices, ascending and without repeats, given the runs' networked SMEs at
    /// the horizon in run order (for `median`).
    pub fn resolve(&self, networked_smes: &[f64]) -> Vec<u64> {
        let mut runs = self.runs.clone();
        if self.median
            && let Some(run) = median_run(networked_smes)
        {
            runs.push(run);
        }
        runs.sort_unstable();
        runs.dedup();
        runs
    }
}

/// The run at the lower median of `values` (by value, then run index); None without values.
pub fn median_run(values: &[f64]) -> Option<u64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
    order
        .get(values.len().saturating_sub(1) / 2)
        .map(|&run| run as u64)
}

/// Simulates run `run` of the scenario under its policy again and records its networks' history.
pub fn record_history(scenario: &Scenario, seed: u64, run: u64) -> NetworkHistory {
    let slots = scenario.parameter_slots();
    let rule = rule_for(&scenario.policy.rule);
    let parameters = draw_parameters(scenario, &slots, seed, run);
    let mut simulation = Simulation::new(scenario, &parameters, Some(rule.as_ref()), seed, run);
    let mut recorder = Recorder::default();
    recorder.snapshot(simulation.clusters().iter().map(|c| &c.network));
    while !simulation.finished() {
        simulation.step();
        recorder.snapshot(simulation.clusters().iter().map(|c| &c.network));
    }
    NetworkHistory {
        run,
        snapshots: recorder.snapshots,
        members: recorder.members,
        ties: recorder.ties,
    }
}

/// Builds spells from successive snapshots of the networks.
#[derive(Default)]
struct Recorder {
    snapshots: usize,
    members: Vec<MemberSpell>,
    ties: Vec<TieHistory>,
    /// (cluster, firm) → index into `members`, for members present at the last snapshot.
    open_members: FxHashMap<(usize, u64), usize>,
    /// (cluster, lower firm, higher firm) → index into `ties`.
    tie_index: FxHashMap<(usize, u64, u64), usize>,
}

impl Recorder {
    fn snapshot<'a>(&mut self, networks: impl Iterator<Item = &'a Network>) {
        let now = self.snapshots;
        for (cluster, network) in networks.enumerate() {
            for node in 0..network.members() as u32 {
                let firm = network.firm_id(node);
                match self.open_members.get(&(cluster, firm)) {
                    Some(&index) => self.members[index].last = now,
                    None => {
                        self.open_members
                            .insert((cluster, firm), self.members.len());
                        self.members.push(MemberSpell {
                            cluster,
                            firm,
                            sole: network.is_sole(node),
                            start: now,
                            last: now,
                        });
                    }
                }
            }
            for [a, b] in network.tie_ends() {
                let (a, b) = (network.firm_id(a), network.firm_id(b));
                let ends = [a.min(b), a.max(b)];
                let key = (cluster, ends[0], ends[1]);
                match self.tie_index.get(&key) {
                    Some(&index) => {
                        let spells = &mut self.ties[index].spells;
                        match spells.last_mut() {
                            Some(spell) if now > 0 && spell.1 == now - 1 => spell.1 = now,
                            _ => spells.push((now, now)),
                        }
                    }
                    None => {
                        self.tie_index.insert(key, self.ties.len());
                        self.ties.push(TieHistory {
                            cluster,
                            ends,
                            spells: vec![(now, now)],
                        });
                    }
                }
            }
        }
        let members = &self.members;
        self.open_members
            .retain(|_, index| members[*index].last == now);
        self.snapshots += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selections_parse_and_resolve_in_order() {
        let selection: RunSelection = "7, median,2,7".parse().unwrap();
        assert_eq!(
            selection,
            RunSelection {
                median: true,
                runs: vec![7, 2, 7]
            }
        );
        // Values 5, 1, 5, 3 → ordered runs 1 (1), 3 (3), 0 (5), 2 (5): lower median is run 3.
        assert_eq!(selection.resolve(&[5.0, 1.0, 5.0, 3.0]), [2, 3, 7]);
        let error = "median,last".parse::<RunSelection>().unwrap_err();
        assert!(error.to_string().contains("'last'"), "{error}");
        assert!("".parse::<RunSelection>().is_err());
    }

    #[test]
    fn median_run_breaks_ties_by_run_index() {
        assert_eq!(median_run(&[]), None);
        assert_eq!(median_run(&[4.0]), Some(0));
        assert_eq!(median_run(&[2.0, 2.0, 2.0]), Some(1));
        assert_eq!(median_run(&[9.0, 1.0, 5.0]), Some(2));
    }

    #[test]
    fn spells_follow_members_and_ties_through_renumbering_and_reforming() {
        let mut recorder = Recorder::default();
        let mut network = Network::default();
        for sole in [false, true, false] {
            network.add_member(sole);
        }
        network.add_tie(0, 1);
        network.add_tie(1, 2);
        recorder.snapshot(std::iter::once(&network)); // 0: members 0,1,2; ties 0-1, 1-2
        network.remove_tie(0);
        recorder.snapshot(std::iter::once(&network)); // 1: tie 0-1 gone
        network.add_tie(0, 1);
        network.remove_member(0); // firm 2 becomes node 0
        recorder.snapshot(std::iter::once(&network)); // 2: firms 1, 2; tie 1-2 only
        network.add_tie(0, 1);
        recorder.snapshot(std::iter::once(&network)); // 3: same (duplicate rejected)
        network.remove_tie(0);
        recorder.snapshot(std::iter::once(&network)); // 4: no ties
        network.add_tie(1, 0);
        recorder.snapshot(std::iter::once(&network)); // 5: tie 1-2 again, a second spell
        let spans: Vec<(u64, bool, usize, usize)> = recorder
            .members
            .iter()
            .map(|m| (m.firm, m.sole, m.start, m.last))
            .collect();
        assert_eq!(spans, [(0, false, 0, 1), (1, true, 0, 5), (2, false, 0, 5)]);
        let ends: Vec<[u64; 2]> = recorder.ties.iter().map(|t| t.ends).collect();
        assert_eq!(ends, [[0, 1], [1, 2]]);
        assert_eq!(recorder.ties[0].spells, [(0, 0)]);
        assert_eq!(recorder.ties[1].spells, [(0, 3), (5, 5)]);
    }
}
