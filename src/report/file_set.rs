//! A set of files written into one folder as a whole: each goes to a hidden temporary name
//! first, and only when every one is complete are they renamed into place, so a failure (a full
//! disk, a read-only folder) leaves the earlier files as they were and no half-written file.
//! Existing files are replaced only when the caller allows it.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// One file of a set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileToWrite<'a> {
    /// Name inside the folder.
    pub name: &'a str,
    /// Contents.
    pub contents: &'a [u8],
    /// Make it executable (mode 755 on Unix) — a script.
    pub executable: bool,
}

/// Writes `files` into `folder` (created if missing). Unless `replace` is set, refuses before
/// writing anything if any of them already exists, naming them all. Returns the written paths.
pub fn write_file_set(
    folder: &Path,
    files: &[FileToWrite<'_>],
    replace: bool,
) -> anyhow::Result<Vec<PathBuf>> {
    if folder.exists() && !folder.is_dir() {
        bail!(
            "'{}' exists and is not a folder; choose another folder",
            folder.display()
        );
    }
    let existing: Vec<String> = files
        .iter()
        .map(|file| folder.join(file.name))
        .filter(|path| path.exists())
        .map(|path| path.display().to_string())
        .collect();
    if !existing.is_empty() && !replace {
        bail!(
            "{} already exist{}: {}; pass --force to overwrite, or choose another folder",
            if existing.len() == 1 {
                "a file"
            } else {
                "files"
            },
            if existing.len() == 1 { "s" } else { "" },
            existing.join(", ")
        );
    }
    fs::create_dir_all(folder)
        .with_context(|| format!("creating folder '{}'", folder.display()))?;
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::with_capacity(files.len());
    for file in files {
        let temporary = folder.join(format!(".{}.tmp-{}", file.name, std::process::id()));
        let written = write_temporary(&temporary, file);
        staged.push((temporary, folder.join(file.name)));
        if let Err(error) = written {
            remove_temporaries(&staged);
            return Err(error);
        }
    }
    let mut written = Vec::with_capacity(staged.len());
    for (index, (temporary, destination)) in staged.iter().enumerate() {
        if let Err(error) = fs::rename(temporary, destination) {
            remove_temporaries(&staged[index..]);
            return Err(error).with_context(|| format!("renaming to '{}'", destination.display()));
        }
        written.push(destination.clone());
    }
    Ok(written)
}

fn write_temporary(temporary: &Path, file: &FileToWrite<'_>) -> anyhow::Result<()> {
    let mut handle = fs::File::create(temporary)
        .with_context(|| format!("creating '{}'", temporary.display()))?;
    handle
        .write_all(file.contents)
        .and_then(|()| handle.sync_all())
        .with_context(|| format!("writing '{}'", temporary.display()))?;
    #[cfg(unix)]
    if file.executable {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(temporary, fs::Permissions::from_mode(0o755))
            .with_context(|| format!("making '{}' executable", temporary.display()))?;
    }
    Ok(())
}

fn remove_temporaries(staged: &[(PathBuf, PathBuf)]) {
    for (temporary, _) in staged {
        fs::remove_file(temporary).ok();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set<'a>(contents: &'a [u8]) -> Vec<FileToWrite<'a>> {
        vec![
            FileToWrite {
                name: "a.txt",
                contents,
                executable: false,
            },
            FileToWrite {
                name: "run.sh",
                contents,
                executable: true,
            },
        ]
    }

    #[test]
    fn writes_every_file_and_refuses_to_overwrite_without_replace() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let target = folder.path().join("plan");
        write_file_set(&target, &set(b"first"), false).expect("written");
        assert_eq!(fs::read(target.join("a.txt")).expect("a"), b"first");
        let error = write_file_set(&target, &set(b"second"), false).expect_err("refused");
        assert!(format!("{error:#}").contains("a.txt"), "{error:#}");
        assert!(format!("{error:#}").contains("run.sh"), "{error:#}");
        assert_eq!(fs::read(target.join("run.sh")).expect("kept"), b"first");
        write_file_set(&target, &set(b"second"), true).expect("replaced");
        assert_eq!(fs::read(target.join("run.sh")).expect("new"), b"second");
        let names: Vec<_> = fs::read_dir(&target)
            .expect("listing")
            .map(|entry| entry.expect("entry").file_name())
            .collect();
        assert_eq!(names.len(), 2, "no temporary left behind: {names:?}");
    }

    #[cfg(unix)]
    #[test]
    fn scripts_are_executable() {
        use std::os::unix::fs::PermissionsExt;
        let folder = tempfile::tempdir().expect("temporary folder");
        write_file_set(folder.path(), &set(b"x"), false).expect("written");
        let mode = |name: &str| {
            fs::metadata(folder.path().join(name))
                .expect("metadata")
                .permissions()
                .mode()
                & 0o777
        };
        assert_eq!(mode("run.sh"), 0o755);
        assert_ne!(mode("a.txt") & 0o111, 0o111);
    }

    #[test]
    fn a_file_in_place_of_the_folder_is_refused() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let file = folder.path().join("plan");
        fs::write(&file, "x").expect("file");
        assert!(write_file_set(&file, &set(b"x"), false).is_err());
    }
}
