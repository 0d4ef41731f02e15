//! Claiming an output directory and publishing it. A command claims its `--out` directory `D` for its
//! whole run with an OS lock on `.D.lock` beside it, writes every file into a staging directory
//! `.D.cogov-<random>` beside it (an `OutputDir`), and publishes the staging directory as `D`
//! in one rename when the manifest is written (on Linux `renameat2(RENAME_EXCHANGE)`, then the old
//! tree is removed). A kill at any moment leaves the complete old `D` or the complete new one, never
//! a mix, and `--force` leaves no file of an earlier run. Nothing is written outside `D` but the lock
//! and the staging directory, both removed when the command ends.
//!
//! A sweep's staging directory is also its checkpoint: a killed sweep leaves it behind, and
//! `--resume` adopts it. Any other staging directory left by a killed command is removed by the next
//! command that claims `D`.

use std::fs;
use std::path::{Path, PathBuf};

use super::atomic::{Lock, RANDOM_LEN, copy_tree, remove_tree};
use super::dir::{CALIBRATION_IDENTITY, MANIFEST, OutputDir, SWEEP_IDENTITY};
use crate::error::{Error, OutputError, Result};
impl OutputDir {
    /// Claim `target` and start writing a new version of it (see [`Claim::fresh`]).
    pub fn create(target: &Path, force: bool) -> Result<Self> {
        Claim::new(target)?.fresh(force)
    }
}

/// Files that mark a directory as one cogov wrote (earlier versions wrote no manifest for some).
const MARKERS: [&str; 6] = [
    MANIFEST,
    SWEEP_IDENTITY,
    CALIBRATION_IDENTITY,
    "figures.md",
    "validation.csv",
    "vertices.csv",
];

/// The exclusive right to write one output directory, before its staging directory exists.
pub struct Claim {
    target: PathBuf,
    parent: PathBuf,
    name: String,
    lock: Lock,
}

/// What the claimed path holds now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    Absent,
    Empty,
    /// A directory cogov wrote.
    Output,
    /// A non-empty directory cogov did not write.
    Foreign,
}

impl Claim {
    /// Lock `target` for this command. `target` must name a directory (or nothing yet); its parent is
    /// created if needed.
    pub fn new(target: &Path) -> Result<Claim> {
        let bad = |reason: &str| -> Error {
            OutputError::BadPath {
                path: target.to_path_buf(),
                reason: reason.into(),
            }
            .into()
        };
        let mut target = target.to_path_buf();
        if let Ok(meta) = fs::symlink_metadata(&target) {
            if meta.file_type().is_symlink() {
                target = fs::canonicalize(&target)
                    .map_err(|_| bad("is a symbolic link that leads nowhere"))?;
            }
            if !target.is_dir() {
                return Err(bad("exists and is not a directory"));
            }
        }
        let name = match target.file_name().and_then(|n| n.to_str()) {
            Some(n) if !n.is_empty() && !n.starts_with('.') => n.to_string(),
            Some(_) => return Err(bad("must not be a hidden name (starting with `.`)")),
            None => return Err(bad("must name a directory, e.g. output/run")),
        };
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        let lock = Lock::acquire(&parent.join(format!(".{name}.lock")), &target)?;
        Ok(Claim {
            target,
            parent,
            name,
            lock,
        })
    }

    pub fn target(&self) -> &Path {
        &self.target
    }

    pub fn existing(&self) -> Result<Existing> {
        existing(&self.target)
    }

