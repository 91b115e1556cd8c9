//! Everything that writes files: result folders, CSV exporters, the manifest, and the text
//! table printed at the end of a run.

pub mod charts;
pub mod csv;
pub mod manifest;
pub mod output_dir;
pub mod results;
pub mod table;

pub use manifest::{Manifest, sha256_hex};
pub use output_dir::{PendingOutput, write_atomically};
