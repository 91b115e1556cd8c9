//! The network model: one Monte Carlo run of quarterly steps, as specified in docs/MODEL.md.
//!
//! [`Simulation`] holds the state of one run; [`Simulation::step`] advances it one quarter. The
//! model is a pure function of the scenario, the run's parameters, the allocation rule and the
//! run's random streams: it does no I/O.

mod adjacency;
mod cluster;
pub mod events;
mod formation;
mod funding;
pub mod network;
pub mod parameters;
mod recycle;
pub mod streams;
pub mod structure;
mod variates;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

pub use cluster::ClusterState;
pub use events::EventCounts;
pub use funding::{LEDGER_FIELDS, LedgerEntry, MEASURE_QUANTITIES};
pub use parameters::{RunParameters, draw_parameters};

use crate::policy::{AllocationRule, ClusterView, allocate_year, withheld_cents};
use crate::scenario::{ClusterStatus, Measure, Policy, Scenario, Unabsorbed, Uncontracted};
use formation::Formation;
use streams::{Purpose, stream};

/// Non-member SMEs of a sector that can still join a cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SectorPool {
    /// Firms that are not sole proprietorships.
    pub regular: u64,
    /// Sole proprietorships.
    pub sole: u64,
}

/// What one quarter looked like for one cluster (end of quarter).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ClusterRecord {
    /// Members.
    pub members: u64,
    /// Links (ties).
    pub links: u64,
    /// Members with at least one tie.
    pub networked: u64,
    /// Joint projects started so far (cumulative).
    pub projects: u64,
    /// Whether the cluster is operating.
    pub operating: bool,
}

/// The state of one run.
pub struct Simulation<'a> {
    scenario: &'a Scenario,
    parameters: &'a RunParameters,
    funding: Option<(&'a Policy, &'a dyn AllocationRule)>,
    policy_rng: ChaCha8Rng,
    clusters: Vec<ClusterState>,
    pools: Vec<SectorPool>,
    /// Next quarter to simulate.
    quarter: usize,
    /// This year's allocation per cluster and measure (`cluster · measures + measure`),
    /// `[infrastructure, activity]` cents.
    year_allocation: Vec<[i64; 2]>,
    /// Unabsorbed money held per cluster and measure (`cluster · measures + measure`),
    /// `[infrastructure, activity]` cents.
    balances: Vec<[i64; 2]>,
    /// Ledger per (funding year, cluster, instrument), summed over measures.
    ledger: Vec<LedgerEntry>,
    /// Ledger per (funding year, measure, cluster, instrument).
    measure_ledger: Vec<LedgerEntry>,
    /// Per measure: budget returned without entering the ledger (the policy's unspent share and
    /// uncontracted money returned), cents.
    withheld_by_measure: Vec<i64>,
    /// Per measure: uncontracted money carried into its next funding year, cents.
    pending_by_measure: Vec<i64>,
    /// Per measure: the cells allocated so far (paid over their year), cents.
    contracted_by_measure: Vec<i64>,
    /// Per (funding year, measure), `year · measures + measure`: the money the year's
    /// allocation did not contract that was returned (with the policy's unspent share), and
    /// that was carried into the measure's next year, cents.
    not_contracted_by_year: Vec<[i64; 2]>,
    /// Added value attributable to networking so far, LTL.
    added_value_ltl: f64,
    /// Budget the policy left unallocated so far (its unspent share), cents.
    withheld_cents: i64,
    /// The sectors' formation queues and streams.
    formation: Formation,
    /// Members with a tie per sector, rebuilt every quarter (kept to reuse its allocation).
    networked_by_sector: Vec<u64>,
    /// Per cluster slot: whether it was dormant ([`ClusterState::is_dormant`]) when last
    /// visited. A dormant slot that is paid nothing is skipped by [`Simulation::step`] without
    /// reading its state: most of the slots are initiatives that never form.
    dormant: Vec<bool>,
    /// Per cluster slot: whether this year's allocation or its balances hold any money
    /// (updated when either changes); a slot without is not absorbed.
    holds_money: Vec<bool>,
    /// The clusters with a founding quarter, in file order (the others are never founded).
    founded_later: Vec<usize>,
}

