//! The file-system steps that make an output directory appear whole: an OS lock that is removed
//! safely by its holder, opens that never follow a planted symbolic link, and the swap of a staging
//! directory into place (`renameat2(RENAME_EXCHANGE)` on Linux).

use std::fs::{self, File, OpenOptions};
use std::path::Path;

use crate::error::{Error, OutputError, Result};

/// Random characters in staging and temporary names.
pub(super) const RANDOM_LEN: usize = 10;

/// An exclusive lock on an output directory, held from the claim to the end of the command.
pub(super) struct Lock {
    path: std::path::PathBuf,
    _file: File,
}

impl Lock {
    pub(super) fn acquire(path: &Path, target: &Path) -> Result<Lock> {
        // A lock file is removed by its holder when done; if the file we locked was removed in
        // between, it no longer guards anything, so open the new one and try again.
        for _ in 0..8 {
            let file = open_nofollow(OpenOptions::new().read(true).write(true).create(true), path)
                .map_err(|e| lock_error(path, e))?;
            // cogov's lock is an empty file: anything else there is someone's, and is left alone
            // (the holder removes its lock when done).
            if file.metadata().is_ok_and(|m| m.len() > 0) {
                return Err(OutputError::LockFile {
                    path: path.to_path_buf(),
                    reason:
                        "has content, so it is not the empty lock file cogov keeps there: move it"
                            .into(),
                }
                .into());
            }
            match file.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => {
                    return Err(OutputError::Busy {
                        target: target.to_path_buf(),
                        lock: path.to_path_buf(),
                    }
                    .into());
                }
                Err(fs::TryLockError::Error(e)) => return Err(Error::io(path, e)),
            }
            if same_file(&file, path) {
                return Ok(Lock {
                    path: path.to_path_buf(),
                    _file: file,
                });
            }
        }
        Err(OutputError::Busy {
            target: target.to_path_buf(),
            lock: path.to_path_buf(),
        }
        .into())
    }
}

/// A lock that cannot be opened; a symbolic link planted at its name is named as such.
fn lock_error(path: &Path, e: std::io::Error) -> Error {
    if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        OutputError::LockFile {
            path: path.to_path_buf(),
            reason: "is a symbolic link where cogov keeps its lock file; cogov never follows it: \
                     remove the link"
                .into(),
        }
        .into()
    } else {
        Error::io(path, e)
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held; the file is closed (and unlocked) after this body.
        let _ = fs::remove_file(&self.path);
    }
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.is_file()
}

/// Open without following a symbolic link at the last component.
pub(super) fn open_nofollow(options: &mut OpenOptions, path: &Path) -> std::io::Result<File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32);
    }
    options.open(path)
}

pub(super) fn remove_tree(path: &Path) -> Result<()> {
    match fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(path, e)),
        _ => Ok(()),
    }
}

pub(super) fn sync_dir(path: &Path) -> Result<()> {
    File::open(path)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(path, e))
}

/// Replace `target` by `staging` in one step where the system allows, and remove the old tree.
pub(super) fn swap_into_place(staging: &Path, target: &Path) -> Result<()> {
    let parent = target.parent().filter(|p| !p.as_os_str().is_empty());
    if fs::symlink_metadata(target).is_err() {
        fs::rename(staging, target).map_err(|e| Error::io(target, e))?;
    } else if exchange(staging, target).is_ok() {
        // `staging` now holds the old tree.
        remove_tree(staging)?;
    } else {
        // No atomic exchange here: move the old tree aside first. A kill in between leaves the new
        // outputs complete in `staging` and the old ones complete beside them.
        let old = staging.with_extension("old");
        fs::rename(target, &old).map_err(|e| Error::io(target, e))?;
        fs::rename(staging, target).map_err(|e| Error::io(target, e))?;
        remove_tree(&old)?;
    }
    sync_dir(parent.unwrap_or(Path::new(".")))
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// Copy the tree at `from` into the existing directory `to`, hard-linking files where possible.
pub(super) fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    for entry in fs::read_dir(from).map_err(|e| Error::io(from, e))? {
        let entry = entry.map_err(|e| Error::io(from, e))?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().map_err(|e| Error::io(&src, e))?;
        if kind.is_dir() {
            fs::create_dir(&dst).map_err(|e| Error::io(&dst, e))?;
            copy_tree(&src, &dst)?;
        } else if kind.is_file() && fs::hard_link(&src, &dst).is_err() {
            fs::copy(&src, &dst).map_err(|e| Error::io(&dst, e))?;
        }
    }
    Ok(())
}
