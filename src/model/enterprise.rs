//! Enterprises: heterogeneous polluters choosing each month whether to comply (`docs/MODEL.md` §7.2,
//! enterprise decisions; ODD+D decision-making).
//!
//! Complying means abating the share a_i = min(1, w_i·a_r) of the region's requirement a_r (w_i = 1
//! under uniform caps, `targets.rs`) and costs `c_i·(a_i/a_ref)² − subsidy`.
//! Violating saves that cost but risks a sanction. The enterprise weighs the cost against its *perceived*
//! expected penalty `p̂_i·D`, where `p̂_i` is its learned probability of being sanctioned when violating
//! and `D` the sanction plus disclosed reputational cost, through a logit choice with temperature τ
//! (τ = 0: exact best response, comply iff p̂·D > cost — Becker 1968).
//!
//! Every month the enterprise is exposed to the detection channels of `RegionPolicy` (see
//! `inspection.rs`) whether or not it violates, and observes whether it *would* have been sanctioned:
//! that exposure X updates its belief, p̂ ← p̂ + w (X − p̂). A sanction is paid only if it violated.

use rayon::prelude::*;

use super::ENTERPRISE_CHUNK;
use super::inspection::MAX_DEPARTMENTS;
use super::orders::{
    ORDER_AGE, ORDER_CORRECTED, ORDER_FOUND, ORDER_SEALED, OrderTally, OrderTerms, penalty_days,
    step_order,
};
use crate::engine::rng::{Purpose, Stream, StreamKey};

/// One enterprise: 28 bytes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Enterprise {
    /// Monthly output (million yuan).
    pub output: f32,
    /// Monthly emission without abatement (tonnes).
    pub emission: f32,
    /// Monthly cost of the reference abatement share (million yuan).
    pub cost: f32,
    /// Learned probability of a sanction when violating.
    pub belief: f32,
    /// Inspection weight (1 under random inspections; ∝ emission under risk-based targeting).
    pub weight: f32,
    /// Share of the region's required abatement this enterprise carries: 1 under uniform caps,
    /// ∝ emission / cost under least-cost allocation (`targets.rs`).
    pub allocation: f32,
    /// Violation type = index of the primary competent department.
    pub kind: u8,
    /// Under continuous online monitoring.
    pub covered: bool,
    /// Complied in the last step.
    pub complying: bool,
    /// The correction order (`refusers` mode of the daily penalty): bits [`ORDER_AGE`] count the
    /// months since an open order was issued (0: none), [`ORDER_SEALED`] marks a refuser sealed up
    /// for the coming month, [`ORDER_FOUND`] a refusal found by a follow-up (the daily penalty runs),
    /// [`ORDER_CORRECTED`] an order corrected before.
    pub order: u8,
}

/// Everything an enterprise of one region faces in one step: its environment, assembled once per
/// region per step by `policy.rs`.
#[derive(Debug, Clone, Copy, Default)]
pub struct RegionPolicy {
    pub departments: usize,
    /// Per-department probability that an inspection of a weight-1 enterprise finds a violation.
    pub inspect: [f64; MAX_DEPARTMENTS],
    /// For each violation type, the bit mask of departments whose detections lead to action.
    pub acting: [u16; MAX_DEPARTMENTS],
    /// Probability online monitoring flags a violation.
    pub monitor_hit: f64,
    pub false_positive: f64,
    /// Probability a violator is named in a handled, founded complaint (already routed).
    pub complaint_detect: f64,
    /// Probability an NGO checks an enterprise, and that a finding goes to litigation.
    pub ngo_check: f64,
    pub litigation_share: f64,
    /// Probability of a central-campaign or joint-team detection (bypasses silos and capture).
    pub direct_check: f64,
    /// Probability a routed case is taken up.
    pub handle: f64,
    /// Probability a case is waived by the local government, for an enterprise of mean output.
    pub capture: f64,
    pub mean_output: f64,
    /// Legal clarity: probability a case ends in an enforceable sanction.
    pub clarity: f64,
    /// Sanction amount (million yuan) and its deterrent value (sanction + disclosed reputation).
    pub sanction: f64,
    pub deterrent: f64,
    /// Abatement share required of a compliant enterprise (before its allocation weight), and the
    /// reference share at which the abatement cost is c_i.
    pub abatement: f64,
    pub reference_abatement: f64,
    /// Subsidy paid to each complying enterprise this month (million yuan).
    pub subsidy: f64,
    /// Correction orders (`law.daily_penalty_for = "refusers"`): a sanctioned violator is ordered to
    /// correct within `correction_days`; a refusal found by a follow-up (probability `follow_up` a
    /// month) pays `daily_penalty` per day after the deadline until it corrects.
    pub orders: bool,
    pub daily_penalty: f64,
    pub correction_days: f64,
    pub follow_up: f64,
    /// Probability per month that a found refuser still refusing is sealed up (`law.seal_up`).
    pub seal_up: f64,
}