impl<'a> Simulation<'a> {
    /// Sets up run `run`: initial members and random initial ties of operating clusters (from each
    /// cluster's network stream), sector pools, empty ledgers, funded by the scenario's policy
    /// through `rule`. With `rule` None, no money flows (the no-funding counterfactual).
    pub fn new(
        scenario: &'a Scenario,
        parameters: &'a RunParameters,
        rule: Option<&'a dyn AllocationRule>,
        seed: u64,
        run: u64,
    ) -> Self {
        Self::with_policy(
            scenario,
            parameters,
            rule.map(|rule| (&scenario.policy, rule)),
            seed,
            run,
        )
    }

    /// As [`Simulation::new`], funded by `funding` (a policy and its rule object) instead of the
    /// scenario's own policy; None is the no-funding counterfactual. The random streams are the
    /// same whatever the policy (they are keyed by seed, purpose, index and run only).
    pub fn with_policy(
        scenario: &'a Scenario,
        parameters: &'a RunParameters,
        funding: Option<(&'a Policy, &'a dyn AllocationRule)>,
        seed: u64,
        run: u64,
    ) -> Self {
        let mut pools: Vec<SectorPool> = scenario
            .sectors
            .iter()
            .map(|sector| SectorPool {
                regular: sector.regular_firms,
                sole: sector.sole_firms,
            })
            .collect();
        let lag = parameters.model.infrastructure_lag_quarters as usize;
        let clusters: Vec<ClusterState> = scenario
            .clusters
            .iter()
            .enumerate()
            .map(|(index, spec)| {
                let rng = stream(seed, Purpose::Network, index as u64, run);
                let mut state = ClusterState::new(rng, lag);
                if spec.status == ClusterStatus::Operating && spec.founded_quarter.is_none() {
                    let pool = &mut pools[spec.sector];
                    pool.regular -= spec.initial_members;
                    state.seed_network(spec.initial_members, spec.initial_links);
                }
                state
            })
            .collect();
        let dormant = clusters.iter().map(ClusterState::is_dormant).collect();
        let cells = scenario.budget.funding_years() * scenario.clusters.len() * 2;
        let measures = scenario.budget.measures.len();
        Self {
            scenario,
            parameters,
            funding,
            policy_rng: stream(seed, Purpose::Policy, 0, run),
            clusters,
            pools,
            quarter: 0,
            year_allocation: vec![[0, 0]; scenario.clusters.len() * measures],
            balances: vec![[0, 0]; scenario.clusters.len() * measures],
            ledger: vec![LedgerEntry::default(); cells],
            measure_ledger: vec![LedgerEntry::default(); cells * measures],
            withheld_by_measure: vec![0; measures],
            pending_by_measure: vec![0; measures],
            contracted_by_measure: vec![0; measures],
            not_contracted_by_year: vec![[0, 0]; scenario.budget.funding_years() * measures],
            added_value_ltl: 0.0,
            withheld_cents: 0,
            formation: Formation::new(scenario, seed, run),
            networked_by_sector: vec![0; scenario.sectors.len()],
            dormant,
            holds_money: vec![false; scenario.clusters.len()],
            founded_later: (0..scenario.clusters.len())
                .filter(|&index| scenario.clusters[index].founded_quarter.is_some())
                .collect(),
        }
    }

    /// Whether every quarter up to the horizon has been simulated.
    pub fn finished(&self) -> bool {
        self.quarter >= self.scenario.budget.quarters()
    }

    /// Index of the next quarter to simulate.
    pub fn quarter(&self) -> usize {
        self.quarter
    }

    /// Cluster states.
    pub fn clusters(&self) -> &[ClusterState] {
        &self.clusters
    }

    /// Sector pools of non-members.
    pub fn pools(&self) -> &[SectorPool] {
        &self.pools
    }

    /// The ledger summed over measures, indexed `(year · clusters + cluster) · 2 + instrument`.
    pub fn ledger(&self) -> &[LedgerEntry] {
        &self.ledger
    }

    /// The ledger per measure, indexed `((year · measures + measure) · clusters + cluster) · 2 +
    /// instrument` (measures in [`Budget::measures`](crate::scenario::Budget) order).
    pub fn measure_ledger(&self) -> &[LedgerEntry] {
        &self.measure_ledger
    }

    /// Per measure: budget returned without entering the ledger so far (the policy's unspent
    /// share, and money no contract took up that was returned), cents.
    pub fn withheld_by_measure(&self) -> &[i64] {
        &self.withheld_by_measure
    }

