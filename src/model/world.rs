//! One replicate of one scenario and its monthly schedule (ODD "Process overview and scheduling",
//! `docs/MODEL.md` §3). Each phase is a mechanism's own function; the world holds the state and calls
//! them in this order every month:
//!
//! 1. residents update awareness and file complaints (`public.rs`), seeing last month's pollution;
//! 2. complaints are routed and handled within capacity (`complaints.rs`);
//! 3. each region's policy is assembled (`policy.rs`);
//! 4. enterprises choose compliance and face detection and sanctions (`enterprise.rs`);
//! 5. money moves (`money.rs`) and pollution is transported (`pollution.rs`);
//! 6. compensation is settled (`compensation.rs`), central inspections follow up (`central.rs`), and
//!    governments report (`cadre.rs`) and revise intensity and caps (`local.rs`, `targets.rs`) on
//!    what they report;
//! 7. the month is recorded (`observe.rs`) and mass and money conservation are checked.
//!
//! Phases 1–4 of a region depend on no other region's, so they run region by region with the
//! regions in parallel (and each region's chunks in parallel within it); 5–7 follow.

use rayon::prelude::*;

use super::compensation::Books;
use super::enterprise::{self, DecisionRule, Enterprise, EnterpriseTally};
use super::inspection::{self, MAX_DEPARTMENTS};
use super::ledger::{Account, Ledger};
use super::local::{self, Evidence, LocalGovernment, MonitorHistory};
use super::network::Network;
use super::observe::{self, Month, RegionRecord, StepRecord};
use super::policy;
use super::pollution::{Basin, Residence};
use super::public::{self, Public, PublicEnvironment, PublicTally};
use super::targets::{self, RegionFacts};
use super::{ENTERPRISE_CHUNK, PUBLIC_CHUNK, cadre, central, chief, complaints, init, money};
use crate::engine::rng::{Purpose, StreamKey};
use crate::scenario::Params;

/// An invariant a month broke: the run cannot go on, and the error says where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Broken {
    #[error(
        "step {step}: {family} quantity `{quantity}` became {value} (check the scenario's magnitudes)"
    )]
    NonFinite {
        step: u32,
        family: &'static str,
        quantity: &'static str,
        value: f64,
    },
    #[error("step {step}: pollutant mass not conserved: stocks {stocks} t, balance {balance} t")]
    Mass {
        step: u32,
        stocks: f64,
        balance: f64,
    },
    #[error("step {step}: money not conserved: accounts sum to {sum} (scale {scale})")]
    Money { step: u32, sum: f64, scale: f64 },
    #[error(
        "step {step}: the enterprises' accounts moved by {ledger} M¥ but their fines, damages and subsidies by {flows} M¥"
    )]
    Flows { step: u32, ledger: f64, flows: f64 },
}

/// Relative rounding a month's balances may show: far above the rounding of a sum over regions, far
/// below any real leak.
const RELATIVE_SLACK: f64 = 1e-11;

/// Whether a balance's residue is within rounding of its scale; a NaN residue is not.
fn within(residue: f64, scale: f64) -> bool {
    residue.abs() <= RELATIVE_SLACK * scale
}

/// A month's pollutant flows: emitted into the basin, and gone from it (decayed or exported).
#[derive(Debug, Clone, Copy)]
struct MassBalance {
    emitted: f64,
    left: f64,
}

/// Each government's waiver rate (`cadre.rs`) and each river chief's order share (`chief.rs`) for
/// next month, from this month's reported gaps.
fn choose_next_month(
    p: &Params,
    locals: &mut [LocalGovernment],
    facts: &[RegionFacts],
    reported_gaps: &[f64],
) {
    for ((local, facts), &gap) in locals.iter_mut().zip(facts).zip(reported_gaps) {
        local.waiver = cadre::waiver(p, facts, local, gap);
    }
    chief::decide(p, locals, reported_gaps);
}