/// What a chunk of enterprises did in one step.
#[derive(Debug, Clone, Copy, Default)]
pub struct EnterpriseTally {
    pub enterprises: f64,
    pub complying: f64,
    pub violating: f64,
    /// Violations that reached a department able to act, or a central/joint/NGO channel.
    pub detected: f64,
    pub sanctioned: f64,
    pub fines: f64,
    pub litigation: f64,
    pub emissions: f64,
    pub abatement_cost: f64,
    pub subsidies: f64,
    pub output: f64,
    pub false_alarms: f64,
    pub belief: f64,
    /// Correction orders (their daily penalties are also in `fines`).
    pub order: OrderTally,
    /// Enterprises sealed up this month (no output, no emission), and the output they lost (M¥).
    pub sealed: f64,
    pub output_lost: f64,
    /// Violators an NGO check took to court this month (public-interest cases filed).
    pub court_cases: f64,
}

impl EnterpriseTally {
    pub fn add(&mut self, o: &EnterpriseTally) {
        self.enterprises += o.enterprises;
        self.complying += o.complying;
        self.violating += o.violating;
        self.detected += o.detected;
        self.sanctioned += o.sanctioned;
        self.fines += o.fines;
        self.litigation += o.litigation;
        self.emissions += o.emissions;
        self.abatement_cost += o.abatement_cost;
        self.subsidies += o.subsidies;
        self.output += o.output;
        self.false_alarms += o.false_alarms;
        self.belief += o.belief;
        self.order.add(&o.order);
        self.sealed += o.sealed;
        self.output_lost += o.output_lost;
        self.court_cases += o.court_cases;
    }
}

/// Behavioural constants of the decision rule.
#[derive(Debug, Clone, Copy)]
pub struct DecisionRule {
    /// Logit temperature τ (million yuan).
    pub rationality: f64,
    /// Learning weight w.
    pub learning_rate: f32,
}

/// Probability of complying given the perceived advantage of complying (million yuan).
#[inline]
pub fn compliance_probability(advantage: f64, rationality: f64) -> f64 {
    if rationality > 0.0 {
        1.0 / (1.0 + (-advantage / rationality).exp())
    } else if advantage > 0.0 {
        1.0
    } else {
        0.0
    }
}

/// Whether an enterprise whose draw is `u` complies at x = advantage/τ (τ > 0):
/// u < 1/(1 + e^(−x)) written as u·(1 + e^(−x)) < 1, which needs no division. The reference that
/// [`complies_word`] reproduces decision for decision.
#[inline]
fn exactly_complies(u: f64, x: f64) -> bool {
    u * (1.0 + (-x).exp()) < 1.0
}

/// log2 of the number of buckets of the 32-bit draw in [`LOGIT_BOUNDS`].
const LOGIT_BITS: u32 = 10;

/// How far (in x = advantage/τ) a bucket's bounds are widened. Away from its boundary the
/// floating-point test u·(1 + e^(−x)) < 1 and the exact one x > ln(u/(1 − u)) agree: at
/// x = logit(u) + δ the product differs from 1 by about (1 − u)·|δ| ≥ 2⁻³²·10⁻⁵ ≈ 2·10⁻¹⁵,
/// several times the rounding of `exp`, one addition and one product (under 4·10⁻¹⁶), and the
/// bounds' own rounding (under 10⁻¹⁴ at |logit| ≤ 23) is smaller still.
const LOGIT_MARGIN: f64 = 1e-5;

/// ln(u/(1 − u)) at the bucket edges u = j/2^LOGIT_BITS, widened by the margin: bucket j of
/// the draw (its top LOGIT_BITS bits) has its logit in [LOGIT_BOUNDS[j].0, LOGIT_BOUNDS[j].1].
static LOGIT_BOUNDS: std::sync::LazyLock<Vec<(f64, f64)>> = std::sync::LazyLock::new(|| {
    let n = 1usize << LOGIT_BITS;
    let logit = |j: usize| {
        let u = j as f64 / n as f64;
        (u / (1.0 - u)).ln()
    };
    (0..n)
        .map(|j| (logit(j) - LOGIT_MARGIN, logit(j + 1) + LOGIT_MARGIN))
        .collect()
});

/// The logit choice for the 32-bit draw `word` (u = word/2³²) at x = advantage/τ, without an
/// `exp` in all but about one month in a thousand: the draw's bucket bounds its logit, and only a
/// value of x within a bucket's width of it needs [`exactly_complies`]. The decision is the
/// reference's in every case (test `the_bracketed_choice_is_the_floating_point_choice`).
#[inline]
fn complies_word(word: u32, x: f64, bounds: &[(f64, f64)]) -> bool {
    let (low, high) = bounds[(word >> (32 - LOGIT_BITS)) as usize];
    // The outcome is a coin flip to the branch predictor, so only the rare undecided case
    // branches: x is outside [low, high] exactly when (x − low)·(high − x) < 0 (a subtraction
    // keeps its sign, a product rounds to zero at worst, and an infinite edge gives NaN, which
    // falls to the exact test), and outside it the choice is x > high, a flag.
    if (x - low) * (high - x) < 0.0 {
        x > high
    } else {
        exactly_complies(f64::from(word) * (1.0 / 4_294_967_296.0), x)
    }
}

