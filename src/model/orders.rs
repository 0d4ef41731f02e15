//! Correction orders under `law.daily_penalty_for = "refusers"` (`docs/MODEL.md` §7.2.1): the
//! order a sanctioned violator receives, the follow-up that finds a refusal, the daily penalty from
//! the day after the deadline, seal-up as the further step, and re-offences after a correction. The
//! order lives in one byte of each enterprise; `enterprise.rs` calls `step_order` after an
//! enterprise's choice and exposure.

use crate::engine::rng::Stream;

/// Months since the open correction order was issued (0: no open order), saturating at 31.
pub const ORDER_AGE: u8 = 0x1f;
/// A found refuser was sealed up: next month it neither produces nor emits, then its order closes.
pub const ORDER_SEALED: u8 = 0x20;
/// A follow-up found the enterprise refusing to correct: the daily penalty runs until it corrects.
pub const ORDER_FOUND: u8 = 0x40;
/// The enterprise has corrected an order before: a later violation is a re-offence.
pub const ORDER_CORRECTED: u8 = 0x80;
/// Days of a month, for the penalty days of a correction order.
pub const DAYS_PER_MONTH: f64 = 30.0;

/// What the law sets for correction orders, as the region's policy holds them this month.
#[derive(Debug, Clone, Copy, Default)]
pub struct OrderTerms {
    /// Daily penalty (M¥ per day) of a refuser found by a follow-up.
    pub daily_penalty: f64,
    /// Probability per month that an order past its deadline is followed up.
    pub follow_up: f64,
    /// Probability per month that a found refuser still refusing is sealed up.
    pub seal_up: f64,
}

/// One month of correction orders, summed over enterprises: orders issued, refusals (violations
/// under an open order), corrections, follow-up inspections, refusals found (daily-penalty cases),
/// daily penalties paid (M¥) and re-offences (the first violation after a corrected order).
#[derive(Debug, Clone, Copy, Default)]
pub struct OrderTally {
    pub orders: f64,
    pub refusals: f64,
    pub corrections: f64,
    pub follow_ups: f64,
    pub daily_cases: f64,
    pub daily_penalties: f64,
    pub reoffences: f64,
}

impl OrderTally {
    pub fn add(&mut self, o: &OrderTally) {
        self.orders += o.orders;
        self.refusals += o.refusals;
        self.corrections += o.corrections;
        self.follow_ups += o.follow_ups;
        self.daily_cases += o.daily_cases;
        self.daily_penalties += o.daily_penalties;
        self.reoffences += o.reoffences;
    }
}

/// Days of the daily penalty in the k-th month after an order with a deadline `deadline` ≥ 0 days
/// after it: this month's days after the deadline, and every day after it so far (none for k = 0,
/// no open order).
pub fn penalty_days(k: u8, deadline: f64) -> (f64, f64) {
    let since = (DAYS_PER_MONTH * f64::from(k) - deadline).max(0.0);
    (since.min(DAYS_PER_MONTH), since)
}

