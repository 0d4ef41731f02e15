//! Range and consistency checks: a [`Scenario`] becomes [`Params`] only through [`validate`], so the
//! model never sees an out-of-range value (parse, don't validate). Every key is checked against its
//! registered range ([`super::registry`]), section by section; each section's function then enforces
//! the registry's cross-key constraints that concern it and builds the section's typed parameters.

use toml::{Table, Value};

use super::params::{
    Allocation, BoundaryIndex, CompensationParams, CompensationUse, CooperationMode,
    CooperationParams, DailyPenaltyFor, Decomposition, FeedbackMode, FeedbackParams,
    InformationParams, LawParams, Management, MonitoringParams, Params, ResponsibilityMode,
    ResponsibilityParams, Scheme, Sharing, TargetKind, Targeting, TargetsParams, Topology,
    TopologyKind, WorldParams, prices_damage,
};
use super::provenance::Provenance;
use super::registry::{Key, Valid, compact, registry};
use super::{Departments, Scenario};
use crate::error::InputError;

/// Largest population of one family we accept (keeps memory estimates sane; the scale scenario is
/// 1.25e7 residents).
pub const MAX_AGENTS: u64 = 200_000_000;

/// Largest matrix basin whose dense damage matrix (`pollution::Residence`) we compute.
pub const MAX_PRICED_MATRIX: u32 = 2_000;

pub(crate) struct Checker<'a> {
    provenance: &'a Provenance,
    top: &'a str,
    /// The scenario as TOML, to read any key by its path.
    table: Table,
}

impl Checker<'_> {
    pub(crate) fn fail(
        &self,
        key: &str,
        value: impl ToString,
        allowed: impl Into<String>,
    ) -> InputError {
        InputError::OutOfRange {
            file: self
                .provenance
                .get(key)
                .cloned()
                .unwrap_or_else(|| self.top.into()),
            key: key.into(),
            value: value.to_string(),
            allowed: allowed.into(),
        }
    }

    fn value(&self, path: &str) -> Option<&Value> {
        let mut node = &self.table;
        let keys: Vec<&str> = path.split('.').collect();
        let (last, parents) = keys.split_last()?;
        for key in parents {
            node = node.get(*key)?.as_table()?;
        }
        node.get(*last)
    }

    /// Check one key against its registered range.
    fn key(&self, key: &Key) -> Result<(), InputError> {
        let Some(value) = self.value(&key.path) else {
            return Ok(());
        };
        let path = key.path.as_str();
        match key.valid {
            Valid::Number(_) | Valid::Probability | Valid::Money => {
                let v = value.as_float().unwrap_or(f64::NAN);
                let (lo, hi) = key.valid.bounds().expect("a numeric key");
                if v.is_finite() && v >= lo && v <= hi {
                    Ok(())
                } else {
                    Err(self.fail(path, compact(v), key.allowed()))
                }
            }
            Valid::Count([lo, hi]) => {
                let v = value.as_integer().unwrap_or(-1);
                if v >= 0 && (lo..=hi).contains(&(v as u64)) {
                    Ok(())
                } else {
                    Err(self.fail(path, v, key.allowed()))
                }
            }
            Valid::Choice => {
                let v = value.as_str().unwrap_or_default();
                if key.choices().is_some_and(|c| c.contains(&v)) {
                    Ok(())
                } else {
                    Err(self.fail(path, format!("\"{v}\""), key.allowed()))
                }
            }
            Valid::Names([lo, hi]) => {
                let n = value.as_array().map_or(0, Vec::len) as u64;
                if (lo..=hi).contains(&n) {
                    Ok(())
                } else {
                    Err(self.fail(path, n, format!("a whole number in [{lo}, {hi}]")))
                }
            }
            Valid::Bool
            | Valid::Name
            | Valid::Seed
            | Valid::Shares
            | Valid::Matrix
            | Valid::Downstream => Ok(()),
        }
    }

    /// Check every registered key of `section` (`""` for the top-level keys).
    fn section(&self, section: &str) -> Result<(), InputError> {
        registry().section(section).try_for_each(|k| self.key(k))
    }

    fn count(&self, key: &str, v: u64, lo: u64, hi: u64) -> Result<(), InputError> {
        if (lo..=hi).contains(&v) {
            Ok(())
        } else {
            Err(self.fail(key, v, format!("a whole number in [{lo}, {hi}]")))
        }
    }

    fn shares(&self, key: &str, v: &[f64], len: usize) -> Result<(), InputError> {
        let ok = v.len() == len
            && v.iter().all(|x| x.is_finite() && *x >= 0.0)
            && (v.iter().sum::<f64>() - 1.0).abs() < 1e-6;
        if ok {
            Ok(())
        } else {
            Err(self.fail(
                key,
                format!("{v:?}"),
                format!("{len} non-negative shares (one per department) summing to 1"),
            ))
        }
    }
}

