//! One cluster's state and its quarterly events: funding stocks, formation, exits, tie decay,
//! joins, new ties and joint projects. Every draw comes from the cluster's own network stream.

use std::collections::VecDeque;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::events::EventCounts;
use super::network::Network;
use super::variates::{below, binomial, poisson};
use super::{ClusterRecord, SectorPool, bernoulli};
use crate::scenario::ModelParameters;

/// The state of one cluster in one run.
pub struct ClusterState {
    /// Whether the cluster operates (has formed or existed from the start).
    pub operating: bool,
    /// Quarter in which a forming cluster formed.
    pub formed_quarter: Option<usize>,
    /// Whether the cluster has closed: it operated and lost every member. A closed cluster
    /// never operates, forms or absorbs money again.
    pub closed: bool,
    /// Members and ties.
    pub network: Network,
    /// The cluster's network stream.
    rng: ChaCha8Rng,
    /// Money absorbed this quarter, cents.
    pub(crate) absorbed_now: [i64; 2],
    /// Infrastructure money absorbed but not yet usable, LTL, oldest first.
    pipeline: VecDeque<f64>,
    /// Lag in quarters before absorbed infrastructure money becomes capital.
    lag: usize,
    /// Infrastructure capital stock, LTL.
    pub capital: f64,
    /// Activity stock, LTL.
    pub activity: f64,
    /// Joint projects started so far.
    pub projects: u64,
    /// Members at the start of the current funding year.
    pub members_year_ago: u64,
    /// Members at the start of the previous funding year.
    pub members_two_years_ago: u64,
    /// Whether the cluster was operating at the start of the previous funding year.
    pub operating_year_ago: bool,
    /// The cluster's events so far (counted only; see [`super::events`]).
    pub events: EventCounts,
}

impl ClusterState {
    /// A cluster with no members, not operating, with the given stream and infrastructure lag (its
    /// network reuses a spare one of this thread, see [`super::recycle`]).
    pub fn new(rng: ChaCha8Rng, lag: usize) -> Self {
        Self {
            operating: false,
            formed_quarter: None,
            closed: false,
            network: super::recycle::take_network(),
            rng,
            absorbed_now: [0, 0],
            // Allocated at the first infrastructure money (most slots never get any).
            pipeline: VecDeque::new(),
            lag,
            capital: 0.0,
            activity: 0.0,
            projects: 0,
            members_year_ago: 0,
            members_two_years_ago: 0,
            operating_year_ago: false,
            events: EventCounts::default(),
        }
    }

    /// Makes the cluster operating with `members` regular members and `links` ties among
    /// uniformly random distinct pairs.
    pub fn seed_network(&mut self, members: u64, links: u64) {
        self.operating = true;
        for _ in 0..members {
            self.network.add_member(false);
        }
        let pairs = members * members.saturating_sub(1) / 2;
        if links == 0 || members < 2 {
            return;
        }
        if links <= pairs / 2 {
            // Sparse: draw random pairs, skipping self-pairs and duplicates.
            while (self.network.links() as u64) < links {
                let a = self.rng.random_range(0..members as u32);
                let b = self.rng.random_range(0..members as u32);
                self.network.add_tie(a, b);
            }
        } else {
            // Dense: a uniformly random subset of all pairs (partial Fisher–Yates).
            let mut all: Vec<(u32, u32)> = (0..members as u32)
                .flat_map(|a| (a + 1..members as u32).map(move |b| (a, b)))
                .collect();
            for chosen in 0..links as usize {
                let pick = self.rng.random_range(chosen..all.len());
                all.swap(chosen, pick);
                self.network.add_tie(all[chosen].0, all[chosen].1);
            }
        }
    }

