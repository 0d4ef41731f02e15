//! Observations: what one step of one replicate reports (BRIEF §4). Outputs and figures read only these.

macro_rules! record {
    ($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* $field:ident),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq)]
        pub struct $name { $($(#[$fdoc])* pub $field: f64),+ }
        impl $name {
            /// Column names, in CSV order.
            pub const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),+];
            /// Values, in the order of [`Self::COLUMNS`].
            pub fn values(&self) -> Vec<f64> { vec![$(self.$field),+] }
        }
    };
}

record!(
    /// Basin-wide indicators of one step (money in million yuan per month, mass in tonnes).
    StepRecord {
        /// Mean stock over regions at the end of the month (t).
        pollution_mean,
        /// Share of regions whose stock is at or below the target.
        target_met_share,
        /// Share of enterprises complying.
        compliance_rate,
        /// Share of violations detected by any channel able to act (0 when nobody violates).
        detection_rate,
        complaints_filed,
        complaints_handled,
        complaints_lost,
        /// Administrative fines paid (incl. central and joint inspections).
        fines,
        /// Public inspections, complaint handling, false alarms, coordination, central and joint teams.
        enforcement_cost,
        abatement_cost,
        /// Compensation transferred at settlements.
        compensation_paid,
        output,
        /// output − abatement − enforcement − damage.
        welfare,
        /// welfare − output = −(abatement + enforcement + damage): the part regimes can change.
        welfare_net,
        awareness_mean,
        /// Damages paid after public-interest litigation.
        litigation,
        subsidies,
        sanctions,
        violations,
        emissions,
        damage,
        intensity_mean,
        /// Mean learned sanction probability of enterprises.
        belief_mean,
    }
);

record!(
    /// One region in one step (`regions.csv`).
    RegionRecord {
        stock,
        target_met,
        emissions,
        inflow,
        compliance_rate,
        intensity,
        abatement_required,
        awareness,
        complaints_filed,
    }
);

/// The range an indicator can take: shares in [0, 1], welfare unbounded, every other indicator of
/// [`StepRecord`] non-negative; anything else (e.g. a derived gap) unbounded. Confidence intervals are
/// clipped to it, so a share's interval never reaches past 1.
pub fn domain(column: &str) -> (f64, f64) {
    match column {
        "target_met_share" | "compliance_rate" | "detection_rate" | "awareness_mean"
        | "belief_mean" => (0.0, 1.0),
        "welfare" | "welfare_net" => (f64::NEG_INFINITY, f64::INFINITY),
        c if StepRecord::COLUMNS.contains(&c) => (0.0, f64::INFINITY),
        _ => (f64::NEG_INFINITY, f64::INFINITY),
    }
}

/// The agent family an indicator of [`StepRecord`] is computed from, for error messages.
pub fn family(column: &str) -> &'static str {
    match column {
        "pollution_mean" | "target_met_share" | "damage" => "region (pollution)",
        "complaints_filed" | "complaints_handled" | "complaints_lost" | "awareness_mean" => {
            "public"
        }
        "enforcement_cost" | "compensation_paid" | "intensity_mean" => "government",
        _ => "enterprise",
    }
}