/// Region `r`'s complaints after its handling capacity, from its residents' tally; sets the
/// detection they give its local government's policy this month.
fn complaint_outcome(
    p: &Params,
    tally: &PublicTally,
    campaign: bool,
    local: &mut LocalGovernment,
    per_region: usize,
) -> complaints::ComplaintOutcome {
    let capacity = p.complaints.capacity * central::complaint_factor(p, campaign);
    let violators = local.violation_share * per_region as f64;
    let o = complaints::settle(
        tally.filed,
        tally.taken_up,
        tally.founded_taken_up,
        capacity,
        violators,
    );
    local.complaint_detection = o.detection;
    o
}

/// Each region's public tally, complaint outcome and enterprise tally for the month.
type RegionMonths = (
    Vec<PublicTally>,
    Vec<complaints::ComplaintOutcome>,
    Vec<EnterpriseTally>,
);

/// `xs` cut into `regions` parts of `size` (all empty when `size` is 0).
fn region_parts<T>(xs: &mut [T], size: usize, regions: usize) -> impl Iterator<Item = &mut [T]> {
    xs.chunks_mut(size.max(1))
        .chain(std::iter::repeat_with(Default::default))
        .take(regions)
}

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
    books: Books,
    /// Per-step scratch, allocated once.
    enterprise_tallies: Vec<EnterpriseTally>,
    public_tallies: Vec<PublicTally>,
    environments: Vec<PublicEnvironment>,
    /// Which regions host the central team this month, and each region's take-up.
    campaigns: Vec<bool>,
    take_ups: Vec<f64>,
    emissions: Vec<f64>,
    /// The basin's total stock at the end of the last month, for the conservation check.
    mass: f64,
    /// The enterprises' money at the end of the last month, for the check of their flows.
    firms: f64,
    /// Per-region records of the last step.
    pub region_records: Vec<RegionRecord>,
}

impl<'p> World<'p> {
    /// Build replicate `replicate` of the scenario (`docs/MODEL.md` §5).
    pub fn new(p: &'p Params, replicate: u32) -> Self {
        let key = StreamKey::new(p.seed, replicate);
        let regions = p.world.regions as usize;
        let per_region = p.enterprises.per_region as usize;
        let residents_per_region = p.public.per_region as usize;
        let target = p.targets.stock;

        let mut enterprises = vec![Enterprise::default(); regions * per_region];
        enterprises
            .par_chunks_mut(per_region)
            .enumerate()
            .for_each(|(r, chunk)| init::enterprises(p, &key, r, chunk));
        let mean_output = enterprises
            .chunks(per_region)
            .map(|c| c.iter().map(|e| f64::from(e.output)).sum::<f64>() / per_region as f64)
            .collect();
        let network = Network::new(
            p.public.neighbors,
            p.public.rewiring,
            p.public.community as usize,
            key.digest,
        );
        let mut public = init::public(p, &key, regions * residents_per_region);
        public.rewired = network.rewired_links(regions, residents_per_region);

        let basin = Basin::new(
            &p.world.topology,
            regions,
            p.world.spillover,
            p.world.decay,
            p.world.initial_stock * target,
        );
        let residence = p
            .prices_damage()
            .then(|| basin.residence(&p.world.topology));
        let facts: Vec<RegionFacts> = enterprises
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
        let planned = targets::planned_abatement(p, &basin, &facts, &basin.stock);
        let mut locals: Vec<LocalGovernment> = planned
            .into_iter()
            .zip(&basin.stock)
            .map(|(abatement, &stock)| LocalGovernment {
                intensity: 1.0,
                abatement,
                violation_share: 0.5,
                misreport: cadre::misreport(p, stock),
                ..LocalGovernment::default()
            })
            .collect();
        // Month 0's choices, from the initial stock as reported (no audit before the first month).
        let reported: Vec<f64> = basin
            .stock
            .iter()
            .zip(&locals)
            .map(|(s, l)| s * (1.0 - l.misreport))
            .collect();
        choose_next_month(p, &mut locals, &facts, &local::gaps(p, &reported));
        World {
            p,
            key,
            t: 0,
            regions,
            per_region,
            residents_per_region,
            enterprises,
            public,
            network,
            locals,
            ledger: Ledger::new(regions),
            monitor: MonitorHistory::new(p.monitoring.latency, &basin.stock),
            facts,
            mean_output,
            residence,
            acting: inspection::acting_sets(p),
            take_up: inspection::take_up(p),
            reach: complaints::reach(p, inspection::competent_departments(p)),
            books: Books::new(regions),
            enterprise_tallies: vec![
                EnterpriseTally::default();
                regions * per_region.div_ceil(ENTERPRISE_CHUNK)
            ],
            public_tallies: vec![
                PublicTally::default();
                regions * residents_per_region.div_ceil(PUBLIC_CHUNK)
            ],
            environments: vec![PublicEnvironment::default(); regions],
            campaigns: vec![false; regions],
            take_ups: vec![0.0; regions],
            emissions: vec![0.0; regions],
            mass: basin.total(),
            firms: 0.0,
            region_records: vec![RegionRecord::default(); regions],
            basin,
        }
    }

