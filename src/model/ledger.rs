//! Money, in double entry (`docs/MODEL.md` §7.10). Every flow is a transfer between two accounts, so the
//! sum over all accounts — the outside world included — is zero at all times; `check` verifies it.
//! Accounts: the outside world (central appropriations in, real spending out), the provincial fund,
//! and per region the local treasury and the region's enterprises (aggregated).

/// Index of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Account {
    Outside,
    Province,
    Treasury(usize),
    Enterprises(usize),
}

/// Accounts that do not sum to zero: `sum` beside the largest balance, `scale`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Imbalance {
    pub sum: f64,
    pub scale: f64,
}

#[derive(Debug, Clone)]
pub struct Ledger {
    balance: Vec<f64>,
    regions: usize,
    /// A bound on the rounding the transfers so far can have left in the sum of all balances.
    rounding: f64,
}

impl Ledger {
    pub fn new(regions: usize) -> Self {
        Ledger {
            balance: vec![0.0; 2 + 2 * regions],
            regions,
            rounding: 0.0,
        }
    }

    fn index(&self, a: Account) -> usize {
        match a {
            Account::Outside => 0,
            Account::Province => 1,
            Account::Treasury(r) => 2 + r,
            Account::Enterprises(r) => 2 + self.regions + r,
        }
    }

    /// Move `amount` (million yuan) from one account to another.
    pub fn transfer(&mut self, from: Account, to: Account, amount: f64) {
        let (f, t) = (self.index(from), self.index(to));
        self.balance[f] -= amount;
        self.balance[t] += amount;
        // Each rounded addition is off by at most half a unit in the last place of its result.
        self.rounding += 0.5 * f64::EPSILON * (self.balance[f].abs() + self.balance[t].abs());
    }

    pub fn balance(&self, a: Account) -> f64 {
        self.balance[self.index(a)]
    }

    /// Money appearing in one account from nowhere: what a leak does (for the tests that the checks
    /// catch it).
    #[cfg(test)]
    pub(crate) fn leak(&mut self, a: Account, amount: f64) {
        let i = self.index(a);
        self.balance[i] += amount;
    }

    /// Σ over all accounts and the largest absolute balance (for a relative tolerance).
    pub fn imbalance(&self) -> (f64, f64) {
        let sum = self.balance.iter().sum();
        let scale = self.balance.iter().fold(0.0f64, |m, b| m.max(b.abs()));
        (sum, scale)
    }

    /// Whether money is conserved up to floating-point rounding — the bound the transfers have
    /// accumulated, plus the rounding of the sum itself — and if not, the imbalance. The bound
    /// grows with the transfers actually made, so a leak of a millionth of a yuan stays visible
    /// after decades of months.
    pub fn check(&self) -> Result<(), Imbalance> {
        let (sum, scale) = self.imbalance();
        let summing = self.balance.len() as f64 * f64::EPSILON * scale;
        if sum.abs() <= self.rounding + summing {
            Ok(())
        } else {
            Err(Imbalance { sum, scale })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transfers_conserve_money_and_move_it_between_the_named_accounts() {
        let mut l = Ledger::new(3);
        l.transfer(Account::Outside, Account::Treasury(0), 5.0);
        l.transfer(Account::Treasury(0), Account::Enterprises(2), 1.5);
        l.transfer(Account::Province, Account::Treasury(1), 0.25);
        assert_eq!(l.balance(Account::Outside), -5.0);
        assert_eq!(l.balance(Account::Treasury(0)), 3.5);
        assert_eq!(l.balance(Account::Enterprises(2)), 1.5);
        assert_eq!(l.balance(Account::Treasury(1)), 0.25);
        assert_eq!(l.balance(Account::Province), -0.25);
        assert_eq!(l.imbalance(), (0.0, 5.0));
        assert!(l.check().is_ok());
    }

    #[test]
    fn a_non_finite_amount_breaks_the_balance_and_is_caught() {
        let mut l = Ledger::new(1);
        l.transfer(Account::Outside, Account::Treasury(0), 1.0);
        l.transfer(Account::Treasury(0), Account::Enterprises(0), f64::INFINITY);
        let e = l.check().unwrap_err();
        assert!(e.sum.is_nan(), "{e:?}");
    }

    #[test]
    fn rounding_of_many_transfers_passes_and_a_leak_of_a_yuan_does_not() {
        let mut l = Ledger::new(4);
        // Amounts that do not add exactly in binary, a hundred years of months of them.
        for k in 0..1200 * 20 {
            let r = k % 4;
            l.transfer(
                Account::Outside,
                Account::Treasury(r),
                0.1 + 1e-3 * k as f64,
            );
            l.transfer(
                Account::Treasury(r),
                Account::Enterprises((r + 1) % 4),
                0.07,
            );
            l.transfer(Account::Enterprises(r), Account::Province, 1.0 / 3.0);
        }
        l.check().expect("rounding only");
        l.leak(Account::Province, 1e-6);
        assert!(l.check().is_err());
    }
}
