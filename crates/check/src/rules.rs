//! The checks: every tie in the [`PlanModel`] is cross-examined with tolerance from stated
//! precision.
//!
//! A value written with d decimals stands for ±0.5×10^-d. A sum's tolerance is the sum of its
//! terms' tolerances plus the whole's. A conversion (1 公顷 = 15 亩) carries the tolerance. A share
//! s of part p in whole w agrees when [(p−tp)/(w+tw), (p+tp)/(w−tw)]×100 meets [s−ts, s+ts].
//! Within tolerance there is no finding; beyond it an error, or a warning when the document
//! says 约/左右 and the difference is within the widened allowance (`approx_relative` in the
//! rule's parameters, a fraction of the whole).

use crate::lex::{Lexed, Qualifier, Quantity, Unit};
use crate::model::{Breakdown, BreakdownKind, DocKind, PlanModel};
use landplan_core::units::{half_ulp, round_half_up};
use landplan_core::{Finding, Place, RuleBook, Severity};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

pub(crate) fn place_of(q: &Quantity) -> Place {
    Place {
        line: Some(q.place.line),
        column: Some(q.place.column),
        span: Some(q.place.span),
        text: Some(q.place.text.clone()),
        ..Place::default()
    }
}

/// The place of characters `chars` of `line`, quoting `text`.
pub(crate) fn place_at(line: &crate::lex::Line, chars: (usize, usize), text: String) -> Place {
    Place {
        line: Some(line.number),
        column: Some(chars.0 + 1),
        span: Some((
            line.offsets[chars.0],
            line.offsets[chars.1.min(line.norm.len())],
        )),
        text: Some(text),
        ..Place::default()
    }
}

fn param(book: &RuleBook, id: &str, name: &str, default: &str) -> Decimal {
    book.get(id)
        .and_then(|r| r.param_decimal(name))
        .unwrap_or_else(|| default.parse().unwrap_or_default())
}

/// Severity for a difference beyond tolerance: a warning when the document says 约/左右 and the
/// difference is within the widened allowance, else an error.
fn judge(
    book: &RuleBook,
    id: &str,
    diff: Decimal,
    tol: Decimal,
    approx: bool,
    scale: Decimal,
) -> Option<Severity> {
    if diff.abs() <= tol {
        return None;
    }
    let rel = param(book, id, "approx_relative", "0.01");
    if approx && diff.abs() <= tol + rel * scale.abs() {
        return Some(Severity::Warning);
    }
    Some(book.severity(id))
}

/// Factor to convert a value in unit `from` to unit `to` (both areas, or equal units).
fn factor(from: Unit, to: Unit) -> Option<Decimal> {
    if from == to {
        return Some(Decimal::ONE);
    }
    match (from, to) {
        (Unit::Area(a), Unit::Area(b)) => {
            let x = a.hectares_per_unit();
            let y = b.hectares_per_unit();
            x.checked_div(y)
        }
        (Unit::Money(a), Unit::Money(b)) => a.yuan_per_unit().checked_div(b.yuan_per_unit()),
        _ => None,
    }
}

/// A sum shown without trailing zeros from the addition, but at least at the whole's scale.
fn fmt_sum(v: Decimal, whole: &Quantity) -> String {
    let mut n = v.normalize_if_long().normalize();
    if n.scale() < whole.value.scale() {
        n.rescale(whole.value.scale());
    }
    format!("{n}{}", whole.unit.label())
}

fn fmt_value(v: Decimal, unit: Unit) -> String {
    format!("{}{}", v.normalize_if_long(), unit.label())
}

trait NormalizeLong {
    fn normalize_if_long(self) -> Decimal;
}

impl NormalizeLong for Decimal {
    /// Keep the stated scale for ordinary sums; trim long conversion tails.
    fn normalize_if_long(self) -> Decimal {
        if self.scale() > 8 {
            round_half_up(self, 6).normalize()
        } else {
            self
        }
    }
}

