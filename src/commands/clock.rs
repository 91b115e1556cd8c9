//! When a result was made, as its manifest records it.
//!
//! A manifest records its start, end and wall time. Set `SOURCE_DATE_EPOCH` (seconds since
//! 1970, the reproducible-builds.org convention) to pin them: both times are then that instant
//! and the wall time 0, so two results of the same command — one machine and a merge of shards,
//! say — are byte-identical down to the manifest, the reports and the workbook.

use std::time::Instant;

use anyhow::Context;
use chrono::{DateTime, SecondsFormat, Utc};

/// The environment variable that pins the recorded times.
pub const SOURCE_DATE_EPOCH: &str = "SOURCE_DATE_EPOCH";

/// The clock of one command.
#[derive(Debug, Clone, Copy)]
pub struct RunClock {
    started: DateTime<Utc>,
    instant: Instant,
    pinned: bool,
}

impl RunClock {
    /// Starts now, or at `SOURCE_DATE_EPOCH` when it is set.
    pub fn start() -> anyhow::Result<Self> {
        let pinned = match std::env::var(SOURCE_DATE_EPOCH) {
            Ok(text) => Some(
                text.trim()
                    .parse::<i64>()
                    .ok()
                    .and_then(|seconds| DateTime::from_timestamp(seconds, 0))
                    .with_context(|| {
                        format!(
                            "{SOURCE_DATE_EPOCH}={text:?} is not a time in seconds since 1970 (e.g. 1700000000); unset it to record the real time"
                        )
                    })?,
            ),
            Err(_) => None,
        };
        Ok(Self {
            started: pinned.unwrap_or_else(Utc::now),
            instant: Instant::now(),
            pinned: pinned.is_some(),
        })
    }

    /// The start, UTC, RFC 3339.
    pub fn started_utc(&self) -> String {
        self.started.to_rfc3339_opts(SecondsFormat::Secs, true)
    }

    /// The start as a time.
    pub fn started(&self) -> DateTime<Utc> {
        self.started
    }

    /// Now (or the pinned instant), UTC, RFC 3339.
    pub fn finished_utc(&self) -> String {
        let now = if self.pinned {
            self.started
        } else {
            Utc::now()
        };
        now.to_rfc3339_opts(SecondsFormat::Secs, true)
    }

    /// Seconds since the start, to the millisecond (0 when pinned).
    pub fn wall_seconds(&self) -> f64 {
        if self.pinned {
            0.0
        } else {
            (self.instant.elapsed().as_secs_f64() * 1000.0).round() / 1000.0
        }
    }

    /// Whether the times are pinned by `SOURCE_DATE_EPOCH`.
    pub fn pinned(&self) -> bool {
        self.pinned
    }
}
