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
    // The parts of every breakdown that are not a parcel's own area, by unit and value (built
    // on the first duplicate that needs it), with the largest tolerance among them: a part
    // twice a duplicate's area is then found by a search, not a scan of every part.
    let mut parts_by_value: Option<PartsByValue> = None;
    // The parcel sum with and without the duplicates, against the plan scale.
    let mut all = Decimal::ZERO;
    let mut unit = None;
    for p in &m.parcels {
        if let Some(a) = p.area {
            all += m.quantities[a].value;
            unit.get_or_insert(m.quantities[a].unit);
        }
    }
    let mut without = all;
    for &j in &d.later {
        if let Some(a) = m.parcels[j].area {
            without -= m.quantities[a].value;
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
    for &(i, j, same_id) in &d.pairs {
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
            let index = parts_by_value.get_or_insert_with(|| PartsByValue::new(m));
            let q = &m.quantities[x];
            let twice = q.value * Decimal::TWO;
            for (bi, pi) in index.near(q, twice) {
                let p = &m.breakdowns[bi].parts[pi];
                let pq = &m.quantities[p.quantity];
                if (pq.value - twice).abs() <= pq.tolerance() + q.tolerance() * Decimal::TWO {
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
        out.push(f);
    }
    if d.total > d.pairs.len() {
        let rest = d.total - d.pairs.len();
        let mut f = ctx.finding_with(
            "parcel.duplicate",
            format!(
                "清单中重复的地块过多：共{}对，以上只逐一列出前{}对，另有{rest}对未逐一列出",
                d.total,
                d.pairs.len()
            ),
        );
        if let Some(&(_, j, _)) = d.pairs.last() {
            let p = &m.parcels[j];
            f = f.at(Place::line(p.line, 1, p.id.clone()).with_parcel(p.id.clone()));
        }
        out.push(f);
    }
}

/// The parts of every breakdown that are not a parcel's own area, by unit, sorted by value.
struct PartsByValue {
    /// unit → (value, breakdown, part), by value.
    by_unit: std::collections::HashMap<Unit, Vec<(Decimal, usize, usize)>>,
    /// The largest tolerance of any part.
    widest: Decimal,
}

impl PartsByValue {
    fn new(m: &PlanModel) -> PartsByValue {
        let parcel_areas: std::collections::HashSet<usize> =
            m.parcels.iter().filter_map(|pc| pc.area).collect();
        let mut by_unit: std::collections::HashMap<Unit, Vec<(Decimal, usize, usize)>> =
            std::collections::HashMap::new();
        let mut widest = Decimal::ZERO;
        for (bi, bd) in m.breakdowns.iter().enumerate() {
            for (pi, p) in bd.parts.iter().enumerate() {
                if parcel_areas.contains(&p.quantity) {
                    continue;
                }
                let pq = &m.quantities[p.quantity];
                widest = widest.max(pq.tolerance());
                by_unit.entry(pq.unit).or_default().push((pq.value, bi, pi));
            }
        }
        for v in by_unit.values_mut() {
            v.sort_by_key(|e| e.0);
        }
        PartsByValue { by_unit, widest }
    }

    /// The parts in `q`'s unit whose value may be within tolerance of `twice`, in breakdown
    /// and part order (the caller applies the exact test).
    fn near(&self, q: &crate::lex::Quantity, twice: Decimal) -> Vec<(usize, usize)> {
        let Some(v) = self.by_unit.get(&q.unit) else {
            return Vec::new();
        };
        let reach = self.widest + q.tolerance() * Decimal::TWO;
        let lo = v.partition_point(|e| e.0 < twice - reach);
        let mut found: Vec<(usize, usize)> = v[lo..]
            .iter()
            .take_while(|e| e.0 <= twice + reach)
            .map(|e| (e.1, e.2))
            .collect();
        found.sort_unstable();
        found
    }
}

/// The most duplicate pairs reported one by one; the others are counted in one more finding
/// (a parcel listed ten thousand times is fifty million pairs).
pub const MAX_LISTED_PAIRS: usize = 500;

/// The duplicate parcels of a list.
#[derive(Debug, Default)]
pub struct Duplicates {
    /// Pairs `(i, j, same_id)` with `i < j`, in order: same id, or else same location and same
    /// area; the first [`MAX_LISTED_PAIRS`] of them.
    pub pairs: Vec<(usize, usize, bool)>,
    /// How many pairs there are in all.
    pub total: usize,
    /// The parcels listed again: the later parcel of some pair, in order.
    pub later: Vec<usize>,
}

impl Duplicates {
    /// True when no parcel is listed twice.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }
}

/// The duplicate parcels: grouped by key, so a list of any length costs a sort, not a scan of
/// every pair, and only the pairs reported are made.
pub fn duplicates(m: &PlanModel) -> Duplicates {
    use std::collections::HashMap;
    let norm_id = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(|c| c.to_uppercase())
            .collect()
    };
    let mut by_id: HashMap<String, Vec<usize>> = HashMap::new();
    let mut by_place: HashMap<(&str, Unit, Decimal), Vec<usize>> = HashMap::new();
    // Parcels with the same id and the same place: their pairs are reported once, as same id.
    let mut by_both: HashMap<(String, &str, Unit, Decimal), usize> = HashMap::new();
    for (i, p) in m.parcels.iter().enumerate() {
        let id = (!p.id.is_empty()).then(|| norm_id(&p.id));
        if let Some(id) = &id {
            by_id.entry(id.clone()).or_default().push(i);
        }
        if let (Some(loc), Some(a)) = (&p.location, p.area) {
            let q = &m.quantities[a];
            // Decimal equality ignores scale ("2.0" == "2.00"), as the pairwise test did.
            let key = (loc.as_str(), q.unit, q.value.normalize());
            by_place.entry(key).or_default().push(i);
            if let Some(id) = id {
                *by_both.entry((id, key.0, key.1, key.2)).or_default() += 1;
            }
        }
    }
    let pairs_of = |n: usize| n * n.saturating_sub(1) / 2;
    let total = by_id.values().map(|g| pairs_of(g.len())).sum::<usize>()
        + by_place.values().map(|g| pairs_of(g.len())).sum::<usize>()
        - by_both.values().map(|&n| pairs_of(n)).sum::<usize>();
    // Each parcel's place in its groups of two or more.
    let n = m.parcels.len();
    let mut in_id: Vec<Option<(&[usize], usize)>> = vec![None; n];
    let mut in_place: Vec<Option<(&[usize], usize)>> = vec![None; n];
    let mut later = vec![false; n];
    for g in by_id.values().filter(|g| g.len() > 1) {
        for (k, &i) in g.iter().enumerate() {
            in_id[i] = Some((g.as_slice(), k));
            later[i] |= k > 0;
        }
    }
    for g in by_place.values().filter(|g| g.len() > 1) {
        for (k, &i) in g.iter().enumerate() {
            in_place[i] = Some((g.as_slice(), k));
            later[i] |= k > 0;
        }
    }
    // The pairs in order: by first parcel, then by second (the two groups merged).
    let mut pairs = Vec::new();
    'all: for i in 0..n {
        fn after(s: Option<(&[usize], usize)>) -> &[usize] {
            s.map_or(&[], |(g, k)| &g[k + 1..])
        }
        let (ids, places) = (after(in_id[i]), after(in_place[i]));
        let (mut a, mut b) = (0, 0);
        while a < ids.len() || b < places.len() {
            if pairs.len() == MAX_LISTED_PAIRS {
                break 'all;
            }
            let (j, same) = match (ids.get(a), places.get(b)) {
                (Some(&x), Some(&y)) if x == y => {
                    a += 1;
                    b += 1;
                    (x, true)
                }
                (Some(&x), Some(&y)) if x < y => {
                    a += 1;
                    (x, true)
                }
                (Some(&x), None) => {
                    a += 1;
                    (x, true)
                }
                (_, Some(&y)) => {
                    b += 1;
                    (y, false)
                }
                (None, None) => unreachable!("one side has a partner left"),
            };
            pairs.push((i, j, same));
        }
    }
    Duplicates {
        pairs,
        total,
        later: (0..n).filter(|&i| later[i]).collect(),
    }
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
    fn a_parcel_listed_hundreds_of_times_lists_the_first_pairs_and_counts_the_rest() {
        // 40 copies are 780 pairs: 500 reported one by one, then one finding with the count.
        let rows: String = (0..40).map(|_| "A-09\t城关镇南街\t1.00\n").collect();
        let text = format!(
            "某县2026年土地储备计划\n（四）储备地块明细\n地块编号\t坐落\t面积（公顷）\n{rows}"
        );
        let report = crate::check_text("a.txt", &text);
        let dup: Vec<&str> = report
            .findings
            .iter()
            .filter(|f| f.rule == "parcel.duplicate")
            .map(|f| f.message.as_str())
            .collect();
        assert_eq!(dup.len(), super::MAX_LISTED_PAIRS + 1);
        assert!(dup.contains(
            &"清单中重复的地块过多：共780对，以上只逐一列出前500对，另有280对未逐一列出"
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
