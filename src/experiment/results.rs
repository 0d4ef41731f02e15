//! The tables a sweep computes from its `results.csv`: the per-point `summary.csv` and, for Morris and
//! Sobol designs, `sensitivity.csv` with its figure. They are computed from the file itself, so an
//! unsplit, a resumed and a merged sweep get the same bytes.

use serde::{Deserialize, Serialize};

use super::design;
use super::{DesignKind, Experiment, Parameter, Range, design_kind_name, sensitivity};
use crate::error::{InputError, Result};
use crate::model::observe::{Domain, Indicator};
use crate::output::OutputDir;
use crate::output::stats::{paired, summarize};
use crate::output::table::{Cell, Table, csv_rows};
use crate::output::tables::{DIFFERENCE_COLUMNS, SUMMARY_COLUMNS, summary_cells};

/// The design as recorded in `sweep.json`: enough to recompute the tables from `results.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DesignSpec {
    pub kind: String,
    pub size: [u32; 2],
    pub bootstrap: u32,
    pub parameters: Vec<ParamSpec>,
    pub metrics: Vec<String>,
}

/// A varied key as recorded in `sweep.json`; min and max are absent for listed levels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamSpec {
    pub key: String,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub log: bool,
    pub integer: bool,
}

impl DesignSpec {
    pub fn new(exp: &Experiment) -> Self {
        let size = match exp.kind {
            DesignKind::Grid { levels } => [levels, 0],
            DesignKind::Lhs { points } => [points, 0],
            DesignKind::Morris {
                trajectories,
                levels,
            } => [trajectories, levels],
            DesignKind::Sobol { samples } => [samples, 0],
        };
        let parameters = exp
            .parameters
            .iter()
            .map(|p| {
                let (min, max, log) = match p.range {
                    Range::Continuous { min, max, log } => (Some(min), Some(max), log),
                    Range::Levels(_) => (None, None, false),
                };
                ParamSpec {
                    key: p.key.clone(),
                    min,
                    max,
                    log,
                    integer: p.integer,
                }
            })
            .collect();
        DesignSpec {
            kind: design_kind_name(exp.kind).into(),
            size,
            bootstrap: exp.bootstrap,
            parameters,
            metrics: exp.metrics.iter().map(|m| m.name().to_string()).collect(),
        }
    }

