//! The governance model: one [`World`] per replicate, advanced one month at a time (ODD "Process
//! overview and scheduling"). Each step:
//!
//! 1. the public updates awareness and files complaints (`public.rs`), seeing last month's pollution;
//! 2. complaints are routed and handled within capacity (`complaints.rs`);
//! 3. each region's policy is assembled: inspections, routing, sanctions, capture, caps, subsidies
//!    (`inspection.rs`, `targets.rs`, `central.rs`, `local.rs`);
//! 4. enterprises choose compliance and face detection and sanctions (`enterprise.rs`);
//! 5. money moves (`ledger.rs`) and pollution is transported (`pollution.rs`);
//! 6. governments settle compensation, run central inspections and revise intensity and caps
//!    (`compensation.rs`, `central.rs`, `local.rs`);
//! 7. the step is recorded (`observe.rs`) and mass and money conservation are checked.
//!
//! Agents of a family are stepped in fixed-size chunks, each with its own random stream, so results
//! do not depend on the number of threads.

pub mod central;
pub mod compensation;
pub mod complaints;
pub mod enterprise;
pub mod inspection;
pub mod ledger;
pub mod local;
pub mod observe;
pub mod pollution;
pub mod public;
pub mod run;
pub mod size;
pub mod targets;

pub use run::{AgentCounts, ReplicateOutput, ScenarioRun, run_scenario};

use rayon::prelude::*;

use crate::engine::rng::{Purpose, StreamKey};
use crate::scenario::Params;
use crate::scenario::{CompensationUse, CooperationMode, FeedbackMode};
use enterprise::{DecisionRule, Enterprise, EnterpriseTally};
use inspection::{MAX_DEPARTMENTS, RegionPolicy};
use ledger::{Account, Ledger};
use local::{LocalGovernment, MonitorHistory};
use observe::{RegionRecord, StepRecord};
use pollution::{Basin, Residence};
use public::{Network, Public, PublicEnvironment, PublicTally};
use targets::RegionFacts;

/// Enterprises per random-stream chunk.
pub const ENTERPRISE_CHUNK: usize = 1024;
/// Residents per random-stream chunk.
pub const PUBLIC_CHUNK: usize = 4096;

/// One replicate of one scenario.
pub struct World<'p> {
    p: &'p Params,
    key: StreamKey,
    t: u32,
    regions: usize,
    per_region: usize,
    residents_per_region: usize,
    enterprises: Vec<Enterprise>,
    public: Public,
    network: Network,
    basin: Basin,
    locals: Vec<LocalGovernment>,
    ledger: Ledger,
    monitor: MonitorHistory,
    /// Static per-region facts.
    facts: Vec<RegionFacts>,
    mean_output: Vec<f64>,
    /// Damage pricing, when cost-benefit caps or Pigou payments need it.
    residence: Option<Residence>,
    acting: [u16; MAX_DEPARTMENTS],
    take_up: f64,
    reach: f64,
    /// Per-step scratch, allocated once.
    enterprise_tallies: Vec<EnterpriseTally>,
    public_tallies: Vec<PublicTally>,
    policies: Vec<RegionPolicy>,
    environments: Vec<PublicEnvironment>,
    emissions: Vec<f64>,
    period_stock: Vec<f64>,
    period_abated: Vec<f64>,
    net_receipt: Vec<f64>,
    /// Mass bookkeeping for the conservation check.
    initial_mass: f64,
    emitted: f64,
    /// Per-region records of the last step.
    pub region_records: Vec<RegionRecord>,
}

