//! Merging units of runs into the totals on the worker threads, off the in-order path.
//!
//! The fold of a run's units ([`super::blocks::run_units`]) happens on one thread, in run order,
//! because some of it must: the `runs.csv` lines, the per-run headline values, the precision
//! target. The accumulators need neither (their merges are exact and order-free), and merging a
//! unit's accumulators is most of the fold's work — enough to make the one folding thread the
//! bottleneck on many cores. So the in-order fold only *confirms* a unit (it will be part of
//! the result: no stop and no precision target came before it) and queues it; the workers,
//! before simulating their next unit, merge the queued units into partial totals (one per
//! worker at a time, checked out of a pool), and [`Partials::finish`] merges what is left and
//! the partial totals into the result at the end. A unit never confirmed (simulated beyond a
//! stop) is never merged. Every merge is exact, so the result is the same bits however the units
//! were spread over the partial totals.

use std::sync::Mutex;

use super::{Aggregates, UnitAggregates};
use crate::scenario::Scenario;

/// Units confirmed by the in-order fold, the partial totals they are merged into, and cleared
/// units for reuse (see the module docs).
pub(crate) struct Partials<'a> {
    scenario: &'a Scenario,
    confirmed: Mutex<Vec<UnitAggregates>>,
    totals: Mutex<Vec<Aggregates>>,
    spare: Mutex<Vec<UnitAggregates>>,
}

impl<'a> Partials<'a> {
    /// Nothing queued yet, for units of `scenario`.
    pub(crate) fn new(scenario: &'a Scenario) -> Self {
        Self {
            scenario,
            confirmed: Mutex::new(Vec::new()),
            totals: Mutex::new(Vec::new()),
            spare: Mutex::new(Vec::new()),
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

    /// Merges the queued units into a partial total (called by the workers between units).
    pub(crate) fn merge_confirmed(&self) {
        let mut total: Option<Aggregates> = None;
        loop {
            let next = self.confirmed.lock().ok().and_then(|mut queue| queue.pop());
            let Some(mut unit) = next else {
                break;
            };
            let total = total.get_or_insert_with(|| {
                self.totals
                    .lock()
                    .ok()
                    .and_then(|mut totals| totals.pop())
                    .unwrap_or_else(|| Aggregates::new(self.scenario))
            });
            total.merge_unit_accumulators(&mut unit);
            unit.clear();
            if let Ok(mut spare) = self.spare.lock() {
                spare.push(unit);
            }
        }
        if let (Some(total), Ok(mut totals)) = (total, self.totals.lock()) {
            totals.push(total);
        }
    }

    /// Merges every unit still queued and every partial total into `result`, whose run count
    /// and headline values already hold every confirmed unit's.
    pub(crate) fn finish(self, result: &mut Aggregates) {
        for total in self.totals.into_inner().unwrap_or_default() {
            result.merge_accumulators_owned(total);
        }
        for mut unit in self.confirmed.into_inner().unwrap_or_default() {
            result.merge_unit_accumulators(&mut unit);
        }
    }
}
