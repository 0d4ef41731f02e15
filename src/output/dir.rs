//! Output directories, written all at once. A command claims its `--out` directory `D` for its whole
//! run with an OS lock on `.D.lock` beside it, writes every file into a staging directory
//! `.D.cogov-<random>` beside it, and publishes the staging directory as `D` in one rename when the
//! manifest is written (on Linux `renameat2(RENAME_EXCHANGE)`, then the old tree is removed). A kill
//! at any moment leaves the complete old `D` or the complete new one, never a mix, and `--force`
//! leaves no file of an earlier run. Nothing is written outside `D` but the lock and the staging
//! directory, both removed when the command ends.
//!
//! A sweep's staging directory is also its checkpoint: a killed sweep leaves it behind, and
//! `--resume` adopts it. Any other staging directory left by a killed command is removed by the next
//! command that claims `D`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tempfile::NamedTempFile;

use super::table::{Cell, CsvSink, Format, Table, TableSink};
use crate::error::{Error, OutputError, Result};

/// Random characters in staging and temporary names.
const RANDOM_LEN: usize = 10;
/// The manifest, written last; it is not listed among the outputs it hashes.
pub const MANIFEST: &str = "manifest.json";
/// A sweep's identity: present, without a manifest, in the checkpoint of an interrupted sweep.
pub const SWEEP_IDENTITY: &str = "sweep.json";
/// Files that mark a directory as one cogov wrote (earlier versions wrote no manifest for some).
const MARKERS: [&str; 5] = [
    MANIFEST,
    SWEEP_IDENTITY,
    "figures.md",
    "validation.csv",
    "vertices.csv",
];

/// An exclusive lock on an output directory, held from the claim to the end of the command.
struct Lock {
    path: PathBuf,
    _file: File,
}

impl Lock {
    fn acquire(path: &Path, target: &Path) -> Result<Lock> {
        // A lock file is removed by its holder when done; if the file we locked was removed in
        // between, it no longer guards anything, so open the new one and try again.
        for _ in 0..8 {
            let file = open_nofollow(OpenOptions::new().read(true).write(true).create(true), path)
                .map_err(|e| Error::io(path, e))?;
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
fn open_nofollow(options: &mut OpenOptions, path: &Path) -> std::io::Result<File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32);
    }
    options.open(path)
}

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
    /// interrupted sweep (a sweep identity and no manifest).
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
                let checkpoint =
                    path.join(SWEEP_IDENTITY).is_file() && !path.join(MANIFEST).exists();
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
            Existing::Output if force => {}
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
        let mut dir = self.into_dir(checkpoint);
        dir.keep_on_failure = true;
        Ok(dir)
    }

    /// A new version of an existing output directory that starts as a copy of it (hard links where
    /// the file system allows), for `cogov plot` to redraw into.
    pub fn revise(self) -> Result<OutputDir> {
        if self.existing()? != Existing::Output {
            return Err(OutputError::NotOutput(self.target.clone()).into());
        }
        for (path, _) in self.leftovers()? {
            remove_tree(&path)?;
        }
        let root = self.staging()?;
        let dir = self.into_dir(root);
        copy_tree(dir.target(), &dir.root)?;
        Ok(dir)
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
        OutputDir {
            root,
            shown: self.target.clone(),
            publish: Some(Publish {
                target: self.target,
                _lock: self.lock,
            }),
            keep_on_failure: false,
            written: BTreeSet::new(),
            format: Format::Csv,
        }
    }
}

fn existing(target: &Path) -> Result<Existing> {
    if !target.exists() {
        return Ok(Existing::Absent);
    }
    let mut entries = fs::read_dir(target).map_err(|e| Error::io(target, e))?;
    if entries.next().is_none() {
        return Ok(Existing::Empty);
    }
    Ok(if MARKERS.iter().any(|m| target.join(m).is_file()) {
        Existing::Output
    } else {
        Existing::Foreign
    })
}