impl<'p> World<'p> {
    /// Build replicate `replicate` of the scenario (ODD "Initialization").
    pub fn new(p: &'p Params, replicate: u32) -> Self {
        let s = &p;
        let key = StreamKey::new(s.seed, replicate);
        let regions = s.world.regions as usize;
        let per_region = s.enterprises.per_region as usize;
        let residents_per_region = s.public.per_region as usize;
        let target = s.targets.stock;

        let mut enterprises = vec![Enterprise::default(); regions * per_region];
        enterprises
            .par_chunks_mut(per_region)
            .enumerate()
            .for_each(|(r, chunk)| init::enterprises(p, &key, r, chunk));
        let mean_output = enterprises
            .chunks(per_region)
            .map(|c| c.iter().map(|e| f64::from(e.output)).sum::<f64>() / per_region as f64)
            .collect();
        let public = init::public(p, &key, regions * residents_per_region);

        let basin = Basin::new(
            &p.world.topology,
            regions,
            s.world.spillover,
            s.world.decay,
            s.world.initial_stock * target,
        );
        let residence = p
            .prices_damage()
            .then(|| basin.residence(&p.world.topology));
        let facts = enterprises
            .chunks(per_region)
            .enumerate()
            .map(|(r, c)| RegionFacts {
                baseline: c.iter().map(|e| f64::from(e.emission)).sum(),
                loss: basin.loss_share(r),
                curvature: RegionFacts::curvature(p, c),
                own_residence: residence.as_ref().map_or(0.0, |g| g.own(r)),
                total_residence: residence.as_ref().map_or(0.0, |g| g.total(r)),
            })
            .collect();
        let monitor = MonitorHistory::new(s.monitoring.latency, &basin.stock);
        let initial_mass = basin.total();
        let mut world = World {
            p,
            key,
            t: 0,
            regions,
            per_region,
            residents_per_region,
            enterprises,
            public,
            network: Network::new(
                s.public.neighbors,
                s.public.rewiring,
                s.public.community as usize,
                key.digest,
            ),
            locals: vec![
                LocalGovernment {
                    intensity: 1.0,
                    accountability: 0.0,
                    earmarked: 0.0,
                    abatement: s.targets.standard_abatement,
                    violation_share: 0.5,
                    complaint_detection: 0.0,
                };
                regions
            ],
            ledger: Ledger::new(regions),
            monitor,
            facts,
            mean_output,
            residence,
            acting: inspection::acting_sets(p),
            take_up: inspection::take_up(p),
            reach: complaints::reach(p, inspection::competent_departments(p)),
            enterprise_tallies: vec![
                EnterpriseTally::default();
                regions * per_region.div_ceil(ENTERPRISE_CHUNK)
            ],
            public_tallies: vec![
                PublicTally::default();
                regions * residents_per_region.div_ceil(PUBLIC_CHUNK)
            ],
            policies: vec![RegionPolicy::default(); regions],
            environments: vec![PublicEnvironment::default(); regions],
            emissions: vec![0.0; regions],
            period_stock: vec![0.0; regions],
            period_abated: vec![0.0; regions],
            net_receipt: vec![0.0; regions],
            initial_mass,
            emitted: 0.0,
            region_records: vec![RegionRecord::default(); regions],
            basin,
        };
        world.revise_caps(&world.basin.stock.clone());
        world
    }

    pub fn step_index(&self) -> u32 {
        self.t
    }

    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    pub fn basin(&self) -> &Basin {
        &self.basin
    }

    /// Monthly emission of region r if no enterprise abated (tonnes).
    pub fn baseline_load(&self, r: usize) -> f64 {
        self.facts[r].baseline
    }

    /// What region r's government knows when it plans caps.
    pub fn region_facts(&self, r: usize) -> RegionFacts {
        self.facts[r]
    }

    /// The enterprises (region-major order).
    pub fn enterprises(&self) -> &[Enterprise] {
        &self.enterprises
    }

    /// Current awareness of every resident (region-major order).
    pub fn awareness(&self) -> &[f32] {
        &self.public.awareness
    }

    /// The neighbours of resident `i` (global index) on the social network.
    pub fn resident_neighbors(&self, i: usize) -> Vec<usize> {
        let n = self.residents_per_region;
        let (start, local) = (i / n * n, i % n);
        (0..2 * self.network.half_degree)
            .map(|slot| start + self.network.neighbor(start, local, slot, n))
            .collect()
    }

