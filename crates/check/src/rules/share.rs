//! `share.mismatch` and `share.total`: a stated share (占比) must agree with its part and whole,
//! and the shares of one complete breakdown must add up to 100%.
//!
//! A share s of part p in whole w agrees when [(p−tp)/(w+tw), (p+tp)/(w−tw)]×100 meets
//! [s−ts, s+ts]. Shares that add up to exactly 100 may have been rounded by largest
//! remainder: each may then be one unit of its last decimal off, not half a unit.

use super::ctx::{factor, place_of, RuleCtx};
use super::Findings;
use crate::lex::Quantity;
use crate::model::Breakdown;
use landplan_core::units::{half_ulp, round_half_up};
use landplan_core::{Finding, Severity};
use rust_decimal::Decimal;

/// The shares of every breakdown of the model.
pub fn check(ctx: &RuleCtx, out: &mut Findings) {
    for b in &ctx.model.breakdowns {
        for f in share_checks(ctx, b) {
            out.push(f);
        }
    }
}

fn share_checks(ctx: &RuleCtx, b: &Breakdown) -> Vec<Finding> {
    let m = ctx.model;
    let mut out = Vec::new();
    let w = &m.quantities[b.whole];
    if w.high.is_some() {
        return out;
    }
    let hundred = Decimal::ONE_HUNDRED;
    // When every part states a share and the stated shares add up to exactly 100, the document
    // may have rounded them by largest remainder (as `landplan compile` does): each displayed
    // share then lies within one unit of its last decimal of the exact share, not half a unit.
    let stated: Vec<&Quantity> = b
        .parts
        .iter()
        .filter_map(|p| p.share.map(|si| &m.quantities[si]))
        .collect();
    let largest_remainder = stated.len() == b.parts.len()
        && stated.len() > 1
        && stated.iter().map(|s| s.value).sum::<Decimal>() == hundred;
    let mut shares = Vec::new();
    for p in &b.parts {
        let Some(si) = p.share else { continue };
        let q = &m.quantities[p.quantity];
        let s = &m.quantities[si];
        shares.push(si);
        let Some(f) = factor(q.unit, w.unit) else {
            continue;
        };
        if q.high.is_some() || s.high.is_some() {
            continue;
        }
        let (pv, tp) = (q.value * f, q.tolerance() * f);
        let (wv, tw) = (w.value, w.tolerance());
        if wv - tw <= Decimal::ZERO {
            continue;
        }
        let lo = (pv - tp) / (wv + tw) * hundred;
        let hi = (pv + tp) / (wv - tw) * hundred;
        let ts = s.tolerance();
        if s.value + ts >= lo && s.value - ts <= hi {
            continue;
        }
        let unit = Decimal::new(1, s.value.scale());
        if largest_remainder && s.value + unit > lo && s.value - unit < hi {
            continue;
        }
        let exact = pv / wv * hundred;
        let expected = round_half_up(exact, s.value.scale());
        let diff = s.value - exact;
        let Some(sev) = ctx.judge(
            "share.mismatch",
            diff,
            (hi - lo) / Decimal::TWO + ts,
            s.is_approximate(),
            exact,
        ) else {
            continue;
        };
        out.push(
            ctx.judged(
                "share.mismatch",
                sev,
                format!(
                    "占比与面积不符：{}{}占{}的{}%，文中写作{}",
                    p.label, q.display, w.display, expected, s.display
                ),
            )
            .at(place_of(s))
            .at(place_of(q))
            .at(place_of(w))
            .values(format!("{expected}%"), s.display.clone())
            .note(format!(
                "按末位精度，占比应在{}%～{}%之间",
                round_half_up(lo, s.value.scale() + 1),
                round_half_up(hi, s.value.scale() + 1)
            )),
        );
    }
    // Shares of one breakdown add up to 100 % when every part has one and the parts cover
    // the whole.
    if b.complete && shares.len() >= 2 && shares.len() == b.parts.len() {
        let sum: Decimal = shares.iter().map(|&i| m.quantities[i].value).sum();
        let tol: Decimal = shares
            .iter()
            .map(|&i| half_ulp(m.quantities[i].value))
            .sum();
        let approx = shares.iter().any(|&i| m.quantities[i].is_approximate());
        if let Some(mut sev) = ctx.judge("share.total", sum - hundred, tol, approx, hundred) {
            // An error only where the tie is certain.
            let uncertain = !b.evidence.is_certain() && sev == Severity::Error;
            if uncertain {
                sev = Severity::Warning;
            }
            let mut f = ctx
                .judged(
                    "share.total",
                    sev,
                    format!("同一组占比之和为{sum}%，不等于100%（{}）", b.what),
                )
                .values("100%", format!("{sum}%"));
            for &i in &shares {
                f = f.at(place_of(&m.quantities[i]));
            }
            f = f.note(format!("容差：各占比按末位精度合计±{tol}%"));
            out.push(super::sum::evidence_notes(f, &b.evidence, uncertain));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing::check;

    #[test]
    fn a_share_that_disagrees_with_its_part_is_an_error_at_the_share() {
        check(
            "
            某县2025年度国有建设用地供应计划
            全县国有建设用地供应总量为200公顷，其中住宅用地100公顷，占60%；商服用地100公顷，占50%。
            //~ error share.mismatch: 住宅用地100公顷占200公顷的50%，文中写作60%
            //~ error share.total: 同一组占比之和为110%
            ",
        );
    }

    #[test]
    fn shares_rounded_by_largest_remainder_agree() {
        check(
            "
            某县2025年度国有建设用地供应计划
            全县国有建设用地供应总量为3公顷，其中住宅用地1公顷，占33.34%；商服用地1公顷，占33.33%；工矿仓储用地1公顷，占33.33%。
            ",
        );
    }
}