struct Publish {
    target: PathBuf,
    _lock: Lock,
}

/// An output directory being filled: every write lands in its staging directory until [`commit`].
///
/// [`commit`]: OutputDir::commit
pub struct OutputDir {
    /// Where files are written now: the staging directory, or for a nested directory its place in
    /// the parent's staging directory.
    root: PathBuf,
    /// The directory `root` becomes at commit, and the lock on it; `None` for a nested directory.
    publish: Option<Publish>,
    /// Keep the staging directory if the command fails (a sweep's checkpoint).
    keep_on_failure: bool,
    /// Files written by this command so far.
    written: BTreeSet<String>,
    /// Where the directory will be once published: the path error messages name.
    shown: PathBuf,
    pub format: Format,
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if self.publish.is_some() && !self.keep_on_failure {
            let _ = remove_tree(&self.root);
        }
    }
}

impl OutputDir {
    /// Claim `target` and start writing a new version of it (see [`Claim::fresh`]).
    pub fn create(target: &Path, force: bool) -> Result<Self> {
        Claim::new(target)?.fresh(force)
    }

    /// A subdirectory written with this directory and published with it (it gets its own manifest).
    pub fn nested(&self, name: &str) -> Result<OutputDir> {
        let root = self.path(name);
        fs::create_dir(&root).map_err(|e| Error::io(self.shown(name), e))?;
        Ok(OutputDir {
            root,
            shown: self.shown(name),
            publish: None,
            keep_on_failure: false,
            written: BTreeSet::new(),
            format: self.format,
        })
    }

    /// Keep the staging directory if the command fails, as the checkpoint `--resume` adopts.
    pub fn keep_on_failure(&mut self) {
        self.keep_on_failure = true;
    }

    /// Where the files are being written.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The directory the outputs are published as.
    pub fn target(&self) -> &Path {
        self.publish.as_ref().map_or(&self.root, |p| &p.target)
    }

    /// The path of file `name` in the directory being written.
    pub fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    /// The path of file `name` once the directory is published, as messages name it.
    pub fn shown(&self, name: &str) -> PathBuf {
        self.shown.join(name)
    }

    /// Read a text file of the directory being written.
    pub fn read(&self, name: &str) -> Result<String> {
        fs::read_to_string(self.path(name)).map_err(|e| Error::io(self.shown(name), e))
    }

    /// Write `bytes` to `name`: a new file under a random name, flushed, then renamed into place.
    pub fn write(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let mut tmp = self.temporary(name)?;
        tmp.write_all(bytes)
            .map_err(|e| Error::io(self.shown(name), e))?;
        persist(tmp, &self.path(name), &self.shown(name))?;
        self.written.insert(name.to_string());
        Ok(())
    }

    /// The files this command has written so far, by name.
    pub fn written(&self) -> Vec<String> {
        self.written.iter().cloned().collect()
    }

    /// A streaming table `{stem}.{format}`, complete on disk only after [`TableWriter::finish`].
    pub fn table<S: AsRef<str>>(&mut self, stem: &str, columns: &[S]) -> Result<TableWriter> {
        let name = format!("{stem}.{}", self.format.extension());
        let (dest, shown) = (self.path(&name), self.shown(&name));
        let tmp = self.temporary(&name)?;
        let sink = CsvSink::new(BufWriter::new(tmp), columns).map_err(|e| Error::io(&shown, e))?;
        self.written.insert(name);
        Ok(TableWriter { sink, dest, shown })
    }

    /// Write a table held in memory as `{stem}.{format}`.
    pub fn write_table(&mut self, stem: &str, table: &Table) -> Result<()> {
        let mut w = self.table(stem, &table.columns)?;
        for row in &table.rows {
            w.row(row)?;
        }
        w.finish()
    }

    /// Open `name` for appending, creating it (never through a symbolic link).
    pub fn append(&self, name: &str) -> Result<File> {
        open_nofollow(
            OpenOptions::new().append(true).create(true),
            &self.path(name),
        )
        .map_err(|e| Error::io(self.shown(name), e))
    }