    /// Agents per family: (enterprises, residents, local governments, departments).
    pub fn agent_counts(&self) -> (usize, usize, usize, usize) {
        (
            self.enterprises.len(),
            self.public.awareness.len(),
            self.regions,
            self.regions * self.p.departments(),
        )
    }

    /// Advance one month. Fails only if an invariant (mass, money, finite state) is broken.
    pub fn step(&mut self) -> Result<StepRecord, String> {
        let ptally = self.public_phase();
        let complaints = self.complaint_phase(&ptally);
        let campaigns = self.build_policies();
        let etally = self.enterprise_phase();
        let money = self.money_phase(&etally, &complaints, &campaigns);
        for (r, t) in etally.iter().enumerate() {
            self.emissions[r] = t.emissions;
            self.period_abated[r] += self.facts[r].baseline - t.emissions;
        }
        self.emitted += self.emissions.iter().sum::<f64>();
        self.basin.transport(&self.emissions);
        let compensation_paid = self.government_phase(&campaigns);
        let record = self.record(&etally, &ptally, &complaints, money, compensation_paid);
        self.check_invariants(&record)?;
        self.t += 1;
        Ok(record)
    }

    fn public_phase(&mut self) -> Vec<PublicTally> {
        let p = self.p;
        let s = &p;
        let target = s.targets.stock;
        let visibility = s.public.visibility + (1.0 - s.public.visibility) * s.public.disclosure;
        let campaign = if self.residents_per_region > 0 {
            s.ngo.campaign_effect * s.ngo.capacity * 100.0 / self.residents_per_region as f64
        } else {
            0.0
        };
        for r in 0..self.regions {
            let stock = self.basin.stock[r];
            self.environments[r] = PublicEnvironment {
                observed: visibility * stock / (stock + target),
                education: s.public.education,
                observation_gain: s.public.observation_gain,
                campaign,
                peer_influence: s.public.peer_influence,
                forgetting: s.public.forgetting,
                complaint_rate: s.complaints.rate,
                founded: s.complaints.accuracy * self.locals[r].violation_share,
                reach: self.reach,
                handle: self.take_up,
            };
        }
        let n = self.residents_per_region;
        let mut per_region = vec![PublicTally::default(); self.regions];
        if n == 0 {
            return per_region;
        }
        let chunks_per_region = n.div_ceil(PUBLIC_CHUNK);
        let (key, t, net) = (self.key, self.t, self.network);
        let awareness = &self.public.awareness;
        let education = &self.public.education;
        let environments = &self.environments;
        self.public
            .next
            .par_chunks_mut(n)
            .zip(self.public_tallies.par_chunks_mut(chunks_per_region))
            .enumerate()
            .for_each(|(r, (next, tallies))| {
                next.par_chunks_mut(PUBLIC_CHUNK)
                    .zip(tallies.par_iter_mut())
                    .enumerate()
                    .for_each(|(c, (chunk, tally))| {
                        let id = (r * chunks_per_region + c) as u32;
                        let mut rng = key.stream(Purpose::PublicStep, t, id);
                        *tally = public::step_chunk(
                            awareness,
                            education,
                            chunk,
                            r * n + c * PUBLIC_CHUNK,
                            r * n,
                            n,
                            &net,
                            &environments[r],
                            &mut rng,
                        );
                    });
            });
        std::mem::swap(&mut self.public.awareness, &mut self.public.next);
        for (r, tallies) in self.public_tallies.chunks(chunks_per_region).enumerate() {
            tallies.iter().for_each(|t| per_region[r].add(t));
        }
        per_region
    }

    fn complaint_phase(&mut self, ptally: &[PublicTally]) -> Vec<complaints::ComplaintOutcome> {
        let capacity = self.p.complaints.capacity;
        (0..self.regions)
            .map(|r| {
                let t = &ptally[r];
                let violators = self.locals[r].violation_share * self.per_region as f64;
                let o = complaints::settle(
                    t.filed,
                    t.taken_up,
                    t.founded_taken_up,
                    capacity,
                    violators,
                );
                self.locals[r].complaint_detection = o.detection;
                o
            })
            .collect()
    }

