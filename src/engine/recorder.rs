//! Recording one funded simulation's quarters: the outcome series of [`super::outcomes`], one
//! quarter at a time, at a cost that follows the clusters that exist rather than the ledger's
//! history, and the year-end network structure measured in reused arrays.
//!
//! What a quarter's values are is defined in docs/MODEL.md §12.2–§12.3 and in
//! [`super::outcomes`]; this file only computes them cheaply, with the same bits (integer sums
//! may be regrouped, floating-point sums keep their order). Three things carry over from one
//! quarter to the next:
//!
//! - the money of finished funding years: a ledger entry of year y sums the quarters of year y
//!   only (docs/MODEL.md §9), so once year y is over its entries never change and entries of
//!   years not yet begun are zero; the recorder adds each finished year once, and each quarter
//!   reads only its own year's entries (none after the funding period), instead of the whole
//!   ledger once per cluster;
//! - the quarter pushed last: each cluster's inputs (its funded and counterfactual records and
//!   absorbed money), so that a cluster whose inputs did not change is copied, not recomputed,
//!   and the integer totals, updated by the changed clusters only;
//! - the structure [`Workspace`](crate::model::structure::Workspace), whose arrays serve every
//!   year-end measurement of the run (held by the caller, shared by the policies of a run).

use super::outcomes::{
    CLUSTER_OUTCOMES, NETWORK_OUTCOMES, TOTAL_OUTCOMES, cost_per_additional, density, mean_degree,
    ratio, slots_per_quarter,
};
use crate::model::structure::Structure;
use crate::model::{ClusterRecord, LedgerEntry};
use crate::money::amount_from_cents;

/// Inputs for one quarter's series values.
pub struct QuarterState<'a> {
    /// The quarter just simulated (0 = the first quarter of the first year).
    pub quarter: usize,
    /// Funded run, end-of-quarter cluster records.
    pub funded: &'a [ClusterRecord],
    /// Counterfactual (no funding) run, same quarter.
    pub counterfactual: &'a [ClusterRecord],
    /// Which clusters were forming at the start.
    pub initially_forming: &'a [bool],
    /// Total SMEs in all sectors.
    pub total_firms: u64,
    /// Funded run's ledger so far, indexed `(year · clusters + cluster) · 2 + instrument`.
    pub ledger: &'a [LedgerEntry],
    /// Budget the funded run's policy left unallocated so far (returned at once), cents.
    pub withheld_cents: i64,
    /// Added value attributable to networking so far, funded and counterfactual, LTL.
    pub added_value: (f64, f64),
    /// The funded run's network structure per cluster and in total, in quarters where it is
    /// measured ([`super::outcomes::structure_measured`]); None leaves the structure outcomes
    /// undefined.
    pub structure: Option<(&'a [Structure], &'a Structure)>,
    /// Sole proprietors' share of the firms of each cluster's sector.
    pub sector_sole_share: &'a [f64],
    /// Sole proprietors' share of all firms.
    pub total_sole_share: f64,
}

/// Money totals of a set of ledger entries, cents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Money {
    allocated: i64,
    absorbed: i64,
    returned: i64,
}

/// The recording state of one funded simulation (one policy of one run).
#[derive(Debug, Default)]
pub struct Recorder {
    /// Funding years whose ledger entries are added into `settled_*` (all years before the
    /// current one).
    settled_years: usize,
    /// Per cluster: cents absorbed in the settled years, both instruments.
    settled_absorbed: Vec<i64>,
    /// All clusters' money in the settled years.
    settled: Money,
    /// Per cluster: cents absorbed so far (this quarter's values).
    absorbed: Vec<i64>,
    /// Per cluster: the inputs of its count values in the quarter pushed last.
    inputs: Vec<ClusterInputs>,
    /// The clusters' inputs summed (the integer totals of the quarter pushed last).
    sums: Sums,
    /// Whether the quarter pushed last had its structure measured.
    structure_last: bool,
    /// The length of the series after the quarter pushed last (None before the first).
    end: Option<usize>,
}

