//! `growth.mismatch`: a stated change (增长/增加/减少/下降/高出 X%, 同比, "为…的N倍", "相当于…的N%")
//! must agree with the two figures it relates, when the sentence states both.
//!
//! Three ways a sentence states them, each read in one sentence of one line:
//! - the new figure and the change in area ("1468公顷，比2010年增加352公顷，增长24.0%"): the base
//!   is the new figure minus the change;
//! - the new figure and the base in brackets ("1248.36公顷，与去年同期（1106.52公顷）相比增加12.8%");
//! - the new figure and the base after 比/较 ("2180公顷，比前5年年均供应量1745公顷高出25%").
//!
//! A ratio ("2960公顷，为过去5年年均实际供应量（1986公顷）的1.7倍") is the new figure over the base.
//! Tolerance comes from the stated precision of every figure (interval arithmetic); a stated
//! 约/近/左右 widens it to a warning. When the stated rate equals the change divided by the new
//! figure, the message names that common error. A rate whose base the sentence does not state
//! ("比去年计划减少12.38%") is judged only when another sentence states last year's figure of
//! the same thing ("上年度计划供应国有建设用地1100公顷"), and then as a warning (the base is
//! implied, not stated); else nothing is said.

use super::ctx::{place_at, place_of, RuleCtx};
use super::Findings;
use crate::lex::{Line, Quantity, Unit};
use landplan_core::units::{half_ulp, round_half_up};
use rust_decimal::Decimal;

/// Words that state a rise, and a fall, of the figure before them.
const UP: &[&str] = &[
    "增长",
    "增加",
    "提高",
    "上升",
    "高出",
    "增幅",
    "多供应",
    "多出",
];
const DOWN: &[&str] = &["减少", "下降", "降低", "回落", "降幅", "少供应", "低于"];
/// Words that name the base a figure is compared with.
const COMPARE: &[&str] = &["比", "较", "同比", "相比", "相较"];
/// Words that make a figure a ratio of another ("为…的1.7倍", "相当于…的143%").
const RATIO: &[&str] = &["为", "是", "相当于"];

/// The area figures and rates of the document, judged sentence by sentence.
pub fn check(ctx: &RuleCtx, out: &mut Findings) {
    let qs = &ctx.model.quantities;
    // Last year's figures (bases a rate against last year may imply), found once so that a long
    // document stays linear; with more than a few dozen, no base is implied with certainty.
    let mut last_year: Vec<usize> = qs
        .iter()
        .enumerate()
        .filter(|(_, q)| {
            q.area_unit().is_some()
                && q.high.is_none()
                && LAST_YEAR.iter().any(|w| q.label.contains(w))
        })
        .map(|(i, _)| i)
        .collect();
    if last_year.len() > 32 {
        last_year.clear();
    }
    for (ri, r) in qs.iter().enumerate() {
        if r.unit != Unit::Percent || r.high.is_some() {
            continue;
        }
        let line = ctx.line(r.place.line);
        if let Some(f) = percent(ctx, &last_year, line, ri) {
            out.push(f);
        }
    }
    // Ratios written "的N倍": the number before 倍 is not a figure with a unit, so it is read here.
    for line in &ctx.lexed.lines {
        for (at, &ch) in line.norm.iter().enumerate() {
            if ch == '倍' {
                if let Some(f) = times(ctx, line, at) {
                    out.push(f);
                }
            }
        }
    }
}

/// The indices of the figures of line `line` (figures are in text order).
fn on_line(qs: &[Quantity], line: usize) -> std::ops::Range<usize> {
    qs.partition_point(|q| q.place.line < line)..qs.partition_point(|q| q.place.line <= line)
}

/// The area figures of figure `r`'s sentence before it (in text order), as indices.
fn areas_before(qs: &[Quantity], line: usize, sentence: usize, before: usize) -> Vec<usize> {
    let r = on_line(qs, line);
    let start = r.start;
    qs[r]
        .iter()
        .enumerate()
        .map(|(k, q)| (start + k, q))
        .filter(|(_, q)| {
            q.place.line == line
                && q.sentence == sentence
                && q.chars.1 <= before
                && q.area_unit().is_some()
                && q.high.is_none()
        })
        .map(|(i, _)| i)
        .collect()
}

