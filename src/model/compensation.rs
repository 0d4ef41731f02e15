//! Ecological compensation (`docs/MODEL.md` §7.8; lever 5).
//!
//! *Boundary* (Xin'an River model, 2012–): for every spillover link u → d, at each settlement the mean
//! stock of u over the period is compared with the threshold ([`threshold`]: the standard
//! `standard·T`, or the Xin'an index against the base period); if it is met, d pays u the agreed
//! amount, otherwise u pays d. *Fund*: a provincial fund receives `amount` per region per period
//! from the centre and splits it equally among the regions that met the standard (kept if none did).
//! *Pigou*: beneficiaries pay for abatement at the damage it spares them. Over a period region u abates
//! X_u = Σ_t (B_u − E_u(t)) tonnes; each region k it would have reached pays u `pigou_share`·d·G\[k\]\[u\]
//! per tonne (G from `pollution::Residence`, d the damage per tonne-month), so u earns
//! `pigou_share`·d·(Σ_k G\[k\]\[u\] − G\[u\]\[u\]) per tonne abated: the downstream marginal damage (Pigou 1920;
//! essay 1 §4.3.2 "明确环境价值和损失的衡量标准，确保补偿金额公正合理").
//! Received money pays, over the next period, for extra inspections or for abatement subsidies.
//! Every payment is a ledger transfer, so money is conserved.

use super::ledger::{Account, Ledger};
use super::pollution::{Basin, Residence};
use crate::scenario::Params;
use crate::scenario::{BoundaryIndex, Scheme};

/// What a settlement period accumulates, month by month, and what the last settlement left each
/// region to spend.
#[derive(Debug, Clone)]
pub struct Books {
    /// Σ of each region's end-of-month stock over the period.
    stock: Vec<f64>,
    /// Tonnes each region abated over the period, Σ_t (B_r − E_r(t)).
    abated: Vec<f64>,
    /// Each region's net receipt at the last settlement.
    net: Vec<f64>,
}

impl Books {
    pub fn new(regions: usize) -> Self {
        Books {
            stock: vec![0.0; regions],
            abated: vec![0.0; regions],
            net: vec![0.0; regions],
        }
    }

    /// Region r abated `tonnes` this month.
    pub fn add_abated(&mut self, r: usize, tonnes: f64) {
        self.abated[r] += tonnes;
    }

    /// Close month t with the end-of-month stocks; at the end of a period, settle. Returns the
    /// amount paid in a settlement month.
    pub fn close_month(
        &mut self,
        p: &Params,
        t: u32,
        basin: &Basin,
        residence: Option<&Residence>,
        ledger: &mut Ledger,
    ) -> Option<f64> {
        for (sum, stock) in self.stock.iter_mut().zip(&basin.stock) {
            *sum += stock;
        }
        let period = p.compensation.period;
        if !(t + 1).is_multiple_of(period) {
            return None;
        }
        let mean: Vec<f64> = self.stock.iter().map(|x| x / f64::from(period)).collect();
        let facts = Period {
            mean_stock: &mean,
            abated: &self.abated,
            residence,
        };
        let paid = settle(p, basin, &facts, ledger, &mut self.net);
        self.stock.iter_mut().for_each(|x| *x = 0.0);
        self.abated.iter_mut().for_each(|x| *x = 0.0);
        Some(paid)
    }

    /// What each region may spend per month until the next settlement: its net receipt, if positive,
    /// spread over the period (a payer's budget is not cut).
    pub fn earmarks(&self, p: &Params) -> impl Iterator<Item = f64> + '_ {
        let period = f64::from(p.compensation.period);
        self.net.iter().map(move |net| net.max(0.0) / period)
    }
}

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
    let standard = threshold(p);
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

/// The stock at or below which a region is paid: `standard`·T against the quality target, or, on the
/// Xin'an boundary index P = k·S̄/S₀ (S₀ the base-period stock, the initial stock; k =
/// `stability`), P ≤ 1, i.e. S̄ ≤ S₀/k.
pub fn threshold(p: &Params) -> f64 {
    let c = &p.compensation;
    match c.index {
        BoundaryIndex::Standard => c.standard * p.targets.stock,
        BoundaryIndex::Baseline => p.world.initial_stock * p.targets.stock / c.stability,
    }
}

