//! The check across the files of one plan (`cross.mismatch`): the Word plan, its Excel 附表, the
//! web page and the Markdown of one plan — or a document and the ledger or stored version it was
//! compiled from — must state the same figures.
//!
//! Each side is reduced to a list of [`Indicator`]s: what a figure is (a stable key such as
//! `class:gb21010:07`, `housing:商品住房`, `place:城关镇/class:gb21010:05`, `quarter:4`,
//! `method:划拨`, `new`, `share:总量:class:gb21010:05`, `parcel:SLX2025-0001`), its value at the
//! precision stated, its place, and why its reading may be in doubt. Every indicator that both
//! sides state is compared at the coarser stated precision ([`agree`]); a disagreement is a
//! `cross.mismatch` finding naming both places and both values. An error needs both readings
//! certain (the figure stands in a tie the model is sure of: a table with its 合计, a 其中
//! breakdown, the plan total); otherwise it is a warning whose notes say why.
//!
//! Documents are tied when their titles give the same region, year and kind ([`identity`]).
//! The crate stays IO-free: a ledger or a stored version comes in as a [`CompiledPlan`]
//! ([`plan_indicators`]), loaded by the caller.

use crate::lex::{Quantity, Unit};
use crate::model::{class_match, DocKind, PlanModel};
use crate::DocumentReport;
use landplan_core::compile::CompiledPlan;
use landplan_core::units::{half_ulp, round_half_up};
use landplan_core::{Finding, Place, RuleContext, Severity};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The rule id of a disagreement across files.
pub const RULE: &str = "cross.mismatch";

/// What makes a plan the same plan: region, year and kind (supply or reserve).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Identity {
    /// The region as the title names it (巴楚县, 示例县 …).
    pub region: String,
    /// The plan year.
    pub year: i32,
    /// `supply` or `reserve`.
    pub kind: &'static str,
}

impl Identity {
    /// The identity in Chinese ("示例县2025年度供应计划").
    pub fn label(&self) -> String {
        let kind = if self.kind == "reserve" {
            "土地储备计划"
        } else {
            "国有建设用地供应计划"
        };
        format!("{}{}年度{kind}", self.region, self.year)
    }
}

/// The identity of the plan a document states, from its title; `Err` says, in Chinese, why it
/// cannot be read (then the document is not tied to any other).
pub fn identity(m: &PlanModel) -> Result<Identity, String> {
    let kind = match m.kind {
        DocKind::Supply => "supply",
        DocKind::Reserve => "reserve",
        DocKind::Other if m.title.is_none() => return Err("未读出计划标题".to_string()),
        DocKind::Other => return Err("标题未表明是供应计划或储备计划".to_string()),
        other => return Err(format!("文件是{}，不是供应计划或储备计划", other.label())),
    };
    let region = m
        .region
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .ok_or_else(|| "标题中未读出行政区".to_string())?;
    let year = m.year.ok_or_else(|| "标题中未读出计划年度".to_string())?;
    Ok(Identity {
        region: region.to_string(),
        year,
        kind,
    })
}

/// One figure a side states, reduced to what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Indicator {
    /// What it is, stable across formats (`class:gb21010:07`, `housing:商品住房` …).
    pub key: String,
    /// What it is, in Chinese, for messages (「商品住房」, 「城关镇 住宅用地」).
    pub name: String,
    /// The value at the precision stated (the decimal's scale).
    pub value: Decimal,
    /// The unit; `None` for a count (宗).
    pub unit: Option<Unit>,
    /// Where it is (file, line, column, quoted text; or a ledger row).
    pub place: Place,
    /// Why the reading may be wrong, in Chinese (`None`: certain).
    pub doubt: Option<String>,
}

/// One side of a comparison: a document, a ledger or a stored plan version.
#[derive(Debug, Clone)]
pub struct Side {
    /// How messages name it: the file as given, "台账 FILE", "数据库 第N版".
    pub label: String,
    /// True for a document (places name lines), false for a ledger or a stored version.
    pub document: bool,
    /// What it states.
    pub indicators: Vec<Indicator>,
    /// Lines (1-based) where an annex table begins, with its label ("附表2"): a place after one
    /// is named by it ("附表.xlsx 附表2 第29行"). Empty when unknown.
    pub annexes: Vec<(usize, String)>,
}

impl Side {
    /// A document's side.
    pub fn of_document(report: &DocumentReport) -> Side {
        Side {
            label: report.path.clone(),
            document: true,
            indicators: document_indicators(report),
            annexes: Vec::new(),
        }
    }

    /// A document's side, with the text it was read as (to name the 附表 a place is in).
    pub fn of_document_text(report: &DocumentReport, text: &str) -> Side {
        let mut side = Side::of_document(report);
        side.annexes = annex_lines(text);
        side
    }

    /// The annex a line is in.
    fn annex_of(&self, line: usize) -> Option<&str> {
        self.annexes
            .iter()
            .take_while(|(l, _)| *l <= line)
            .last()
            .map(|(_, a)| a.as_str())
    }
}

