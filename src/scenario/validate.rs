//! Range and consistency checks: a [`Scenario`] becomes [`Params`] only through [`validate`], so the
//! model never sees an out-of-range value (parse, don't validate).

use super::Scenario;
use super::provenance::Provenance;
use crate::error::InputError;

/// Largest population of one family we accept (keeps memory estimates sane; the scale scenario is
/// 1.25e7 residents).
const MAX_AGENTS: u64 = 200_000_000;

/// Largest matrix basin whose dense damage matrix (`pollution::Residence`) we compute.
const MAX_PRICED_MATRIX: u32 = 2_000;

/// Spillover graph between regions.
#[derive(Debug, Clone, PartialEq)]
pub enum Topology {
    /// Region r flows into r + 1 with share `spillover`; the last region flows out of the basin.
    Chain,
    /// `adjacency[u][d]`: share of u's stock moving to d each step; the row remainder leaves the basin
    /// after decay.
    Matrix(Vec<Vec<f64>>),
}

macro_rules! choice {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name { $($variant),+ }
        impl $name {
            const ALLOWED: &'static [&'static str] = &[$($text),+];
            fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

choice!(
    /// Lever 1.
    Sharing { Silo = "silo", Shared = "shared" }
);
choice!(
    /// Lever 2.
    ResponsibilityMode { Diffuse = "diffuse", Clear = "clear" }
);
choice!(
    /// Lever 4 (inspection selection).
    Targeting { Random = "random", Risk = "risk" }
);
choice!(
    /// Lever 5.
    Scheme { None = "none", Boundary = "boundary", Fund = "fund", Pigou = "pigou" }
);
choice!(
    /// Lever 5: what received compensation pays for.
    CompensationUse { Enforcement = "enforcement", Subsidy = "subsidy" }
);
choice!(
    /// Lever 6.
    CooperationMode { Protectionist = "protectionist", Joint = "joint" }
);
choice!(
    /// Lever 7.
    Decomposition { Macro = "macro", Caps = "caps", CostBenefit = "cost_benefit" }
);
choice!(
    /// Lever 7: how caps are split among a region's enterprises.
    Allocation { Uniform = "uniform", LeastCost = "least_cost" }
);
choice!(
    /// Lever 8.
    FeedbackMode { OneWay = "one_way", Closed = "closed" }
);

/// A validated scenario: the raw values plus the parsed choices. Immutable once built.
#[derive(Debug, Clone)]
pub struct Params {
    pub s: Scenario,
    pub topology: Topology,
    pub sharing: Sharing,
    pub responsibility: ResponsibilityMode,
    pub targeting: Targeting,
    pub scheme: Scheme,
    pub compensation_use: CompensationUse,
    pub cooperation: CooperationMode,
    pub decomposition: Decomposition,
    pub allocation: Allocation,
    pub feedback: FeedbackMode,
}

impl Params {
    pub fn name(&self) -> &str {
        &self.s.name
    }

    /// Whether cost-benefit caps or Pigou payments price a tonne by its damage (`pollution::Residence`).
    pub fn prices_damage(&self) -> bool {
        prices_damage(self.decomposition, self.scheme)
    }

    pub fn departments(&self) -> usize {
        self.s.departments.names.len()
    }

    /// The fully resolved scenario as TOML, as `cogov check` prints it.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(&self.s).expect("a validated scenario serializes")
    }

    /// Apply command-line overrides of the run size (`--seed`, `--steps`, `--replicates`).
    pub fn with_run_size(
        mut self,
        seed: Option<u64>,
        steps: Option<u32>,
        replicates: Option<u32>,
    ) -> Result<Self, InputError> {
        let mut provenance = Provenance::new();
        if let Some(v) = seed {
            self.s.seed = v;
        }
        if let Some(v) = steps {
            self.s.steps = v;
            provenance.insert("steps".into(), "--steps".into());
        }
        if let Some(v) = replicates {
            self.s.replicates = v;
            provenance.insert("replicates".into(), "--replicates".into());
        }
        validate(self.s, &provenance, "command line")
    }
}

