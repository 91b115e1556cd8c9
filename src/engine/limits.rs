//! Limits before work: an estimate of the memory and disk a run needs, made before anything is
//! allocated, so that a run that would not fit (runs, years, populations, clusters, threads) is
//! refused with the estimate, its parts and the limit in the message instead of exhausting the
//! machine.
//!
//! Memory is the larger of two stages (docs/PERFORMANCE.md, "The memory estimate", states the
//! formula and the peaks it was checked against):
//!
//! * **engine** = [`PROGRAM_BYTES`] + the total's accumulators (times
//!   [`accumulator_growth`] of the runs) + the units in flight (their runs' values,
//!   [`BYTES_PER_BUFFERED_CELL`] per cell and run, and for `compare` their per-quarter
//!   accumulators) + the per-run headline values kept for exact percentiles + per worker thread in
//!   flight, the networks of one run ([`super::expected_networks`]: the funded world of each
//!   policy and the counterfactual, members × [`BYTES_PER_MEMBER`] + ties × [`BYTES_PER_TIE`],
//!   times [`NETWORK_SAFETY_FACTOR`], times 1 + [`NETWORK_GROWTH_PER_DOUBLING`] ·
//!   log₂(the worker's runs / [`UNIT_RUNS`]) from 32 runs on) and its records + for `compare`,
//!   every run's compared values + for a shard, its `state.json` being written, accumulators ×
//!   [`SHARD_STATE_BYTES_PER_ACCUMULATOR`];
//! * **reports** = [`PROGRAM_BYTES`] + the total's accumulators × (1 +
//!   [`REPORT_BYTES_PER_ACCUMULATOR`] / [`BYTES_PER_ACCUMULATOR`]) + the rows of `runs.csv` the
//!   report holds, min(runs, [`SAMPLE_RUNS`]) × columns × [`BYTES_PER_RUNS_CELL_IN_REPORTS`] (a
//!   shard has no report stage);
//!
//! and the estimate is the larger stage times [`MEMORY_SAFETY_FACTOR`].
//!
//! The constants are few and named so that they can be measured again when the model's or the
//! aggregation's data structures change (`/usr/bin/time -f "%M KB"` of `clustersim run` with and
//! without `--shard 1/1`, as in docs/PERFORMANCE.md).

use super::blocks::{UNIT_RUNS, WINDOW_UNITS_PER_THREAD};
use super::expected_networks::{ExpectedNetworks, NetworkSize, expected_networks};
use super::outcomes::{HEADLINE_OUTCOMES, slots_per_quarter};
use crate::model::{LEDGER_FIELDS, MEASURE_QUANTITIES};
use crate::report::runs_digest::SAMPLE_RUNS;
use crate::scenario::Scenario;

/// Memory above which a run is refused where the machine's memory is unknown (16 GiB).
pub const DEFAULT_MEMORY_LIMIT_BYTES: u64 = 16 << 30;
/// Disk above which a run needs `--allow-large` (20 GiB).
pub const DISK_LIMIT_BYTES: u64 = 20 << 30;