/// Lines that label an annex table: "附表2", "附表 3", "附表一" standing alone.
fn annex_lines(text: &str) -> Vec<(usize, String)> {
    text.split('\n')
        .enumerate()
        .filter_map(|(i, line)| {
            let t: String = landplan_core::text::normalize(line)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let rest = t.strip_prefix("附表")?;
            let ok = !rest.is_empty()
                && rest.chars().count() <= 3
                && rest
                    .chars()
                    .all(|c| c.is_ascii_digit() || "一二三四五六七八九十".contains(c));
            ok.then(|| (i + 1, t))
        })
        .collect()
}

/// A tie made among the documents of one `landplan check`.
#[derive(Debug, Clone, Serialize)]
pub struct Tie {
    /// The plan they state.
    pub plan: Identity,
    /// The documents tied (paths as given), in the order given.
    pub documents: Vec<String>,
    /// How many indicators were compared (pairs of readings of one indicator in two files).
    pub compared: usize,
}

/// A document left out of the ties, and why (in Chinese).
#[derive(Debug, Clone, Serialize)]
pub struct Untied {
    /// The path as given.
    pub path: String,
    /// Why its identity could not be read.
    pub reason: String,
}

/// What the cross check did: the ties made and the documents left alone.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CrossSummary {
    /// Groups of documents of one plan, compared with each other.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ties: Vec<Tie>,
    /// Documents whose plan could not be identified (not compared).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub untied: Vec<Untied>,
    /// Documents compared with a ledger or a stored version: (path, what, indicators compared).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub against: Vec<Against>,
}

/// A document compared with the ledger or stored version it came from.
#[derive(Debug, Clone, Serialize)]
pub struct Against {
    /// The document.
    pub path: String,
    /// The ledger or version ("台账 FILE", "数据库 第N版").
    pub source: String,
    /// How many indicators were compared.
    pub compared: usize,
}

/// Tie the readable documents of one check whose plans have the same identity and compare
/// them: each mismatch is added to the findings of the later document. Documents whose
/// identity cannot be read are listed as untied (when there is more than one document).
pub fn tie(rules: &RuleContext, reports: &mut [DocumentReport]) -> CrossSummary {
    tie_texts(rules, reports, &[])
}

/// [`tie`], with the text each document was read as (`texts[i]` for `reports[i]`; fewer texts
/// than reports are allowed): places are then named by the 附表 they are in.
pub fn tie_texts(
    rules: &RuleContext,
    reports: &mut [DocumentReport],
    texts: &[String],
) -> CrossSummary {
    let mut summary = CrossSummary::default();
    // Groups in the order of their first document.
    let mut groups: Vec<(Identity, Vec<usize>)> = Vec::new();
    let readable = reports.iter().filter(|r| r.readable).count();
    for (i, r) in reports.iter().enumerate() {
        if !r.readable {
            continue;
        }
        match identity(&r.plan) {
            Ok(id) => match groups.iter_mut().find(|(g, _)| same_plan(g, &id)) {
                Some((_, members)) => members.push(i),
                None => groups.push((id, vec![i])),
            },
            Err(reason) if readable > 1 => summary.untied.push(Untied {
                path: r.path.clone(),
                reason,
            }),
            Err(_) => {}
        }
    }
    for (plan, members) in groups {
        if members.len() < 2 {
            continue;
        }
        let sides: Vec<Side> = members
            .iter()
            .map(|&i| match texts.get(i) {
                Some(t) => Side::of_document_text(&reports[i], t),
                None => Side::of_document(&reports[i]),
            })
            .collect();
        let (found, compared) = compare_group(rules, &sides);
        for (k, findings) in found.into_iter().enumerate() {
            reports[members[k]].findings.extend(findings);
        }
        summary.ties.push(Tie {
            plan,
            documents: members.iter().map(|&i| reports[i].path.clone()).collect(),
            compared,
        });
    }
    summary
}

/// Two identities name one plan: same year and kind, and the same region — also when one
/// title names it with its prefecture before it ("示例市示例县" and "示例县").
fn same_plan(a: &Identity, b: &Identity) -> bool {
    if a.year != b.year || a.kind != b.kind {
        return false;
    }
    if a.region == b.region {
        return true;
    }
    let (short, long) = if a.region.chars().count() <= b.region.chars().count() {
        (&a.region, &b.region)
    } else {
        (&b.region, &a.region)
    };
    short.chars().count() >= 2
        && long.ends_with(short.as_str())
        && ["县", "市", "区", "旗"].iter().any(|e| short.ends_with(e))
        && ["省", "市", "州", "盟", "区"]
            .iter()
            .any(|e| long[..long.len() - short.len()].ends_with(e))
}

/// Compare a document with a reference (a ledger or a stored version): the findings, on the
/// document's side, and how many indicators were compared.
pub fn against(rules: &RuleContext, document: &Side, reference: &Side) -> (Vec<Finding>, usize) {
    let (mut found, compared) = compare_group(rules, &[reference.clone(), document.clone()]);
    (found.pop().unwrap_or_default(), compared)
}

