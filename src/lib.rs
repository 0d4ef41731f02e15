//! cogov: a parallel agent-based simulator of collaborative environmental governance.
//!
//! Data flow: scenario file → [`scenario::Params`] → [`model::World`] per replicate, stepped by the
//! [`engine`] → observations → [`output`] tables and [`plot`] figures. The model is described in
//! `docs/MODEL.md` (ODD protocol); each mechanism lives in one file of [`model`].

// Region-level loops index several parallel per-region arrays at once; an index reads clearer there.
#![allow(clippy::needless_range_loop)]

pub mod calibrate;
pub mod commands;
pub mod console;
pub mod engine;
pub mod error;
pub mod experiment;
#[cfg(feature = "explore")]
pub mod explore;
#[cfg(feature = "figures")]
pub mod figures;
pub mod files;
pub mod game;
pub mod model;
pub mod output;
#[cfg(feature = "figures")]
pub mod plot;
pub mod progress;
pub mod scenario;
pub mod validation;

pub use error::{Error, InputError, OutputError, Result};