/// The detection channels besides online monitoring, as independent Bernoulli events in a fixed
/// order: one per department, then the complaint, the NGO check and the direct (central or joint)
/// check. A department whose detections of this violation type lead to no action has probability
/// zero: its finding changes nothing. One value per violation type and region-month; an
/// enterprise's inspection weight scales the departments' probabilities.
#[derive(Debug, Clone, Copy)]
struct Channels {
    /// Per-department probability for a weight-1 enterprise (0 where the department does not act).
    inspect: [f64; MAX_DEPARTMENTS],
    departments: usize,
    /// Complaint, NGO and direct check.
    other: [f64; 3],
    /// Probability that none of the three others fires, and that none at all does at weight 1.
    none_other: f64,
    none_unit: f64,
}

const CHANNELS: usize = MAX_DEPARTMENTS + 3;

/// The outcome of [`Channels::cases`].
struct Cases {
    /// An NGO took the finding to court.
    court: bool,
    /// The sanction, if any, is a fine (a department's or a central or joint team's case), not a
    /// court's.
    administrative: bool,
    /// The violation would end in a sanction.
    exposure: bool,
}

impl Channels {
    /// The channels of an enterprise whose violation type is acted on by the departments in
    /// `acting`.
    fn new(policy: &RegionPolicy, acting: u16) -> Self {
        let departments = policy.departments.min(MAX_DEPARTMENTS);
        let mut inspect = [0.0; MAX_DEPARTMENTS];
        for (k, pk) in inspect.iter_mut().enumerate().take(departments) {
            if acting & (1 << k) != 0 {
                *pk = policy.inspect[k].max(0.0);
            }
        }
        let other = [
            policy.complaint_detect.clamp(0.0, 1.0),
            policy.ngo_check.clamp(0.0, 1.0),
            policy.direct_check.clamp(0.0, 1.0),
        ];
        let none_other = other.iter().map(|p| 1.0 - p).product();
        let mut c = Channels {
            inspect,
            departments,
            other,
            none_other,
            none_unit: 0.0,
        };
        c.none_unit = c.none(1.0);
        c
    }

    /// Probability that no channel fires for an enterprise of inspection weight `w`.
    #[inline]
    fn none(&self, w: f64) -> f64 {
        self.inspect[..self.departments]
            .iter()
            .fold(self.none_other, |none, p| none * (1.0 - (p * w).min(1.0)))
    }

    /// Bit masks of the channels in [`Channels::fire`]'s result.
    fn departments_mask(&self) -> u32 {
        (1 << self.departments) - 1
    }

    fn complaint(&self) -> u32 {
        1 << self.departments
    }

    fn ngo(&self) -> u32 {
        1 << (self.departments + 1)
    }

    fn direct(&self) -> u32 {
        1 << (self.departments + 2)
    }

    /// Which channels fire this month for an enterprise of weight `w`, as a bit mask (departments,
    /// then complaint, NGO, direct). In most months none does, and one draw says so. Otherwise,
    /// given that one fires, channel c fires with probability p_c / P(one of c, c+1, … fires)
    /// until one has, and each later one with its own p: the joint distribution of one independent
    /// draw per channel, for one draw in the usual month.
    #[cfg(test)]
    fn fire(&self, w: f64, rng: &mut Stream) -> u32 {
        let word = rng.word();
        self.fire_with(w, word, rng)
    }

    /// [`Channels::fire`] with its first draw, the 32-bit `word`, already taken.
    #[inline]
    fn fire_with(&self, w: f64, word: u32, rng: &mut Stream) -> u32 {
        let none = if w == 1.0 {
            self.none_unit
        } else {
            self.none(w)
        };
        if f64::from(word) * (1.0 / 4_294_967_296.0) >= 1.0 - none {
            return 0;
        }
        self.fire_given_one(w, rng)
    }

    /// What follows when a channel fired or online monitoring flagged the enterprise: whether the
    /// case reached a department able to act or went to court, is taken up, waived and ends in a
    /// sanction. Draws, in order: the litigation of an NGO finding, the take-up of a routed case,
    /// its waiver by the local government, and legal clarity, each only where it decides.
    #[inline]
    fn cases(
        &self,
        fired: u32,
        monitored: bool,
        acting: u16,
        output: f32,
        policy: &RegionPolicy,
        rng: &mut Stream,
    ) -> Cases {
        let ngo = fired & self.ngo() != 0;
        let direct = fired & self.direct() != 0;
        let reached = monitored
            || fired & (self.departments_mask() | self.complaint()) != 0
            || (ngo && acting & 1 != 0);
        let court = ngo && rng.hit(policy.litigation_share);
        let administrative = reached && rng.hit(policy.handle) && {
            let output = f64::from(output);
            let capture = (policy.capture * 2.0 * output / (output + policy.mean_output)).min(1.0);
            !rng.hit(capture)
        };
        let exposure = (administrative || direct || court) && rng.hit(policy.clarity);
        Cases {
            court,
            administrative: administrative || direct,
            exposure,
        }
    }

