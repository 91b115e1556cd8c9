//! Where results go, written so that nothing is lost or half-written: every file is written into
//! a hidden temporary folder beside the destination and the folder is renamed into place at the
//! end. An existing result is replaced only with `--force`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// A result folder being written.
#[derive(Debug)]
pub struct PendingOutput {
    /// Final destination (for timestamped outputs, the first choice; a free name is taken at
    /// commit if another process got there first).
    pub destination: PathBuf,
    /// Temporary folder receiving the files.
    pub staging: PathBuf,
    /// Replace an existing result at the destination (`--out` with `--force`).
    force: bool,
    /// Timestamped output: never replace, take the next free name instead, and update a
    /// `latest` link in the parent after committing a complete result.
    timestamped: bool,
}

/// Makes a folder name from a scenario name: letters, digits, `-`, `_` and `.` kept, anything
/// else replaced by `-`.
pub fn folder_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    let trimmed = cleaned.trim_matches(|c| c == '.' || c == '-');
    if trimmed.is_empty() {
        "scenario".into()
    } else {
        trimmed.into()
    }
}

/// Whether a folder holds a clustersim result (a `manifest.json` from an earlier run) or a
/// shard of one (a `shard.json`).
fn is_result(folder: &Path) -> bool {
    folder.join("manifest.json").is_file() || folder.join("shard.json").is_file()
}

fn is_empty_folder(folder: &Path) -> anyhow::Result<bool> {
    Ok(fs::read_dir(folder)
        .with_context(|| format!("reading output folder '{}'", folder.display()))?
        .next()
        .is_none())
}

impl PendingOutput {
    /// The default destination `root/<scenario>/<UTC time>/` (with `-2`, `-3`, … if taken),
    /// with a `latest` link updated when a complete result is committed.
    pub fn timestamped(root: &Path, scenario_name: &str, utc_stamp: &str) -> anyhow::Result<Self> {
        let parent = root.join(folder_name(scenario_name));
        fs::create_dir_all(&parent)
            .with_context(|| format!("creating output folder '{}'", parent.display()))?;
        Self::stage(parent.join(utc_stamp), false, true)
    }

    /// Exactly `destination`. An existing non-empty folder is refused unless `force` is given
    /// and it holds an earlier clustersim result (a folder of other files is never replaced).
    pub fn exact(destination: &Path, force: bool) -> anyhow::Result<Self> {
        if destination.exists() {
            if !destination.is_dir() {
                bail!(
                    "output '{}' exists and is not a folder; choose another --out",
                    destination.display()
                );
            }
            if !is_empty_folder(destination)? {
                if !is_result(destination) {
                    bail!(
                        "output folder '{}' holds files that are not a clustersim result (no manifest.json or shard.json); it is never replaced, even with --force; choose another --out",
                        destination.display()
                    );
                }
                if !force {
                    bail!(
                        "output folder '{}' already holds a result; pass --force to replace it, or choose another --out",
                        destination.display()
                    );
                }
            }
        }
        Self::stage(destination.to_path_buf(), force, false)
    }

