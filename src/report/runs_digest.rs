//! `runs.csv` read back in memory independent of the number of runs.
//!
//! From the per-run table the reports need: how many runs there are; each headline outcome's
//! summary at the horizon (mean, standard deviation, percentiles); the histograms of four of
//! them and the running mean of networked SMEs (charts); and whole rows for what relates
//! inputs to outcomes run by run (drivers, the verdict by input) and for the workbook's Runs
//! sheet. Holding every row made the report stage grow by several KB per run; instead the file
//! is read line by line (a [`RowReader`]) and only this is kept:
//!
//! * the first [`SAMPLE_RUNS`] rows whole ([`RunsDigest::sample`]);
//! * per headline outcome, its defined values in run order while there are at most
//!   [`EXACT_RUNS`] runs — exact order statistics, as the engine's headline table keeps them
//!   ([`EXACT_HEADLINE_RUNS`]) — and beyond that an [`Accumulator`] (exact moments and a
//!   DDSketch whose quantiles are within relative error 0.01, see [`crate::stats`]);
//! * the histograms of the distribution charts and the thinned convergence trace. Both need a
//!   count first (the bins' range and width, the trace's thinning), so beyond [`EXACT_RUNS`]
//!   runs, when the values are no longer held, they come from a second read of the file.
//!
//! So memory is bounded by [`SAMPLE_RUNS`] rows plus [`EXACT_RUNS`] values per headline outcome,
//! whatever the run count. Up to [`SAMPLE_RUNS`] runs every output is what holding the whole
//! table gave, byte for byte; docs/PERFORMANCE.md lists what changes beyond each bound.

use std::io::BufRead;

use anyhow::bail;

use super::charts::convergence::{self, TraceBuilder, TracePoint};
use super::charts::distribution::{self, Bins};
pub use super::csv_rows::RowReader;
use super::results::RunsTable;
use crate::engine::EXACT_HEADLINE_RUNS;
use crate::engine::outcomes::{HEADLINE_OUTCOMES, is_count};
use crate::stats::{Accumulator, Summary, summarize_exact};

/// Rows of `runs.csv` held whole: the drivers, the verdict by input and the workbook's Runs
/// sheet use the first this many runs. A rank correlation from n runs has a standard error of
/// about 1/√(n − 3) ≈ 0.010 at this n (Fisher 1921), below the second decimal the reports print.
pub const SAMPLE_RUNS: usize = 10_000;

/// Up to this many runs the headline outcomes' percentiles (tables, distribution charts) are
/// exact order statistics; beyond, they come from the quantile sketch. The same bound as the
/// engine's headline table.
pub const EXACT_RUNS: usize = EXACT_HEADLINE_RUNS as usize;

/// The two bounds a [`RunsDigest`] keeps to ([`SAMPLE_RUNS`], [`EXACT_RUNS`]); tests use small
/// ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// Rows held whole.
    pub sample_runs: usize,
    /// Runs up to which each headline outcome's values are held for exact order statistics.
    pub exact_runs: usize,
}

impl Default for Bounds {
    fn default() -> Self {
        Self {
            sample_runs: SAMPLE_RUNS,
            exact_runs: EXACT_RUNS,
        }
    }
}

/// One outcome's defined values over all runs, in bounded memory: the values themselves (in
/// run order) while they are few enough for exact order statistics, then an [`Accumulator`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ColumnDigest {
    held: Vec<f64>,
    accumulator: Option<Accumulator>,
}

impl ColumnDigest {
    /// Adds one run's value (non-finite values are undefined and skipped); beyond `limit`
    /// values the held ones move into an accumulator.
    fn push(&mut self, value: f64, limit: usize) {
        if !value.is_finite() {
            return;
        }
        match &mut self.accumulator {
            Some(accumulator) => accumulator.push(value),
            None if self.held.len() < limit => self.held.push(value),
            None => {
                self.spill();
                self.push(value, limit);
            }
        }
    }