    /// Per measure: money no contract took up that waits for the measure's next funding year,
    /// cents.
    pub fn pending_by_measure(&self) -> &[i64] {
        &self.pending_by_measure
    }

    /// Per (funding year, measure), in [`MEASURE_QUANTITIES`] order, indexed `(year · measures +
    /// measure) · 10 + quantity`: the measure's ledger summed over clusters for each instrument
    /// (allocated, absorbed, carried, returned), then the money the year's allocation did not
    /// contract, returned and carried into the next year, cents.
    pub fn measure_year_totals(&self) -> Vec<i64> {
        let measures = self.scenario.budget.measures.len();
        let clusters = self.scenario.clusters.len();
        let years = self.scenario.budget.funding_years();
        let mut totals = vec![0i64; years * measures * MEASURE_QUANTITIES.len()];
        for (block, out) in totals
            .chunks_exact_mut(MEASURE_QUANTITIES.len())
            .enumerate()
        {
            for cluster in 0..clusters {
                for instrument in 0..2 {
                    let entry = self.measure_ledger[(block * clusters + cluster) * 2 + instrument];
                    for (field, value) in entry.fields().iter().enumerate() {
                        out[instrument * 4 + field] += value;
                    }
                }
            }
            out[8] = self.not_contracted_by_year[block][0];
            out[9] = self.not_contracted_by_year[block][1];
        }
        totals
    }

    /// Unabsorbed money held per cluster and measure (`cluster · measures + measure`), cents.
    pub fn balances(&self) -> &[[i64; 2]] {
        &self.balances
    }

    /// This funding year's cells of measure `measure` per cluster (infrastructure plus activity),
    /// cents: what the year's allocation contracted, paid over the year's open quarters.
    pub fn year_cells_of_measure(&self, measure: usize) -> Vec<i64> {
        let measures = self.scenario.budget.measures.len();
        self.year_allocation
            .iter()
            .skip(measure)
            .step_by(measures.max(1))
            .map(|cell| cell[0] + cell[1])
            .collect()
    }

    /// Unabsorbed money cluster `index` holds over all measures, `[infrastructure, activity]`
    /// cents.
    pub fn cluster_balance(&self, index: usize) -> [i64; 2] {
        let measures = self.scenario.budget.measures.len();
        self.balances[index * measures..(index + 1) * measures]
            .iter()
            .fold([0, 0], |sum, cell| [sum[0] + cell[0], sum[1] + cell[1]])
    }

    /// Added value attributable to networking so far, LTL.
    pub fn added_value_ltl(&self) -> f64 {
        self.added_value_ltl
    }

    /// Budget left unallocated so far (the policy's unspent share, and any year's budget when no
    /// cluster was operating or forming; withheld at the start of each funding year and returned
    /// at once), cents.
    pub fn withheld_cents(&self) -> i64 {
        self.withheld_cents
    }

    /// The run's events so far, summed over its clusters (see [`events`]).
    pub fn events(&self) -> EventCounts {
        let mut total = EventCounts::default();
        for cluster in &self.clusters {
            total += cluster.events;
        }
        total
    }