    /// Assemble each region's policy for this month; returns which regions host a central campaign.
    fn build_policies(&mut self) -> Vec<bool> {
        let p = self.p;
        let s = &p;
        let miss = s.departments.inspector_miss;
        let sanction = s.law.fine + s.law.daily_penalty * s.law.correction_days;
        let joint = match p.cooperation.mode {
            CooperationMode::Joint => s.cooperation.joint_inspection_rate * (1.0 - miss),
            CooperationMode::Protectionist => 0.0,
        };
        let mut campaigns = vec![false; self.regions];
        for r in 0..self.regions {
            let local = &self.locals[r];
            campaigns[r] = central::campaign(p, r, self.regions, self.t);
            let central_check = if campaigns[r] {
                s.central.inspection_rate * (1.0 - miss)
            } else {
                0.0
            };
            let (extra_inspections, subsidy_pool) = match p.compensation.use_for {
                CompensationUse::Enforcement => (local.earmarked, 0.0),
                CompensationUse::Subsidy => (0.0, local.earmarked),
            };
            let budget = local.intensity * s.departments.budget * inspection::inspection_share(p)
                + extra_inspections;
            self.policies[r] = RegionPolicy {
                departments: p.departments(),
                inspect: inspection::inspection_rates(p, budget, self.per_region),
                acting: self.acting,
                monitor_hit: 1.0 - s.monitoring.false_negative,
                false_positive: s.monitoring.false_positive,
                complaint_detect: local.complaint_detection,
                ngo_check: (s.ngo.capacity / self.per_region as f64).min(1.0),
                litigation_share: s.ngo.litigation_share,
                direct_check: 1.0 - (1.0 - central_check) * (1.0 - joint),
                handle: self.take_up,
                capture: s.local.capture * (1.0 - local.accountability),
                mean_output: self.mean_output[r],
                clarity: s.law.clarity,
                sanction,
                deterrent: sanction + s.public.disclosure * s.enterprises.reputation_cost,
                abatement: local.abatement,
                reference_abatement: s.targets.standard_abatement,
                subsidy: subsidy_pool / self.per_region as f64,
            };
        }
        campaigns
    }

    fn enterprise_phase(&mut self) -> Vec<EnterpriseTally> {
        let s = &self.p;
        let rule = DecisionRule {
            rationality: s.enterprises.rationality,
            learning_rate: s.enterprises.learning_rate as f32,
        };
        let chunks_per_region = self.per_region.div_ceil(ENTERPRISE_CHUNK);
        let (key, t) = (self.key, self.t);
        let policies = &self.policies;
        self.enterprises
            .par_chunks_mut(self.per_region)
            .zip(self.enterprise_tallies.par_chunks_mut(chunks_per_region))
            .enumerate()
            .for_each(|(r, (firms, tallies))| {
                firms
                    .par_chunks_mut(ENTERPRISE_CHUNK)
                    .zip(tallies.par_iter_mut())
                    .enumerate()
                    .for_each(|(c, (chunk, tally))| {
                        let id = (r * chunks_per_region + c) as u32;
                        let mut rng = key.stream(Purpose::EnterpriseStep, t, id);
                        *tally = enterprise::step_chunk(chunk, &policies[r], &rule, &mut rng);
                    });
            });
        let mut per_region = vec![EnterpriseTally::default(); self.regions];
        for (r, tallies) in self
            .enterprise_tallies
            .chunks(chunks_per_region)
            .enumerate()
        {
            tallies.iter().for_each(|t| per_region[r].add(t));
            self.locals[r].violation_share = per_region[r].violating / per_region[r].enterprises;
        }
        per_region
    }

