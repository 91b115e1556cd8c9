//! `competitive`: a call for proposals, as in GREAT-SKIN. Each operating cluster proposes a
//! request; proposals are ranked by quality and funded in rank order until the round's money is
//! spent (the last one funded partly).

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use super::{AllocationRule, ClusterView};

/// Competitive call.
pub struct Competitive {
    /// LTL requested per member per year.
    pub request_ltl_per_member: f64,
    /// Fixed LTL per request.
    pub request_base_ltl: f64,
    /// Standard deviation of the quality noise.
    pub quality_sd: f64,
}

impl AllocationRule for Competitive {
    /// Quality of cluster c = potential + quality_sd · Z_c, with one standard normal Z drawn for
    /// *every* cluster in index order (eligible or not), so the stream advances the same way
    /// whatever the state. Request = request_base_ltl + request_ltl_per_member · members, in
    /// cents. Ranked by quality (highest first, ties to the lower index), requests are granted in
    /// full while the money lasts, the next partly, the rest nothing. If all requests together
    /// are below the money, the weights are the requests themselves (so the money is shared in
    /// proportion to them).
    fn weights(
        &self,
        clusters: &[ClusterView],
        eligible: &[usize],
        distributable_cents: i64,
        rng: &mut ChaCha8Rng,
    ) -> Vec<f64> {
        let noise: Vec<f64> = clusters
            .iter()
            .map(|_| rng.sample::<f64, _>(StandardNormal))
            .collect();
        let requests: Vec<f64> = eligible
            .iter()
            .map(|&c| {
                100.0
                    * (self.request_base_ltl
                        + self.request_ltl_per_member * clusters[c].members as f64)
            })
            .collect();
        let mut order: Vec<usize> = (0..eligible.len()).collect();
        let quality = |position: usize| {
            let cluster = eligible[position];
            clusters[cluster].potential + self.quality_sd * noise[cluster]
        };
        order.sort_by(|&a, &b| quality(b).total_cmp(&quality(a)).then(a.cmp(&b)));
        let total_requested: f64 = requests.iter().sum();
        let money = distributable_cents as f64;
        if total_requested <= money {
            return requests;
        }
        let mut left = money;
        let mut granted = vec![0.0; eligible.len()];
        for position in order {
            let grant = requests[position].min(left);
            granted[position] = grant;
            left -= grant;
            if left <= 0.0 {
                break;
            }
        }
        granted
    }
}
