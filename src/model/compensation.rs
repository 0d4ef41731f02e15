//! Ecological compensation (ODD submodel "Compensation"; lever 5).
//!
//! *Boundary* (Xin'an River model, 2012–): for every spillover link u → d, at each settlement the mean
//! stock of u over the period is compared with the standard `standard·T`; if it is met, d pays u the
//! agreed amount, otherwise u pays d. *Fund*: a provincial fund receives `amount` per region per period
//! from the centre and splits it equally among the regions that met the standard (kept if none did).
//! Received money pays, over the next period, for extra inspections or for abatement subsidies.
//! Every payment is a ledger transfer, so money is conserved.

use super::ledger::{Account, Ledger};
use super::pollution::Basin;
use crate::scenario::Params;
use crate::scenario::validate::Scheme;

/// Settle one period. `mean_stock[r]` is the period's mean stock. Returns each region's net receipt
/// and the total amount paid.
pub fn settle(
    p: &Params,
    basin: &Basin,
    mean_stock: &[f64],
    ledger: &mut Ledger,
    net: &mut [f64],
) -> f64 {
    let c = &p.s.compensation;
    let standard = c.standard * p.s.targets.stock;
    net.iter_mut().for_each(|x| *x = 0.0);
    let mut paid = 0.0;
    match p.scheme {
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
    }
    paid
}

/// Money the region stands to gain or lose at settlement, per month of its enforcement budget: how
/// strongly the local government weighs the standard (0 without a scheme).
pub fn stake(p: &Params, basin: &Basin, r: usize) -> f64 {
    let c = &p.s.compensation;
    let links = match p.scheme {
        Scheme::None => 0.0,
        Scheme::Boundary => basin.downstream(r).len() as f64,
        Scheme::Fund => 1.0,
    };
    let monthly_budget = p.s.departments.budget.max(1e-9);
    links * c.amount / (f64::from(c.period) * monthly_budget)
}
