//! The `cogov validate` command: every check printed, `validation.csv`, `validation.md` (embedded in
//! docs/VALIDATION.md) and the figure, with the manifest.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use super::{Check, PEOPLE_PER_AGENT, PatternResult, Resolution, all, patterns, resolution};
use crate::error::Result;
use crate::output::manifest::{Timing, hash_input, hash_inputs};
use crate::output::{Manifest, OutputDir, Table};

/// A number for the Markdown table: six significant digits, and rounding noise below 10⁻⁶ as such.
fn sig(v: f64) -> String {
    if !v.is_finite() {
        "—".into()
    } else if v == 0.0 {
        "0".into()
    } else if v.abs() < 1e-6 {
        // Rounding noise: its digits change with any refactoring of the arithmetic.
        "< 1e-6".into()
    } else if (1e-3..1e6).contains(&v.abs()) {
        let decimals = (5 - v.abs().log10().floor() as i32).max(0) as usize;
        format!("{v:.decimals$}")
    } else {
        format!("{v:.5e}")
    }
}

/// The checks as the Markdown table that docs/VALIDATION.md embeds (a test keeps the two equal).
pub fn markdown(checks: &[Check]) -> String {
    let mut md = String::from(
        "| anchor | case | expected | simulated | tolerance | tolerance basis | result |\n|---|---|---|---|---|---|---|\n",
    );
    for c in checks {
        let result = if c.pass { "pass" } else { "**FAIL**" };
        let tolerance = if c.tolerance.is_finite() {
            format!("{:.1e}", c.tolerance)
        } else {
            "—".into()
        };
        writeln!(
            md,
            "| {} | {} | {} | {} | {tolerance} | {} | {result} |",
            c.anchor,
            c.case.replace('|', "\\|"),
            sig(c.expected),
            sig(c.simulated),
            c.basis,
        )
        .expect("writing to a String");
    }
    md
}

/// The observed patterns as the Markdown table that docs/VALIDATION.md embeds.
pub fn patterns_markdown(rows: &[PatternResult]) -> String {
    let mut md = String::from(
        "| statistic | published | source | accepted | why | model (95% CI) | label | result |\n|---|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let p = &r.pattern;
        let result = if r.pass { "pass" } else { "**FAIL**" };
        writeln!(
            md,
            "| {} ({}) | {} | {} | {}–{} | {} | {} | {} | {result} |",
            p.statistic,
            p.unit,
            p.published,
            p.source,
            sig(p.low),
            sig(p.high),
            p.tolerance,
            model_cell(r),
            p.label.name(),
        )
        .expect("writing to a String");
    }
    md
}

fn model_cell(r: &PatternResult) -> String {
    if r.model.n == 0 {
        "undefined (no case in any replicate)".into()
    } else {
        format!(
            "{} [{}, {}]",
            sig(r.model.mean),
            sig(r.model.ci_low),
            sig(r.model.ci_high)
        )
    }
}

/// The pattern table, printed and as `patterns.csv`.
fn patterns_table(rows: &[PatternResult]) -> Table {
    let mut table = Table::new(&[
        "statistic",
        "unit",
        "published",
        "source",
        "accepted_low",
        "accepted_high",
        "tolerance",
        "model_mean",
        "ci95_low",
        "ci95_high",
        "n",
        "label",
        "result",
    ]);
    crate::sayln!(
        "\nobserved patterns on china-2020 (final-window means over replicates, 95% CI); pass = the mean lies in the accepted range"
    );
    for r in rows {
        let p = &r.pattern;
        let result = if r.pass { "pass" } else { "FAIL" };
        crate::sayln!(
            "{:<54} {:>10}–{:<10} {:<36} {:<11} {result}",
            format!("{} ({})", p.statistic, p.unit),
            sig(p.low),
            sig(p.high),
            model_cell(r),
            p.label.name()
        );
        table.push(vec![
            p.statistic.into(),
            p.unit.into(),
            p.published.into(),
            p.source.into(),
            p.low.into(),
            p.high.into(),
            p.tolerance.into(),
            r.model.mean.into(),
            r.model.ci_low.into(),
            r.model.ci_high.into(),
            r.model.n.into(),
            p.label.name().into(),
            result.into(),
        ]);
    }
    table
}

