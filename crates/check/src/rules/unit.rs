//! `unit.mismatch`: the same quantity stated in two units ("383.73公顷（约5755.95亩）") must
//! agree, the first's stated precision carried through the conversion.

use super::ctx::{factor, fmt_value, place_of, NormalizeLong, RuleCtx};
use super::Findings;
use crate::lex::{Quantity, Unit};
use landplan_core::units::round_half_up;
use landplan_core::Finding;
use rust_decimal::Decimal;

/// Every unit pair of the model.
pub fn check(ctx: &RuleCtx, out: &mut Findings) {
    for &(a, b) in &ctx.model.unit_pairs {
        if let Some(f) = unit_pair(ctx, ctx.q(a), ctx.q(b)) {
            out.push(f);
        }
    }
}

fn unit_pair(ctx: &RuleCtx, a: &Quantity, b: &Quantity) -> Option<Finding> {
    let f = factor(a.unit, b.unit)?;
    let lo = (a.value - a.tolerance()) * f;
    let hi = (a.value + a.tolerance()) * f;
    let tb = b.tolerance();
    let (blo, bhi) = (b.value - tb, b.value + tb);
    if bhi >= lo && blo <= hi {
        return None;
    }
    let expected = round_half_up(a.value * f, b.value.scale());
    let diff = b.value - a.value * f;
    let approx = a.is_approximate() || b.is_approximate();
    let tol = (hi - lo) / Decimal::TWO + tb;
    let sev = ctx.judge("unit.mismatch", diff, tol, approx, a.value * f)?;
    let mut fd = ctx
        .judged(
            "unit.mismatch",
            sev,
            format!(
                "同一数量的两种单位不一致：{}折合{}{}，文中写作{}",
                a.display,
                expected,
                b.unit.label(),
                b.display
            ),
        )
        .at(place_of(b))
        .at(place_of(a))
        .values(fmt_value(expected, b.unit), b.display.clone());
    // A factor-of-ten difference suggests a dropped or extra digit.
    let ratio = if b.value.is_zero() {
        Decimal::ZERO
    } else {
        (a.value * f) / b.value
    };
    let ten = Decimal::TEN;
    for r in [ten, Decimal::ONE / ten] {
        if (ratio - r).abs() <= r / Decimal::from(100) {
            fd = fd.note("两者相差约10倍，可能是漏写或多写了一位数字");
        }
    }
    if let (Unit::Area(ua), Unit::Area(ub)) = (a.unit, b.unit) {
        fd = fd.note(format!(
            "换算：1{} = {}{}；按{}的末位精度（±{}）折合为{}～{}{}",
            ua.label(),
            fmt_value(f.normalize_if_long(), b.unit).trim_end_matches(ub.label()),
            ub.label(),
            a.display,
            a.tolerance(),
            round_half_up(lo, b.value.scale() + 1),
            round_half_up(hi, b.value.scale() + 1),
            ub.label()
        ));
    }
    Some(fd)
}

#[cfg(test)]
mod tests {
    use super::super::testing::check;

    #[test]
    fn a_restatement_in_mu_that_disagrees_is_an_error_at_the_restatement() {
        check(
            "
            某县2025年度国有建设用地供应计划
            全县供应总量为383.73公顷（5755.95亩），其中住宅用地47.58公顷（575.95亩）。
            //~ error unit.mismatch: 47.58公顷折合713.70亩
            ",
        );
    }

    #[test]
    fn an_approximate_restatement_close_enough_is_a_warning_and_a_right_one_is_quiet() {
        check(
            "
            某县2025年度国有建设用地供应计划
            全县供应总量为100.00公顷（约1510亩）。
            //~ warning unit.mismatch
            ",
        );
        check(
            "
            某县2025年度国有建设用地供应计划
            全县供应总量为383.73公顷（约5755.95亩），合3837300平方米。
            ",
        );
    }
}