    /// Staging directories that killed commands left for this target, and which of them hold an
    /// interrupted sweep or calibration (an identity and no manifest).
    pub fn leftovers(&self) -> Result<Vec<(PathBuf, bool)>> {
        let prefix = format!(".{}.cogov-", self.name);
        let mut found = Vec::new();
        for entry in fs::read_dir(&self.parent).map_err(|e| Error::io(&self.parent, e))? {
            let entry = entry.map_err(|e| Error::io(&self.parent, e))?;
            let name = entry.file_name();
            let Some(suffix) = name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
                continue;
            };
            let ours =
                suffix.len() == RANDOM_LEN && suffix.chars().all(|c| c.is_ascii_alphanumeric());
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if ours && is_dir {
                let path = entry.path();
                let checkpoint = (path.join(SWEEP_IDENTITY).is_file()
                    || path.join(CALIBRATION_IDENTITY).is_file())
                    && !path.join(MANIFEST).exists();
                found.push((path, checkpoint));
            }
        }
        found.sort();
        Ok(found)
    }

    /// Start a new version of the directory. An existing output is replaced at commit only with
    /// `force`; a directory cogov did not write is never replaced; an interrupted sweep is discarded
    /// only with `force`.
    pub fn fresh(self, force: bool) -> Result<OutputDir> {
        match self.existing()? {
            Existing::Absent | Existing::Empty => {}
            Existing::Output if force => self.only_cogovs_files()?,
            Existing::Output => return Err(OutputError::Exists(self.target.clone()).into()),
            Existing::Foreign => return Err(OutputError::Foreign(self.target.clone()).into()),
        }
        for (path, checkpoint) in self.leftovers()? {
            if checkpoint && !force {
                return Err(OutputError::Interrupted {
                    target: self.target.clone(),
                    checkpoint: path,
                }
                .into());
            }
            remove_tree(&path)?;
        }
        let root = self.staging()?;
        Ok(self.into_dir(root))
    }

    /// Continue in the staging directory a killed command left (a sweep's checkpoint).
    pub fn adopt(self, checkpoint: PathBuf) -> Result<OutputDir> {
        if self.existing()? == Existing::Foreign {
            return Err(OutputError::Foreign(self.target.clone()).into());
        }
        for (path, _) in self.leftovers()? {
            if path != checkpoint {
                remove_tree(&path)?;
            }
        }
        remove_temporaries(&checkpoint)?;
        let mut dir = self.into_dir(checkpoint);
        dir.keep_on_failure();
        Ok(dir)
    }

    /// A new version of an existing output directory that starts as a copy of it (hard links where
    /// the file system allows), for `cogov plot` to redraw into.
    pub fn revise(self) -> Result<OutputDir> {
        if self.existing()? != Existing::Output {
            return Err(OutputError::NotOutput(self.target.clone()).into());
        }
        self.only_cogovs_files()?;
        for (path, _) in self.leftovers()? {
            remove_tree(&path)?;
        }
        let root = self.staging()?;
        let dir = self.into_dir(root);
        copy_tree(dir.target(), dir.root())?;
        Ok(dir)
    }

    /// Refuse to replace or revise a directory that holds files its manifest does not list: someone
    /// put them there, and replacing the directory would delete them.
    fn only_cogovs_files(&self) -> Result<()> {
        let manifest = self.target.join(MANIFEST);
        let listed = match fs::symlink_metadata(&manifest) {
            Err(_) => Vec::new(),
            Ok(meta) if meta.is_file() => match manifest_outputs(&self.target) {
                Some(listed) => listed,
                None => return Err(OutputError::Foreign(self.target.clone()).into()),
            },
            Ok(_) => return Err(OutputError::Foreign(self.target.clone()).into()),
        };
        let mut unlisted = Vec::new();
        files_under(&self.target, "", &mut unlisted)?;
        unlisted.retain(|f| f != MANIFEST && !listed.contains(f));
        if unlisted.is_empty() {
            return Ok(());
        }
        unlisted.sort();
        Err(OutputError::Unlisted {
            target: self.target.clone(),
            files: unlisted,
        }
        .into())
    }

    fn staging(&self) -> Result<PathBuf> {
        let prefix = format!(".{}.cogov-", self.name);
        tempfile::Builder::new()
            .prefix(&prefix)
            .rand_bytes(RANDOM_LEN)
            .tempdir_in(&self.parent)
            .map(|d| d.keep())
            .map_err(|e| Error::io(self.parent.join(format!("{prefix}*")), e))
    }

    fn into_dir(self, root: PathBuf) -> OutputDir {
        OutputDir::staged(root, self.target, self.lock)
    }
}

/// Remove the temporary files a killed command left half-written in one of its staging directories
/// (`.NAME.<random>.tmp`: never an output).
fn remove_temporaries(dir: &Path) -> Result<()> {
    for entry in fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let temporary = name.starts_with('.')
            && name.strip_suffix(".tmp").is_some_and(|stem| {
                stem.rsplit_once('.').is_some_and(|(_, random)| {
                    random.len() == RANDOM_LEN && random.chars().all(|c| c.is_ascii_alphanumeric())
                })
            });
        if temporary && entry.file_type().is_ok_and(|t| t.is_file()) {
            fs::remove_file(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
        }
    }
    Ok(())
}

/// The files a directory's manifest lists, if it has a manifest cogov can read.
fn manifest_outputs(dir: &Path) -> Option<Vec<String>> {
    let text = crate::files::read_regular(&dir.join(MANIFEST), super::manifest::MAX_MANIFEST_BYTES)
        .ok()?;
    let manifest: serde_json::Value = serde_json::from_str(&text).ok()?;
    Some(
        manifest
            .get("outputs")?
            .as_object()?
            .keys()
            .cloned()
            .collect(),
    )
}

/// Every file under `dir`, by '/'-separated path relative to it.
fn files_under(dir: &Path, prefix: &str, out: &mut Vec<String>) -> Result<()> {
    for entry in fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            files_under(&entry.path(), &format!("{name}/"), out)?;
        } else {
            out.push(name);
        }
    }
    Ok(())
}

fn existing(target: &Path) -> Result<Existing> {
    if !target.exists() {
        return Ok(Existing::Absent);
    }
    let mut entries = fs::read_dir(target).map_err(|e| Error::io(target, e))?;
    if entries.next().is_none() {
        return Ok(Existing::Empty);
    }
    // A marker counts only as a regular file: a link named like one is not cogov's.
    let regular = |m: &&str| fs::symlink_metadata(target.join(m)).is_ok_and(|t| t.is_file());
    Ok(if MARKERS.iter().any(regular) {
        Existing::Output
    } else {
        Existing::Foreign
    })
}
