//! Scenario files: the raw TOML structures, their defaults, and the path from a file on disk to the
//! immutable, validated [`Params`] the model reads.
//!
//! Stages (ODD "Input data" and "Initialization"): `load` reads a file and its `extends` chain into one
//! TOML table while remembering which file set every key; `--set` overrides go on top; `schema` checks
//! every key and type against the defaults below; serde turns the table into [`Scenario`]; `validate`
//! checks every key against the parameter registry (`registry`) and yields the typed [`Params`].
//! Defaults describe today's *fragmented* arrangements; `scenarios/coordinated.toml` switches the nine
//! levers. Each key's unit, ranges, lever, source and meaning are in the registry, from which the
//! parameter table of `docs/MODEL.md` is generated.

mod load;
pub mod params;
mod provenance;
pub mod registry;
pub mod schema;
mod validate;

pub(crate) use load::read_chain;
pub use load::{ScenarioSource, load_scenario, resolve_str, with_overrides};
pub use params::{
    Allocation, CompensationUse, CooperationMode, Decomposition, FeedbackMode, Params,
    ResponsibilityMode, Scheme, Sharing, Targeting, Topology,
};
pub use validate::{MAX_AGENTS, MAX_PRICED_MATRIX};

use std::path::PathBuf;

/// The shipped scenarios, experiments and games: `scenarios/` in the current directory (the
/// repository root). Commands that use them (`compare` without files, `reproduce`, `validate`) need it
/// there; nothing falls back to the directory the binary was built in.
pub fn shipped_dir() -> Result<PathBuf, crate::error::InputError> {
    let dir = PathBuf::from("scenarios");
    if dir.is_dir() {
        Ok(dir)
    } else {
        let here = std::env::current_dir()
            .map(|d| d.display().to_string())
            .unwrap_or_else(|_| ".".into());
        Err(crate::error::InputError::Usage(format!(
            "no scenarios/ directory in {here}: run this command from the repository root, where the \
             shipped scenarios are (or give scenario files, for run and compare)"
        )))
    }
}

use serde::{Deserialize, Serialize};

/// A whole scenario as written in TOML, after `extends` and `--set` have been applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    /// Scenario name; defaults to the file stem.
    pub name: String,
    /// Parent scenario, relative to this file. Removed from the resolved scenario.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    /// Master seed of every random stream.
    pub seed: u64,
    /// Number of steps (months).
    pub steps: u32,
    /// Number of independent replicates.
    pub replicates: u32,
    pub world: World,
    pub enterprises: Enterprises,
    pub public: Public,
    pub departments: Departments,
    pub information: Information,
    pub responsibility: Responsibility,
    pub law: Law,
    pub monitoring: Monitoring,
    pub complaints: Complaints,
    pub ngo: Ngo,
    pub central: Central,
    pub local: Local,
    pub compensation: Compensation,
    pub cooperation: Cooperation,
    pub targets: Targets,
    pub feedback: Feedback,
    pub output: Output,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            name: "default".into(),
            extends: None,
            seed: 20240601,
            steps: 120,
            replicates: 20,
            world: World::default(),
            enterprises: Enterprises::default(),
            public: Public::default(),
            departments: Departments::default(),
            information: Information::default(),
            responsibility: Responsibility::default(),
            law: Law::default(),
            monitoring: Monitoring::default(),
            complaints: Complaints::default(),
            ngo: Ngo::default(),
            central: Central::default(),
            local: Local::default(),
            compensation: Compensation::default(),
            cooperation: Cooperation::default(),
            targets: Targets::default(),
            feedback: Feedback::default(),
            output: Output::default(),
        }
    }
}

/// Regions and the spillover graph (ODD: entities "region"; submodel "Pollution").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct World {
    pub regions: u32,
    /// `"chain"` (a river, region 0 upstream) or `"matrix"` (use `adjacency`).
    pub topology: String,
    /// Share of a region's stock that flows downstream each step (chain topology).
    pub spillover: f64,
    /// Share of a region's stock removed by natural decay each step (δ).
    pub decay: f64,
    /// Matrix topology: `adjacency[u][d]` is the share of region u's stock moving to d each step.
    pub adjacency: Vec<Vec<f64>>,
    /// Initial stock as a multiple of the region's target.
    pub initial_stock: f64,
    /// Environmental damage per tonne of stock per month (million yuan).
    pub damage_per_tonne: f64,
}

impl Default for World {
    fn default() -> Self {
        World {
            regions: 8,
            topology: "chain".into(),
            spillover: 0.3,
            decay: 0.1,
            adjacency: Vec::new(),
            initial_stock: 1.5,
            damage_per_tonne: 0.015,
        }
    }
}