    /// From this month on, run under `p`: a reform of the arrangements (a historical run switches
    /// them in the months they happened). The agents keep their state; what the world derives from
    /// its arrangements is derived again. `p` must differ from the current scenario only in
    /// arrangements ([`crate::model::history::structural_difference`] checks it).
    pub fn reform(&mut self, p: &'p Params) {
        self.p = p;
        self.acting = inspection::acting_sets(p);
        self.take_up = inspection::take_up(p);
        self.reach = complaints::reach(p, inspection::competent_departments(p));
        if p.prices_damage() && self.residence.is_none() {
            self.residence = Some(self.basin.residence(&p.world.topology));
        }
        for (r, (f, c)) in self
            .facts
            .iter_mut()
            .zip(self.enterprises.chunks(self.per_region))
            .enumerate()
        {
            f.curvature = RegionFacts::curvature(p, c);
            f.own_residence = self.residence.as_ref().map_or(0.0, |g| g.own(r));
            f.total_residence = self.residence.as_ref().map_or(0.0, |g| g.total(r));
        }
        self.monitor.relag(self.t, p.monitoring.latency);
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

    /// Bytes the agents' arrays hold (enterprises; residents' awareness, its buffer, education and
    /// rewired links): what the memory estimate (`size.rs`) must cover.
    pub fn agent_state_bytes(&self) -> u64 {
        let public = &self.public;
        (self.enterprises.capacity() * std::mem::size_of::<Enterprise>()
            + (public.awareness.capacity() + public.next.capacity()) * 4
            + public.education.capacity()
            + public.rewired.bytes()) as u64
    }

    /// Advance one month. Fails only if an invariant (mass, money, finite state) is broken.
    pub fn step(&mut self) -> Result<StepRecord, Broken> {
        let (p, t) = (self.p, self.t);
        for (r, c) in self.campaigns.iter_mut().enumerate() {
            *c = central::campaign(p, r, self.regions, t);
        }
        for (h, l) in self.take_ups.iter_mut().zip(&self.locals) {
            *h = inspection::regional_take_up(self.take_up, l.chief_order);
        }
        // 1–4, region by region, the regions in parallel.
        let (ptally, complaints, mut etally) = self.regions_phase();
        for (local, e) in self.locals.iter_mut().zip(&etally) {
            local.violation_share = e.violating / e.enterprises;
        }
        let limited = central::limit_production(p, &self.campaigns, &mut etally);
        // 5. Money, then pollution.
        let enforcement_cost = money::post_month(
            p,
            &mut self.ledger,
            &self.locals,
            &etally,
            &complaints,
            &self.campaigns,
            self.per_region,
        );
        for (r, e) in etally.iter().enumerate() {
            self.emissions[r] = e.emissions;
            self.books
                .add_abated(r, self.facts[r].baseline - e.emissions);
        }
        let mass = MassBalance {
            emitted: self.emissions.iter().sum(),
            left: self.basin.transport(&self.emissions),
        };
        // 6. Governments.
        let compensation_paid = self.government_phase();
        // 7. The record and the invariants.
        let month = Month {
            p,
            basin: &self.basin,
            locals: &self.locals,
            enterprises: &etally,
            public: &ptally,
            complaints: &complaints,
            enforcement_cost,
            compensation_paid,
            limited,
        };
        let record = observe::record(&month, &mut self.region_records);
        let flows: f64 = etally
            .iter()
            .map(|e| e.subsidies - e.fines - e.litigation)
            .sum();
        self.check_invariants(&record, mass, flows)?;
        self.t += 1;
        Ok(record)
    }

    /// Phases 1–4 of every region: its residents, their complaints, its policy, then its
    /// enterprises. A region's enterprises face only its own residents' complaints and its own
    /// government's policy, so the regions run in parallel (each region's chunks in parallel
    /// within it) and none waits for another's residents. Returns each region's public tally,
    /// complaint outcome and enterprise tally.
    fn regions_phase(&mut self) -> RegionMonths {
        let (p, t) = (self.p, self.t);
        public::environments(
            p,
            &self.basin.stock,
            self.locals.iter().map(|l| l.violation_share),
            &self.campaigns,
            self.reach,
            &self.take_ups,
            &mut self.environments,
        );
        let facts = policy::Facts {
            campaigns: &self.campaigns,
            enterprises_per_region: self.per_region,
            acting: self.acting,
            take_up: self.take_up,
            mean_output: &self.mean_output,
        };
        let rule = DecisionRule {
            rationality: p.enterprises.rationality,
            learning_rate: p.enterprises.learning_rate as f32,
        };
        let (key, regions, per_region) = (self.key, self.regions, self.per_region);
        let residents = self.residents_per_region;
        let Public {
            awareness,
            education,
            rewired,
            next,
        } = &mut self.public;
        let (awareness, education, rewired) = (&*awareness, &*education, &*rewired);
        let (network, environments) = (&self.network, &self.environments);
        let parts: Vec<_> = region_parts(next, residents, regions)
            .zip(region_parts(
                &mut self.public_tallies,
                residents.div_ceil(PUBLIC_CHUNK),
                regions,
            ))
            .zip(self.enterprises.chunks_mut(per_region))
            .zip(
                self.enterprise_tallies
                    .chunks_mut(per_region.div_ceil(ENTERPRISE_CHUNK)),
            )
            .zip(self.locals.iter_mut())
            .collect();
        let ((ptally, complaints), etally) = parts
            .into_par_iter()
            .enumerate()
            .map(|(r, ((((next, ptallies), firms), etallies), local))| {
                let ptally = public::step_region(
                    awareness,
                    education,
                    rewired,
                    next,
                    ptallies,
                    &environments[r],
                    network,
                    key,
                    t,
                    r,
                );
                let complaints =
                    complaint_outcome(p, &ptally, facts.campaigns[r], local, per_region);
                let policy = policy::region(p, &facts, r, local);
                let etally = enterprise::step_region(firms, etallies, &policy, &rule, key, t, r);
                ((ptally, complaints), etally)
            })
            .unzip();
        std::mem::swap(&mut self.public.awareness, &mut self.public.next);
        (ptally, complaints, etally)
    }

    /// The enterprises' accounts, summed over regions.
    fn firms_balance(&self) -> f64 {
        (0..self.regions)
            .map(|r| self.ledger.balance(Account::Enterprises(r)))
            .sum()
    }

    /// Compensation, central inspections, the governments' reports, their revisions and their
    /// waiver rates for next month; returns compensation paid this month.
    fn government_phase(&mut self) -> f64 {
        let (p, t) = (self.p, self.t);
        self.monitor.record(t, &self.basin.stock);
        let mut rng = self.key.stream(Purpose::Government, t, 0);
        let monitored = self.monitor.monitored(t, p.monitoring.noise, &mut rng);
        let mut paid = 0.0;
        if let Some(amount) =
            self.books
                .close_month(p, t, &self.basin, self.residence.as_ref(), &mut self.ledger)
        {
            paid = amount;
            for (local, e) in self.locals.iter_mut().zip(self.books.earmarks(p)) {
                local.earmarked = e;
            }
        }
        // The central team measures on site; the local government revises on what it reports.
        central::follow_up(p, t, &mut self.locals, &local::gaps(p, &monitored));
        let reported = cadre::report(p, &mut self.locals, &monitored, &mut rng);
        let gaps = local::gaps(p, &reported);
        let evidence = Evidence {
            basin: &self.basin,
            emissions: &self.emissions,
            monitored: &monitored,
            reported: &reported,
            gaps: &gaps,
            facts: &self.facts,
        };
        local::revise_all(p, t, &mut self.locals, &evidence);
        choose_next_month(p, &mut self.locals, &self.facts, &gaps);
        paid
    }

    /// Finite indicators; the month's mass balance against the stocks the last month ended with;
    /// the enterprises' accounts against their own fines, damages and subsidies (`flows`, M¥);
    /// and the double entry. Each check is relative to the quantities of this month, so a leak of
    /// a billionth is caught in any month of any run.
    fn check_invariants(
        &mut self,
        record: &StepRecord,
        mass: MassBalance,
        flows: f64,
    ) -> Result<(), Broken> {
        let step = self.t;
        if let Some((indicator, value)) = observe::non_finite(record) {
            return Err(Broken::NonFinite {
                step,
                family: indicator.family().name(),
                quantity: indicator.name(),
                value,
            });
        }
        let expected = self.mass + mass.emitted - mass.left;
        let total = self.basin.total();
        if !within(total - expected, (self.mass + mass.emitted).max(1.0)) {
            return Err(Broken::Mass {
                step,
                stocks: total,
                balance: expected,
            });
        }
        self.mass = total;
        let firms = self.firms_balance();
        let moved = firms - self.firms;
        let scale = self
            .firms
            .abs()
            .max(record.fines + record.litigation + record.subsidies);
        if !within(moved - flows, scale.max(1.0)) {
            return Err(Broken::Flows {
                step,
                ledger: moved,
                flows,
            });
        }
        self.firms = firms;
        self.ledger.check().map_err(|e| Broken::Money {
            step,
            sum: e.sum,
            scale: e.scale,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::resolve_str;

    #[test]
    fn the_2018_split_lets_online_monitoring_act_on_most_violators_in_silos() {
        // Share of a region's enterprises whose violation the environment department (which holds
        // the online data) may act on, in silos with one competent department per type.
        let actionable = |shares: &str| {
            let sets = [
                "information.sharing=silo".to_string(),
                "responsibility.mode=clear".to_string(),
                "world.regions=1".to_string(),
                "enterprises.per_region=4000".to_string(),
                "public.per_region=0".to_string(),
                format!("departments.violation_shares={shares}"),
            ];
            let p = resolve_str("", "t", &sets).unwrap();
            let world = World::new(&p, 0);
            let acting = inspection::acting_sets(&p);
            let n = world.enterprises().len() as f64;
            world
                .enterprises()
                .iter()
                .filter(|e| acting[usize::from(e.kind)] & 1 != 0)
                .count() as f64
                / n
        };
        let before = actionable("[0.4, 0.3, 0.15, 0.15]");
        let after = actionable("[0.8, 0.1, 0.05, 0.05]");
        // Binomial sampling of 4000 types: within 0.03 of the share.
        assert!((before - 0.4).abs() < 0.03, "{before}");
        assert!((after - 0.8).abs() < 0.03, "{after}");
    }

    #[test]
    fn the_default_key_unit_list_is_three_percent_of_sources_with_two_thirds_of_the_load() {
        // Defaults: coverage 0.034 of a region's sources, largest emitters first, and an emission
        // σ of 2.21, for which a log-normal's top 3.4% carry 1 − Φ(Φ⁻¹(0.966) − 2.21) = 65% of the
        // total. One large region, so the sample share is close to the distribution's.
        let sets: Vec<String> = [
            "world.regions=1",
            "enterprises.per_region=200000",
            "public.per_region=0",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let p = resolve_str("", "t", &sets).unwrap();
        let world = World::new(&p, 0);
        let total: f64 = world
            .enterprises
            .iter()
            .map(|e| f64::from(e.emission))
            .sum();
        let covered: Vec<&Enterprise> = world.enterprises.iter().filter(|e| e.covered).collect();
        let load: f64 = covered.iter().map(|e| f64::from(e.emission)).sum();
        assert_eq!(covered.len(), 6800);
        assert!(
            (0.60..0.70).contains(&(load / total)),
            "key units carry {:.3}",
            load / total
        );
    }

    #[test]
    fn governments_revise_only_in_feedback_months_and_settle_only_at_period_ends() {
        let sets: Vec<String> = [
            "feedback.mode=closed",
            "feedback.period=3",
            "central.inspection_period=0",
            "compensation.scheme=boundary",
            "compensation.period=4",
            "world.regions=3",
            "enterprises.per_region=60",
            "public.per_region=100",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let p = resolve_str("", "t", &sets).unwrap();
        let mut world = World::new(&p, 0);
        let intensities = |w: &World| w.locals.iter().map(|l| l.intensity).collect::<Vec<_>>();
        let (mut revised, mut settled) = (Vec::new(), Vec::new());
        let mut before = intensities(&world);
        for t in 0..24u32 {
            let record = world.step().unwrap();
            let after = intensities(&world);
            if after != before {
                revised.push(t);
            }
            if record.compensation_paid > 0.0 {
                settled.push(t);
            }
            before = after;
        }
        // Revisions at t > 0 with t mod period = 0; settlements in the last month of each period.
        assert!(!revised.is_empty());
        assert!(revised.iter().all(|t| t % 3 == 0 && *t > 0), "{revised:?}");
        assert_eq!(settled, [3, 7, 11, 15, 19, 23]);
    }

    fn small_world() -> Params {
        let sets: Vec<String> = [
            "world.regions=3",
            "enterprises.per_region=40",
            "public.per_region=60",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        resolve_str("", "t", &sets).unwrap()
    }

    /// Runs `months` clean months, applies `leak`, and returns what the next month says.
    fn after_leak(months: u32, leak: impl Fn(&mut World)) -> Result<StepRecord, Broken> {
        let p = small_world();
        let mut world = World::new(&p, 0);
        for _ in 0..months {
            world.step().expect("a clean month passes its checks");
        }
        leak(&mut world);
        world.step()
    }

    #[test]
    fn a_billionth_of_the_pollutant_appearing_from_nowhere_breaks_the_mass_balance() {
        for months in [0, 5, 60] {
            let err = after_leak(months, |w| {
                let extra = 1e-9 * w.basin.total();
                w.basin.stock[1] += extra;
            })
            .unwrap_err();
            assert!(
                matches!(err, Broken::Mass { step, .. } if step == months),
                "{err}"
            );
        }
    }

    /// A billionth of the largest balance in the ledger.
    fn billionth(w: &World) -> f64 {
        1e-9 * w.ledger.imbalance().1
    }

    #[test]
    fn money_reaching_enterprises_outside_their_fines_and_subsidies_breaks_the_flows() {
        // A balanced transfer keeps the double entry whole; only the flows check can see it.
        for months in [1, 12, 120] {
            let err = after_leak(months, |w| {
                let amount = billionth(w);
                w.ledger
                    .transfer(Account::Outside, Account::Enterprises(2), amount)
            })
            .unwrap_err();
            assert!(
                matches!(err, Broken::Flows { step, .. } if step == months),
                "{err}"
            );
        }
    }

    #[test]
    fn money_appearing_in_a_treasury_breaks_the_double_entry() {
        for months in [1, 12, 120] {
            let err = after_leak(months, |w| {
                let amount = billionth(w);
                w.ledger.leak(Account::Treasury(0), amount)
            })
            .unwrap_err();
            assert!(
                matches!(err, Broken::Money { step, .. } if step == months),
                "{err}"
            );
        }
    }

    #[test]
    fn ten_years_of_clean_months_pass_every_check() {
        let p = small_world();
        let mut world = World::new(&p, 3);
        for _ in 0..120 {
            world.step().expect("no leak, no broken check");
        }
    }
}