/// The end of the last figure before char `at` of the same sentence, or the sentence's start.
fn zone_start(qs: &[Quantity], line: &Line, sentence: usize, at: usize) -> usize {
    let fig = qs[on_line(qs, line.number)]
        .iter()
        .filter(|q| q.sentence == sentence && q.chars.1 <= at)
        .map(|q| q.chars.1)
        .max();
    let stop = line.norm[..at.min(line.norm.len())]
        .iter()
        .rposition(|&c| matches!(c, '。' | '；' | ';' | '！' | '？'))
        .map(|p| p + 1);
    fig.into_iter().chain(stop).max().unwrap_or(0)
}

/// The direction a zone of text states, by the last change word in it: +1 rise, −1 fall.
fn direction(zone: &str) -> Option<i32> {
    let last = |words: &[&str]| words.iter().filter_map(|w| zone.rfind(w)).max();
    match (last(UP), last(DOWN)) {
        (Some(u), Some(d)) => Some(if u > d { 1 } else { -1 }),
        (Some(_), None) => Some(1),
        (None, Some(_)) => Some(-1),
        (None, None) => None,
    }
}

fn hectares(q: &Quantity) -> Option<(Decimal, Decimal)> {
    let u = q.area_unit()?;
    Some((u.to_hectares(q.value), u.to_hectares(q.tolerance())))
}

/// `a ÷ b × k`, or nothing when it overflows or is beyond any rate a plan states (so that
/// damaged or extreme figures are not judged, and never panic).
fn pct(a: Decimal, b: Decimal, k: Decimal) -> Option<Decimal> {
    let v = a.checked_div(b)?.checked_mul(k)?;
    (v.abs() < Decimal::from(1_000_000_000_i64)).then_some(v)
}

