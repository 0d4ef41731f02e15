//! The governance wiring of a scenario, for figure 5: every edge exists because a mechanism of the
//! model is switched on in the scenario, and its strength is the mechanism's own parameter (a
//! probability or rate), so fragmented and coordinated differ exactly as the model does.

use crate::error::Result;
use crate::model::{complaints, inspection};
use crate::output::table::Table;
use crate::scenario::{
    CooperationMode, Decomposition, FeedbackMode, Management, ResponsibilityMode, Scheme, Sharing,
};
use crate::scenario::{Params, load_scenario};

/// One link of the governance network: `strength` in [0, 1] sets the line width.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub relation: String,
    pub strength: f64,
    /// Drawn dashed: a link that acts only occasionally or is weak by design.
    pub dashed: bool,
}

pub(super) fn edge(from: &str, to: &str, relation: &str, strength: f64, dashed: bool) -> Edge {
    Edge {
        from: from.into(),
        to: to.into(),
        relation: relation.into(),
        strength: strength.clamp(0.0, 1.0),
        dashed,
    }
}

/// The links a scenario wires up, from its parameters.
pub fn wiring(p: &Params) -> Vec<Edge> {
    let s = &p;
    let mut e = Vec::new();
    let enterprises = f64::from(s.enterprises.per_region);
    if s.central.inspection_period > 0 {
        e.push(edge(
            "Central government",
            "Local government",
            if s.targets.veto {
                "stays, accountability, veto"
            } else {
                "stays, accountability"
            },
            12.0 / f64::from(s.central.inspection_period),
            true,
        ));
    }
    // What the governments above see of the river: shaded local reports, or the stations' own data.
    match s.monitoring.management {
        Management::Local => e.push(edge(
            "Local government",
            "Province",
            "reported data (shaded)",
            0.5,
            true,
        )),
        Management::Vertical => e.push(edge(
            "Local government",
            "Province",
            "station data (vertical)",
            1.0,
            false,
        )),
    }
    e.push(edge(
        "Local government",
        "Departments",
        "budget",
        1.0,
        false,
    ));
    // Departments inspect: yearly inspections per enterprise of the environment department.
    let rates = inspection::inspection_rates(
        p,
        s.departments.budget * inspection::inspection_share(p, 0.0),
        s.enterprises.per_region as usize,
    );
    let yearly: f64 = rates.iter().sum::<f64>() * 12.0;
    e.push(edge(
        "Departments",
        "Enterprises",
        "inspect & sanction",
        (yearly / 2.0).min(1.0),
        false,
    ));
    if s.monitoring.coverage > 0.0 {
        e.push(edge(
            "Enterprises",
            "Environment dept.",
            "online data",
            s.monitoring.coverage,
            false,
        ));
    }
    match p.information.sharing {
        Sharing::Shared => {
            e.push(edge(
                "Environment dept.",
                "Shared platform",
                "share detections",
                1.0,
                false,
            ));
            e.push(edge(
                "Departments",
                "Shared platform",
                "share detections",
                1.0,
                false,
            ));
            e.push(edge(
                "Public",
                "Shared platform",
                "complaints (routed)",
                complaints::reach(p, inspection::competent_departments(p)),
                false,
            ));
        }
        Sharing::Silo => {
            let reach = complaints::reach(p, inspection::competent_departments(p));
            e.push(edge(
                "Public",
                "Departments",
                "complaints (may be lost)",
                reach,
                true,
            ));
        }
    }
    match p.responsibility.mode {
        ResponsibilityMode::Clear | ResponsibilityMode::Lead => e.push(edge(
            "Joint working group",
            "Departments",
            "lead department",
            1.0,
            false,
        )),
        ResponsibilityMode::RiverChief => e.push(edge(
            "River chief",
            "Departments",
            "orders to act (boundary gap)",
            inspection::take_up(p),
            true,
        )),
        ResponsibilityMode::Diffuse => e.push(edge(
            "Departments",
            "Environment dept.",
            "overlapping mandates",
            inspection::take_up(p),
            true,
        )),
    }
    e.push(edge(
        "Public",
        "Public",
        "peer influence",
        s.public.peer_influence,
        false,
    ));
    if s.ngo.capacity > 0.0 {
        e.push(edge(
            "NGOs",
            "Enterprises",
            "monitor & name",
            (s.ngo.capacity / enterprises * 50.0).min(1.0),
            false,
        ));
        e.push(edge(
            "NGOs",
            "Public",
            "campaigns",
            (s.ngo.capacity / 5.0).min(1.0),
            false,
        ));
        if s.ngo.litigation_share > 0.0 {
            e.push(edge(
                "NGOs",
                "Court",
                "public-interest litigation",
                s.ngo.litigation_share,
                false,
            ));
            e.push(edge(
                "Court",
                "Enterprises",
                "damages",
                s.law.clarity,
                false,
            ));
        }
    }
    e.push(edge(
        "Local government",
        "Public",
        "disclosure",
        s.public.disclosure,
        s.public.disclosure < 0.5,
    ));
    match p.targets.decomposition {
        Decomposition::Caps => e.push(edge(
            "Local government",
            "Enterprises",
            "enterprise caps",
            1.0,
            false,
        )),
        Decomposition::CostBenefit => e.push(edge(
            "Local government",
            "Enterprises",
            "cost-benefit caps",
            1.0,
            false,
        )),
        Decomposition::Macro => e.push(edge(
            "Local government",
            "Enterprises",
            "uniform standard",
            0.3,
            true,
        )),
    }
    match p.feedback.mode {
        FeedbackMode::Closed => e.push(edge(
            "Enterprises",
            "Local government",
            "monitored gap (closed loop)",
            1.0,
            false,
        )),
        FeedbackMode::OneWay => e.push(edge(
            "Enterprises",
            "Local government",
            "late evaluations only",
            0.3,
            true,
        )),
    }
    e.push(edge(
        "Local government",
        "Downstream region",
        "pollution spillover",
        s.world.spillover / 0.3 * 0.6,
        false,
    ));
    match p.compensation.scheme {
        Scheme::Boundary => e.push(edge(
            "Downstream region",
            "Local government",
            "boundary compensation",
            1.0,
            false,
        )),
        Scheme::Fund => e.push(edge(
            "Province",
            "Local government",
            "compensation fund",
            1.0,
            false,
        )),
        Scheme::Pigou => e.push(edge(
            "Downstream region",
            "Local government",
            "Pigou payments per tonne",
            1.0,
            false,
        )),
        Scheme::None => {}
    }
    if p.cooperation.mode == CooperationMode::Joint {
        e.push(edge(
            "Province",
            "Enterprises",
            "joint enforcement",
            (s.cooperation.joint_inspection_rate * 25.0).min(1.0),
            false,
        ));
        e.push(edge(
            "Province",
            "Downstream region",
            "coordinates",
            1.0,
            false,
        ));
    }
    e.push(edge(
        "Central government",
        "Province",
        "law & targets",
        1.0,
        false,
    ));
    e
}

/// `scenario,from,to,relation,strength,dashed` for fragmented and coordinated.
pub fn compute() -> Result<Table> {
    let mut out = Table::new(&["scenario", "from", "to", "relation", "strength", "dashed"]);
    for file in ["fragmented.toml", "coordinated.toml"] {
        let p = load_scenario(&super::scenario(file)?, &[])?.params;
        for e in wiring(&p) {
            out.push(vec![
                p.name().into(),
                e.from.as_str().into(),
                e.to.as_str().into(),
                e.relation.as_str().into(),
                e.strength.into(),
                e.dashed.into(),
            ]);
        }
    }
    Ok(out)
}
