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
    /// Final destination.
    pub destination: PathBuf,
    /// Temporary folder receiving the files.
    pub staging: PathBuf,
    /// Replace an existing destination.
    force: bool,
    /// Update a `latest` link in the destination's parent after committing.
    link_latest: bool,
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

impl PendingOutput {
    /// The default destination `root/<scenario>/<UTC time>/` (with `-2`, `-3`, … if taken),
    /// with a `latest` link updated at commit.
    pub fn timestamped(root: &Path, scenario_name: &str, utc_stamp: &str) -> anyhow::Result<Self> {
        let parent = root.join(folder_name(scenario_name));
        fs::create_dir_all(&parent)
            .with_context(|| format!("creating output folder '{}'", parent.display()))?;
        let mut destination = parent.join(utc_stamp);
        let mut suffix = 2;
        while destination.exists() {
            destination = parent.join(format!("{utc_stamp}-{suffix}"));
            suffix += 1;
        }
        Self::stage(destination, false, true)
    }

    /// Exactly `destination`, refusing an existing non-empty folder unless `force`.
    pub fn exact(destination: &Path, force: bool) -> anyhow::Result<Self> {
        if destination.exists() {
            if !destination.is_dir() {
                bail!(
                    "output '{}' exists and is not a folder; choose another --out",
                    destination.display()
                );
            }
            let occupied = fs::read_dir(destination)
                .with_context(|| format!("reading output folder '{}'", destination.display()))?
                .next()
                .is_some();
            if occupied && !force {
                bail!(
                    "output folder '{}' already holds files; pass --force to replace them, or choose another --out",
                    destination.display()
                );
            }
        }
        Self::stage(destination.to_path_buf(), force, false)
    }

    fn stage(destination: PathBuf, force: bool, link_latest: bool) -> anyhow::Result<Self> {
        let parent = parent_of(&destination);
        fs::create_dir_all(&parent)
            .with_context(|| format!("creating output folder '{}'", parent.display()))?;
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
            link_latest,
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

    /// Moves the staging folder into place. With `force`, an existing destination is first moved
    /// aside and deleted only after the new result is in place.
    pub fn commit(self) -> anyhow::Result<PathBuf> {
        let mut aside = None;
        if self.destination.exists() {
            if !self.force && fs::read_dir(&self.destination)?.next().is_some() {
                bail!(
                    "output folder '{}' was filled by someone else while running; results left in '{}'",
                    self.destination.display(),
                    self.staging.display()
                );
            }
            let parent = parent_of(&self.destination);
            let old = parent.join(format!(
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
            return Err(error)
                .with_context(|| format!("moving results into '{}'", self.destination.display()));
        }
        if let Some(old) = aside {
            fs::remove_dir_all(old).ok();
        }
        if self.link_latest {
            link_latest(&self.destination)?;
        }
        Ok(self.destination)
    }

    /// Deletes the staging folder (after an error).
    pub fn abandon(self) {
        fs::remove_dir_all(&self.staging).ok();
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