/// A choice already checked against its registered values.
fn parsed<T>(v: &str, parse: fn(&str) -> Option<T>) -> T {
    parse(v).expect("the registry checked the choice")
}

/// Check every range of `s`. `provenance` locates the file that set each key.
pub(crate) fn validate(
    s: Scenario,
    provenance: &Provenance,
    top: &str,
) -> Result<Params, InputError> {
    let c = Checker {
        provenance,
        top,
        table: Table::try_from(&s).map_err(|e| InputError::Usage(format!("{top}: {e}")))?,
    };
    run_size(&c, &s)?;
    let world = world(&c, &s)?;
    let enterprises = populations(&c, &s)?;
    let departments = departments(&c, &s.departments)?;
    let information = information(&c, &s)?;
    let responsibility = responsibility(&c, &s)?;
    for section in ["law", "complaints", "ngo", "central", "output"] {
        c.section(section)?;
    }
    let l = &s.law;
    let law = LawParams {
        fine: l.fine,
        daily_penalty: l.daily_penalty,
        correction_days: l.correction_days,
        daily_penalty_for: parsed(&l.daily_penalty_for, DailyPenaltyFor::parse),
        follow_up: l.follow_up,
        seal_up: l.seal_up,
        clarity: l.clarity,
    };
    let monitoring = monitoring(&c, &s)?;
    local(&c, &s)?;
    let compensation = compensation(&c, &s)?;
    let cooperation = cooperation(&c, &s)?;
    let targets = targets(&c, &s)?;
    let feedback = feedback(&c, &s)?;
    priced_damage(&c, &world, &targets, &compensation)?;
    Ok(Params {
        name: s.name,
        seed: s.seed,
        steps: s.steps,
        replicates: s.replicates,
        world,
        enterprises,
        public: s.public,
        departments,
        information,
        responsibility,
        law,
        monitoring,
        complaints: s.complaints,
        ngo: s.ngo,
        central: s.central,
        local: s.local,
        compensation,
        cooperation,
        targets,
        feedback,
        output: s.output,
    })
}

/// Whether `name` can name a row of a table and an output directory: one plain file-name component
/// (constraint `name_is_a_plain_name`).
pub fn plain_name(name: &str) -> bool {
    !name.trim().is_empty()
        && name.chars().count() <= 128
        && !name.starts_with('.')
        && !name
            .chars()
            .any(|c| c.is_control() || matches!(c, '/' | '\\' | ',' | '"'))
}

/// `name`, `seed`, `steps`, `replicates`; constraint `name_is_a_plain_name`.
fn run_size(c: &Checker, s: &Scenario) -> Result<(), InputError> {
    c.section("")?;
    if !plain_name(&s.name) {
        let key = registry().key("name").expect("registered");
        return Err(c.fail("name", format!("{:?}", s.name), key.allowed()));
    }
    Ok(())
}

/// `[world]`; constraints `spillover_within_decay`, `adjacency_only_on_a_matrix`,
/// `downstream_only_on_a_tree`.
fn world(c: &Checker, s: &Scenario) -> Result<WorldParams, InputError> {
    c.section("world")?;
    let w = &s.world;
    let kind = parsed(&w.topology, TopologyKind::parse);
    if kind != TopologyKind::Tree && !w.downstream.is_empty() {
        return Err(c.fail(
            "world.downstream",
            "a list",
            format!(
                "no downstream list with topology = \"{}\" (set topology = \"tree\" to use it)",
                kind.as_str()
            ),
        ));
    }
    let topology = match kind {
        TopologyKind::Chain | TopologyKind::Tree => {
            if w.decay + w.spillover > 1.0 {
                return Err(c.fail(
                    "world.spillover",
                    w.spillover,
                    format!(
                        "at most 1 − decay = {} (a region cannot lose more than its stock)",
                        1.0 - w.decay
                    ),
                ));
            }
            if !w.adjacency.is_empty() {
                return Err(c.fail(
                    "world.adjacency",
                    "a matrix",
                    format!(
                        "no adjacency with topology = \"{}\" (set topology = \"matrix\" to use it)",
                        kind.as_str()
                    ),
                ));
            }
            if kind == TopologyKind::Tree {
                Topology::Tree(downstream(c, w)?)
            } else {
                Topology::Chain
            }
        }
        TopologyKind::Matrix => Topology::Matrix(adjacency(c, w)?),
    };
    Ok(WorldParams {
        regions: w.regions,
        topology,
        spillover: w.spillover,
        decay: w.decay,
        initial_stock: w.initial_stock,
        damage_per_tonne: w.damage_per_tonne,
        population: w.population,
    })
}

