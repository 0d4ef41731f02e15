//! `cogov merge DIR…`: the shards of one sweep, run anywhere, combined into the sweep's directory.
//! The merged `results.csv` is the shards' rows in shard order, so it and every table computed from it
//! are byte for byte those of the unsplit sweep.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::sweep::{Identity, publish, shard_details};
use crate::error::{InputError, Result};
use crate::output::dir::SWEEP_IDENTITY;
use crate::output::manifest::Manifest;
use crate::output::table::{Cell, read_csv};
use crate::output::{BUILD, OutputDir};

/// `cogov merge DIR…`: combine complete shard directories into one sweep directory.
pub fn merge(dirs: &[PathBuf], out: &Path, force: bool, any_build: bool) -> Result<PathBuf> {
    let started = Instant::now();
    let mut shards: Vec<(Identity, &PathBuf)> = dirs
        .iter()
        .map(|d| Ok((Identity::read(d)?, d)))
        .collect::<Result<_>>()?;
    shards.sort_by_key(|(id, _)| id.shard);
    let first = shards
        .first()
        .ok_or_else(|| InputError::Usage("merge needs at least one shard directory".into()))?
        .0
        .clone();
    for (id, dir) in &shards {
        if let Some(why) = first.differs(id, true, any_build) {
            return Err(InputError::Usage(format!(
                "{} and {} are not shards of one sweep: {} has {why}",
                shards[0].1.display(),
                dir.display(),
                dir.display()
            ))
            .into());
        }
    }
    let indices: Vec<u32> = shards.iter().map(|(id, _)| id.shard).collect();
    if indices != (0..first.shards).collect::<Vec<_>>() {
        return Err(InputError::Usage(format!(
            "merge needs each of the {} shards exactly once; got shards {indices:?}",
            first.shards
        ))
        .into());
    }
    // Each shard's tables are read whole, one at a time: at most a third of the memory available.
    let most = crate::engine::memory::available().map_or(u64::MAX, |free| free / 3);
    let read = |path: PathBuf| -> Result<String> {
        crate::files::read_regular(&path, most).map_err(|e| {
            let why = match e {
                crate::files::ReadFailure::Io(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    "missing; is the shard finished?".to_string()
                }
                crate::files::ReadFailure::TooLarge(_) => format!(
                    "{e}, a third of the memory available: merge on a machine with more memory"
                ),
                other => other.to_string(),
            };
            InputError::Usage(format!("{}: {why}", path.display())).into()
        })
    };
    let design = read(shards[0].1.join("design.csv"))?;
    let columns = first.design.results_columns();
    let mut dir = OutputDir::create(out, force)?;
    let mut results = dir.table("results", &columns)?;
    for (_, shard) in &shards {
        let file = shard.join("results.csv");
        let text = read(file.clone())?;
        let name = file.display().to_string();
        let table = read_csv(&text, &name, Some(columns.len()))?;
        for row in &table.rows {
            let cells: Vec<Cell> = (0..row.len()).map(|i| Cell::from(row.get(i))).collect();
            results.row(&cells)?;
        }
    }
    results.finish()?;
    let merged = Identity {
        shard: 0,
        shards: 1,
        first_point: 0,
        end_point: first.points,
        ..first
    };
    dir.write(SWEEP_IDENTITY, merged.to_json().as_bytes())?;
    dir.write("design.csv", design.as_bytes())?;
    // The shards' manifest already records the experiment as resolved; the merge keeps that record.
    let mut manifest =
        crate::output::Manifest::read(shards[0].1)?.unwrap_or_else(|| Manifest::new("merge", 0));
    manifest.command = "merge".into();
    manifest.cogov_version = BUILD.version.into();
    manifest.git_commit = BUILD.commit.map(str::to_string);
    manifest.git_dirty = BUILD.dirty;
    manifest.threads = rayon::current_num_threads();
    shard_details(&mut manifest, &merged);
    manifest.detail(
        "merged_from",
        shards
            .iter()
            .map(|(_, d)| d.display().to_string())
            .collect::<Vec<_>>(),
    );
    publish(dir, &merged, &mut manifest, started)
}
