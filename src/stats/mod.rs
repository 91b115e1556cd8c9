//! Streaming aggregation of Monte Carlo outcomes.