/// The resolution table, printed and as `resolution.csv`: one row per metric and resolution.
fn resolution_table(rows: &[Resolution]) -> Table {
    let mut table = Table::new(&[
        "metric",
        "unit",
        "people_per_agent",
        "mean",
        "ci95_low",
        "ci95_high",
        "n",
        "result",
    ]);
    crate::sayln!(
        "\nresolution invariance: final-window means (95% CI) at {} people per resident agent; pass = every pair of intervals overlaps",
        PEOPLE_PER_AGENT.map(|p| p.to_string()).join(", ")
    );
    for r in rows {
        let result = if r.pass { "pass" } else { "FAIL" };
        let cells: Vec<String> =
            r.at.iter()
                .map(|s| format!("{:.4} [{:.4}, {:.4}]", s.mean, s.ci_low, s.ci_high))
                .collect();
        crate::sayln!("{:<28} {:<40} {result}", r.metric.name(), cells.join("  "));
        for (people, s) in PEOPLE_PER_AGENT.iter().zip(&r.at) {
            table.push(vec![
                r.metric.name().into(),
                r.metric.unit().into(),
                (*people).into(),
                s.mean.into(),
                s.ci_low.into(),
                s.ci_high.into(),
                s.n.into(),
                result.into(),
            ]);
        }
    }
    table
}

/// `cogov validate`: run every anchor, print the table, write `validation.csv` and the figure.
pub fn validate(out: &Path, quick: bool, force: bool) -> Result<(PathBuf, bool)> {
    let started = std::time::Instant::now();
    let mut dir = OutputDir::create(out, force)?;
    let checks = all(quick)?;
    let resolutions = resolution(quick)?;
    let observed = patterns(quick)?;
    let run_seconds = started.elapsed().as_secs_f64();
    let mut table = Table::new(&[
        "anchor",
        "case",
        "expected",
        "simulated",
        "tolerance",
        "tolerance_basis",
        "result",
    ]);
    crate::sayln!(
        "{:<38} {:<52} {:>12} {:>12} {:>10}  {:<44} result",
        "anchor",
        "case",
        "expected",
        "simulated",
        "tolerance",
        "tolerance basis"
    );
    for c in &checks {
        let result = if c.pass { "pass" } else { "FAIL" };
        table.push(vec![
            c.anchor.into(),
            c.case.as_str().into(),
            c.expected.into(),
            c.simulated.into(),
            c.tolerance.into(),
            c.basis.into(),
            result.into(),
        ]);
        let num = |v: f64| {
            if v.is_finite() {
                format!("{v:.6}")
            } else {
                "—".into()
            }
        };
        crate::sayln!(
            "{:<38} {:<52} {:>12} {:>12} {:>10}  {:<44} {result}",
            c.anchor,
            c.case.chars().take(52).collect::<String>(),
            num(c.expected),
            num(c.simulated),
            if c.tolerance.is_finite() {
                format!("{:.2e}", c.tolerance)
            } else {
                "—".into()
            },
            c.basis
        );
    }
    dir.write_table("validation", &table)?;
    dir.write("validation.md", markdown(&checks).as_bytes())?;
    #[cfg(feature = "figures")]
    super::figure::validation_figure(&mut dir, "validation", &checks)?;
    dir.write_table("resolution", &resolution_table(&resolutions))?;
    #[cfg(feature = "figures")]
    super::figure::resolution_figure(&mut dir, "resolution", &resolutions)?;
    dir.write_table("patterns", &patterns_table(&observed))?;
    dir.write("patterns.md", patterns_markdown(&observed).as_bytes())?;
    let all_pass = checks.iter().all(|c| c.pass) && resolutions.iter().all(|r| r.pass);
    let mut manifest = Manifest::new("validate", rayon::current_num_threads());
    manifest.quick = Some(quick);
    let inputs = crate::scenario::shipped_dir()?;
    for sub in ["validation", "games"] {
        hash_inputs(&inputs, &inputs.join(sub), &mut manifest.inputs)?;
    }
    for file in ["china-2020.toml", "fragmented.toml"] {
        hash_input(&inputs, &inputs.join(file), &mut manifest.inputs)?;
    }
    manifest.detail("inputs_dir", inputs.display().to_string());
    manifest.detail("all_pass", all_pass);
    manifest.detail(
        "patterns_passed",
        format!(
            "{} of {}",
            observed.iter().filter(|r| r.pass).count(),
            observed.len()
        ),
    );
    manifest.timing = Timing {
        init_seconds: None,
        run_seconds: Some(run_seconds),
        output_seconds: started.elapsed().as_secs_f64() - run_seconds,
        ..Timing::default()
    };
    let published = dir.commit(|hashes| manifest.to_json(hashes))?;
    Ok((published, all_pass))
}
