//! Ecological compensation (ODD submodel "Compensation"; lever 5).
//!
//! *Boundary* (Xin'an River model, 2012–): for every spillover link u → d, at each settlement the mean
//! stock of u over the period is compared with the standard `standard·T`; if it is met, d pays u the
//! agreed amount, otherwise u pays d. *Fund*: a provincial fund receives `amount` per region per period
//! from the centre and splits it equally among the regions that met the standard (kept if none did).
//! *Pigou*: beneficiaries pay for abatement at the damage it spares them. Over a period region u abates
//! X_u = Σ_t (B_u − E_u(t)) tonnes; each region k it would have reached pays u `pigou_share`·d·G[k][u]
//! per tonne (G from `pollution::Residence`, d the damage per tonne-month), so u earns
//! `pigou_share`·d·(Σ_k G[k][u] − G[u][u]) per tonne abated: the downstream marginal damage (Pigou 1920;
//! essay 1 §4.3.2 "明确环境价值和损失的衡量标准，确保补偿金额公正合理").
//! Received money pays, over the next period, for extra inspections or for abatement subsidies.
//! Every payment is a ledger transfer, so money is conserved.

use super::ledger::{Account, Ledger};
use super::pollution::{Basin, Residence};
use crate::scenario::Params;
use crate::scenario::Scheme;

/// What a settlement looks at.
pub struct Period<'a> {
    /// Mean stock of each region over the period (tonnes).
    pub mean_stock: &'a [f64],
    /// Tonnes each region abated over the period, Σ_t (B_r − E_r(t)).
    pub abated: &'a [f64],
    /// Damage pricing (present when the scheme is Pigou).
    pub residence: Option<&'a Residence>,
}

/// Settle one period. Returns each region's net receipt (in `net`) and the total amount paid.
pub fn settle(
    p: &Params,
    basin: &Basin,
    period: &Period,
    ledger: &mut Ledger,
    net: &mut [f64],
) -> f64 {
    let c = &p.compensation;
    let mean_stock = period.mean_stock;
    let standard = c.standard * p.targets.stock;
    net.iter_mut().for_each(|x| *x = 0.0);
    let mut paid = 0.0;
    match p.compensation.scheme {
        Scheme::None => {}
        Scheme::Boundary => {
            for (u, &mean_u) in mean_stock.iter().enumerate() {
                for &(d, _) in basin.downstream(u) {
                    let (from, to) = if mean_u <= standard { (d, u) } else { (u, d) };
                    ledger.transfer(Account::Treasury(from), Account::Treasury(to), c.amount);
                    net[from] -= c.amount;
                    net[to] += c.amount;
                    paid += c.amount;
                }
            }
        }
        Scheme::Fund => {
            ledger.transfer(
                Account::Outside,
                Account::Province,
                c.amount * mean_stock.len() as f64,
            );
            let winners: Vec<usize> = (0..mean_stock.len())
                .filter(|&r| mean_stock[r] <= standard)
                .collect();
            if !winners.is_empty() {
                let share = ledger.balance(Account::Province) / winners.len() as f64;
                for r in winners {
                    ledger.transfer(Account::Province, Account::Treasury(r), share);
                    net[r] += share;
                    paid += share;
                }
            }
        }
        Scheme::Pigou => {
            let residence = period
                .residence
                .expect("the World prices damage under a Pigou scheme");
            let price = c.pigou_share * p.world.damage_per_tonne;
            for (u, &abated) in period.abated.iter().enumerate() {
                residence.for_each_reached(u, |k, g| {
                    let amount = price * g * abated;
                    ledger.transfer(Account::Treasury(k), Account::Treasury(u), amount);
                    net[k] -= amount;
                    net[u] += amount;
                    paid += amount;
                });
            }
        }
    }
    paid
}

/// Money the region stands to gain or lose at settlement, per month of its enforcement budget: how
/// strongly the local government weighs the standard (0 without a scheme).
pub fn stake(p: &Params, basin: &Basin, r: usize) -> f64 {
    let c = &p.compensation;
    let links = match p.compensation.scheme {
        // Pigou payments act on the cost-benefit cap (`targets::counted_residence`), not the standard.
        Scheme::None | Scheme::Pigou => 0.0,
        Scheme::Boundary => basin.downstream(r).len() as f64,
        Scheme::Fund => 1.0,
    };
    let monthly_budget = p.departments.budget.max(1e-9);
    links * c.amount / (f64::from(c.period) * monthly_budget)
}