    /// Ages the funding stocks by one quarter: the infrastructure absorbed this quarter enters
    /// the lag pipeline; what entered `lag` quarters ago becomes capital;
    /// capital ← capital·(1 − depreciation) + matured; activity ← activity·persistence +
    /// activity absorbed this quarter.
    ///
    /// With nothing to age (no stock, an empty pipeline, nothing absorbed this quarter, as in a
    /// slot that has never been funded) the cluster is left as it is: the update would keep every
    /// value at exactly zero, and the zeros it would have queued in front of later money would
    /// only have matured as zeros, at the same quarters.
    pub fn update_stocks(&mut self, model: &ModelParameters<f64>) {
        if self.absorbed_now == [0, 0]
            && self.pipeline.is_empty()
            && self.capital == 0.0
            && self.activity == 0.0
        {
            return;
        }
        self.pipeline.push_back(self.absorbed_now[0] as f64 / 100.0);
        let matured = if self.pipeline.len() > self.lag {
            self.pipeline.pop_front().unwrap_or(0.0)
        } else {
            0.0
        };
        self.capital = self.capital * (1.0 - model.infrastructure_depreciation) + matured;
        self.activity =
            self.activity * model.activity_persistence + self.absorbed_now[1] as f64 / 100.0;
        self.absorbed_now = [0, 0];
    }

    /// Whether a quarter leaves the cluster exactly as it is unless money arrives: it does not
    /// operate, has no members and has no stock or absorbed money to age (a slot not yet formed,
    /// or closed with its money gone). [`super::Simulation::step`] skips such slots.
    pub fn is_dormant(&self) -> bool {
        !self.operating
            && self.network.members() == 0
            && self.absorbed_now == [0, 0]
            && self.pipeline.is_empty()
            && self.capital == 0.0
            && self.activity == 0.0
    }

    /// Funding effect E = 1 − exp(−(w·capital + activity) / (h · n)), where n is the members
    /// (at least 1) of an operating cluster or the founding group size of a forming one.
    pub fn funding_effect(&self, model: &ModelParameters<f64>) -> f64 {
        let size = if self.operating {
            (self.network.members() as f64).max(1.0)
        } else {
            model.founding_members
        };
        let effective = model.infrastructure_weight * self.capital + self.activity;
        let scale = model.saturation_ltl_per_member * size;
        if effective == 0.0 && scale > 0.0 {
            // No money: 1 − e^−0 is exactly 0, without the `exp` (every unfunded cluster, every
            // quarter).
            return 0.0;
        }
        1.0 - (-effective / scale).exp()
    }

    /// Forms the cluster in `quarter` (see [`super::formation`]): its founding group takes
    /// min(founding_members, non-members) firms of the sector, regular firms first, tied in a
    /// ring (one tie for two founders). Needs at least 2 free firms; returns whether it formed.
    /// Money the cluster holds from the reserve stays with it and is absorbed as an operating
    /// cluster's from the next quarter.
    pub fn found(
        &mut self,
        model: &ModelParameters<f64>,
        pool: &mut SectorPool,
        quarter: usize,
    ) -> bool {
        let available = pool.regular + pool.sole;
        let founders = (model.founding_members as u64).min(available);
        if founders < 2 {
            return false;
        }
        let regular = founders.min(pool.regular);
        pool.regular -= regular;
        pool.sole -= founders - regular;
        for index in 0..founders {
            self.network.add_member(index >= regular);
        }
        let count = founders as u32;
        for node in 0..count {
            let next = (node + 1) % count;
            if count > 2 || node == 0 {
                self.network.add_tie(node, next);
            }
        }
        self.operating = true;
        self.formed_quarter = Some(quarter);
        self.events.formations += 1;
        true
    }

