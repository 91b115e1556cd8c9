//! Money inside a cluster: absorption up to capacity, carry-over or return, and the ledger that
//! accounts for every cent.

use super::ClusterState;

/// Ledger column names in output order.
pub const LEDGER_FIELDS: [&str; 4] = ["allocated", "absorbed", "carried", "returned"];

/// Quantities per (funding year, measure) in [`Simulation::measure_year_totals`]
/// (crate::model::Simulation::measure_year_totals): the measure's ledger summed over clusters per
/// instrument, then the money the year's allocation did not contract.
pub const MEASURE_QUANTITIES: [(&str, &str); 10] = [
    ("infrastructure", "allocated"),
    ("infrastructure", "absorbed"),
    ("infrastructure", "carried"),
    ("infrastructure", "returned"),
    ("activity", "allocated"),
    ("activity", "absorbed"),
    ("activity", "carried"),
    ("activity", "returned"),
    ("all", "not_contracted_returned"),
    ("all", "not_contracted_carried"),
];

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

/// Where one cluster's absorption is recorded: the ledger lines of this funding year.
pub(crate) struct LedgerLines<'a> {
    /// The cluster's two lines (infrastructure, activity) of the ledger summed over measures.
    pub total: &'a mut [LedgerEntry],
    /// This year's block of the per-measure ledger, indexed `(measure · clusters + cluster) · 2
    /// + instrument`.
    pub by_measure: &'a mut [LedgerEntry],
    /// The cluster's index.
    pub cluster: usize,
    /// Number of clusters.
    pub clusters: usize,
}

impl ClusterState {
    /// Absorbs this quarter's money (docs/MODEL.md §7.2). `inflow` is paid in per measure and
    /// instrument; with the measure's balance held it makes the available amount per cell; the
    /// cluster absorbs up to its capacity floor(100 · (absorption_base_ltl +
    /// absorption_per_member_ltl · members)) cents over all cells together. When everything
    /// available exceeds the capacity, each cell gets floor(capacity · available / total) and
    /// the cents left over go one each to the cells with a non-zero remainder, in cell order
    /// (measures in file order, infrastructure before activity) — with one measure this is the
    /// activity part rounded down and the infrastructure part taking the remaining cent. What is
    /// left is carried, unless `settle` (money is returned at once, or this is the last funding
    /// quarter), in which case it is returned. A closed cluster's capacity is 0 and it always
    /// settles: what it holds and what is still paid to it in the year it closed is returned at
    /// once. `year_end` records the carried balances.
    pub(crate) fn absorb(
        &mut self,
        inflow: &[[i64; 2]],
        balances: &mut [[i64; 2]],
        model: &crate::scenario::ModelParameters<f64>,
        settle: bool,
        lines: LedgerLines<'_>,
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
        let total: i64 = balances
            .iter()
            .zip(inflow)
            .map(|(held, paid)| held[0] + paid[0] + held[1] + paid[1])
            .sum();
        let share = |cell_available: i64| {
            // The same quotient and remainder in 64 bits when the product fits (always, for
            // amounts below about EUR 30 billion): 128-bit division is a slow library call.
            if let Some(product) = capacity.checked_mul(cell_available) {
                return (product / total, product % total != 0);
            }
            let product = i128::from(capacity) * i128::from(cell_available);
            let total = i128::from(total);
            ((product / total) as i64, product % total != 0)
        };
        let within_capacity = total <= capacity;
        let mut leftover = if within_capacity {
            0
        } else {
            let floors: i64 = balances
                .iter()
                .zip(inflow)
                .map(|(held, paid)| share(held[0] + paid[0]).0 + share(held[1] + paid[1]).0)
                .sum();
            capacity - floors
        };
        let mut absorbed_now = [0i64; 2];
        for measure in 0..inflow.len() {
            for instrument in 0..2 {
                let cell_available = balances[measure][instrument] + inflow[measure][instrument];
                let absorbed = if within_capacity {
                    cell_available
                } else {
                    let (floor, remainder) = share(cell_available);
                    if leftover > 0 && remainder {
                        leftover -= 1;
                        floor + 1
                    } else {
                        floor
                    }
                };
                let left = cell_available - absorbed;
                let (returned, balance) = if settle { (left, 0) } else { (0, left) };
                balances[measure][instrument] = balance;
                absorbed_now[instrument] += absorbed;
                let index = (measure * lines.clusters + lines.cluster) * 2 + instrument;
                for entry in [
                    lines.by_measure.get_mut(index),
                    lines.total.get_mut(instrument),
                ]
                .into_iter()
                .flatten()
                {
                    entry.allocated += inflow[measure][instrument];
                    entry.absorbed += absorbed;
                    entry.returned += returned;
                }
                if year_end && let Some(entry) = lines.by_measure.get_mut(index) {
                    entry.carried = balance;
                }
            }
        }
        if year_end {
            for (instrument, entry) in lines.total.iter_mut().enumerate().take(2) {
                entry.carried = balances.iter().map(|cells| cells[instrument]).sum();
            }
        }
        self.absorbed_now = absorbed_now;
    }
}

