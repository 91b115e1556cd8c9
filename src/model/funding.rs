//! Money inside a cluster: absorption up to capacity, carry-over or return, and the ledger that
//! accounts for every cent.

use super::ClusterState;

/// Ledger column names in output order.
pub const LEDGER_FIELDS: [&str; 4] = ["allocated", "absorbed", "carried", "returned"];

/// One (funding year, cluster, instrument) line of the ledger, in cents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LedgerEntry {
    /// Paid to the cluster during the year.
    pub allocated: i64,
    /// Absorbed (spent) by the cluster during the year.
    pub absorbed: i64,
    /// Unabsorbed balance at the end of the year, carried into the next.
    pub carried: i64,
    /// Returned to the budget holder during the year.
    pub returned: i64,
}

impl LedgerEntry {
    /// The fields in [`LEDGER_FIELDS`] order.
    pub fn fields(&self) -> [i64; 4] {
        [self.allocated, self.absorbed, self.carried, self.returned]
    }
}

impl ClusterState {
    /// Absorbs this quarter's money. `inflow` is paid in; with what was carried it makes the
    /// available amount per instrument; the cluster absorbs up to its capacity
    /// floor(100 · (absorption_base_ltl + absorption_per_member_ltl · members)) cents, split
    /// between instruments in proportion to what is available (activity's part rounded down).
    /// What is left is carried, unless `settle` (money is returned at once, or this is the last
    /// funding quarter), in which case it is returned. A closed cluster's capacity is 0 and it
    /// always settles: what it holds and what is still paid to it in the year it closed is
    /// returned at once. `entries` are this year's two ledger lines;
    /// `year_end` records the carried balance.
    pub(crate) fn absorb(
        &mut self,
        inflow: [i64; 2],
        model: &crate::scenario::ModelParameters<f64>,
        settle: bool,
        entries: &mut [super::LedgerEntry],
        year_end: bool,
    ) {
        let members = self.network.members() as f64;
        let capacity_ltl = model.absorption_base_ltl + model.absorption_per_member_ltl * members;
        // A closed cluster absorbs nothing and returns everything it holds or is paid at once.
        let settle = settle || self.closed;
        let capacity = if self.closed {
            0
        } else {
            (capacity_ltl * 100.0).floor().clamp(0.0, 1e17) as i64
        };
        let available = [self.balance[0] + inflow[0], self.balance[1] + inflow[1]];
        let total = available[0] + available[1];
        let absorbed = if total <= capacity {
            available
        } else {
            let activity =
                (i128::from(capacity) * i128::from(available[1]) / i128::from(total)) as i64;
            [capacity - activity, activity]
        };
        for instrument in 0..2 {
            let left = available[instrument] - absorbed[instrument];
            let (returned, balance) = if settle { (left, 0) } else { (0, left) };
            self.balance[instrument] = balance;
            if let Some(entry) = entries.get_mut(instrument) {
                entry.allocated += inflow[instrument];
                entry.absorbed += absorbed[instrument];
                entry.returned += returned;
                if year_end {
                    entry.carried = balance;
                }
            }
        }
        self.absorbed_now = absorbed;
    }
}

/// Checks that the ledger balances: per cluster and instrument, everything allocated so far was
/// absorbed, returned or is still held; and per completed year,
/// carried in + allocated = absorbed + returned + carried out.
pub(crate) fn check_ledger(
    ledger: &[LedgerEntry],
    clusters: &[ClusterState],
    cluster_count: usize,
    completed_years: usize,
) -> Result<(), String> {
    if cluster_count == 0 {
        return Ok(());
    }
    let years = ledger.len() / (cluster_count * 2);
    for (cluster, state) in clusters.iter().enumerate() {
        for instrument in 0..2 {
            let mut allocated = 0;
            let mut spent = 0;
            let mut carried_in = 0;
            for year in 0..years {
                let entry = ledger[(year * cluster_count + cluster) * 2 + instrument];
                allocated += entry.allocated;
                spent += entry.absorbed + entry.returned;
                if year < completed_years {
                    if carried_in + entry.allocated
                        != entry.absorbed + entry.returned + entry.carried
                    {
                        return Err(format!(
                            "ledger of cluster {cluster}, instrument {instrument}, year {year} does not balance"
                        ));
                    }
                    carried_in = entry.carried;
                }
                if entry.allocated < 0
                    || entry.absorbed < 0
                    || entry.returned < 0
                    || entry.carried < 0
                {
                    return Err(format!("negative ledger entry for cluster {cluster}"));
                }
            }
            if allocated != spent + state.balance[instrument] {
                return Err(format!(
                    "cluster {cluster}, instrument {instrument}: allocated {allocated} ≠ absorbed + returned {spent} + held {}",
                    state.balance[instrument]
                ));
            }
        }
    }
    Ok(())
}
