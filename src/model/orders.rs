//! Correction orders under `law.daily_penalty_for = "refusers"` (`docs/MODEL.md` §7.2.1): the
//! order a sanctioned violator receives, the follow-up that finds a refusal, the daily penalty from
//! the day after the deadline, seal-up as the further step, and re-offences after a correction. The
//! order lives in one byte of each [`Enterprise`]; `enterprise.rs` calls [`step_order`] after an
//! enterprise's choice and exposure.

use super::enterprise::{Enterprise, EnterpriseTally, RegionPolicy};
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
/// sanctioned violator without an open order gets one.
pub(super) fn step_order(
    e: &mut Enterprise,
    policy: &RegionPolicy,
    rng: &mut Stream,
    comply: bool,
    exposure: bool,
    (days, owed): (f64, f64),
    tally: &mut EnterpriseTally,
) {
    let age = e.order & ORDER_AGE;
    if age > 0 {
        if policy.daily_penalty > 0.0
            && e.order & ORDER_FOUND == 0
            && owed > 0.0
            && rng.chance(policy.follow_up)
        {
            tally.follow_ups += 1.0;
            if !comply {
                e.order |= ORDER_FOUND;
                tally.daily_cases += 1.0;
                let paid = policy.daily_penalty * owed;
                tally.daily_penalties += paid;
                tally.fines += paid;
            }
        } else if e.order & ORDER_FOUND != 0 && !comply {
            let paid = policy.daily_penalty * days;
            tally.daily_penalties += paid;
            tally.fines += paid;
            if rng.chance(policy.seal_up) {
                e.order |= ORDER_SEALED;
            }
        }
        if comply {
            e.order = ORDER_CORRECTED;
            tally.corrections += 1.0;
            return;
        }
        tally.refusals += 1.0;
        e.order = (e.order & !ORDER_AGE) | (age + 1).min(ORDER_AGE);
        return;
    }
    if !comply {
        if e.order & ORDER_CORRECTED != 0 {
            tally.reoffences += 1.0;
            e.order &= !ORDER_CORRECTED;
        }
        if exposure {
            e.order |= 1;
            tally.orders += 1.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::{Purpose, StreamKey};
    use crate::model::enterprise::{DecisionRule, step_chunk};
    use crate::model::inspection::MAX_DEPARTMENTS;

    fn order_policy(daily_penalty: f64, follow_up: f64) -> RegionPolicy {
        RegionPolicy {
            departments: 1,
            acting: [u16::MAX; MAX_DEPARTMENTS],
            handle: 1.0,
            clarity: 1.0,
            sanction: 0.1,
            deterrent: 0.1,
            abatement: 0.5,
            reference_abatement: 0.5,
            orders: true,
            daily_penalty,
            correction_days: 45.0,
            follow_up,
            ..RegionPolicy::default()
        }
    }

    fn firm() -> Enterprise {
        Enterprise {
            output: 1.0,
            emission: 1.0,
            cost: 0.3,
            belief: 0.0,
            weight: 1.0,
            allocation: 1.0,
            ..Enterprise::default()
        }
    }

    #[test]
    fn the_correction_order_fits_in_the_enterprises_padding() {
        assert_eq!(std::mem::size_of::<Enterprise>(), 28);
    }

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
        let policy = order_policy(0.01, 1.0);
        let mut rng = StreamKey::new(1, 0).stream(Purpose::EnterpriseStep, 0, 0);
        let mut e = firm();
        let mut month = |e: &mut Enterprise, comply: bool, exposure: bool| {
            let days = penalty_days(e.order & ORDER_AGE, policy.correction_days);
            let mut t = EnterpriseTally::default();
            step_order(e, &policy, &mut rng, comply, exposure, days, &mut t);
            t
        };
        // Sanctioned: an order, no daily penalty yet.
        let t = month(&mut e, false, true);
        assert_eq!((t.orders, t.daily_penalties), (1.0, 0.0));
        // First month after it: the deadline (45 days) has not passed; no follow-up, nothing owed.
        let t = month(&mut e, false, false);
        assert_eq!(
            (t.refusals, t.follow_ups, t.daily_penalties),
            (1.0, 0.0, 0.0)
        );
        // Second month: 15 days past the deadline; the follow-up finds the refusal, which pays them.
        let t = month(&mut e, false, false);
        assert_eq!((t.follow_ups, t.daily_cases), (1.0, 1.0));
        assert!((t.daily_penalties - 0.15).abs() < 1e-12);
        assert_eq!(t.fines, t.daily_penalties);
        // Found: every day of the next month, with no new follow-up.
        let t = month(&mut e, false, false);
        assert_eq!(t.follow_ups, 0.0);
        assert!((t.daily_penalties - 0.30).abs() < 1e-12);
        // It corrects: nothing owed, the order closes, and its next violation is a re-offence.
        let t = month(&mut e, true, false);
        assert_eq!((t.corrections, t.daily_penalties), (1.0, 0.0));
        assert_eq!(e.order, ORDER_CORRECTED);
        let t = month(&mut e, false, false);
        assert_eq!((t.reoffences, t.orders), (1.0, 0.0));
        assert_eq!(e.order, 0);

        // Without follow-ups a refusal is never found and never pays.
        let policy = order_policy(0.01, 0.0);
        let mut e = firm();
        let mut paid = 0.0;
        for k in 0..12 {
            let days = penalty_days(e.order & ORDER_AGE, policy.correction_days);
            let mut t = EnterpriseTally::default();
            step_order(&mut e, &policy, &mut rng, false, k == 0, days, &mut t);
            paid += t.daily_penalties;
        }
        assert_eq!(paid, 0.0);
        assert_eq!(e.order & ORDER_AGE, 12);
    }

    #[test]
    fn a_larger_daily_penalty_makes_fewer_refusals() {
        // 4,096 enterprises, each under an order three months old (45 days past its deadline),
        // not yet found; the same random stream for both penalties.
        let refusals = |daily: f64| {
            let mut firms = vec![Enterprise { order: 3, ..firm() }; 4096];
            let rule = DecisionRule {
                rationality: 0.1,
                learning_rate: 0.1,
            };
            let mut rng = StreamKey::new(7, 0).stream(Purpose::EnterpriseStep, 3, 0);
            let t = step_chunk(&mut firms, &order_policy(daily, 0.5), &rule, &mut rng);
            t.refusals / t.enterprises
        };
        let (once, twice) = (refusals(0.005), refusals(0.01));
        assert!(
            twice < once - 0.05,
            "refusal share {once:.3} at 0.005 M¥/day, {twice:.3} at twice that"
        );
        // Every violator is found by a direct check: orders follow sanctions in the refusers mode,
        // and none at all when the daily penalty rides on every sanction.
        let orders = |orders: bool| {
            let mut firms = vec![firm(); 1024];
            let policy = RegionPolicy {
                orders,
                direct_check: 1.0,
                ..order_policy(0.01, 0.5)
            };
            let rule = DecisionRule {
                rationality: 0.1,
                learning_rate: 0.1,
            };
            let mut rng = StreamKey::new(7, 0).stream(Purpose::EnterpriseStep, 0, 0);
            let t = step_chunk(&mut firms, &policy, &rule, &mut rng);
            let open = firms.iter().filter(|e| e.order != 0).count() as f64;
            (t.sanctioned, t.orders, open)
        };
        let (sanctioned, issued, open) = orders(true);
        assert!(sanctioned > 100.0 && issued == sanctioned && open == sanctioned);
        let (sanctioned, issued, open) = orders(false);
        assert!(sanctioned > 100.0 && issued == 0.0 && open == 0.0);
    }

    #[test]
    fn a_found_refuser_sealed_up_stops_production_for_a_month_and_reopens_corrected() {
        // 2,048 refusers found three months ago, all still refusing (huge abatement cost, τ small).
        let found = Enterprise {
            order: 4 | ORDER_FOUND,
            cost: 100.0,
            ..firm()
        };
        let rule = DecisionRule {
            rationality: 0.001,
            learning_rate: 0.1,
        };
        let month = |firms: &mut Vec<Enterprise>, seal_up: f64, seed: u64| {
            let policy = RegionPolicy {
                seal_up,
                ..order_policy(0.01, 0.5)
            };
            let mut rng = StreamKey::new(seed, 0).stream(Purpose::EnterpriseStep, 0, 0);
            step_chunk(firms, &policy, &rule, &mut rng)
        };
        let mut firms = vec![found; 2048];
        let t = month(&mut firms, 0.25, 1);
        // Every one refuses and pays this month; about a quarter are sealed for the next.
        assert_eq!((t.refusals, t.sealed), (2048.0, 0.0));
        let sealed = firms.iter().filter(|e| e.order & ORDER_SEALED != 0).count() as f64;
        assert!(
            (sealed / 2048.0 - 0.25).abs() < 0.03,
            "sealed share {sealed}"
        );
        // Next month the sealed produce and emit nothing, and reopen with the order closed.
        let t = month(&mut firms, 0.25, 2);
        assert_eq!(t.sealed, sealed);
        assert_eq!(t.output_lost, sealed * 1.0);
        assert!((t.output - (2048.0 - sealed)).abs() < 1e-9);
        assert!(
            (t.emissions - (2048.0 - sealed)).abs() < 1e-9,
            "{}",
            t.emissions
        );
        let reopened = firms.iter().filter(|e| e.order == ORDER_CORRECTED).count() as f64;
        assert_eq!(reopened, sealed);
        // Without seal-ups, refusers stay open and keep paying.
        let mut firms = vec![found; 2048];
        month(&mut firms, 0.0, 1);
        let t = month(&mut firms, 0.0, 2);
        assert_eq!((t.sealed, t.refusals), (0.0, 2048.0));
    }
}