    /// Advances one quarter (see docs/MODEL.md, "Process overview and scheduling").
    pub fn step(&mut self) {
        let quarter = self.quarter;
        let budget = &self.scenario.budget;
        let year_index = quarter / 4;
        let funding_year = year_index < budget.funding_years();
        self.found_clusters(quarter);
        if funding_year && quarter % 4 == 0 {
            self.allocate(year_index);
        }
        let model = &self.parameters.model;
        let last_funding_quarter = budget.funding_years() * 4 - 1;
        let mut networked_by_sector = std::mem::take(&mut self.networked_by_sector);
        networked_by_sector.fill(0);
        let mut inflow: Vec<[i64; 2]> = Vec::with_capacity(budget.measures.len());
        for index in 0..self.clusters.len() {
            let measures = budget.measures.len();
            let cells = index * measures..(index + 1) * measures;
            // A slot that is paid nothing this year and holds nothing (every slot of the
            // counterfactual, and initiatives that are not their sector's next) would absorb,
            // carry and return zeros: its ledger lines stay zero, so it is skipped.
            let has_money = funding_year && self.holds_money[index];
            if self.dormant[index] && !has_money {
                // Nothing to absorb, age or step, and no networked members.
                continue;
            }
            let spec = &self.scenario.clusters[index];
            let spillover = spec
                .valleys
                .iter()
                .any(|&valley| quarter >= self.parameters.valley_open_quarter[valley]);
            let valley_multiplier = if spillover {
                1.0 + model.valley_spillover
            } else {
                1.0
            };
            let state = &mut self.clusters[index];
            if has_money {
                let clusters = self.scenario.clusters.len();
                inflow.clear();
                inflow.extend(
                    self.year_allocation[cells.clone()]
                        .iter()
                        .zip(&self.parameters.measure_start_quarter)
                        .map(|(yearly, &start)| {
                            let first_open = start.saturating_sub(year_index * 4);
                            yearly.map(|cents| instalment(cents, quarter % 4, first_open))
                        }),
                );
                let ledger_base = (year_index * clusters + index) * 2;
                let year_block = year_index * measures * clusters * 2;
                let settle =
                    budget.unabsorbed == Unabsorbed::Return || quarter == last_funding_quarter;
                state.absorb(
                    &inflow,
                    &mut self.balances[cells.clone()],
                    model,
                    settle,
                    funding::LedgerLines {
                        total: &mut self.ledger[ledger_base..ledger_base + 2],
                        by_measure: &mut self.measure_ledger
                            [year_block..year_block + measures * clusters * 2],
                        cluster: index,
                        clusters,
                    },
                    quarter % 4 == 3,
                );
                self.holds_money[index] = self.year_allocation[cells.clone()]
                    .iter()
                    .chain(&self.balances[cells])
                    .any(|cell| *cell != [0, 0]);
            }
            state.update_stocks(model);
            if state.operating {
                let effect = state.funding_effect(model);
                state.step_network(
                    model,
                    effect,
                    valley_multiplier,
                    self.parameters.propensity[spec.sector],
                    &mut self.pools[spec.sector],
                );
            }
            networked_by_sector[spec.sector] += state.network.networked() as u64;
            self.dormant[index] = state.is_dormant();
        }
        self.form_clusters(quarter, &networked_by_sector);
        self.networked_by_sector = networked_by_sector;
        // Dormant slots have no members; the clusters formed just now are no longer dormant.
        let networked: u64 = self
            .clusters
            .iter()
            .zip(&self.dormant)
            .filter(|(_, dormant)| !**dormant)
            .map(|(c, _)| c.network.networked() as u64)
            .sum();
        self.added_value_ltl +=
            networked as f64 * model.added_value_per_sme_ltl / 4.0 * model.networking_uplift;
        self.quarter += 1;
    }

    /// Clusters founded in `quarter` start to operate: their initial members leave the sector's
    /// pool (at most the regular firms still free, since joins elsewhere may have taken some) and
    /// get their initial links (at most all pairs). This happens before the quarter's allocation,
    /// so a cluster founded in a first quarter is funded that year.
    fn found_clusters(&mut self, quarter: usize) {
        for &index in &self.founded_later {
            let spec = &self.scenario.clusters[index];
            if spec.founded_quarter != Some(quarter) {
                continue;
            }
            let pool = &mut self.pools[spec.sector];
            let members = spec.initial_members.min(pool.regular);
            pool.regular -= members;
            let links = spec
                .initial_links
                .min(members * members.saturating_sub(1) / 2);
            self.clusters[index].seed_network(members, links);
            self.dormant[index] = false;
        }
    }