    /// The design kind and continuous parameters, for Morris and Sobol designs.
    fn sensitivity_design(&self) -> Option<(DesignKind, Vec<Parameter>)> {
        let kind = match self.kind.as_str() {
            "morris" => DesignKind::Morris {
                trajectories: self.size[0],
                levels: self.size[1],
            },
            "sobol" => DesignKind::Sobol {
                samples: self.size[0],
            },
            _ => return None,
        };
        let params = self
            .parameters
            .iter()
            .map(|p| {
                Some(Parameter {
                    key: p.key.clone(),
                    range: Range::Continuous {
                        min: p.min?,
                        max: p.max?,
                        log: p.log,
                    },
                    integer: p.integer,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some((kind, params))
    }

    /// The header of `results.csv`.
    pub fn results_columns(&self) -> Vec<String> {
        let mut columns = vec!["point".to_string(), "replicate".to_string()];
        columns.extend(self.parameters.iter().map(|p| p.key.clone()));
        columns.extend(self.metrics.iter().cloned());
        columns
    }
}

/// One design point as read back from `results.csv`: its parameter values (as written) and, by
/// replicate, the kept metrics.
struct PointResults {
    values: Vec<String>,
    replicates: Vec<Vec<f64>>,
}

/// Parse `results.csv` text into its design points, each replicate in replicate order.
fn read_points(results: &str, design: &DesignSpec, points: usize) -> Result<Vec<PointResults>> {
    let params = design.parameters.len();
    let width = 2 + params + design.metrics.len();
    let mut rows: Vec<Vec<(usize, Vec<f64>)>> = vec![Vec::new(); points];
    let mut values = vec![Vec::new(); points];
    for row in csv_rows(results, "results.csv", width)? {
        let (point, replicate) = (row.index(0)?, row.index(1)?);
        if point >= points {
            return Err(row.malformed(&format!("design point {point} is not in the design")));
        }
        let metric_values = (2 + params..width)
            .map(|i| row.num_or_nan(i))
            .collect::<Result<Vec<f64>>>()?;
        values[point] = (2..2 + params).map(|i| row.get(i).to_string()).collect();
        rows[point].push((replicate, metric_values));
    }
    if let Some(missing) = rows.iter().position(Vec::is_empty) {
        return Err(InputError::Data {
            file: "results.csv".into(),
            line: 0,
            reason: format!("design point {missing} has no results"),
        }
        .into());
    }
    Ok(rows
        .into_iter()
        .zip(values)
        .map(|(mut reps, values)| {
            reps.sort_by_key(|r| r.0);
            PointResults {
                values,
                replicates: reps.into_iter().map(|r| r.1).collect(),
            }
        })
        .collect())
}

fn column(p: &PointResults, m: usize) -> Vec<f64> {
    p.replicates.iter().map(|r| r[m]).collect()
}

/// `summary.csv`: per design point and metric, the summary over replicates in the columns of
/// `compare`'s summary (`mean, sd, ci95_low, ci95_high, n`), the interval clipped to the metric's range.
fn point_summary(design: &DesignSpec, points: &[PointResults]) -> Table {
    let mut columns = vec!["point".to_string()];
    columns.extend(design.parameters.iter().map(|p| p.key.clone()));
    columns.push("metric".into());
    columns.extend(SUMMARY_COLUMNS.iter().map(|c| c.to_string()));
    let mut table = Table::new(&columns);
    for (i, point) in points.iter().enumerate() {
        for (m, metric) in design.metrics.iter().enumerate() {
            let mut row = vec![Cell::from(i)];
            row.extend(point.values.iter().map(|v| Cell::from(v.as_str())));
            row.push(Cell::from(metric.as_str()));
            let domain = Indicator::parse(metric).map_or(Domain::Signed, Indicator::domain);
            row.extend(summary_cells(
                &summarize(&column(point, m)).within(domain.bounds()),
            ));
            table.push(row);
        }
    }
    table
}

/// `differences.csv`: per design point and metric, the paired difference from design point 0 (every
/// point runs the same seeds, replicate by replicate), in the columns of `compare`'s differences.
fn point_differences(design: &DesignSpec, points: &[PointResults]) -> Table {
    let mut columns = vec!["point".to_string()];
    columns.extend(design.parameters.iter().map(|p| p.key.clone()));
    columns.extend(DIFFERENCE_COLUMNS.iter().map(|c| c.to_string()));
    let mut table = Table::new(&columns);
    for (i, point) in points.iter().enumerate() {
        for (m, metric) in design.metrics.iter().enumerate() {
            let mut row = vec![Cell::from(i)];
            row.extend(point.values.iter().map(|v| Cell::from(v.as_str())));
            row.push(Cell::from(0usize));
            row.push(Cell::from(metric.as_str()));
            row.extend(summary_cells(&paired(
                &column(point, m),
                &column(&points[0], m),
            )));
            table.push(row);
        }
    }
    table
}

/// One parameter's estimates as rows of `sensitivity.csv`.
fn push_indices(
    t: &mut Table,
    metric: &str,
    parameter: &str,
    estimates: &[(&'static str, sensitivity::Estimate)],
) {
    for (name, e) in estimates {
        t.push(vec![
            metric.into(),
            parameter.into(),
            (*name).into(),
            e.value.into(),
            e.low.into(),
            e.high.into(),
        ]);
    }
}

fn sensitivity_table(
    design: &DesignSpec,
    seed: u64,
    kind: DesignKind,
    params: &[Parameter],
    points: &[PointResults],
) -> Table {
    let k = params.len();
    let means: Vec<Vec<f64>> = points
        .iter()
        .map(|p| {
            let n = p.replicates.len() as f64;
            (0..design.metrics.len())
                .map(|m| p.replicates.iter().map(|r| r[m]).sum::<f64>() / n)
                .collect()
        })
        .collect();
    let mut t = Table::new(&[
        "metric",
        "parameter",
        "measure",
        "estimate",
        "ci95_low",
        "ci95_high",
    ]);
    for (m, metric) in design.metrics.iter().enumerate() {
        let y: Vec<f64> = means.iter().map(|row| row[m]).collect();
        match kind {
            DesignKind::Sobol { samples } => {
                let n = samples as usize;
                let fab: Vec<Vec<f64>> = (0..k)
                    .map(|i| y[(2 + i) * n..(3 + i) * n].to_vec())
                    .collect();
                let indices =
                    sensitivity::sobol(&y[..n], &y[n..2 * n], &fab, design.bootstrap, seed);
                for (p, s) in params.iter().zip(&indices) {
                    push_indices(&mut t, metric, &p.key, &[("S1", s.first), ("ST", s.total)]);
                }
            }
            DesignKind::Morris { .. } => {
                let built = design::build(kind, params, seed);
                let indices = sensitivity::morris(&y, &built.moves, k, design.bootstrap, seed);
                for (p, s) in params.iter().zip(&indices) {
                    let written = [("mu_star", s.mu_star), ("mu", s.mu), ("sigma", s.sigma)];
                    push_indices(&mut t, metric, &p.key, &written);
                }
            }
            _ => unreachable!("only Morris and Sobol designs have sensitivity tables"),
        }
    }
    t
}

/// `summary.csv`, `differences.csv`, and for Morris and Sobol designs the sensitivity table and
/// figure, from the `results.csv` in `out`.
pub fn write_tables(
    out: &mut OutputDir,
    experiment: &str,
    design: &DesignSpec,
    points: usize,
    seed: u64,
) -> Result<()> {
    let results = out.read("results.csv")?;
    let by_point = read_points(&results, design, points)?;
    out.write_table("summary", &point_summary(design, &by_point))?;
    out.write_table("differences", &point_differences(design, &by_point))?;
    let Some((kind, params)) = design.sensitivity_design() else {
        return Ok(());
    };
    let table = sensitivity_table(design, seed, kind, &params, &by_point);
    out.write_table("sensitivity", &table)?;
    #[cfg(feature = "figures")]
    {
        let panels = crate::plot::panels_from_table(&out.read("sensitivity.csv")?)?;
        let title = format!("cogov sweep `{experiment}`: {} sensitivity", design.kind);
        crate::plot::sensitivity_figure(out, "sensitivity", &title, &panels)?;
    }
    #[cfg(not(feature = "figures"))]
    let _ = experiment;
    Ok(())
}