impl Recorder {
    /// Adds the ledger entries of the funding years before `year` not yet added, then sets
    /// `absorbed` and returns the money so far: the settled years plus `year`'s own entries.
    fn money_so_far(&mut self, ledger: &[LedgerEntry], clusters: usize, year: usize) -> Money {
        let block = 2 * clusters;
        let years = ledger.len().checked_div(block).unwrap_or(0);
        self.settled_absorbed.resize(clusters, 0);
        while self.settled_years < year.min(years) {
            let entries = &ledger[self.settled_years * block..][..block];
            add_year(entries, &mut self.settled_absorbed, &mut self.settled);
            self.settled_years += 1;
        }
        self.absorbed.clear();
        self.absorbed.extend_from_slice(&self.settled_absorbed);
        let mut money = self.settled;
        if year < years {
            add_year(
                &ledger[year * block..][..block],
                &mut self.absorbed,
                &mut money,
            );
        }
        money
    }

    /// Appends one quarter's series values (cluster blocks, then totals) to `out`, the values
    /// [`CLUSTER_OUTCOMES`] and [`TOTAL_OUTCOMES`] name.
    ///
    /// A cluster's count values are a function of its funded and counterfactual records and its
    /// absorbed cents only. When `out` ends with the quarter this recorder pushed last, that
    /// quarter is copied as a whole and only the clusters whose inputs changed are computed
    /// again (in the baseline most of the 96 slots never form, and their values never change);
    /// the integer totals follow the changed clusters the same way ([`Sums`]), and the
    /// structure values are written in measured quarters and in the quarters after them.
    pub fn push_quarter(&mut self, state: &QuarterState<'_>, out: &mut Vec<f64>) {
        let clusters = state.funded.len();
        let money = self.money_so_far(state.ledger, clusters, state.quarter / 4);
        let width = slots_per_quarter(clusters);
        let begin = out.len();
        let copied = self.end == Some(begin) && begin >= width && self.inputs.len() == clusters;
        if copied {
            out.extend_from_within(begin - width..begin);
        } else {
            out.resize(begin + width, 0.0);
            self.inputs.clear();
            self.sums = Sums::default();
        }
        // The copied quarter's structure values are already NaN where this quarter's must be.
        let structure_written = !copied || self.structure_last || state.structure.is_some();
        let (cells, totals) = out[begin..].split_at_mut(clusters * CLUSTER_OUTCOMES.len());
        for (index, (((record, counterfactual), &absorbed), cell)) in state
            .funded
            .iter()
            .zip(state.counterfactual)
            .zip(&self.absorbed)
            .zip(cells.chunks_exact_mut(CLUSTER_OUTCOMES.len()))
            .enumerate()
        {
            let inputs = ClusterInputs {
                funded: *record,
                counterfactual: *counterfactual,
                absorbed,
            };
            let forming = state.initially_forming[index];
            let (counts, structure) =
                cell.split_at_mut(CLUSTER_OUTCOMES.len() - NETWORK_OUTCOMES.len());
            if !copied {
                count_values(&inputs, counts);
                self.sums.add(&inputs, forming);
                self.inputs.push(inputs);
            } else if self.inputs[index] != inputs {
                count_values(&inputs, counts);
                self.sums.remove(&self.inputs[index], forming);
                self.sums.add(&inputs, forming);
                self.inputs[index] = inputs;
            }
            if structure_written {
                structure_values(
                    state.structure.map(|(parts, _)| &parts[index]),
                    state.sector_sole_share[index],
                    structure,
                );
            }
        }
        self.structure_last = state.structure.is_some();
        let Sums {
            members,
            links,
            networked,
            networked_counterfactual,
            operating,
            formed,
            projects,
            pairs,
        } = self.sums;
        let pairs = if members < 1 << 26 {
            // Every term m(m − 1)/2 and every partial sum is then an integer below 2⁵³, which
            // f64 holds exactly, so the sum in cluster order is the integer sum.
            count(pairs)
        } else {
            state
                .funded
                .iter()
                .map(|r| count(r.members) * (count(r.members) - 1.0).max(0.0) / 2.0)
                .sum()
        };
        let returned = money.returned + state.withheld_cents;
        let absorbed_ltl = amount_from_cents(money.absorbed);
        let additional = count(networked) - count(networked_counterfactual);
        let additional_value = state.added_value.0 - state.added_value.1;
        let (counts, structure) =
            totals.split_at_mut(TOTAL_OUTCOMES.len() - NETWORK_OUTCOMES.len());
        counts.copy_from_slice(&[
            count(members),
            count(links),
            count(networked),
            ratio(count(networked), count(state.total_firms)),
            count(networked_counterfactual),
            additional,
            if pairs > 0.0 {
                count(links) / pairs
            } else {
                0.0
            },
            mean_degree(members, links),
            count(operating),
            count(formed),
            count(projects),
            state.added_value.0,
            additional_value,
            amount_from_cents(money.allocated),
            absorbed_ltl,
            amount_from_cents(returned),
            cost_per_additional(absorbed_ltl, additional),
            ratio(additional_value, absorbed_ltl),
        ]);
        structure_values(
            state.structure.map(|(_, total)| total),
            state.total_sole_share,
            structure,
        );
        self.end = Some(out.len());
    }
}

