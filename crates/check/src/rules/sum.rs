//! `sum.mismatch`: a whole and its parts as the document ties them (结构, 布局, 分项, 新增与存量,
//! table rows and 合计, parcel lists) must add up, with tolerance from stated precision.
//!
//! A sum's tolerance is the sum of its terms' tolerances plus the whole's. Parts that may be
//! a selection (`complete = false`) may fall short but must not exceed the whole; parts stated
//! as floors (不少于) are not a partition and are not summed; ranges are summed end by end.

use super::ctx::{factor, fmt_sum, fmt_value, place_of, NormalizeLong, RuleCtx};
use super::parcel_duplicate::duplicates;
use super::Findings;
use crate::lex::{Qualifier, Quantity, Unit};
use crate::model::{Breakdown, BreakdownKind, PlanModel};
use landplan_core::{Finding, Severity};
use rust_decimal::Decimal;

/// Every breakdown of the model; each mismatch is recorded with its difference, so that
/// mismatches with one cause can be linked.
pub fn check(ctx: &RuleCtx, out: &mut Findings) {
    for b in &ctx.model.breakdowns {
        if let Some((f, diff, unit)) = sum_check(ctx, b) {
            out.push_difference(f, diff, unit);
        }
    }
}

fn sum_check(ctx: &RuleCtx, b: &Breakdown) -> Option<(Finding, Decimal, Unit)> {
    let m = ctx.model;
    let w = &m.quantities[b.whole];
    if b.parts.is_empty() {
        return None;
    }
    let mut lo = Decimal::ZERO;
    let mut hi = Decimal::ZERO;
    let mut tol = Decimal::ZERO;
    let mut tol_hi = Decimal::ZERO;
    let mut approx = w.is_approximate();
    let mut same_unit = true;
    for p in &b.parts {
        let q = &m.quantities[p.quantity];
        let f = factor(q.unit, w.unit)?;
        same_unit &= q.unit == w.unit;
        lo += q.value * f;
        hi += q.high_or_value() * f;
        tol += q.tolerance() * f;
        tol_hi += q.tolerance_high() * f;
        approx |= q.is_approximate();
    }
    let tol_lo = tol + w.tolerance();
    let tol_hi = tol_hi + w.tolerance_high();
    let d_lo = lo - w.value;
    let d_hi = hi - w.high_or_value();
    let is_range = w.high.is_some()
        || b.parts
            .iter()
            .any(|p| m.quantities[p.quantity].high.is_some());
    // Parts stated as floors (不少于, 以上) are not a partition; parts stated as ceilings (以内)
    // may fall short.
    let part_has = |k: Qualifier| {
        b.parts
            .iter()
            .any(|p| m.quantities[p.quantity].qualifiers.contains(&k))
    };
    if part_has(Qualifier::AtLeast) {
        return None;
    }
    let complete = b.complete && !part_has(Qualifier::Within);
    // A selection of parts may fall short of the whole, but must not exceed it.
    let (d_lo, d_hi) = if complete {
        (d_lo, d_hi)
    } else {
        (d_lo.max(Decimal::ZERO), d_hi.max(Decimal::ZERO))
    };
    let whole_range = w.high.is_some();
    let parts_range = b
        .parts
        .iter()
        .any(|p| m.quantities[p.quantity].high.is_some());
    // A point sum against a range whole must fall inside it; a range sum against a point whole
    // must contain it.
    let (d_lo, d_hi) = match (whole_range, parts_range) {
        (true, false) => (
            (lo - w.value).min(Decimal::ZERO),
            (lo - w.high_or_value()).max(Decimal::ZERO),
        ),
        (false, true) => (
            (lo - w.value).max(Decimal::ZERO),
            (hi - w.value).min(Decimal::ZERO),
        ),
        _ => (d_lo, d_hi),
    };
    let s_lo = ctx.judge("sum.mismatch", d_lo, tol_lo, approx, w.value);
    let s_hi = if is_range {
        ctx.judge("sum.mismatch", d_hi, tol_hi, approx, w.high_or_value())
    } else {
        None
    };
    let mut sev = s_lo.max(s_hi)?;
    // A layout that falls far short of the total may list only some townships: a person
    // should look, but it is not proven wrong.
    let partial_layout = matches!(
        b.kind,
        BreakdownKind::TownshipTotals | BreakdownKind::ClassAcrossTownships
    ) && lo * Decimal::from(5) < w.value * Decimal::from(4);
    if partial_layout {
        sev = sev.min(Severity::Warning);
    }
    // An error only where the tie is certain.
    let uncertain = !b.evidence.is_certain() && sev == Severity::Error;
    if uncertain {
        sev = Severity::Warning;
    }
    let (sum_text, found_text, diff) = if is_range {
        (
            format!(
                "{}-{}{}",
                lo.normalize_if_long(),
                hi.normalize_if_long(),
                w.unit.label()
            ),
            w.display.clone(),
            if s_lo.is_some() { d_lo } else { d_hi },
        )
    } else {
        (fmt_sum(lo, w), w.display.clone(), d_lo)
    };
    let what = &b.what;
    let mut msg = if complete {
        format!(
            "{what}不符：分项之和为{sum_text}，文中为{found_text}，相差{}",
            fmt_value(diff.abs().normalize(), w.unit)
        )
    } else {
        format!("{what}超出：分项之和为{sum_text}，大于文中的{found_text}")
    };
    if is_range {
        msg.push_str("（区间按下限之和对下限、上限之和对上限核对）");
    }
    let mut f = ctx.judged("sum.mismatch", sev, msg).at(place_of(w));
    for p in &b.parts {
        f = f.at(place_of(&m.quantities[p.quantity]));
    }
    f = f.values(sum_text, found_text);
    f = f.note(format!(
        "容差：各项按末位精度计±{}{}，超出容差{}",
        (if s_lo.is_some() { tol_lo } else { tol_hi })
            .normalize_if_long()
            .normalize(),
        w.unit.label(),
        if s_lo.max(s_hi) == Some(Severity::Warning) {
            "，但文中注明“约/左右”，按警告处理"
        } else {
            ""
        }
    ));
    if partial_layout {
        f = f.note("各乡镇合计不足整体的80%，布局可能只列出了部分乡镇，按警告处理");
    }
    f = evidence_notes(f, &b.evidence, uncertain);
    if !same_unit {
        f = f.note(format!("各分项已换算为{}后相加", w.unit.label()));
    }
    if b.kind == BreakdownKind::Parcels {
        if let Some(n) = duplicate_note(m, w) {
            f = f.note(n);
        }
    }
    Some((f, diff, w.unit))
}

