//! The scenario as written in TOML: one struct per section, with the defaults of every key (today's
//! fragmented arrangements). Each key's unit, range and meaning are in the parameter registry
//! (`registry.toml`); these structs give the types and defaults.

use serde::{Deserialize, Serialize};

/// A whole scenario as written in TOML, after `extends` and `--set` have been applied. Each field's
/// unit, range and meaning are in the parameter registry (`registry.toml`, `cogov params`); the
/// structs give the types and the defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    pub seed: u64,
    pub steps: u32,
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

/// Regions and the spillover graph (`docs/MODEL.md` §2 and §7.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct World {
    pub regions: u32,
    pub topology: String,
    pub spillover: f64,
    pub decay: f64,
    pub adjacency: Vec<Vec<f64>>,
    pub downstream: Vec<i64>,
    pub initial_stock: f64,
    pub damage_per_tonne: f64,
    pub population: u32,
}

impl Default for World {
    fn default() -> Self {
        World {
            regions: 8,
            topology: "chain".into(),
            spillover: 0.3,
            decay: 0.1,
            adjacency: Vec::new(),
            downstream: Vec::new(),
            initial_stock: 1.5,
            damage_per_tonne: 0.015,
            population: 4_200_000,
        }
    }
}

/// Enterprise population and decision rule (§2 and §7.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Enterprises {
    pub per_region: u32,
    pub output_mean: f64,
    pub output_sigma: f64,
    pub intensity_mean: f64,
    pub intensity_sigma: f64,
    pub abatement_cost_share: f64,
    pub abatement_cost_spread: f64,
    pub rationality: f64,
    pub learning_rate: f64,
    pub prior_sanction: f64,
    pub reputation_cost: f64,
}

impl Default for Enterprises {
    fn default() -> Self {
        Enterprises {
            per_region: 2400,
            output_mean: 0.2083,
            output_sigma: 2.15,
            intensity_mean: 0.5,
            intensity_sigma: 0.5,
            abatement_cost_share: 0.0013,
            abatement_cost_spread: 1.0,
            rationality: 0.00005,
            learning_rate: 0.1,
            prior_sanction: 0.1,
            reputation_cost: 0.12,
        }
    }
}

/// The public and its social network (§2 and §7.5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Public {
    pub per_region: u32,
    pub neighbors: u32,
    pub rewiring: f64,
    pub community: u32,
    pub peer_influence: f64,
    pub education: f64,
    pub disclosure: f64,
    pub visibility: f64,
    pub observation_gain: f64,
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

/// Departments of each local government (§2 and §7.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Departments {
    pub names: Vec<String>,
    pub budget_shares: Vec<f64>,
    pub violation_shares: Vec<f64>,
    pub budget: f64,
    pub inspection_cost: f64,
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

/// Lever 1: information sharing (§7.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Information {
    pub sharing: String,
}

impl Default for Information {
    fn default() -> Self {
        Information {
            sharing: "silo".into(),
        }
    }
}

/// Lever 2: responsibility (§7.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Responsibility {
    pub mode: String,
    pub overlap: u32,
    pub handling_cost_ratio: f64,
    pub coordination_cost: f64,
    pub chief_response: f64,
}

impl Default for Responsibility {
    fn default() -> Self {
        Responsibility {
            mode: "diffuse".into(),
            overlap: 2,
            handling_cost_ratio: 0.5,
            coordination_cost: 0.05,
            chief_response: 2.0,
        }
    }
}

/// Lever 3: the legal regime (§7.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Law {
    pub fine: f64,
    pub daily_penalty: f64,
    pub correction_days: f64,
    /// `every_sanction` or `refusers`.
    pub daily_penalty_for: String,
    pub follow_up: f64,
    pub seal_up: f64,
    pub clarity: f64,
}

impl Default for Law {
    fn default() -> Self {
        Law {
            fine: 0.088,
            daily_penalty: 0.0,
            correction_days: 10.0,
            daily_penalty_for: "refusers".into(),
            follow_up: 0.5,
            seal_up: 0.0,
            clarity: 0.55,
        }
    }
}

