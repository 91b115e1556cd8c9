//! Everything that writes files: result folders, CSV exporters, the manifest, and the text
//! table printed at the end of a run.

pub mod abc_files;
pub mod additions;
pub mod calibration;
pub mod calibration_data;
pub mod charts;
pub mod comparison;
pub mod comparison_csv;
mod comparison_section;
pub mod csv;
pub mod csv_rows;
mod document;
pub mod drivers;
mod drivers_section;
pub mod file_set;
pub mod font_face;
pub mod html;
pub mod manifest;
pub mod markdown;
pub mod network_export;
mod network_section;
pub mod output_dir;
mod pairs_section;
pub mod render;
pub mod results;
pub mod runs_digest;
pub mod sensitivity_csv;
pub mod sensitivity_report;
pub mod table;
pub mod verdict;
pub mod verdict_by_input;
mod verdict_section;
pub mod xlsx;

pub use manifest::{ComparisonManifest, Manifest, PosteriorManifest, sha256_hex};
pub use output_dir::{PendingOutput, write_atomically};