/// Compare sides: for every indicator, the first side stating it is the reference, and every
/// later side stating it is compared with it. Returns the findings per side and the count of
/// comparisons.
fn compare_group(rules: &RuleContext, sides: &[Side]) -> (Vec<Vec<Finding>>, usize) {
    let mut out: Vec<Vec<Finding>> = vec![Vec::new(); sides.len()];
    let by_key: Vec<BTreeMap<&str, Vec<&Indicator>>> = sides
        .iter()
        .map(|s| {
            let mut m: BTreeMap<&str, Vec<&Indicator>> = BTreeMap::new();
            for ind in &s.indicators {
                m.entry(ind.key.as_str()).or_default().push(ind);
            }
            m
        })
        .collect();
    let mut compared = 0;
    let mut keys: Vec<&str> = by_key.iter().flat_map(|m| m.keys().copied()).collect();
    keys.sort_unstable();
    keys.dedup();
    for key in keys {
        let holders: Vec<usize> = (0..sides.len())
            .filter(|&s| by_key[s].contains_key(key))
            .collect();
        let Some((&r, rest)) = holders.split_first() else {
            continue;
        };
        let reference = &by_key[r][key];
        for &s in rest {
            compared += 1;
            let mine = &by_key[s][key];
            let mut seen: Vec<(&Indicator, &Indicator)> = Vec::new();
            // My readings no reading of the reference agrees with; then the reference's
            // readings none of mine agrees with.
            for (this, other) in unmatched(mine, reference)
                .into_iter()
                .chain(unmatched(reference, mine).into_iter().map(|(o, t)| (t, o)))
            {
                // One finding per pair of values, however often each is stated.
                if seen.iter().any(|(t, o)| agree(t, this) && agree(o, other)) {
                    continue;
                }
                seen.push((this, other));
                out[s].push(mismatch(
                    rules,
                    (&sides[s], this, distinct(mine)),
                    (&sides[r], other, distinct(reference)),
                ));
            }
        }
    }
    (out, compared)
}

/// The readings of `a` that no reading of `b` agrees with (the first of each distinct value),
/// each with the reading of `b` to name beside it (its first certain one, else its first).
fn unmatched<'a>(a: &[&'a Indicator], b: &[&'a Indicator]) -> Vec<(&'a Indicator, &'a Indicator)> {
    let Some(best) = b
        .iter()
        .find(|x| x.doubt.is_none())
        .or_else(|| b.first())
        .copied()
    else {
        return Vec::new();
    };
    let mut out: Vec<(&Indicator, &Indicator)> = Vec::new();
    for x in a {
        if b.iter().any(|y| agree(x, y)) {
            continue;
        }
        if out
            .iter()
            .any(|(o, _)| o.value == x.value && o.unit == x.unit)
        {
            continue;
        }
        out.push((x, best));
    }
    out
}

/// How many distinct values the readings of one indicator in one side have.
fn distinct(readings: &[&Indicator]) -> usize {
    let mut vals: Vec<&Indicator> = Vec::new();
    for r in readings {
        if !vals.iter().any(|v| agree(v, r)) {
            vals.push(r);
        }
    }
    vals.len()
}

/// True when two readings of one indicator agree at the precision both state: in one unit, the
/// finer rounded half up to the coarser's decimals equals the coarser; shares may differ by the
/// rounding of the two; in two units, the difference is within both half-units (converted).
pub fn agree(a: &Indicator, b: &Indicator) -> bool {
    match (a.unit, b.unit) {
        (None, None) => a.value == b.value,
        // Two shares stated at the same precision are the same share only when equal: one
        // exact share gives one figure under one rounding rule (a last-place difference is
        // reported, as a warning: `rounding_only`). At different precisions the two may differ
        // by the rounding of both.
        (Some(Unit::Percent), Some(Unit::Percent)) if a.value.scale() == b.value.scale() => {
            a.value == b.value
        }
        (Some(Unit::Percent), Some(Unit::Percent)) => rounding_only(a, b),
        (Some(x), Some(y)) if x == y => {
            let (coarse, fine) = if a.value.scale() <= b.value.scale() {
                (a.value, b.value)
            } else {
                (b.value, a.value)
            };
            round_half_up(fine, coarse.scale()) == coarse
        }
        (Some(x), Some(y)) => match crate::rules::ctx::factor(x, y) {
            Some(f) => {
                let diff = (a.value * f - b.value).abs();
                diff <= half(a.value) * f + half(b.value)
            }
            None => true,
        },
        _ => true,
    }
}

/// True when two shares differ by no more than the rounding of both (29.83 % and 29.82 %: the
/// same exact share rounded by two rules, e.g. half up and by largest remainder).
fn rounding_only(a: &Indicator, b: &Indicator) -> bool {
    a.unit == Some(Unit::Percent)
        && b.unit == Some(Unit::Percent)
        && (a.value - b.value).abs() <= half(a.value) + half(b.value)
}

/// Half a unit in the last stated place (none for an exact value at full precision).
fn half(v: Decimal) -> Decimal {
    if v.scale() >= 27 {
        Decimal::ZERO
    } else {
        half_ulp(v)
    }
}

/// A share computed exactly, kept at ten decimals (far finer than any document states).
fn exact_share(raw: Decimal) -> Decimal {
    round_half_up(raw, 10).normalize()
}

fn show(ind: &Indicator) -> String {
    match ind.unit {
        Some(u) => format!("{}{}", ind.value, u.label()),
        None => format!("{}宗", ind.value),
    }
}

