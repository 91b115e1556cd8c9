//! Global sensitivity analysis: which uncertain inputs move an outcome.
//!
//! Pure methods, each a function of a design and the model outputs on it, so they can be checked
//! against test functions with known answers (Ishigami, Sobol's g-function) in place of the
//! simulator:
//! - [`sobol_sequence`]: the scrambled Sobol' low-discrepancy sequence the designs are built on;
//! - [`saltelli`]: Sobol' first-order (Saltelli 2010) and total (Jansen 1999) indices with
//!   bootstrap intervals;
//! - [`morris`]: Morris elementary effects (μ*, σ) for cheap screening.

mod direction_numbers;
pub mod morris;
pub mod saltelli;
pub mod sobol_sequence;

pub use morris::{ElementaryEffects, MorrisDesign};
pub use saltelli::{Estimate, Evaluation, SaltelliDesign, Side, SobolIndices, sobol_indices};
pub use sobol_sequence::SobolSequence;
