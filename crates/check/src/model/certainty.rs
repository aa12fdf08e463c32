//! Certainty of the ties: what, in the figures themselves, says that a breakdown may not be
//! what it looks like. A tie with a doubt gives at most a warning, with the doubt in its notes.
//!
//! The doubts found here are general (no document-specific pattern):
//! - the parts' stated shares do not add up to about 100 % (the list is partial, or the parts
//!   overlap);
//! - the difference between the parts and the whole is, within precision, a figure that the
//!   same passage states and that is not among the parts (a part whose label was not
//!   understood), or is one of the parts (a detail of another part counted as a sibling).
//!
//! Passes that make a tie add the doubts only they can see (class lines far apart).

use super::builder::Builder;
use super::{Breakdown, BreakdownKind, PlanModel};
use crate::lex::Quantity;
use landplan_core::units::half_ulp;
use rust_decimal::Decimal;

/// Pass `certainty`: the general doubts of every breakdown.
///
/// Reads the breakdowns, `items`, `excluded`; writes each breakdown's `evidence.doubts`.
pub fn assess(b: &mut Builder) {
    let doubts: Vec<Vec<String>> =
        b.m.breakdowns
            .iter()
            .map(|bd| {
                let mut d = Vec::new();
                // A table with its 合计 row and a parcel list state their tie by their layout.
                if matches!(bd.kind, BreakdownKind::Table | BreakdownKind::Parcels)
                    || bd.evidence.basis.starts_with("表中")
                {
                    return d;
                }
                if !adds_up(&b.m, bd) {
                    d.extend(share_doubt(&b.m, bd));
                }
                d.extend(difference_doubt(&b.m, &b.items, bd));
                d.extend(damaged_whole_doubt(b, bd));
                d
            })
            .collect();
    for (bd, d) in b.m.breakdowns.iter_mut().zip(doubts) {
        for x in d {
            if !bd.evidence.doubts.contains(&x) {
                bd.evidence.doubts.push(x);
            }
        }
    }
}

/// The parts are on a line of their own, after a damaged figure, and the whole is stated
/// elsewhere: the whole the parts belong to may be the damaged figure ("供应总量控制在.64公顷
/// 左右。其中，商服用地…"), and the one taken may be about something else.
fn damaged_whole_doubt(b: &Builder, bd: &Breakdown) -> Option<String> {
    let first = &b.m.quantities[bd.parts.first()?.quantity];
    let whole = &b.m.quantities[bd.whole];
    if whole.place.line == first.place.line {
        return None;
    }
    let from = if whole.place.line < first.place.line {
        whole.place.line
    } else {
        0
    };
    // Damaged figures are in text order: the last one before the first part.
    let k = b.lx.damaged.partition_point(|d| {
        d.line < first.place.line || (d.line == first.place.line && d.chars.1 <= first.chars.0)
    });
    let d = b.lx.damaged[..k].last().filter(|d| d.line >= from)?;
    Some(format!(
        "分项之前的数字“{}”无法识别，它可能才是这些分项的整体，文中取作整体的{}另有所指",
        d.text, whole.display
    ))
}

/// The parts add up to the whole within precision (areas only; anything else counts as adding
/// up, so that no doubt is raised on it).
fn adds_up(m: &PlanModel, bd: &Breakdown) -> bool {
    let Some((wv, wt)) = hectares(&m.quantities[bd.whole]) else {
        return true;
    };
    let mut sum = Decimal::ZERO;
    let mut tol = wt;
    for p in &bd.parts {
        let Some((v, t)) = hectares(&m.quantities[p.quantity]) else {
            return true;
        };
        sum += v;
        tol += t;
    }
    (wv - sum).abs() <= tol
}

/// The stated shares of a complete breakdown whose parts do not add up, when every part has
/// one, add up to far from 100 % (or, when some have one, to far more): the parts are not the
/// whole's breakdown (a partial list, overlapping categories) rather than a wrong figure.
fn share_doubt(m: &PlanModel, bd: &Breakdown) -> Option<String> {
    if !bd.complete || bd.parts.len() < 2 {
        return None;
    }
    let shares: Vec<&Quantity> = bd
        .parts
        .iter()
        .filter_map(|p| p.share.map(|s| &m.quantities[s]))
        .collect();
    if shares.len() < 2 {
        return None;
    }
    let sum: Decimal = shares.iter().map(|s| s.value).sum();
    let tol: Decimal = shares.iter().map(|s| half_ulp(s.value)).sum();
    // Beyond rounding, and beyond what a typo in one share would explain (a wrong share is
    // `share.mismatch`'s, not a reason to doubt the parts): more than 5 points off.
    let far = Decimal::from(5) + tol;
    let all = shares.len() == bd.parts.len();
    if (all && (sum - Decimal::ONE_HUNDRED).abs() > far) || sum > Decimal::ONE_HUNDRED + far {
        Some(format!(
            "各分项所注占比合计为{}%，与100%相差较大，所列分项可能不全或相互重叠",
            sum.normalize()
        ))
    } else {
        None
    }
}

