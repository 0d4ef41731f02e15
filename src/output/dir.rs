//! An output directory being written: every file lands in the staging directory of a claim (or, for
//! a directory inside another command's output, in its place there) under a temporary name created
//! exclusively, flushed, then renamed; tables stream through the writer seam (`table`);
//! [`OutputDir::commit`] hashes every file for the manifest, writes the manifest last and publishes
//! the directory.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tempfile::NamedTempFile;

use super::atomic::{Lock, RANDOM_LEN, open_nofollow, remove_tree, swap_into_place, sync_dir};
use super::table::{Cell, CsvSink, Format, Table, TableSink};
use crate::error::{Error, Result};

/// The manifest, written last; it is not listed among the outputs it hashes.
pub const MANIFEST: &str = "manifest.json";
/// A sweep's identity: present, without a manifest, in the checkpoint of an interrupted sweep.
pub const SWEEP_IDENTITY: &str = "sweep.json";
/// A calibration's identity: present, without a manifest, in the checkpoint of an interrupted
/// calibration.
pub const CALIBRATION_IDENTITY: &str = "calibration.json";

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
    /// The format of the large tables ([`OutputDir::large_table`]); every other table is CSV.
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
    /// A directory written in `root` and published as `target` under `lock`.
    pub(super) fn staged(root: PathBuf, target: PathBuf, lock: Lock) -> Self {
        OutputDir {
            root,
            shown: target.clone(),
            publish: Some(Publish {
                target,
                _lock: lock,
            }),
            keep_on_failure: false,
            written: BTreeSet::new(),
            format: Format::Csv,
        }
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
        // Written through the plain file: errors then name the output, not the temporary name.
        tmp.as_file_mut()
            .write_all(bytes)
            .map_err(|e| Error::io(self.shown(name), e))?;
        persist(tmp, &self.path(name), &self.shown(name))?;
        self.written.insert(name.to_string());
        Ok(())
    }

    /// The files this command has written so far, by name.
    pub fn written(&self) -> Vec<String> {
        self.written.iter().cloned().collect()
    }

    /// A streaming CSV table `{stem}.csv`, complete on disk only after [`TableWriter::finish`].
    pub fn table<S: AsRef<str>>(&mut self, stem: &str, columns: &[S]) -> Result<TableWriter> {
        self.table_as(stem, columns, Format::Csv)
    }

    /// A streaming large table (`timeseries`, `regions`, a sweep's `results`) in the directory's
    /// [`format`](OutputDir::format).
    pub fn large_table<S: AsRef<str>>(&mut self, stem: &str, columns: &[S]) -> Result<TableWriter> {
        self.table_as(stem, columns, self.format)
    }

    /// A streaming table `{stem}.{format}`, complete on disk only after [`TableWriter::finish`].
    pub fn table_as<S: AsRef<str>>(
        &mut self,
        stem: &str,
        columns: &[S],
        format: Format,
    ) -> Result<TableWriter> {
        let format = format.available()?;
        let name = format!("{stem}.{}", format.extension());
        let (dest, shown) = (self.path(&name), self.shown(&name));
        let tmp = self.temporary(&name)?;
        let file = tmp
            .as_file()
            .try_clone()
            .map_err(|e| Error::io(&shown, e))?;
        let sink = match format {
            Format::Csv => Sink::Csv(
                CsvSink::new(BufWriter::new(file), columns).map_err(|e| Error::io(&shown, e))?,
            ),
            #[cfg(feature = "parquet")]
            Format::Parquet => Sink::Parquet(super::parquet::ParquetSink::new(
                BufWriter::new(file),
                columns,
            )),
            #[cfg(not(feature = "parquet"))]
            Format::Parquet => unreachable!("checked by Format::available"),
        };
        self.written.insert(name);
        Ok(TableWriter {
            sink,
            tmp,
            dest,
            shown,
        })
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

    /// Open the existing file `name` to read and rewrite it (never through a symbolic link).
    pub fn open_existing(&self, name: &str) -> Result<File> {
        open_nofollow(OpenOptions::new().read(true).write(true), &self.path(name))
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

enum Sink {
    Csv(CsvSink<BufWriter<File>>),
    #[cfg(feature = "parquet")]
    Parquet(super::parquet::ParquetSink<BufWriter<File>>),
}

/// A table being streamed to a temporary file of an output directory.
pub struct TableWriter {
    sink: Sink,
    tmp: NamedTempFile,
    dest: PathBuf,
    shown: PathBuf,
}

impl TableWriter {
    pub fn row(&mut self, cells: &[Cell]) -> Result<()> {
        match &mut self.sink {
            Sink::Csv(s) => s.row(cells),
            #[cfg(feature = "parquet")]
            Sink::Parquet(s) => s.row(cells),
        }
        .map_err(|e| Error::io(&self.shown, e))
    }

    /// Flush the table and rename it into place.
    pub fn finish(self) -> Result<()> {
        let shown = self.shown;
        let buffered = match self.sink {
            Sink::Csv(s) => s.into_inner(),
            #[cfg(feature = "parquet")]
            Sink::Parquet(s) => s.into_inner(),
        }
        .map_err(|e| Error::io(&shown, e))?;
        drop(
            buffered
                .into_inner()
                .map_err(|e| Error::io(&shown, e.into_error()))?,
        );
        persist(self.tmp, &self.dest, &shown)
    }
}

/// Flush `tmp` to disk and rename it to `dest`; errors name `shown`.
fn persist(tmp: NamedTempFile, dest: &Path, shown: &Path) -> Result<()> {
    tmp.as_file().sync_data().map_err(|e| Error::io(shown, e))?;
    tmp.persist(dest).map_err(|e| Error::io(shown, e.error))?;
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
