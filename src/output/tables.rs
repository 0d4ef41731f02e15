//! The tables of the product contract: `timeseries.csv`, `summary.csv`, `differences.csv` and
//! `regions.csv`. Months are numbered 1…N, as in every table and figure.

use super::dir::OutputDir;
use super::stats::{Summary, paired, summarize};
use super::table::{Cell, Table};
use crate::error::Result;
use crate::model::ScenarioRun;
use crate::model::observe::{Indicator, RegionRecord};

/// The columns of `timeseries.csv`.
pub fn timeseries_columns() -> Vec<&'static str> {
    let mut columns = vec!["scenario", "replicate", "step"];
    columns.extend(Indicator::names());
    columns
}

/// `timeseries.csv` (or `.parquet`): one row per scenario × replicate × month.
pub fn write_timeseries(out: &mut OutputDir, runs: &[ScenarioRun]) -> Result<()> {
    let mut w = out.large_table("timeseries", &timeseries_columns())?;
    timeseries_rows(runs, |row| w.row(row))?;
    w.finish()
}

/// The rows of `timeseries.csv`, in order, into any sink.
pub fn timeseries_rows<E>(
    runs: &[ScenarioRun],
    mut each: impl FnMut(&[Cell]) -> std::result::Result<(), E>,
) -> std::result::Result<(), E> {
    let mut row = Vec::with_capacity(3 + Indicator::ALL.len());
    for run in runs {
        for (r, rep) in run.replicates.iter().enumerate() {
            for (t, rec) in rep.steps.iter().enumerate() {
                row.clear();
                row.extend([
                    Cell::from(run.params.name()),
                    Cell::from(r),
                    Cell::from(t + 1),
                ]);
                row.extend(rec.values().into_iter().map(Cell::Num));
                each(&row)?;
            }
        }
    }
    Ok(())
}

/// The columns of `regions.csv`.
pub fn regions_columns() -> Vec<&'static str> {
    let mut columns = vec!["scenario", "replicate", "step", "region"];
    columns.extend(RegionRecord::COLUMNS);
    columns
}

/// `regions.csv`: one row per scenario × replicate × month × region.
pub fn write_regions(out: &mut OutputDir, runs: &[ScenarioRun]) -> Result<()> {
    let mut w = out.large_table("regions", &regions_columns())?;
    regions_rows(runs, |row| w.row(row))?;
    w.finish()
}

/// The rows of `regions.csv`, in order, into any sink.
pub fn regions_rows<E>(
    runs: &[ScenarioRun],
    mut each: impl FnMut(&[Cell]) -> std::result::Result<(), E>,
) -> std::result::Result<(), E> {
    let mut row = Vec::with_capacity(4 + RegionRecord::COLUMNS.len());
    for run in runs {
        for (r, rep) in run.replicates.iter().enumerate() {
            for (t, step) in rep.regions.iter().enumerate() {
                for (g, rec) in step.iter().enumerate() {
                    row.clear();
                    row.extend([
                        Cell::from(run.params.name()),
                        Cell::from(r),
                        Cell::from(t + 1),
                        Cell::from(g),
                    ]);
                    row.extend(rec.values().into_iter().map(Cell::Num));
                    each(&row)?;
                }
            }
        }
    }
    Ok(())
}

/// Each replicate's mean of every indicator over the final `window` steps.
pub fn final_window_means(run: &ScenarioRun) -> Vec<Vec<f64>> {
    let window = run.params.output.window as usize;
    run.replicates
        .iter()
        .map(|rep| {
            let tail = &rep.steps[rep.steps.len().saturating_sub(window)..];
            let mut sums = vec![0.0; Indicator::ALL.len()];
            for rec in tail {
                for (s, v) in sums.iter_mut().zip(rec.values()) {
                    *s += v;
                }
            }
            sums.iter().map(|s| s / tail.len() as f64).collect()
        })
        .collect()
}

/// The columns of a summary row after its keys.
pub const SUMMARY_COLUMNS: [&str; 5] = ["mean", "sd", "ci95_low", "ci95_high", "n"];

/// The columns of a paired-difference row after its keys.
pub const DIFFERENCE_COLUMNS: [&str; 7] = [
    "baseline",
    "metric",
    "difference",
    "sd",
    "ci95_low",
    "ci95_high",
    "n",
];

/// The cells of a summary: `mean, sd, ci95_low, ci95_high, n`.
pub fn summary_cells(s: &Summary) -> [Cell; 5] {
    [
        Cell::Num(s.mean),
        Cell::Num(s.sd),
        Cell::Num(s.ci_low),
        Cell::Num(s.ci_high),
        Cell::from(s.n),
    ]
}

/// Paired differences of each scenario from the first, one row per scenario and metric, over the
/// replicates' final-window means (`differences.csv` of `cogov compare`). Replicate i of every scenario
/// runs with the same seed, so the differences cancel the noise the scenarios share.
pub fn differences(runs: &[ScenarioRun]) -> Table {
    let mut columns = vec!["scenario"];
    columns.extend(DIFFERENCE_COLUMNS);
    let mut table = Table::new(&columns);
    let Some((base, others)) = runs.split_first() else {
        return table;
    };
    let base_means = final_window_means(base);
    for run in others {
        let means = final_window_means(run);
        let n = means.len().min(base_means.len());
        for (m, metric) in Indicator::ALL.iter().enumerate() {
            let column = |rows: &[Vec<f64>]| rows[..n].iter().map(|v| v[m]).collect::<Vec<f64>>();
            let s = paired(&column(&means), &column(&base_means));
            let mut row = vec![
                Cell::from(run.params.name()),
                Cell::from(base.params.name()),
                Cell::from(metric.name()),
            ];
            row.extend(summary_cells(&s));
            table.push(row);
        }
    }
    table
}

/// One row per scenario and metric, over replicates' final-window means.
pub fn summary(runs: &[ScenarioRun]) -> Table {
    let mut columns = vec!["scenario", "metric"];
    columns.extend(SUMMARY_COLUMNS);
    let mut table = Table::new(&columns);
    for run in runs {
        let per_replicate = final_window_means(run);
        for (m, metric) in Indicator::ALL.iter().enumerate() {
            let values: Vec<f64> = per_replicate.iter().map(|v| v[m]).collect();
            let s = summarize(&values).within(metric.domain().bounds());
            let mut row = vec![Cell::from(run.params.name()), Cell::from(metric.name())];
            row.extend(summary_cells(&s));
            table.push(row);
        }
    }
    table
}