    /// Post this month's money flows; returns total enforcement cost.
    fn money_phase(
        &mut self,
        etally: &[EnterpriseTally],
        complaints: &[complaints::ComplaintOutcome],
        campaigns: &[bool],
    ) -> f64 {
        let p = self.p;
        let s = &p;
        let n = self.per_region as f64;
        let mut enforcement = 0.0;
        for r in 0..self.regions {
            let local = &self.locals[r];
            let e = &etally[r];
            let extra = match p.compensation.use_for {
                CompensationUse::Enforcement => local.earmarked,
                CompensationUse::Subsidy => 0.0,
            };
            let spending = local.intensity * s.departments.budget
                + extra
                + complaints[r].handled * s.complaints.handling_cost
                + e.false_alarms * s.departments.inspection_cost;
            let treasury = Account::Treasury(r);
            let firms = Account::Enterprises(r);
            self.ledger
                .transfer(Account::Outside, treasury, s.local.appropriation);
            self.ledger.transfer(treasury, Account::Outside, spending);
            self.ledger
                .transfer(firms, treasury, e.fines + e.litigation);
            self.ledger.transfer(treasury, firms, e.subsidies);
            // Central and provincial teams are paid by the centre (outside the basin's accounts).
            let central = if campaigns[r] {
                s.central.inspection_rate * n * s.central.inspection_cost
            } else {
                0.0
            };
            let joint = match p.cooperation.mode {
                CooperationMode::Joint => {
                    s.cooperation.joint_inspection_rate * n * s.departments.inspection_cost
                }
                CooperationMode::Protectionist => 0.0,
            };
            enforcement += spending + central + joint;
        }
        enforcement
    }

    /// Compensation, central inspections and feedback; returns compensation paid this month.
    fn government_phase(&mut self, campaigns: &[bool]) -> f64 {
        let p = self.p;
        let s = &p;
        let t = self.t;
        self.monitor.record(t, &self.basin.stock);
        let mut rng = self.key.stream(Purpose::Government, t, 0);
        let monitored: Vec<f64> = (0..self.regions)
            .map(|r| self.monitor.lagged(t, r) * (1.0 + s.monitoring.noise * rng.normal()).max(0.0))
            .collect();

        // Compensation settles at the end of each period.
        let mut paid = 0.0;
        for (sum, stock) in self.period_stock.iter_mut().zip(&self.basin.stock) {
            *sum += stock;
        }
        let period = s.compensation.period;
        if (t + 1).is_multiple_of(period) {
            let mean: Vec<f64> = self
                .period_stock
                .iter()
                .map(|x| x / f64::from(period))
                .collect();
            let period_facts = compensation::Period {
                mean_stock: &mean,
                abated: &self.period_abated,
                residence: self.residence.as_ref(),
            };
            paid = compensation::settle(
                p,
                &self.basin,
                &period_facts,
                &mut self.ledger,
                &mut self.net_receipt,
            );
            for (local, net) in self.locals.iter_mut().zip(&self.net_receipt) {
                local.earmarked = net.max(0.0) / f64::from(period);
            }
            self.period_stock.iter_mut().for_each(|x| *x = 0.0);
            self.period_abated.iter_mut().for_each(|x| *x = 0.0);
        }

        let target = s.targets.stock;
        let set_point = targets::set_point(p);
        let gaps: Vec<f64> = monitored
            .iter()
            .map(|m| (m - set_point) / set_point)
            .collect();
        let decay = central::accountability_decay(p);
        for r in 0..self.regions {
            let local = &mut self.locals[r];
            local.accountability *= decay;
            if campaigns[r] {
                local.accountability = 1.0;
                if gaps[r] > 0.0 {
                    local.intensity = local::revise(p, local.intensity + s.central.escalation, 0.0);
                }
            }
        }
        if local::adjusts(p, t) {
            let standard = s.compensation.standard * target;
            for r in 0..self.regions {
                let mut pressure = gaps[r];
                pressure +=
                    compensation::stake(p, &self.basin, r) * (monitored[r] - standard) / standard;
                if p.cooperation.mode == CooperationMode::Joint {
                    pressure += self.downstream_pressure(r, &gaps);
                }
                self.locals[r].intensity = local::revise(p, self.locals[r].intensity, pressure);
            }
            match p.feedback.mode {
                // Closed loop: caps are corrected from the monitored gap (integral control).
                FeedbackMode::Closed => {
                    for (local, gap) in self.locals.iter_mut().zip(&gaps) {
                        local.abatement = targets::correct(p, local.abatement, *gap);
                    }
                }
                // One-way management: caps are planned anew at each evaluation.
                FeedbackMode::OneWay => self.revise_caps(&monitored),
            }
        }
        paid
    }

