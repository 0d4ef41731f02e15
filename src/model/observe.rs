//! Observations: what one step of one replicate reports (ODD "Observation", `docs/MODEL.md` §8).
//! Outputs and figures read only these. Every indicator of a step is declared once, in
//! [`Indicator`]: its column name, unit, domain (the range it can take, to which confidence intervals
//! are clipped) and the agent family it is computed from.

use super::central;
use super::complaints::ComplaintOutcome;
use super::enterprise::EnterpriseTally;
use super::local::LocalGovernment;
use super::pollution::Basin;
use super::public::PublicTally;
use crate::scenario::Params;

/// The range a quantity can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Domain {
    /// A share or probability, in [0, 1].
    Share,
    /// Money (million yuan per month), ≥ 0.
    Money,
    /// A count per month, ≥ 0.
    Count,
    /// Pollutant mass (tonnes), ≥ 0.
    Mass,
    /// A level such as enforcement intensity, ≥ 0.
    Level,
    /// Unbounded: welfare, differences, gaps.
    Signed,
}

impl Domain {
    /// The closed range of the domain.
    pub fn bounds(self) -> (f64, f64) {
        match self {
            Domain::Share => (0.0, 1.0),
            Domain::Money | Domain::Count | Domain::Mass | Domain::Level => (0.0, f64::INFINITY),
            Domain::Signed => (f64::NEG_INFINITY, f64::INFINITY),
        }
    }
}

/// The agent family an indicator is computed from (named in error messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Region,
    Public,
    Government,
    Enterprise,
}

impl Family {
    pub fn name(self) -> &'static str {
        match self {
            Family::Region => "region (pollution)",
            Family::Public => "public",
            Family::Government => "government",
            Family::Enterprise => "enterprise",
        }
    }
}