/// Where a reading is, in words: "计划.docx 第12行", "台账 a.csv 第5行", "数据库 第2版".
fn whereabouts(side: &Side, ind: &Indicator) -> String {
    match (side.document, ind.place.line, ind.place.row) {
        (true, Some(l), _) => match side.annex_of(l) {
            Some(a) => format!("{} {a} 第{l}行", side.label),
            None => format!("{} 第{l}行", side.label),
        },
        (false, _, Some(r)) => format!("{} 第{r}行", side.label),
        _ => side.label.clone(),
    }
}

fn mismatch(
    rules: &RuleContext,
    (side, this, this_values): (&Side, &Indicator, usize),
    (other_side, other, other_values): (&Side, &Indicator, usize),
) -> Finding {
    let message = format!(
        "「{}」在 {}为{}，在 {}为{}，两者不一致",
        this.name,
        whereabouts(side, this),
        show(this),
        whereabouts(other_side, other),
        show(other),
    );
    let mut doubts: Vec<String> = Vec::new();
    for (s, ind, n) in [(side, this, this_values), (other_side, other, other_values)] {
        if let Some(d) = &ind.doubt {
            doubts.push(format!("{}：{d}", whereabouts(s, ind)));
        }
        if n > 1 {
            doubts.push(format!("{} 中该项有{n}个不同数值", s.label));
        }
    }
    if rounding_only(this, other) {
        doubts.push(
            "两个占比只差末位，可能是两份文件的舍入方法不同；同一计划应采用同一数值".to_string(),
        );
    }
    let mut f = rules.finding_with(RULE, message);
    if !doubts.is_empty() {
        f.severity = Severity::Warning;
        f.notes
            .push(format!("读法存疑，按警告处理：{}", doubts.join("；")));
    }
    f.expected = Some(show(other));
    f.found = Some(show(this));
    let mut here = this.place.clone();
    here.file.get_or_insert_with(|| side.label.clone());
    let mut there = other.place.clone();
    there.file.get_or_insert_with(|| other_side.label.clone());
    f.places = vec![here, there];
    f
}

// ---------------------------------------------------------------------------------------------
// What a figure is.

/// Kinds of housing, longest first (a label naming several names the longest).
const HOUSING: &[&str] = &[
    "保障性安居工程和中小套型商品住房",
    "配售型保障性住房",
    "保障性租赁住房",
    "公共租赁住房",
    "经济适用住房",
    "廉租住房",
    "保障性住房",
    "棚户区改造",
    "中小套型商品住房",
    "商品住房",
    "租赁住房",
];

/// Supply methods, the ways of 出让 before 出让 itself.
const METHODS: &[(&str, &str)] = &[
    ("招标出让", "招标出让"),
    ("拍卖出让", "拍卖出让"),
    ("挂牌出让", "挂牌出让"),
    ("协议出让", "协议出让"),
    ("划拨", "划拨"),
    ("作价出资", "作价出资"),
    ("作价入股", "作价出资"),
    ("租赁方式", "租赁"),
    ("出让方式", "出让"),
];

/// Reserve methods (储备方式).
const RESERVE_METHODS: &[&str] = &["收购", "收回", "征收", "置换", "划转"];

const QUARTERS: &[(&str, u8)] = &[
    ("第一季度", 1),
    ("第二季度", 2),
    ("第三季度", 3),
    ("第四季度", 4),
    ("一季度", 1),
    ("二季度", 2),
    ("三季度", 3),
    ("四季度", 4),
];

/// Place-name endings (a table row naming a township or district).
const PLACE_ENDS: &[&str] = &[
    "街道",
    "开发区",
    "新区",
    "园区",
    "工业区",
    "片区",
    "镇",
    "乡",
    "区",
];

/// Words that make a figure something else than the plan's (history, a cumulative figure,
/// a rate): not compared.
const NOT_COMPARED: &[&str] = &["累计", "上年", "同比", "增长", "减少", "年均", "去年"];

/// Headers of a column of areas (the row's own figure).
const AREA_HEADERS: &[&str] = &["面积", "公顷", "亩", "规模", "供应", "储备", "数量"];

/// Words of a whole (a 合计 row or column).
const TOTAL_WORDS: &[&str] = &["合计", "总计", "总量", "总面积"];

/// Labels as written and as another format writes them: 与 and 和 join the same names,
/// brackets and spaces are layout.
fn clean(label: &str) -> String {
    landplan_core::text::normalize(label)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c == '与' { '和' } else { c })
        .collect()
}

/// What a label names: (key, Chinese name).
fn concept(label: &str) -> Option<(String, String)> {
    let l = clean(label);
    if l.is_empty() || NOT_COMPARED.iter().any(|w| l.contains(w)) {
        return None;
    }
    if let Some(h) = HOUSING.iter().find(|h| l.contains(*h)) {
        return Some((format!("housing:{h}"), h.to_string()));
    }
    if let Some((_, m)) = METHODS.iter().find(|(w, _)| l.contains(w)) {
        return Some((format!("method:{m}"), format!("{m}方式")));
    }
    if l == "租赁" || l == "出让" || l == "划拨" || l.starts_with("作价出资") {
        let m = if l.starts_with("作价出资") {
            "作价出资"
        } else {
            l.as_str()
        };
        return Some((format!("method:{m}"), format!("{m}方式")));
    }
    if let Some(m) = RESERVE_METHODS
        .iter()
        .find(|m| l == **m || l.ends_with(&format!("{m}储备")) || l == format!("{m}土地"))
    {
        return Some((format!("reserve_method:{m}"), format!("{m}储备")));
    }
    if let Some((_, q)) = QUARTERS.iter().find(|(w, _)| l.contains(w)) {
        return Some((format!("quarter:{q}"), format!("第{q}季度")));
    }
    let new = l.contains("新增");
    let stock = l.contains("存量");
    if new != stock {
        return Some(if new {
            ("new".to_string(), "新增建设用地".to_string())
        } else {
            ("stock".to_string(), "存量建设用地".to_string())
        });
    }
    if let Some((key, named)) = class_match(&landplan_core::text::normalize(label.trim())) {
        return Some((format!("class:{key}"), named));
    }
    place(&l).map(|p| (format!("place:{p}"), p))
}