    /// Moves the held values into an accumulator (same order, so the same moments).
    fn spill(&mut self) {
        if self.accumulator.is_none() {
            let mut accumulator = Accumulator::new();
            self.held.iter().for_each(|value| accumulator.push(*value));
            self.held = Vec::new();
            self.accumulator = Some(accumulator);
        }
    }

    /// Runs in which the value is defined.
    pub fn defined(&self) -> u64 {
        match &self.accumulator {
            Some(accumulator) => accumulator.count(),
            None => self.held.len() as u64,
        }
    }

    /// The defined values in run order, while they are held.
    pub fn exact_values(&self) -> Option<&[f64]> {
        self.accumulator.is_none().then_some(self.held.as_slice())
    }

    /// Mean, standard deviation and percentiles: exact order statistics
    /// ([`summarize_exact`]) while the values are held, the sketch's beyond.
    pub fn summary(&self) -> Summary {
        match &self.accumulator {
            Some(accumulator) => accumulator.summary(),
            None => summarize_exact(&self.held),
        }
    }

    /// Smallest and largest defined value (exact either way), or None without one.
    pub fn range(&self) -> Option<(f64, f64)> {
        match &self.accumulator {
            Some(accumulator) => Some((accumulator.sketch().min()?, accumulator.sketch().max()?)),
            None => {
                // Ordered as sorting orders them (`-0.0` before `0.0`).
                let low = self.held.iter().copied().min_by(f64::total_cmp)?;
                let high = self.held.iter().copied().max_by(f64::total_cmp)?;
                Some((low, high))
            }
        }
    }
}

/// What the reports take from `runs.csv`, in memory independent of its length (see the module
/// docs).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunsDigest {
    runs: usize,
    /// The first [`Bounds::sample_runs`] rows whole, with every column (first is `run`).
    pub sample: RunsTable,
    /// Per [`HEADLINE_OUTCOMES`] entry (empty where `runs.csv` has no such column).
    headline: Vec<ColumnDigest>,
    /// Per [`distribution::OUTCOMES`] entry.
    histograms: Vec<Bins>,
    convergence: Vec<TracePoint>,
}

/// Where each headline outcome and each distribution outcome is in the row.
struct Layout {
    headline: Vec<Option<usize>>,
    /// Index into [`HEADLINE_OUTCOMES`] of each distribution outcome.
    distributions: Vec<Option<usize>>,
    convergence: Option<usize>,
}

impl Layout {
    fn new(columns: &[String]) -> Self {
        let headline: Vec<Option<usize>> = HEADLINE_OUTCOMES
            .iter()
            .map(|name| columns.iter().position(|column| column == name))
            .collect();
        let at = |name: &str| HEADLINE_OUTCOMES.iter().position(|n| *n == name);
        Self {
            headline,
            distributions: distribution::OUTCOMES.iter().map(|name| at(name)).collect(),
            convergence: at(convergence::OUTCOME),
        }
    }
}

/// The histograms and the trace, fed one value per column at a time in run order.
struct Shapes {
    histograms: Vec<Bins>,
    trace: TraceBuilder,
}

impl Shapes {
    fn new(layout: &Layout, headline: &[ColumnDigest]) -> Self {
        let histograms = distribution::OUTCOMES
            .iter()
            .zip(&layout.distributions)
            .map(|(name, index)| {
                let digest = index.and_then(|index| headline.get(index));
                Bins::empty(
                    digest.and_then(ColumnDigest::range),
                    digest.map_or(0, |digest| digest.defined() as usize),
                    is_count(name),
                )
            })
            .collect();
        let traced = layout
            .convergence
            .and_then(|index| headline.get(index))
            .map_or(0, |digest| digest.defined() as usize);
        Self {
            histograms,
            trace: TraceBuilder::new(traced),
        }
    }

    /// Feeds the values of headline outcome `index` (defined ones only, in run order).
    fn push(&mut self, layout: &Layout, index: usize, value: f64) {
        for (bins, _) in self
            .histograms
            .iter_mut()
            .zip(&layout.distributions)
            .filter(|(_, at)| **at == Some(index))
        {
            bins.add(value);
        }
        if layout.convergence == Some(index) {
            self.trace.push(value);
        }
    }
}