/// The program itself, the scenario, the thread stacks and the allocator's slack (measured:
/// 12 MiB for 1,000 runs of tests/data/minimal.json, whose accumulators are few).
pub const PROGRAM_BYTES: u64 = 16 << 20;
/// Bytes per cell (series, ledger, measure or headline) and run of a unit in flight: a unit
/// buffers its runs' explicit values (neither `+0.0` nor undefined) with their cells, sorts them
/// by cell and keeps each distinct value once with its count (`stats::RowBuffer`: about 30
/// bytes per explicit value with the sort's scratch, 45 with the buffers' doubling slack), and
/// on the baseline about 17% of the values are explicit.
pub const BYTES_PER_BUFFERED_CELL: u64 = 8;
/// Bytes per streaming accumulator (exact sums and a quantile sketch, mostly sparse): measured
/// as the growth of the baseline's engine peak per extra thread, whose two units in flight hold
/// about 85,000 accumulators each (53 MB more on 2 threads than on 1 before the sparse fold of
/// main a9047bf, 91 MiB after it, which the other terms and the safety factor still cover).
pub const BYTES_PER_ACCUMULATOR: u64 = 320;
/// Bytes per cluster member in a network (`src/model/network.rs`): its adjacency list (a 24-byte
/// `Vec` header and a heap block of a few 8-byte entries, 48 bytes with the allocator's
/// rounding), its sole-proprietor flag and permanent number (9 bytes), with the 1.5× slack of
/// vectors grown by doubling.
pub const BYTES_PER_MEMBER: u64 = 120;
/// Bytes per tie: the 16-byte tie record and its entry in the pair set (an 8-byte key and a
/// control byte at a load of 7/8 or less), with the 1.5× slack of doubling growth.
pub const BYTES_PER_TIE: u64 = 48;
/// Safety factor on the expected networks of a worker's first [`UNIT_RUNS`] runs: a thread
/// keeps each network's buffers at the largest size it ever needed (`src/model/recycle.rs`),
/// and network sizes vary widely from run to run (at populations × 1,000 one thread's peak over
/// 32 runs, 1.75 GiB, was three times the expected networks of one run, 0.59 GB).
pub const NETWORK_SAFETY_FACTOR: f64 = 3.0;
/// Growth of a worker's network memory per doubling of its runs beyond [`UNIT_RUNS`], relative
/// to the first unit's: the kept buffers creep towards every cluster slot's largest size over
/// all the thread's runs (measured at populations × 100 on one thread: 327 MB at 64 runs, 616
/// MB at 512, the networks' part growing 2.5× in three doublings). An extrapolation beyond the
/// 512 runs per thread measured.
pub const NETWORK_GROWTH_PER_DOUBLING: f64 = 0.5;
/// The report stage's memory per accumulator of the total: the summaries read back for the
/// charts, the report's tables and the workbook (measured: about 215 MiB for the baseline's
/// 84,944 accumulators, 2.6 KB each).
pub const REPORT_BYTES_PER_ACCUMULATOR: u64 = 3 << 10;
/// Growth of the total's accumulators per doubling of the runs beyond [`UNIT_RUNS`]: a quantile
/// sketch keeps a bucket for every value bin it has seen, so the total's sketches fill as runs
/// are added. Measured with the one striped total of all workers (issue 12, i12fold2): the
/// baseline's engine alone (`run --shard 1/1`, one thread) peaked at 109 MiB at 256 runs and
/// 162 MiB at 2,048, about 0.45 of a set of accumulators (with the state written) per
/// doubling; before, with a partial total per worker, 1.3 was measured on whole runs. Sketches
/// are bounded by their bin range, so this overstates very large run counts.
pub const ACCUMULATOR_GROWTH_PER_DOUBLING: f64 = 0.6;
/// Bytes per accumulator and unit of that growth of a shard's `state.json` while it is written:
/// the serialisable copy of the aggregates and its JSON text (30 MB of JSON, about 512 bytes per
/// accumulator, for 256 baseline runs, a growth of 2.8).
pub const SHARD_STATE_BYTES_PER_ACCUMULATOR: u64 = 150;
/// Safety factor on the whole estimate: the allocator's fragmentation and the spread of the
/// constants above between scenarios (each was measured on one or two).
pub const MEMORY_SAFETY_FACTOR: f64 = 1.25;
/// Bytes per cell of `runs.csv` while the reports are rendered: the table read back and the
/// workbook's cell records (measured: 715 MiB more for the whole run than for the engine at 10⁵
/// runs of tests/data/minimal.json, whose `runs.csv` has 46 columns: 163 bytes per cell).
pub const BYTES_PER_RUNS_CELL_IN_REPORTS: u64 = 180;
/// Bytes per cell of `runs.csv` on disk (a shortest-round-trip f64 and a comma).
const BYTES_PER_RUNS_CELL: u64 = 22;

/// Where the estimated memory goes, bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MemoryParts {
    /// [`PROGRAM_BYTES`].
    pub program: u64,
    /// The total's accumulators.
    pub total_accumulators: u64,
    /// The units in flight: their buffered values and, for `compare`, their per-quarter
    /// accumulators.
    pub units: u64,
    /// Per-run values kept for exact order statistics (headline outcomes; for `compare`, the
    /// compared outcomes and regrets of every policy).
    pub run_values: u64,
    /// The networks and records of the runs in flight, safety factor included.
    pub networks: u64,
    /// A shard's `state.json` while it is written.
    pub shard_state: u64,
    /// The report stage beyond the accumulators (0 for a shard).
    pub reports: u64,
}

