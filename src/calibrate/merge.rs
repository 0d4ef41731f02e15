//! `cogov merge` of calibration shards: the shards of one generation, run anywhere, joined into a
//! calibration directory whose `simulations.csv` is the unsplit calibration's, byte for byte, up to
//! that generation. `cogov calibrate FILE --resume --out DIR` continues it.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::run::SIMULATIONS;
use super::state::Identity;
use crate::error::{InputError, Result};
use crate::output::dir::CALIBRATION_IDENTITY;
use crate::output::manifest::{Manifest, Timing};
use crate::output::{BUILD, OutputDir};

/// Join complete shard directories of one calibration generation into `out`.
pub fn merge(dirs: &[PathBuf], out: &Path, force: bool, any_build: bool) -> Result<PathBuf> {
    let started = Instant::now();
    let mut shards: Vec<(Identity, &PathBuf)> = dirs
        .iter()
        .map(|d| Ok((Identity::read(d)?, d)))
        .collect::<Result<_>>()?;
    shards.sort_by_key(|(id, _)| id.shard);
    let first = shards[0].0.clone();
    for (id, dir) in &shards {
        let why = first
            .differs(id, true, any_build)
            .or_else(|| (id.shards != first.shards).then(|| "another split".into()))
            .or_else(|| {
                (id.generation != first.generation || id.generation.is_none())
                    .then(|| "another generation, or no shard at all".into())
            });
        if let Some(why) = why {
            return Err(InputError::Usage(format!(
                "{} and {} are not shards of one calibration generation: {} has {why}",
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
    let generation = first.generation.expect("checked");
    let most = crate::engine::memory::available().map_or(u64::MAX, |free| free / 3);
    let mut header = None;
    let mut prefix: Option<String> = None;
    let mut merged = String::new();
    let mut next = 0u64;
    for (_, dir) in &shards {
        let path = dir.join(SIMULATIONS);
        let text = crate::files::read_regular(&path, most).map_err(|e| {
            InputError::Usage(format!("{}: {e}; is the shard finished?", path.display()))
        })?;
        let (head, body) = text.split_once('\n').unwrap_or((&text, ""));
        if header.get_or_insert_with(|| head.to_string()) != head {
            return Err(InputError::Usage(format!(
                "{}: another calibration's columns",
                path.display()
            ))
            .into());
        }
        // Rows of earlier generations are shared by every shard; the rest is this shard's range.
        let mut earlier = String::new();
        for line in body.lines() {
            let (g, rest) = line.split_once(',').unwrap_or((line, ""));
            let g: u32 = g.parse().map_err(|_| InputError::Data {
                file: path.display().to_string(),
                line: 0,
                reason: format!("a row without a generation: {line:?}"),
            })?;
            if g < generation {
                earlier.push_str(line);
                earlier.push('\n');
                continue;
            }
            let index: u64 = rest
                .split(',')
                .next()
                .and_then(|i| i.parse().ok())
                .unwrap_or(u64::MAX);
            if g != generation || index != next {
                return Err(InputError::Usage(format!(
                    "{}: generation {g} simulation {index} where the merge expects generation \
                     {generation} simulation {next}; a shard is missing rows (is it finished?)",
                    path.display()
                ))
                .into());
            }
            next += 1;
            merged.push_str(line);
            merged.push('\n');
        }
        match &prefix {
            None => prefix = Some(earlier),
            Some(p) if *p == earlier => {}
            Some(_) => {
                return Err(InputError::Usage(format!(
                    "{}: its earlier generations differ from shard 0's (was it started --from \
                     another directory?)",
                    path.display()
                ))
                .into());
            }
        }
    }
    let mut dir = OutputDir::create(out, force)?;
    let id = Identity {
        shard: 0,
        shards: 1,
        ..first
    };
    dir.write(CALIBRATION_IDENTITY, id.to_json().as_bytes())?;
    let text = format!(
        "{}\n{}{merged}",
        header.unwrap_or_default(),
        prefix.unwrap_or_default()
    );
    dir.write(SIMULATIONS, text.as_bytes())?;
    let mut manifest = Manifest::read(shards[0].1)?.unwrap_or_else(|| Manifest::new("merge", 0));
    manifest.command = "merge".into();
    manifest.cogov_version = BUILD.version.into();
    manifest.git_commit = BUILD.commit.map(str::to_string);
    manifest.git_dirty = BUILD.dirty;
    manifest.threads = rayon::current_num_threads();
    manifest.detail("shard", "0/1");
    manifest.detail(
        "status",
        format!(
            "generation {generation} merged from {} shards",
            first.shards
        ),
    );
    manifest.detail(
        "merged_from",
        shards
            .iter()
            .map(|(_, d)| d.display().to_string())
            .collect::<Vec<_>>(),
    );
    manifest.timing = Timing {
        run_seconds: Some(started.elapsed().as_secs_f64()),
        ..Timing::default()
    };
    dir.commit(|hashes| manifest.to_json(hashes))
}
