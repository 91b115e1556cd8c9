//! Adding units of runs to the total on the worker threads, off the in-order path.
//!
//! The fold of a run's units ([`super::blocks::run_units`]) happens on one thread, in run order,
//! because some of it must: the `runs.csv` lines, the per-run headline values, the precision
//! target. The accumulators need neither (a unit's values can be added in any order: every
//! accumulator is a function of the multiset of its values), and adding a unit is most of the
//! fold's work — enough to make the one folding thread the bottleneck on many cores. So the
//! in-order fold only *confirms* a unit (it will be part of the result: no stop and no precision
//! target came before it) and queues it; the workers, before simulating their next unit and
//! once none is left, add the queued units to the one total. A unit never confirmed (simulated
//! beyond a stop) is never added.
//!
//! The total's series cells are split into [`STRIPES`] stripes of consecutive cells, each behind
//! its own lock (the ledger, measure and headline accumulators, few, behind one more), so that
//! several workers add units at once, each to the stripes the others are not in. One total
//! instead of one per worker keeps one copy of the accumulators in memory and in the shared
//! cache, and leaves nothing to merge at the end: [`Partials::finish`] joins the stripes.

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError, TryLockError};

use super::aggregate::shape;
use super::outcomes::HEADLINE_OUTCOMES;
use super::{Aggregates, UnitAggregates};
use crate::scenario::Scenario;
use crate::stats::{Accumulator, SparseAccumulators};

/// Stripes of the total's series cells: enough that two or four workers adding units at once
/// rarely want the same stripe, few enough that each stripe is thousands of cells.
const STRIPES: usize = 16;

/// The total's accumulators other than the series (see [`Aggregates`]).
struct DenseParts {
    ledger: Vec<Accumulator>,
    measures: Vec<Accumulator>,
    headline_accumulators: Vec<Accumulator>,
}

/// Units confirmed by the in-order fold, the striped total they are added to, and cleared
/// units for reuse (see the module docs).
pub(crate) struct Partials<'a> {
    scenario: &'a Scenario,
    confirmed: Mutex<Vec<UnitAggregates>>,
    spare: Mutex<Vec<UnitAggregates>>,
    /// The series cells of each stripe.
    stripe_cells: Vec<Range<usize>>,
    /// The total's series accumulators, per stripe (cell `i` of stripe `s` is series cell
    /// `stripe_cells[s].start + i`).
    stripes: Vec<Mutex<SparseAccumulators>>,
    dense: Mutex<DenseParts>,
    /// Units added so far (spreads the stripe each adding starts at).
    added: AtomicUsize,
}

impl<'a> Partials<'a> {
    /// Nothing queued yet, for units of `scenario`.
    pub(crate) fn new(scenario: &'a Scenario) -> Self {
        let (_, series, ledger, measures) = shape(scenario);
        let stripe_cells: Vec<Range<usize>> = (0..STRIPES)
            .map(|stripe| stripe * series / STRIPES..(stripe + 1) * series / STRIPES)
            .collect();
        Self {
            scenario,
            confirmed: Mutex::new(Vec::new()),
            spare: Mutex::new(Vec::new()),
            stripes: stripe_cells
                .iter()
                .map(|cells| Mutex::new(SparseAccumulators::new(cells.len())))
                .collect(),
            stripe_cells,
            dense: Mutex::new(DenseParts {
                ledger: vec![Accumulator::new(); ledger],
                measures: vec![Accumulator::new(); measures],
                headline_accumulators: vec![Accumulator::new(); HEADLINE_OUTCOMES.len()],
            }),
            added: AtomicUsize::new(0),
        }
    }

    /// An empty unit (a cleared one when there is one).
    pub(crate) fn unit(&self) -> UnitAggregates {
        self.spare
            .lock()
            .ok()
            .and_then(|mut spare| spare.pop())
            .unwrap_or_else(|| UnitAggregates::new(self.scenario))
    }

    /// Queues `unit`, whose runs are part of the result and whose run count and headline values
    /// the caller has folded in order ([`Aggregates::count_unit_runs`]).
    pub(crate) fn confirm(&self, unit: UnitAggregates) {
        match self.confirmed.lock() {
            Ok(mut confirmed) => confirmed.push(unit),
            // Another thread panicked: the run fails anyway; drop the unit.
            Err(_) => drop(unit),
        }
    }

    /// Adds the queued units to the total (called by the workers between units).
    pub(crate) fn merge_confirmed(&self) {
        loop {
            let next = self.confirmed.lock().ok().and_then(|mut queue| queue.pop());
            let Some(mut unit) = next else {
                break;
            };
            self.add(&mut unit);
            unit.clear();
            if let Ok(mut spare) = self.spare.lock() {
                spare.push(unit);
            }
        }
    }

    /// Adds `unit` to every stripe and the dense parts, taking first the parts no other worker
    /// holds, and waiting only when every part left is held.
    fn add(&self, unit: &mut UnitAggregates) {
        unit.seal();
        let parts = self.stripes.len() + 1;
        let first = self.added.fetch_add(1, Ordering::Relaxed) * (parts / 2 + 1);
        let mut left: Vec<usize> = (0..parts).map(|k| (first + k) % parts).collect();
        while let Some(&waiting) = left.first() {
            let before = left.len();
            left.retain(|&part| !self.add_part(unit, part, false));
            if left.len() == before {
                self.add_part(unit, waiting, true);
                left.retain(|&part| part != waiting);
            }
        }
    }

    /// Adds `unit`'s values of part `part` (a stripe, or the dense parts after the last
    /// stripe); returns false when `wait` is false and another worker holds the part.
    fn add_part(&self, unit: &UnitAggregates, part: usize, wait: bool) -> bool {
        fn take<T>(lock: &Mutex<T>, wait: bool) -> Option<std::sync::MutexGuard<'_, T>> {
            if wait {
                return Some(lock.lock().unwrap_or_else(PoisonError::into_inner));
            }
            match lock.try_lock() {
                Ok(guard) => Some(guard),
                Err(TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
                Err(TryLockError::WouldBlock) => None,
            }
        }
        match self.stripes.get(part) {
            Some(stripe) => take(stripe, wait).map(|mut stripe| {
                unit.add_series_range_to(&mut stripe, self.stripe_cells[part].clone());
            }),
            None => take(&self.dense, wait).map(|mut dense| {
                let dense = &mut *dense;
                unit.add_dense_parts_to(
                    &mut dense.ledger,
                    &mut dense.measures,
                    &mut dense.headline_accumulators,
                );
            }),
        }
        .is_some()
    }

    /// Adds every unit still queued to the total and merges the total into `result`, whose run
    /// count and headline values already hold every confirmed unit's.
    pub(crate) fn finish(self, result: &mut Aggregates) {
        let left = self
            .confirmed
            .lock()
            .map(|mut queue| std::mem::take(&mut *queue))
            .unwrap_or_default();
        for mut unit in left {
            self.add(&mut unit);
        }
        let series = SparseAccumulators::concat(
            self.stripes
                .into_iter()
                .map(|stripe| stripe.into_inner().unwrap_or_else(PoisonError::into_inner))
                .collect(),
        );
        let dense = self
            .dense
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        result.merge_accumulators_owned(
            series,
            dense.ledger,
            dense.measures,
            dense.headline_accumulators,
        );
    }
}