/// What one cluster's count values in a quarter are a function of.
#[derive(Debug, Clone, Copy, PartialEq)]
struct ClusterInputs {
    /// The funded run's record.
    funded: ClusterRecord,
    /// The counterfactual's record.
    counterfactual: ClusterRecord,
    /// Cents absorbed so far (both instruments, all years).
    absorbed: i64,
}

/// The integer totals over clusters of the funded records (and the counterfactual's networked
/// SMEs), kept up to date by removing a changed cluster's old inputs and adding its new ones:
/// integer sums do not depend on the order of their terms.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    members: u64,
    links: u64,
    networked: u64,
    networked_counterfactual: u64,
    operating: u64,
    /// Operating clusters that were forming at the start.
    formed: u64,
    projects: u64,
    /// Σ m(m − 1)/2: pairs of members within clusters.
    pairs: u64,
}

impl Sums {
    /// The terms of one cluster: (members, links, networked, counterfactual networked,
    /// operating, formed, projects, pairs).
    fn terms(inputs: &ClusterInputs, forming: bool) -> [u64; 8] {
        let record = &inputs.funded;
        [
            record.members,
            record.links,
            record.networked,
            inputs.counterfactual.networked,
            u64::from(record.operating),
            u64::from(record.operating && forming),
            record.projects,
            // Exact unless a cluster has 2³² members or more, when the sum is not used (see
            // `push_quarter`).
            record
                .members
                .wrapping_mul(record.members.saturating_sub(1))
                / 2,
        ]
    }

    fn fields(&mut self) -> [&mut u64; 8] {
        [
            &mut self.members,
            &mut self.links,
            &mut self.networked,
            &mut self.networked_counterfactual,
            &mut self.operating,
            &mut self.formed,
            &mut self.projects,
            &mut self.pairs,
        ]
    }

    fn add(&mut self, inputs: &ClusterInputs, forming: bool) {
        for (sum, term) in self.fields().into_iter().zip(Self::terms(inputs, forming)) {
            *sum = sum.wrapping_add(term);
        }
    }

    fn remove(&mut self, inputs: &ClusterInputs, forming: bool) {
        for (sum, term) in self.fields().into_iter().zip(Self::terms(inputs, forming)) {
            *sum = sum.wrapping_sub(term);
        }
    }
}

