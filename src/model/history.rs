//! A historical run: one world stepped through a sequence of scenarios, each switched on in the month
//! its reforms happened (`scenarios/history/`). The agents carry their state across a reform; only the
//! arrangements change, so a stage may differ from the first only in the keys below.

use toml::{Table, Value};

use super::World;
use super::observe::StepRecord;
use crate::error::{Error, Result};
use crate::scenario::Params;

/// Keys a reform may change: whole sections of arrangements, and single keys of the others.
const REFORM_SECTIONS: [&str; 8] = [
    "information",
    "responsibility",
    "law",
    "compensation",
    "cooperation",
    "feedback",
    "central",
    "local",
];
const REFORM_KEYS: [&str; 9] = [
    "name",
    "monitoring.management",
    "monitoring.latency",
    "monitoring.audit_rate",
    "departments.violation_shares",
    "departments.budget_shares",
    "targets.decomposition",
    "targets.veto",
    "public.disclosure",
];

/// The first key, outside the arrangements a reform may change, in which `stage` differs from
/// `first`.
pub fn structural_difference(first: &Params, stage: &Params) -> Option<String> {
    let strip = |p: &Params| -> Table {
        let mut t = Table::try_from(p.to_scenario()).expect("a validated scenario serializes");
        for s in REFORM_SECTIONS {
            t.remove(s);
        }
        for k in REFORM_KEYS {
            match k.split_once('.') {
                None => {
                    t.remove(k);
                }
                Some((s, key)) => {
                    if let Some(Value::Table(sec)) = t.get_mut(s) {
                        sec.remove(key);
                    }
                }
            }
        }
        t
    };
    let (a, b) = (strip(first), strip(stage));
    for (section, va) in &a {
        let vb = b.get(section);
        match (va, vb) {
            (Value::Table(x), Some(Value::Table(y))) => {
                for (key, v) in x {
                    if y.get(key) != Some(v) {
                        return Some(format!("{section}.{key}"));
                    }
                }
            }
            (x, Some(y)) if x == y => {}
            _ => return Some(section.clone()),
        }
    }
    None
}

/// One month of a historical run: the basin's record and each region's stock at its end.
#[derive(Debug, Clone)]
pub struct Month {
    pub record: StepRecord,
    pub stocks: Vec<f64>,
}

/// Step replicate `replicate` through `stages` ((first month, scenario), the first at month 0) for
/// `steps` months.
pub fn run(stages: &[(u32, Params)], steps: u32, replicate: u32) -> Result<Vec<Month>> {
    let mut world = World::new(&stages[0].1, replicate);
    let mut months = Vec::with_capacity(steps as usize);
    let mut next = 1;
    for t in 0..steps {
        while next < stages.len() && stages[next].0 == t {
            world.reform(&stages[next].1);
            next += 1;
        }
        let record = world
            .step()
            .map_err(|e| Error::Invariant(format!("historical run, month {t}: {e}")))?;
        months.push(Month {
            record,
            stocks: world.basin().stock.clone(),
        });
    }
    Ok(months)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::test_params;

    #[test]
    fn a_reform_to_the_same_arrangements_changes_nothing() {
        let p = test_params(&["world.regions=3", "steps=24", "replicates=1"]);
        let q = p.clone();
        let plain = run(&[(0, p.clone())], 24, 0).unwrap();
        let reformed = run(&[(0, p), (10, q)], 24, 0).unwrap();
        for (a, b) in plain.iter().zip(&reformed) {
            assert_eq!(a.stocks, b.stocks);
        }
    }

    #[test]
    fn a_reform_acts_from_its_month_on() {
        let p = test_params(&["world.regions=3", "steps=36", "replicates=1"]);
        let strict = test_params(&[
            "world.regions=3",
            "steps=36",
            "replicates=1",
            "law.fine=1.5",
            "monitoring.management=vertical",
            "monitoring.latency=1",
        ]);
        assert_eq!(structural_difference(&p, &strict), None);
        let plain = run(&[(0, p.clone())], 36, 0).unwrap();
        let reformed = run(&[(0, p.clone()), (12, strict.clone())], 36, 0).unwrap();
        let whole = run(&[(0, strict)], 36, 0).unwrap();
        // Identical before the reform, different after it, and not the strict regime from month 0.
        assert_eq!(plain[11].stocks, reformed[11].stocks);
        assert!(reformed[35].record.compliance_rate > plain[35].record.compliance_rate);
        assert_ne!(reformed[11].stocks, whole[11].stocks);
    }

    #[test]
    fn structure_may_not_change_at_a_reform() {
        let p = test_params(&["world.regions=3"]);
        let q = test_params(&["world.regions=4"]);
        assert_eq!(structural_difference(&p, &q), Some("world.regions".into()));
        let r = test_params(&["world.regions=3", "law.fine=1.0", "targets.veto=true"]);
        assert_eq!(structural_difference(&p, &r), None);
        let s = test_params(&["world.regions=3", "enterprises.learning_rate=0.2"]);
        assert_eq!(
            structural_difference(&p, &s),
            Some("enterprises.learning_rate".into())
        );
    }
}