/// Lever 4: the monitoring regime (§7.3, §7.7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Monitoring {
    pub coverage: f64,
    pub false_negative: f64,
    pub false_positive: f64,
    pub latency: u32,
    pub noise: f64,
    pub targeting: String,
    pub management: String,
    pub audit_rate: f64,
}

impl Default for Monitoring {
    fn default() -> Self {
        Monitoring {
            coverage: 0.034,
            false_negative: 0.2,
            false_positive: 0.05,
            latency: 3,
            noise: 0.1,
            targeting: "random".into(),
            management: "local".into(),
            audit_rate: 0.25,
        }
    }
}

/// Complaints of the public (§7.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Complaints {
    pub rate_per_1000: f64,
    pub accuracy: f64,
    pub forwarding: f64,
    pub capacity: f64,
    pub handling_cost: f64,
}

impl Default for Complaints {
    fn default() -> Self {
        Complaints {
            rate_per_1000: 0.012,
            accuracy: 0.5,
            forwarding: 0.4,
            capacity: 40.0,
            handling_cost: 0.001,
        }
    }
}

/// NGOs (§7.3, §7.5); part of lever 9.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Ngo {
    pub capacity: f64,
    pub litigation_share: f64,
    pub campaign_per_100k: f64,
}

impl Default for Ngo {
    fn default() -> Self {
        Ngo {
            capacity: 1.0,
            litigation_share: 0.035,
            campaign_per_100k: 0.042,
        }
    }
}

/// Central government: periodic central environmental inspections (§7.6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Central {
    pub inspection_period: u32,
    pub inspection_rate: f64,
    pub inspection_cost: f64,
    pub accountability_half_life: f64,
    pub escalation: f64,
    pub stay: u32,
    pub complaint_multiplier: f64,
    pub production_limit: f64,
}

impl Default for Central {
    fn default() -> Self {
        Central {
            inspection_period: 48,
            inspection_rate: 0.2,
            inspection_cost: 0.02,
            accountability_half_life: 12.0,
            escalation: 0.25,
            stay: 1,
            complaint_multiplier: 2.75,
            production_limit: 0.05,
        }
    }
}

/// Local governments (§2 and §7.7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Local {
    pub output_weight: f64,
    pub environment_weight: f64,
    pub accountability_cost: f64,
    pub intensity_min: f64,
    pub intensity_max: f64,
    pub appropriation: f64,
}

impl Default for Local {
    fn default() -> Self {
        Local {
            output_weight: 1.0,
            environment_weight: 1.0,
            accountability_cost: 10.0,
            intensity_min: 0.25,
            intensity_max: 4.0,
            appropriation: 0.4,
        }
    }
}

/// Lever 5: ecological compensation (§7.8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Compensation {
    pub scheme: String,
    pub amount: f64,
    pub standard: f64,
    pub index: String,
    pub stability: f64,
    pub use_for: String,
    pub period: u32,
    pub pigou_share: f64,
}

impl Default for Compensation {
    fn default() -> Self {
        Compensation {
            scheme: "none".into(),
            amount: 6.0,
            standard: 1.0,
            index: "standard".into(),
            stability: 0.85,
            use_for: "enforcement".into(),
            period: 12,
            pigou_share: 1.0,
        }
    }
}

/// Lever 6: inter-regional cooperation (§7.7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Cooperation {
    pub mode: String,
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

/// Lever 7: goal decomposition (§7.9).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Targets {
    pub stock: f64,
    pub kind: String,
    pub margin: f64,
    pub decomposition: String,
    pub allocation: String,
    pub standard_abatement: f64,
    pub min_abatement: f64,
    pub max_abatement: f64,
    pub veto: bool,
}

impl Default for Targets {
    fn default() -> Self {
        Targets {
            stock: 800.0,
            kind: "absolute".into(),
            margin: 0.1,
            decomposition: "macro".into(),
            allocation: "uniform".into(),
            standard_abatement: 0.6,
            min_abatement: 0.2,
            max_abatement: 0.9,
            veto: false,
        }
    }
}

/// Lever 8: the feedback loop (§7.7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Feedback {
    pub mode: String,
    pub period: u32,
    pub evaluation_period: u32,
    pub gain: f64,
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
    pub window: u32,
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