/// A float as a user would write it: exponent form beyond 10^9.
fn compact(v: f64) -> String {
    if v.is_finite() && v.abs() >= 1e9 {
        format!("{v:e}")
    } else {
        v.to_string()
    }
}

struct Checker<'a> {
    provenance: &'a Provenance,
    top: &'a str,
}

impl Checker<'_> {
    fn fail(&self, key: &str, value: impl ToString, allowed: impl Into<String>) -> InputError {
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

    fn range(&self, key: &str, v: f64, lo: f64, hi: f64) -> Result<(), InputError> {
        if v.is_finite() && v >= lo && v <= hi {
            Ok(())
        } else {
            Err(self.fail(
                key,
                compact(v),
                format!("a number in [{}, {}]", compact(lo), compact(hi)),
            ))
        }
    }

    fn probability(&self, key: &str, v: f64) -> Result<(), InputError> {
        self.range(key, v, 0.0, 1.0)
    }

    /// Money and quantities: non-negative and at most 10^12, so no product of them overflows.
    fn non_negative(&self, key: &str, v: f64) -> Result<(), InputError> {
        self.range(key, v, 0.0, 1e12)
    }

    fn count(&self, key: &str, v: u64, lo: u64, hi: u64) -> Result<(), InputError> {
        if (lo..=hi).contains(&v) {
            Ok(())
        } else {
            Err(self.fail(key, v, format!("a whole number in [{lo}, {hi}]")))
        }
    }

    fn choice<T>(
        &self,
        key: &str,
        v: &str,
        parse: fn(&str) -> Option<T>,
        allowed: &[&str],
    ) -> Result<T, InputError> {
        parse(v).ok_or_else(|| self.fail(key, format!("\"{v}\""), format!("one of {allowed:?}")))
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

/// Check every range of `s`. `provenance` locates the file that set each key.
pub(crate) fn validate(
    s: Scenario,
    provenance: &Provenance,
    top: &str,
) -> Result<Params, InputError> {
    let c = Checker { provenance, top };
    c.count("steps", s.steps.into(), 1, 100_000)?;
    c.count("replicates", s.replicates.into(), 1, 100_000)?;
    if s.name.trim().is_empty() || s.name.contains(['/', '\\', ',', '"', '\n']) {
        return Err(c.fail(
            "name",
            &s.name,
            "a non-empty name without / \\ , \" or newlines",
        ));
    }

    let w = &s.world;
    c.count("world.regions", w.regions.into(), 1, 10_000)?;
    c.probability("world.decay", w.decay)?;
    c.probability("world.spillover", w.spillover)?;
    c.non_negative("world.initial_stock", w.initial_stock)?;
    c.non_negative("world.damage_per_tonne", w.damage_per_tonne)?;
    let topology = match w.topology.as_str() {
        "chain" => {
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
                    "no adjacency with topology = \"chain\" (set topology = \"matrix\" to use it)",
                ));
            }
            Topology::Chain
        }
        "matrix" => Topology::Matrix(check_adjacency(&c, w)?),
        other => {
            return Err(c.fail(
                "world.topology",
                format!("\"{other}\""),
                "one of [\"chain\", \"matrix\"]",
            ));
        }
    };

    let e = &s.enterprises;
    c.count(
        "enterprises.per_region",
        e.per_region.into(),
        1,
        MAX_AGENTS / u64::from(w.regions),
    )?;
    c.range("enterprises.output_mean", e.output_mean, 1e-9, 1e9)?;
    c.range("enterprises.output_sigma", e.output_sigma, 0.0, 3.0)?;
    c.range("enterprises.intensity_mean", e.intensity_mean, 0.0, 1e9)?;
    c.range("enterprises.intensity_sigma", e.intensity_sigma, 0.0, 3.0)?;
    c.non_negative("enterprises.abatement_cost_share", e.abatement_cost_share)?;
    c.probability("enterprises.abatement_cost_spread", e.abatement_cost_spread)?;
    c.non_negative("enterprises.rationality", e.rationality)?;
    c.probability("enterprises.learning_rate", e.learning_rate)?;
    c.probability("enterprises.prior_sanction", e.prior_sanction)?;
    c.non_negative("enterprises.reputation_cost", e.reputation_cost)?;

    let p = &s.public;
    c.count(
        "public.per_region",
        p.per_region.into(),
        0,
        MAX_AGENTS / u64::from(w.regions),
    )?;
    c.count("public.neighbors", p.neighbors.into(), 0, 64)?;
    if p.neighbors % 2 == 1 {
        return Err(c.fail(
            "public.neighbors",
            p.neighbors,
            "an even number (half on each side of the ring)",
        ));
    }
    for (key, v) in [
        ("public.rewiring", p.rewiring),
        ("public.peer_influence", p.peer_influence),
        ("public.education", p.education),
        ("public.disclosure", p.disclosure),
        ("public.visibility", p.visibility),
        ("public.observation_gain", p.observation_gain),
        ("public.forgetting", p.forgetting),
        ("public.initial_awareness", p.initial_awareness),
    ] {
        c.probability(key, v)?;
    }

    let d = &s.departments;
    c.count("departments.names", d.names.len() as u64, 1, 16)?;
    c.shares("departments.budget_shares", &d.budget_shares, d.names.len())?;
    c.shares(
        "departments.violation_shares",
        &d.violation_shares,
        d.names.len(),
    )?;
    c.non_negative("departments.budget", d.budget)?;
    c.range("departments.inspection_cost", d.inspection_cost, 1e-9, 1e9)?;
    c.probability("departments.inspector_miss", d.inspector_miss)?;

    let sharing = c.choice(
        "information.sharing",
        &s.information.sharing,
        Sharing::parse,
        Sharing::ALLOWED,
    )?;
    let r = &s.responsibility;
    let responsibility = c.choice(
        "responsibility.mode",
        &r.mode,
        ResponsibilityMode::parse,
        ResponsibilityMode::ALLOWED,
    )?;
    c.count(
        "responsibility.overlap",
        r.overlap.into(),
        1,
        d.names.len() as u64,
    )?;
    c.probability("responsibility.handling_cost_ratio", r.handling_cost_ratio)?;
    c.probability("responsibility.coordination_cost", r.coordination_cost)?;

    let l = &s.law;
    c.non_negative("law.fine", l.fine)?;
    c.non_negative("law.daily_penalty", l.daily_penalty)?;
    c.range("law.correction_days", l.correction_days, 0.0, 365.0)?;
    c.probability("law.clarity", l.clarity)?;

    let m = &s.monitoring;
    c.probability("monitoring.coverage", m.coverage)?;
    c.probability("monitoring.false_negative", m.false_negative)?;
    c.probability("monitoring.false_positive", m.false_positive)?;
    c.count("monitoring.latency", m.latency.into(), 0, 120)?;
    c.range("monitoring.noise", m.noise, 0.0, 1.0)?;
    let targeting = c.choice(
        "monitoring.targeting",
        &m.targeting,
        Targeting::parse,
        Targeting::ALLOWED,
    )?;

    let k = &s.complaints;
    c.probability("complaints.rate", k.rate)?;
    c.probability("complaints.accuracy", k.accuracy)?;
    c.probability("complaints.forwarding", k.forwarding)?;
    c.non_negative("complaints.capacity", k.capacity)?;
    c.non_negative("complaints.handling_cost", k.handling_cost)?;

    let n = &s.ngo;
    c.non_negative("ngo.capacity", n.capacity)?;
    c.probability("ngo.litigation_share", n.litigation_share)?;
    c.probability("ngo.campaign_effect", n.campaign_effect)?;

    let ce = &s.central;
    c.count(
        "central.inspection_period",
        ce.inspection_period.into(),
        0,
        100_000,
    )?;
    c.probability("central.inspection_rate", ce.inspection_rate)?;
    c.non_negative("central.inspection_cost", ce.inspection_cost)?;
    c.range(
        "central.accountability_half_life",
        ce.accountability_half_life,
        1e-3,
        1e6,
    )?;
    c.range("central.escalation", ce.escalation, 0.0, 100.0)?;

    let lo = &s.local;
    c.probability("local.capture", lo.capture)?;
    c.range("local.intensity_min", lo.intensity_min, 0.0, 100.0)?;
    c.range(
        "local.intensity_max",
        lo.intensity_max,
        lo.intensity_min.max(1.0),
        100.0,
    )?;
    c.non_negative("local.appropriation", lo.appropriation)?;

    let co = &s.compensation;
    let scheme = c.choice(
        "compensation.scheme",
        &co.scheme,
        Scheme::parse,
        Scheme::ALLOWED,
    )?;
    let compensation_use = c.choice(
        "compensation.use_for",
        &co.use_for,
        CompensationUse::parse,
        CompensationUse::ALLOWED,
    )?;
    c.non_negative("compensation.amount", co.amount)?;
    c.range("compensation.standard", co.standard, 1e-6, 100.0)?;
    c.count("compensation.period", co.period.into(), 1, 1200)?;
    c.range("compensation.pigou_share", co.pigou_share, 0.0, 10.0)?;

    let cooperation = c.choice(
        "cooperation.mode",
        &s.cooperation.mode,
        CooperationMode::parse,
        CooperationMode::ALLOWED,
    )?;
    c.probability(
        "cooperation.joint_inspection_rate",
        s.cooperation.joint_inspection_rate,
    )?;

    let t = &s.targets;
    c.range("targets.stock", t.stock, 1e-9, 1e12)?;
    c.range("targets.margin", t.margin, 0.0, 0.99)?;
    let decomposition = c.choice(
        "targets.decomposition",
        &t.decomposition,
        Decomposition::parse,
        Decomposition::ALLOWED,
    )?;
    let allocation = c.choice(
        "targets.allocation",
        &t.allocation,
        Allocation::parse,
        Allocation::ALLOWED,
    )?;
    c.range(
        "targets.standard_abatement",
        t.standard_abatement,
        1e-6,
        1.0,
    )?;
    c.probability("targets.min_abatement", t.min_abatement)?;
    c.range(
        "targets.max_abatement",
        t.max_abatement,
        t.min_abatement,
        1.0,
    )?;

    let f = &s.feedback;
    let feedback = c.choice(
        "feedback.mode",
        &f.mode,
        FeedbackMode::parse,
        FeedbackMode::ALLOWED,
    )?;
    c.count("feedback.period", f.period.into(), 1, 1200)?;
    c.count(
        "feedback.evaluation_period",
        f.evaluation_period.into(),
        0,
        100_000,
    )?;
    c.range("feedback.gain", f.gain, 0.0, 100.0)?;
    c.range("feedback.cap_gain", f.cap_gain, 0.0, 10.0)?;

    // Cost-benefit caps and Pigou payments price a tonne by the damage it does while it stays in the
    // basin (`pollution::Residence`): finite only if pollution decays, and computed densely (O(N³)) on
    // a matrix basin.
    if prices_damage(decomposition, scheme) {
        let key = if decomposition == Decomposition::CostBenefit {
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
        if matches!(topology, Topology::Matrix(_)) && w.regions > MAX_PRICED_MATRIX {
            return Err(c.fail(
                "world.regions",
                w.regions,
                format!(
                    "at most {MAX_PRICED_MATRIX} regions on a matrix basin when {key} prices damage per tonne (the damage matrix is dense)"
                ),
            ));
        }
    }

    // A window longer than the run is the whole run (see `tables::final_window_means`).
    c.count("output.window", s.output.window.into(), 1, 100_000)?;

    Ok(Params {
        topology,
        sharing,
        responsibility,
        targeting,
        scheme,
        compensation_use,
        cooperation,
        decomposition,
        allocation,
        feedback,
        s,
    })
}

fn prices_damage(decomposition: Decomposition, scheme: Scheme) -> bool {
    decomposition == Decomposition::CostBenefit || scheme == Scheme::Pigou
}

fn check_adjacency(c: &Checker, w: &super::World) -> Result<Vec<Vec<f64>>, InputError> {
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
