//! Writing results. Every command writes through this layer: an [`OutputDir`] claimed for the
//! whole command and published at once with its manifest ([`dir`]), tables through one writer seam
//! ([`table`]), the record of the run ([`manifest`]), and the contract tables ([`tables`]). Outputs
//! read finished observations only.

mod atomic;
pub mod claim;
pub mod dir;
pub mod manifest;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod stats;
pub mod table;
pub mod tables;

pub use claim::{Claim, Existing};
pub use dir::{OutputDir, TableWriter, sha256_hex};
pub use manifest::{BUILD, Manifest};
pub use table::{Cell, Table};
