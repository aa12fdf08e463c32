//! `parcel.duplicate`: a parcel listed twice (the same 编号, or the same 坐落 and area), with
//! what the duplicate does to the list's sum against the plan scale.

use super::ctx::{place_of, RuleCtx};
use super::Findings;
use crate::lex::Unit;
use crate::model::PlanModel;
use landplan_core::Place;
use rust_decimal::Decimal;

/// One finding per duplicate pair, in list order.
pub fn check(ctx: &RuleCtx, out: &mut Findings) {
    let m = ctx.model;
    let d = duplicates(m);
    if d.is_empty() {
        return;
    }
    // Figures that are a parcel's own area (built on the first duplicate that needs it).
    let mut parcel_areas: Option<std::collections::HashSet<usize>> = None;
    // The parcel sum with and without the duplicates, against the plan scale.
    let mut all = Decimal::ZERO;
    let mut unit = None;
    for p in &m.parcels {
        if let Some(a) = p.area {
            all += m.quantities[a].value;
            unit.get_or_insert(m.quantities[a].unit);
        }
    }
    let mut dropped: Vec<usize> = Vec::new();
    let mut without = all;
    for &(_, j, _) in &d {
        if !dropped.contains(&j) {
            dropped.push(j);
            if let Some(a) = m.parcels[j].area {
                without -= m.quantities[a].value;
            }
        }
    }
    let u = unit.map(|u| u.label()).unwrap_or("");
    let scale_note = m.total.map(|t| {
        let tq = &m.quantities[t];
        let tol: Decimal = m
            .parcels
            .iter()
            .filter_map(|p| p.area)
            .map(|a| m.quantities[a].tolerance())
            .sum::<Decimal>()
            + tq.tolerance();
        if (all - tq.value).abs() <= tol {
            format!(
                "文中计划规模{}与含重复地块的清单合计{all}{u}相符，即规模已计入重复地块；剔除重复后地块合计为{without}{u}",
                tq.display
            )
        } else if (without - tq.value).abs() <= tol {
            format!("剔除重复后地块合计{without}{u}与计划规模{}相符", tq.display)
        } else {
            format!("清单合计{all}{u}，剔除重复后为{without}{u}，计划规模为{}", tq.display)
        }
    });
    for &(i, j, same_id) in &d {
        let (a, b) = (&m.parcels[i], &m.parcels[j]);
        let area_text = b
            .area
            .map(|x| m.quantities[x].display.clone())
            .unwrap_or_default();
        let msg = if same_id {
            format!(
                "地块编号 {} 在清单中出现两次（第{}行、第{}行）",
                a.id, a.line, b.line
            )
        } else {
            format!(
                "地块 {} 与 {} 坐落相同（{}）、面积相同（{}），疑似同一地块重复列出",
                a.id,
                b.id,
                a.location.clone().unwrap_or_default(),
                area_text
            )
        };
        let mut f = ctx.finding_with("parcel.duplicate", msg);
        for p in [b, a] {
            f = match p.area {
                Some(x) => f.at(place_of(&m.quantities[x]).with_parcel(p.id.clone())),
                None => f.at(Place::line(p.line, 1, p.id.clone()).with_parcel(p.id.clone())),
            };
        }
        f = f.values("一次", "两次");
        if let Some(n) = &scale_note {
            f = f.note(n.clone());
        }
        // A part equal to twice the parcel's area: the duplicate is counted there too.
        if let Some(x) = b.area {
            let parcel_areas = parcel_areas.get_or_insert_with(|| {
                m.parcels
                    .iter()
                    .filter_map(|pc| pc.area)
                    .collect::<std::collections::HashSet<usize>>()
            });
            let q = &m.quantities[x];
            let twice = q.value * Decimal::TWO;
            for bd in &m.breakdowns {
                for p in &bd.parts {
                    let pq = &m.quantities[p.quantity];
                    if pq.unit == q.unit
                        && (pq.value - twice).abs() <= pq.tolerance() + q.tolerance() * Decimal::TWO
                        && !parcel_areas.contains(&p.quantity)
                    {
                        let note = format!(
                            "第{}行“{}”{}恰为该地块面积的两倍（{}×2={}{}），疑似重复计入",
                            pq.place.line,
                            p.label,
                            pq.display,
                            q.value,
                            twice,
                            q.unit.label()
                        );
                        if !f.notes.contains(&note) {
                            f = f.note(note);
                        }
                    }
                }
            }
        }
        out.push(f);
    }
}

/// Pairs of duplicate parcels `(i, j, same_id)` with `i < j`, in order: same id, or else same
/// location and same area. Grouped by key, so a list of any length costs a sort, not a scan of
/// every pair.
pub fn duplicates(m: &PlanModel) -> Vec<(usize, usize, bool)> {
    use std::collections::HashMap;
    let norm_id = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(|c| c.to_uppercase())
            .collect()
    };
    let mut by_id: HashMap<String, Vec<usize>> = HashMap::new();
    let mut by_place: HashMap<(&str, Unit, Decimal), Vec<usize>> = HashMap::new();
    for (i, p) in m.parcels.iter().enumerate() {
        if !p.id.is_empty() {
            by_id.entry(norm_id(&p.id)).or_default().push(i);
        }
        if let (Some(loc), Some(a)) = (&p.location, p.area) {
            let q = &m.quantities[a];
            // Decimal equality ignores scale ("2.0" == "2.00"), as the pairwise test did.
            by_place
                .entry((loc.as_str(), q.unit, q.value.normalize()))
                .or_default()
                .push(i);
        }
    }
    let mut same_id = std::collections::HashSet::new();
    let mut out = Vec::new();
    for group in by_id.values().filter(|g| g.len() > 1) {
        for (k, &i) in group.iter().enumerate() {
            for &j in &group[k + 1..] {
                same_id.insert((i, j));
                out.push((i, j, true));
            }
        }
    }
    for group in by_place.values().filter(|g| g.len() > 1) {
        for (k, &i) in group.iter().enumerate() {
            for &j in &group[k + 1..] {
                if !same_id.contains(&(i, j)) {
                    out.push((i, j, false));
                }
            }
        }
    }
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing::check;

    const HEAD: &str = "
        某县2026年土地储备计划
        本年度计划储备土地6.00公顷。
        （四）储备地块明细
        地块编号\t坐落\t面积（公顷）
        A-01\t城关镇东街\t2.00
        A-02\t城关镇西街\t2.00";

    #[test]
    fn a_parcel_id_listed_twice_is_a_duplicate() {
        check(&format!(
            "{HEAD}
            A-01\t城关镇北街\t2.00
            //~ error parcel.duplicate: 地块编号 A-01 在清单中出现两次
            "
        ));
    }

    #[test]
    fn the_same_place_and_area_under_two_ids_is_a_duplicate() {
        check(&format!(
            "{HEAD}
            A-03\t城关镇西街\t2.00
            //~ error parcel.duplicate: 坐落相同（城关镇西街）、面积相同（2.00公顷）
            "
        ));
    }

    #[test]
    fn distinct_parcels_are_not() {
        check(&format!(
            "{HEAD}
            A-03\t城关镇南街\t2.00
            "
        ));
    }
}