    /// [`Channels::cases`] for an enterprise flagged or found this month, with its tallies: a
    /// violator's detection, court case and sanction. Returns the exposure. Out of line and cold
    /// so that the loop around it keeps its sums in registers: rare in the fragmented run (one
    /// enterprise-month in 45), it also serves the coordinated one, where online monitoring of 70%
    /// of the enterprises sends two months in three here, with fewer instructions than inline.
    #[allow(clippy::too_many_arguments)]
    #[cold]
    #[inline(never)]
    fn expose(
        &self,
        fired: u32,
        monitored: bool,
        acting: u16,
        comply: bool,
        output: f32,
        policy: &RegionPolicy,
        rng: &mut Stream,
        tally: &mut EnterpriseTally,
    ) -> bool {
        let cases = self.cases(fired, monitored, acting, output, policy, rng);
        if !comply {
            tally.court_cases += f64::from(u8::from(cases.court));
            tally.detected += 1.0;
            if cases.exposure {
                tally.sanctioned += 1.0;
                if cases.administrative {
                    tally.fines += policy.sanction;
                } else {
                    tally.litigation += policy.sanction;
                }
            }
        }
        cases.exposure
    }

    #[cold]
    fn fire_given_one(&self, w: f64, rng: &mut Stream) -> u32 {
        let len = self.departments + 3;
        let mut p = [0.0; CHANNELS];
        for (pk, inspect) in p.iter_mut().zip(&self.inspect[..self.departments]) {
            *pk = (inspect * w).min(1.0);
        }
        p[self.departments..len].copy_from_slice(&self.other);
        // Probability that none of c, c+1, … fires.
        let mut none_from = [1.0; CHANNELS + 1];
        for c in (0..len).rev() {
            none_from[c] = none_from[c + 1] * (1.0 - p[c]);
        }
        let mut fired = 0;
        for c in 0..len {
            if p[c] <= 0.0 {
                continue;
            }
            let fires = if fired == 0 {
                rng.hit(p[c] / (1.0 - none_from[c]))
            } else {
                rng.hit(p[c])
            };
            fired |= u32::from(fires) << c;
        }
        fired
    }
}

/// `x` if the enterprise complies, else zero, as a product with 1 or 0: the compiler lowers a
/// select of floating-point values (and a bit mask, which it turns back into one) to a branch,
/// which the coin flip of the choice mispredicts. For finite `x` the product is `x` or ±0.0, and
/// adding ±0.0 to a tally that starts at +0.0 leaves it as it was, so the tallies are those of
/// the select, bit for bit.
#[inline(always)]
fn if_complying(comply: bool, x: f64) -> f64 {
    x * f64::from(u8::from(comply))
}