macro_rules! indicators {
    ($($(#[$doc:meta])* $variant:ident $field:ident: $domain:ident, $family:ident, $unit:literal;)+) => {
        /// Basin-wide indicators of one step (money in million yuan per month, mass in tonnes).
        #[derive(Debug, Clone, Copy, Default, PartialEq)]
        pub struct StepRecord { $($(#[$doc])* pub $field: f64),+ }

        /// An indicator of [`StepRecord`]: a column of `timeseries.csv`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Indicator { $($(#[$doc])* $variant),+ }

        impl Indicator {
            /// Every indicator, in column order.
            pub const ALL: &'static [Indicator] = &[$(Indicator::$variant),+];

            /// The position of the indicator's column (and value in [`StepRecord::values`]).
            pub const fn index(self) -> usize {
                self as usize
            }

            /// The column name.
            pub const fn name(self) -> &'static str {
                match self { $(Indicator::$variant => stringify!($field)),+ }
            }

            pub const fn domain(self) -> Domain {
                match self { $(Indicator::$variant => Domain::$domain),+ }
            }

            pub fn family(self) -> Family {
                match self { $(Indicator::$variant => Family::$family),+ }
            }

            pub fn unit(self) -> &'static str {
                match self { $(Indicator::$variant => $unit),+ }
            }
        }

        impl StepRecord {
            /// The value of one indicator.
            pub fn get(&self, indicator: Indicator) -> f64 {
                match indicator { $(Indicator::$variant => self.$field),+ }
            }

            /// Values, in the order of [`Indicator::ALL`].
            pub fn values(&self) -> Vec<f64> { vec![$(self.$field),+] }
        }
    };
}

indicators! {
    /// Mean stock over regions at the end of the month.
    PollutionMean pollution_mean: Mass, Region, "t per region";
    /// Share of regions whose stock is at or below the target.
    TargetMetShare target_met_share: Share, Region, "share of regions";
    /// Share of enterprises complying.
    ComplianceRate compliance_rate: Share, Enterprise, "share of enterprises";
    /// Share of violations detected by any channel able to act (0 when nobody violates).
    DetectionRate detection_rate: Share, Enterprise, "share of violations";
    /// Complaints filed by residents.
    ComplaintsFiled complaints_filed: Count, Public, "complaints per month";
    /// Complaints taken up by a competent department within capacity.
    ComplaintsHandled complaints_handled: Count, Public, "complaints per month";
    /// Complaints filed and not handled.
    ComplaintsLost complaints_lost: Count, Public, "complaints per month";
    /// Administrative fines paid (incl. central and joint inspections).
    Fines fines: Money, Enterprise, "M¥ per month";
    /// Public inspections, complaint handling, false alarms, coordination, central and joint teams.
    EnforcementCost enforcement_cost: Money, Government, "M¥ per month";
    /// Cost of the abatement enterprises carry out.
    AbatementCost abatement_cost: Money, Enterprise, "M¥ per month";
    /// Compensation transferred at settlements.
    CompensationPaid compensation_paid: Money, Government, "M¥ per month";
    /// Output of all enterprises.
    Output output: Money, Enterprise, "M¥ per month";
    /// output − abatement − enforcement − damage.
    Welfare welfare: Signed, Enterprise, "M¥ per month";
    /// −(abatement + enforcement + damage + output lost to seal-ups and campaign production limits):
    /// welfare less the output every regime would have without them, the part regimes can change.
    WelfareNet welfare_net: Signed, Enterprise, "M¥ per month";
    /// Mean awareness of residents.
    AwarenessMean awareness_mean: Share, Public, "0–1";
    /// Damages paid after public-interest litigation.
    Litigation litigation: Money, Enterprise, "M¥ per month";
    /// Abatement subsidies paid to enterprises.
    Subsidies subsidies: Money, Enterprise, "M¥ per month";
    /// Violations ending in an enforceable sanction.
    Sanctions sanctions: Count, Enterprise, "enterprises per month";
    /// Enterprises violating.
    Violations violations: Count, Enterprise, "enterprises per month";
    /// Emissions of all enterprises.
    Emissions emissions: Mass, Enterprise, "t per month";
    /// Environmental damage of the basin's stock.
    Damage damage: Money, Region, "M¥ per month";
    /// Mean enforcement intensity of local governments.
    IntensityMean intensity_mean: Level, Government, "intensity";
    /// Mean learned sanction probability of enterprises.
    BeliefMean belief_mean: Share, Enterprise, "probability per month";
    /// Correction orders issued to sanctioned violators (0 unless the daily penalty is for refusers).
    CorrectionOrders correction_orders: Count, Enterprise, "orders per month";
    /// Enterprises refusing to correct an open order (violating under it).
    Refusals refusals: Count, Enterprise, "enterprises per month";
    /// Refusals found by a follow-up inspection: daily-penalty cases opened.
    DailyPenaltyCases daily_penalty_cases: Count, Enterprise, "cases per month";
    /// Daily penalties paid by refusers (included in `fines`).
    DailyPenalties daily_penalties: Money, Enterprise, "M¥ per month";
    /// First violations of enterprises that had corrected an order before.
    Reoffences reoffences: Count, Enterprise, "enterprises per month";
    /// Complaints filed, per 1,000 people (`world.population` per region) per year.
    ComplaintsPer1000 complaints_per_1000_year: Level, Public, "complaints per 1,000 people per year";
    /// Sanctions per enterprise (one registered pollution source) per year.
    SanctionsPerSource sanctions_per_source_year: Level, Enterprise, "sanctions per source per year";
    /// Fines (incl. daily penalties) per sanction, in yuan (0 in a month without sanctions).
    FinePerCase fine_per_case: Level, Enterprise, "¥ per sanction";
    /// Refusers sealed up this month (production stopped; `law.seal_up`).
    SealUps seal_ups: Count, Enterprise, "enterprises per month";
    /// Public-interest cases NGOs filed against violators, per region (a prefecture) per year.
    CourtCasesPerRegion court_cases_per_region_year: Level, Enterprise, "cases per region per year";
    /// Mean share of taken-up cases local governments waive (the cadre evaluation's choice).
    WaiverRate waiver_rate: Share, Government, "share of cases";
    /// Mean share of the monitored stock local governments report away (0 under vertical management).
    ReportGap report_gap: Share, Government, "share of the stock";
    /// Output held back by the production limits of central campaigns (M¥ per month).
    ProductionLimited production_limited: Money, Enterprise, "M¥ per month";
    /// Mean share of undecided cases river chiefs order taken up (0 without river chiefs).
    ChiefOrderRate chief_order_rate: Share, Government, "share of cases";
}

impl Indicator {
    /// The indicator with column name `name`.
    pub fn parse(name: &str) -> Option<Indicator> {
        Indicator::ALL.iter().copied().find(|i| i.name() == name)
    }

    /// Every column name, in order.
    pub fn names() -> Vec<&'static str> {
        Indicator::ALL.iter().map(|i| i.name()).collect()
    }
}

/// One region in one step (`regions.csv`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RegionRecord {
    pub stock: f64,
    pub target_met: f64,
    pub emissions: f64,
    pub inflow: f64,
    pub compliance_rate: f64,
    pub intensity: f64,
    pub abatement_required: f64,
    pub awareness: f64,
    pub complaints_filed: f64,
}

impl RegionRecord {
    /// Column names, in CSV order.
    pub const COLUMNS: &'static [&'static str] = &[
        "stock",
        "target_met",
        "emissions",
        "inflow",
        "compliance_rate",
        "intensity",
        "abatement_required",
        "awareness",
        "complaints_filed",
    ];

    /// Values, in the order of [`Self::COLUMNS`].
    pub fn values(&self) -> Vec<f64> {
        vec![
            self.stock,
            self.target_met,
            self.emissions,
            self.inflow,
            self.compliance_rate,
            self.intensity,
            self.abatement_required,
            self.awareness,
            self.complaints_filed,
        ]
    }
}

/// What a month leaves to be recorded.
pub struct Month<'a> {
    pub p: &'a Params,
    pub basin: &'a Basin,
    pub locals: &'a [LocalGovernment],
    /// Per region: the enterprises', the residents' and the complaints' tallies.
    pub enterprises: &'a [EnterpriseTally],
    pub public: &'a [PublicTally],
    pub complaints: &'a [ComplaintOutcome],
    pub enforcement_cost: f64,
    pub compensation_paid: f64,
    /// Output held back by campaign production limits (also in the tallies' `output_lost`).
    pub limited: f64,
}

