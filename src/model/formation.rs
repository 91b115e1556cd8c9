//! The formation process: how many new cluster initiatives form in each sector each quarter.
//!
//! Each sector has an ordered queue of forming clusters (its named forming clusters in file
//! order, then its generated initiatives, see `scenario::formation_slots`). Only the first
//! unformed one — the sector's *next initiative* — can receive reserve money. Each quarter the
//! sector draws the number of initiatives that form from a Poisson distribution whose mean is the
//! sector's formation hazard (docs/MODEL.md §7.2), from the sector's own formation stream, and
//! forms that many from the front of its queue (fewer if the queue or the free firms run out).
//! Cost per quarter is one draw per sector plus the founders of the clusters that form.

use rand_chacha::ChaCha8Rng;

use super::Simulation;
use super::variates::poisson;

/// Per-sector formation state of one run.
pub(super) struct Formation {
    /// Forming cluster indices per sector, in formation order.
    queues: Vec<Vec<usize>>,
    /// Position of each sector's next initiative in its queue.
    cursors: Vec<usize>,
    /// Each sector's formation stream.
    rngs: Vec<ChaCha8Rng>,
}

impl Formation {
    /// Queues the forming clusters of `scenario` by sector; streams from `seed` and `run`.
    pub(super) fn new(scenario: &crate::scenario::Scenario, seed: u64, run: u64) -> Self {
        let mut queues = vec![Vec::new(); scenario.sectors.len()];
        for (index, cluster) in scenario.clusters.iter().enumerate() {
            if cluster.status == crate::scenario::ClusterStatus::Forming {
                queues[cluster.sector].push(index);
            }
        }
        let rngs = (0..scenario.sectors.len())
            .map(|sector| {
                super::streams::stream(seed, super::Purpose::Formation, sector as u64, run)
            })
            .collect();
        Self {
            cursors: vec![0; queues.len()],
            queues,
            rngs,
        }
    }

    /// The sector's next initiative (the first forming cluster not yet formed), if any.
    pub(super) fn next_initiative(&self, sector: usize) -> Option<usize> {
        self.queues[sector].get(self.cursors[sector]).copied()
    }
}

impl Simulation<'_> {
    /// Draws and forms this quarter's new initiatives, sector by sector in file order. The hazard
    /// of sector s is
    /// H = formation_rate · potential_s · (1 + formation_funding_response · E)
    ///     · V · (1 + formation_network_response · networked_s / firms_s),
    /// where E is the funding effect of the sector's next initiative (its reserve money, size the
    /// founding group), V its valley multiplier and networked_s the members with a tie in the
    /// sector's operating clusters at this point of the quarter. The number forming is
    /// Poisson(H).
    pub(super) fn form_clusters(&mut self, quarter: usize, networked_by_sector: &[u64]) {
        let model = &self.parameters.model;
        for (sector, &networked) in networked_by_sector.iter().enumerate() {
            let Some(next) = self.formation.next_initiative(sector) else {
                continue;
            };
            let spec = &self.scenario.clusters[next];
            let open = spec
                .valleys
                .iter()
                .any(|&valley| quarter >= self.parameters.valley_open_quarter[valley]);
            let valley_multiplier = if open {
                1.0 + model.valley_spillover
            } else {
                1.0
            };
            let effect = self.clusters[next].funding_effect(model);
            let firms = self.scenario.sectors[sector].firms.max(1) as f64;
            let networked_share = networked as f64 / firms;
            let hazard = model.formation_rate
                * self.parameters.potential[sector]
                * (1.0 + model.formation_funding_response * effect)
                * valley_multiplier
                * (1.0 + model.formation_network_response * networked_share);
            let count = poisson(&mut self.formation.rngs[sector], hazard);
            for _ in 0..count {
                let Some(slot) = self.formation.next_initiative(sector) else {
                    break;
                };
                if !self.clusters[slot].found(model, &mut self.pools[sector], quarter) {
                    break;
                }
                self.dormant[slot] = false;
                self.formation.cursors[sector] += 1;
            }
        }
    }
}