/// Advance one chunk of enterprises (all in one region) by one step.
pub fn step_chunk(
    chunk: &mut [Enterprise],
    policy: &RegionPolicy,
    rule: &DecisionRule,
    rng: &mut Stream,
) -> EnterpriseTally {
    let mut tally = EnterpriseTally::default();
    let terms = OrderTerms {
        daily_penalty: policy.daily_penalty,
        follow_up: policy.follow_up,
        seal_up: policy.seal_up,
    };
    let inv_rationality = 1.0 / rule.rationality;
    let bounds = LOGIT_BOUNDS.as_slice();
    // An enterprise's abatement share and its cost factor (share / reference share)², given its
    // allocation weight.
    let share = |allocation: f64| {
        let abatement = (policy.abatement * allocation).min(1.0);
        let ratio = abatement / policy.reference_abatement;
        (abatement, ratio * ratio)
    };
    let unit = share(1.0);
    // The detection channels of each violation type, built when first met.
    let mut by_kind = [None; MAX_DEPARTMENTS];
    // The enterprises stepped (sealed ones are counted on their own) and the compliers among them.
    let (mut enterprises, mut complying) = (0u32, 0u32);
    // The sums every enterprise adds to, kept apart from the tally (which the rare paths take by
    // reference) so that they stay in registers; each is added to in the tally's order.
    let (mut output, mut belief, mut abatement_cost, mut subsidies, mut emissions) =
        (0.0, 0.0, 0.0, 0.0, 0.0);
    let mut false_alarms = 0.0;
    for e in chunk.iter_mut() {
        if e.order & ORDER_SEALED != 0 {
            // Sealed up: production stops for the month, no draw is taken, and the facility
            // reopens corrected.
            e.order = ORDER_CORRECTED;
            e.complying = true;
            tally.enterprises += 1.0;
            tally.complying += 1.0;
            belief += f64::from(e.belief);
            tally.sealed += 1.0;
            tally.output_lost += f64::from(e.output);
            tally.order.corrections += 1.0;
            continue;
        }
        // Under uniform caps every allocation is 1, and the chunk's share and cost factor serve.
        let (abatement, factor) = if e.allocation == 1.0 {
            unit
        } else {
            share(f64::from(e.allocation))
        };
        let cost = f64::from(e.cost) * factor;
        let net_cost = cost - policy.subsidy;
        let mut perceived_penalty = f64::from(e.belief) * policy.deterrent;
        // Under an open correction order, refusing also risks the daily penalty: for certain once a
        // follow-up has found a refusal, otherwise if a follow-up comes (for every day since the
        // deadline).
        let age = e.order & ORDER_AGE;
        let mut days_owed = (0.0, 0.0);
        if age > 0 {
            days_owed = penalty_days(age, policy.correction_days);
            let (days, owed) = days_owed;
            let found = e.order & ORDER_FOUND != 0;
            perceived_penalty +=
                policy.daily_penalty * if found { days } else { policy.follow_up * owed };
        }
        let advantage = perceived_penalty - net_cost;
        // The choice's word and the next (online monitoring's, or else the channels'), taken
        // together; the draws are those of one word at a time.
        let (choice, next) = rng.two_words();
        let comply = if rule.rationality > 0.0 {
            complies_word(choice, advantage * inv_rationality, bounds)
        } else {
            f64::from(choice) * (1.0 / 4_294_967_296.0) < compliance_probability(advantage, 0.0)
        };

        // Exposure: would a violation this month end in a sanction? In most months no channel
        // fires, and nothing more is drawn.
        let kind = usize::from(e.kind);
        let acting = policy.acting[kind];
        let mut monitored = false;
        let mut channel_word = next;
        if e.covered {
            // Online data are held by the environment department (index 0).
            let u = f64::from(next) * (1.0 / 4_294_967_296.0);
            monitored = u < policy.monitor_hit && acting & 1 != 0;
            let false_alarm = comply && u >= 1.0 - policy.false_positive;
            false_alarms += f64::from(u8::from(false_alarm));
            channel_word = rng.word();
        }
        let channels = &*by_kind[kind].get_or_insert_with(|| Channels::new(policy, acting));
        let fired = channels.fire_with(f64::from(e.weight), channel_word, rng);
        let mut exposure = false;
        if fired != 0 || monitored {
            exposure = channels.expose(
                fired, monitored, acting, comply, e.output, policy, rng, &mut tally,
            );
        }

        e.belief += rule.learning_rate * (f32::from(u8::from(exposure)) - e.belief);
        e.complying = comply;
        if policy.orders && (e.order != 0 || exposure) {
            // An enterprise without an order, a past correction or a sanction this month has
            // nothing to record.
            let paid = step_order(
                &mut e.order,
                &terms,
                rng,
                comply,
                exposure,
                days_owed,
                &mut tally.order,
            );
            tally.fines += paid;
        }

        enterprises += 1;
        output += f64::from(e.output);
        belief += f64::from(e.belief);
        // The choice is a coin flip to the branch predictor: its tallies are products with it,
        // not branches on it (1 − 0 is exactly 1).
        complying += u32::from(comply);
        abatement_cost += if_complying(comply, cost);
        subsidies += if_complying(comply, policy.subsidy);
        let emission = f64::from(e.emission);
        emissions += emission * (1.0 - if_complying(comply, abatement));
    }
    tally.output += output;
    tally.belief += belief;
    tally.abatement_cost += abatement_cost;
    tally.subsidies += subsidies;
    tally.emissions += emissions;
    tally.false_alarms += false_alarms;
    // Counts of whole agents, exact in f64.
    tally.enterprises += f64::from(enterprises);
    tally.complying += f64::from(complying);
    tally.violating += f64::from(enterprises - complying);
    tally
}

