//! Observations: what one step of one replicate reports (ODD "Observation", `docs/MODEL.md` §8).
//! Outputs and figures read only these. Every indicator of a step is declared once, in
//! [`Indicator`]: its column name, unit, domain (the range it can take, to which confidence intervals
//! are clipped) and the agent family it is computed from.

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
    /// welfare − output = −(abatement + enforcement + damage): the part regimes can change.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_indicator_reads_its_own_column_and_parses_back_from_its_name() {
        let r = StepRecord {
            pollution_mean: 1.0,
            fines: 7.0,
            belief_mean: 3.0,
            ..StepRecord::default()
        };
        let values = r.values();
        assert_eq!(values.len(), Indicator::ALL.len());
        for (i, ind) in Indicator::ALL.iter().enumerate() {
            assert_eq!(Indicator::parse(ind.name()), Some(*ind));
            assert_eq!(r.get(*ind), values[i], "{}", ind.name());
        }
        assert_eq!(r.get(Indicator::Fines), 7.0);
        assert_eq!(values[Indicator::ALL.len() - 1], 3.0);
        assert_eq!(Indicator::parse("no_such_metric"), None);
    }

    #[test]
    fn shares_are_bounded_by_one_and_welfare_is_unbounded() {
        assert_eq!(Indicator::ComplianceRate.domain().bounds(), (0.0, 1.0));
        assert_eq!(Indicator::Fines.domain().bounds().1, f64::INFINITY);
        assert_eq!(Indicator::WelfareNet.domain().bounds().0, f64::NEG_INFINITY);
    }
}
