//! Limits before work: an upper estimate of the memory and disk a run needs, checked before
//! anything is allocated, so that an absurd size (runs, years, populations, clusters) is refused
//! with the estimate and the limit in the message instead of exhausting the machine.

use super::outcomes::{HEADLINE_OUTCOMES, slots_per_quarter};
use crate::scenario::Scenario;

/// Memory above which a run needs `--allow-large` (16 GiB).
pub const MEMORY_LIMIT_BYTES: u64 = 16 << 30;
/// Disk above which a run needs `--allow-large` (20 GiB).
pub const DISK_LIMIT_BYTES: u64 = 20 << 30;

/// Bytes assumed per streaming accumulator (Welford moments plus a quantile sketch whose buckets
/// cover the spread of one outcome; generous).
const BYTES_PER_ACCUMULATOR: u64 = 8 << 10;
/// Bytes per cluster member in the worst case (node, adjacency list, a share of the tie records
/// and the hash set of pairs at a mean degree of about 4).
const BYTES_PER_MEMBER: u64 = 200;
/// Bytes per cell of `runs.csv` (a shortest-round-trip f64 and a comma).
const BYTES_PER_RUNS_CELL: u64 = 22;
/// Bytes per `runs.csv` cell while the reports are rendered: the table read back (16) and the
/// workbook's cell records (about 64).
const BYTES_PER_RUNS_CELL_IN_REPORTS: u64 = 80;

/// An upper estimate of what a run needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkEstimate {
    /// Peak memory, bytes.
    pub memory_bytes: u64,
    /// Disk for the result folder, bytes.
    pub disk_bytes: u64,
}

/// Estimates the memory and disk of `runs` runs on `threads` threads.
///
/// Memory: one accumulator per (quarter, series slot) and per ledger cell; two chunks of run
/// records in flight (256 runs each); the headline values of every run; per thread, two
/// simulations (policy and counterfactual) in the worst case where every firm of every sector
/// has joined a cluster; or, if larger, the report stage, which reads `runs.csv` back and builds
/// the workbook. Disk: `runs.csv` plus the summaries, charts and reports.
pub fn estimate(scenario: &Scenario, runs: u64, threads: usize) -> WorkEstimate {
    estimate_with_policies(scenario, runs, threads, 1)
}

/// As [`estimate`], for `policies` policies simulated on the same runs (`clustersim compare`):
/// per thread one simulation per policy plus the counterfactual, chunks of records per policy,
/// every run's compared outcomes and regrets per policy, per-period accumulators per policy, and
/// `comparison_runs.csv` on disk.
pub fn estimate_with_policies(
    scenario: &Scenario,
    runs: u64,
    threads: usize,
    policies: usize,
) -> WorkEstimate {
    let policies = policies.max(1) as u64;
    let quarters = scenario.budget.quarters() as u64;
    let clusters = scenario.clusters.len() as u64;
    let width = slots_per_quarter(scenario.clusters.len()) as u64;
    let ledger_cells = scenario.budget.funding_years() as u64 * clusters * 2 * 4;
    let accumulators = quarters * width + ledger_cells;
    let record_bytes = quarters * width * 8 + ledger_cells * 8 + 512;
    let firms: u64 = scenario.sectors.iter().map(|s| s.firms).sum();
    let columns = 1 + scenario.parameter_slots().len() as u64 + HEADLINE_OUTCOMES.len() as u64;
    let reports = runs
        .saturating_mul(columns)
        .saturating_mul(BYTES_PER_RUNS_CELL_IN_REPORTS);
    let compared = if policies > 1 {
        // Values and regrets of five outcomes per policy and run; accumulators per quarter and
        // policy.
        runs.saturating_mul(policies * 5 * 2 * 8)
            .saturating_add(quarters * policies * BYTES_PER_ACCUMULATOR)
    } else {
        0
    };
    let simulation = accumulators
        .saturating_mul(BYTES_PER_ACCUMULATOR)
        .saturating_add(record_bytes.saturating_mul(2 * 256 * policies))
        .saturating_add(runs.saturating_mul(HEADLINE_OUTCOMES.len() as u64 * 8))
        .saturating_add(compared)
        .saturating_add(
            firms
                .saturating_mul((policies + 1) * BYTES_PER_MEMBER)
                .saturating_mul(threads.max(1) as u64),
        );
    let memory = simulation.max(reports);
    let summaries = quarters * width * 160 + ledger_cells * 120;
    let charts_and_reports = 8 << 20;
    let comparison_runs = if policies > 1 {
        runs.saturating_mul(policies * 7 * BYTES_PER_RUNS_CELL)
    } else {
        0
    };
    let disk = runs
        .saturating_mul(columns * BYTES_PER_RUNS_CELL)
        .saturating_add(comparison_runs)
        .saturating_add(summaries.saturating_mul(3))
        .saturating_add(charts_and_reports);
    WorkEstimate {
        memory_bytes: memory,
        disk_bytes: disk,
    }
}

/// Formats bytes as GiB or MiB.
pub fn human_bytes(bytes: u64) -> String {
    if bytes >= 1 << 30 {
        format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64)
    } else {
        format!("{:.0} MiB", (bytes as f64 / (1u64 << 20) as f64).max(1.0))
    }
}

/// Refuses an estimate over the limits, saying what it is, what the limit is and how to go ahead.
pub fn check(estimate: WorkEstimate) -> anyhow::Result<()> {
    let mut over = Vec::new();
    if estimate.memory_bytes > MEMORY_LIMIT_BYTES {
        over.push(format!(
            "memory up to about {} (limit {})",
            human_bytes(estimate.memory_bytes),
            human_bytes(MEMORY_LIMIT_BYTES)
        ));
    }
    if estimate.disk_bytes > DISK_LIMIT_BYTES {
        over.push(format!(
            "disk for the results about {} (limit {})",
            human_bytes(estimate.disk_bytes),
            human_bytes(DISK_LIMIT_BYTES)
        ));
    }
    if over.is_empty() {
        return Ok(());
    }
    anyhow::bail!(
        "this run is too large to start without confirmation: it would need {}; reduce --runs, --threads, the horizon, the clusters or the sector populations, or pass --allow-large to go ahead",
        over.join(" and ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load_baseline;

    #[test]
    fn the_baseline_is_small_and_huge_run_counts_are_not() {
        let scenario = load_baseline().unwrap();
        let small = estimate(&scenario, 10_000, 2);
        assert!(small.memory_bytes < 1 << 30, "{small:?}");
        assert!(check(small).is_ok());
        let huge = estimate(&scenario, 100_000_000, 2);
        let message = check(huge).unwrap_err().to_string();
        assert!(
            message.contains("disk") && message.contains("--allow-large"),
            "{message}"
        );
        assert!(message.contains("limit 20.0 GiB"), "{message}");
    }

    #[test]
    fn estimates_grow_with_population_threads_and_runs() {
        let scenario = load_baseline().unwrap();
        let base = estimate(&scenario, 1000, 1);
        assert!(estimate(&scenario, 1000, 2).memory_bytes > base.memory_bytes);
        assert!(estimate(&scenario, 2000, 1).disk_bytes > base.disk_bytes);
        let compared = estimate_with_policies(&scenario, 1000, 1, 7);
        assert!(compared.memory_bytes > base.memory_bytes);
        assert!(compared.disk_bytes > base.disk_bytes);
        assert_eq!(estimate_with_policies(&scenario, 1000, 1, 1), base);
        assert_eq!(human_bytes(3 << 30), "3.0 GiB");
        assert_eq!(human_bytes(5 << 20), "5 MiB");
    }
}