/// Record a month: the basin's indicators, and each region's into `regions`. Pollution and damage
/// are read after the month's transport.
pub fn record(m: &Month, regions: &mut [RegionRecord]) -> StepRecord {
    let (etally, ptally) = (m.enterprises, m.public);
    let target = m.p.targets.stock;
    let mut all = EnterpriseTally::default();
    etally.iter().for_each(|t| all.add(t));
    let mut public = PublicTally::default();
    ptally.iter().for_each(|t| public.add(t));
    let n = regions.len() as f64;
    let stock = &m.basin.stock;
    let damage = m.p.world.damage_per_tonne * stock.iter().sum::<f64>();
    for (r, region) in regions.iter_mut().enumerate() {
        *region = RegionRecord {
            stock: stock[r],
            target_met: f64::from(u8::from(stock[r] <= target)),
            emissions: etally[r].emissions,
            inflow: m.basin.inflow[r],
            compliance_rate: etally[r].complying / etally[r].enterprises,
            intensity: central::applied_intensity(m.p, &m.locals[r]),
            abatement_required: m.locals[r].abatement,
            awareness: if ptally[r].residents > 0.0 {
                ptally[r].awareness / ptally[r].residents
            } else {
                0.0
            },
            complaints_filed: ptally[r].filed,
        };
    }
    let enforcement_cost = m.enforcement_cost;
    StepRecord {
        pollution_mean: stock.iter().sum::<f64>() / n,
        target_met_share: stock.iter().filter(|&&x| x <= target).count() as f64 / n,
        compliance_rate: all.complying / all.enterprises,
        detection_rate: if all.violating > 0.0 {
            all.detected / all.violating
        } else {
            0.0
        },
        complaints_filed: public.filed,
        complaints_handled: m.complaints.iter().map(|c| c.handled).sum(),
        complaints_lost: m.complaints.iter().map(|c| c.lost).sum(),
        fines: all.fines,
        enforcement_cost,
        abatement_cost: all.abatement_cost,
        compensation_paid: m.compensation_paid,
        output: all.output,
        welfare: all.output - all.abatement_cost - enforcement_cost - damage,
        welfare_net: -(all.abatement_cost + enforcement_cost + damage + all.output_lost),
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
        intensity_mean: m
            .locals
            .iter()
            .map(|l| central::applied_intensity(m.p, l))
            .sum::<f64>()
            / n,
        belief_mean: all.belief / all.enterprises,
        correction_orders: all.order.orders,
        refusals: all.order.refusals,
        daily_penalty_cases: all.order.daily_cases,
        daily_penalties: all.order.daily_penalties,
        reoffences: all.order.reoffences,
        complaints_per_1000_year: public.filed * 12.0 * 1000.0
            / (n * f64::from(m.p.world.population)),
        sanctions_per_source_year: all.sanctioned * 12.0 / all.enterprises,
        fine_per_case: if all.sanctioned > 0.0 {
            all.fines * 1e6 / all.sanctioned
        } else {
            0.0
        },
        seal_ups: all.sealed,
        court_cases_per_region_year: all.court_cases * 12.0 / n,
        waiver_rate: m.locals.iter().map(|l| l.waiver).sum::<f64>() / n,
        report_gap: m.locals.iter().map(|l| l.misreport).sum::<f64>() / n,
        production_limited: m.limited,
        chief_order_rate: m.locals.iter().map(|l| l.chief_order).sum::<f64>() / n,
    }
}

/// The first indicator that is not finite, with its value (a broken world).
pub fn non_finite(record: &StepRecord) -> Option<(Indicator, f64)> {
    Indicator::ALL
        .iter()
        .map(|&i| (i, record.get(i)))
        .find(|(_, v)| !v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_indicator_reads_its_own_column_and_parses_back_from_its_name() {
        let r = StepRecord {
            pollution_mean: 1.0,
            fines: 7.0,
            chief_order_rate: 0.5,
            ..StepRecord::default()
        };
        let values = r.values();
        assert_eq!(values.len(), Indicator::ALL.len());
        for (i, ind) in Indicator::ALL.iter().enumerate() {
            assert_eq!(Indicator::parse(ind.name()), Some(*ind));
            assert_eq!(r.get(*ind), values[i], "{}", ind.name());
        }
        assert_eq!(r.get(Indicator::Fines), 7.0);
        assert_eq!(values[Indicator::ALL.len() - 1], 0.5);
        assert_eq!(Indicator::parse("no_such_metric"), None);
    }

    #[test]
    fn shares_are_bounded_by_one_and_welfare_is_unbounded() {
        assert_eq!(Indicator::ComplianceRate.domain().bounds(), (0.0, 1.0));
        assert_eq!(Indicator::Fines.domain().bounds().1, f64::INFINITY);
        assert_eq!(Indicator::WelfareNet.domain().bounds().0, f64::NEG_INFINITY);
    }
}
