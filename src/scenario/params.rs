//! [`Params`]: a validated scenario, the only form the model reads. Every choice is an enum, the
//! topology is parsed, every number is inside its registered range; sections without choices are the
//! scenario's own (all-numeric) sections. Immutable once built; [`Params::to_scenario`] gives back the
//! raw form for `cogov check`, the manifest and re-validation with overrides.

use super::{
    Central, Compensation, Complaints, Cooperation, Departments, Enterprises, Feedback,
    Information, Law, Local, Monitoring, Ngo, Output, Public, Responsibility, Scenario, Targets,
    World,
};

/// Spillover graph between regions.
#[derive(Debug, Clone, PartialEq)]
pub enum Topology {
    /// Region r flows into r + 1 with share `spillover`; the last region flows out of the basin.
    Chain,
    /// A river network: region r flows into its downstream region with share `spillover` (`None`: a
    /// river mouth, whose spillover leaves the basin). Several basins are several trees.
    Tree(Vec<Option<usize>>),
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
            /// The values a scenario may give, as written.
            pub const ALLOWED: &'static [&'static str] = &[$($text),+];
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
            /// The value as a scenario writes it.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }
    };
}

choice!(
    /// The shape of the spillover graph (`world.topology`).
    TopologyKind { Chain = "chain", Tree = "tree", Matrix = "matrix" }
);
choice!(
    /// Lever 1.
    Sharing { Silo = "silo", Shared = "shared" }
);
choice!(
    /// Lever 2: overlapping mandates; one competent department; a lead department coordinating
    /// departments that keep their competence; a river chief who orders departments to act.
    ResponsibilityMode {
        Diffuse = "diffuse",
        Clear = "clear",
        Lead = "lead",
        RiverChief = "river_chief",
    }
);
choice!(
    /// Lever 3: who pays the daily penalty — every sanctioned violator for `correction_days`, or only
    /// a refuser of a correction order, found by a follow-up (EPL 2014 art. 59).
    DailyPenaltyFor { EverySanction = "every_sanction", Refusers = "refusers" }
);
choice!(
    /// Lever 4 (inspection selection).
    Targeting { Random = "random", Risk = "risk" }
);
choice!(
    /// Lever 4: who runs the ambient monitoring stations — the local government, which can shade
    /// what it reports, or the province above it (the 2016 vertical-management reform).
    Management { Local = "local", Vertical = "vertical" }
);
choice!(
    /// Lever 5.
    Scheme { None = "none", Boundary = "boundary", Fund = "fund", Pigou = "pigou" }
);
choice!(
    /// Lever 5: what a boundary settlement compares — the stock with `standard`·T, or the Xin'an
    /// index k·S̄/S₀ with 1 (S₀ the base-period stock).
    BoundaryIndex { Standard = "standard", Baseline = "baseline" }
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
    /// Lever 7: what a region is assessed against — the quality standard, or no worse than its
    /// baseline at the boundary section.
    TargetKind { Absolute = "absolute", NonDeterioration = "non_deterioration" }
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

/// The values a choice key may take, by key path.
pub fn choices(path: &str) -> Option<&'static [&'static str]> {
    Some(match path {
        "world.topology" => TopologyKind::ALLOWED,
        "information.sharing" => Sharing::ALLOWED,
        "responsibility.mode" => ResponsibilityMode::ALLOWED,
        "monitoring.targeting" => Targeting::ALLOWED,
        "monitoring.management" => Management::ALLOWED,
        "law.daily_penalty_for" => DailyPenaltyFor::ALLOWED,
        "compensation.scheme" => Scheme::ALLOWED,
        "compensation.use_for" => CompensationUse::ALLOWED,
        "compensation.index" => BoundaryIndex::ALLOWED,
        "cooperation.mode" => CooperationMode::ALLOWED,
        "targets.decomposition" => Decomposition::ALLOWED,
        "targets.kind" => TargetKind::ALLOWED,
        "targets.allocation" => Allocation::ALLOWED,
        "feedback.mode" => FeedbackMode::ALLOWED,
        _ => return None,
    })
}