    /// Allocates funding year `year_index`'s budget with the rule (nothing without one).
    fn allocate(&mut self, year_index: usize) {
        // Growth counts only for clusters that were operating a year ago; a cluster formed
        // during the last year shows no growth (its founders are not growth).
        let mut grew_from_operating = Vec::with_capacity(self.clusters.len());
        for state in &mut self.clusters {
            grew_from_operating.push(year_index > 0 && state.operating_year_ago);
            state.operating_year_ago = state.operating;
            state.members_two_years_ago = state.members_year_ago;
            state.members_year_ago = state.network.members() as u64;
        }
        let Some((policy, rule)) = self.funding else {
            return;
        };
        let next_initiatives: Vec<Option<usize>> = (0..self.scenario.sectors.len())
            .map(|sector| self.formation.next_initiative(sector))
            .collect();
        let views: Vec<ClusterView> = self
            .scenario
            .clusters
            .iter()
            .zip(&self.clusters)
            .zip(grew_from_operating)
            .enumerate()
            .map(|(index, ((spec, state), counts))| ClusterView {
                operating: state.operating,
                // Only each sector's next initiative shares the reserve.
                forming: next_initiatives[spec.sector] == Some(index),
                reserve_weight: policy
                    .formation_weights
                    .get(spec.sector)
                    .copied()
                    .unwrap_or(1.0),
                members: state.members_year_ago,
                potential: self.parameters.potential[spec.sector],
                last_year_growth: if counts {
                    state.members_year_ago as f64 - state.members_two_years_ago as f64
                } else {
                    0.0
                },
            })
            .collect();
        let quarter = year_index * 4;
        let clusters = self.clusters.len();
        let measures = &self.scenario.budget.measures;
        let last_year = year_index + 1 == self.scenario.budget.funding_years();
        for (measure_index, measure) in measures.iter().enumerate() {
            let budget_cents = measure.yearly_cents[year_index]
                + std::mem::take(&mut self.pending_by_measure[measure_index]);
            // Money flows only from the quarter containing the measure's contract start.
            let open = self.parameters.measure_start_quarter[measure_index] < quarter + 4;
            let measure_views: Vec<ClusterView> = views
                .iter()
                .enumerate()
                .map(|(index, view)| ClusterView {
                    operating: view.operating
                        && measure.pays_operating()
                        && self.eligible(measure, index, quarter),
                    forming: view.forming && measure.pays_formation,
                    ..view.clone()
                })
                .collect();
            let share = measure.infrastructure_share(policy.infrastructure_share);
            let adjusted;
            let measure_policy = if share == policy.infrastructure_share {
                policy
            } else {
                adjusted = Policy {
                    infrastructure_share: share,
                    ..policy.clone()
                };
                &adjusted
            };
            let cells = allocate_year(
                measure_policy,
                rule,
                &measure_views,
                if open { budget_cents } else { 0 },
                &mut self.policy_rng,
            );
            let allocated: i64 = cells.iter().flatten().sum();
            let unspent = if open {
                withheld_cents(measure_policy, budget_cents)
            } else {
                0
            };
            // Money no contract takes up (contracts not started; no eligible or forming
            // cluster) is carried to the measure's next year or returned, as the measure says;
            // the policy's unspent share is always returned.
            let uncontracted = budget_cents - allocated - unspent;
            let returned = if measure.uncontracted == Uncontracted::Carry && !last_year {
                self.pending_by_measure[measure_index] = uncontracted;
                unspent
            } else {
                uncontracted + unspent
            };
            self.withheld_by_measure[measure_index] += returned;
            self.not_contracted_by_year[year_index * measures.len() + measure_index] =
                [returned, self.pending_by_measure[measure_index]];
            self.contracted_by_measure[measure_index] += allocated;
            self.withheld_cents += returned;
            for (cluster, cell) in cells.into_iter().enumerate().take(clusters) {
                self.year_allocation[cluster * measures.len() + measure_index] = cell;
            }
        }
        let measures = measures.len();
        for (index, holds) in self.holds_money.iter_mut().enumerate() {
            let cells = index * measures..(index + 1) * measures;
            *holds = self.year_allocation[cells.clone()]
                .iter()
                .chain(&self.balances[cells])
                .any(|cell| *cell != [0, 0]);
        }
    }

    /// Whether cluster `index` meets `measure`'s eligibility at the allocation in `quarter`: at
    /// least its minimum members at the start of the year and at least its minimum research
    /// partners, counting the cluster's declared ones plus each matching valley open by then.
    fn eligible(&self, measure: &Measure, index: usize, quarter: usize) -> bool {
        if self.clusters[index].members_year_ago < measure.min_members {
            return false;
        }
        if measure.min_research_partners == 0 {
            return true;
        }
        let spec = &self.scenario.clusters[index];
        let open_valleys = spec
            .valleys
            .iter()
            .filter(|&&valley| quarter >= self.parameters.valley_open_quarter[valley])
            .count() as u64;
        spec.research_partners + open_valleys >= measure.min_research_partners
    }

    /// The end-of-quarter record of each cluster.
    pub fn records(&self) -> Vec<ClusterRecord> {
        self.clusters.iter().map(ClusterState::record).collect()
    }