/// What the ledger check needs: both ledgers, the balances held and the measures' budget
/// bookkeeping.
pub(crate) struct LedgerBooks<'a> {
    /// Ledger summed over measures, `(year · clusters + cluster) · 2 + instrument`.
    pub total: &'a [LedgerEntry],
    /// Ledger per measure, `((year · measures + measure) · clusters + cluster) · 2 + instrument`.
    pub by_measure: &'a [LedgerEntry],
    /// Balances held, `cluster · measures + measure`.
    pub balances: &'a [[i64; 2]],
    /// Each measure's cents per funding year.
    pub yearly_cents: Vec<&'a [i64]>,
    /// Each measure's money returned without entering the ledger (withheld or uncontracted).
    pub withheld: &'a [i64],
    /// Each measure's uncontracted money waiting for its next funding year.
    pub pending: &'a [i64],
    /// Each measure's cells allocated so far (the years' contracts, paid or still to be paid).
    pub contracted: &'a [i64],
    /// Whether every allocated year has been paid in full (no instalment outstanding).
    pub paid_up: bool,
    /// Number of clusters.
    pub clusters: usize,
    /// Funding years whose allocation has happened.
    pub allocated_years: usize,
    /// Funding years completed.
    pub completed_years: usize,
}

/// Checks that the ledger balances to the cent per measure, year, cluster and instrument:
/// carried in + allocated = absorbed + returned + carried out for every completed year;
/// everything allocated so far was absorbed, returned or is still held; the summed ledger is the
/// sum of the measures' ledgers; each measure's budget so far was contracted (allocated to
/// clusters for a year), returned without entering the ledger, or waits as uncontracted money
/// for the next year; and what was contracted has been paid in by the year's end.
pub(crate) fn check_ledger(books: &LedgerBooks<'_>) -> Result<(), String> {
    let clusters = books.clusters;
    let measures = books.yearly_cents.len();
    if clusters == 0 || measures == 0 {
        return Ok(());
    }
    let years = books.by_measure.len() / (measures * clusters * 2);
    let cell = |year: usize, measure: usize, cluster: usize, instrument: usize| {
        books.by_measure[((year * measures + measure) * clusters + cluster) * 2 + instrument]
    };
    for measure in 0..measures {
        let mut measure_allocated = 0;
        for cluster in 0..clusters {
            for instrument in 0..2 {
                let mut allocated = 0;
                let mut spent = 0;
                let mut carried_in = 0;
                for year in 0..years {
                    let entry = cell(year, measure, cluster, instrument);
                    if entry.fields().iter().any(|value| *value < 0) {
                        return Err(format!(
                            "negative ledger entry for measure {measure}, cluster {cluster}"
                        ));
                    }
                    allocated += entry.allocated;
                    spent += entry.absorbed + entry.returned;
                    if year < books.completed_years {
                        if carried_in + entry.allocated
                            != entry.absorbed + entry.returned + entry.carried
                        {
                            return Err(format!(
                                "ledger of measure {measure}, cluster {cluster}, instrument {instrument}, year {year} does not balance"
                            ));
                        }
                        carried_in = entry.carried;
                    }
                }
                let held = books.balances[cluster * measures + measure][instrument];
                if allocated != spent + held {
                    return Err(format!(
                        "measure {measure}, cluster {cluster}, instrument {instrument}: allocated {allocated} ≠ absorbed + returned {spent} + held {held}"
                    ));
                }
                measure_allocated += allocated;
            }
        }
        let budget: i64 = books.yearly_cents[measure]
            .iter()
            .take(books.allocated_years)
            .sum();
        let contracted = books.contracted[measure];
        let accounted = contracted + books.withheld[measure] + books.pending[measure];
        if budget != accounted {
            return Err(format!(
                "measure {measure}: budget so far {budget} ≠ contracted {contracted} + returned unallocated {} + waiting {}",
                books.withheld[measure], books.pending[measure]
            ));
        }
        let outstanding = contracted - measure_allocated;
        if outstanding < 0 || (books.paid_up && outstanding != 0) {
            return Err(format!(
                "measure {measure}: paid in {measure_allocated} but contracted {contracted}"
            ));
        }
    }
    for year in 0..years {
        for cluster in 0..clusters {
            for instrument in 0..2 {
                let mut sum = LedgerEntry::default();
                for measure in 0..measures {
                    let entry = cell(year, measure, cluster, instrument);
                    sum.allocated += entry.allocated;
                    sum.absorbed += entry.absorbed;
                    sum.returned += entry.returned;
                    sum.carried += entry.carried;
                }
                if books.total[(year * clusters + cluster) * 2 + instrument] != sum {
                    return Err(format!(
                        "summed ledger of cluster {cluster}, year {year} is not the sum of its measures"
                    ));
                }
            }
        }
    }
    Ok(())
}