/// The basin (`[world]`), validated.
#[derive(Debug, Clone, PartialEq)]
pub struct WorldParams {
    pub regions: u32,
    pub topology: Topology,
    pub spillover: f64,
    pub decay: f64,
    pub initial_stock: f64,
    pub damage_per_tonne: f64,
    /// People living in a region (a prefecture-level unit).
    pub population: u32,
}

/// Lever 1 (`[information]`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InformationParams {
    pub sharing: Sharing,
}

/// Lever 2 (`[responsibility]`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResponsibilityParams {
    pub mode: ResponsibilityMode,
    pub overlap: u32,
    pub handling_cost_ratio: f64,
    pub coordination_cost: f64,
    pub chief_response: f64,
}

/// Lever 3 (`[law]`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LawParams {
    pub fine: f64,
    pub daily_penalty: f64,
    pub correction_days: f64,
    pub daily_penalty_for: DailyPenaltyFor,
    pub follow_up: f64,
    pub seal_up: f64,
    pub clarity: f64,
}

/// Lever 4 (`[monitoring]`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonitoringParams {
    pub coverage: f64,
    pub false_negative: f64,
    pub false_positive: f64,
    pub latency: u32,
    pub noise: f64,
    pub targeting: Targeting,
    pub management: Management,
    pub audit_rate: f64,
}

/// Lever 5 (`[compensation]`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompensationParams {
    pub scheme: Scheme,
    pub amount: f64,
    pub standard: f64,
    pub index: BoundaryIndex,
    pub stability: f64,
    pub use_for: CompensationUse,
    pub period: u32,
    pub pigou_share: f64,
}

/// Lever 6 (`[cooperation]`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CooperationParams {
    pub mode: CooperationMode,
    pub joint_inspection_rate: f64,
}

/// Lever 7 (`[targets]`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TargetsParams {
    pub stock: f64,
    pub kind: TargetKind,
    pub margin: f64,
    pub decomposition: Decomposition,
    pub allocation: Allocation,
    pub standard_abatement: f64,
    pub min_abatement: f64,
    pub max_abatement: f64,
    /// The environment's veto in the cadre evaluation (一票否决).
    pub veto: bool,
}

/// Lever 8 (`[feedback]`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FeedbackParams {
    pub mode: FeedbackMode,
    pub period: u32,
    pub evaluation_period: u32,
    pub gain: f64,
    pub cap_gain: f64,
}

/// A validated scenario. Built only by validation (`scenario::validate`).
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    pub name: String,
    pub seed: u64,
    pub steps: u32,
    pub replicates: u32,
    pub world: WorldParams,
    pub enterprises: Enterprises,
    pub public: Public,
    pub departments: Departments,
    pub information: InformationParams,
    pub responsibility: ResponsibilityParams,
    pub law: LawParams,
    pub monitoring: MonitoringParams,
    pub complaints: Complaints,
    pub ngo: Ngo,
    pub central: Central,
    pub local: Local,
    pub compensation: CompensationParams,
    pub cooperation: CooperationParams,
    pub targets: TargetsParams,
    pub feedback: FeedbackParams,
    pub output: Output,
}

impl Params {
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether cost-benefit caps or Pigou payments price a tonne by its damage (`pollution::Residence`).
    pub fn prices_damage(&self) -> bool {
        prices_damage(self.targets.decomposition, self.compensation.scheme)
    }

    pub fn departments(&self) -> usize {
        self.departments.names.len()
    }

    /// People one resident agent stands for: `world.population / public.per_region` (0 without
    /// resident agents).
    pub fn people_per_agent(&self) -> f64 {
        if self.public.per_region == 0 {
            0.0
        } else {
            f64::from(self.world.population) / f64::from(self.public.per_region)
        }
    }

    /// Expected complaints per month of one resident agent that is fully aware and faces fully
    /// visible pollution: the per-person rate times the people the agent stands for.
    pub fn complaints_per_agent(&self) -> f64 {
        self.complaints.rate_per_1000 / 1000.0 * self.people_per_agent()
    }

