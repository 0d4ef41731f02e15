//! Writing results: an output directory whose files are written atomically (temporary file, then
//! rename) and hashed for the manifest. Outputs read finished observations only.

pub mod manifest;
pub mod stats;
pub mod tables;

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// An output directory being filled.
pub struct OutputDir {
    root: PathBuf,
    /// File name → SHA-256 of everything written so far.
    pub hashes: BTreeMap<String, String>,
}

impl OutputDir {
    /// Create `root`, refusing to touch an existing, non-empty directory without `force`.
    pub fn create(root: &Path, force: bool) -> Result<Self> {
        let non_empty = root.is_dir()
            && fs::read_dir(root)
                .map_err(|e| Error::io(root, e))?
                .next()
                .is_some();
        if root.exists() && !root.is_dir() {
            return Err(Error::Other(format!(
                "{} exists and is not a directory",
                root.display()
            )));
        }
        if non_empty && !force {
            return Err(Error::OutputExists(root.to_path_buf()));
        }
        fs::create_dir_all(root).map_err(|e| Error::io(root, e))?;
        remove_stale_temporaries(root)?;
        Ok(OutputDir {
            root: root.to_path_buf(),
            hashes: BTreeMap::new(),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    /// Read a text file of this directory.
    pub fn read(&self, name: &str) -> Result<String> {
        let path = self.path(name);
        fs::read_to_string(&path).map_err(|e| Error::io(&path, e))
    }

    /// Write `bytes` to `name` atomically and record its hash.
    pub fn write(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        write_atomic(&self.path(name), bytes)?;
        self.hashes.insert(name.to_string(), sha256_hex(bytes));
        Ok(())
    }

    /// Record a file written by someone else (e.g. a plotting backend that renames into place).
    pub fn record(&mut self, name: &str) -> Result<()> {
        let path = self.path(name);
        let bytes = fs::read(&path).map_err(|e| Error::io(&path, e))?;
        self.hashes.insert(name.to_string(), sha256_hex(&bytes));
        Ok(())
    }
}

/// Write to a temporary file beside `path`, flush it to disk, then rename over `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = temporary_path(path, "");
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

/// Remove temporary files a killed process left behind (`.name.PID.tmp…`): they are never outputs.
fn remove_stale_temporaries(root: &Path) -> Result<()> {
    for entry in fs::read_dir(root)
        .map_err(|e| Error::io(root, e))?
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') && name.contains(".tmp") && entry.path().is_file() {
            fs::remove_file(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
        }
    }
    Ok(())
}

/// A hidden temporary name beside `path`, keeping `extension` (some writers infer the format from it).
pub fn temporary_path(path: &Path, extension: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.tmp{extension}", std::process::id()))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