/// How a sentence relates the new figure to its base.
enum Base<'a> {
    /// The change in area is stated: base = new − change (or + for a fall).
    Change(&'a Quantity),
    /// The base itself is stated.
    Stated(&'a Quantity),
}

/// A rate "增长R%" (or a ratio "相当于…的R%") with its figures in the sentence before it.
fn percent(
    ctx: &RuleCtx,
    last_year: &[usize],
    line: &Line,
    ri: usize,
) -> Option<landplan_core::Finding> {
    let qs = &ctx.model.quantities;
    let r = &qs[ri];
    let after = line.slice(r.chars.1, r.chars.1 + 4);
    if after.starts_with("个百分点") || after.starts_with("百分点") {
        return None;
    }
    let zs = zone_start(qs, line, r.sentence, r.chars.0);
    let verb = line.slice(zs, r.chars.0);
    let before = areas_before(qs, line.number, r.sentence, r.chars.0);
    let (&d, rest) = before.split_last()?;
    let dq = &qs[d];
    // The change or base must be the last figure before the rate (no other rate between them,
    // no other clause).
    if zs != dq.chars.1 {
        return None;
    }
    // "供应总量1200公顷，比上年增长12%": the base is only implied (last year's figure); it is
    // judged, as a warning, only when another sentence states it.
    if COMPARE.iter().any(|w| verb.contains(w)) && LAST_YEAR.iter().any(|w| verb.contains(w)) {
        return implied(ctx, last_year, r, d, &verb);
    }
    // The new figure: the last figure before that is not itself a base or a change (in
    // brackets, or after 比/较: "与去年同期（760.00公顷）相比下降7.6%，比…640公顷高出9.8%").
    let &x = rest.iter().rev().find(|&&i| {
        let q = &qs[i];
        let z = line.slice(zone_start(qs, line, q.sentence, q.chars.0), q.chars.0);
        !COMPARE.iter().any(|w| z.contains(w)) && (!z.contains('(') || z.contains(')'))
    })?;
    let xq = &qs[x];
    let dz = line.slice(zone_start(qs, line, r.sentence, dq.chars.0), dq.chars.0);
    // A ratio: "相当于前5年平均9.64万公顷的143%".
    if verb.trim_end_matches(['约', '近']).ends_with('的') {
        if verb.chars().count() > 3 || !RATIO.iter().any(|w| dz.contains(w)) || dz.contains('占') {
            return None;
        }
        return ratio(ctx, line, r, xq, dq, Decimal::ONE_HUNDRED, None);
    }
    let dir = direction(&verb)?;
    if verb.contains('占') || verb.contains("完成") {
        return None;
    }
    let approx = ["约", "近", "左右", "超过"]
        .iter()
        .any(|w| verb.contains(w))
        || r.is_approximate();
    let base = if dz.contains('(') && !dz.contains(')') {
        Base::Stated(dq)
    } else if COMPARE.iter().any(|w| dz.contains(w))
        && (direction(&dz).is_some() || dz.ends_with('多') || dz.ends_with('少'))
    {
        // "比2010年增加352公顷", "比2010年计划多112公顷": the change itself.
        let change_dir = direction(&dz).unwrap_or(if dz.ends_with('多') { 1 } else { -1 });
        if change_dir != dir {
            return None;
        }
        Base::Change(dq)
    } else if COMPARE.iter().any(|w| dz.contains(w)) {
        Base::Stated(dq)
    } else {
        return None;
    };
    judge(ctx, r, xq, base, dir, approx)
}

/// Words that name last year as the base of a change.
const LAST_YEAR: &[&str] = &["上年", "去年", "上一年"];

/// Words of time dropped from a label to compare what two figures are ("上年度计划供应国有建设
/// 用地" and "全年计划供应国有建设用地" speak of the same thing).
const TIME_WORDS: &[&str] = &[
    "上一年度",
    "上年度",
    "上一年",
    "上年",
    "去年",
    "今年",
    "本年度",
    "本年",
    "全年",
    "年度",
    "计划",
    "的",
    "为",
    "共",
];

/// What a label speaks of, without its words of time.
fn subject(label: &str) -> String {
    let mut s = label.to_string();
    for w in TIME_WORDS {
        s = s.replace(w, "");
    }
    s.trim().to_string()
}

/// A rate against last year with no base in its sentence ("比上年增长12%"): the base is the one
/// figure another sentence states for last year about the same thing (its label, without words
/// of time, is the new figure's, and names last year). A disagreement is a warning, never an
/// error: the tie is implied, not stated. Nothing is said when no such figure is stated.
fn implied(
    ctx: &RuleCtx,
    last_year: &[usize],
    r: &Quantity,
    x: usize,
    verb: &str,
) -> Option<landplan_core::Finding> {
    let qs = &ctx.model.quantities;
    let xq = &qs[x];
    let dir = direction(verb)?;
    if verb.contains('占') || verb.contains("完成") {
        return None;
    }
    let want = subject(&xq.label);
    if want.chars().count() < 2 {
        return None;
    }
    let mut bases = last_year
        .iter()
        .map(|&i| (i, &qs[i]))
        .filter(|(i, q)| *i != x && subject(&q.label) == want);
    let (_, bq) = bases.next()?;
    if bases.any(|(_, q)| q.value != bq.value || q.unit != bq.unit) {
        return None;
    }
    let approx = ["约", "近", "左右", "超过"]
        .iter()
        .any(|w| verb.contains(w))
        || r.is_approximate();
    let f = judge(ctx, r, xq, Base::Stated(bq), dir, approx)?;
    let mut f = f.note(format!(
        "本句未写明基期数，基期取自第{}行的“{}{}”；基期系推定，按警告处理",
        bq.place.line, bq.label, bq.display
    ));
    f.severity = landplan_core::Severity::Warning;
    Some(f)
}

/// Judge a stated rate `r` (in %) of new figure `x` against its base.
fn judge(
    ctx: &RuleCtx,
    r: &Quantity,
    x: &Quantity,
    base: Base,
    dir: i32,
    approx: bool,
) -> Option<landplan_core::Finding> {
    let hundred = Decimal::ONE_HUNDRED;
    let (xv, tx) = hectares(x)?;
    // The change c and the base b, in 公顷, with their tolerances.
    let (c, tc, b, tb, other) = match base {
        Base::Change(d) => {
            let (dv, td) = hectares(d)?;
            let signed = if dir > 0 { dv } else { -dv };
            (signed, td, xv - signed, tx + td, d)
        }
        Base::Stated(bq) => {
            let (bv, tb) = hectares(bq)?;
            (xv - bv, tx + tb, bv, tb, bq)
        }
    };
    if b - tb <= Decimal::ZERO {
        return None;
    }
    // The signed rate the figures give, as an interval.
    let lo = pct(c - tc, b + tb, hundred)?.min(pct(c - tc, b - tb, hundred)?);
    let hi = pct(c + tc, b - tb, hundred)?.max(pct(c + tc, b + tb, hundred)?);
    let stated = if dir > 0 { r.value } else { -r.value };
    let ts = half_ulp(r.value);
    if stated + ts >= lo && stated - ts <= hi {
        return None;
    }
    let exact = pct(c, b, hundred)?;
    let sev = ctx.judge(
        "growth.mismatch",
        stated - exact,
        (hi - lo) / Decimal::TWO + ts,
        approx,
        exact,
    )?;
    let expected = round_half_up(exact.abs(), r.value.scale());
    let word = if dir > 0 { "增长" } else { "减少" };
    let base_text = match base {
        Base::Change(_) => format!(
            "{}{}{}，基期为{}{}",
            x.display,
            if c >= Decimal::ZERO {
                "比基期增加"
            } else {
                "比基期减少"
            },
            other.display,
            round_half_up(
                x.area_unit()
                    .and_then(|u| b.checked_div(u.to_hectares(Decimal::ONE)))
                    .unwrap_or(b),
                x.value.scale().max(other.value.scale())
            ),
            x.unit.label()
        ),
        Base::Stated(_) => format!("{}对比基期{}", x.display, other.display),
    };
    let mut msg = format!(
        "增减幅度与所涉两数不符：{base_text}，{word}幅度应为{expected}%，文中写作{}",
        r.display
    );
    // The common error: the change divided by the new figure.
    let wrong = pct(c.abs(), xv, hundred)?;
    let named = xv - tx > Decimal::ZERO
        && pct(tc + tx, xv - tx, hundred).is_some_and(|tw| (r.value - wrong).abs() <= tw + ts);
    if named {
        msg.push_str(&format!(
            "；文中数值恰为变化量÷本期数（{}%），增长率应以基期数为分母",
            round_half_up(wrong, r.value.scale())
        ));
    }
    let mut f = ctx
        .judged("growth.mismatch", sev, msg)
        .at(place_of(r))
        .at(place_of(x))
        .at(place_of(other))
        .values(format!("{expected}%"), r.display.clone());
    f = f.note(format!(
        "按各数末位精度，{word}幅度应在{}%～{}%之间",
        round_half_up(lo.abs().min(hi.abs()), r.value.scale() + 1),
        round_half_up(lo.abs().max(hi.abs()), r.value.scale() + 1)
    ));
    Some(f)
}

/// A ratio `r` (a % with `scale` = 100, or N倍 with `scale` = 1, `n` given) of new figure `x`
/// over base `b`.
fn ratio(
    ctx: &RuleCtx,
    line: &Line,
    r: &Quantity,
    x: &Quantity,
    b: &Quantity,
    scale: Decimal,
    n: Option<(Decimal, (usize, usize))>,
) -> Option<landplan_core::Finding> {
    let (xv, tx) = hectares(x)?;
    let (bv, tb) = hectares(b)?;
    if bv - tb <= Decimal::ZERO {
        return None;
    }
    let (stated, chars) = n.unwrap_or((r.value, r.chars));
    let ts = half_ulp(stated);
    let lo = pct(xv - tx, bv + tb, scale)?;
    let hi = pct(xv + tx, bv - tb, scale)?;
    if stated + ts >= lo && stated - ts <= hi {
        return None;
    }
    let exact = pct(xv, bv, scale)?;
    let sev = ctx.judge(
        "growth.mismatch",
        stated - exact,
        (hi - lo) / Decimal::TWO + ts,
        false,
        exact,
    )?;
    let expected = round_half_up(exact, stated.scale());
    let (unit, text) = if n.is_some() {
        ("倍", format!("{stated}倍"))
    } else {
        ("%", r.display.clone())
    };
    let place = if n.is_some() {
        place_at(line, chars, text.clone())
    } else {
        place_of(r)
    };
    Some(
        ctx.judged(
            "growth.mismatch",
            sev,
            format!(
                "倍数与所涉两数不符：{}÷{}={expected}{unit}，文中写作{text}",
                x.display, b.display
            ),
        )
        .at(place)
        .at(place_of(x))
        .at(place_of(b))
        .values(format!("{expected}{unit}"), text),
    )
}

/// "X公顷，为…（B公顷）的N倍": the number before 倍 at char `at`.
fn times(ctx: &RuleCtx, line: &Line, at: usize) -> Option<landplan_core::Finding> {
    let norm = &line.norm;
    let mut s = at;
    while s > 0 && (norm[s - 1].is_ascii_digit() || norm[s - 1] == '.') {
        s -= 1;
    }
    if s == at || s == 0 || norm[s - 1] != '的' {
        return None;
    }
    let n: Decimal = line.slice(s, at).parse().ok()?;
    let qs = &ctx.model.quantities;
    // The sentence of the figure right before "的".
    let range = on_line(qs, line.number);
    let start = range.start;
    let (bi, bq) = qs[range]
        .iter()
        .enumerate()
        .map(|(k, q)| (start + k, q))
        .filter(|(_, q)| q.chars.1 < s)
        .max_by_key(|(_, q)| q.chars.1)?;
    let gap = line.slice(bq.chars.1, s - 1);
    if !gap.chars().all(|c| matches!(c, ')' | '）' | ' ')) || bq.area_unit().is_none() {
        return None;
    }
    // The new figure is the sentence's subject, its first figure ("2960公顷，为…（1986公顷）
    // 的1.7倍"; "820公顷，比上年增加95公顷，增长13.1%；为…（640公顷）的1.3倍"); the clause of the
    // base must say 为/是/相当于.
    let before = areas_before(qs, line.number, bq.sentence, bq.chars.0);
    let &x = before.iter().find(|&&i| i != bi)?;
    let xq = &qs[x];
    let dz = line.slice(zone_start(qs, line, bq.sentence, bq.chars.0), bq.chars.0);
    if !RATIO.iter().any(|w| dz.contains(w)) || dz.contains('占') || direction(&dz).is_some() {
        return None;
    }
    // The subject is not itself compared with something ("比…", "较…").
    let xz = line.slice(zone_start(qs, line, xq.sentence, xq.chars.0), xq.chars.0);
    if COMPARE.iter().any(|w| xz.contains(w)) {
        return None;
    }
    ratio(ctx, line, bq, xq, bq, Decimal::ONE, Some((n, (s, at + 1))))
}

#[cfg(test)]
mod tests {
    use super::super::testing::check;

    #[test]
    fn a_growth_rate_on_the_new_figure_is_named_as_the_common_error() {
        // 352 ÷ (1468 − 352) = 31.5 %; 24.0 % is 352 ÷ 1468.
        check(
            "
            某市2011年度住房用地供应计划
            //~ info total.missing
            全年安排住房用地1468公顷，比2010年增加352公顷，增长24.0%。
            //~ error growth.mismatch: 增长幅度应为31.5%，文中写作24.0%；文中数值恰为变化量÷本期数（24.0%）
            ",
        );
        check(
            "
            某市2011年度住房用地供应计划
            //~ info total.missing
            全年安排住房用地1468公顷，比2010年增加352公顷，增长31.5%。
            ",
        );
    }

    #[test]
    fn a_base_in_brackets_and_a_fall() {
        check(
            "
            某市2014年上半年住房用地供应计划执行情况
            今年1至6月全市完成住房用地供应1248.36公顷，与去年同期（1106.52公顷）相比增加12.8%。
            保障性住房用地完成289.70公顷，与去年同期（356.14公顷）相比减少18.7%。
            商品住房用地计划2180公顷，比前5年年均供应量1745公顷高出28%。
            //~ error growth.mismatch: 增长幅度应为25%，文中写作28%
            ",
        );
    }

    #[test]
    fn a_ratio_in_times_and_a_rate_without_a_stated_base() {
        check(
            "
            某市2014年住房用地供应计划
            全年计划供应住房用地2960公顷，为过去5年年均实际供应量（1986公顷）的1.7倍。
            //~ error growth.mismatch: 2960公顷÷1986公顷=1.5倍，文中写作1.7倍
            全年计划供应2856.40公顷，比去年计划减少12.38%。
            ",
        );
        check(
            "
            某市2014年住房用地供应计划
            全年计划供应住房用地2960公顷，为过去5年年均实际供应量（1986公顷）的1.5倍。
            ",
        );
    }

    #[test]
    fn a_rate_against_last_year_is_judged_on_last_years_figure_stated_elsewhere() {
        // Last year's figure in another sentence: 1200/1100 is 9.1 %, not 12 %: a warning.
        check(
            "
            某县2026年度国有建设用地供应计划
            上年度计划供应国有建设用地1100公顷。
            全年计划供应国有建设用地1200公顷，比上年增长12%。
            //~ warning growth.mismatch: 增长幅度应为9%
            ",
        );
        // Agreeing, and with no figure of last year stated: nothing.
        check(
            "
            某县2026年度国有建设用地供应计划
            上年度计划供应国有建设用地1100公顷。
            全年计划供应国有建设用地1200公顷，比上年增长9.1%。
            ",
        );
        check(
            "
            某县2026年度国有建设用地供应计划
            全年计划供应国有建设用地1200公顷，比上年增长12%。
            ",
        );
    }

    #[test]
    fn percentage_points_and_shares_are_not_growth() {
        check(
            "
            某市2014年住房用地供应计划
            //~ info total.missing
            住宅用地4900公顷，占房地产用地的72.1%，同比下降0.1个百分点。
            ",
        );
    }
}