/// Run every check.
pub fn check(lx: &Lexed, m: &PlanModel) -> Vec<Finding> {
    let book = RuleBook::builtin();
    let mut out: Vec<Finding> = Vec::new();
    // (finding index, difference, unit) for linking findings with one cause.
    let mut diffs: Vec<(usize, Decimal, Unit)> = Vec::new();

    for d in &lx.damaged {
        let line = &lx.lines[d.line - 1];
        out.push(
            Finding::new(
                "value.unreadable",
                book.severity("value.unreadable"),
                format!(
                    "数字“{}”无法识别（{}），未参与核对，请核实原文",
                    d.text, d.why
                ),
            )
            .at(place_at(line, d.chars, d.text.clone()))
            .values("可识别的数字", d.text.clone()),
        );
    }

    for &(a, b) in &m.unit_pairs {
        if let Some(f) = unit_pair(book, &m.quantities[a], &m.quantities[b]) {
            out.push(f);
        }
    }

    for b in &m.breakdowns {
        if let Some((f, diff, unit)) = sum_check(book, m, b) {
            diffs.push((out.len(), diff, unit));
            out.push(f);
        }
        out.extend(share_checks(book, m, b));
    }

    out.extend(completion_rates(book, m));
    parcel_duplicates(book, m, &mut out);
    parcel_count(book, lx, m, &mut out);
    period_checks(book, lx, m, &mut out);
    crate::destock::check(book, lx, m, &mut out);

    if m.total.is_none()
        && matches!(
            m.kind,
            DocKind::Supply | DocKind::Reserve | DocKind::HousingLand
        )
    {
        let mut f = Finding::new(
            "total.missing",
            book.severity("total.missing"),
            format!(
                "未在{}中找到计划总量（总量、总规模、计划储备规模等），总量相关的核对未进行",
                m.kind.label()
            ),
        );
        if let Some(l) = m.title_line {
            f = f.at(Place::line(l, 1, m.title.clone().unwrap_or_default()));
        }
        out.push(f);
    }

    // Findings with the same difference probably share one cause.
    let mut by_diff: BTreeMap<(String, &'static str), Vec<usize>> = BTreeMap::new();
    for (i, d, u) in &diffs {
        by_diff
            .entry((d.abs().normalize().to_string(), u.label()))
            .or_default()
            .push(*i);
    }
    for ((d, u), idxs) in by_diff {
        if idxs.len() < 2 {
            continue;
        }
        for &i in &idxs {
            let others: Vec<String> = idxs
                .iter()
                .filter(|&&j| j != i)
                .map(|&j| {
                    let line = out[j].places.first().and_then(|p| p.line).unwrap_or(0);
                    format!(
                        "第{line}行“{}”",
                        out[j].message.split('：').next().unwrap_or("")
                    )
                })
                .collect();
            let note = format!(
                "与{}的差额同为{d}{u}，很可能是同一处数字错误所致，核对时请一并考虑",
                others.join("、")
            );
            out[i].notes.push(note);
        }
    }

    out.sort_by_key(|f| {
        let p = f.places.first();
        (
            p.and_then(|p| p.line).unwrap_or(0),
            p.and_then(|p| p.column).unwrap_or(0),
        )
    });
    out
}

fn unit_pair(book: &RuleBook, a: &Quantity, b: &Quantity) -> Option<Finding> {
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
    let sev = judge(book, "unit.mismatch", diff, tol, approx, a.value * f)?;
    let mut fd = Finding::new(
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

fn sum_check(book: &RuleBook, m: &PlanModel, b: &Breakdown) -> Option<(Finding, Decimal, Unit)> {
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
    let s_lo = judge(book, "sum.mismatch", d_lo, tol_lo, approx, w.value);
    let s_hi = if is_range {
        judge(
            book,
            "sum.mismatch",
            d_hi,
            tol_hi,
            approx,
            w.high_or_value(),
        )
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
    let mut f = Finding::new("sum.mismatch", sev, msg).at(place_of(w));
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

fn share_checks(book: &RuleBook, m: &PlanModel, b: &Breakdown) -> Vec<Finding> {
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
        let Some(sev) = judge(
            book,
            "share.mismatch",
            diff,
            (hi - lo) / Decimal::TWO + ts,
            s.is_approximate(),
            exact,
        ) else {
            continue;
        };
        out.push(
            Finding::new(
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
        if let Some(sev) = judge(book, "share.total", sum - hundred, tol, approx, hundred) {
            let mut f = Finding::new(
                "share.total",
                sev,
                format!("同一组占比之和为{sum}%，不等于100%（{}）", b.what),
            )
            .values("100%", format!("{sum}%"));
            for &i in &shares {
                f = f.at(place_of(&m.quantities[i]));
            }
            out.push(f.note(format!("容差：各占比按末位精度合计±{tol}%")));
        }
    }
    out
}

/// Pairs of duplicate parcels `(i, j, same_id)` with `i < j`, in order: same id, or else same
/// location and same area. Grouped by key, so a list of any length costs a sort, not a scan of
/// every pair.
fn duplicates(m: &PlanModel) -> Vec<(usize, usize, bool)> {
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

fn duplicate_note(m: &PlanModel, whole: &Quantity) -> Option<String> {
    let d = duplicates(m);
    if d.is_empty() {
        return None;
    }
    let mut sum = Decimal::ZERO;
    let mut tol = whole.tolerance();
    let mut unit = None;
    let mut dropped = Vec::new();
    for p in &m.parcels {
        if let Some(a) = p.area {
            sum += m.quantities[a].value;
            tol += m.quantities[a].tolerance();
            unit.get_or_insert(m.quantities[a].unit);
        }
    }
    for &(_, j, _) in &d {
        if dropped.contains(&j) {
            continue;
        }
        dropped.push(j);
        if let Some(a) = m.parcels[j].area {
            sum -= m.quantities[a].value;
        }
    }
    let u = unit.map(|u| u.label()).unwrap_or("");
    if unit == Some(whole.unit) && (sum - whole.value).abs() <= tol {
        return Some(format!(
            "清单中有{}处重复地块；剔除重复后地块面积合计{sum}{u}，与{}相符：差额正是重复计入的地块面积",
            d.len(),
            whole.display
        ));
    }
    Some(format!(
        "清单中有{}处重复地块；剔除重复后地块面积合计{sum}{u}",
        d.len()
    ))
}

/// "共15宗" against the parcels a complete list in the same document names.
fn parcel_count(book: &RuleBook, lx: &Lexed, m: &PlanModel, out: &mut Vec<Finding>) {
    let complete_list = m
        .breakdowns
        .iter()
        .any(|b| b.kind == BreakdownKind::Parcels && b.complete);
    if !complete_list || m.parcels.len() < 2 {
        return;
    }
    let list_lines: std::collections::HashSet<usize> = m.parcels.iter().map(|p| p.line).collect();
    let history = [
        "上年",
        "去年",
        "已",
        "实际",
        "累计",
        "完成",
        "结转",
        "原计划",
    ];
    let Some(c) = lx.counts.iter().find(|c| {
        c.total
            && !list_lines.contains(&c.line)
            && crate::model::class_key(&c.label).is_none()
            && !history.iter().any(|w| c.label.contains(w))
    }) else {
        return;
    };
    let rows = m.parcels.len();
    let mut ids: Vec<&str> = m.parcels.iter().map(|p| p.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let distinct = ids.len();
    let v = c.value as usize;
    if v == rows || v == distinct {
        return;
    }
    let line = &lx.lines[c.line - 1];
    let mut f = Finding::new(
        "parcel.count_mismatch",
        book.severity("parcel.count_mismatch"),
        format!("文中写明共{}，地块清单列出{rows}宗", c.text),
    )
    .at(place_at(line, c.chars, c.text.clone()))
    .values(format!("{rows}宗"), c.text.clone());
    if let Some(first) = m.parcels.first() {
        // The list, by its first parcel's id.
        let l = &lx.lines[first.line - 1];
        let col = l
            .norm_string()
            .find(first.id.as_str())
            .map_or(1, |b| l.norm_string()[..b].chars().count() + 1);
        f = f.at(Place::line(first.line, col, first.id.clone()));
    }
    if distinct != rows {
        f = f.note(format!("清单中有重复编号，去重后为{distinct}宗"));
    }
    out.push(f);
}

fn parcel_duplicates(book: &RuleBook, m: &PlanModel, out: &mut Vec<Finding>) {
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
        let mut f = Finding::new("parcel.duplicate", book.severity("parcel.duplicate"), msg);
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

fn period_checks(book: &RuleBook, lx: &Lexed, m: &PlanModel, out: &mut Vec<Finding>) {
    let Some(year) = m.year else { return };
    let title_line = m.title_line.unwrap_or(1);
    let title_place = || {
        let ym = m
            .years
            .iter()
            .find(|y| y.line >= title_line && y.year == year);
        match ym {
            Some(y) => {
                let line = &lx.lines[y.line - 1];
                Place::line(y.line, y.chars.0 + 1, line.source(y.chars.0, y.chars.1))
            }
            None => Place::line(title_line, 1, m.title.clone().unwrap_or_default()),
        }
    };
    if let (Some((start, _)), Some((pl, a, b))) = (&m.period, m.period_place) {
        let py: i32 = start.get(..4).and_then(|s| s.parse().ok()).unwrap_or(year);
        if py != year && m.kind != DocKind::Other {
            let line = &lx.lines[pl - 1];
            out.push(
                Finding::new(
                    "period.mismatch",
                    book.severity("period.mismatch"),
                    format!("标题中的年度为{year}年，计划期限却写作{py}年"),
                )
                .at(Place::line(pl, a + 1, line.source(a, b)))
                .at(title_place())
                .values(format!("{year}年"), format!("{py}年")),
            );
        }
    }
    // "NNNN年度…" in the sentences that state the total and the structure.
    let mut lines: Vec<usize> = Vec::new();
    if let Some(t) = m.total {
        lines.push(m.quantities[t].place.line);
    }
    for p in &m.structure {
        lines.push(m.quantities[p.quantity].place.line);
    }
    lines.sort_unstable();
    lines.dedup();
    for y in &m.years {
        if !lines.contains(&y.line) || !y.annual || y.to.is_some() || y.year == year {
            continue;
        }
        let line = &lx.lines[y.line - 1];
        out.push(
            Finding::new(
                "period.mismatch",
                book.severity("period.mismatch"),
                format!("标题中的年度为{year}年，计划指标中却写作{}年度", y.year),
            )
            .at(Place::line(
                y.line,
                y.chars.0 + 1,
                line.source(y.chars.0, y.chars.1),
            ))
            .at(title_place())
            .values(format!("{year}年度"), format!("{}年度", y.year)),
        );
    }
}

/// 完成率: "计划供应X公顷，实际供应Y公顷，完成率Z%" — Z must agree with Y ÷ X.
fn completion_rates(book: &RuleBook, m: &PlanModel) -> Vec<Finding> {
    let mut out = Vec::new();
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
        let (planned, actual) = match pick(prev_end, r.chars.0) {
            (Some(p), Some(a)) => (Some(p), Some(a)),
            _ => pick(r.chars.1, next_start),
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
        let Some(sev) = judge(
            book,
            "rate.mismatch",
            r.value - exact,
            (hi - lo) / Decimal::TWO + tr,
            r.is_approximate(),
            exact,
        ) else {
            continue;
        };
        out.push(
            Finding::new(
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
    out
}