impl MemoryParts {
    /// Peak of the engine stage.
    pub fn engine(&self) -> u64 {
        self.program
            .saturating_add(self.total_accumulators)
            .saturating_add(self.units)
            .saturating_add(self.run_values)
            .saturating_add(self.networks)
            .saturating_add(self.shard_state)
    }

    /// Peak of the report stage.
    pub fn report_stage(&self) -> u64 {
        self.program
            .saturating_add(self.total_accumulators)
            .saturating_add(self.run_values)
            .saturating_add(self.reports)
    }

    /// The estimated peak: the larger stage, times [`MEMORY_SAFETY_FACTOR`].
    pub fn peak(&self) -> u64 {
        let larger = self.engine().max(self.report_stage()) as f64;
        (larger * MEMORY_SAFETY_FACTOR).min(u64::MAX as f64) as u64
    }
}

/// An estimate of what a run needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkEstimate {
    /// Peak memory, bytes.
    pub memory_bytes: u64,
    /// Disk for the result folder, bytes.
    pub disk_bytes: u64,
    /// Where the memory goes.
    pub memory: MemoryParts,
}

/// The work one process does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Work {
    /// Runs this process simulates (a shard's share of the whole).
    pub runs: u64,
    /// Worker threads.
    pub threads: usize,
    /// Policies simulated on the same runs (1 for `run`, more for `compare`).
    pub policies: usize,
    /// Whether it writes a shard folder (its state, no reports) rather than a whole result.
    pub shard: bool,
}

impl Work {
    /// `runs` runs of one policy on `threads` threads, written as a whole result.
    pub fn run(runs: u64, threads: usize) -> Self {
        Self {
            runs,
            threads,
            policies: 1,
            shard: false,
        }
    }
}

/// Estimates the memory and disk of `runs` runs on `threads` threads (a whole `run`).
pub fn estimate(scenario: &Scenario, runs: u64, threads: usize) -> WorkEstimate {
    estimate_work(scenario, Work::run(runs, threads))
}

/// Streaming accumulators of one set of aggregates (`super::Aggregates::new`): one per (quarter,
/// series slot), per (funding year, cluster, instrument, ledger field), per (funding year,
/// measure, measure quantity) and per headline outcome.
pub fn accumulators(scenario: &Scenario) -> u64 {
    let quarters = scenario.budget.quarters() as u64;
    let years = scenario.budget.funding_years() as u64;
    let width = slots_per_quarter(scenario.clusters.len()) as u64;
    let ledger = years * scenario.clusters.len() as u64 * 2 * LEDGER_FIELDS.len() as u64;
    let measures = years * scenario.budget.measures.len() as u64 * MEASURE_QUANTITIES.len() as u64;
    quarters * width + ledger + measures + HEADLINE_OUTCOMES.len() as u64
}

/// How much fuller the total's accumulators are after `runs` runs than a unit's:
/// 1 + [`ACCUMULATOR_GROWTH_PER_DOUBLING`] · log₂(runs / [`UNIT_RUNS`]), from 32 runs on.
pub fn accumulator_growth(runs: u64) -> f64 {
    let doublings = (runs.max(UNIT_RUNS) as f64 / UNIT_RUNS as f64).log2();
    1.0 + ACCUMULATOR_GROWTH_PER_DOUBLING * doublings
}

/// Bytes of one world's networks, before the safety factor.
fn network_bytes(size: NetworkSize) -> f64 {
    size.members * BYTES_PER_MEMBER as f64 + size.ties * BYTES_PER_TIE as f64
}

/// Bytes of one run's networks in flight: the funded world of each of `policies` policies and
/// the counterfactual, times [`NETWORK_SAFETY_FACTOR`].
pub fn run_network_bytes(networks: &ExpectedNetworks, policies: u64) -> u64 {
    let bytes =
        network_bytes(networks.funded) * policies as f64 + network_bytes(networks.counterfactual);
    // Saturating: an absurd population gives an absurd, not a wrapped, estimate.
    (bytes * NETWORK_SAFETY_FACTOR).min(u64::MAX as f64) as u64
}