impl RunsDigest {
    /// Reads `runs.csv` from the readers `open` gives (once, or twice beyond
    /// [`Bounds::exact_runs`] runs), naming its columns by `canonical` (the scenario currency's
    /// names → the code's).
    pub fn read<R: BufRead>(
        mut open: impl FnMut() -> anyhow::Result<R>,
        canonical: impl Fn(String) -> String,
        bounds: Bounds,
    ) -> anyhow::Result<Self> {
        let (mut rows, header) = RowReader::new(open()?, "runs.csv")?;
        let columns: Vec<String> = header.into_iter().map(canonical).collect();
        if columns.first().map(String::as_str) != Some("run") {
            bail!("runs.csv does not start with a 'run' column");
        }
        let layout = Layout::new(&columns);
        let mut headline = vec![ColumnDigest::default(); HEADLINE_OUTCOMES.len()];
        let mut sample = RunsTable {
            columns,
            rows: Vec::new(),
        };
        let mut row = Vec::new();
        let mut runs = 0;
        while rows.next_values(&mut row)? {
            runs += 1;
            for (digest, at) in headline.iter_mut().zip(&layout.headline) {
                if let Some(value) = at.and_then(|at| row[at]) {
                    digest.push(value, bounds.exact_runs);
                }
            }
            if sample.rows.len() < bounds.sample_runs {
                sample.rows.push(row.clone());
            }
        }
        // Exact order statistics up to `exact_runs` runs (not defined values), as the engine's
        // headline table.
        if runs > bounds.exact_runs {
            headline.iter_mut().for_each(ColumnDigest::spill);
        }
        let mut shapes = Shapes::new(&layout, &headline);
        let held: Option<Vec<&[f64]>> = headline.iter().map(ColumnDigest::exact_values).collect();
        match held {
            Some(held) => {
                for (index, values) in held.iter().enumerate() {
                    values
                        .iter()
                        .for_each(|value| shapes.push(&layout, index, *value));
                }
            }
            None => {
                // A second read, for what needs the counts and ranges first.
                let (mut rows, _) = RowReader::new(open()?, "runs.csv")?;
                let mut second = 0;
                while rows.next_values(&mut row)? {
                    second += 1;
                    for (index, at) in layout.headline.iter().enumerate() {
                        if let Some(value) = at.and_then(|at| row[at]).filter(|v| v.is_finite()) {
                            shapes.push(&layout, index, value);
                        }
                    }
                }
                if second != runs {
                    bail!("runs.csv changed while it was read: {runs} rows, then {second}");
                }
            }
        }
        Ok(Self {
            runs,
            sample,
            headline,
            histograms: shapes.histograms,
            convergence: shapes.trace.finish(),
        })
    }

    /// Runs in the file.
    pub fn count(&self) -> usize {
        self.runs
    }

    /// Whether [`Self::sample`] holds fewer rows than the file (the run count is beyond
    /// [`SAMPLE_RUNS`]).
    pub fn sampled(&self) -> bool {
        self.sample.rows.len() < self.runs
    }

    /// The digest of one headline outcome (None for a name that is not one).
    pub fn headline(&self, outcome: &str) -> Option<&ColumnDigest> {
        HEADLINE_OUTCOMES
            .iter()
            .position(|name| *name == outcome)
            .and_then(|index| self.headline.get(index))
    }

    /// The summary of one headline outcome over the runs where it is defined.
    pub fn headline_summary(&self, outcome: &str) -> Summary {
        self.headline(outcome)
            .map_or(Summary::EMPTY, ColumnDigest::summary)
    }

    /// The histogram of one of [`distribution::OUTCOMES`] (no bins for another name).
    pub fn histogram(&self, outcome: &str) -> Bins {
        distribution::OUTCOMES
            .iter()
            .position(|name| *name == outcome)
            .and_then(|index| self.histograms.get(index))
            .cloned()
            .unwrap_or_else(|| Bins::empty(None, 0, false))
    }