/// The tie's evidence as notes: what made it, and each doubt (with "按警告处理" when a doubt
/// made an error a warning).
pub(crate) fn evidence_notes(mut f: Finding, e: &crate::model::Evidence, demoted: bool) -> Finding {
    if !e.basis.is_empty() {
        f = f.note(format!("关联依据：{}", e.basis));
    }
    for d in &e.doubts {
        f = f.note(format!(
            "关联存疑{}：{d}",
            if demoted { "，按警告处理" } else { "" }
        ));
    }
    f
}

fn duplicate_note(m: &PlanModel, whole: &Quantity) -> Option<String> {
    let d = duplicates(m);
    if d.is_empty() {
        return None;
    }
    let mut sum = Decimal::ZERO;
    let mut tol = whole.tolerance();
    let mut unit = None;
    for p in &m.parcels {
        if let Some(a) = p.area {
            sum += m.quantities[a].value;
            tol += m.quantities[a].tolerance();
            unit.get_or_insert(m.quantities[a].unit);
        }
    }
    for &j in &d.later {
        if let Some(a) = m.parcels[j].area {
            sum -= m.quantities[a].value;
        }
    }
    let u = unit.map(|u| u.label()).unwrap_or("");
    if unit == Some(whole.unit) && (sum - whole.value).abs() <= tol {
        return Some(format!(
            "清单中有{}处重复地块；剔除重复后地块面积合计{sum}{u}，与{}相符：差额正是重复计入的地块面积",
            d.total,
            whole.display
        ));
    }
    Some(format!(
        "清单中有{}处重复地块；剔除重复后地块面积合计{sum}{u}",
        d.total
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testing::check;

    #[test]
    fn class_parts_that_miss_the_total_are_an_error_at_the_total() {
        check(
            "
            某县2025年度国有建设用地供应计划
            全县国有建设用地供应总量为100.00公顷，其中住宅用地60.00公顷，商服用地30.00公顷。
            //~ error sum.mismatch: 分项之和为90.00公顷，文中为100.00公顷，相差10公顷
            ",
        );
    }

    #[test]
    fn parts_within_the_stated_precision_add_up() {
        check(
            "
            某县2025年度国有建设用地供应计划
            全县国有建设用地供应总量为100公顷，其中住宅用地60.4公顷，商服用地39.8公顷。
            ",
        );
    }

    #[test]
    fn an_approximate_total_a_little_off_is_a_warning() {
        check(
            "
            某县2025年度国有建设用地供应计划
            全县国有建设用地供应总量约100.0公顷，其中住宅用地60.0公顷，商服用地40.5公顷。
            //~ warning sum.mismatch
            ",
        );
    }

    #[test]
    fn two_mismatches_off_by_the_same_amount_are_linked() {
        let r = crate::check_text(
            "plan.txt",
            "某县2025年度国有建设用地供应计划\n\
             全县国有建设用地供应总量为100公顷，其中住宅用地60公顷，商服用地30公顷。\n\
             新增建设用地60公顷，存量建设用地30公顷。\n",
        );
        let sums: Vec<_> = r
            .findings
            .iter()
            .filter(|f| f.rule == "sum.mismatch")
            .collect();
        assert_eq!(sums.len(), 2, "{:#?}", r.findings);
        assert!(sums
            .iter()
            .all(|f| f.notes.iter().any(|n| n.contains("差额同为10公顷"))));
    }

    #[test]
    fn a_part_the_checker_did_not_understand_makes_the_sum_a_warning() {
        // 838 is the difference, stated in the passage under a label that names no class:
        // the tie may have missed a part, so it is not asserted as an error.
        check(
            "
            某市2021年度国有建设用地供应计划
            今年全市各类用地供应总量为1860公顷。
            //~ warning sum.mismatch: 分项之和为1022公顷
            计划安排住宅用地446公顷。
            此外，安排工业和商服等产业用地838公顷；安排基础设施用地576公顷。
            ",
        );
        let r = crate::check_text(
            "p.txt",
            "某市2021年度国有建设用地供应计划\n今年全市各类用地供应总量为1860公顷。\n计划安排住宅用地446公顷。\n此外，安排工业和商服等产业用地838公顷；安排基础设施用地576公顷。\n",
        );
        let notes = &r.findings[0].notes;
        assert!(
            notes.iter().any(|n| n.starts_with("关联依据：")),
            "{notes:?}"
        );
        assert!(
            notes
                .iter()
                .any(|n| n.contains("按警告处理") && n.contains("838公顷")),
            "{notes:?}"
        );
    }

    #[test]
    fn shares_far_from_a_hundred_make_a_short_structure_a_warning() {
        // Three classes whose shares add up to 60 %: a partial list, not a wrong figure.
        check(
            "
            某县2025年度国有建设用地供应计划
            全县国有建设用地供应总量为1000公顷，按用途看，工矿仓储用地300公顷，占30%；住宅用地200公顷，占20%；商服用地100公顷，占10%。
            //~ warning sum.mismatch: 分项之和为600公顷
            //~ warning share.total: 同一组占比之和为60%
            ",
        );
    }
}