/// A label that is only a place name ("城关镇", "示例经济开发区", "南湖街道土地供应量").
fn place(l: &str) -> Option<String> {
    let mut name = l.to_string();
    for tail in [
        "土地供应量",
        "供应量",
        "供应面积",
        "储备规模",
        "面积",
        "规模",
    ] {
        if let Some(s) = name.strip_suffix(tail) {
            name = s.to_string();
        }
    }
    let n = name.chars().count();
    if !(2..=12).contains(&n)
        || name.contains(['、', ',', '，', '。', '(', ')'])
        || TOTAL_WORDS.iter().any(|w| name.contains(w))
    {
        return None;
    }
    PLACE_ENDS.iter().any(|e| name.ends_with(e)).then_some(name)
}

fn is_total_word(l: &str) -> bool {
    let l = clean(l);
    TOTAL_WORDS.iter().any(|w| l == *w || l.starts_with(w))
}

/// A header that says the column holds shares.
fn share_header(h: &str) -> bool {
    h.contains('占') || h.contains("比例") || h.contains("比重") || h.contains('%')
}

/// The whole a share is of, from the words around it ("占住宅用地比例" → 住宅用地).
fn share_whole(words: &str) -> &'static str {
    if clean(words).contains("占住宅") {
        "住宅用地"
    } else {
        "总量"
    }
}

fn join(outer: &(String, String), inner: &(String, String)) -> (String, String) {
    (
        format!("{}/{}", outer.0, inner.0),
        format!("{} {}", outer.1, inner.1),
    )
}

/// What a table cell is, from its row label and its column header.
fn cell_concept(q: &Quantity, header: &str) -> Option<(String, String)> {
    let h = clean(header);
    if NOT_COMPARED.iter().any(|w| h.contains(w)) {
        return None;
    }
    if q.unit == Unit::Percent || share_header(&h) {
        if q.unit != Unit::Percent || is_total_word(&q.label) {
            return None;
        }
        let row = concept(&q.label)?;
        let whole = share_whole(&h);
        return Some(share_of(whole, &row));
    }
    let row_total = is_total_word(&q.label);
    let row = if row_total { None } else { concept(&q.label) };
    let col = if is_total_word(&h) {
        None
    } else {
        concept(&h).filter(|(k, _)| !k.starts_with("place:"))
    };
    // A column the row's figure fills: its area (面积, 供应面积, 合计 …), not some other
    // matter the header names.
    let area_column = col.is_none()
        && (h.is_empty() || is_total_word(&h) || AREA_HEADERS.iter().any(|w| h.contains(w)));
    match (row, col) {
        (Some(r), None) if area_column => Some(r),
        (None, Some(c)) if row_total => Some(c),
        (Some(r), Some(c)) => {
            let r_place = r.0.starts_with("place:");
            let r_class = r.0.starts_with("class:");
            let c_class = c.0.starts_with("class:");
            let c_part = c.0 == "new" || c.0 == "stock";
            if (r_place && (c_class || c_part)) || (r_class && c_part) {
                Some(join(&r, &c))
            } else {
                None
            }
        }
        _ => None,
    }
}

fn share_of(whole: &str, part: &(String, String)) -> (String, String) {
    (
        format!("share:{whole}:{}", part.0),
        format!("{}占{whole}的比例", part.1),
    )
}

/// The place of a figure in a document.
fn place_of(path: &str, q: &Quantity) -> Place {
    Place {
        file: Some(path.to_string()),
        line: Some(q.place.line),
        column: Some(q.place.column),
        span: Some(q.place.span),
        text: Some(q.place.text.clone()),
        ..Place::default()
    }
}