/// The correction order of one enterprise this month, after its choice (`comply`) and its exposure:
/// a follow-up of an order past its deadline (a refusal found pays the daily penalty for every day
/// since the deadline, then every month's days until it corrects); compliance closes the order; a
/// sanctioned violator without an open order gets one. Returns the daily penalty paid (M¥), which is
/// also in `tally.daily_penalties`.
#[inline]
pub(super) fn step_order(
    order: &mut u8,
    terms: &OrderTerms,
    rng: &mut Stream,
    comply: bool,
    exposure: bool,
    (days, owed): (f64, f64),
    tally: &mut OrderTally,
) -> f64 {
    let age = *order & ORDER_AGE;
    let mut paid = 0.0;
    if age > 0 {
        if terms.daily_penalty > 0.0
            && *order & ORDER_FOUND == 0
            && owed > 0.0
            && rng.chance(terms.follow_up)
        {
            tally.follow_ups += 1.0;
            if !comply {
                *order |= ORDER_FOUND;
                tally.daily_cases += 1.0;
                paid = terms.daily_penalty * owed;
                tally.daily_penalties += paid;
            }
        } else if *order & ORDER_FOUND != 0 && !comply {
            paid = terms.daily_penalty * days;
            tally.daily_penalties += paid;
            if rng.chance(terms.seal_up) {
                *order |= ORDER_SEALED;
            }
        }
        if comply {
            *order = ORDER_CORRECTED;
            tally.corrections += 1.0;
            return paid;
        }
        tally.refusals += 1.0;
        *order = (*order & !ORDER_AGE) | (age + 1).min(ORDER_AGE);
        return paid;
    }
    if !comply {
        if *order & ORDER_CORRECTED != 0 {
            tally.reoffences += 1.0;
            *order &= !ORDER_CORRECTED;
        }
        if exposure {
            *order |= 1;
            tally.orders += 1.0;
        }
    }
    paid
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::{Purpose, StreamKey};

    #[test]
    fn penalty_days_run_from_the_day_after_the_deadline() {
        // A 45-day deadline: nothing in the first month, 15 days in the second, a whole month after.
        assert_eq!(penalty_days(1, 45.0), (0.0, 0.0));
        assert_eq!(penalty_days(2, 45.0), (15.0, 15.0));
        assert_eq!(penalty_days(3, 45.0), (30.0, 45.0));
        assert_eq!(penalty_days(1, 0.0), (30.0, 30.0));
        assert_eq!(penalty_days(0, 0.0), (0.0, 0.0));
    }

    #[test]
    fn only_a_refuser_found_by_a_follow_up_pays_the_daily_penalty_from_the_day_after_the_deadline()
    {
        let terms = |follow_up: f64| OrderTerms {
            daily_penalty: 0.01,
            follow_up,
            seal_up: 0.0,
        };
        let deadline = 45.0;
        let mut rng = StreamKey::new(1, 0).stream(Purpose::EnterpriseStep, 0, 0);
        let mut order = 0u8;
        let mut month = |order: &mut u8, comply: bool, exposure: bool| {
            let days = penalty_days(*order & ORDER_AGE, deadline);
            let mut t = OrderTally::default();
            let paid = step_order(order, &terms(1.0), &mut rng, comply, exposure, days, &mut t);
            assert_eq!(paid, t.daily_penalties);
            t
        };
        // Sanctioned: an order, no daily penalty yet.
        let t = month(&mut order, false, true);
        assert_eq!((t.orders, t.daily_penalties), (1.0, 0.0));
        // First month after it: the deadline (45 days) has not passed; no follow-up, nothing owed.
        let t = month(&mut order, false, false);
        assert_eq!(
            (t.refusals, t.follow_ups, t.daily_penalties),
            (1.0, 0.0, 0.0)
        );
        // Second month: 15 days past the deadline; the follow-up finds the refusal, which pays them.
        let t = month(&mut order, false, false);
        assert_eq!((t.follow_ups, t.daily_cases), (1.0, 1.0));
        assert!((t.daily_penalties - 0.15).abs() < 1e-12);
        // Found: every day of the next month, with no new follow-up.
        let t = month(&mut order, false, false);
        assert_eq!(t.follow_ups, 0.0);
        assert!((t.daily_penalties - 0.30).abs() < 1e-12);
        // It corrects: nothing owed, the order closes, and its next violation is a re-offence.
        let t = month(&mut order, true, false);
        assert_eq!((t.corrections, t.daily_penalties), (1.0, 0.0));
        assert_eq!(order, ORDER_CORRECTED);
        let t = month(&mut order, false, false);
        assert_eq!((t.reoffences, t.orders), (1.0, 0.0));
        assert_eq!(order, 0);

        // Without follow-ups a refusal is never found and never pays.
        let mut order = 0u8;
        let mut paid = 0.0;
        for k in 0..12 {
            let days = penalty_days(order & ORDER_AGE, deadline);
            let mut t = OrderTally::default();
            paid += step_order(
                &mut order,
                &terms(0.0),
                &mut rng,
                false,
                k == 0,
                days,
                &mut t,
            );
        }
        assert_eq!(paid, 0.0);
        assert_eq!(order & ORDER_AGE, 12);
    }
}