/// Writes a cluster's count values (the outcomes before [`NETWORK_OUTCOMES`] in
/// [`CLUSTER_OUTCOMES`]). The `additional_*` ones are the funded value minus the
/// counterfactual's.
fn count_values(inputs: &ClusterInputs, out: &mut [f64]) {
    let (record, counterfactual) = (&inputs.funded, &inputs.counterfactual);
    let additional = count(record.networked) - count(counterfactual.networked);
    let absorbed_ltl = amount_from_cents(inputs.absorbed);
    out.copy_from_slice(&[
        count(record.members),
        count(record.links),
        count(record.networked),
        density(record.members, record.links),
        mean_degree(record.members, record.links),
        count(record.projects),
        f64::from(u8::from(record.operating)),
        count(record.members) - count(counterfactual.members),
        count(record.links) - count(counterfactual.links),
        additional,
        absorbed_ltl,
        cost_per_additional(absorbed_ltl, additional),
    ]);
}

/// Adds one funding year's ledger entries (`2 · clusters` of them) to the clusters' absorbed
/// cents and to the money totals.
fn add_year(entries: &[LedgerEntry], absorbed: &mut [i64], money: &mut Money) {
    for (pair, absorbed) in entries.chunks_exact(2).zip(absorbed.iter_mut()) {
        *absorbed += pair[0].absorbed + pair[1].absorbed;
        money.allocated += pair[0].allocated + pair[1].allocated;
        money.absorbed += pair[0].absorbed + pair[1].absorbed;
        money.returned += pair[0].returned + pair[1].returned;
    }
}

/// A count as a floating-point number: the same value as `value as f64`, converted through
/// the signed integer (one instruction on x86-64) when it fits, as every count of the model does.
fn count(value: u64) -> f64 {
    match i64::try_from(value) {
        Ok(signed) => signed as f64,
        Err(_) => value as f64,
    }
}