    /// Rename file `from` to `to` within the directory.
    pub fn rename(&self, from: &str, to: &str) -> Result<()> {
        fs::rename(self.path(from), self.path(to)).map_err(|e| Error::io(self.shown(to), e))
    }

    fn temporary(&self, name: &str) -> Result<NamedTempFile> {
        #[cfg(unix)]
        let permissions = {
            use std::os::unix::fs::PermissionsExt;
            fs::Permissions::from_mode(0o666)
        };
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder
            .prefix(&prefix)
            .suffix(".tmp")
            .rand_bytes(RANDOM_LEN);
        #[cfg(unix)]
        builder.permissions(permissions);
        builder
            .tempfile_in(&self.root)
            .map_err(|e| Error::io(self.shown(name), e))
    }

    /// The SHA-256 of every file written so far, by path relative to the directory ('/'-separated),
    /// the manifest excepted.
    pub fn hashes(&self) -> Result<BTreeMap<String, String>> {
        let mut out = BTreeMap::new();
        hash_tree(&self.root, "", &mut out)?;
        out.remove(MANIFEST);
        Ok(out)
    }

    /// Write the manifest (`manifest_json` receives the hashes of every other file) and publish the
    /// directory. Returns the published path.
    pub fn commit(
        mut self,
        manifest_json: impl FnOnce(BTreeMap<String, String>) -> String,
    ) -> Result<PathBuf> {
        let json = manifest_json(self.hashes()?);
        self.write(MANIFEST, json.as_bytes())?;
        let Some(publish) = self.publish.take() else {
            return Ok(self.root.clone());
        };
        sync_dir(&self.root)?;
        swap_into_place(&self.root, &publish.target)?;
        Ok(publish.target.clone())
    }
}

/// A table being streamed to a temporary file of an output directory.
pub struct TableWriter {
    sink: CsvSink<BufWriter<NamedTempFile>>,
    dest: PathBuf,
    shown: PathBuf,
}

impl TableWriter {
    pub fn row(&mut self, cells: &[Cell]) -> Result<()> {
        self.sink.row(cells).map_err(|e| Error::io(&self.shown, e))
    }

    /// Flush the table and rename it into place.
    pub fn finish(self) -> Result<()> {
        let shown = self.shown;
        let buffered = self.sink.into_inner().map_err(|e| Error::io(&shown, e))?;
        let tmp = buffered
            .into_inner()
            .map_err(|e| Error::io(&shown, e.into_error()))?;
        persist(tmp, &self.dest, &shown)
    }
}

/// Flush `tmp` to disk and rename it to `dest`; errors name `shown`.
fn persist(tmp: NamedTempFile, dest: &Path, shown: &Path) -> Result<()> {
    tmp.as_file().sync_data().map_err(|e| Error::io(shown, e))?;
    tmp.persist(dest).map_err(|e| Error::io(shown, e.error))?;
    Ok(())
}

fn remove_tree(path: &Path) -> Result<()> {
    match fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(path, e)),
        _ => Ok(()),
    }
}

fn sync_dir(path: &Path) -> Result<()> {
    File::open(path)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(path, e))
}

/// Replace `target` by `staging` in one step where the system allows, and remove the old tree.
fn swap_into_place(staging: &Path, target: &Path) -> Result<()> {
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
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
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

fn hash_tree(dir: &Path, prefix: &str, out: &mut BTreeMap<String, String>) -> Result<()> {
    for entry in fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let kind = entry.file_type().map_err(|e| Error::io(&path, e))?;
        let relative = format!("{prefix}{name}");
        if kind.is_dir() {
            hash_tree(&path, &format!("{relative}/"), out)?;
        } else {
            out.insert(relative, sha256_file(&path)?);
        }
    }
    Ok(())
}

fn sha256_file(path: &Path) -> Result<String> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