/// Enterprise population and decision rule (ODD: entities "enterprise"; submodel "Enterprise decisions").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Enterprises {
    pub per_region: u32,
    /// Mean monthly output (million yuan); log-normal across enterprises.
    pub output_mean: f64,
    /// Log-normal shape σ of output.
    pub output_sigma: f64,
    /// Mean emission intensity (tonnes per million yuan of output); log-normal.
    pub intensity_mean: f64,
    pub intensity_sigma: f64,
    /// Mean monthly cost of meeting the reference abatement, as a share of output.
    pub abatement_cost_share: f64,
    /// Cost heterogeneity: an enterprise's cost factor is uniform on [1 − spread, 1 + spread].
    pub abatement_cost_spread: f64,
    /// Logit temperature τ of the compliance choice (million yuan); 0 = exact best response.
    pub rationality: f64,
    /// Weight w of the newest experience in the learned sanction probability.
    pub learning_rate: f64,
    /// Initial belief about the monthly probability of being sanctioned when violating.
    pub prior_sanction: f64,
    /// Reputational cost of a disclosed sanction (million yuan), scaled by `public.disclosure`.
    pub reputation_cost: f64,
}

impl Default for Enterprises {
    fn default() -> Self {
        Enterprises {
            per_region: 250,
            output_mean: 2.0,
            output_sigma: 0.8,
            intensity_mean: 0.5,
            intensity_sigma: 0.5,
            abatement_cost_share: 0.02,
            abatement_cost_spread: 1.0,
            rationality: 0.008,
            learning_rate: 0.1,
            prior_sanction: 0.1,
            reputation_cost: 0.12,
        }
    }
}

/// The public and its social network (ODD: entities "resident"; submodel "Awareness").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Public {
    pub per_region: u32,
    /// Neighbours per resident on the ring lattice (even).
    pub neighbors: u32,
    /// Share of lattice links rewired to a random resident of the community (Watts–Strogatz).
    pub rewiring: f64,
    /// Residents per community within which rewired ties fall; 0 = the whole region.
    pub community: u32,
    /// Peer influence μ: weight of the neighbourhood mean in the awareness update.
    pub peer_influence: f64,
    /// Monthly awareness gain from environmental education, at full education level.
    pub education: f64,
    /// Share of monitoring data and sanction decisions disclosed to the public.
    pub disclosure: f64,
    /// Share of pollution the public notices without disclosure.
    pub visibility: f64,
    /// Monthly awareness gain from observed pollution at full visibility.
    pub observation_gain: f64,
    /// Monthly forgetting rate of awareness.
    pub forgetting: f64,
    pub initial_awareness: f64,
}

impl Default for Public {
    fn default() -> Self {
        Public {
            per_region: 5000,
            neighbors: 6,
            rewiring: 0.05,
            community: 4096,
            peer_influence: 0.2,
            education: 0.002,
            disclosure: 0.2,
            visibility: 0.3,
            observation_gain: 0.02,
            forgetting: 0.01,
            initial_awareness: 0.2,
        }
    }
}

/// Departments of each local government (ODD: entities "department"; submodel "Inspections").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Departments {
    /// Department names; index 0 holds the online-monitoring data (environment).
    pub names: Vec<String>,
    /// Share of the enforcement budget each department receives.
    pub budget_shares: Vec<f64>,
    /// Share of violations for which each department is the primary competent authority.
    pub violation_shares: Vec<f64>,
    /// Monthly enforcement budget per region at intensity 1 (million yuan).
    pub budget: f64,
    /// Cost of one on-site inspection (million yuan).
    pub inspection_cost: f64,
    /// Share of violations an on-site inspector misses.
    pub inspector_miss: f64,
}

impl Default for Departments {
    fn default() -> Self {
        Departments {
            names: vec![
                "environment".into(),
                "water_resources".into(),
                "natural_resources".into(),
                "market_regulation".into(),
            ],
            budget_shares: vec![0.4, 0.2, 0.2, 0.2],
            violation_shares: vec![0.4, 0.3, 0.15, 0.15],
            budget: 0.3,
            inspection_cost: 0.01,
            inspector_miss: 0.3,
        }
    }
}

/// Lever 1: information sharing (ODD submodel "Inspections → routing").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Information {
    /// `"silo"`: a detection counts only in the department that holds it; `"shared"`: pooled platform.
    pub sharing: String,
}

impl Default for Information {
    fn default() -> Self {
        Information {
            sharing: "silo".into(),
        }
    }
}