/// Writes the network-structure values (in [`NETWORK_OUTCOMES`] order) of `structure`, or NaN
/// for each when it was not measured. Sole representation is the members' sole share divided by
/// the sector's (below 1: sole proprietors under-represented).
fn structure_values(structure: Option<&Structure>, sole_share: f64, out: &mut [f64]) {
    let values = match structure {
        None => [f64::NAN; NETWORK_OUTCOMES.len()],
        Some(structure) => [
            count(structure.max_degree),
            structure.top_decile_link_share,
            structure.transitivity(),
            structure.random_transitivity(),
            count(structure.components),
            count(structure.largest_component),
            structure.sole_member_share(),
            ratio(structure.sole_member_share(), sole_share),
        ],
    };
    out.copy_from_slice(&values);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::outcomes::structure_measured;
    use crate::model::structure::{Workspace, measure_all};
    use crate::model::{Simulation, draw_parameters};
    use crate::policy::rule_for;
    use crate::scenario::{ClusterStatus, Scenario, Unabsorbed, load_baseline, load_path};

    /// The direct formulas (the recorder before it cached anything): every value of every
    /// cluster recomputed each quarter, the absorbed money summed over the whole ledger per
    /// cluster, the totals summed over the whole ledger.
    fn reference_quarter(state: &QuarterState<'_>, out: &mut Vec<f64>) {
        let clusters = state.funded.len();
        let absorbed_cents = |cluster: usize| -> i64 {
            state
                .ledger
                .chunks_exact(2 * clusters)
                .map(|year| year[2 * cluster].absorbed + year[2 * cluster + 1].absorbed)
                .sum()
        };
        let push_structure =
            |structure: Option<&Structure>, sole_share: f64, out: &mut Vec<f64>| match structure {
                None => out.extend_from_slice(&[f64::NAN; NETWORK_OUTCOMES.len()]),
                Some(structure) => out.extend_from_slice(&[
                    structure.max_degree as f64,
                    structure.top_decile_link_share,
                    structure.transitivity(),
                    structure.random_transitivity(),
                    structure.components as f64,
                    structure.largest_component as f64,
                    structure.sole_member_share(),
                    ratio(structure.sole_member_share(), sole_share),
                ]),
            };
        for (index, (record, counterfactual)) in
            state.funded.iter().zip(state.counterfactual).enumerate()
        {
            let additional = record.networked as f64 - counterfactual.networked as f64;
            let absorbed_ltl = amount_from_cents(absorbed_cents(index));
            out.extend_from_slice(&[
                record.members as f64,
                record.links as f64,
                record.networked as f64,
                density(record.members, record.links),
                mean_degree(record.members, record.links),
                record.projects as f64,
                f64::from(u8::from(record.operating)),
                record.members as f64 - counterfactual.members as f64,
                record.links as f64 - counterfactual.links as f64,
                additional,
                absorbed_ltl,
                cost_per_additional(absorbed_ltl, additional),
            ]);
            push_structure(
                state.structure.map(|(parts, _)| &parts[index]),
                state.sector_sole_share[index],
                out,
            );
        }
        let sum = |records: &[ClusterRecord], field: fn(&ClusterRecord) -> u64| -> u64 {
            records.iter().map(field).sum()
        };
        let members = sum(state.funded, |r| r.members);
        let links = sum(state.funded, |r| r.links);
        let networked = sum(state.funded, |r| r.networked);
        let networked_counterfactual = sum(state.counterfactual, |r| r.networked);
        let pairs: f64 = state
            .funded
            .iter()
            .map(|r| r.members as f64 * (r.members as f64 - 1.0).max(0.0) / 2.0)
            .sum();
        let operating = state.funded.iter().filter(|r| r.operating).count();
        let formed = state
            .funded
            .iter()
            .zip(state.initially_forming)
            .filter(|(record, forming)| record.operating && **forming)
            .count();
        let projects = sum(state.funded, |r| r.projects);
        let mut money = [0i64; 3];
        for entry in state.ledger {
            money[0] += entry.allocated;
            money[1] += entry.absorbed;
            money[2] += entry.returned;
        }
        money[2] += state.withheld_cents;
        let absorbed_ltl = amount_from_cents(money[1]);
        let additional = networked as f64 - networked_counterfactual as f64;
        let additional_value = state.added_value.0 - state.added_value.1;
        out.extend_from_slice(&[
            members as f64,
            links as f64,
            networked as f64,
            ratio(networked as f64, state.total_firms as f64),
            networked_counterfactual as f64,
            additional,
            if pairs > 0.0 {
                links as f64 / pairs
            } else {
                0.0
            },
            mean_degree(members, links),
            operating as f64,
            formed as f64,
            projects as f64,
            state.added_value.0,
            additional_value,
            amount_from_cents(money[0]),
            absorbed_ltl,
            amount_from_cents(money[2]),
            cost_per_additional(absorbed_ltl, additional),
            ratio(additional_value, absorbed_ltl),
        ]);
        push_structure(
            state.structure.map(|(_, total)| total),
            state.total_sole_share,
            out,
        );
    }

    /// Simulates `runs` runs of `scenario` and records each quarter three ways: the direct
    /// formulas, a recorder appending to one series (copying unchanged clusters from the quarter
    /// before), and a recorder whose series is emptied every quarter (so it computes every
    /// value); all three must agree bit for bit, NaNs included.
    fn assert_recorder_matches_the_formulas(scenario: &Scenario, runs: u64) {
        let slots = scenario.parameter_slots();
        let rule = rule_for(&scenario.policy.rule);
        let initially_forming: Vec<bool> = scenario
            .clusters
            .iter()
            .map(|c| c.status == ClusterStatus::Forming)
            .collect();
        let total_firms: u64 = scenario.sectors.iter().map(|s| s.firms).sum();
        let sector_sole_share: Vec<f64> = scenario
            .clusters
            .iter()
            .map(|c| &scenario.sectors[c.sector])
            .map(|sector| ratio(sector.sole_firms as f64, sector.firms as f64))
            .collect();
        let mut workspace = Workspace::default();
        let mut changed_quarters = 0;
        for run in 0..runs {
            let parameters = draw_parameters(scenario, &slots, 7, run);
            let mut funded = Simulation::new(scenario, &parameters, Some(rule.as_ref()), 7, run);
            let mut counterfactual = Simulation::new(scenario, &parameters, None, 7, run);
            let (mut expected, mut appended, mut single) = (Vec::new(), Vec::new(), Vec::new());
            let (mut appending, mut fresh) = (Recorder::default(), Recorder::default());
            let (mut funded_records, mut counterfactual_records) = (Vec::new(), Vec::new());
            while !funded.finished() {
                funded.step();
                counterfactual.step();
                funded.records_into(&mut funded_records);
                counterfactual.records_into(&mut counterfactual_records);
                let quarter = funded.quarter() - 1;
                let networks = || funded.clusters().iter().map(|c| &c.network);
                let measured = structure_measured(quarter);
                let reference = measured.then(|| measure_all(networks()));
                let total = measured.then(|| workspace.measure_all(networks()));
                if let (Some(reference), Some(total)) = (&reference, &total) {
                    let bits = |parts: &[Structure], total: &Structure| {
                        let mut bits: Vec<[u64; 10]> = parts.iter().map(Structure::bits).collect();
                        bits.push(total.bits());
                        bits
                    };
                    assert_eq!(
                        bits(workspace.parts(), total),
                        bits(&reference.0, &reference.1)
                    );
                }
                let state = |structure| QuarterState {
                    quarter,
                    funded: &funded_records,
                    counterfactual: &counterfactual_records,
                    initially_forming: &initially_forming,
                    total_firms,
                    ledger: funded.ledger(),
                    withheld_cents: funded.withheld_cents(),
                    added_value: (funded.added_value_ltl(), counterfactual.added_value_ltl()),
                    structure,
                    sector_sole_share: &sector_sole_share,
                    total_sole_share: 0.25,
                };
                let start = expected.len();
                reference_quarter(
                    &state(reference.as_ref().map(|(parts, total)| (&parts[..], total))),
                    &mut expected,
                );
                let structure = total.as_ref().map(|total| (workspace.parts(), total));
                appending.push_quarter(&state(structure), &mut appended);
                single.clear();
                fresh.push_quarter(&state(structure), &mut single);
                let bits = |values: &[f64]| values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                assert_eq!(
                    bits(&appended[start..]),
                    bits(&expected[start..]),
                    "run {run} quarter {quarter}"
                );
                assert_eq!(
                    bits(&single),
                    bits(&expected[start..]),
                    "run {run} quarter {quarter}"
                );
                let width = single.len();
                changed_quarters += usize::from(
                    start > 0 && bits(&expected[start..]) != bits(&expected[start - width..start]),
                );
            }
        }
        // The quarters differ from one another, so copying the quarter before is not trivially right.
        assert!(changed_quarters > 0);
    }

    #[test]
    fn the_recorder_gives_the_bits_of_the_direct_formulas() {
        let baseline = load_baseline().unwrap();
        assert_recorder_matches_the_formulas(&baseline, 3);
        // Unabsorbed money returned every quarter: the ledger's returned column fills in every
        // quarter of every funding year.
        let mut returning = baseline.clone();
        returning.budget.unabsorbed = Unabsorbed::Return;
        assert_recorder_matches_the_formulas(&returning, 2);
        // Several measures opening in later years (money in some years only).
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for file in [
            "tests/data/measures.json",
            "tests/data/stylised-baseline-2007.json",
        ] {
            let scenario = load_path(&root.join(file)).unwrap();
            assert_recorder_matches_the_formulas(&scenario, 2);
        }
    }
}