/// Estimates the memory and disk of `work` (see the module docs). With several policies
/// (`clustersim compare`): per thread one funded world per policy plus the counterfactual, every
/// run's compared outcomes and regrets per policy, per-quarter accumulators per policy, and
/// `comparison_runs.csv` on disk.
pub fn estimate_work(scenario: &Scenario, work: Work) -> WorkEstimate {
    let Work {
        runs,
        threads,
        policies,
        shard,
    } = work;
    let policies = policies.max(1) as u64;
    let quarters = scenario.budget.quarters() as u64;
    let accumulators = accumulators(scenario);
    let threads = threads.max(1) as u64;
    // One run's record: a value per series slot and quarter, ledger field, measure quantity and
    // headline outcome (the accumulators' cells).
    let record_bytes = accumulators.saturating_mul(8);
    // A worker simulates one unit of runs at a time (every policy's, for `compare`), holding
    // one run's records; workers run at most WINDOW units per thread ahead of the in-order fold
    // (`super::blocks`), so at most that many units exist. A unit buffers its runs' values;
    // one total holds the accumulators, whatever the thread count (`super::partials`).
    let units = runs.div_ceil(UNIT_RUNS).max(1);
    let workers = threads.min(units);
    let units_alive = units.min(threads * WINDOW_UNITS_PER_THREAD as u64);
    let comparison_accumulators = if policies > 1 { quarters * policies } else { 0 };
    let per_set = (accumulators + comparison_accumulators).saturating_mul(BYTES_PER_ACCUMULATOR);
    let unit_bytes = (UNIT_RUNS * BYTES_PER_BUFFERED_CELL)
        .saturating_mul(accumulators)
        .saturating_add(comparison_accumulators.saturating_mul(BYTES_PER_ACCUMULATOR));
    let filled = accumulator_growth(runs);
    let scaled = |bytes: u64| (bytes as f64 * filled).min(u64::MAX as f64) as u64;
    let exact_runs = runs.min(super::EXACT_HEADLINE_RUNS);
    let mut run_values = exact_runs.saturating_mul(HEADLINE_OUTCOMES.len() as u64 * 8);
    if policies > 1 {
        // Values and regrets of five outcomes per policy and run.
        run_values = run_values.saturating_add(runs.saturating_mul(policies * 5 * 2 * 8));
    }
    // Each worker's kept network buffers grow with the runs it does (see
    // NETWORK_GROWTH_PER_DOUBLING).
    let runs_per_worker = runs.div_ceil(workers.max(1)).max(UNIT_RUNS);
    let growth =
        1.0 + NETWORK_GROWTH_PER_DOUBLING * (runs_per_worker as f64 / UNIT_RUNS as f64).log2();
    let networks = run_network_bytes(&expected_networks(scenario), policies) as f64 * growth;
    let per_worker = (networks.min(u64::MAX as f64) as u64)
        .saturating_add(record_bytes.saturating_mul(policies));
    let columns = 1 + scenario.parameter_slots().len() as u64 + HEADLINE_OUTCOMES.len() as u64;
    let memory = MemoryParts {
        program: PROGRAM_BYTES,
        total_accumulators: scaled(per_set),
        units: unit_bytes.saturating_mul(units_alive),
        run_values,
        networks: per_worker.saturating_mul(workers),
        shard_state: if shard {
            scaled(accumulators.saturating_mul(SHARD_STATE_BYTES_PER_ACCUMULATOR))
        } else {
            0
        },
        reports: if shard {
            0
        } else {
            accumulators
                .saturating_mul(REPORT_BYTES_PER_ACCUMULATOR)
                .saturating_add(
                    runs.min(SAMPLE_RUNS as u64)
                        .saturating_mul(columns)
                        .saturating_mul(BYTES_PER_RUNS_CELL_IN_REPORTS),
                )
        },
    };
    let ledger_cells = scenario.budget.funding_years() as u64 * scenario.clusters.len() as u64 * 8;
    let width = slots_per_quarter(scenario.clusters.len()) as u64;
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
        memory_bytes: memory.peak(),
        disk_bytes: disk,
        memory,
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

/// The memory a run may use: this machine's physical memory (`MemTotal` of `/proc/meminfo`),
/// or [`DEFAULT_MEMORY_LIMIT_BYTES`] where it cannot be read.
pub fn machine_memory_limit() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .as_deref()
        .and_then(mem_total_bytes)
        .unwrap_or(DEFAULT_MEMORY_LIMIT_BYTES)
}