/// Lever 2: responsibility (ODD submodel "Responsibility").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Responsibility {
    /// `"diffuse"` (overlapping mandates) or `"clear"` (lead department, joint working group).
    pub mode: String,
    /// Diffuse mode: number of departments sharing each violation type (n ≥ 1).
    pub overlap: u32,
    /// Cost-to-benefit ratio c/v of taking up a case for one department (volunteer's dilemma).
    pub handling_cost_ratio: f64,
    /// Clear mode: share of the enforcement budget spent on coordination (joint working group).
    pub coordination_cost: f64,
}

impl Default for Responsibility {
    fn default() -> Self {
        Responsibility {
            mode: "diffuse".into(),
            overlap: 2,
            handling_cost_ratio: 0.5,
            coordination_cost: 0.05,
        }
    }
}

/// Lever 3: the legal regime (ODD submodel "Sanctions").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Law {
    /// Fine per sanctioned violation (million yuan).
    pub fine: f64,
    /// Continuous daily penalty (million yuan per day); 0 = no daily penalties.
    pub daily_penalty: f64,
    /// Days a sanctioned enterprise takes to correct, during which the daily penalty runs.
    pub correction_days: f64,
    /// Legal clarity: share of detected, handled violations that end in an enforceable sanction.
    pub clarity: f64,
}

impl Default for Law {
    fn default() -> Self {
        Law {
            fine: 0.2,
            daily_penalty: 0.0,
            correction_days: 10.0,
            clarity: 0.55,
        }
    }
}

/// Lever 4: the monitoring regime (ODD submodel "Monitoring").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Monitoring {
    /// Share of enterprises (largest emitters first) under continuous online monitoring.
    pub coverage: f64,
    /// Probability online monitoring misses a violation in a month.
    pub false_negative: f64,
    /// Probability online monitoring flags a compliant enterprise in a month.
    pub false_positive: f64,
    /// Months between the state of the water and the data the governments act on.
    pub latency: u32,
    /// Relative standard deviation of monitored stock values.
    pub noise: f64,
    /// Inspection selection: `"random"` or `"risk"` (probability proportional to emissions).
    pub targeting: String,
}

impl Default for Monitoring {
    fn default() -> Self {
        Monitoring {
            coverage: 0.3,
            false_negative: 0.2,
            false_positive: 0.05,
            latency: 3,
            noise: 0.1,
            targeting: "random".into(),
        }
    }
}

/// Complaints of the public (ODD submodel "Complaints").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Complaints {
    /// Monthly probability a fully aware resident facing fully visible pollution complains.
    pub rate: f64,
    /// Probability a complaint names a real violator, times the regional violation share.
    pub accuracy: f64,
    /// Silo mode: probability a complaint sent to a non-competent department is forwarded.
    pub forwarding: f64,
    /// Complaints a region can handle per month.
    pub capacity: f64,
    /// Cost of handling one complaint (million yuan).
    pub handling_cost: f64,
}

impl Default for Complaints {
    fn default() -> Self {
        Complaints {
            rate: 0.01,
            accuracy: 0.5,
            forwarding: 0.4,
            capacity: 40.0,
            handling_cost: 0.001,
        }
    }
}

/// NGOs (ODD submodel "NGOs"); part of lever 9.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Ngo {
    /// Enterprises NGOs check per region per month.
    pub capacity: f64,
    /// Share of NGO-detected violations taken to public-interest litigation.
    pub litigation_share: f64,
    /// Monthly awareness gain per NGO check per 100 residents (campaigns).
    pub campaign_effect: f64,
}

impl Default for Ngo {
    fn default() -> Self {
        Ngo {
            capacity: 1.0,
            litigation_share: 0.2,
            campaign_effect: 0.05,
        }
    }
}

/// Central government: periodic central environmental inspections (ODD submodel "Central inspections").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Central {
    /// Months between two inspection rounds of the same region; 0 = none.
    pub inspection_period: u32,
    /// Share of a region's enterprises the central team inspects in its campaign month.
    pub inspection_rate: f64,
    /// Cost of one central inspection (million yuan).
    pub inspection_cost: f64,
    /// Half-life (months) of the accountability a campaign leaves behind.
    pub accountability_half_life: f64,
    /// Enforcement intensity added to a region found missing its target.
    pub escalation: f64,
}

impl Default for Central {
    fn default() -> Self {
        Central {
            inspection_period: 48,
            inspection_rate: 0.2,
            inspection_cost: 0.02,
            accountability_half_life: 12.0,
            escalation: 0.25,
        }
    }
}

