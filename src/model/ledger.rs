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
}

impl Ledger {
    pub fn new(regions: usize) -> Self {
        Ledger {
            balance: vec![0.0; 2 + 2 * regions],
            regions,
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
    }

    pub fn balance(&self, a: Account) -> f64 {
        self.balance[self.index(a)]
    }

    /// Σ over all accounts and the largest absolute balance (for a relative tolerance).
    pub fn imbalance(&self) -> (f64, f64) {
        let sum = self.balance.iter().sum();
        let scale = self.balance.iter().fold(0.0f64, |m, b| m.max(b.abs()));
        (sum, scale)
    }

    /// Whether money is conserved up to floating-point rounding; if not, the imbalance.
    pub fn check(&self) -> Result<(), Imbalance> {
        let (sum, scale) = self.imbalance();
        if sum.abs() <= 1e-9 * scale.max(1.0) {
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
}