    fn stage(destination: PathBuf, force: bool, timestamped: bool) -> anyhow::Result<Self> {
        let parent = parent_of(&destination);
        fs::create_dir_all(&parent)
            .with_context(|| format!("creating output folder '{}'", parent.display()))?;
        remove_abandoned_staging(&parent);
        let name = destination
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "result".into());
        let staging = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if staging.exists() {
            fs::remove_dir_all(&staging).ok();
        }
        fs::create_dir(&staging)
            .with_context(|| format!("cannot write to output folder '{}'", parent.display()))?;
        Ok(Self {
            destination,
            staging,
            force,
            timestamped,
        })
    }

    /// Path of a file inside the staging folder.
    pub fn file(&self, name: &str) -> PathBuf {
        self.staging.join(name)
    }

    /// Writes `contents` to `name` in the staging folder (via a temporary name and a rename).
    pub fn write(&self, name: &str, contents: &[u8]) -> anyhow::Result<()> {
        write_atomically(&self.file(name), contents)
    }

    /// Moves the staging folder into place and returns where it went.
    ///
    /// Timestamped outputs take the first free name (`<time>`, `<time>-2`, …) at the moment of
    /// the rename, so parallel runs never collide. With `--out` and `--force`, an existing result
    /// is first moved aside and deleted only after the new result is in place. The `latest`
    /// link moves to a timestamped result only if it is `complete`: a partial result of an
    /// interrupted run is kept under its own name but never becomes `latest`.
    pub fn commit(self, complete: bool) -> anyhow::Result<PathBuf> {
        if self.timestamped {
            return self.commit_to_free_name(complete);
        }
        let mut aside = None;
        if self.destination.exists() && !is_empty_folder(&self.destination)? {
            if !(self.force && is_result(&self.destination)) {
                bail!(
                    "output folder '{}' was filled by someone else while running; this run's results are in '{}'",
                    self.destination.display(),
                    self.staging.display()
                );
            }
            let old = parent_of(&self.destination).join(format!(
                ".{}.old-{}",
                self.destination
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                std::process::id()
            ));
            fs::rename(&self.destination, &old).with_context(|| {
                format!(
                    "moving the earlier result '{}' aside",
                    self.destination.display()
                )
            })?;
            aside = Some(old);
        }
        if let Err(error) = fs::rename(&self.staging, &self.destination) {
            if let Some(old) = &aside {
                fs::rename(old, &self.destination).ok();
            }
            return Err(error).with_context(|| {
                format!(
                    "moving results into '{}' (they are in '{}')",
                    self.destination.display(),
                    self.staging.display()
                )
            });
        }
        if let Some(old) = aside {
            fs::remove_dir_all(old).ok();
        }
        Ok(self.destination)
    }

    fn commit_to_free_name(self, complete: bool) -> anyhow::Result<PathBuf> {
        let parent = parent_of(&self.destination);
        let stem = self
            .destination
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "result".into());
        for suffix in 1..10_000 {
            let candidate = if suffix == 1 {
                parent.join(&stem)
            } else {
                parent.join(format!("{stem}-{suffix}"))
            };
            if candidate.exists() {
                continue;
            }
            // Renaming onto a name another process has just filled fails (the folder is not
            // empty): try the next name.
            match fs::rename(&self.staging, &candidate) {
                Ok(()) => {
                    if complete {
                        link_latest(&candidate)?;
                    }
                    return Ok(candidate);
                }
                Err(_) if candidate.exists() => continue,
                Err(error) => {
                    return Err(error).with_context(|| {
                        format!(
                            "moving results into '{}' (they are in '{}')",
                            candidate.display(),
                            self.staging.display()
                        )
                    });
                }
            }
        }
        bail!(
            "no free folder name next to '{}'; results are in '{}'",
            self.destination.display(),
            self.staging.display()
        )
    }

    /// Deletes the staging folder (after an error).
    pub fn abandon(self) {
        fs::remove_dir_all(&self.staging).ok();
    }
}

/// Deletes staging folders (`.<name>.partial-<pid>`) left in `parent` by processes that no longer
/// exist (killed runs). Only on systems with `/proc`; elsewhere they are left alone.
fn remove_abandoned_staging(parent: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix('.')
            .and_then(|rest| rest.rsplit_once(".partial-"))
            .map(|(_, pid)| pid.to_string())
        else {
            continue;
        };
        if !pid.is_empty()
            && pid.chars().all(|c| c.is_ascii_digit())
            && !Path::new("/proc").join(&pid).exists()
            && entry.path().is_dir()
        {
            fs::remove_dir_all(entry.path()).ok();
        }
    }
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Writes a file via `<name>.tmp` and a rename, so the final name never holds a partial file.
pub fn write_atomically(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    let temporary = path.with_extension(format!(
        "{}tmp",
        path.extension()
            .map(|e| format!("{}.", e.to_string_lossy()))
            .unwrap_or_default()
    ));
    let mut file = fs::File::create(&temporary)
        .with_context(|| format!("creating '{}'", temporary.display()))?;
    file.write_all(contents)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing '{}'", temporary.display()))?;
    fs::rename(&temporary, path).with_context(|| format!("renaming to '{}'", path.display()))
}

/// Points `<parent>/latest` at `destination` (a relative symbolic link, replaced atomically).
fn link_latest(destination: &Path) -> anyhow::Result<()> {
    let parent = parent_of(destination);
    let target = destination
        .file_name()
        .map(PathBuf::from)
        .unwrap_or_default();
    let temporary = parent.join(format!(".latest-{}", std::process::id()));
    fs::remove_file(&temporary).ok();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&target, &temporary)
            .with_context(|| format!("creating link '{}'", temporary.display()))?;
        fs::rename(&temporary, parent.join("latest"))
            .with_context(|| format!("updating '{}'", parent.join("latest").display()))?;
    }
    #[cfg(not(unix))]
    {
        write_atomically(
            &parent.join("latest.txt"),
            target.to_string_lossy().as_bytes(),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names_are_safe() {
        assert_eq!(folder_name("lithuania-2007-2013"), "lithuania-2007-2013");
        assert_eq!(folder_name("a b/c"), "a-b-c");
        assert_eq!(folder_name("../.."), "scenario");
    }
}