/// Local governments (ODD: entities "local government"; submodels "Capture", "Feedback").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Local {
    /// Probability a sanction is waived for an enterprise of average output, without accountability.
    pub capture: f64,
    /// Lower and upper bound of enforcement intensity.
    pub intensity_min: f64,
    pub intensity_max: f64,
    /// Monthly central appropriation per region (million yuan), received by the treasury.
    pub appropriation: f64,
}

impl Default for Local {
    fn default() -> Self {
        Local {
            capture: 0.3,
            intensity_min: 0.25,
            intensity_max: 4.0,
            appropriation: 0.4,
        }
    }
}

/// Lever 5: ecological compensation (ODD submodel "Compensation").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Compensation {
    /// `"none"`, `"boundary"` (Xin'an-style bilateral agreements), `"fund"` (provincial fund) or
    /// `"pigou"` (beneficiaries pay per tonne abated upstream, priced at the damage it would do them).
    pub scheme: String,
    /// Yearly amount per boundary (boundary) or per region (fund) (million yuan).
    pub amount: f64,
    /// Boundary standard: the upstream stock may not exceed this multiple of its target.
    pub standard: f64,
    /// What received money pays for: `"enforcement"` or `"subsidy"` (abatement subsidies).
    pub use_for: String,
    /// Months between settlements.
    pub period: u32,
    /// Pigou scheme: share of the downstream damage a tonne would have done that its beneficiaries pay
    /// for each tonne abated (1 = the full marginal damage).
    pub pigou_share: f64,
}

impl Default for Compensation {
    fn default() -> Self {
        Compensation {
            scheme: "none".into(),
            amount: 6.0,
            standard: 1.0,
            use_for: "enforcement".into(),
            period: 12,
            pigou_share: 1.0,
        }
    }
}

/// Lever 6: inter-regional cooperation (ODD submodel "Feedback → pressure").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Cooperation {
    /// `"protectionist"` (own region only) or `"joint"` (downstream damage counts; joint enforcement).
    pub mode: String,
    /// Joint mode: share of the provincial joint team's inspections per enterprise per month.
    pub joint_inspection_rate: f64,
}

impl Default for Cooperation {
    fn default() -> Self {
        Cooperation {
            mode: "protectionist".into(),
            joint_inspection_rate: 0.02,
        }
    }
}

/// Lever 7: goal decomposition (ODD submodel "Targets").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Targets {
    /// Quality target: stock per region (tonnes).
    pub stock: f64,
    /// Safety margin: governments steer caps and intensity towards (1 − margin)·stock.
    pub margin: f64,
    /// `"macro"` (uniform abatement standard), `"caps"` (enterprise caps from the target) or
    /// `"cost_benefit"` (abatement where marginal cost equals the marginal damage the region counts).
    pub decomposition: String,
    /// How caps split a region's requirement: `"uniform"` (equal shares) or `"least_cost"`.
    pub allocation: String,
    /// Abatement share required of a compliant enterprise under macro targets (reference level).
    pub standard_abatement: f64,
    /// Bounds on the abatement share a cap may require.
    pub min_abatement: f64,
    pub max_abatement: f64,
}

impl Default for Targets {
    fn default() -> Self {
        Targets {
            stock: 800.0,
            margin: 0.1,
            decomposition: "macro".into(),
            allocation: "uniform".into(),
            standard_abatement: 0.6,
            min_abatement: 0.2,
            max_abatement: 0.9,
        }
    }
}

/// Lever 8: the feedback loop (ODD submodel "Feedback").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Feedback {
    /// `"one_way"` (adjust only at evaluations) or `"closed"` (adjust every `period` months).
    pub mode: String,
    /// Closed loop: months between adjustments.
    pub period: u32,
    /// One-way: months between evaluations (0 = never).
    pub evaluation_period: u32,
    /// Integral gain: intensity change per unit of relative target gap.
    pub gain: f64,
    /// Closed loop with caps: change of the required abatement share per unit of relative gap.
    pub cap_gain: f64,
}

impl Default for Feedback {
    fn default() -> Self {
        Feedback {
            mode: "one_way".into(),
            period: 3,
            evaluation_period: 60,
            gain: 0.3,
            cap_gain: 0.1,
        }
    }
}

/// What to record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Output {
    /// Final evaluation window (steps) for `summary.csv`; capped at `steps`.
    pub window: u32,
    /// Write `regions.csv` (one row per scenario × replicate × step × region).
    pub regions: bool,
}

impl Default for Output {
    fn default() -> Self {
        Output {
            window: 12,
            regions: false,
        }
    }
}
