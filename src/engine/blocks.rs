//! Blocks of run indices and the parallel, ordered fold of their results.
//!
//! Runs are grouped in fixed **blocks** of [`BLOCK_RUNS`] consecutive run indices: the unit of
//! the shard plan (shard i of N does a contiguous range of blocks, see [`ShardPlan`]). Inside a
//! run, each worker thread takes the next **unit** of [`UNIT_RUNS`] runs (8 units per block),
//! simulates it on its own and aggregates it into its own state; the main thread folds the
//! units' states in unit order as they arrive (what needs the order; the accumulators' merges
//! are left to the workers, see `engine::partials`). Because every accumulator merges exactly
//! (see [`super::Aggregates`]), the totals are the same bits whatever the thread count, and the
//! in-order fold keeps everything that is written run by run (`runs.csv`) in run order. Workers
//! never run more than [`WINDOW_UNITS_PER_THREAD`] units per thread ahead of the fold, so
//! memory does not grow with the run count.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, mpsc};

/// Runs per block: the unit of the shard plan (and of `--until-se` batches).
pub const BLOCK_RUNS: u64 = 256;

/// Runs per unit of work handed to one worker thread (a divisor of [`BLOCK_RUNS`]).
pub const UNIT_RUNS: u64 = 32;

/// Runs per unit among the last [`UNIT_RUNS`] × threads runs (a divisor of [`UNIT_RUNS`]): smaller
/// units at the end, so that the workers finish close together instead of one of them
/// simulating a whole unit while the others have nothing left to start.
pub(crate) const TAIL_UNIT_RUNS: u64 = 8;

/// Units each worker may run ahead of the in-order fold.
pub(crate) const WINDOW_UNITS_PER_THREAD: usize = 2;

/// Number of blocks of `runs` runs: block b holds runs `b·256 .. min((b + 1)·256, runs)`.
pub fn block_count(runs: u64) -> u64 {
    runs.div_ceil(BLOCK_RUNS)
}

/// Shard `index` (1-based) of `count`: which blocks and runs it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardPlan {
    /// 1-based shard number.
    pub index: u64,
    /// Number of shards.
    pub count: u64,
}

impl ShardPlan {
    /// Blocks of this shard among the blocks of `runs` runs: with B blocks, shard i of N does
    /// blocks `floor((i − 1)·B / N) .. floor(i·B / N)`.
    pub fn blocks(&self, runs: u64) -> Range<u64> {
        let blocks = u128::from(block_count(runs));
        let share = |i: u64| (u128::from(i) * blocks / u128::from(self.count)) as u64;
        share(self.index - 1)..share(self.index)
    }

    /// Run indices of this shard among `runs` runs.
    pub fn runs(&self, runs: u64) -> Range<u64> {
        let blocks = self.blocks(runs);
        (blocks.start * BLOCK_RUNS).min(runs)..(blocks.end * BLOCK_RUNS).min(runs)
    }
}

/// `runs` cut into units of [`UNIT_RUNS`] runs from its start, the last [`UNIT_RUNS`] × `threads`
/// runs (whole units) into units of [`TAIL_UNIT_RUNS`] when there are several threads. Every
/// unit starts at a multiple of its size from `runs.start`, so none spans a block boundary.
fn units_of(runs: Range<u64>, threads: usize) -> Vec<Range<u64>> {
    let tail = if threads > 1 {
        UNIT_RUNS * threads as u64
    } else {
        0
    };
    let whole_units = (runs.end - runs.start).saturating_sub(tail) / UNIT_RUNS;
    let tail_start = runs.start + whole_units * UNIT_RUNS;
    let cut = |range: Range<u64>, size: u64| {
        (range.start..range.end)
            .step_by(size as usize)
            .map(move |first| first..(first + size).min(range.end))
    };
    cut(runs.start..tail_start, UNIT_RUNS)
        .chain(cut(tail_start..runs.end, TAIL_UNIT_RUNS))
        .collect()
}