/// `MemTotal` of a `/proc/meminfo` text, bytes.
fn mem_total_bytes(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|line| line.starts_with("MemTotal:"))?;
    let mut words = line.split_whitespace().skip(1);
    let kib: u64 = words.next()?.parse().ok()?;
    (words.next()? == "kB").then_some(kib.saturating_mul(1024))
}

/// Refuses an estimate over `memory_limit` bytes of memory or over [`DISK_LIMIT_BYTES`] of
/// disk, saying what it is, where the memory goes, what the limit is and how to go ahead.
pub fn check(estimate: WorkEstimate, memory_limit: u64) -> anyhow::Result<()> {
    let mut over = Vec::new();
    if estimate.memory_bytes > memory_limit {
        let parts = estimate.memory;
        over.push(format!(
            "memory up to about {} (this machine has {}; the networks of the runs in flight {}, \
             the accumulators {}, the reports {})",
            human_bytes(estimate.memory_bytes),
            human_bytes(memory_limit),
            human_bytes(parts.networks),
            human_bytes(parts.total_accumulators + parts.units),
            human_bytes(parts.reports),
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
    use crate::engine::Aggregates;
    use crate::scenario::{Param, load_baseline};

    const GIB: u64 = 1 << 30;

    /// The baseline with every sector's firms times `scale` (as `examples/throughput.rs`).
    fn scaled_baseline(scale: u64) -> Scenario {
        let mut scenario = load_baseline().unwrap();
        for sector in &mut scenario.sectors {
            sector.firms *= scale;
            sector.regular_firms *= scale;
            sector.sole_firms *= scale;
        }
        scenario
    }

    #[test]
    fn the_accumulator_count_is_that_of_the_aggregates() {
        let scenario = load_baseline().unwrap();
        let state = Aggregates::new(&scenario).state();
        let held = scenario.budget.quarters() * state.width
            + state.ledger.len()
            + state.measures.len()
            + state.headline_accumulators.len();
        assert_eq!(accumulators(&scenario), held as u64);
        // 40 quarters × 1,946 slots, 9 years × 96 clusters × 2 × 4 ledger fields, 9 × 2 × 10
        // measure quantities, 12 headline outcomes.
        assert_eq!(accumulators(&scenario), 77_840 + 6_912 + 180 + 12);
    }

    /// Every part on a scenario of known network sizes: one sector of 1,000 regular firms, every
    /// rate fixed, no cluster, no valley, no money.
    #[test]
    fn the_parts_add_up_on_a_scenario_of_known_size() {
        let mut scenario = load_baseline().unwrap();
        scenario.sectors.truncate(1);
        scenario.clusters.clear();
        scenario.valleys.clear();
        scenario.budget.total_cents = 0;
        let sector = &mut scenario.sectors[0];
        (sector.firms, sector.regular_firms, sector.sole_firms) = (1000, 1000, 0);
        sector.cooperation_propensity = Param::Fixed(1.0);
        let model = &mut scenario.model;
        model.join_base_rate = Param::Fixed(0.02);
        model.size_attraction = Param::Fixed(0.0);
        model.tie_rate = Param::Fixed(0.05);
        model.tie_dissolution_rate = Param::Fixed(0.1);
        model.tie_use_probability = Param::Fixed(0.5);
        let quarters = scenario.budget.quarters() as f64;
        // 1,000 · (1 − e^(−0.02·quarters)) members; per member the attachment tie plus
        // min(0.05 / 0.05, 0.05 · quarters) = 1 tie from attempts.
        let members = 1000.0 * (1.0 - (-0.02 * quarters).exp());
        let world = members * 120.0 + 2.0 * members * 48.0;
        let networks = expected_networks(&scenario);
        assert!((networks.funded.members - members).abs() < 1e-6);
        assert!((network_bytes(networks.counterfactual) - world).abs() < 1e-3);

        let accumulators = accumulators(&scenario);
        let per_set = accumulators * BYTES_PER_ACCUMULATOR;
        let record = accumulators * 8;
        let run_networks =
            |policies: f64| (world * (policies + 1.0) * NETWORK_SAFETY_FACTOR) as u64;
        // 100 runs on 8 threads: 4 units, so 4 workers and 4 units' accumulators in flight.
        let work = estimate(&scenario, 100, 8);
        let parts = work.memory;
        assert_eq!(parts.program, PROGRAM_BYTES);
        let filled = |bytes: u64| (bytes as f64 * accumulator_growth(100)) as u64;
        assert_eq!(parts.total_accumulators, filled(per_set));
        assert!((accumulator_growth(100) - (1.0 + 0.6 * (100.0f64 / 32.0).log2())).abs() < 1e-12);
        assert_eq!(accumulator_growth(20), 1.0);
        let unit = 32 * BYTES_PER_BUFFERED_CELL * accumulators;
        assert_eq!(parts.units, 4 * unit);
        assert_eq!(parts.networks, 4 * (run_networks(1.0) + record));
        assert_eq!(parts.run_values, 100 * 12 * 8);
        assert_eq!(parts.shard_state, 0);
        let columns = 1 + scenario.parameter_slots().len() as u64 + 12;
        assert_eq!(
            parts.reports,
            accumulators * REPORT_BYTES_PER_ACCUMULATOR
                + 100 * columns * BYTES_PER_RUNS_CELL_IN_REPORTS
        );
        let larger = parts.engine().max(parts.report_stage());
        assert_eq!(
            work.memory_bytes,
            (larger as f64 * MEMORY_SAFETY_FACTOR) as u64
        );
        // 10,000 runs on 2 threads: the window holds 2 units per thread.
        assert_eq!(estimate(&scenario, 10_000, 2).memory.units, 4 * unit);
        // Three policies: three funded worlds and the counterfactual per worker; a shard writes
        // its state and has no report stage.
        let shard = estimate_work(
            &scenario,
            Work {
                runs: 100,
                threads: 1,
                policies: 3,
                shard: true,
            },
        );
        // One worker does all 100 runs: its kept buffers grow by log₂(100 / 32) halves.
        let growth = 1.0 + 0.5 * (100.0f64 / 32.0).log2();
        let grown = (run_networks(3.0) as f64 * growth) as u64;
        assert_eq!(shard.memory.networks, grown + 3 * record);
        // Units of `compare` hold each policy's per-quarter accumulators too; one thread keeps
        // two units in flight.
        let compare_unit = unit + 3 * quarters as u64 * BYTES_PER_ACCUMULATOR;
        assert_eq!(shard.memory.units, 2 * compare_unit);
        assert_eq!(shard.memory.reports, 0);
        assert_eq!(
            shard.memory.shard_state,
            filled(accumulators * SHARD_STATE_BYTES_PER_ACCUMULATOR)
        );
    }

    /// Peaks measured on the 2-core machine with `/usr/bin/time -f "%e s %M KB"` of
    /// `clustersim run` (`compare` for 7 policies) on the baseline with every sector's firms
    /// times the scale (tables in docs/PERFORMANCE.md, "The memory estimate" and "The fold
    /// without unit accumulators"): (scale, runs, threads, policies, shard — `--shard 1/1`, the
    /// engine alone —, peak KB). The baseline rows were measured after the striped total (issue
    /// 12, i12fold2); the populations × 100 and × 1,000 rows before it, where the networks are
    /// most of the peak (the striped total only lowers it).
    const MEASURED: [(u64, u64, usize, usize, bool, u64); 17] = [
        (1, 256, 1, 1, true, 111_680),
        (1, 512, 2, 1, true, 133_936),
        (1, 2048, 1, 1, true, 165_824),
        (1, 20_000, 2, 1, true, 247_108),
        (1, 256, 1, 1, false, 251_300),
        (1, 512, 2, 1, false, 270_544),
        (1, 20_000, 2, 1, false, 458_256),
        (1, 1000, 2, 7, false, 334_084),
        (100, 64, 1, 1, true, 327_028),
        (100, 512, 1, 1, true, 615_808),
        (100, 512, 16, 1, true, 3_080_880),
        (100, 512, 16, 1, false, 3_068_212),
        (1000, 32, 1, 1, true, 1_838_868),
        (1000, 64, 2, 1, true, 3_596_308),
        (1000, 32, 16, 1, true, 1_842_120),
        (1000, 128, 16, 1, true, 7_100_804),
        (1000, 32, 1, 1, false, 1_806_124),
    ];

    #[test]
    fn the_estimate_is_within_three_times_the_measured_peaks() {
        for (scale, runs, threads, policies, shard, kib) in MEASURED {
            let scenario = scaled_baseline(scale);
            let work = Work {
                runs,
                threads,
                policies,
                shard,
            };
            let estimate = estimate_work(&scenario, work).memory_bytes;
            let ratio = estimate as f64 / (kib * 1024) as f64;
            assert!(
                (1.0..=3.0).contains(&ratio),
                "{work:?} at populations × {scale}: estimate {} for a peak of {kib} KB ({ratio:.2}×)",
                human_bytes(estimate)
            );
        }
    }

    #[test]
    fn populations_times_1000_fit_a_128_gib_machine_on_16_threads() {
        let scenario = scaled_baseline(1000);
        // 32 and 1,250 runs per worker.
        for runs in [512, 20_000] {
            let estimate = estimate(&scenario, runs, 16);
            assert!(estimate.memory_bytes < 128 * GIB, "{estimate:?}");
            assert!(check(estimate, 128 * GIB).is_ok());
            // 16 workers each hold one run's networks: they are most of it.
            assert!(estimate.memory.networks > estimate.memory.engine() / 2);
        }
        // Fewer runs than 16 units: only the units there are run at once.
        assert_eq!(
            estimate(&scenario, 32, 16).memory,
            estimate(&scenario, 32, 1).memory
        );
    }

    #[test]
    fn absurd_sizes_are_refused_with_the_parts_and_the_limit() {
        let scenario = scaled_baseline(1_000_000);
        let message = check(estimate(&scenario, 512, 16), 128 * GIB)
            .unwrap_err()
            .to_string();
        assert!(message.contains("memory up to about"), "{message}");
        assert!(message.contains("this machine has 128.0 GiB"), "{message}");
        assert!(
            message.contains("the networks of the runs in flight"),
            "{message}"
        );
        assert!(message.contains("--allow-large"), "{message}");
        let baseline = load_baseline().unwrap();
        let huge = estimate(&baseline, 100_000_000, 2);
        let message = check(huge, 128 * GIB).unwrap_err().to_string();
        assert!(message.contains("disk") && message.contains("limit 20.0 GiB"));
        assert!(check(estimate(&baseline, 10_000, 2), 16 * GIB).is_ok());
    }

    #[test]
    fn estimates_grow_with_population_threads_runs_and_policies() {
        let scenario = load_baseline().unwrap();
        let base = estimate(&scenario, 1000, 1);
        assert!(estimate(&scenario, 1000, 2).memory.engine() > base.memory.engine());
        assert!(estimate(&scenario, 2000, 1).disk_bytes > base.disk_bytes);
        assert!(estimate(&scaled_baseline(10), 1000, 1).memory.networks > base.memory.networks);
        let compared = estimate_work(
            &scenario,
            Work {
                policies: 7,
                ..Work::run(1000, 1)
            },
        );
        assert!(compared.memory_bytes > base.memory_bytes);
        assert!(compared.disk_bytes > base.disk_bytes);
        assert_eq!(human_bytes(3 << 30), "3.0 GiB");
        assert_eq!(human_bytes(5 << 20), "5 MiB");
    }

    #[test]
    fn the_machine_memory_is_read_from_meminfo() {
        let text = "MemFree:   100 kB\nMemTotal:       24576000 kB\n";
        assert_eq!(mem_total_bytes(text), Some(24_576_000 * 1024));
        assert_eq!(mem_total_bytes("MemTotal: lots\n"), None);
        assert_eq!(mem_total_bytes("MemTotal: 12 MB\n"), None);
        assert!(machine_memory_limit() > 0);
    }
}