fn hectares(q: &Quantity) -> Option<(Decimal, Decimal)> {
    let u = q.area_unit()?;
    if q.high.is_some() {
        return None;
    }
    Some((u.to_hectares(q.value), u.to_hectares(q.tolerance())))
}

/// The parts miss or exceed the whole by, within precision, a figure the same passage states:
/// a part that was not understood, or a detail counted beside its parent.
fn difference_doubt(m: &PlanModel, items: &[usize], bd: &Breakdown) -> Option<String> {
    let (wv, wt) = hectares(&m.quantities[bd.whole])?;
    let mut sum = Decimal::ZERO;
    let mut tol = wt;
    for p in &bd.parts {
        let (v, t) = hectares(&m.quantities[p.quantity])?;
        sum += v;
        tol += t;
    }
    let diff = wv - sum;
    if diff.abs() <= tol || (!bd.complete && diff > Decimal::ZERO) {
        return None;
    }
    let matches = |i: usize| {
        hectares(&m.quantities[i]).is_some_and(|(v, t)| (v - diff.abs()).abs() <= tol + t)
    };
    if diff < Decimal::ZERO {
        // Exceeds: one of the parts is the excess.
        return bd
            .parts
            .iter()
            .find(|p| matches(p.quantity))
            .filter(|_| bd.parts.len() >= 3)
            .map(|p| {
                let q = &m.quantities[p.quantity];
                format!(
                    "分项之和超出的部分恰好等于分项“{}{}”，它可能是另一分项的细目而被重复计入",
                    p.label, q.display
                )
            });
    }
    // Falls short: a figure of the passage (from the whole's line to the last part's) that is
    // neither the whole nor a part equals the difference.
    let lines = std::iter::once(bd.whole)
        .chain(bd.parts.iter().map(|p| p.quantity))
        .map(|i| m.quantities[i].place.line);
    let (lo, hi) = (lines.clone().min()?, lines.max()?);
    // Items are in text order: those of lines lo..=hi are one run.
    let from = items.partition_point(|&i| m.quantities[i].place.line < lo);
    let to = items.partition_point(|&i| m.quantities[i].place.line <= hi);
    let found = items[from..to]
        .iter()
        .copied()
        .find(|&i| i != bd.whole && bd.parts.iter().all(|p| p.quantity != i) && matches(i))?;
    let q = &m.quantities[found];
    Some(format!(
        "分项之和与总量的差额恰好等于文中的“{}{}”，它可能是未能识别的分项",
        q.label, q.display
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testing::model;

    fn doubts(text: &str) -> Vec<Vec<String>> {
        model(text)
            .breakdowns
            .into_iter()
            .map(|b| b.evidence.doubts)
            .collect()
    }

    #[test]
    fn a_structure_that_adds_up_has_no_doubt() {
        let d = doubts(
            "
            某县2025年度国有建设用地供应计划
            全县国有建设用地供应总量为100公顷，其中住宅用地60公顷，占60%；商服用地40公顷，占40%。
            ",
        );
        assert_eq!(d, [Vec::<String>::new()]);
    }

    #[test]
    fn a_detail_counted_beside_its_parent_is_a_doubt() {
        // 40 is inside 租赁住宅's bracket and equals the excess.
        let m = model(
            "
            某县2025年度国有建设用地供应计划
            全县住宅用地供应总量为100公顷，其中商品住宅用地50公顷，租赁住宅用地50公顷（保障性租赁住房用地10公顷，市场化租赁住房用地40公顷）。
            ",
        );
        let doubtful: Vec<_> = m
            .breakdowns
            .iter()
            .filter(|b| !b.evidence.is_certain())
            .collect();
        for b in &doubtful {
            assert!(b.evidence.doubts[0].contains("细目"), "{:?}", b.evidence);
        }
        // Every tie carries its basis.
        assert!(m.breakdowns.iter().all(|b| !b.evidence.basis.is_empty()));
    }

    #[test]
    fn a_damaged_figure_before_the_parts_is_a_doubt_about_their_whole() {
        let d = doubts(
            "
            某市2022年国有建设用地供应计划
            今年供应总量控制在.64公顷左右。其中，商服用地92.37公顷，住宅用地371.52公顷，工矿仓储用地436.18公顷。
            住宅用地方面，今年计划供应371.52公顷，其中商品住宅用地238.60公顷，其他住宅用地132.92公顷。
            ",
        );
        assert!(d.iter().flatten().any(|x| x.contains(".64公顷")), "{d:?}");
    }
}
