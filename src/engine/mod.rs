//! The engine: deterministic random streams, thread pools and the one replicate runner. It builds
//! worlds, steps them on threads and hands each step to an observer; it knows nothing of what the
//! worlds contain. A model plugs in through [`Model`] (one world per replicate) and [`Stepper`] (one
//! step of one world).

pub mod memory;
pub mod rng;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use rayon::prelude::*;

use crate::error::{Error, InputError, Result};

/// A model the engine can run: it builds one world per replicate.
pub trait Model: Sync {
    type World<'m>: Stepper
    where
        Self: 'm;

    /// The world of replicate `replicate`, in its initial state.
    fn world(&self, replicate: u32) -> Self::World<'_>;

    /// Steps per replicate.
    fn steps(&self) -> u32;

    /// Replicates of a run.
    fn replicates(&self) -> u32;

    /// Peak bytes one world holds (an estimate, checked before any world is built).
    fn world_bytes(&self) -> u64;
}

/// One world, advanced one step at a time.
pub trait Stepper: Send {
    type Record;
    /// Why a step failed: an invariant of the world broke.
    type Error: std::fmt::Display;

    /// Advance one step. Fails only if an invariant of the world is broken (the error says which).
    fn step(&mut self) -> std::result::Result<Self::Record, Self::Error>;
}

/// Sees every step of one replicate and keeps what its caller needs.
pub trait Observer<W: Stepper>: Send {
    type Output: Send;

    /// After step `step` (0-based), with the world as the step left it and the step's record.
    fn observe(&mut self, world: &W, step: u32, record: W::Record);

    fn finish(self) -> Self::Output;
}

/// A closure observes every step and keeps nothing.
impl<W: Stepper, F: FnMut(&W, u32, W::Record) + Send> Observer<W> for F {
    type Output = ();

    fn observe(&mut self, world: &W, step: u32, record: W::Record) {
        self(world, step, record)
    }

    fn finish(self) {}
}

/// Keeps every step's record.
#[derive(Debug, Clone, Default)]
pub struct Collect<R>(pub Vec<R>);

impl<W: Stepper<Record = R>, R: Send> Observer<W> for Collect<R> {
    type Output = Vec<R>;

    fn observe(&mut self, _world: &W, _step: u32, record: R) {
        self.0.push(record);
    }

    fn finish(self) -> Vec<R> {
        self.0
    }
}

/// Step `world` `steps` times, handing each step to `observer`; `progress(1)` after each. The world
/// stays the caller's, in the state the last step left it.
pub fn drive<W: Stepper, O: Observer<W>>(
    world: &mut W,
    steps: u32,
    observer: O,
    progress: &(dyn Fn(u64) + Sync),
) -> std::result::Result<O::Output, W::Error> {
    Ok(drive_until(world, steps, observer, progress, &NEVER)?
        .expect("a run nobody can stop finishes"))
}

/// The stop flag of a run nobody stops.
pub static NEVER: AtomicBool = AtomicBool::new(false);

/// [`drive`], checking `stop` before every step: `Ok(None)` once it is set (the observer's output
/// is dropped, so a stopped run leaves nothing half-kept).
pub fn drive_until<W: Stepper, O: Observer<W>>(
    world: &mut W,
    steps: u32,
    mut observer: O,
    progress: &(dyn Fn(u64) + Sync),
    stop: &AtomicBool,
) -> std::result::Result<Option<O::Output>, W::Error> {
    for t in 0..steps {
        if stop.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let record = world.step()?;
        observer.observe(world, t, record);
        progress(1);
    }
    Ok(Some(observer.finish()))
}

/// Run one replicate of `model` to its last step.
pub fn run_one<'m, M: Model, O: Observer<M::World<'m>>>(
    model: &'m M,
    replicate: u32,
    observer: O,
) -> std::result::Result<O::Output, <M::World<'m> as Stepper>::Error> {
    drive(
        &mut model.world(replicate),
        model.steps(),
        observer,
        &|_| {},
    )
}

/// What every replicate of a run kept, and how long building and stepping the worlds took.
pub struct Replicates<T> {
    pub outputs: Vec<T>,
    pub init_seconds: f64,
    pub run_seconds: f64,
}

/// Run every replicate of `model` in parallel: the worlds are built together, then stepped, each
/// observed by `observer(replicate)`. A broken invariant names the replicate.
pub fn run_replicates<'m, M, O>(
    model: &'m M,
    progress: &(dyn Fn(u64) + Sync),
    observer: impl Fn(u32) -> O + Sync,
) -> Result<Replicates<O::Output>>
where
    M: Model,
    O: Observer<M::World<'m>>,
{
    run_replicates_until(model, progress, observer, &NEVER)
}