/// A river network: each region's downstream region, or −1 for a mouth; following the links from
/// any region must reach a mouth.
fn downstream(c: &Checker, w: &super::World) -> Result<Vec<Option<usize>>, InputError> {
    let n = w.regions as usize;
    let d = &w.downstream;
    let allowed = "one entry per region: the index (0 to regions − 1) of the region its water flows into, or −1 for a river mouth";
    if d.len() != n {
        return Err(c.fail(
            "world.downstream",
            format!("{} entries", d.len()),
            format!("{n} entries ({allowed})"),
        ));
    }
    let mut links = Vec::with_capacity(n);
    for (u, &v) in d.iter().enumerate() {
        links.push(match v {
            -1 => None,
            v if v >= 0 && (v as usize) < n && v as usize != u => Some(v as usize),
            _ => {
                return Err(c.fail(
                    &format!("world.downstream[{u}]"),
                    v,
                    format!("{allowed}, not the region itself"),
                ));
            }
        });
    }
    // Each region is walked once: 1 marks the walk in progress (met again: a cycle), 2 a region
    // known to reach a mouth.
    let mut state = vec![0u8; n];
    let mut path = Vec::new();
    for start in 0..n {
        let mut at = start;
        while state[at] != 2 {
            if state[at] == 1 {
                return Err(c.fail(
                    &format!("world.downstream[{start}]"),
                    d[start],
                    "a network without cycles: following the downstream links from every region must reach a mouth (−1)",
                ));
            }
            state[at] = 1;
            path.push(at);
            match links[at] {
                Some(next) => at = next,
                None => break,
            }
        }
        path.drain(..).for_each(|v| state[v] = 2);
    }
    Ok(links)
}

fn adjacency(c: &Checker, w: &super::World) -> Result<Vec<Vec<f64>>, InputError> {
    let n = w.regions as usize;
    let a = &w.adjacency;
    let shape_ok = a.len() == n && a.iter().all(|row| row.len() == n);
    if !shape_ok {
        return Err(c.fail(
            "world.adjacency",
            format!("{} rows", a.len()),
            format!("a {n} × {n} matrix (one row and one column per region)"),
        ));
    }
    for (u, row) in a.iter().enumerate() {
        let out: f64 = row.iter().sum();
        let bad_entry = row.iter().any(|x| !x.is_finite() || *x < 0.0);
        if bad_entry || row[u] != 0.0 || out + w.decay > 1.0 + 1e-12 {
            return Err(c.fail(
                "world.adjacency",
                format!("row {u} = {row:?}"),
                format!(
                    "non-negative shares, zero on the diagonal, each row summing to at most 1 − decay = {}",
                    1.0 - w.decay
                ),
            ));
        }
    }
    Ok(a.clone())
}

/// `[enterprises]` and `[public]`; constraints `agents_within_the_limit`, `even_neighbours`.
fn populations(c: &Checker, s: &Scenario) -> Result<super::Enterprises, InputError> {
    c.section("enterprises")?;
    c.section("public")?;
    let regions = u64::from(s.world.regions);
    c.count(
        "enterprises.per_region",
        s.enterprises.per_region.into(),
        1,
        MAX_AGENTS / regions,
    )?;
    c.count(
        "public.per_region",
        s.public.per_region.into(),
        0,
        MAX_AGENTS / regions,
    )?;
    if s.public.neighbors % 2 == 1 {
        return Err(c.fail(
            "public.neighbors",
            s.public.neighbors,
            "an even number (half on each side of the ring)",
        ));
    }
    Ok(s.enterprises.clone())
}

/// `[departments]`; constraint `one_share_per_department`.
fn departments(c: &Checker, d: &Departments) -> Result<Departments, InputError> {
    c.section("departments")?;
    c.shares("departments.budget_shares", &d.budget_shares, d.names.len())?;
    c.shares(
        "departments.violation_shares",
        &d.violation_shares,
        d.names.len(),
    )?;
    Ok(d.clone())
}

/// `[information]` (lever 1).
fn information(c: &Checker, s: &Scenario) -> Result<InformationParams, InputError> {
    c.section("information")?;
    Ok(InformationParams {
        sharing: parsed(&s.information.sharing, Sharing::parse),
    })
}

/// `[responsibility]` (lever 2); constraint `overlap_within_departments`.
fn responsibility(c: &Checker, s: &Scenario) -> Result<ResponsibilityParams, InputError> {
    c.section("responsibility")?;
    let r = &s.responsibility;
    c.count(
        "responsibility.overlap",
        r.overlap.into(),
        1,
        s.departments.names.len() as u64,
    )?;
    Ok(ResponsibilityParams {
        mode: parsed(&r.mode, ResponsibilityMode::parse),
        overlap: r.overlap,
        handling_cost_ratio: r.handling_cost_ratio,
        coordination_cost: r.coordination_cost,
        chief_response: r.chief_response,
    })
}

