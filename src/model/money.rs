//! The month's money flows (`docs/MODEL.md` §7.10): each treasury receives its central appropriation
//! and pays for inspections, earmarked compensation spent on enforcement, complaint handling and false
//! alarms; enterprises pay fines and litigation damages to it and receive its subsidies. Central
//! campaigns and the provincial joint team are paid by the centre, outside the basin's accounts, but
//! count as enforcement cost. Every flow is a ledger transfer, so money is conserved.

use super::complaints::ComplaintOutcome;
use super::enterprise::EnterpriseTally;
use super::ledger::{Account, Ledger};
use super::local::LocalGovernment;
use crate::scenario::{CompensationUse, CooperationMode, Params};

/// Post this month's flows; returns the total enforcement cost.
pub fn post_month(
    p: &Params,
    ledger: &mut Ledger,
    locals: &[LocalGovernment],
    enterprises: &[EnterpriseTally],
    complaints: &[ComplaintOutcome],
    campaigns: &[bool],
    per_region: usize,
) -> f64 {
    let n = per_region as f64;
    let mut enforcement = 0.0;
    for r in 0..locals.len() {
        let local = &locals[r];
        let e = &enterprises[r];
        let extra = match p.compensation.use_for {
            CompensationUse::Enforcement => local.earmarked,
            CompensationUse::Subsidy => 0.0,
        };
        let spending = super::central::applied_intensity(p, local) * p.departments.budget
            + extra
            + complaints[r].handled * p.complaints.handling_cost
            + (e.false_alarms + e.order.follow_ups) * p.departments.inspection_cost;
        let treasury = Account::Treasury(r);
        let firms = Account::Enterprises(r);
        ledger.transfer(Account::Outside, treasury, p.local.appropriation);
        ledger.transfer(treasury, Account::Outside, spending);
        ledger.transfer(firms, treasury, e.fines + e.litigation);
        ledger.transfer(treasury, firms, e.subsidies);
        let central = if campaigns[r] {
            p.central.inspection_rate * n * p.central.inspection_cost
        } else {
            0.0
        };
        let joint = match p.cooperation.mode {
            CooperationMode::Joint => {
                p.cooperation.joint_inspection_rate * n * p.departments.inspection_cost
            }
            CooperationMode::Protectionist => 0.0,
        };
        enforcement += spending + central + joint;
    }
    enforcement
}
