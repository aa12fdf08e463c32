//! `rate.mismatch`: a 完成率 in an execution report ("计划供应X公顷，实际供应Y公顷，完成率Z%")
//! must agree with Y ÷ X, with tolerance as for shares.

use super::ctx::{factor, place_of, RuleCtx};
use super::Findings;
use crate::lex::{Quantity, Unit};
use landplan_core::units::round_half_up;
use rust_decimal::Decimal;

/// 完成率: "计划供应X公顷，实际供应Y公顷，完成率Z%" — Z must agree with Y ÷ X.
pub fn check(ctx: &RuleCtx, out: &mut Findings) {
    let m = ctx.model;
    let qs = &m.quantities;
    let is_rate = |r: &Quantity| {
        let l = r.label.as_str();
        r.unit == Unit::Percent
            && r.high.is_none()
            && (l.contains("完成率")
                || l.contains("完成年度计划")
                || l.contains("完成计划")
                || l.contains("执行率"))
    };
    let is_actual = |q: &Quantity| {
        ["实际", "已供", "已收储", "完成", "累计"]
            .iter()
            .any(|w| q.label.contains(w))
    };
    for r in qs {
        if !is_rate(r) {
            continue;
        }
        // The rate's own figures: those between the previous rate on the line and this one
        // ("计划供应100公顷，实际供应92.3公顷，完成率92.30%；商服用地…"), else those between
        // this rate and the next ("完成率为85%（实际供应…，计划供应…）").
        let rates: Vec<&Quantity> = qs
            .iter()
            .filter(|q| q.place.line == r.place.line && is_rate(q))
            .collect();
        let prev_end = rates
            .iter()
            .filter(|q| q.chars.1 <= r.chars.0)
            .map(|q| q.chars.1)
            .max()
            .unwrap_or(0);
        let next_start = rates
            .iter()
            .filter(|q| q.chars.0 >= r.chars.1)
            .map(|q| q.chars.0)
            .min()
            .unwrap_or(usize::MAX);
        let pick = |a: usize, b: usize| -> (Option<&Quantity>, Option<&Quantity>) {
            let seg: Vec<&Quantity> = qs
                .iter()
                .filter(|q| {
                    q.place.line == r.place.line
                        && q.area_unit().is_some()
                        && q.chars.0 >= a
                        && q.chars.1 <= b
                })
                .collect();
            let actual = seg.iter().rev().find(|q| is_actual(q)).copied();
            let planned = seg
                .iter()
                .rev()
                .find(|q| q.label.contains("计划") && !is_actual(q))
                .copied();
            (planned, actual)
        };
        // Figures after the rate are its own only up to the end of its clause: past a "；" they
        // belong to the next item ("…完成计划的69.5%；棚户区改造用地实际供应168.20公顷，…").
        let norm = &ctx.line(r.place.line).norm;
        let clause_end = norm
            .iter()
            .skip(r.chars.1)
            .position(|&c| matches!(c, '；' | ';' | '。'))
            .map_or(usize::MAX, |p| r.chars.1 + p);
        let (planned, actual) = match pick(prev_end, r.chars.0) {
            (Some(p), Some(a)) => (Some(p), Some(a)),
            _ => pick(r.chars.1, next_start.min(clause_end)),
        };
        let (Some(p), Some(a)) = (planned, actual) else {
            continue;
        };
        let Some(f) = factor(a.unit, p.unit) else {
            continue;
        };
        let (av, ta) = (a.value * f, a.tolerance() * f);
        let (pv, tp) = (p.value, p.tolerance());
        if pv - tp <= Decimal::ZERO {
            continue;
        }
        let hundred = Decimal::ONE_HUNDRED;
        let lo = (av - ta) / (pv + tp) * hundred;
        let hi = (av + ta) / (pv - tp) * hundred;
        let tr = r.tolerance();
        if r.value + tr >= lo && r.value - tr <= hi {
            continue;
        }
        let exact = av / pv * hundred;
        let expected = round_half_up(exact, r.value.scale());
        let Some(sev) = ctx.judge(
            "rate.mismatch",
            r.value - exact,
            (hi - lo) / Decimal::TWO + tr,
            r.is_approximate(),
            exact,
        ) else {
            continue;
        };
        out.push(
            ctx.judged(
                "rate.mismatch",
                sev,
                format!(
                    "完成率与面积不符：{}÷{}={}%，文中写作{}",
                    a.display, p.display, expected, r.display
                ),
            )
            .at(place_of(r))
            .at(place_of(a))
            .at(place_of(p))
            .values(format!("{expected}%"), r.display.clone()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::check;

    #[test]
    fn a_completion_rate_is_actual_over_planned() {
        check(
            "
            某县2024年度国有建设用地供应计划执行情况
            计划供应100公顷，实际供应92.3公顷，完成率93.2%。
            //~ error rate.mismatch: 92.3公顷÷100公顷=92.3%，文中写作93.2%
            ",
        );
        check(
            "
            某县2024年度国有建设用地供应计划执行情况
            计划供应100公顷，实际供应92.3公顷，完成率92.3%。
            ",
        );
    }

    #[test]
    fn a_rate_does_not_take_the_next_items_figures() {
        // The first rate's actual figure is not stated; the figures after "；" are the next
        // item's and agree with its own rate.
        check(
            "
            某市2012年住房用地供应计划执行情况
            保障性住房用地计划412.00公顷，完成计划的69.5%；棚户区改造用地实际供应168.20公顷，计划326.00公顷，完成计划的51.6%。
            ",
        );
    }
}