/// `[monitoring]` (lever 4).
fn monitoring(c: &Checker, s: &Scenario) -> Result<MonitoringParams, InputError> {
    c.section("monitoring")?;
    let m = &s.monitoring;
    Ok(MonitoringParams {
        coverage: m.coverage,
        false_negative: m.false_negative,
        false_positive: m.false_positive,
        latency: m.latency,
        noise: m.noise,
        targeting: parsed(&m.targeting, Targeting::parse),
        management: parsed(&m.management, Management::parse),
        audit_rate: m.audit_rate,
    })
}

/// `[local]`; constraint `intensity_bounds_ordered`.
fn local(c: &Checker, s: &Scenario) -> Result<(), InputError> {
    c.section("local")?;
    let l = &s.local;
    let lo = l.intensity_min.max(1.0);
    if l.intensity_max < lo {
        return Err(c.fail(
            "local.intensity_max",
            compact(l.intensity_max),
            format!(
                "a number in [{}, 100] (at least max(intensity_min, 1))",
                compact(lo)
            ),
        ));
    }
    Ok(())
}

/// `[compensation]` (lever 5).
fn compensation(c: &Checker, s: &Scenario) -> Result<CompensationParams, InputError> {
    c.section("compensation")?;
    let co = &s.compensation;
    Ok(CompensationParams {
        scheme: parsed(&co.scheme, Scheme::parse),
        amount: co.amount,
        standard: co.standard,
        index: parsed(&co.index, BoundaryIndex::parse),
        stability: co.stability,
        use_for: parsed(&co.use_for, CompensationUse::parse),
        period: co.period,
        pigou_share: co.pigou_share,
    })
}

/// `[cooperation]` (lever 6).
fn cooperation(c: &Checker, s: &Scenario) -> Result<CooperationParams, InputError> {
    c.section("cooperation")?;
    Ok(CooperationParams {
        mode: parsed(&s.cooperation.mode, CooperationMode::parse),
        joint_inspection_rate: s.cooperation.joint_inspection_rate,
    })
}

/// `[targets]` (lever 7); constraint `abatement_bounds_ordered`.
fn targets(c: &Checker, s: &Scenario) -> Result<TargetsParams, InputError> {
    c.section("targets")?;
    let t = &s.targets;
    if t.max_abatement < t.min_abatement {
        return Err(c.fail(
            "targets.max_abatement",
            compact(t.max_abatement),
            format!(
                "a number in [{}, 1] (at least min_abatement)",
                compact(t.min_abatement)
            ),
        ));
    }
    Ok(TargetsParams {
        stock: t.stock,
        kind: parsed(&t.kind, TargetKind::parse),
        margin: t.margin,
        decomposition: parsed(&t.decomposition, Decomposition::parse),
        allocation: parsed(&t.allocation, Allocation::parse),
        standard_abatement: t.standard_abatement,
        min_abatement: t.min_abatement,
        max_abatement: t.max_abatement,
        veto: t.veto,
    })
}

/// `[feedback]` (lever 8).
fn feedback(c: &Checker, s: &Scenario) -> Result<FeedbackParams, InputError> {
    c.section("feedback")?;
    let f = &s.feedback;
    Ok(FeedbackParams {
        mode: parsed(&f.mode, FeedbackMode::parse),
        period: f.period,
        evaluation_period: f.evaluation_period,
        gain: f.gain,
        cap_gain: f.cap_gain,
    })
}

/// Constraint `priced_damage_needs_decay`: cost-benefit caps and Pigou payments price a tonne by the
/// damage it does while it stays in the basin (`pollution::Residence`), finite only if pollution
/// decays, and computed densely (O(N³)) on a matrix basin.
fn priced_damage(
    c: &Checker,
    w: &WorldParams,
    t: &TargetsParams,
    co: &CompensationParams,
) -> Result<(), InputError> {
    if !prices_damage(t.decomposition, co.scheme) {
        return Ok(());
    }
    let key = if t.decomposition == Decomposition::CostBenefit {
        "targets.decomposition"
    } else {
        "compensation.scheme"
    };
    if w.decay <= 0.0 {
        return Err(c.fail(
            "world.decay",
            compact(w.decay),
            format!(
                "a number in (0, 1] when {key} prices damage per tonne (with decay 0 a tonne does damage forever)"
            ),
        ));
    }
    if matches!(w.topology, Topology::Matrix(_)) && w.regions > MAX_PRICED_MATRIX {
        return Err(c.fail(
            "world.regions",
            w.regions,
            format!(
                "at most {MAX_PRICED_MATRIX} regions on a matrix basin when {key} prices damage per tonne (the damage matrix is dense)"
            ),
        ));
    }
    Ok(())
}