    /// [`Simulation::records`] into `out` (cleared first), reusing its allocation.
    pub fn records_into(&self, out: &mut Vec<ClusterRecord>) {
        out.clear();
        out.extend(self.clusters.iter().map(ClusterState::record));
    }

    /// Checks the model's invariants: members within sector firms, consistent networks, stocks
    /// and balances non-negative, and the ledger balancing (tests use this after every step).
    pub fn check_invariants(&self) -> Result<(), String> {
        let mut members_by_sector = vec![(0u64, 0u64); self.scenario.sectors.len()];
        for ((spec, state), dormant) in self
            .scenario
            .clusters
            .iter()
            .zip(&self.clusters)
            .zip(&self.dormant)
        {
            state.network.check()?;
            if *dormant && !state.is_dormant() {
                return Err(format!("cluster {} marked dormant but active", spec.id));
            }
            let sole = state.network.sole_members() as u64;
            let entry = &mut members_by_sector[spec.sector];
            entry.0 += state.network.members() as u64 - sole;
            entry.1 += sole;
            if state.capital < 0.0 || state.activity < 0.0 {
                return Err(format!("negative stock or balance in cluster {}", spec.id));
            }
        }
        for ((sector, pool), (regular, sole)) in self
            .scenario
            .sectors
            .iter()
            .zip(&self.pools)
            .zip(members_by_sector)
        {
            if pool.regular + regular != sector.regular_firms
                || pool.sole + sole != sector.sole_firms
            {
                return Err(format!("firms of sector {} not conserved", sector.id));
            }
            if regular + sole > sector.firms {
                return Err(format!("members exceed the firms of sector {}", sector.id));
            }
        }
        let funding_years = self.scenario.budget.funding_years();
        let started_years = self.quarter.div_ceil(4).min(funding_years);
        if self.balances.iter().flatten().any(|cents| *cents < 0) {
            return Err("negative balance".into());
        }
        funding::check_ledger(&funding::LedgerBooks {
            total: &self.ledger,
            by_measure: &self.measure_ledger,
            balances: &self.balances,
            yearly_cents: self
                .scenario
                .budget
                .measures
                .iter()
                .map(|measure| measure.yearly_cents.as_slice())
                .collect(),
            withheld: &self.withheld_by_measure,
            pending: &self.pending_by_measure,
            contracted: &self.contracted_by_measure,
            paid_up: self.quarter % 4 == 0 || self.quarter >= funding_years * 4,
            clusters: self.scenario.clusters.len(),
            allocated_years: if self.funding.is_some() {
                started_years
            } else {
                0
            },
            completed_years: self.quarter / 4,
        })
    }
}

impl Drop for Simulation<'_> {
    /// Gives the clusters' networks back to this thread's spares for the next run, the last
    /// slot's first (see [`recycle`]).
    fn drop(&mut self) {
        recycle::give_back(
            self.clusters
                .iter_mut()
                .rev()
                .map(|cluster| std::mem::take(&mut cluster.network)),
        );
    }
}

/// Cents of a yearly amount paid in quarter `quarter_of_year` (0–3): a quarter each, the
/// remainder cents one each to the first quarters.
pub fn quarter_share(yearly_cents: i64, quarter_of_year: usize) -> i64 {
    instalment(yearly_cents, quarter_of_year, 0)
}

/// Cents of a yearly amount paid in quarter `quarter_of_year` (0–3) when money can flow only
/// from quarter-of-year `first_open` on: nothing before it, then an equal part in each open
/// quarter, the remainder cents one each to the first open quarters. With `first_open` 0 this
/// is [`quarter_share`]; with `first_open` ≥ 4 nothing is paid.
pub fn instalment(yearly_cents: i64, quarter_of_year: usize, first_open: usize) -> i64 {
    if quarter_of_year < first_open || first_open >= 4 {
        return 0;
    }
    let open = (4 - first_open) as i64;
    let base = yearly_cents / open;
    let remainder = yearly_cents % open;
    base + i64::from(((quarter_of_year - first_open) as i64) < remainder)
}

/// Draws a uniform number in [0, 1) from `rng` and compares it with `probability`.
pub(crate) fn bernoulli(rng: &mut ChaCha8Rng, probability: f64) -> bool {
    rng.random::<f64>() < probability
}