/// Simulates `runs` in units of [`UNIT_RUNS`] on `threads` worker threads with `simulate`, and
/// hands each unit's result to `fold` in run order on the calling thread. `stop` is polled
/// before each unit starts; once it returns true no further unit starts, and the units folded
/// are those before the first one not run. When `fold` returns true (done, e.g. a precision
/// target met) no further unit is folded. A worker with no unit left to start calls `idle`,
/// then again each time the fold advances, until every unit is folded or the fold stops (so
/// that work the fold leaves behind, such as merging the units it confirmed, is shared by the
/// workers instead of waiting for the end). Returns the number of runs folded.
pub(crate) fn run_units<T: Send>(
    runs: Range<u64>,
    threads: usize,
    stop: &(dyn Fn() -> bool + Sync),
    simulate: &(dyn Fn(Range<u64>) -> T + Sync),
    idle: &(dyn Fn() + Sync),
    fold: &mut dyn FnMut(T) -> anyhow::Result<bool>,
) -> anyhow::Result<u64> {
    let threads = threads.max(1);
    let units = units_of(runs, threads);
    let window = threads * WINDOW_UNITS_PER_THREAD;
    let next = AtomicUsize::new(0);
    let halt = AtomicBool::new(false);
    let folded_units = Mutex::new(0usize);
    let advanced = Condvar::new();
    let halt_all = || {
        halt.store(true, Ordering::SeqCst);
        let _guard = folded_units.lock();
        advanced.notify_all();
    };
    let (sender, receiver) = mpsc::channel::<(usize, T)>();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let sender = sender.clone();
            let (units, next, halt, folded_units, advanced) =
                (&units, &next, &halt, &folded_units, &advanced);
            let halt_all = &halt_all;
            scope.spawn(move || {
                loop {
                    let unit = next.fetch_add(1, Ordering::SeqCst);
                    if unit >= units.len() || halt.load(Ordering::SeqCst) {
                        break;
                    }
                    if stop() {
                        // A unit left out ends the fold there: nobody may wait for it.
                        halt_all();
                        break;
                    }
                    {
                        let Ok(mut folded) = folded_units.lock() else {
                            break;
                        };
                        while unit >= *folded + window && !halt.load(Ordering::SeqCst) {
                            folded = match advanced.wait(folded) {
                                Ok(folded) => folded,
                                Err(_) => return,
                            };
                        }
                    }
                    if halt.load(Ordering::SeqCst) {
                        break;
                    }
                    let result = simulate(units[unit].clone());
                    if sender.send((unit, result)).is_err() {
                        break;
                    }
                }
                // Nothing left to start: help with what the fold leaves until it is over.
                loop {
                    idle();
                    let Ok(mut folded) = folded_units.lock() else {
                        return;
                    };
                    let seen = *folded;
                    if seen >= units.len() || halt.load(Ordering::SeqCst) {
                        break;
                    }
                    while *folded == seen && !halt.load(Ordering::SeqCst) {
                        folded = match advanced.wait(folded) {
                            Ok(folded) => folded,
                            Err(_) => return,
                        };
                    }
                }
                idle();
            });
        }
        drop(sender);
        let mut waiting = BTreeMap::new();
        let mut expected = 0usize;
        let mut runs_folded = 0u64;
        let mut outcome: anyhow::Result<()> = Ok(());
        let mut done = false;
        for (unit, result) in receiver {
            waiting.insert(unit, result);
            while let Some(result) = waiting.remove(&expected) {
                if !done && outcome.is_ok() {
                    match fold(result) {
                        Ok(finished) => {
                            runs_folded += units[expected].end - units[expected].start;
                            if finished {
                                done = true;
                                halt_all();
                            }
                        }
                        Err(error) => {
                            outcome = Err(error);
                            halt_all();
                        }
                    }
                }
                expected += 1;
                if let Ok(mut folded) = folded_units.lock() {
                    *folded = expected;
                }
                advanced.notify_all();
            }
        }
        outcome.map(|()| runs_folded)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_the_blocks_once_in_order() {
        for runs in [1, 255, 256, 257, 1_000, 10_000] {
            for count in [1, 2, 3, 7, 64] {
                let mut next = 0;
                for index in 1..=count {
                    let shard = ShardPlan { index, count };
                    let range = shard.runs(runs);
                    assert_eq!(range.start, next, "runs {runs}, shard {index}/{count}");
                    assert!(range.start <= range.end);
                    assert_eq!(range.start % BLOCK_RUNS, 0);
                    next = range.end;
                }
                assert_eq!(next, runs);
            }
        }
        // 10 blocks over 4 shards: floor(i·10/4) = 0, 2, 5, 7, 10.
        let sizes: Vec<u64> = (1..=4)
            .map(|index| ShardPlan { index, count: 4 }.blocks(2_560))
            .map(|blocks| blocks.end - blocks.start)
            .collect();
        assert_eq!(sizes, [2, 3, 2, 3]);
    }

    #[test]
    fn the_last_units_are_smaller_and_no_unit_spans_a_block() {
        // 1,000 runs on 4 threads: 27 units of 32 (864 runs), then 136 runs in units of 8.
        let units = units_of(0..1_000, 4);
        assert_eq!(
            units
                .iter()
                .filter(|unit| unit.end - unit.start == 32)
                .count(),
            27
        );
        assert_eq!(units[27], 864..872);
        assert_eq!(units.last(), Some(&(992..1_000)));
        // One thread: units of 32 throughout; fewer runs than the tail: all small.
        assert!(
            units_of(0..1_000, 1)
                .iter()
                .all(|unit| unit.start % 32 == 0)
        );
        assert_eq!(units_of(256..300, 2).len(), 6);
        for (runs, threads) in [(0..1_000, 4), (256..5_000, 3), (512..530, 2), (0..0, 2)] {
            let units = units_of(runs.clone(), threads);
            let mut next = runs.start;
            for unit in &units {
                assert_eq!(unit.start, next);
                assert!(unit.start < unit.end);
                let size = unit.end - unit.start;
                assert!(size == UNIT_RUNS || size <= TAIL_UNIT_RUNS);
                assert_eq!((unit.start - runs.start) % TAIL_UNIT_RUNS, 0);
                assert_eq!(unit.start / BLOCK_RUNS, (unit.end - 1) / BLOCK_RUNS);
                next = unit.end;
            }
            assert_eq!(next, runs.end);
        }
    }

    #[test]
    fn units_are_folded_in_order_on_any_thread_count() {
        for threads in [1, 2, 5] {
            let mut seen = Vec::new();
            let folded = run_units(
                3..1_000,
                threads,
                &|| false,
                &|range| range.collect::<Vec<u64>>(),
                &|| {},
                &mut |runs| {
                    seen.extend(runs);
                    Ok(false)
                },
            )
            .unwrap();
            assert_eq!(folded, 997);
            assert_eq!(seen, (3..1_000).collect::<Vec<u64>>());
        }
    }

    #[test]
    fn done_and_errors_stop_the_fold_at_a_unit() {
        let mut folded_units = 0;
        let folded = run_units(0..1_000, 3, &|| false, &|range| range, &|| {}, &mut |_| {
            folded_units += 1;
            Ok(folded_units == 4)
        })
        .unwrap();
        assert_eq!(folded, 4 * UNIT_RUNS);
        let error = run_units(
            0..1_000,
            3,
            &|| false,
            &|range| range,
            &|| {},
            &mut |range| {
                anyhow::ensure!(range.start < 64, "disk full");
                Ok(false)
            },
        );
        assert!(error.unwrap_err().to_string().contains("disk full"));
    }

    #[test]
    fn a_stop_leaves_a_prefix_of_the_runs() {
        let started = AtomicUsize::new(0);
        let mut seen = Vec::new();
        let folded = run_units(
            0..10_000,
            2,
            &|| started.fetch_add(1, Ordering::SeqCst) >= 5,
            &|range| range.collect::<Vec<u64>>(),
            &|| {},
            &mut |runs| {
                seen.extend(runs);
                Ok(false)
            },
        )
        .unwrap();
        assert!(folded < 10_000);
        assert_eq!(seen, (0..folded).collect::<Vec<u64>>());
    }

    #[test]
    fn idle_workers_take_over_what_the_fold_leaves_until_it_is_over() {
        // The fold queues each unit it folds; idle workers drain the queue. When run_units
        // returns, the workers' last idle call came after the last fold, so nothing is left
        // (without the idle loop, the last units folded would stay queued).
        for threads in [1, 2, 4] {
            let queued = Mutex::new(Vec::new());
            let drained = Mutex::new(Vec::new());
            let queued_ref = &queued;
            let folded = run_units(
                0..1_000,
                threads,
                &|| false,
                &|range| range,
                &|| {
                    let taken: Vec<Range<u64>> = std::mem::take(&mut *queued.lock().unwrap());
                    drained.lock().unwrap().extend(taken);
                },
                &mut |range| {
                    queued_ref.lock().unwrap().push(range);
                    Ok(false)
                },
            )
            .unwrap();
            assert_eq!(folded, 1_000);
            assert!(queued.lock().unwrap().is_empty(), "{threads} threads");
            let mut drained = drained.into_inner().unwrap();
            drained.sort_by_key(|range| range.start);
            assert_eq!(drained.len(), units_of(0..1_000, threads).len());
            assert_eq!(drained.last().map(|range| range.end), Some(1_000));
        }
    }
}