/// Every indicator a checked document states.
pub fn document_indicators(report: &DocumentReport) -> Vec<Indicator> {
    if !report.readable {
        return Vec::new();
    }
    let m = &report.plan;
    let n = m.quantities.len();
    // Why each figure's reading may be wrong: None = certain (in a certain tie, or the total).
    let mut doubt: Vec<Option<String>> =
        vec![
            Some("该数字不在任何确定的关联中（带合计的表格、“其中”分项等）".to_string());
            n
        ];
    let mut certain = vec![false; n];
    for b in &m.breakdowns {
        let idx = std::iter::once(b.whole).chain(b.parts.iter().map(|p| p.quantity));
        for i in idx.filter(|&i| i < n) {
            if b.evidence.is_certain() {
                certain[i] = true;
                doubt[i] = None;
            } else if !certain[i] {
                doubt[i] = Some(format!("关联存疑：{}", b.evidence.doubts.join("；")));
            }
        }
    }
    if let Some(t) = m.total.filter(|&t| t < n) {
        doubt[t] = None;
    }
    let mut skip = vec![false; n];
    for &i in &m.excluded {
        if i < n {
            skip[i] = true;
        }
    }
    for &(_, second) in &m.unit_pairs {
        if second < n {
            skip[second] = true;
        }
    }
    let mut known: HashMap<usize, (String, String)> = HashMap::new();
    if let Some(t) = m.total {
        known.insert(t, ("total".to_string(), "计划总量".to_string()));
    }
    // Townships of the layout, with their class parts.
    for t in &m.layout {
        let p = (format!("place:{}", t.name), t.name.clone());
        if let Some(i) = t.total {
            known.entry(i).or_insert_with(|| p.clone());
        }
        for part in &t.parts {
            if let Some(c) = concept(&part.label) {
                known.entry(part.quantity).or_insert_with(|| join(&p, &c));
            }
        }
    }
    // Shares stated after a part in prose: share of the part's whole.
    let mut share_key: HashMap<usize, (String, String)> = HashMap::new();
    for b in &m.breakdowns {
        let whole = if Some(b.whole) == m.total {
            "总量"
        } else {
            match m.quantities.get(b.whole).and_then(|q| concept(&q.label)) {
                Some((k, _)) if k == "class:gb21010:07" => "住宅用地",
                _ => continue,
            }
        };
        for p in &b.parts {
            let (Some(s), Some(q)) = (p.share, m.quantities.get(p.quantity)) else {
                continue;
            };
            let part = known
                .get(&p.quantity)
                .cloned()
                .or_else(|| concept(&q.label));
            if let (Some(part), Some(sq)) = (part, m.quantities.get(s)) {
                let whole = if clean(&sq.label).contains("占住宅") {
                    "住宅用地"
                } else {
                    whole
                };
                share_key.entry(s).or_insert_with(|| share_of(whole, &part));
            }
        }
    }
    let parcel_areas: HashMap<usize, &str> = m
        .parcels
        .iter()
        .filter_map(|p| p.area.map(|a| (a, p.id.as_str())))
        .collect();
    let mut out = Vec::new();
    for (i, q) in m.quantities.iter().enumerate() {
        if skip[i] || q.high.is_some() || matches!(q.unit, Unit::Money(_)) {
            continue;
        }
        let what = if let Some(id) = parcel_areas.get(&i) {
            Some((format!("parcel:{id}"), format!("地块{id}面积")))
        } else if let Some(k) = known.get(&i) {
            Some(k.clone())
        } else if let Some(k) = share_key.get(&i) {
            Some(k.clone())
        } else if let Some(h) = &q.header {
            cell_concept(q, h)
        } else if q.unit == Unit::Percent {
            None
        } else {
            concept(&q.label)
        };
        let Some((key, name)) = what else {
            continue;
        };
        let mut d = doubt[i].clone();
        if parcel_areas.contains_key(&i) {
            d = None;
        }
        if q.is_approximate() {
            d = Some("文中为约数".to_string());
        }
        out.push(Indicator {
            key,
            name,
            value: q.value,
            unit: Some(q.unit),
            place: place_of(&report.path, q),
            doubt: d,
        });
    }
    if !m.parcels.is_empty() {
        let first = &m.parcels[0];
        out.push(Indicator {
            key: "parcel_count".to_string(),
            name: "地块清单宗数".to_string(),
            value: Decimal::from(m.parcels.len()),
            unit: None,
            place: Place {
                file: Some(report.path.clone()),
                line: Some(first.line),
                column: Some(1),
                text: Some(first.id.clone()),
                ..Place::default()
            },
            doubt: None,
        });
    }
    out
}

