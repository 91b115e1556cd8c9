//! The network model: one Monte Carlo run of quarterly steps, as specified in docs/MODEL.md.
//!
//! [`Simulation`] holds the state of one run; [`Simulation::step`] advances it one quarter. The
//! model is a pure function of the scenario, the run's parameters, the allocation rule and the
//! run's random streams: it does no I/O.

mod cluster;
pub mod events;
mod formation;
mod funding;
pub mod network;
pub mod parameters;
mod recycle;
pub mod streams;
pub mod structure;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

pub use cluster::ClusterState;
pub use events::EventCounts;
pub use funding::{LEDGER_FIELDS, LedgerEntry};
pub use parameters::{RunParameters, draw_parameters};

use crate::policy::{AllocationRule, ClusterView, allocate_year};
use crate::scenario::{ClusterStatus, Policy, Scenario, Unabsorbed};
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
    /// This year's allocation per cluster, `[infrastructure, activity]` cents.
    year_allocation: Vec<[i64; 2]>,
    /// Ledger per (funding year, cluster, instrument).
    ledger: Vec<LedgerEntry>,
    /// Added value attributable to networking so far, LTL.
    added_value_ltl: f64,
    /// Budget the policy left unallocated so far (its unspent share), cents.
    withheld_cents: i64,
    /// The sectors' formation queues and streams.
    formation: Formation,
    /// Members with a tie per sector, rebuilt every quarter (kept to reuse its allocation).
    networked_by_sector: Vec<u64>,
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
        let clusters = scenario
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
        let cells = scenario.budget.funding_years() * scenario.clusters.len() * 2;
        Self {
            scenario,
            parameters,
            funding,
            policy_rng: stream(seed, Purpose::Policy, 0, run),
            clusters,
            pools,
            quarter: 0,
            year_allocation: vec![[0, 0]; scenario.clusters.len()],
            ledger: vec![LedgerEntry::default(); cells],
            added_value_ltl: 0.0,
            withheld_cents: 0,
            formation: Formation::new(scenario, seed, run),
            networked_by_sector: vec![0; scenario.sectors.len()],
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

    /// The ledger, indexed `(year · clusters + cluster) · 2 + instrument`.
    pub fn ledger(&self) -> &[LedgerEntry] {
        &self.ledger
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
        for index in 0..self.clusters.len() {
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
            if funding_year {
                let inflow =
                    self.year_allocation[index].map(|cents| quarter_share(cents, quarter % 4));
                let ledger_base = (year_index * self.scenario.clusters.len() + index) * 2;
                let entries = &mut self.ledger[ledger_base..ledger_base + 2];
                let settle =
                    budget.unabsorbed == Unabsorbed::Return || quarter == last_funding_quarter;
                state.absorb(inflow, model, settle, entries, quarter % 4 == 3);
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
        }
        self.form_clusters(quarter, &networked_by_sector);
        self.networked_by_sector = networked_by_sector;
        let networked: u64 = self
            .clusters
            .iter()
            .map(|c| c.network.networked() as u64)
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
        for (index, spec) in self.scenario.clusters.iter().enumerate() {
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
        let budget_cents = self.scenario.budget.yearly_cents[year_index];
        self.year_allocation =
            allocate_year(policy, rule, &views, budget_cents, &mut self.policy_rng);
        // The policy's unspent share, and the whole year's budget when no cluster is operating or
        // forming (all closed or not yet founded), stay with the budget holder and count as
        // returned.
        let allocated: i64 = self.year_allocation.iter().flatten().sum();
        self.withheld_cents += budget_cents - allocated;
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
        for (spec, state) in self.scenario.clusters.iter().zip(&self.clusters) {
            state.network.check()?;
            let sole = state.network.sole_members() as u64;
            let entry = &mut members_by_sector[spec.sector];
            entry.0 += state.network.members() as u64 - sole;
            entry.1 += sole;
            if state.capital < 0.0 || state.activity < 0.0 || state.balance.iter().any(|b| *b < 0) {
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
        funding::check_ledger(
            &self.ledger,
            &self.clusters,
            self.scenario.clusters.len(),
            self.quarter / 4,
        )
    }
}

impl Drop for Simulation<'_> {
    /// Gives the clusters' networks back to this thread's spares for the next run.
    fn drop(&mut self) {
        recycle::give_back(
            self.clusters
                .iter_mut()
                .map(|cluster| std::mem::take(&mut cluster.network)),
        );
    }
}

/// Cents of a yearly amount paid in quarter `quarter_of_year` (0–3): a quarter each, the
/// remainder cents one each to the first quarters.
pub fn quarter_share(yearly_cents: i64, quarter_of_year: usize) -> i64 {
    let base = yearly_cents / 4;
    let remainder = (yearly_cents % 4) as usize;
    base + i64::from(quarter_of_year < remainder)
}

/// Draws a uniform number in [0, 1) from `rng` and compares it with `probability`.
pub(crate) fn bernoulli(rng: &mut ChaCha8Rng, probability: f64) -> bool {
    rng.random::<f64>() < probability
}