/// [`run_replicates`], checking `stop` before every step of every replicate: once it is set the
/// run ends with [`Error::Stopped`] and keeps nothing.
pub fn run_replicates_until<'m, M, O>(
    model: &'m M,
    progress: &(dyn Fn(u64) + Sync),
    observer: impl Fn(u32) -> O + Sync,
    stop: &AtomicBool,
) -> Result<Replicates<O::Output>>
where
    M: Model,
    O: Observer<M::World<'m>>,
{
    let started = Instant::now();
    let worlds: Vec<M::World<'m>> = (0..model.replicates())
        .into_par_iter()
        .map(|r| model.world(r))
        .collect();
    let init_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let outputs = worlds
        .into_par_iter()
        .enumerate()
        .map(|(r, mut world)| {
            drive_until(
                &mut world,
                model.steps(),
                observer(r as u32),
                progress,
                stop,
            )
            .map_err(|e| Error::Invariant(format!("replicate {r}: {e}")))?
            .ok_or(Error::Stopped)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Replicates {
        outputs,
        init_seconds,
        run_seconds: started.elapsed().as_secs_f64(),
    })
}

/// Most worker threads per core asked for with `--threads`: more only costs time.
pub const THREADS_PER_CORE: usize = 8;

/// A pool of `threads` worker threads (all cores when `None`), at most [`THREADS_PER_CORE`] per core of
/// this machine. Results never depend on it.
pub fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
        let most = THREADS_PER_CORE * cores;
        if n == 0 || n > most {
            return Err(InputError::Usage(format!(
                "--threads {n}: give 1 to {most} ({THREADS_PER_CORE} per core of the {cores} here); \
                 results are the same for any number"
            ))
            .into());
        }
        builder = builder.num_threads(n);
    }
    builder.build().map_err(|e| Error::Threads(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A counter that fails at a chosen step: enough to see what the runner does.
    struct Counter {
        n: u32,
        fail_at: Option<u32>,
    }

    impl Stepper for Counter {
        type Record = u32;
        type Error = String;
        fn step(&mut self) -> std::result::Result<u32, String> {
            if Some(self.n) == self.fail_at {
                return Err(format!("broke at {}", self.n));
            }
            self.n += 1;
            Ok(self.n)
        }
    }

    struct Counters {
        replicates: u32,
        fail: Option<(u32, u32)>,
    }

    impl Model for Counters {
        type World<'m> = Counter;
        fn world(&self, replicate: u32) -> Counter {
            Counter {
                n: replicate * 100,
                fail_at: self.fail.filter(|f| f.0 == replicate).map(|f| f.1),
            }
        }
        fn steps(&self) -> u32 {
            3
        }
        fn replicates(&self) -> u32 {
            self.replicates
        }
        fn world_bytes(&self) -> u64 {
            std::mem::size_of::<Counter>() as u64
        }
    }

    struct Keep(Vec<(u32, u32)>);

    impl Observer<Counter> for Keep {
        type Output = Vec<(u32, u32)>;
        fn observe(&mut self, world: &Counter, step: u32, record: u32) {
            assert_eq!(
                world.n, record,
                "the observer sees the world after the step"
            );
            self.0.push((step, record));
        }
        fn finish(self) -> Vec<(u32, u32)> {
            self.0
        }
    }

    #[test]
    fn every_replicate_is_stepped_to_the_end_in_replicate_order() {
        let model = Counters {
            replicates: 5,
            fail: None,
        };
        let steps = std::sync::atomic::AtomicU64::new(0);
        let run = run_replicates(
            &model,
            &|n| {
                steps.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
            },
            |_| Keep(Vec::new()),
        )
        .unwrap();
        assert_eq!(run.outputs.len(), 5);
        for (r, out) in run.outputs.iter().enumerate() {
            let base = r as u32 * 100;
            assert_eq!(out, &[(0, base + 1), (1, base + 2), (2, base + 3)]);
        }
        assert_eq!(steps.into_inner(), 15, "progress counts every step");
        assert_eq!(run_one(&model, 2, Keep(Vec::new())).unwrap()[2], (2, 203));
    }

    #[test]
    fn a_broken_world_stops_the_run_and_names_its_replicate() {
        let model = Counters {
            replicates: 4,
            fail: Some((3, 301)),
        };
        let e = run_replicates(&model, &|_| {}, |_| Keep(Vec::new()))
            .err()
            .unwrap();
        assert_eq!(e.to_string(), "invariant broken: replicate 3: broke at 301");
    }

    #[test]
    fn a_stop_ends_every_replicate_at_its_next_step_and_keeps_nothing() {
        let model = Counters {
            replicates: 3,
            fail: None,
        };
        let stop = AtomicBool::new(false);
        let steps = std::sync::atomic::AtomicU64::new(0);
        // The flag is set after the fourth step of the run, whichever replicate takes it.
        let e = run_replicates_until(
            &model,
            &|n| {
                if steps.fetch_add(n, Ordering::Relaxed) + n == 4 {
                    stop.store(true, Ordering::Relaxed);
                }
            },
            |_| Keep(Vec::new()),
            &stop,
        )
        .err()
        .unwrap();
        assert!(matches!(e, Error::Stopped), "{e}");
        // No replicate takes a step once the flag is set, so fewer than all 9 are taken.
        assert!(steps.into_inner() < 9);
        let mut world = model.world(0);
        assert_eq!(
            drive_until(&mut world, 3, Keep(Vec::new()), &|_| {}, &stop).unwrap(),
            None
        );
        assert_eq!(world.n, 0, "a stopped world is not stepped");
    }
}