    /// Σ_d c_{r→d}·g_d: region r's share of each downstream region's load times that region's gap.
    fn downstream_pressure(&self, r: usize, gaps: &[f64]) -> f64 {
        self.basin
            .downstream(r)
            .iter()
            .zip(&self.basin.flows[r])
            .map(|(&(d, _), &flow)| {
                let load = self.emissions[d] + self.basin.inflow[d];
                if load > 0.0 {
                    flow / load * gaps[d]
                } else {
                    0.0
                }
            })
            .sum()
    }

    /// Plan required abatement shares from (monitored) stocks: the steady-state load of `targets.rs`.
    fn revise_caps(&mut self, monitored: &[f64]) {
        let p = self.p;
        let mut inflow = vec![0.0; self.regions];
        for (u, &m) in monitored.iter().enumerate() {
            for &(d, share) in self.basin.downstream(u) {
                inflow[d] += share * m;
            }
        }
        for r in 0..self.regions {
            self.locals[r].abatement = targets::required_abatement(p, &self.facts[r], inflow[r]);
        }
    }

    fn record(
        &mut self,
        etally: &[EnterpriseTally],
        ptally: &[PublicTally],
        complaints: &[complaints::ComplaintOutcome],
        enforcement_cost: f64,
        compensation_paid: f64,
    ) -> StepRecord {
        let s = &self.p;
        let target = s.targets.stock;
        let mut all = EnterpriseTally::default();
        etally.iter().for_each(|t| all.add(t));
        let mut public = PublicTally::default();
        ptally.iter().for_each(|t| public.add(t));
        let regions = self.regions as f64;
        let stock = &self.basin.stock;
        let damage = s.world.damage_per_tonne * stock.iter().sum::<f64>();
        for r in 0..self.regions {
            self.region_records[r] = RegionRecord {
                stock: stock[r],
                target_met: f64::from(u8::from(stock[r] <= target)),
                emissions: etally[r].emissions,
                inflow: self.basin.inflow[r],
                compliance_rate: etally[r].complying / etally[r].enterprises,
                intensity: self.locals[r].intensity,
                abatement_required: self.locals[r].abatement,
                awareness: if ptally[r].residents > 0.0 {
                    ptally[r].awareness / ptally[r].residents
                } else {
                    0.0
                },
                complaints_filed: ptally[r].filed,
            };
        }
        StepRecord {
            pollution_mean: stock.iter().sum::<f64>() / regions,
            target_met_share: stock.iter().filter(|&&x| x <= target).count() as f64 / regions,
            compliance_rate: all.complying / all.enterprises,
            detection_rate: if all.violating > 0.0 {
                all.detected / all.violating
            } else {
                0.0
            },
            complaints_filed: public.filed,
            complaints_handled: complaints.iter().map(|c| c.handled).sum(),
            complaints_lost: complaints.iter().map(|c| c.lost).sum(),
            fines: all.fines,
            enforcement_cost,
            abatement_cost: all.abatement_cost,
            compensation_paid,
            output: all.output,
            welfare: all.output - all.abatement_cost - enforcement_cost - damage,
            welfare_net: -(all.abatement_cost + enforcement_cost + damage),
            awareness_mean: if public.residents > 0.0 {
                public.awareness / public.residents
            } else {
                0.0
            },
            litigation: all.litigation,
            subsidies: all.subsidies,
            sanctions: all.sanctioned,
            violations: all.violating,
            emissions: all.emissions,
            damage,
            intensity_mean: self.locals.iter().map(|l| l.intensity).sum::<f64>() / regions,
            belief_mean: all.belief / all.enterprises,
        }
    }