    /// Monthly awareness gain of every resident from one region's NGO campaigns: the gain per check
    /// per 100,000 people, times checks, over the region's population in 100,000s.
    pub fn campaign_gain(&self) -> f64 {
        self.ngo.campaign_per_100k * self.ngo.capacity * 1e5 / f64::from(self.world.population)
    }

    /// The scenario as a file would write it.
    pub fn to_scenario(&self) -> Scenario {
        let (topology, adjacency, downstream) = match &self.world.topology {
            Topology::Chain => (TopologyKind::Chain, Vec::new(), Vec::new()),
            Topology::Tree(d) => (
                TopologyKind::Tree,
                Vec::new(),
                d.iter().map(|d| d.map_or(-1, |d| d as i64)).collect(),
            ),
            Topology::Matrix(a) => (TopologyKind::Matrix, a.clone(), Vec::new()),
        };
        let w = &self.world;
        let r = &self.responsibility;
        let m = &self.monitoring;
        let c = &self.compensation;
        let t = &self.targets;
        let f = &self.feedback;
        Scenario {
            name: self.name.clone(),
            extends: None,
            seed: self.seed,
            steps: self.steps,
            replicates: self.replicates,
            world: World {
                regions: w.regions,
                topology: topology.as_str().into(),
                spillover: w.spillover,
                decay: w.decay,
                adjacency,
                downstream,
                initial_stock: w.initial_stock,
                damage_per_tonne: w.damage_per_tonne,
                population: w.population,
            },
            enterprises: self.enterprises.clone(),
            public: self.public.clone(),
            departments: self.departments.clone(),
            information: Information {
                sharing: self.information.sharing.as_str().into(),
            },
            responsibility: Responsibility {
                mode: r.mode.as_str().into(),
                overlap: r.overlap,
                handling_cost_ratio: r.handling_cost_ratio,
                coordination_cost: r.coordination_cost,
                chief_response: r.chief_response,
            },
            law: Law {
                fine: self.law.fine,
                daily_penalty: self.law.daily_penalty,
                correction_days: self.law.correction_days,
                daily_penalty_for: self.law.daily_penalty_for.as_str().into(),
                follow_up: self.law.follow_up,
                seal_up: self.law.seal_up,
                clarity: self.law.clarity,
            },
            monitoring: Monitoring {
                coverage: m.coverage,
                false_negative: m.false_negative,
                false_positive: m.false_positive,
                latency: m.latency,
                noise: m.noise,
                targeting: m.targeting.as_str().into(),
                management: m.management.as_str().into(),
                audit_rate: m.audit_rate,
            },
            complaints: self.complaints.clone(),
            ngo: self.ngo.clone(),
            central: self.central.clone(),
            local: self.local.clone(),
            compensation: Compensation {
                scheme: c.scheme.as_str().into(),
                amount: c.amount,
                standard: c.standard,
                index: c.index.as_str().into(),
                stability: c.stability,
                use_for: c.use_for.as_str().into(),
                period: c.period,
                pigou_share: c.pigou_share,
            },
            cooperation: Cooperation {
                mode: self.cooperation.mode.as_str().into(),
                joint_inspection_rate: self.cooperation.joint_inspection_rate,
            },
            targets: Targets {
                stock: t.stock,
                kind: t.kind.as_str().into(),
                margin: t.margin,
                decomposition: t.decomposition.as_str().into(),
                allocation: t.allocation.as_str().into(),
                standard_abatement: t.standard_abatement,
                min_abatement: t.min_abatement,
                max_abatement: t.max_abatement,
                veto: t.veto,
            },
            feedback: Feedback {
                mode: f.mode.as_str().into(),
                period: f.period,
                evaluation_period: f.evaluation_period,
                gain: f.gain,
                cap_gain: f.cap_gain,
            },
            output: self.output.clone(),
        }
    }

    /// The fully resolved scenario as TOML, as `cogov check` prints it.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(&self.to_scenario()).expect("a validated scenario serializes")
    }
}

pub(super) fn prices_damage(decomposition: Decomposition, scheme: Scheme) -> bool {
    decomposition == Decomposition::CostBenefit || scheme == Scheme::Pigou
}