/// Money the region stands to gain or lose at settlement, per month of its enforcement budget: how
/// strongly the local government weighs the standard (0 without a scheme; `docs/MODEL.md` §7.7).
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::test_params as params;
    use crate::scenario::{Params, Topology};

    /// A river of three regions with the given stocks.
    fn river(p: &Params, stocks: [f64; 3]) -> Basin {
        let mut b = Basin::new(&Topology::Chain, 3, p.world.spillover, p.world.decay, 0.0);
        b.stock = stocks.to_vec();
        b
    }

    #[test]
    fn boundary_agreements_pay_upstream_for_a_met_standard_and_downstream_for_a_missed_one() {
        let p = params(&[
            "compensation.scheme=boundary",
            "compensation.amount=2",
            "compensation.period=2",
            "world.regions=3",
            "targets.stock=100",
        ]);
        let basin = river(&p, [80.0, 150.0, 10.0]);
        let mut books = Books::new(3);
        let mut ledger = Ledger::new(3);
        // Month 0 closes nothing; month 1 ends the two-month period.
        assert_eq!(books.close_month(&p, 0, &basin, None, &mut ledger), None);
        let paid = books.close_month(&p, 1, &basin, None, &mut ledger);
        assert_eq!(paid, Some(4.0), "two boundaries, 2 each");
        // Region 0 met the standard: region 1 paid it. Region 1 missed it: it paid region 2.
        assert_eq!(ledger.balance(Account::Treasury(0)), 2.0);
        assert_eq!(ledger.balance(Account::Treasury(1)), -4.0);
        assert_eq!(ledger.balance(Account::Treasury(2)), 2.0);
        assert!(ledger.check().is_ok());
        // Receipts are spent over the next period; a payer's budget is not cut.
        let earmarks: Vec<f64> = books.earmarks(&p).collect();
        assert_eq!(earmarks, [1.0, 0.0, 1.0]);
        // The next period starts from zero.
        assert_eq!(books.close_month(&p, 2, &basin, None, &mut ledger), None);
    }

    #[test]
    fn the_xinan_index_pays_for_not_deteriorating_where_the_standard_would_not() {
        // Base-period stock 1.5·T = 150 t; k0 = 0.85 pays while the mean stock is at most 150/0.85.
        let sets = |index: &str| {
            params(&[
                "compensation.scheme=boundary",
                "compensation.amount=2",
                "compensation.period=1",
                "world.regions=3",
                "world.initial_stock=1.5",
                "targets.stock=100",
                &format!("compensation.index={index}"),
            ])
        };
        let (standard, baseline) = (sets("standard"), sets("baseline"));
        assert_eq!(threshold(&standard), 100.0);
        assert!((threshold(&baseline) - 150.0 / 0.85).abs() < 1e-9);
        // Region 0 at 160 t: worse than the standard, not worse than the index allows.
        let basin = river(&baseline, [160.0, 200.0, 10.0]);
        for (p, region_0) in [(&standard, -2.0), (&baseline, 2.0)] {
            let mut books = Books::new(3);
            let mut ledger = Ledger::new(3);
            books.close_month(p, 0, &basin, None, &mut ledger);
            assert_eq!(ledger.balance(Account::Treasury(0)), region_0);
            // Region 1 at 200 t misses both and pays region 2.
            assert_eq!(ledger.balance(Account::Treasury(2)), 2.0);
        }
    }

    #[test]
    fn a_fund_splits_among_the_regions_that_met_the_standard() {
        let p = params(&[
            "compensation.scheme=fund",
            "compensation.amount=3",
            "compensation.period=1",
            "world.regions=3",
            "targets.stock=100",
        ]);
        let basin = river(&p, [50.0, 120.0, 90.0]);
        let mut books = Books::new(3);
        let mut ledger = Ledger::new(3);
        let paid = books.close_month(&p, 0, &basin, None, &mut ledger).unwrap();
        assert_eq!(paid, 9.0);
        assert_eq!(ledger.balance(Account::Treasury(0)), 4.5);
        assert_eq!(ledger.balance(Account::Treasury(1)), 0.0);
        assert_eq!(ledger.balance(Account::Treasury(2)), 4.5);
        assert_eq!(ledger.balance(Account::Province), 0.0);
    }
}