    /// The running mean of [`convergence::OUTCOME`], thinned.
    pub fn convergence(&self) -> &[TracePoint] {
        &self.convergence
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::io::{BufReader, Read};

    use super::*;
    use crate::report::charts::convergence::trace;
    use crate::stats::sketch::ALPHA;

    const HEADER: &str =
        "run,model.x,networked_smes,clusters_formed,cost_per_additional_networked_sme_ltl\n";

    /// `runs.csv` of `rows` runs, generated line by line as it is read (never held whole):
    /// run i has input i/rows, networked SMEs (i·7919) mod 1000, clusters formed i mod 5, and a
    /// cost that is undefined in every tenth run.
    struct Generated {
        rows: usize,
        next: usize,
        line: Vec<u8>,
        at: usize,
    }

    impl Generated {
        fn new(rows: usize) -> Self {
            Self {
                rows,
                next: 0,
                line: HEADER.as_bytes().to_vec(),
                at: 0,
            }
        }
    }

    fn values(rows: usize) -> impl Iterator<Item = (f64, f64, Option<f64>)> {
        (0..rows).map(|i| {
            let cost = (i % 10 != 0).then_some(1000.0 + (i % 377) as f64 * 2.5);
            (((i * 7919) % 1000) as f64, (i % 5) as f64, cost)
        })
    }

    impl Read for Generated {
        fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
            if self.at == self.line.len() {
                if self.next == self.rows {
                    return Ok(0);
                }
                let i = self.next;
                let (networked, formed, cost) = values(self.rows).nth(i).unwrap_or_default();
                let cost = cost.map_or(String::new(), |c| c.to_string());
                self.line = format!(
                    "{i},{},{networked},{formed},{cost}\n",
                    i as f64 / self.rows as f64
                )
                .into_bytes();
                self.at = 0;
                self.next += 1;
            }
            let n = buffer.len().min(self.line.len() - self.at);
            buffer[..n].copy_from_slice(&self.line[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    fn digest(rows: usize, bounds: Bounds, opened: &Cell<usize>) -> RunsDigest {
        RunsDigest::read(
            || {
                opened.set(opened.get() + 1);
                Ok(BufReader::new(Generated::new(rows)))
            },
            |name| name,
            bounds,
        )
        .unwrap()
    }

    fn column(rows: usize, pick: fn((f64, f64, Option<f64>)) -> Option<f64>) -> Vec<f64> {
        values(rows).filter_map(pick).collect()
    }

    #[test]
    fn small_files_give_what_the_whole_table_gave() {
        let opened = Cell::new(0);
        let rows = 500;
        let digest = digest(rows, Bounds::default(), &opened);
        assert_eq!(opened.get(), 1, "one read while the values are held");
        assert_eq!(digest.count(), rows);
        assert!(!digest.sampled());
        assert_eq!(digest.sample.rows.len(), rows);
        let networked = column(rows, |(n, _, _)| Some(n));
        let cost = column(rows, |(_, _, c)| c);
        assert_eq!(cost.len(), 450);
        assert_eq!(
            digest.headline_summary("networked_smes"),
            summarize_exact(&networked)
        );
        assert_eq!(
            digest.headline_summary("cost_per_additional_networked_sme_ltl"),
            summarize_exact(&cost)
        );
        let mut sorted = networked.clone();
        sorted.sort_by(f64::total_cmp);
        assert_eq!(digest.histogram("networked_smes"), Bins::new(&sorted, true));
        assert_eq!(digest.convergence(), trace(&networked).as_slice());
    }

    #[test]
    fn files_beyond_the_bounds_are_read_without_holding_them() {
        // 2,500 runs against bounds of 100 rows and 1,000 exact values: the digest must hold
        // 100 rows and no values, and still give the histogram and trace of all 2,500 runs
        // exactly (a second read) and the quantiles within the sketch's relative error.
        let opened = Cell::new(0);
        let rows = 2_500;
        let bounds = Bounds {
            sample_runs: 100,
            exact_runs: 1_000,
        };
        let digest = digest(rows, bounds, &opened);
        assert_eq!(
            opened.get(),
            2,
            "a second read for the histograms and the trace"
        );
        assert_eq!(digest.count(), rows);
        assert!(digest.sampled());
        assert_eq!(digest.sample.rows.len(), 100);
        assert_eq!(digest.sample.rows[99][0], Some(99.0));
        for name in HEADLINE_OUTCOMES {
            let held = digest.headline(name).and_then(ColumnDigest::exact_values);
            assert!(held.is_none_or(<[f64]>::is_empty), "{name} holds values");
        }
        let networked = column(rows, |(n, _, _)| Some(n));
        let mut sorted = networked.clone();
        sorted.sort_by(f64::total_cmp);
        let exact = summarize_exact(&networked);
        let streamed = digest.headline_summary("networked_smes");
        // Moments are exact sums in run order either way: equal to the last bit.
        assert_eq!(
            (streamed.n, streamed.mean, streamed.sd),
            (exact.n, exact.mean, exact.sd)
        );
        // The sketch returns a value within relative error ALPHA of the same order statistic.
        for (sketched, true_value) in [
            (streamed.p5, exact.p5),
            (streamed.p50, exact.p50),
            (streamed.p95, exact.p95),
        ] {
            assert!(
                (sketched - true_value).abs() <= ALPHA * true_value.abs() + 1e-9,
                "{sketched} vs {true_value}"
            );
        }
        assert_eq!(digest.histogram("networked_smes"), Bins::new(&sorted, true));
        assert_eq!(
            digest
                .histogram("networked_smes")
                .counts
                .iter()
                .sum::<u64>(),
            rows as u64
        );
        assert_eq!(digest.convergence(), trace(&networked).as_slice());
        let cost = column(rows, |(_, _, c)| c);
        let mut sorted_cost = cost.clone();
        sorted_cost.sort_by(f64::total_cmp);
        assert_eq!(
            digest
                .headline_summary("cost_per_additional_networked_sme_ltl")
                .n,
            cost.len() as u64
        );
        assert_eq!(
            digest.histogram("cost_per_additional_networked_sme_ltl"),
            Bins::new(&sorted_cost, false)
        );
    }

    fn read_text(text: &str, bounds: Bounds) -> anyhow::Result<RunsDigest> {
        RunsDigest::read(|| Ok(text.as_bytes()), |name| name, bounds)
    }

    #[test]
    fn bad_rows_are_named_by_line() {
        let error = read_text("run,networked_smes\n0,1\n1,2,3\n", Bounds::default()).unwrap_err();
        assert_eq!(
            format!("{error:#}"),
            "runs.csv line 3: expected 2 cells, found 3"
        );
        let error = read_text("run,networked_smes\n0,x\n", Bounds::default()).unwrap_err();
        assert_eq!(
            format!("{error:#}"),
            "runs.csv line 2: 'x' is not a number: invalid float literal"
        );
        let error = read_text("networked_smes\n1\n", Bounds::default()).unwrap_err();
        assert_eq!(
            format!("{error:#}"),
            "runs.csv does not start with a 'run' column"
        );
        assert!(read_text("", Bounds::default()).is_err());
    }

    #[test]
    fn a_file_that_changes_between_the_reads_is_refused() {
        let reads = Cell::new(0);
        let error = RunsDigest::read(
            || {
                reads.set(reads.get() + 1);
                let text: &[u8] = if reads.get() == 1 {
                    b"run,networked_smes\n0,1\n1,2\n2,3\n"
                } else {
                    b"run,networked_smes\n0,1\n"
                };
                Ok(text)
            },
            |name| name,
            Bounds {
                sample_runs: 1,
                exact_runs: 2,
            },
        )
        .unwrap_err();
        assert!(
            format!("{error:#}").contains("changed while it was read"),
            "{error:#}"
        );
    }

    #[test]
    fn windows_line_ends_are_read() {
        let digest = read_text("run,networked_smes\r\n0,4\r\n1,6\r\n", Bounds::default()).unwrap();
        assert_eq!(digest.headline_summary("networked_smes").mean, 5.0);
    }
}