/// Step the enterprises of region `r` against its policy, in fixed chunks of [`ENTERPRISE_CHUNK`]
/// with their own random streams (numbered across regions); returns the region's tally, its
/// chunks' tallies added in order. `tallies` is scratch of one entry per chunk.
pub fn step_region(
    firms: &mut [Enterprise],
    tallies: &mut [EnterpriseTally],
    policy: &RegionPolicy,
    rule: &DecisionRule,
    key: StreamKey,
    month: u32,
    r: usize,
) -> EnterpriseTally {
    let chunks_per_region = firms.len().div_ceil(ENTERPRISE_CHUNK);
    firms
        .par_chunks_mut(ENTERPRISE_CHUNK)
        .zip(tallies.par_iter_mut())
        .enumerate()
        .for_each(|(c, (chunk, tally))| {
            let id = (r * chunks_per_region + c) as u32;
            let mut rng = key.stream(Purpose::EnterpriseStep, month, id);
            *tally = step_chunk(chunk, policy, rule, &mut rng);
        });
    let mut region = EnterpriseTally::default();
    tallies.iter().for_each(|t| region.add(t));
    region
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order_policy(daily_penalty: f64, follow_up: f64) -> RegionPolicy {
        RegionPolicy {
            departments: 1,
            acting: [u16::MAX; MAX_DEPARTMENTS],
            handle: 1.0,
            clarity: 1.0,
            sanction: 0.1,
            deterrent: 0.1,
            abatement: 0.5,
            reference_abatement: 0.5,
            orders: true,
            daily_penalty,
            correction_days: 45.0,
            follow_up,
            ..RegionPolicy::default()
        }
    }

    fn firm() -> Enterprise {
        Enterprise {
            output: 1.0,
            emission: 1.0,
            cost: 0.3,
            belief: 0.0,
            weight: 1.0,
            allocation: 1.0,
            ..Enterprise::default()
        }
    }

    #[test]
    fn the_choice_without_division_is_the_logit_choice() {
        // Away from a tie (|u − p| > 10⁻¹²) the outcome is that of u < p.
        let mut compared = 0;
        for i in -300..=300 {
            let advantage = f64::from(i) * 1e-3;
            for tau in [0.002, 0.05, 1.0] {
                let p = compliance_probability(advantage, tau);
                for k in 0..=100 {
                    let u = f64::from(k) / 100.0;
                    if (u - p).abs() > 1e-12 {
                        assert_eq!(exactly_complies(u, advantage / tau), u < p, "{u} {p}");
                        compared += 1;
                    }
                }
            }
        }
        assert!(compared > 170_000);
    }

    #[test]
    fn the_bracketed_choice_is_the_floating_point_choice() {
        // Every bucket edge and its neighbouring words, at values of x on, just inside and just
        // outside each bucket's bounds, and a dense grid: the same decision as the reference.
        let bounds = LOGIT_BOUNDS.as_slice();
        let mut xs: Vec<f64> = (-4000..=4000).map(|i| f64::from(i) * 0.01).collect();
        xs.extend([f64::INFINITY, f64::NEG_INFINITY, 800.0, -800.0]);
        let mut checked = 0u64;
        let mut exact = 0u64;
        for j in 0..(1u32 << LOGIT_BITS) {
            let edge = j << (32 - LOGIT_BITS);
            for word in [
                edge,
                edge.wrapping_add(1),
                edge.wrapping_sub(1),
                edge | 0x1234,
            ] {
                let u = f64::from(word) / 4_294_967_296.0;
                let logit = (u / (1.0 - u)).ln();
                let (low, high) = bounds[(word >> (32 - LOGIT_BITS)) as usize];
                let near = [low, high, logit, logit + 1e-9, logit - 1e-9];
                for x in xs.iter().copied().chain(
                    near.iter()
                        .flat_map(|&b| [b, b.next_up(), b.next_down(), b + 1e-7, b - 1e-7]),
                ) {
                    assert_eq!(
                        complies_word(word, x, bounds),
                        exactly_complies(u, x),
                        "word {word}, x {x}"
                    );
                    checked += 1;
                    exact += u64::from(x >= low && x <= high);
                }
            }
        }
        assert!(checked > 30_000_000 && exact > 50_000, "{checked} {exact}");
        // And over random words and values of x.
        let mut rng = StreamKey::new(5, 0).stream(Purpose::EnterpriseStep, 0, 0);
        for _ in 0..2_000_000 {
            let word = rng.word();
            let x = (rng.uniform() - 0.5) * 60.0;
            let u = f64::from(word) / 4_294_967_296.0;
            assert_eq!(complies_word(word, x, bounds), exactly_complies(u, x));
        }
    }

    #[test]
    fn one_draw_for_no_channel_keeps_the_channels_independent_with_their_own_probabilities() {
        // Three departments (the second not acting on this type), complaint, NGO, direct: each
        // channel's share, each pair's joint share and the share with none within 4.5 SE of the
        // product of independent draws, over 400,000 months.
        let policy = RegionPolicy {
            departments: 3,
            inspect: {
                let mut p = [0.0; MAX_DEPARTMENTS];
                p[..3].copy_from_slice(&[0.05, 0.3, 0.02]);
                p
            },
            complaint_detect: 0.01,
            ngo_check: 0.2,
            direct_check: 0.004,
            ..RegionPolicy::default()
        };
        // At inspection weight 2.
        let channels = Channels::new(&policy, 0b101);
        let p = [0.1, 0.0, 0.04, 0.01, 0.2, 0.004];
        let n = 400_000;
        let mut rng = StreamKey::new(3, 0).stream(Purpose::EnterpriseStep, 0, 0);
        let mut single = [0.0; 6];
        let mut pair = [[0.0; 6]; 6];
        let mut none = 0.0;
        for _ in 0..n {
            let fired = channels.fire(2.0, &mut rng);
            none += f64::from(u8::from(fired == 0));
            for i in 0..6 {
                if fired & (1 << i) != 0 {
                    single[i] += 1.0;
                    for j in 0..6 {
                        pair[i][j] += f64::from(u8::from(fired & (1 << j) != 0));
                    }
                }
            }
        }
        let near = |count: f64, q: f64, what: &str| {
            let se = (q * (1.0 - q) / f64::from(n)).sqrt().max(1e-9);
            let share = count / f64::from(n);
            assert!((share - q).abs() <= 4.5 * se, "{what}: {share} against {q}");
        };
        near(none, p.iter().map(|q| 1.0 - q).product(), "none");
        for i in 0..6 {
            near(single[i], p[i], &format!("channel {i}"));
            for j in (i + 1)..6 {
                near(pair[i][j], p[i] * p[j], &format!("channels {i} and {j}"));
            }
        }
    }

    #[test]
    fn the_correction_order_fits_in_the_enterprises_padding() {
        assert_eq!(std::mem::size_of::<Enterprise>(), 28);
    }

    #[test]
    fn best_response_complies_exactly_when_expected_penalty_exceeds_cost() {
        assert_eq!(compliance_probability(0.01, 0.0), 1.0);
        assert_eq!(compliance_probability(-0.01, 0.0), 0.0);
        assert_eq!(compliance_probability(0.0, 0.0), 0.0);
        assert!((compliance_probability(0.0, 0.1) - 0.5).abs() < 1e-12);
        let p = compliance_probability(0.1, 0.1);
        assert!((p - 1.0 / (1.0 + (-1.0f64).exp())).abs() < 1e-12);
    }

    #[test]
    fn ngo_court_cases_are_a_litigation_share_of_the_violators_ngos_check() {
        // 20,000 enterprises that never comply (no penalty, positive cost), every one checked by an
        // NGO; a share q of the checks goes to court. Then the same enterprises complying: no case.
        let cases = |q: f64, cost: f32| {
            let mut firms = vec![
                Enterprise {
                    output: 1.0,
                    emission: 1.0,
                    cost,
                    weight: 1.0,
                    allocation: 1.0,
                    ..Enterprise::default()
                };
                20_000
            ];
            let policy = RegionPolicy {
                departments: 1,
                acting: [u16::MAX; MAX_DEPARTMENTS],
                handle: 1.0,
                clarity: 1.0,
                sanction: 0.1,
                abatement: 0.5,
                reference_abatement: 0.5,
                ngo_check: 1.0,
                litigation_share: q,
                ..RegionPolicy::default()
            };
            let rule = DecisionRule {
                rationality: 0.0,
                learning_rate: 0.0,
            };
            let mut rng = StreamKey::new(11, 0).stream(Purpose::EnterpriseStep, 1, 0);
            let t = step_chunk(&mut firms, &policy, &rule, &mut rng);
            (t.violating, t.court_cases)
        };
        for q in [0.02, 0.2] {
            let (violating, filed) = cases(q, 0.3);
            assert_eq!(violating, 20_000.0);
            let se = (q * (1.0 - q) / violating).sqrt();
            assert!(
                (filed / violating - q).abs() < 4.0 * se,
                "q = {q}: {filed} cases"
            );
        }
        // A negative cost: everyone complies, and an NGO takes no complier to court.
        assert_eq!(cases(0.2, -0.3), (0.0, 0.0));
    }

    #[test]
    fn the_chunks_sums_are_the_compliers_and_violators_values_added_in_order() {
        // Enterprises of many costs and emissions, some with a cap allocation other than 1, about
        // half complying: each sum equals the same values selected by the choice and added one
        // enterprise after another, bit for bit.
        let firms: Vec<Enterprise> = (0..3000u32)
            .map(|i| Enterprise {
                cost: 0.05 + (i % 97) as f32 * 0.003,
                emission: 0.3 + (i % 89) as f32 * 0.07,
                output: 1.0 + (i % 13) as f32 * 0.5,
                allocation: if i % 5 == 0 { 0.8 } else { 1.0 },
                belief: (i % 11) as f32 * 0.04,
                ..firm()
            })
            .collect();
        let policy = RegionPolicy {
            subsidy: 0.02,
            deterrent: 1.0,
            ..order_policy(0.0, 0.0)
        };
        let rule = DecisionRule {
            rationality: 0.05,
            learning_rate: 0.0,
        };
        let mut after = firms.clone();
        let mut rng = StreamKey::new(3, 0).stream(Purpose::EnterpriseStep, 0, 0);
        let t = step_chunk(&mut after, &policy, &rule, &mut rng);
        let (mut cost, mut subsidies, mut emissions, mut output) = (0.0, 0.0, 0.0, 0.0);
        for (e, a) in firms.iter().zip(&after) {
            let abatement = (policy.abatement * f64::from(e.allocation)).min(1.0);
            let ratio = abatement / policy.reference_abatement;
            let emission = f64::from(e.emission);
            output += f64::from(e.output);
            if a.complying {
                cost += f64::from(e.cost) * (ratio * ratio);
                subsidies += policy.subsidy;
                emissions += emission * (1.0 - abatement);
            } else {
                emissions += emission;
            }
        }
        let compliers = after.iter().filter(|e| e.complying).count() as f64;
        assert!(compliers > 300.0 && compliers < 2700.0, "{compliers}");
        assert_eq!(t.complying, compliers);
        assert_eq!(t.abatement_cost.to_bits(), cost.to_bits());
        assert_eq!(t.subsidies.to_bits(), subsidies.to_bits());
        assert_eq!(t.emissions.to_bits(), emissions.to_bits());
        assert_eq!(t.output.to_bits(), output.to_bits());
    }

    #[test]
    fn a_larger_daily_penalty_makes_fewer_refusals() {
        // 4,096 enterprises, each under an order three months old (45 days past its deadline),
        // not yet found; the same random stream for both penalties.
        let refusals = |daily: f64| {
            let mut firms = vec![Enterprise { order: 3, ..firm() }; 4096];
            let rule = DecisionRule {
                rationality: 0.1,
                learning_rate: 0.1,
            };
            let mut rng = StreamKey::new(7, 0).stream(Purpose::EnterpriseStep, 3, 0);
            let t = step_chunk(&mut firms, &order_policy(daily, 0.5), &rule, &mut rng);
            t.order.refusals / t.enterprises
        };
        let (once, twice) = (refusals(0.005), refusals(0.01));
        assert!(
            twice < once - 0.05,
            "refusal share {once:.3} at 0.005 M¥/day, {twice:.3} at twice that"
        );
        // Every violator is found by a direct check: orders follow sanctions in the refusers mode,
        // and none at all when the daily penalty rides on every sanction.
        let orders = |orders: bool| {
            let mut firms = vec![firm(); 1024];
            let policy = RegionPolicy {
                orders,
                direct_check: 1.0,
                ..order_policy(0.01, 0.5)
            };
            let rule = DecisionRule {
                rationality: 0.1,
                learning_rate: 0.1,
            };
            let mut rng = StreamKey::new(7, 0).stream(Purpose::EnterpriseStep, 0, 0);
            let t = step_chunk(&mut firms, &policy, &rule, &mut rng);
            let open = firms.iter().filter(|e| e.order != 0).count() as f64;
            (t.sanctioned, t.order.orders, open)
        };
        let (sanctioned, issued, open) = orders(true);
        assert!(sanctioned > 100.0 && issued == sanctioned && open == sanctioned);
        let (sanctioned, issued, open) = orders(false);
        assert!(sanctioned > 100.0 && issued == 0.0 && open == 0.0);
    }

    #[test]
    fn a_found_refuser_sealed_up_stops_production_for_a_month_and_reopens_corrected() {
        // 2,048 refusers found three months ago, all still refusing (huge abatement cost, τ small).
        let found = Enterprise {
            order: 4 | ORDER_FOUND,
            cost: 100.0,
            ..firm()
        };
        let rule = DecisionRule {
            rationality: 0.001,
            learning_rate: 0.1,
        };
        let month = |firms: &mut Vec<Enterprise>, seal_up: f64, seed: u64| {
            let policy = RegionPolicy {
                seal_up,
                ..order_policy(0.01, 0.5)
            };
            let mut rng = StreamKey::new(seed, 0).stream(Purpose::EnterpriseStep, 0, 0);
            step_chunk(firms, &policy, &rule, &mut rng)
        };
        let mut firms = vec![found; 2048];
        let t = month(&mut firms, 0.25, 1);
        // Every one refuses and pays this month; about a quarter are sealed for the next.
        assert_eq!((t.order.refusals, t.sealed), (2048.0, 0.0));
        let sealed = firms.iter().filter(|e| e.order & ORDER_SEALED != 0).count() as f64;
        assert!(
            (sealed / 2048.0 - 0.25).abs() < 0.03,
            "sealed share {sealed}"
        );
        // Next month the sealed produce and emit nothing, and reopen with the order closed.
        let t = month(&mut firms, 0.25, 2);
        assert_eq!(t.sealed, sealed);
        assert_eq!(t.output_lost, sealed * 1.0);
        assert!((t.output - (2048.0 - sealed)).abs() < 1e-9);
        assert!(
            (t.emissions - (2048.0 - sealed)).abs() < 1e-9,
            "{}",
            t.emissions
        );
        let reopened = firms.iter().filter(|e| e.order == ORDER_CORRECTED).count() as f64;
        assert_eq!(reopened, sealed);
        // Without seal-ups, refusers stay open and keep paying.
        let mut firms = vec![found; 2048];
        month(&mut firms, 0.0, 1);
        let t = month(&mut firms, 0.0, 2);
        assert_eq!((t.sealed, t.order.refusals), (0.0, 2048.0));
    }
}
