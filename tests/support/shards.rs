//! Shared by the merge tests: the binary with pinned times, and comparing result folders byte
//! for byte.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// Pins the recorded times (manifest, reports, workbook) so whole folders can be compared.
const EPOCH: &str = "1700000000";

/// The binary with pinned times and no scheduler environment inherited from the test runner.
pub fn clustersim() -> Command {
    let mut command = Command::cargo_bin("clustersim").expect("binary is built");
    command.env("SOURCE_DATE_EPOCH", EPOCH);
    for name in [
        "SLURM_ARRAY_TASK_ID",
        "SLURM_ARRAY_TASK_MIN",
        "SLURM_ARRAY_TASK_COUNT",
        "JOB_COMPLETION_INDEX",
    ] {
        command.env_remove(name);
    }
    command
}

/// Every file under `folder`, by relative path.
fn files(folder: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, folder: &Path, found: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, found);
            } else {
                let relative = path.strip_prefix(root).unwrap().to_path_buf();
                found.insert(relative, fs::read(&path).unwrap());
            }
        }
    }
    let mut found = BTreeMap::new();
    walk(folder, folder, &mut found);
    found
}

pub fn assert_same_folders(expected: &Path, actual: &Path) {
    let (expected, actual) = (files(expected), files(actual));
    assert_eq!(
        expected.keys().collect::<Vec<_>>(),
        actual.keys().collect::<Vec<_>>(),
        "different files"
    );
    for (name, bytes) in &expected {
        assert!(
            !bytes.is_empty() || name.ends_with(".tmp"),
            "{name:?} is empty"
        );
        assert!(bytes == &actual[name], "{name:?} differs");
    }
}