/// Every indicator a compiled plan (a ledger compiled in memory, or a stored version) states,
/// at full precision. `place` names the source (its `file`); parcels add their ledger row.
pub fn plan_indicators(plan: &CompiledPlan, place: &Place) -> Vec<Indicator> {
    use landplan_core::parcel::SupplyMethod;
    let ha = Some(Unit::Area(landplan_core::AreaUnit::Hectare));
    let pct = Some(Unit::Percent);
    let mut out: Vec<Indicator> = Vec::new();
    let mut push = |key: String, name: String, value: Decimal, unit: Option<Unit>, at: Place| {
        out.push(Indicator {
            key,
            name,
            value,
            unit,
            place: at,
            doubt: None,
        });
    };
    let at = || place.clone();
    push("total".into(), "计划总量".into(), plan.total.0, ha, at());
    if !plan.new.0.is_zero() || !plan.stock.0.is_zero() {
        push("new".into(), "新增建设用地".into(), plan.new.0, ha, at());
        push(
            "stock".into(),
            "存量建设用地".into(),
            plan.stock.0,
            ha,
            at(),
        );
    }
    for c in &plan.structure {
        let Some(k) = concept(&c.name) else { continue };
        push(k.0.clone(), k.1.clone(), c.area.0, ha, at());
        let s = share_of("总量", &k);
        push(s.0, s.1, exact_share(c.share.raw), pct, at());
        for (part, v) in [("new", c.new.0), ("stock", c.stock.0)] {
            let p = concept(if part == "new" { "新增" } else { "存量" }).unwrap_or_default();
            let j = join(&k, &p);
            push(j.0, j.1, v, ha, at());
        }
    }
    for t in &plan.layout {
        let p = (format!("place:{}", t.name), t.name.clone());
        push(p.0.clone(), p.1.clone(), t.area.0, ha, at());
        let s = share_of("总量", &p);
        push(s.0, s.1, exact_share(t.share.raw), pct, at());
        for c in &t.classes {
            if let Some(k) = concept(&c.name) {
                let j = join(&p, &k);
                push(j.0, j.1, c.area.0, ha, at());
            }
        }
    }
    if let Some(s) = plan.supply() {
        for h in &s.housing {
            if let Some(k) = concept(h.kind.label()) {
                push(k.0.clone(), k.1.clone(), h.area.0, ha, at());
                let sh = share_of("住宅用地", &k);
                push(sh.0, sh.1, exact_share(h.share.raw), pct, at());
            }
        }
        for q in &s.timing {
            let k = (
                format!("quarter:{}", q.quarter),
                format!("第{}季度", q.quarter),
            );
            push(k.0.clone(), k.1.clone(), q.area.0, ha, at());
            let sh = share_of("总量", &k);
            push(sh.0, sh.1, exact_share(q.share.raw), pct, at());
        }
        let mut sale = Decimal::ZERO;
        let mut any_sale = false;
        for m in &s.methods {
            let is_sale = matches!(
                m.method,
                Some(
                    SupplyMethod::Tender
                        | SupplyMethod::Auction
                        | SupplyMethod::Listing
                        | SupplyMethod::Agreement
                        | SupplyMethod::Sale
                )
            );
            if is_sale {
                sale += m.area.0;
                any_sale = true;
            }
            if m.method == Some(SupplyMethod::Sale) {
                continue;
            }
            if let Some(k) = concept(&m.name) {
                push(k.0.clone(), k.1.clone(), m.area.0, ha, at());
                let sh = share_of("总量", &k);
                push(sh.0, sh.1, exact_share(m.share.raw), pct, at());
            }
        }
        if any_sale {
            push("method:出让".into(), "出让方式".into(), sale, ha, at());
        }
    }
    for p in &plan.parcels {
        let mut at_row = place.clone();
        at_row.row = Some(p.row);
        push(
            format!("parcel:{}", p.id),
            format!("地块{}面积", p.id),
            p.area().0,
            ha,
            at_row,
        );
    }
    if !plan.parcels.is_empty() || plan.parcel_count > 0 {
        push(
            "parcel_count".into(),
            "地块清单宗数".into(),
            Decimal::from(plan.parcel_count),
            None,
            at(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check_text;

    fn ind(value: &str, unit: Unit) -> Indicator {
        Indicator {
            key: "k".into(),
            name: "k".into(),
            value: value.parse().unwrap(),
            unit: Some(unit),
            place: Place::default(),
            doubt: None,
        }
    }

    #[test]
    fn precision_is_the_coarser_one() {
        let ha = Unit::Area(landplan_core::AreaUnit::Hectare);
        assert!(agree(&ind("218.08", ha), &ind("218.0843", ha)));
        assert!(agree(&ind("218.09", ha), &ind("218.085", ha)));
        assert!(!agree(&ind("218.08", ha), &ind("218.085", ha)));
        assert!(!agree(&ind("218.08", ha), &ind("235.06", ha)));
        // Shares at one precision agree only when equal; at two precisions they may differ
        // by the rounding of both.
        assert!(!agree(
            &ind("29.83", Unit::Percent),
            &ind("29.82", Unit::Percent)
        ));
        assert!(rounding_only(
            &ind("29.83", Unit::Percent),
            &ind("29.82", Unit::Percent)
        ));
        assert!(agree(
            &ind("29.8", Unit::Percent),
            &ind("29.83", Unit::Percent)
        ));
        assert!(agree(
            &ind("29.83", Unit::Percent),
            &ind("29.8250", Unit::Percent)
        ));
        assert!(!agree(
            &ind("29.83", Unit::Percent),
            &ind("29.81", Unit::Percent)
        ));
        // 公顷 against 亩: within both half-units.
        let mu = Unit::Area(landplan_core::AreaUnit::Mu);
        assert!(agree(&ind("10.00", ha), &ind("150.0", mu)));
        assert!(!agree(&ind("10.00", ha), &ind("151.0", mu)));
    }

    #[test]
    fn labels_name_the_same_indicator_in_every_format() {
        let k = |s: &str| concept(s).map(|c| c.0);
        assert_eq!(k("商品住房用地"), k("商品住房"));
        assert_eq!(
            k("保障性安居工程与中小套型商品住房用地占住宅用地的"),
            k("保障性安居工程和中小套型商品住房用地合计")
        );
        assert_eq!(k("示例县国有建设用地以划拨方式供应"), k("划拨"));
        assert_eq!(k("以租赁方式供应"), k("租赁"));
        assert_eq!(k("第四季度计划供应"), Some("quarter:4".into()));
        assert_eq!(k("新增建设用地"), Some("new".into()));
        assert_eq!(k("城关镇"), Some("place:城关镇".into()));
        assert_eq!(k("累计供应"), None);
        assert!(k("住宅用地").unwrap().starts_with("class:"));
    }

    #[test]
    fn identity_from_the_title() {
        let r = check_text(
            "a.txt",
            "示例县2025年度国有建设用地供应计划\n\n供应总量为100.00公顷。\n",
        );
        let id = identity(&r.plan).unwrap();
        assert_eq!(
            (id.region.as_str(), id.year, id.kind),
            ("示例县", 2025, "supply")
        );
        let r = check_text("b.txt", "供应总量为100.00公顷。\n");
        assert!(identity(&r.plan).is_err());
    }

    #[test]
    fn a_place_is_named_by_its_annex() {
        let text = "附表1\n某县2025年度国有建设用地供应计划表\n商服用地\t1.00\n\n附表 2\n某表\n住宅\t2.00\n附表说明见后\n";
        assert_eq!(
            annex_lines(text),
            [(1, "附表1".to_string()), (5, "附表2".to_string())]
        );
        let side = Side {
            label: "附表.xlsx".into(),
            document: true,
            indicators: Vec::new(),
            annexes: annex_lines(text),
        };
        let at = |line| Indicator {
            key: "k".into(),
            name: "k".into(),
            value: Decimal::ONE,
            unit: None,
            place: Place {
                line: Some(line),
                ..Place::default()
            },
            doubt: None,
        };
        assert_eq!(whereabouts(&side, &at(3)), "附表.xlsx 附表1 第3行");
        assert_eq!(whereabouts(&side, &at(7)), "附表.xlsx 附表2 第7行");
    }

    #[test]
    fn a_region_named_with_its_prefecture_is_the_same_plan() {
        let id = |r: &str| Identity {
            region: r.to_string(),
            year: 2025,
            kind: "supply",
        };
        assert!(same_plan(&id("示例县"), &id("示例市示例县")));
        assert!(same_plan(&id("喀什地区巴楚县"), &id("巴楚县")));
        assert!(!same_plan(&id("示例县"), &id("另一县")));
        // Not a region that merely ends the same way.
        assert!(!same_plan(&id("东县"), &id("河东县")));
        let mut other_year = id("示例县");
        other_year.year = 2026;
        assert!(!same_plan(&id("示例县"), &other_year));
    }

    #[test]
    fn a_share_one_place_apart_is_a_warning_naming_the_rounding() {
        // Issue 13's example: the fourth quarter 29.83 % in one file, 29.82 % in the other.
        let a = "示例县2025年度国有建设用地供应计划\n\n全县国有建设用地供应总量为100.00公顷。按季度分，第一季度20.00公顷，占20.00%；第二季度25.00公顷，占25.00%；第三季度25.17公顷，占25.17%；第四季度29.83公顷，占29.83%。\n";
        let b = a.replace("占29.83%", "占29.82%");
        let mut reports = vec![check_text("正文.txt", a), check_text("附表.txt", &b)];
        tie(&RuleContext::builtin(), &mut reports);
        let cross: Vec<&Finding> = reports[1]
            .findings
            .iter()
            .filter(|f| f.rule == RULE)
            .collect();
        assert_eq!(cross.len(), 1, "{cross:#?}");
        assert_eq!(cross[0].severity, Severity::Warning);
        assert!(cross[0].message.contains("29.82%") && cross[0].message.contains("29.83%"));
        assert!(cross[0].notes.iter().any(|n| n.contains("舍入方法")));
        // The same share: nothing.
        let mut reports = vec![check_text("正文.txt", a), check_text("附表.txt", a)];
        tie(&RuleContext::builtin(), &mut reports);
        assert!(reports
            .iter()
            .flat_map(|r| &r.findings)
            .all(|f| f.rule != RULE));
    }

    #[test]
    fn two_texts_of_one_plan_disagreeing_on_a_class() {
        let a = "示例县2025年度国有建设用地供应计划\n\n全县国有建设用地供应总量为100.00公顷，其中商服用地40.00公顷，住宅用地60.00公顷。\n";
        let b = "示例县2025年度国有建设用地供应计划表\n\n用地类型\t面积（公顷）\n商服用地\t40.00\n住宅用地\t61.00\n合计\t101.00\n";
        let mut reports = vec![check_text("正文.txt", a), check_text("附表.txt", b)];
        let summary = tie(&RuleContext::builtin(), &mut reports);
        assert_eq!(summary.ties.len(), 1);
        let cross: Vec<&Finding> = reports[1]
            .findings
            .iter()
            .filter(|f| f.rule == RULE)
            .collect();
        assert!(reports[0].findings.iter().all(|f| f.rule != RULE));
        let msgs: Vec<&str> = cross.iter().map(|f| f.message.as_str()).collect();
        assert!(
            msgs.iter().any(|m| m.contains("住宅用地")
                && m.contains("61.00公顷")
                && m.contains("60.00公顷")
                && m.contains("正文.txt")
                && m.contains("附表.txt")),
            "{msgs:#?}"
        );
        // A different year: not tied.
        let c = b.replace("2025", "2026");
        let mut reports = vec![check_text("正文.txt", a), check_text("附表.txt", &c)];
        let summary = tie(&RuleContext::builtin(), &mut reports);
        assert!(summary.ties.is_empty());
        assert!(reports[1].findings.iter().all(|f| f.rule != RULE));
    }
}