    fn check_invariants(&self, record: &StepRecord) -> Result<(), String> {
        let step = self.t;
        let values = record.values();
        if let Some((i, v)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            let indicator = observe::Indicator::ALL[i];
            return Err(format!(
                "step {step}: {} quantity `{}` became {v} (check the scenario's magnitudes)",
                indicator.family().name(),
                indicator.name()
            ));
        }
        let expected = self.initial_mass + self.emitted - self.basin.decayed - self.basin.exported;
        let total = self.basin.total();
        // The balance is a difference of cumulative totals, so rounding grows with the mass that has
        // passed through the basin, not with the current stock.
        let throughput = self.initial_mass + self.emitted;
        if (total - expected).abs() > 1e-9 * throughput.max(1.0) {
            return Err(format!(
                "step {step}: pollutant mass not conserved: stocks {total} t, balance {expected} t"
            ));
        }
        self.ledger.check().map_err(|e| format!("step {step}: {e}"))
    }
}

mod init {
    //! Initial populations (ODD "Initialization").

    use super::*;

    /// Log-normal draw with the given mean and shape σ.
    fn lognormal(rng: &mut crate::engine::rng::Stream, mean: f64, sigma: f64) -> f64 {
        mean * (sigma * rng.normal() - 0.5 * sigma * sigma).exp()
    }

    pub fn enterprises(p: &Params, key: &StreamKey, region: usize, out: &mut [Enterprise]) {
        let e = &p.enterprises;
        let shares = &p.departments.violation_shares;
        let mut rng = key.stream(Purpose::EnterpriseInit, 0, region as u32);
        for firm in out.iter_mut() {
            let output = lognormal(&mut rng, e.output_mean, e.output_sigma);
            let intensity = lognormal(&mut rng, e.intensity_mean, e.intensity_sigma);
            let factor = 1.0 + e.abatement_cost_spread * (2.0 * rng.uniform() - 1.0);
            let u = rng.uniform();
            let mut cumulative = 0.0;
            let kind = shares
                .iter()
                .position(|s| {
                    cumulative += s;
                    u < cumulative
                })
                .unwrap_or(shares.len() - 1);
            *firm = Enterprise {
                output: output as f32,
                emission: (output * intensity) as f32,
                cost: (e.abatement_cost_share * output * factor) as f32,
                belief: e.prior_sanction as f32,
                weight: 1.0,
                allocation: 1.0,
                kind: kind as u8,
                covered: false,
                complying: false,
            };
        }
        // Online monitoring covers the largest emitters first (the key-polluter list).
        let covered = (p.monitoring.coverage * out.len() as f64).round() as usize;
        let mut order: Vec<usize> = (0..out.len()).collect();
        order.sort_by(|&a, &b| out[b].emission.total_cmp(&out[a].emission).then(a.cmp(&b)));
        for &i in order.iter().take(covered) {
            out[i].covered = true;
        }
        let risk = p.monitoring.targeting == crate::scenario::Targeting::Risk;
        inspection::assign_weights(out, risk);
        targets::assign_allocation(p, out);
    }

    pub fn public(p: &Params, key: &StreamKey, residents: usize) -> Public {
        let a0 = p.public.initial_awareness;
        let mut education = vec![0u8; residents];
        let mut awareness = vec![0f32; residents];
        education
            .par_chunks_mut(PUBLIC_CHUNK)
            .zip(awareness.par_chunks_mut(PUBLIC_CHUNK))
            .enumerate()
            .for_each(|(c, (edu, aw))| {
                let mut rng = key.stream(Purpose::PublicInit, 0, c as u32);
                for (e, a) in edu.iter_mut().zip(aw.iter_mut()) {
                    let level = rng.uniform();
                    *e = (level * 255.0).round() as u8;
                    *a = (a0 * (0.5 + level)).min(1.0) as f32;
                }
            });
        Public {
            next: awareness.clone(),
            awareness,
            education,
        }
    }
}
