//! The CSV tables of the product contract (BRIEF §6): `timeseries.csv`, `summary.csv`, `regions.csv`.
//! Numbers are written in Rust's shortest round-trip form, identical on every machine.

use std::fmt::Write;

use super::stats::{paired, summarize};
use crate::engine::ScenarioRun;
use crate::error::{Error, Result};
use crate::model::observe::{RegionRecord, StepRecord, domain};

fn push_row(out: &mut String, head: &str, values: &[f64]) {
    out.push_str(head);
    for v in values {
        out.push(',');
        if v.is_finite() {
            write!(out, "{v}").expect("writing to a String");
        }
    }
    out.push('\n');
}

/// One data row of a CSV table that cogov wrote, as read back to redraw figures or merge sweeps.
pub struct CsvRow<'a> {
    file: &'a str,
    /// 1-based line number in the file.
    line: usize,
    pub fields: Vec<&'a str>,
}

impl CsvRow<'_> {
    /// The error for this row, naming the file and the line.
    pub fn malformed(&self) -> Error {
        Error::Other(format!("{} line {}: malformed", self.file, self.line))
    }

    /// Field `i` as a number.
    pub fn num(&self, i: usize) -> Result<f64> {
        self.fields[i].parse().map_err(|_| self.malformed())
    }

    /// Field `i` as a number; an empty cell (how cogov writes a non-finite value) is NaN.
    pub fn num_or_nan(&self, i: usize) -> Result<f64> {
        if self.fields[i].is_empty() {
            Ok(f64::NAN)
        } else {
            self.num(i)
        }
    }
}

/// The data rows of `text` (the header skipped), each checked to have `columns` fields.
pub fn csv_rows<'a>(text: &'a str, file: &'a str, columns: usize) -> Result<Vec<CsvRow<'a>>> {
    text.lines()
        .enumerate()
        .skip(1)
        .map(|(n, line)| {
            let row = CsvRow {
                file,
                line: n + 1,
                fields: line.split(',').collect(),
            };
            if row.fields.len() == columns {
                Ok(row)
            } else {
                Err(row.malformed())
            }
        })
        .collect()
}

/// One row per scenario × replicate × step.
pub fn timeseries(runs: &[ScenarioRun]) -> String {
    let mut out = format!(
        "scenario,replicate,step,{}\n",
        StepRecord::COLUMNS.join(",")
    );
    for run in runs {
        for (r, rep) in run.replicates.iter().enumerate() {
            for (t, rec) in rep.steps.iter().enumerate() {
                push_row(
                    &mut out,
                    &format!("{},{r},{t}", run.params.name()),
                    &rec.values(),
                );
            }
        }
    }
    out
}

/// One row per scenario × replicate × step × region.
pub fn regions(runs: &[ScenarioRun]) -> String {
    let mut out = format!(
        "scenario,replicate,step,region,{}\n",
        RegionRecord::COLUMNS.join(",")
    );
    for run in runs {
        for (r, rep) in run.replicates.iter().enumerate() {
            for (t, step) in rep.regions.iter().enumerate() {
                for (g, rec) in step.iter().enumerate() {
                    push_row(
                        &mut out,
                        &format!("{},{r},{t},{g}", run.params.name()),
                        &rec.values(),
                    );
                }
            }
        }
    }
    out
}

/// Each replicate's mean of every indicator over the final `window` steps.
pub fn final_window_means(run: &ScenarioRun) -> Vec<Vec<f64>> {
    let window = run.params.s.output.window as usize;
    run.replicates
        .iter()
        .map(|rep| {
            let tail = &rep.steps[rep.steps.len().saturating_sub(window)..];
            let mut sums = vec![0.0; StepRecord::COLUMNS.len()];
            for rec in tail {
                for (s, v) in sums.iter_mut().zip(rec.values()) {
                    *s += v;
                }
            }
            sums.iter().map(|s| s / tail.len() as f64).collect()
        })
        .collect()
}

/// Paired differences of each scenario from the first, one row per scenario and metric, over the
/// replicates' final-window means (`differences.csv` of `cogov compare`). Replicate i of every scenario
/// runs with the same seed, so the differences cancel the noise the scenarios share.
pub fn differences(runs: &[ScenarioRun]) -> String {
    let mut out = String::from("scenario,baseline,metric,difference,sd,ci95_low,ci95_high,n\n");
    let Some((base, others)) = runs.split_first() else {
        return out;
    };
    let base_means = final_window_means(base);
    for run in others {
        let means = final_window_means(run);
        let n = means.len().min(base_means.len());
        for (m, metric) in StepRecord::COLUMNS.iter().enumerate() {
            let column = |rows: &[Vec<f64>]| rows[..n].iter().map(|v| v[m]).collect::<Vec<f64>>();
            let s = paired(&column(&means), &column(&base_means));
            push_row(
                &mut out,
                &format!("{},{},{metric}", run.params.name(), base.params.name()),
                &[s.mean, s.sd, s.ci_low, s.ci_high, s.n as f64],
            );
        }
    }
    out
}

/// One row per scenario and metric, over replicates' final-window means.
pub fn summary(runs: &[ScenarioRun]) -> String {
    let mut out = String::from("scenario,metric,mean,sd,ci95_low,ci95_high,n\n");
    for run in runs {
        let per_replicate = final_window_means(run);
        for (m, metric) in StepRecord::COLUMNS.iter().enumerate() {
            let values: Vec<f64> = per_replicate.iter().map(|v| v[m]).collect();
            let s = summarize(&values).within(domain(metric));
            push_row(
                &mut out,
                &format!("{},{metric}", run.params.name()),
                &[s.mean, s.sd, s.ci_low, s.ci_high, s.n as f64],
            );
        }
    }
    out
}