    /// One quarter of an operating cluster's network events, in order: exits, tie dissolution,
    /// joins, new ties, joint projects. A cluster left with no members after the exits closes
    /// (see [`ClusterState::closed`]) and nothing further happens to it. `effect`, the exit and the join hazards use the members m0
    /// at the start of the quarter; dissolution uses the links after exits, tie attempts the
    /// members after joins, projects the links after new ties.
    pub fn step_network(
        &mut self,
        model: &ModelParameters<f64>,
        effect: f64,
        valley_multiplier: f64,
        propensity: f64,
        pool: &mut SectorPool,
    ) {
        let start_members = self.network.members() as f64;

        // Exits: Binomial(m, exit_rate · (1 − retention · E)) members, uniformly at random.
        let exit_probability = model.exit_rate * (1.0 - model.exit_funding_retention * effect);
        let exits = binomial(
            &mut self.rng,
            self.network.members() as u64,
            exit_probability,
        );
        self.events.exits += exits;
        for _ in 0..exits {
            let node = below(&mut self.rng, self.network.members()) as u32;
            if self.network.remove_member(node) {
                pool.sole += 1;
            } else {
                pool.regular += 1;
            }
        }
        if self.network.members() == 0 {
            // Every member has left: the cluster closes and takes no further part.
            self.operating = false;
            self.closed = true;
            return;
        }

        // Tie dissolution: an unused tie dissolves; a tie is used with probability
        // u = use + (1 − use) · E.
        let used = model.tie_use_probability + (1.0 - model.tie_use_probability) * effect;
        let dissolution = model.tie_dissolution_rate * (1.0 - used);
        let dissolved = binomial(&mut self.rng, self.network.links() as u64, dissolution);
        self.events.dissolutions += dissolved;
        for _ in 0..dissolved {
            let index = below(&mut self.rng, self.network.links());
            self.network.remove_tie(index);
        }

        // Joins: hazard r = (join_base·propensity + size_attraction·m0/(m0 + half)
        // + join_response·E)·V; Binomial(regular non-members, 1 − e^−r) and
        // Binomial(sole non-members, (1 − e^−r)·sole_factor).
        let rate = (model.join_base_rate * propensity
            + model.size_attraction * start_members / (start_members + model.size_half_members)
            + model.join_funding_response * effect)
            * valley_multiplier;
        let join_probability = 1.0 - (-rate).exp();
        let regular_joins = binomial(&mut self.rng, pool.regular, join_probability);
        let sole_joins = binomial(
            &mut self.rng,
            pool.sole,
            join_probability * model.sole_proprietor_factor,
        );
        pool.regular -= regular_joins;
        pool.sole -= sole_joins;
        self.events.joins += regular_joins + sole_joins;
        for joiner in 0..regular_joins + sole_joins {
            // The newcomer ties to a member chosen by preferential attachment.
            let partner = self.network.preferential_member(&mut self.rng);
            let node = self.network.add_member(joiner >= regular_joins);
            if let Some(partner) = partner {
                self.network.add_new_tie(partner, node);
                self.events.ties_made += 1;
            }
        }

        // New ties: Poisson(m · tie_rate · (1 + tie_response · E) · V) attempts.
        let members = self.network.members();
        if members >= 2 {
            let mean = members as f64
                * model.tie_rate
                * (1.0 + model.tie_funding_response * effect)
                * valley_multiplier;
            let attempts = poisson(&mut self.rng, mean);
            self.events.tie_attempts += attempts;
            for _ in 0..attempts {
                let triadic = self.network.links() > 0
                    && bernoulli(&mut self.rng, model.triadic_closure_share);
                let candidate = if triadic {
                    self.network.triadic_candidate(&mut self.rng)
                } else {
                    let first = below(&mut self.rng, members) as u32;
                    self.network
                        .preferential_member(&mut self.rng)
                        .map(|second| (first, second))
                };
                let Some((a, b)) = candidate else { continue };
                if a == b || self.network.has_tie(a, b) {
                    continue;
                }
                let sole_ends =
                    i32::from(self.network.is_sole(a)) + i32::from(self.network.is_sole(b));
                if sole_ends > 0
                    && !bernoulli(&mut self.rng, model.sole_proprietor_factor.powi(sole_ends))
                {
                    continue;
                }
                self.network.add_new_tie(a, b);
                self.events.ties_made += 1;
            }
        }

        // Joint projects: Poisson(L · project_rate · (1 + project_response · E)).
        let mean = self.network.links() as f64
            * model.project_rate
            * (1.0 + model.project_funding_response * effect);
        let projects = poisson(&mut self.rng, mean);
        self.projects += projects;
        self.events.projects += projects;
    }

    /// End-of-quarter record.
    pub fn record(&self) -> ClusterRecord {
        ClusterRecord {
            members: self.network.members() as u64,
            links: self.network.links() as u64,
            networked: self.network.networked() as u64,
            projects: self.projects,
            operating: self.operating,
        }
    }
}
