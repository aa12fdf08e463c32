//! The plan model: what a document states and how its figures are tied together.
//!
//! Read from the lexed text by general rules (no document-specific patterns):
//! - **title, kind, region, year, period**: the title is the first lines up to one naming a
//!   计划/规划/报告/方案; kind from its words (储备, 供应, 住房/住宅用地, 执行/实施情况, 调整);
//!   region is the title's prefix before the year; the period from 计划期限/规划期/“十四五”.
//! - **items**: every area figure that is not a restatement in another unit and not outside
//!   the plan (浮动, 上年/去年/同比, 增长/减少, 年均/平均, 容积率, 地价, past periods). Its label
//!   says what it is: a land class (resolved with the classification tables, groups such as
//!   其他用地 included), a township (镇, 乡, 街道, 园区 …, in a 布局 section), a 新增/存量 part, a
//!   housing sub-item, or a whole (总量, 规模, 合计 …).
//! - **breakdowns**: a whole and its parts: parts after 其中/包括 in the same sentence; class
//!   parts in a paragraph that speaks of the 总量 (the plan total); townships with their own
//!   totals and class parts; table rows against the 合计 row; parcels against the plan total.
//! - **unit pairs**: a figure followed by the same quantity in another unit in brackets.
//! - **shares**: a percentage right after a part (占比, 占…的).

use crate::lex::{clean_label, Lexed, Qualifier, Quantity, Unit, YearMention};
use landplan_core::class::Resolution;
use landplan_core::{Classifier, Scheme};
use serde::Serialize;

/// The kind of document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    /// 国有建设用地供应计划.
    Supply,
    /// 土地储备计划.
    Reserve,
    /// 住房用地供应计划.
    HousingLand,
    /// 执行情况 / 实施情况 report.
    ExecutionReport,
    /// 计划调整.
    Adjustment,
    /// Anything else (a five-year plan, a notice).
    #[default]
    Other,
}

impl DocKind {
    /// The kind in Chinese.
    pub fn label(self) -> &'static str {
        match self {
            DocKind::Supply => "供应计划",
            DocKind::Reserve => "储备计划",
            DocKind::HousingLand => "住房用地供应计划",
            DocKind::ExecutionReport => "执行情况报告",
            DocKind::Adjustment => "计划调整",
            DocKind::Other => "其他文件",
        }
    }
}

/// A part of a whole: a class, township, sub-item or parcel figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Part {
    /// The label as written (cleaned).
    pub label: String,
    /// The class code when the label names a land class (`gb21010:06`, `group:other` …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class_code: Option<String>,
    /// Index of the figure in [`PlanModel::quantities`].
    pub quantity: usize,
    /// Index of its stated share (a % figure), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share: Option<usize>,
}

/// A township in the layout, with its total and class parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TownshipPart {
    /// The township's name.
    pub name: String,
    /// Index of its total.
    pub total: Option<usize>,
    /// Its class parts.
    pub parts: Vec<Part>,
}

/// A parcel in a parcel list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParcelEntry {
    /// 地块编号 as written.
    pub id: String,
    /// 坐落.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Index of its area figure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area: Option<usize>,
    /// The line (1-based).
    pub line: usize,
}

/// What a breakdown is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakdownKind {
    /// Class parts of a whole (结构).
    Structure,
    /// One township's class parts vs its total.
    Township,
    /// Township totals vs the plan total.
    TownshipTotals,
    /// One class summed across townships vs the structure's figure for it.
    ClassAcrossTownships,
    /// Sub-items of a part (住宅 → 保障性/商品 …), or items of an unnamed whole.
    SubItems,
    /// 新增 + 存量.
    NewStock,
    /// Table rows vs the 合计 row.
    Table,
    /// Parcel areas vs the plan scale.
    Parcels,
}

/// A whole and its parts, as the document ties them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Breakdown {
    /// What it is.
    pub kind: BreakdownKind,
    /// What the whole is, in Chinese (for messages).
    pub what: String,
    /// Index of the whole.
    pub whole: usize,
    /// The parts.
    pub parts: Vec<Part>,
    /// True when the parts are meant to add up to the whole; false when they may be a
    /// selection (then only parts exceeding the whole is a mismatch).
    pub complete: bool,
}

/// The plan as read from a document.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PlanModel {
    /// supply, reserve, housing_land, execution_report, adjustment, other.
    pub kind: DocKind,
    /// The title as read (lines joined).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The jurisdiction (巴楚县, 郑州市市本级 …).
    pub region: Option<String>,
    /// The plan year.
    pub year: Option<i32>,
    /// The period (start, end) as ISO dates or years.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<(String, String)>,
    /// Every stated figure.
    pub quantities: Vec<Quantity>,
    /// Index of the plan total (总量/规模).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<usize>,
    /// Class parts of the total.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub structure: Vec<Part>,
    /// Townships.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub layout: Vec<TownshipPart>,
    /// Parcels.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parcels: Vec<ParcelEntry>,
    /// Every breakdown found (structure, townships, sub-items, tables, parcels …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub breakdowns: Vec<Breakdown>,
    /// Figures stated in two units: (first, restatement).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unit_pairs: Vec<(usize, usize)>,
    /// Figures outside any breakdown (浮动, 上年, 年均 …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub excluded: Vec<usize>,
    /// Line of the title (for period findings).
    #[serde(skip)]
    pub title_line: Option<usize>,
    /// Place of the period statement: (line, char start, char end).
    #[serde(skip)]
    pub period_place: Option<(usize, usize, usize)>,
    /// Year mentions in the text.
    #[serde(skip)]
    pub years: Vec<YearMention>,
}

/// Label words that put a figure outside the plan's breakdowns.
const EXCLUDE: &[&str] = &[
    "浮动",
    "上年",
    "去年",
    "上一年",
    "比上年",
    "同比",
    "环比",
    "增长",
    "增加",
    "减少",
    "下降",
    "年均",
    "平均",
    "容积率",
    "地价",
    "价格",
    "单价",
    "楼面",
    "起始价",
    "底价",
    "累计",
    "历年",
    "前三年",
    "近三年",
    "近五年",
    "以往",
    // The plan before an adjustment ("原计划供应总量300公顷"): not this plan's figures.
    "原计划",
    "原供应",
    "原储备",
    "调整前",
];

/// Words naming a class or housing type: a 规模 of one class is not the plan total.
const CLASS_WORDS: &[&str] = &[
    "住宅",
    "商服",
    "商业",
    "工矿",
    "工业",
    "仓储",
    "公共管理",
    "交通",
    "水域",
    "特殊",
    "保障",
    "商品",
    "租赁",
    "棚户",
    "新增",
    "存量",
];

/// Words that make a sentence about a past year a statement of history.
/// Headings of sections about the past, whose figures are history in a plan.
const HISTORY_HEADINGS: &[&str] = &[
    "执行情况",
    "完成情况",
    "实施情况",
    "执行评价",
    "实施评价",
    "回顾",
    "总结",
];

const HISTORY_WORDS: &[&str] = &[
    "情况",
    "实际",
    "完成",
    "已",
    "上年",
    "去年",
    "累计",
    "共供应",
    "供应了",
    "实现",
];

/// Label words that make a figure a whole.
const TOTAL_WORDS: &[&str] = &[
    "实际供应",
    "完成供应",
    "已供应",
    "实际储备",
    "已收储",
    "实际收储",
    "调整后",
    "总量",
    "总规模",
    "储备规模",
    "供应规模",
    "总面积",
    "合计",
    "总计",
    "计划储备",
    "计划供应",
    "供应量",
    "储备量",
    "规模",
    "拟供应",
    "拟储备",
    "计划收储",
    "收储规模",
    "供应面积",
];

const HOUSING_WORDS: &[&str] = &[
    "保障性",
    "棚户区",
    "棚改",
    "商品住房",
    "商品房",
    "租赁住房",
    "廉租",
    "经济适用",
    "公共租赁",
    "安置房",
    "中小套型",
    "共有产权",
    "人才住房",
    "公租房",
];

const PLACE_SUFFIXES: &[&str] = &[
    "街道办事处",
    "街道",
    "开发区",
    "新区",
    "园区",
    "工业区",
    "办事处",
    "片区",
    "管委会",
    "镇",
    "乡",
    "区",
    "场",
    "县",
    "市",
    "旗",
];

#[derive(Debug, Clone, PartialEq, Eq)]
enum ItemKind {
    Class(String),
    Township(String),
    NewStock,
    /// 划拨 / 出让 / 租赁 (true: a kind of 出让 such as 招拍挂, 协议).
    Method(bool),
    /// 第一季度, 上半年 …
    Timing,
    Housing,
    Total,
    Other,
}

/// The class key for a label: the longest suffix that names a class or group.
pub fn class_key(label: &str) -> Option<String> {
    class_match(label).map(|(k, _)| k)
}

/// Words after a class name that do not change what it names: "住宅用地供应面积为…",
/// "工业用地计划供应…", "商服用地的面积" all speak of the class.
const CLASS_TAILS: &[&str] = &[
    "计划供应面积",
    "拟供应面积",
    "供应面积",
    "供地面积",
    "计划供应",
    "拟供应",
    "供应规模",
    "供应量",
    "供应",
    "供地",
    "计划安排",
    "安排",
    "储备规模",
    "储备面积",
    "储备",
    "收储",
    "面积",
    "规模",
    "计划",
    "的",
];

/// The class key and the words that named it (the longest suffix of the label that resolves,
/// after dropping trailing words such as 供应面积).
pub fn class_match(label: &str) -> Option<(String, String)> {
    let mut label = label.trim();
    loop {
        if let Some(found) = class_suffix(label) {
            return Some(found);
        }
        let tail = CLASS_TAILS.iter().find(|t| label.ends_with(*t))?;
        label = label[..label.len() - tail.len()].trim_end();
    }
}

fn class_suffix(label: &str) -> Option<(String, String)> {
    let c: Vec<char> = label.chars().collect();
    let cls = Classifier::builtin();
    for i in 0..c.len().saturating_sub(1) {
        let suffix: String = c[i..].iter().collect();
        match cls.resolve(&suffix, Scheme::Gb21010) {
            Resolution::Class(r) => {
                let key = match (&r.gb21010, &r.ydyh2023) {
                    (Some(g), _) => format!("gb21010:{g}"),
                    (None, Some(y)) => format!("ydyh2023:{y}"),
                    _ => format!("name:{suffix}"),
                };
                return Some((key, suffix));
            }
            Resolution::Group { group, .. } => return Some((format!("group:{group}"), suffix)),
            Resolution::Unknown => {}
        }
    }
    None
}

/// True when some class name in `text` spans character position `at` (so a connective there,
/// as in 公共管理与公共服务用地, is part of the name, not a list separator).
fn inside_class_name(text: &[char], at: usize) -> bool {
    let cls = Classifier::builtin();
    (0..at).any(|a| {
        (at + 1..=text.len()).any(|b| {
            let s: String = text[a..b].iter().collect();
            !matches!(cls.resolve(&s, Scheme::Gb21010), Resolution::Unknown)
        })
    })
}

/// Split the names before 分别 into `n` names: at every 、, then at the last connectives
/// (以及, 和, 及, 与) that are not inside a class name. A shared 用地 is restored
/// ("商服、住宅用地" → 商服用地, 住宅用地). None when they cannot be split into `n` names.
fn split_names(raw: &str, n: usize) -> Option<Vec<String>> {
    let text: Vec<char> = clean_label(raw).chars().collect();
    // Split points: (position, length of the separator), mandatory ones first.
    let mut cuts: Vec<(usize, usize)> = (0..text.len())
        .filter(|&i| text[i] == '、')
        .map(|i| (i, 1))
        .collect();
    let need = n.checked_sub(cuts.len() + 1)?;
    if need > 0 {
        let mut optional: Vec<(usize, usize)> = Vec::new();
        let mut i = 0;
        while i < text.len() {
            if text[i] == '以' && text.get(i + 1) == Some(&'及') {
                optional.push((i, 2));
                i += 2;
                continue;
            }
            if matches!(text[i], '和' | '及' | '与') && !inside_class_name(&text, i) {
                optional.push((i, 1));
            }
            i += 1;
        }
        if optional.len() < need {
            return None;
        }
        cuts.extend_from_slice(&optional[optional.len() - need..]);
        cuts.sort_unstable();
    }
    let mut names = Vec::with_capacity(n);
    let mut start = 0;
    for (at, len) in cuts.iter().copied().chain(std::iter::once((text.len(), 0))) {
        let name = clean_label(&text[start..at].iter().collect::<String>());
        if name.is_empty() {
            return None;
        }
        names.push(name);
        start = at + len;
    }
    // A name that is itself two class names joined by a connective means the names outnumber
    // the figures ("交通运输用地、水域用地和其他用地分别为12、8公顷"): no pairing.
    let is_name = |s: String| s.ends_with("用地") || class_key(&s).is_some();
    let joins_two = |name: &str| {
        let c: Vec<char> = name.chars().collect();
        (1..c.len().saturating_sub(1)).any(|i| {
            matches!(c[i], '和' | '及' | '与')
                && !inside_class_name(&c, i)
                && is_name(c[..i].iter().collect())
                && is_name(c[i + 1..].iter().collect())
        })
    };
    if names.iter().any(|nm| joins_two(nm)) {
        return None;
    }
    if names.last().is_some_and(|l| l.ends_with("用地")) {
        for name in names.iter_mut() {
            if !name.ends_with('地') && class_key(name).is_none() {
                let with = format!("{name}用地");
                if class_key(&with).is_some() {
                    *name = with;
                }
            }
        }
    }
    (names.len() == n).then_some(names)
}

/// Words after which a label no longer names a place (红旗乡|土地供应量为…).
const PLACE_STOPS: &[&str] = &[
    "土地", "供应", "计划", "用地", "储备", "面积", "规模", "合计", "小计", "拟", "共", "为", "的",
];

/// A place name at the start of a label (巴楚镇, 工业园区, 瑶安瑶族乡, 红旗乡).
///
/// The name runs up to the first word that cannot be part of it (土地, 供应, punctuation,
/// digits …); within that, the longest head ending in a place suffix wins, so 红旗乡 is not
/// cut at 旗 and 新市镇 not at 市.
fn place_name(label: &str) -> Option<String> {
    let c: Vec<char> = label.chars().collect();
    let mut end = c.len().min(14);
    for (i, ch) in c.iter().enumerate().take(end) {
        if ch.is_ascii_digit() || "（(：:，,、；;。 ".contains(*ch) {
            end = i;
            break;
        }
    }
    let rest: String = c[..end].iter().collect();
    for stop in PLACE_STOPS {
        if let Some(pos) = rest.find(stop) {
            end = end.min(rest[..pos].chars().count());
        }
    }
    let mut best = None;
    for j in 2..=end {
        let head: String = c[..j].iter().collect();
        if PLACE_SUFFIXES.iter().any(|s| head.ends_with(s)) {
            best = Some(head);
        }
    }
    best
}

fn contains_any(s: &str, words: &[&str]) -> bool {
    words.iter().any(|w| s.contains(w))
}

/// Is this line a heading ("一、…", "（三）…", "(2) …") and its text.
fn heading(norm: &str) -> Option<String> {
    let t = norm.trim();
    if t.is_empty() || t.chars().count() > 40 || t.contains('，') || t.contains(',') {
        return None;
    }
    let body = t.trim_end_matches(['。', '.']);
    if body.contains('。') {
        return None;
    }
    let c: Vec<char> = t.chars().collect();
    let cn = |ch: char| "一二三四五六七八九十".contains(ch);
    let ok = (c.len() > 2 && cn(c[0]) && (c[1] == '、' || (cn(c[1]) && c.get(2) == Some(&'、'))))
        || (c[0] == '(' && c.len() > 2 && (cn(c[1]) || c[1].is_ascii_digit()))
        // "第三章 计划指标", "第二节 …".
        || (c[0] == '第' && c.len() > 2 && c[1..].iter().take(4).any(|&x| matches!(x, '章' | '节' | '部')))
        // "3.供应结构": a short numbered line without figures.
        || (c[0].is_ascii_digit()
            && c.len() <= 20
            && c.iter().position(|&x| matches!(x, '.' | '、')).is_some_and(|p| p <= 2)
            && c.iter().filter(|x| x.is_ascii_digit()).count() <= 2);
    ok.then(|| t.to_string())
}

/// A heading that opens a paragraph ("（五）供应结构。商服用地…", "二、供应总量：全市…"): the
/// enumerated words up to the first 。 or ：, when they make a heading on their own.
fn inline_heading(norm: &[char]) -> Option<String> {
    let end = norm
        .iter()
        .take(24)
        .position(|&c| matches!(c, '。' | '：' | ':'))?;
    let head: String = norm[..end].iter().collect();
    // Only a heading about the plan's parts, so that "1.城关镇：供应…" stays a list item.
    let topics = [
        "总量", "规模", "结构", "布局", "时序", "方式", "用途", "来源", "资金", "安排", "住房",
        "执行", "情况", "分布",
    ];
    heading(&head).filter(|h| contains_any(h, &topics))
}

/// Build the model from a lexed document.
pub fn build(lx: &Lexed) -> PlanModel {
    // `on_line` relies on the lexer's text order.
    debug_assert!(lx
        .quantities
        .windows(2)
        .all(|w| w[0].place.line <= w[1].place.line));
    let mut m = PlanModel {
        quantities: lx.quantities.clone(),
        years: lx.years.clone(),
        ..PlanModel::default()
    };
    read_title(lx, &mut m);
    read_period(lx, &mut m);
    let n = m.quantities.len();

    // "分别" lists: each figure takes its name; figures whose names cannot be paired one to
    // one are kept out of the breakdowns rather than tied to the wrong part.
    let mut list_of: Vec<Option<(usize, usize)>> = vec![None; n];
    let mut unpaired = vec![false; n];
    for (li, l) in lx.lists.iter().enumerate() {
        let complete = l.figures.len() == l.len;
        let names = split_names(&l.names, l.len).filter(|_| complete);
        for (pos, &qi) in l.figures.iter().enumerate() {
            list_of[qi] = Some((li, pos));
            match &names {
                Some(names) => m.quantities[qi].label = names[pos].clone(),
                None => unpaired[qi] = l.unit != Unit::Percent,
            }
        }
    }

    // Headings in force for each line.
    let mut section = vec![String::new(); lx.lines.len() + 2];
    let mut top = String::new();
    let mut sub = String::new();
    for line in &lx.lines {
        if let Some(h) = heading(&line.norm_string()).or_else(|| inline_heading(&line.norm)) {
            let first = h.chars().next().unwrap_or(' ');
            if first == '(' {
                sub = h;
            } else {
                top = h;
                sub.clear();
            }
        }
        section[line.number] = format!("{top}|{sub}");
    }

    // Unit pairs: "47.58公顷（713.63亩）", "383.73公顷/5755.95亩".
    let mut secondary = vec![false; n];
    for i in 0..n.saturating_sub(1) {
        let (a, b) = (&m.quantities[i], &m.quantities[i + 1]);
        let same_kind = matches!(
            (a.unit, b.unit),
            (Unit::Area(_), Unit::Area(_)) | (Unit::Money(_), Unit::Money(_))
        );
        if a.place.line != b.place.line || !same_kind {
            continue;
        }
        if a.unit == b.unit {
            continue;
        }
        // A table row with the area in two units side by side ("公顷 | 亩" columns).
        if let (Some(ca), Some(cb)) = (a.cell, b.cell) {
            if cb == ca + 1 && a.area_unit().is_some() && b.area_unit().is_some() {
                secondary[i + 1] = true;
                m.unit_pairs.push((i, i + 1));
            }
            continue;
        }
        let line = &lx.lines[a.place.line - 1];
        let between = line.slice(a.chars.1, b.chars.0);
        let between = between.trim();
        let opens = restates(between);
        if opens {
            secondary[i + 1] = true;
            m.unit_pairs.push((i, i + 1));
        }
    }

    // Exclusions.
    let plan_year = m.year;
    let mut excluded = vec![false; n];
    for (i, q) in m.quantities.iter().enumerate() {
        // 上年度结转 in a reserve plan is part of this year's scale, not history.
        let mut out = contains_any(&q.label, EXCLUDE) && !carried_over(&q.label);
        // A past year stated earlier in the same sentence (2020-2024年…供应情况).
        if let Some(py) = plan_year {
            let line = &lx.lines[q.place.line - 1];
            let sent_start = line.norm[..q.chars.0]
                .iter()
                .rposition(|&c| c == '。')
                .map(|p| p + 1)
                .unwrap_or(0);
            // A past range ("2020-2024年…") always; a single past year only with words of
            // history (情况, 实际, 完成 …): "2024年度…供应总量为…" in a 2025 plan is a period
            // mistake to report, not history.
            // The whole sentence: "2025年度计划储备80公顷，实际储备72.5公顷，完成率…".
            let sent_end = line.norm[q.chars.1..]
                .iter()
                .position(|&c| c == '。')
                .map_or(line.norm.len(), |p| q.chars.1 + p);
            let sentence = line.slice(sent_start, sent_end);
            let history = contains_any(&sentence, HISTORY_WORDS);
            let past = lx.years.iter().any(|y| {
                y.line == q.place.line
                    && y.chars.0 >= sent_start
                    && y.chars.1 <= q.chars.0
                    && y.to.unwrap_or(y.year) < py
                    && (y.to.is_some() || history)
            });
            let current = lx.years.iter().any(|y| {
                y.line == q.place.line
                    && y.chars.0 >= sent_start
                    && y.chars.1 <= q.chars.0
                    && y.to.unwrap_or(y.year) >= py
            });
            if past && !current && m.kind != DocKind::ExecutionReport {
                out = true;
            }
        }
        // A section about last year's execution ("一、上年度计划执行情况") is history in a plan.
        if m.kind != DocKind::ExecutionReport
            && contains_any(&section[q.place.line], HISTORY_HEADINGS)
        {
            out = true;
        }
        excluded[i] = out || unpaired[i];
    }
    m.excluded = (0..n).filter(|&i| excluded[i]).collect();

    // Shares: a % right after a part, before the next area figure.
    let mut share_of: Vec<Option<usize>> = vec![None; n];
    for i in 0..n {
        let q = &m.quantities[i];
        if q.unit != Unit::Percent
            || excluded[i]
            || q.qualifiers
                .iter()
                .any(|k| matches!(k, Qualifier::AtLeast | Qualifier::Within | Qualifier::Range))
            || contains_any(
                &q.label,
                &["完成", "达到", "率", "增", "降", "减", "不低于", "不超过"],
            )
        {
            continue;
        }
        // A share in a "分别" list goes with the figure in the same place of the area list
        // before it on the line ("分别为10、20公顷，分别占33.33%、66.67%").
        if let Some((li, pos)) = list_of[i] {
            let areas = lx.lists[..li].iter().rev().find(|l| {
                l.line == q.place.line
                    && l.unit != Unit::Percent
                    && l.len == lx.lists[li].len
                    && l.figures.len() == l.len
            });
            if let Some(&j) = areas.and_then(|l| l.figures.get(pos)) {
                if !excluded[j] && share_of[j].is_none() && m.quantities[j].area_unit().is_some() {
                    share_of[j] = Some(i);
                }
            }
            continue;
        }
        // In a table row: the row's first area figure.
        if q.cell.is_some() {
            if let Some(j) = (0..i).find(|&j| {
                let p = &m.quantities[j];
                p.place.line == q.place.line && p.area_unit().is_some() && !excluded[j]
            }) {
                if share_of[j].is_none() {
                    share_of[j] = Some(i);
                }
            }
            continue;
        }
        // The nearest earlier primary area figure in the same sentence.
        let mut j = i;
        while j > 0 {
            j -= 1;
            let p = &m.quantities[j];
            if p.place.line != q.place.line {
                break;
            }
            if p.unit == Unit::Percent {
                break;
            }
            // A figure in brackets between the part and its share ("住宅用地120公顷（含保障性
            // 住房用地20公顷），占33.33%") is not the part.
            let line = &lx.lines[q.place.line - 1];
            let after = line.slice(p.chars.1, q.chars.0);
            let in_brackets = after.matches(')').count() > after.matches('(').count();
            if p.area_unit().is_some() && !secondary[j] && in_brackets {
                continue;
            }
            if p.area_unit().is_some() && !secondary[j] {
                if !excluded[j]
                    && share_of[j].is_none()
                    && (lx.lines[q.place.line - 1].is_row() || q.sentence == p.sentence)
                {
                    share_of[j] = Some(i);
                }
                break;
            }
        }
    }

    // Parcel lines.
    let parcel_table_total = read_parcels(lx, &mut m, &secondary, &section);
    let parcel_qs: std::collections::HashSet<usize> =
        m.parcels.iter().filter_map(|p| p.area).collect();

    // Items: primary area figures.
    let items: Vec<usize> = (0..n)
        .filter(|&i| {
            m.quantities[i].area_unit().is_some()
                && !secondary[i]
                && !excluded[i]
                && !parcel_qs.contains(&i)
        })
        .collect();
    let kinds: Vec<ItemKind> = items
        .iter()
        .map(|&i| {
            classify(
                &m.quantities[i],
                &section[m.quantities[i].place.line],
                &m.region,
                m.kind == DocKind::HousingLand,
            )
        })
        .collect();

    // The plan total: the first whole with a total word, not in a table; one that speaks of
    // supply or reserve (计划供应…总量) before a background figure (全县土地总面积).
    let total_like = |i: usize, k: &ItemKind| {
        *k == ItemKind::Total
            && m.quantities[i].cell.is_none()
            && contains_any(&m.quantities[i].label, TOTAL_WORDS)
            && (m.kind == DocKind::HousingLand
                || !contains_any(&m.quantities[i].label, CLASS_WORDS))
    };
    let of_the_plan = |i: usize| {
        contains_any(
            &m.quantities[i].label,
            &["供应", "储备", "收储", "供地", "出让", "计划"],
        )
    };
    m.total = items
        .iter()
        .zip(&kinds)
        .find(|(&i, k)| total_like(i, k) && of_the_plan(i))
        .or_else(|| items.iter().zip(&kinds).find(|(&i, k)| total_like(i, k)))
        .map(|(&i, _)| i);
    // Totals stated for one year ("2026年计划储备土地500公顷"): in a document covering several
    // years, a structure that names its year is tied to that year's total.
    let year_totals: Vec<(i32, usize)> = items
        .iter()
        .zip(&kinds)
        .filter(|(&i, k)| total_like(i, k))
        .filter_map(|(&i, _)| {
            let q = &m.quantities[i];
            let y = lx
                .years
                .iter()
                .rfind(|y| y.line == q.place.line && y.chars.1 <= q.chars.0)?;
            y.to.is_none().then_some((y.year, i))
        })
        .collect();

    let part = |m: &PlanModel, i: usize, key: Option<String>| Part {
        label: match key {
            Some(_) => class_match(&m.quantities[i].label)
                .map(|(_, s)| s)
                .unwrap_or_else(|| m.quantities[i].label.clone()),
            None => m.quantities[i].label.clone(),
        },
        class_code: key,
        quantity: i,
        share: share_of[i],
    };

    // Walk blocks: a prose line, or a run of table rows.
    let mut townships: Vec<TownshipPart> = Vec::new();
    let mut layout_section: Option<String> = None;
    let mut singles: Vec<(String, Part)> = Vec::new();
    let mut k = 0;
    while k < items.len() {
        let line_no = m.quantities[items[k]].place.line;
        let is_table = lx.lines[line_no - 1].is_row();
        let mut e = k;
        while e < items.len() {
            let l2 = m.quantities[items[e]].place.line;
            let same = if is_table {
                (line_no..=l2).all(|l| lx.lines[l - 1].is_row() || lx.lines[l - 1].norm.is_empty())
            } else {
                l2 == line_no
            };
            if !same {
                break;
            }
            e += 1;
        }
        let block: Vec<(usize, ItemKind)> = (k..e).map(|x| (items[x], kinds[x].clone())).collect();
        if is_table {
            table_block(lx, &mut m, &block, &share_of, &section);
        } else {
            prose_block(
                lx,
                &mut m,
                &block,
                &year_totals,
                &section,
                &mut townships,
                &mut layout_section,
                &part,
                &mut singles,
            );
        }
        k = e;
    }

    // A structure listed one class per line under a 结构 heading.
    let mut g = 0;
    while g < singles.len() {
        let mut e = g;
        while e < singles.len() && singles[e].0 == singles[g].0 {
            e += 1;
        }
        let sec = &singles[g].0;
        // Under a 结构 heading the whole is the plan total; elsewhere ("三、主要指标") a total
        // stated on the line right before the class lines ("供应总量：1800公顷；").
        let first_line = m.quantities[singles[g].1.quantity].place.line;
        let whole_before = items.iter().copied().find(|&i| {
            let q = &m.quantities[i];
            q.place.line + 1 == first_line
                && contains_any(&q.label, TOTAL_WORDS)
                && class_key(&q.label).is_none()
        });
        let whole = if sec.contains("结构") {
            m.total
        } else {
            whole_before
        };
        if e - g >= 2 && whole.is_some() {
            if let Some(t) = whole {
                let parts: Vec<Part> = singles[g..e].iter().map(|(_, p)| p.clone()).collect();
                m.breakdowns.push(Breakdown {
                    kind: BreakdownKind::Structure,
                    what: "各类用地面积之和与总量".to_string(),
                    whole: t,
                    parts,
                    complete: true,
                });
            }
        }
        g = e;
    }

    // An execution report states each class's plan and outcome in pairs ("住宅用地计划150公顷，
    // 实际供应120.3公顷，完成率80.2%；工矿仓储用地计划…"): the planned figures are parts of the
    // planned total, the actual ones of the actual total (complete when 其他 closes the list).
    if m.kind == DocKind::ExecutionReport {
        execution_pairs(&mut m, &excluded);
    }

    // Without a stated total, a structure table's 合计 row is the total.
    if m.total.is_none() {
        m.total = m
            .breakdowns
            .iter()
            .find(|b| b.kind == BreakdownKind::Structure)
            .map(|b| b.whole);
    }

    // A layout or structure table's own 合计 is the plan total restated: tied to it, so that a
    // table that adds up to its 合计 but not to the plan is found. Not in a plan of several
    // years (each table may be one year's), nor for a table under a 新增/存量 heading (a part).
    if let (Some(t), true) = (m.total, year_totals.len() <= 1) {
        let in_ha = |q: &Quantity| q.area_unit().map(|u| u.to_hectares(q.value));
        let tables: Vec<(usize, BreakdownKind)> = m
            .breakdowns
            .iter()
            .filter(|b| matches!(b.kind, BreakdownKind::Table | BreakdownKind::Structure))
            .filter(|b| b.whole != t && b.what.starts_with("表中各"))
            .map(|b| (b.whole, b.kind))
            .collect();
        for (w, kind) in tables {
            // The 合计 row's own total: the figure under a 合计/面积 column, or its only figure
            // (the rows were tied by their first figure, which may be one class column).
            let row: Vec<usize> = on_line(&m.quantities, m.quantities[w].place.line)
                .filter(|&i| m.quantities[i].area_unit().is_some())
                .collect();
            let headed = row.iter().copied().find(|&i| {
                m.quantities[i]
                    .header
                    .as_deref()
                    .is_some_and(|h| contains_any(h, &["合计", "总计", "总面积", "面积", "规模"]))
            });
            let Some(w) = headed.or((row.len() == 1).then_some(w)) else {
                continue;
            };
            let sec = &section[m.quantities[w].place.line];
            let topical = contains_any(sec, &["布局", "分布", "区域", "结构"])
                && !contains_any(sec, &["新增", "存量", "库存", "上年", "执行"]);
            let tq = &m.quantities[t];
            let wq = &m.quantities[w];
            if !topical || in_ha(wq).is_none() || in_ha(wq) == in_ha(tq) {
                continue;
            }
            m.breakdowns.push(Breakdown {
                kind: if kind == BreakdownKind::Table {
                    BreakdownKind::TownshipTotals
                } else {
                    BreakdownKind::Structure
                },
                what: "表中合计与计划总量".to_string(),
                whole: t,
                parts: vec![Part {
                    label: wq.label.clone(),
                    class_code: None,
                    quantity: w,
                    share: None,
                }],
                complete: true,
            });
        }
    }

    // Structure: class parts of the plan total.
    if let Some(t) = m.total {
        let tv = (m.quantities[t].value, m.quantities[t].unit);
        if let Some(b) = m.breakdowns.iter().find(|b| {
            b.kind == BreakdownKind::Structure
                && (b.whole == t || (m.quantities[b.whole].value, m.quantities[b.whole].unit) == tv)
        }) {
            m.structure = b.parts.clone();
        }
    }

    // Layout checks: township totals vs the plan total, classes across townships.
    let with_totals: Vec<&TownshipPart> = townships.iter().filter(|t| t.total.is_some()).collect();
    if with_totals.len() >= 2 {
        if let Some(t) = m.total {
            m.breakdowns.push(Breakdown {
                kind: BreakdownKind::TownshipTotals,
                what: "各乡镇（区域）供应量之和与计划总量".to_string(),
                whole: t,
                parts: with_totals
                    .iter()
                    .map(|tp| Part {
                        label: tp.name.clone(),
                        class_code: None,
                        quantity: tp.total.unwrap_or(0),
                        share: tp.total.and_then(|t| share_of[t]),
                    })
                    .collect(),
                complete: true,
            });
        }
        if !m.structure.is_empty() && townships.iter().any(|t| !t.parts.is_empty()) {
            for sp in m.structure.clone() {
                let Some(key) = &sp.class_code else { continue };
                let parts: Vec<Part> = townships
                    .iter()
                    .flat_map(|t| {
                        t.parts
                            .iter()
                            .filter(|p| p.class_code.as_ref() == Some(key))
                            .map(|p| Part {
                                label: format!("{}{}", t.name, p.label),
                                ..p.clone()
                            })
                    })
                    .collect();
                if !parts.is_empty() {
                    m.breakdowns.push(Breakdown {
                        kind: BreakdownKind::ClassAcrossTownships,
                        what: format!("各乡镇{}之和与结构中的{}", sp.label, sp.label),
                        whole: sp.quantity,
                        parts,
                        complete: true,
                    });
                }
            }
        }
    }
    m.layout = townships;

    // Money: a sum of funds followed by 其中 and its items in the same sentence ("资金需求总量为
    // 0.75亿元，其中收购补偿5000万元，前期开发2500万元"). The items may be a selection, so only
    // items exceeding the total are reported, unless the last item is 其他/其余 (then the list
    // is exhaustive and must add up).
    for (wi, w) in m.quantities.iter().enumerate() {
        if !matches!(w.unit, Unit::Money(_)) || secondary[wi] || excluded[wi] {
            continue;
        }
        let line = &lx.lines[w.place.line - 1];
        let parts: Vec<usize> = (wi + 1..n)
            .take_while(|&j| {
                let q = &m.quantities[j];
                q.place.line == w.place.line && q.sentence == w.sentence
            })
            .filter(|&j| {
                matches!(m.quantities[j].unit, Unit::Money(_)) && !secondary[j] && !excluded[j]
            })
            .collect();
        let Some(&first) = parts.first() else {
            continue;
        };
        let between = line.slice(w.chars.1, m.quantities[first].chars.0);
        if parts.len() >= 2 && between.contains("其中") {
            m.breakdowns.push(Breakdown {
                kind: BreakdownKind::SubItems,
                what: format!(
                    "{}的分项",
                    if w.label.is_empty() {
                        "资金"
                    } else {
                        &w.label
                    }
                ),
                whole: wi,
                parts: plain_parts(&m, parts.iter().copied()),
                complete: parts.last().is_some_and(|&j| {
                    contains_any(&m.quantities[j].label, &["其他", "其它", "其余", "剩余"])
                }),
            });
        }
    }

    // Parcels vs the list's own 合计 row.
    let areas: Vec<usize> = m.parcels.iter().filter_map(|p| p.area).collect();
    let parcel_parts = |m: &PlanModel| -> Vec<Part> {
        m.parcels
            .iter()
            .filter_map(|p| {
                p.area.map(|a| Part {
                    label: p.id.clone(),
                    class_code: None,
                    quantity: a,
                    share: None,
                })
            })
            .collect()
    };
    if let (Some(q), true) = (parcel_table_total, areas.len() >= 2) {
        m.breakdowns.push(Breakdown {
            kind: BreakdownKind::Parcels,
            what: "地块清单各地块面积之和与表中合计".to_string(),
            whole: q,
            parts: parcel_parts(&m),
            complete: true,
        });
    }
    // A list that adds up exactly to a figure the text states other than the total (the new
    // reserve, the stock carried over) enumerates that figure, not the whole plan.
    let in_ha = |q: &Quantity| q.area_unit().map(|u| u.to_hectares(q.value).normalize());
    let listed_sum = (areas.len() >= 2).then(|| {
        let mut sum = rust_decimal::Decimal::ZERO;
        for &a in &areas {
            sum += in_ha(&m.quantities[a]).unwrap_or_default();
        }
        sum.normalize()
    });
    let enumerates_other = listed_sum.is_some_and(|sum| {
        let list_lines: std::collections::HashSet<usize> =
            m.parcels.iter().map(|p| p.line).collect();
        m.total
            .is_some_and(|t| in_ha(&m.quantities[t]) != Some(sum))
            && (0..n).any(|j| {
                Some(j) != m.total
                    && Some(j) != parcel_table_total
                    && !secondary[j]
                    && in_ha(&m.quantities[j]) == Some(sum)
                    && !list_lines.contains(&m.quantities[j].place.line)
            })
    });

    // Parcels vs the plan scale.
    if let (Some(t), false) = (m.total, enumerates_other) {
        if areas.len() >= 2 {
            let listed = m
                .parcels
                .first()
                .map(|p| section[p.line].contains("明细") || section[p.line].contains("清单"))
                .unwrap_or(false);
            m.breakdowns.push(Breakdown {
                kind: BreakdownKind::Parcels,
                what: "地块清单面积之和与计划规模".to_string(),
                whole: t,
                parts: parcel_parts(&m),
                complete: listed || m.kind == DocKind::Reserve,
            });
        }
    }
    m
}

/// Housing items that together cover residential land: both a 保障性 item and a 商品住房
/// item ("保障性住房用地16.20公顷、商品住房用地64.80公顷"), and none that is a subset of another
/// (中小套型 is part of 商品住房, 棚改 of 保障性安居工程). Such sub-items must add up to the
/// residential figure, as must a list that ends in a remainder (其他商品住房用地); any other
/// list of sub-items may be a selection.
fn housing_covers_residential(m: &PlanModel, subs: &[Part]) -> bool {
    let label = |p: &Part| m.quantities[p.quantity].label.as_str();
    let affordable = subs
        .iter()
        .any(|p| contains_any(label(p), &["保障性", "安居"]));
    let commercial = subs
        .iter()
        .any(|p| contains_any(label(p), &["商品住房", "商品房", "商品住宅"]));
    let subset = subs.iter().any(|p| {
        contains_any(
            label(p),
            &["中小套型", "棚户区", "棚改", "其中", "90平方米"],
        )
    });
    // An explicit remainder ("其他商品住房用地") makes any list exhaustive.
    let remainder = subs
        .last()
        .is_some_and(|p| contains_any(label(p), &["其他", "其它", "其余", "剩余"]));
    subs.len() >= 2 && ((affordable && commercial && !subset) || remainder)
}

/// Words that make a figure an outcome rather than a plan.
const ACTUAL_WORDS: &[&str] = &["实际", "已供", "已收储", "完成", "累计"];

/// Class plan/actual pairs of an execution report tied to the planned and the actual total.
fn execution_pairs(m: &mut PlanModel, excluded: &[bool]) {
    let Some(t) = m.total else { return };
    let qs = &m.quantities;
    let area = |i: usize| qs[i].area_unit().is_some() && !excluded[i];
    let actual = |i: usize| contains_any(&qs[i].label, ACTUAL_WORDS);
    // The actual total: the first outcome figure after the planned total on its line.
    let Some(ta) = (t + 1..qs.len())
        .take_while(|&i| qs[i].place.line == qs[t].place.line)
        .find(|&i| area(i) && actual(i))
    else {
        return;
    };
    let mut planned: Vec<Part> = Vec::new();
    let mut outcome: Vec<Part> = Vec::new();
    for i in 0..qs.len() {
        if i == t || !area(i) || actual(i) {
            continue;
        }
        let Some(key) = class_key(&qs[i].label) else {
            continue;
        };
        // Its outcome: the next outcome figure on the line before the next class figure.
        let a = (i + 1..qs.len())
            .take_while(|&j| {
                qs[j].place.line == qs[i].place.line && class_key(&qs[j].label).is_none()
            })
            .find(|&j| area(j) && actual(j));
        let Some(a) = a else { continue };
        let part = |q: usize| Part {
            label: qs[i].label.clone(),
            class_code: Some(key.clone()),
            quantity: q,
            share: None,
        };
        planned.push(part(i));
        outcome.push(part(a));
    }
    if planned.len() < 2 {
        return;
    }
    let complete = planned
        .iter()
        .any(|p| p.class_code.as_deref() == Some("group:other") || p.label.contains("其他"));
    m.breakdowns.push(Breakdown {
        kind: BreakdownKind::SubItems,
        what: "各类用地计划面积之和与计划总量".to_string(),
        whole: t,
        parts: planned,
        complete,
    });
    m.breakdowns.push(Breakdown {
        kind: BreakdownKind::SubItems,
        what: "各类用地实际供应面积之和与实际供应总量".to_string(),
        whole: ta,
        parts: outcome,
        complete,
    });
}

/// The ways of one supply method stated under it ("出让760.50公顷，其中招拍挂出让700.50公顷、
/// 协议出让60.00公顷"): a breakdown of the host, complete when they cover every way of 出让
/// (招标、拍卖、挂牌 and 协议: 城市房地产管理法 art. 13, 国土资源部令第39号) or end in 其他.
fn flush_method_subs(m: &mut PlanModel, host: Option<usize>, subs: &mut Vec<Part>) {
    let label = |p: &Part| m.quantities[p.quantity].label.clone();
    let has = |w: &[&str]| subs.iter().any(|p| contains_any(&label(p), w));
    let auction = has(&["招拍挂"]) || (has(&["招标"]) && has(&["拍卖"]) && has(&["挂牌"]));
    let covers = auction && has(&["协议"]);
    flush_sub_items(m, host, subs, covers);
}

/// The sub-items gathered under `host` as a breakdown of it (at least two), complete when
/// `covers` or when the last is a remainder (其他, 其余 …); `subs` is emptied either way.
fn flush_sub_items(m: &mut PlanModel, host: Option<usize>, subs: &mut Vec<Part>, covers: bool) {
    if let (Some(h), true) = (host, subs.len() >= 2) {
        let remainder = subs.last().is_some_and(|p| {
            contains_any(
                &m.quantities[p.quantity].label,
                &["其他", "其它", "其余", "剩余"],
            )
        });
        m.breakdowns.push(Breakdown {
            kind: BreakdownKind::SubItems,
            what: format!("{}的分项", m.quantities[h].label),
            whole: h,
            parts: std::mem::take(subs),
            complete: covers || remainder,
        });
    }
    subs.clear();
}

/// Parts labelled by their figures' own labels, without class or share.
fn plain_parts(m: &PlanModel, idx: impl IntoIterator<Item = usize>) -> Vec<Part> {
    idx.into_iter()
        .map(|j| Part {
            label: m.quantities[j].label.clone(),
            class_code: None,
            quantity: j,
            share: None,
        })
        .collect()
}

/// True when the text between two figures makes the second a restatement of the first in
/// another unit: "（", "（约", "（折合约", "/", "，折合" …
fn restates(between: &str) -> bool {
    let words = [
        "",
        "约",
        "合",
        "折合",
        "折合约",
        "约合",
        "即",
        "计",
        "相当于",
    ];
    if let Some(rest) = between
        .strip_prefix('(')
        .or_else(|| between.strip_prefix('/'))
    {
        return words.contains(&rest.trim());
    }
    if let Some(rest) = between
        .strip_prefix('，')
        .or_else(|| between.strip_prefix(','))
    {
        return ["折合", "合", "约合", "折合约", "即", "相当于"].contains(&rest.trim());
    }
    false
}

/// Land carried over into this year's reserve: "上年度结转储备土地", "上年末储备库存土地".
/// Part of this year's scale, not last year's history.
fn carried_over(label: &str) -> bool {
    // "截至上年末，储备库存300公顷" is a background figure (a stock), not a part.
    label.contains("结转")
        || (label.contains("上年末")
            && contains_any(label, &["库存", "储备"])
            && !contains_any(label, &["截至", "截止", "底"]))
}

fn classify(q: &Quantity, section: &str, region: &Option<String>, housing_plan: bool) -> ItemKind {
    let l = q.label.as_str();
    if let Some((key, named)) = class_match(l) {
        // In a housing-land plan, "住宅用地供应面积" is the plan's total.
        let residential = key.starts_with("gb21010:07") || key.starts_with("ydyh2023:07");
        // "商品住宅用地", "保障性住宅用地": a kind of housing, not the residential class.
        let before = l.rfind(named.as_str()).map_or("", |b| &l[..b]);
        let before = before.split(['(', '（']).next().unwrap_or("");
        let housing_kind =
            residential && (before.contains("商品") || contains_any(before, HOUSING_WORDS));
        if housing_kind {
            return ItemKind::Housing;
        }
        if !(housing_plan && residential && contains_any(l, TOTAL_WORDS)) {
            return ItemKind::Class(key);
        }
    }
    // "使用新增建设用地计划指标35公顷" is quota used, not the 新增 part of the supply.
    if (l.contains("新增") || l.contains("存量") || carried_over(l))
        && !contains_any(l, &["指标", "使用", "下达", "消化", "盘活利用"])
    {
        return ItemKind::NewStock;
    }
    if contains_any(l, HOUSING_WORDS) {
        return ItemKind::Housing;
    }
    if contains_any(l, &["季度", "上半年", "下半年"]) {
        return ItemKind::Timing;
    }
    if contains_any(
        l,
        &["招拍挂", "招标", "拍卖", "挂牌", "协议出让", "协议方式"],
    ) {
        return ItemKind::Method(true);
    }
    if contains_any(l, &["划拨", "出让", "租赁方式", "作价出资", "作价入股"]) {
        return ItemKind::Method(false);
    }
    // 储备方式 of a reserve plan: 收购, 收回, 征收, 置换, 划转.
    if contains_any(l, &["收购", "收回", "征收", "置换", "划转"]) {
        return ItemKind::Method(false);
    }
    let in_layout =
        section.contains("布局") || section.contains("分布") || section.contains("区域");
    if let Some(name) = place_name(l) {
        let is_region = region
            .as_ref()
            .is_some_and(|r| r.starts_with(&name) || name.starts_with(r.as_str()));
        if !is_region && (in_layout || !contains_any(l, TOTAL_WORDS)) {
            return ItemKind::Township(name);
        }
    }
    if contains_any(l, TOTAL_WORDS) {
        return ItemKind::Total;
    }
    ItemKind::Other
}

#[allow(clippy::too_many_arguments)]
fn prose_block(
    lx: &Lexed,
    m: &mut PlanModel,
    block: &[(usize, ItemKind)],
    year_totals: &[(i32, usize)],
    section: &[String],
    townships: &mut Vec<TownshipPart>,
    layout_section: &mut Option<String>,
    part: &dyn Fn(&PlanModel, usize, Option<String>) -> Part,
    singles: &mut Vec<(String, Part)>,
) {
    let line_no = m.quantities[block[0].0].place.line;
    let line = &lx.lines[line_no - 1];
    let sec = &section[line_no];
    let followed_by_qizhong = |m: &PlanModel, i: usize| -> bool {
        let q = &m.quantities[i];
        let next_start = m
            .quantities
            .iter()
            .skip(i + 1)
            .find(|x| {
                x.place.line == q.place.line && x.area_unit().is_some() && x.chars.0 > q.chars.1
            })
            .map(|x| x.chars.0)
            .unwrap_or(line.norm.len());
        let t = line.slice(q.chars.1, next_start);
        t.contains("其中") || t.contains("包括") || t.contains("分别为")
    };
    let in_layout = sec.contains("布局") || sec.contains("分布");

    // Explicit wholes (an item followed by 其中) and their parts.
    let mut whole: Option<(usize, ItemKind)> = None;
    let mut parts: Vec<Part> = Vec::new();
    let mut implicit: Vec<Part> = Vec::new();
    let mut sub_host: Option<usize> = None;
    let mut subs: Vec<Part> = Vec::new();
    let mut newstock: Vec<Part> = Vec::new();
    let mut last_total: Option<usize> = None;
    let mut last_class: Option<usize> = None;
    let mut methods: Vec<Part> = Vec::new();
    let mut method_host: Option<usize> = None;
    let mut method_subs: Vec<Part> = Vec::new();
    let mut timings: Vec<Part> = Vec::new();
    let mut other_host: Option<usize> = None;
    let mut other_subs: Vec<Part> = Vec::new();
    let mut housing_host: Option<usize> = None;
    let mut housing_nested: Vec<Part> = Vec::new();
    // Figure `i` is in the 其中 clause of figure `h`: same sentence, 其中 between them, and no
    // 另/此外/； that would start another matter.
    let in_qizhong_clause = |m: &PlanModel, h: usize, i: usize| {
        let (qh, qi) = (&m.quantities[h], &m.quantities[i]);
        if qh.place.line != qi.place.line || qh.sentence != qi.sentence || qi.chars.0 < qh.chars.1 {
            return false;
        }
        let between = line.slice(qh.chars.1, qi.chars.0);
        between.contains("其中") && !contains_any(&between, &["另", "此外", "；", ";", "同时"])
    };
    let flush_other_subs = |m: &mut PlanModel, host: Option<usize>, subs: &mut Vec<Part>| {
        flush_sub_items(m, host, subs, false)
    };

    let flush_subs = |m: &mut PlanModel, host: Option<usize>, subs: &mut Vec<Part>| {
        if let Some(h) = host {
            if !subs.is_empty() {
                m.breakdowns.push(Breakdown {
                    kind: BreakdownKind::SubItems,
                    what: format!("{}的分项", m.quantities[h].label),
                    whole: h,
                    complete: housing_covers_residential(m, subs),
                    parts: std::mem::take(subs),
                });
            }
        }
        subs.clear();
    };
    let flush_whole = |m: &mut PlanModel,
                       whole: &Option<(usize, ItemKind)>,
                       parts: &mut Vec<Part>,
                       townships: &mut Vec<TownshipPart>| {
        if let Some((w, kind)) = whole {
            if let ItemKind::Township(name) = kind {
                if let Some(t) = townships.iter_mut().rev().find(|t| &t.name == name) {
                    t.parts = parts.clone();
                }
                if !parts.is_empty() {
                    m.breakdowns.push(Breakdown {
                        kind: BreakdownKind::Township,
                        what: format!("{}的分类面积之和与其供应量", name),
                        whole: *w,
                        parts: parts.clone(),
                        complete: parts.len() >= 2,
                    });
                }
            } else if parts.len() >= 2 {
                let all_class = parts.iter().all(|p| p.class_code.is_some());
                m.breakdowns.push(Breakdown {
                    kind: if all_class {
                        BreakdownKind::Structure
                    } else {
                        BreakdownKind::SubItems
                    },
                    what: if all_class {
                        format!("“{}”的各类用地面积之和", m.quantities[*w].label)
                    } else {
                        format!("{}的分项之和", m.quantities[*w].label)
                    },
                    whole: *w,
                    parts: parts.clone(),
                    // In a housing-land plan the total is residential land, which housing items
                    // that cover it (保障性 + 商品) add up to.
                    complete: all_class
                        || (m.kind == DocKind::HousingLand && housing_covers_residential(m, parts)),
                });
            }
        }
        parts.clear();
    };

    // Places in brackets after a place ("中心城区800公顷（其中东城区300公顷、西城区500公顷）")
    // are inside it: parts of that place, not more places of the layout.
    let in_brackets = |m: &PlanModel, i: usize| {
        let before = line.slice(0, m.quantities[i].chars.0);
        before.matches('(').count() > before.matches(')').count()
    };
    let mut nested: Vec<Part> = Vec::new();
    let flush_nested =
        |m: &mut PlanModel, host: Option<(usize, ItemKind)>, nested: &mut Vec<Part>| {
            if let Some((h, ItemKind::Township(name))) = host {
                if !nested.is_empty() {
                    m.breakdowns.push(Breakdown {
                        kind: BreakdownKind::SubItems,
                        what: format!("{name}所含各区域供应量之和"),
                        whole: h,
                        parts: std::mem::take(nested),
                        complete: false,
                    });
                }
            }
            nested.clear();
        };
    for (i, kind) in block {
        let i = *i;
        match kind {
            ItemKind::Township(_)
                if in_brackets(m, i) && matches!(whole, Some((_, ItemKind::Township(_)))) =>
            {
                nested.push(part(m, i, None));
            }
            ItemKind::Township(name) if in_layout || followed_by_qizhong(m, i) => {
                flush_nested(m, whole.clone(), &mut nested);
                flush_subs(m, sub_host, &mut subs);
                sub_host = None;
                flush_whole(m, &whole, &mut parts, townships);
                if layout_section.as_deref() != Some(sec.as_str()) {
                    townships.clear();
                    *layout_section = Some(sec.clone());
                }
                townships.push(TownshipPart {
                    name: name.clone(),
                    total: Some(i),
                    parts: Vec::new(),
                });
                whole = Some((i, kind.clone()));
            }
            ItemKind::Total => {
                flush_subs(m, sub_host, &mut subs);
                sub_host = None;
                last_total = Some(i);
                if followed_by_qizhong(m, i) {
                    flush_whole(m, &whole, &mut parts, townships);
                    whole = Some((i, ItemKind::Total));
                }
            }
            ItemKind::Class(key) => {
                // A subclass right after its class and 其中 ("工矿仓储用地…，其中工业用地…") is a
                // sub-item, not another part of the structure.
                let host_key = sub_host.and_then(|h| class_key(&m.quantities[h].label));
                if let Some(hk) = host_key {
                    if key.starts_with(&hk) && key.len() > hk.len() {
                        subs.push(part(m, i, Some(key.clone())));
                        continue;
                    }
                }
                flush_subs(m, sub_host, &mut subs);
                let p = part(m, i, Some(key.clone()));
                if whole.is_some() {
                    parts.push(p);
                } else {
                    implicit.push(p);
                }
                last_class = Some(i);
                sub_host = followed_by_qizhong(m, i).then_some(i);
            }
            ItemKind::Housing
                if housing_host.is_some_and(|h| m.quantities[h].place.line == line.number)
                    && in_brackets(m, i) =>
            {
                // "保障性住房用地30公顷（保障性租赁住房用地18公顷，配售型…12公顷）": kinds of
                // the item before the bracket.
                housing_nested.push(part(m, i, None));
            }
            ItemKind::Housing => {
                flush_other_subs(m, housing_host, &mut housing_nested);
                housing_host = Some(i);
                let p = part(m, i, None);
                // Housing sub-items belong to the residential class before them.
                let residential = |i: usize| {
                    class_key(&m.quantities[i].label).is_some_and(|k| {
                        k.starts_with("gb21010:07") || k.starts_with("ydyh2023:07")
                    })
                };
                if sub_host.is_none() && last_class.is_some_and(residential) {
                    sub_host = last_class;
                }
                // "…工矿仓储用地120公顷。住宅用地中，保障性住房用地…": the sentence names the
                // residential class the items belong to.
                if sub_host.is_none() {
                    let q = &m.quantities[i];
                    let start = line.norm[..q.chars.0]
                        .iter()
                        .rposition(|&c| c == '。')
                        .map_or(0, |p| p + 1);
                    if line.slice(start, q.chars.0).contains("住宅") {
                        sub_host = block
                            .iter()
                            .map(|(j, _)| *j)
                            .rfind(|&j| j < i && residential(j));
                    }
                }
                if sub_host.is_some() {
                    subs.push(p);
                } else if whole.is_some() && parts.iter().all(|p| p.class_code.is_none()) {
                    parts.push(p);
                }
            }
            ItemKind::NewStock => {
                newstock.push(part(m, i, None));
            }
            ItemKind::Method(false) => {
                // The previous host's sub-methods ("出让…（其中招拍挂…，协议…）") before the next.
                flush_method_subs(m, method_host, &mut method_subs);
                methods.push(part(m, i, None));
                method_host = Some(i);
            }
            ItemKind::Method(true) => {
                if method_host.is_some() {
                    method_subs.push(part(m, i, None));
                }
            }
            ItemKind::Timing => timings.push(part(m, i, None)),
            ItemKind::Township(_) | ItemKind::Other => {
                if let Some((_, ItemKind::Total)) = whole {
                    parts.push(part(m, i, None));
                } else if matches!(kind, ItemKind::Other) {
                    // "前期开发120公顷，其中道路80公顷，场地平整40公顷": parts of any figure.
                    match other_host {
                        Some(h) if in_qizhong_clause(m, h, i) => other_subs.push(part(m, i, None)),
                        _ => {
                            flush_other_subs(m, other_host, &mut other_subs);
                            other_host = followed_by_qizhong(m, i).then_some(i);
                        }
                    }
                }
            }
        }
    }
    flush_other_subs(m, other_host, &mut other_subs);
    flush_other_subs(m, housing_host, &mut housing_nested);
    flush_nested(m, whole.clone(), &mut nested);
    flush_subs(m, sub_host, &mut subs);
    flush_whole(m, &whole, &mut parts, townships);

    // Class parts without an explicit whole: the plan total when the paragraph speaks of the
    // total (…总量中，…) or sits under a 结构 heading.
    if implicit.len() == 1 {
        // One class per line ("1.工矿仓储用地500公顷，占33.33%；"): gathered per section.
        singles.push((sec.clone(), implicit[0].clone()));
    }
    if implicit.len() >= 2 {
        let first = &m.quantities[implicit[0].quantity];
        let prefix = line.slice(0, first.chars.0);
        let speaks_of_total = contains_any(
            &prefix,
            &[
                "总量",
                "总规模",
                "储备规模",
                "供应规模",
                "总面积",
                "按用途",
                "按用地类型",
                "按土地用途",
                "分用途",
            ],
        ) || sec.contains("结构");
        // "重点保障…", "主要用于…": a selection of classes, not the whole structure.
        let selection = contains_any(&prefix, &["重点", "主要", "优先", "包括", "含"]);
        let w = if speaks_of_total {
            // "2026年储备土地中，住宅用地…" in a three-year plan: that year's total.
            let year = lx
                .years
                .iter()
                .rfind(|y| y.line == line_no && y.chars.1 <= first.chars.0 && y.to.is_none())
                .map(|y| y.year);
            year.and_then(|y| year_totals.iter().find(|t| t.0 == y).map(|t| t.1))
                .or(m.total)
                .or(last_total)
        } else {
            None
        };
        if let Some(w) = w {
            m.breakdowns.push(Breakdown {
                kind: BreakdownKind::Structure,
                what: "各类用地面积之和与总量".to_string(),
                whole: w,
                parts: implicit,
                complete: !selection,
            });
        }
    }

    // 供应方式 (划拨 + 出让 …) and 时序 (quarters) against the total: complete under a heading
    // about them, otherwise only an excess is reported.
    let reserve = m.kind == DocKind::Reserve;
    for (items, what, topic) in [
        (
            std::mem::take(&mut methods),
            if reserve {
                "各储备方式面积之和与总量"
            } else {
                "各供应方式面积之和与总量"
            },
            "方式",
        ),
        (
            std::mem::take(&mut timings),
            "各时段供应面积之和与总量",
            "时序",
        ),
    ] {
        if items.len() >= 2 {
            if let Some(w) = last_total.or(m.total) {
                m.breakdowns.push(Breakdown {
                    kind: BreakdownKind::SubItems,
                    what: what.to_string(),
                    whole: w,
                    complete: sec.contains(topic) || {
                        // "按储备方式分，收购…，收回…": the sentence names the topic.
                        let first = &m.quantities[items[0].quantity];
                        line.slice(0, first.chars.0).contains(topic)
                    },
                    parts: items,
                });
            }
        }
    }
    flush_method_subs(m, method_host, &mut method_subs);

    // 新增 + 存量.
    if !newstock.is_empty() {
        if let Some(w) = last_total.or(m.total) {
            let has = |words: &[&str]| {
                newstock
                    .iter()
                    .any(|p| contains_any(&m.quantities[p.quantity].label, words))
            };
            let both = has(&["新增"])
                && (has(&["存量", "结转"])
                    || newstock
                        .iter()
                        .any(|p| carried_over(&m.quantities[p.quantity].label)));
            m.breakdowns.push(Breakdown {
                kind: BreakdownKind::NewStock,
                what: "新增与存量之和与总量".to_string(),
                whole: w,
                parts: newstock,
                complete: both,
            });
        }
    }
}

fn table_block(
    lx: &Lexed,
    m: &mut PlanModel,
    block: &[(usize, ItemKind)],
    share_of: &[Option<usize>],
    section: &[String],
) {
    // Rows: the first area figure in each row; the 合计/总计 row is the whole.
    let first_cell = |i: usize| -> String {
        let q = &m.quantities[i];
        let line = &lx.lines[q.place.line - 1];
        let (a, b) = line.cells()[0];
        crate::lex::row_label(line).unwrap_or_else(|| line.slice(a, b).trim().to_string())
    };
    let mut whole: Option<usize> = None;
    let mut rows: Vec<(usize, ItemKind)> = Vec::new();
    let mut seen_lines = std::collections::HashSet::new();
    // Rows since the last 小计 row: each 小计 is the sum of the rows of its group.
    let mut group: Vec<usize> = Vec::new();
    let mut subtotals: Vec<(usize, Vec<usize>)> = Vec::new();
    for (i, kind) in block {
        let q = &m.quantities[*i];
        if !seen_lines.insert(q.place.line) {
            continue;
        }
        let head = first_cell(*i);
        if head.contains("合计") || head.contains("总计") || head == "总量" {
            whole = Some(*i);
        } else if head.contains("小计") {
            subtotals.push((*i, std::mem::take(&mut group)));
        } else if head.starts_with("其中") || head.starts_with(' ') {
            continue;
        } else if whole.is_some() && !rows.is_empty() {
            // A row after the 合计 that closed the rows above it (an Excel 附表's
            // "保障性安居工程和中小套型商品住房" under 合计) is not a part of it.
            continue;
        } else {
            rows.push((*i, kind.clone()));
            group.push(*i);
        }
    }
    for (sub, parts) in subtotals {
        if parts.is_empty() {
            continue;
        }
        let first = &m.quantities[parts[0]];
        let name = crate::lex::row_label(&lx.lines[first.place.line - 1])
            .unwrap_or_else(|| first.label.clone());
        m.breakdowns.push(Breakdown {
            kind: BreakdownKind::Table,
            what: format!("表中“{name}”等行之和与其小计"),
            whole: sub,
            parts: plain_parts(m, parts),
            complete: true,
        });
    }
    if rows.len() < 2 {
        return;
    }
    let sec = &section[m.quantities[rows[0].0].place.line];
    let all_class = rows.iter().all(|(_, k)| matches!(k, ItemKind::Class(_)));
    let whole = match whole {
        Some(w) => Some(w),
        None if all_class && (sec.contains("结构") || sec.contains("总量")) => m.total,
        None => None,
    };
    let Some(w) = whole else { return };
    let parts: Vec<Part> = rows
        .iter()
        .map(|(i, k)| Part {
            label: m.quantities[*i].label.clone(),
            class_code: match k {
                ItemKind::Class(c) => Some(c.clone()),
                _ => None,
            },
            quantity: *i,
            share: share_of[*i],
        })
        .collect();
    m.breakdowns.push(Breakdown {
        kind: if all_class {
            BreakdownKind::Structure
        } else {
            BreakdownKind::Table
        },
        what: if all_class {
            "表中各类用地面积之和与合计".to_string()
        } else {
            "表中各行之和与合计".to_string()
        },
        whole: w,
        parts,
        complete: true,
    });
    // 新增 + 存量 columns against the row's first area figure, row by row.
    let mut row_lines: Vec<usize> = rows
        .iter()
        .map(|(i, _)| m.quantities[*i].place.line)
        .collect();
    row_lines.push(m.quantities[w].place.line);
    for l in row_lines {
        let in_row: Vec<usize> = on_line(&m.quantities, l)
            .filter(|&i| m.quantities[i].area_unit().is_some())
            .collect();
        let Some(&first) = in_row.first() else {
            continue;
        };
        let header = |i: usize| m.quantities[i].header.clone().unwrap_or_default();
        if header(first).contains("新增") || header(first).contains("存量") {
            continue;
        }
        let ns: Vec<usize> = in_row
            .iter()
            .copied()
            .filter(|&i| {
                let h = header(i);
                (h.contains("新增") || h.contains("存量")) && !h.contains("其中")
            })
            .collect();
        let has_new = ns.iter().any(|&i| header(i).contains("新增"));
        let has_stock = ns.iter().any(|&i| header(i).contains("存量"));
        if ns.len() == 2 && has_new && has_stock {
            m.breakdowns.push(Breakdown {
                kind: BreakdownKind::NewStock,
                what: format!("表中“{}”行的新增与存量之和", m.quantities[first].label),
                whole: first,
                parts: ns
                    .iter()
                    .map(|&i| Part {
                        label: header(i),
                        class_code: None,
                        quantity: i,
                        share: None,
                    })
                    .collect(),
                complete: true,
            });
        }
    }

    // Class columns against the row's 合计 column, row by row ("区域 | 住宅用地 | 商服用地 | 其他
    // | 合计"): only when every other area column of the row names a distinct class (or 其他),
    // none inside another, so that the columns are a complete breakdown of the row.
    let mut check_lines: Vec<usize> = rows
        .iter()
        .map(|(i, _)| m.quantities[*i].place.line)
        .collect();
    check_lines.push(m.quantities[w].place.line);
    for l in check_lines {
        let header = |i: usize| m.quantities[i].header.clone().unwrap_or_default();
        let in_row: Vec<usize> = on_line(&m.quantities, l)
            .filter(|&i| {
                let q = &m.quantities[i];
                q.area_unit().is_some() && q.cell.is_some()
            })
            .collect();
        let is_total = |h: &str| {
            ["合计", "小计", "总计", "总面积", "总量"]
                .iter()
                .any(|w| h.contains(w))
        };
        let Some(&total) = in_row.iter().find(|&&i| is_total(&header(i))) else {
            continue;
        };
        let unit = m.quantities[total].unit;
        let mut keys: Vec<String> = Vec::new();
        let mut parts: Vec<Part> = Vec::new();
        let mut complete = true;
        for &i in &in_row {
            let h = header(i);
            if i == total || m.quantities[i].unit != unit {
                continue;
            }
            let key = if h.contains("其他") || h.contains("其它") {
                Some("group:other".to_string())
            } else {
                class_key(&h)
            };
            match key {
                Some(k)
                    if !h.contains("其中")
                        && !keys
                            .iter()
                            .any(|x| x.starts_with(&k) || k.starts_with(x.as_str())) =>
                {
                    keys.push(k.clone());
                    parts.push(Part {
                        label: h,
                        class_code: Some(k),
                        quantity: i,
                        share: None,
                    });
                }
                _ => complete = false,
            }
        }
        if complete && parts.len() >= 2 {
            let row = crate::lex::row_label(&lx.lines[l - 1]).unwrap_or_default();
            m.breakdowns.push(Breakdown {
                kind: BreakdownKind::Table,
                what: format!("表中“{row}”行各类用地面积之和与该行合计"),
                whole: total,
                parts,
                complete: true,
            });
        }
    }

    // Further area columns: each column's rows vs the 合计 row in that column.
    let whole_line = m.quantities[w].place.line;
    let cols: Vec<usize> = m
        .quantities
        .iter()
        .filter(|q| q.place.line == whole_line && q.area_unit().is_some() && q.cell.is_some())
        .filter_map(|q| q.cell)
        .collect();
    for col in cols.into_iter().skip(1) {
        let Some(wq) = m
            .quantities
            .iter()
            .position(|q| q.place.line == whole_line && q.cell == Some(col))
        else {
            continue;
        };
        let cells: Vec<usize> = rows
            .iter()
            .filter_map(|(i, _)| {
                let l = m.quantities[*i].place.line;
                on_line(&m.quantities, l).find(|&i| {
                    let q = &m.quantities[i];
                    q.cell == Some(col) && q.area_unit().is_some()
                })
            })
            .collect();
        let parts = plain_parts(m, cells);
        if parts.len() >= 2 {
            let what = format!(
                "表中“{}”列之和与合计",
                m.quantities[wq].header.clone().unwrap_or_default()
            );
            m.breakdowns.push(Breakdown {
                kind: BreakdownKind::Table,
                what,
                whole: wq,
                parts,
                complete: true,
            });
        }
    }
}

/// A plan's table caption without the word 计划, as an Excel 附表 has it
/// ("某县2026年度土地储备规模与结构表", "…国有建设用地供应布局表").
fn plan_table_caption(t: &str) -> bool {
    t.ends_with('表') && contains_any(t, &["土地储备", "建设用地供应", "土地供应"])
}

fn read_title(lx: &Lexed, m: &mut PlanModel) {
    let mut title = String::new();
    let mut first_line = None;
    let mut last_line = 0;
    let mut count = 0;
    for line in &lx.lines {
        let t = line.norm_string();
        let t = t.trim().trim_start_matches('#').trim();
        if t.is_empty() {
            continue;
        }
        // "附表1" alone above a table's title (an Excel 附表) labels it, like "附件".
        let skip = t.starts_with("附件")
            || (t.starts_with("附表") && t.chars().count() <= 6)
            || t.starts_with("(征求意见稿")
            || t.starts_with("(草案")
            || t.starts_with("(送审稿")
            || t.starts_with("[bookmark");
        if skip && title.is_empty() {
            continue;
        }
        if t.chars().count() > 50 || t.contains('。') {
            break;
        }
        first_line.get_or_insert(line.number);
        last_line = line.number;
        title.push_str(t);
        count += 1;
        if contains_any(t, &["计划", "规划", "报告", "方案", "情况", "通知", "公告"])
            || plan_table_caption(t)
            || count >= 3
        {
            break;
        }
    }
    // "关于印发《某市2025年度…计划》的通知": the plan is the title in the book-title marks.
    if let (Some(a), Some(b)) = (title.find('《'), title.find('》')) {
        if a < b {
            title = title[a + '《'.len_utf8()..b].to_string();
        }
    }
    let caption = plan_table_caption(&title);
    if title.is_empty()
        || !(caption
            || contains_any(
                &title,
                &["计划", "规划", "报告", "方案", "情况", "通知", "公告"],
            ))
    {
        return;
    }
    m.title_line = first_line;
    m.kind = if contains_any(&title, &["执行情况", "实施情况", "完成情况", "执行报告"])
    {
        DocKind::ExecutionReport
    } else if title.contains("调整") {
        DocKind::Adjustment
    } else if title.contains("储备计划") || title.contains("收储计划") {
        DocKind::Reserve
    } else if contains_any(
        &title,
        &["住房用地供应计划", "住宅用地供应计划", "住房用地计划"],
    ) {
        DocKind::HousingLand
    } else if title.contains("供应计划") || title.contains("供地计划") {
        DocKind::Supply
    } else if title.contains("储备") && title.contains("计划") {
        // "土地储备三年滚动计划".
        DocKind::Reserve
    } else if title.contains("供应") && title.contains("计划") {
        DocKind::Supply
    } else if caption && title.contains("储备") {
        DocKind::Reserve
    } else if caption && title.contains("供应") {
        DocKind::Supply
    } else {
        DocKind::Other
    };
    // Year: the first "NNNN年" in the title lines.
    if let Some(fl) = first_line {
        if let Some(y) = lx
            .years
            .iter()
            .find(|y| y.line >= fl && y.line <= last_line && y.to.is_none())
        {
            m.year = Some(y.year);
        }
    }
    // Region: the title's prefix before the year or the subject.
    let c: Vec<char> = title.chars().collect();
    let mut end = c.len();
    for (i, ch) in c.iter().enumerate() {
        if ch.is_ascii_digit() || *ch == '“' || *ch == '"' {
            end = i;
            break;
        }
    }
    let prefix: String = c[..end].iter().collect();
    let mut region = prefix.clone();
    // "关于调整未市2025年度…的公告": the notice's verb comes before the region.
    if let Some(rest) = region.strip_prefix("关于") {
        let verbs = [
            "调整", "印发", "公布", "下达", "发布", "公开", "批准", "修改", "变更", "实施",
        ];
        region = verbs
            .iter()
            .find_map(|v| rest.strip_prefix(v))
            .unwrap_or(rest)
            .to_string();
    }
    for w in [
        "国有建设用地",
        "土地",
        "年度",
        "住房",
        "住宅",
        "关于",
        "建设用地",
    ] {
        if let Some(p) = region.find(w) {
            region.truncate(p);
        }
    }
    // The issuing office is not the region: "酉县人民政府关于…", "某市自然资源局关于…".
    for office in [
        "人民政府办公室",
        "人民政府办公厅",
        "人民政府",
        "自然资源和规划局",
        "自然资源局",
        "自然资源厅",
        "国土资源局",
        "土地储备中心",
        "土地储备和整理中心",
    ] {
        if let Some(p) = region.find(office) {
            if p > 0 {
                region.truncate(p);
            }
        }
    }
    let region = region.trim().trim_end_matches("本级").to_string();
    let region =
        if prefix.contains("本级") && !region.ends_with("本级") && prefix.starts_with(&region) {
            let p = prefix
                .find("本级")
                .map(|p| p + "本级".len())
                .unwrap_or(prefix.len());
            prefix[..p].to_string()
        } else {
            region
        };
    if region.chars().count() >= 2 {
        m.region = Some(region);
    }
    m.title = Some(title);
}

fn read_period(lx: &Lexed, m: &mut PlanModel) {
    read_stated_period(lx, m);
    // A plan for several years named in its title ("（2026—2028年）").
    if m.period.is_none() {
        if let Some(fl) = m.title_line {
            if let Some(y) = lx.years.iter().find(|y| y.line >= fl && y.line <= fl + 2) {
                if let Some(to) = y.to {
                    m.period = Some((y.year.to_string(), to.to_string()));
                }
            }
        }
    }
}

fn read_stated_period(lx: &Lexed, m: &mut PlanModel) {
    // "十四五" and friends.
    if let Some(t) = &m.title {
        for (w, a, b) in [
            ("十三五", 2016, 2020),
            ("十四五", 2021, 2025),
            ("十五五", 2026, 2030),
        ] {
            if t.contains(w) {
                m.period = Some((a.to_string(), b.to_string()));
                return;
            }
        }
    }
    for line in &lx.lines {
        let t = line.norm_string();
        let Some(p) = [
            "计划期限",
            "规划期限",
            "期限为",
            "计划期为",
            "规划期为",
            "执行期",
        ]
        .iter()
        .filter_map(|w| t.find(w))
        .min() else {
            continue;
        };
        let col = t[..p].chars().count();
        let ys: Vec<&YearMention> = lx
            .years
            .iter()
            .filter(|y| y.line == line.number && y.chars.0 >= col)
            .collect();
        let Some(first) = ys.first() else { continue };
        let c = &line.norm;
        let date_after = |start: usize, year: i32| -> String {
            // "2025年1月1日" → 2025-01-01; otherwise the year.
            let mut k = start;
            let mut nums = Vec::new();
            let mut cur = String::new();
            while k < c.len() && nums.len() < 2 {
                let ch = c[k];
                if ch.is_ascii_digit() {
                    cur.push(ch);
                } else if (ch == '月' || ch == '日') && !cur.is_empty() {
                    nums.push(cur.parse::<u32>().unwrap_or(0));
                    cur.clear();
                } else if ch != ' ' {
                    break;
                }
                k += 1;
            }
            match nums.as_slice() {
                [mo, d] => format!("{year:04}-{mo:02}-{d:02}"),
                _ => year.to_string(),
            }
        };
        let start = date_after(first.chars.1, first.year);
        // The end: a second year, or "至12月31日" in the same year.
        let end = if let Some(to) = first.to {
            to.to_string()
        } else if let Some(second) = ys.get(1) {
            date_after(second.chars.1, second.year)
        } else {
            let s = t.chars().skip(first.chars.1).collect::<String>();
            if let Some(pz) = s.find('至') {
                let k = first.chars.1 + s[..pz].chars().count() + 1;
                date_after(k, first.year)
            } else {
                first.year.to_string()
            }
        };
        m.period = Some((start, end));
        m.period_place = Some((line.number, first.chars.0, first.chars.1));
        return;
    }
}

/// Indices of the figures on `line`: the lexer emits figures in text order, so this is a
/// binary search rather than a scan (a list of 50,000 parcels looks up a line per row).
fn on_line(qs: &[Quantity], line: usize) -> std::ops::Range<usize> {
    let start = qs.partition_point(|q| q.place.line < line);
    start..start + qs[start..].partition_point(|q| q.place.line == line)
}

/// Read the parcel list (a table with 编号/地块名称 and 面积, or prose "编号：…"); returns the
/// area figure of the table's own 合计 row, if it has one.
fn read_parcels(
    lx: &Lexed,
    m: &mut PlanModel,
    secondary: &[bool],
    section: &[String],
) -> Option<usize> {
    let _ = section;
    let mut table_total = None;
    let delim = |c: char| matches!(c, '，' | ',' | '；' | ';' | '。' | '\t' | ' ' | '、');
    // Table parcels: a header with 编号 and 面积.
    let mut header_cols: Option<(usize, Option<usize>)> = None;
    for line in &lx.lines {
        let t = line.norm_string();
        if line.is_row() {
            let cells = line.cells();
            let texts: Vec<String> = cells
                .iter()
                .map(|&(a, b)| line.slice(a, b).trim().to_string())
                .collect();
            let has_area = texts.iter().any(|x| x.contains("面积"));
            let id_col = texts
                .iter()
                .position(|x| x.contains("编号") || x == "宗地号" || x.contains("地块号"))
                .or_else(|| {
                    // Without an id column, a parcel's name identifies it.
                    texts.iter().position(|x| {
                        has_area
                            && ["地块名称", "项目名称", "宗地名称", "地块位置名称"]
                                .contains(&x.as_str())
                    })
                });
            if let Some(idc) = id_col {
                let loc = texts
                    .iter()
                    .position(|x| x.contains("坐落") || x.contains("位置"));
                header_cols = Some((idc, loc));
                continue;
            }
            if let Some((idc, loc)) = header_cols {
                let id = texts.get(idc).cloned().unwrap_or_default();
                if texts
                    .iter()
                    .any(|x| matches!(x.as_str(), "合计" | "总计" | "合 计" | "总 计"))
                    || id.contains("合计")
                    || id.contains("总计")
                {
                    // The list's own total: its first area figure outside the name column.
                    table_total = on_line(&m.quantities, line.number).find(|&i| {
                        let q = &m.quantities[i];
                        q.area_unit().is_some() && q.cell != Some(idc)
                    });
                    continue;
                }
                if id.is_empty() {
                    continue;
                }
                let area = on_line(&m.quantities, line.number).find(|&i| {
                    let q = &m.quantities[i];
                    q.area_unit().is_some() && q.cell != Some(idc)
                });
                m.parcels.push(ParcelEntry {
                    id,
                    location: loc
                        .and_then(|l| texts.get(l).cloned())
                        .filter(|s| !s.is_empty()),
                    area,
                    line: line.number,
                });
            }
            continue;
        }
        header_cols = None;
        // Prose parcels: "地块编号：X，坐落：Y，面积：Z公顷".
        let Some(p) = t.find("编号") else { continue };
        let c = &line.norm;
        let mut k = t[..p].chars().count() + 2;
        while k < c.len() && matches!(c[k], ':' | '：' | ' ' | '为') {
            k += 1;
        }
        let s = k;
        while k < c.len() && !delim(c[k]) {
            k += 1;
        }
        let id = line.slice(s, k);
        if id.is_empty() || !id.chars().any(|ch| ch.is_ascii_alphanumeric()) {
            continue;
        }
        let location = ["坐落", "位置", "地址"].iter().find_map(|w| {
            let p = t.find(w)?;
            let mut k = t[..p].chars().count() + w.chars().count();
            while k < c.len() && matches!(c[k], ':' | '：' | ' ' | '于') {
                k += 1;
            }
            let s = k;
            while k < c.len() && !matches!(c[k], '，' | ',' | '；' | ';' | '。' | '\t') {
                k += 1;
            }
            let loc = line.slice(s, k);
            (!loc.is_empty()).then_some(loc)
        });
        let area = on_line(&m.quantities, line.number)
            .find(|&qi| m.quantities[qi].area_unit().is_some() && !secondary[qi]);
        m.parcels.push(ParcelEntry {
            id,
            location,
            area,
            line: line.number,
        });
    }
    table_total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_of_the_usual_shapes() {
        for h in [
            "一、计划指标",
            "（三）土地供应布局",
            "(2) 年度土地储备结构",
            "第三章 计划指标",
            "3.供应结构",
        ] {
            assert!(heading(&landplan_core::text::normalize(h)).is_some(), "{h}");
        }
        for t in [
            "1.巴楚镇（39.52公顷）：集中在城区及公路沿线，以商服用地和住宅用地为主。",
            "计划期限为一年，即2025年1月1日至12月31日。",
            "2025年度供应总量为120公顷",
        ] {
            assert!(heading(&landplan_core::text::normalize(t)).is_none(), "{t}");
        }
    }

    #[test]
    fn respective_names_split_at_separators_not_inside_class_names() {
        let names = |raw: &str, n: usize| split_names(raw, n);
        assert_eq!(
            names("其中商服用地、住宅用地和公共管理与公共服务用地", 3).unwrap(),
            ["商服用地", "住宅用地", "公共管理与公共服务用地"]
        );
        assert_eq!(
            names("新增建设用地和存量建设用地", 2).unwrap(),
            ["新增建设用地", "存量建设用地"]
        );
        assert_eq!(
            names("水域及水利设施用地、住宅用地", 2).unwrap(),
            ["水域及水利设施用地", "住宅用地"]
        );
        // More names than figures, fewer names than figures, an empty name.
        assert_eq!(names("交通运输用地、水域用地和其他用地", 2), None);
        assert_eq!(names("住宅用地", 2), None);
        assert_eq!(names("2024年、2025年全市", 2), None);
    }

    #[test]
    fn class_names_followed_by_supply_words_still_name_the_class() {
        assert_eq!(class_key("住宅用地供应面积").as_deref(), Some("gb21010:07"));
        assert_eq!(
            class_key("工矿仓储用地计划供应").as_deref(),
            Some("gb21010:06")
        );
        assert_eq!(class_key("商服用地的面积").as_deref(), Some("gb21010:05"));
        // A total stays a total.
        assert_eq!(class_key("住宅用地供应总量"), None);
        assert_eq!(class_key("计划供应面积"), None);
    }

    #[test]
    fn labels_name_classes_places_and_groups() {
        assert_eq!(
            class_key("巴楚县土地储备总量中工矿仓储及物流用地").as_deref(),
            Some("gb21010:06")
        );
        assert_eq!(class_key("其他用地").as_deref(), Some("group:other"));
        assert_eq!(class_key("土地供应量"), None);
        assert_eq!(
            place_name("瑶安瑶族乡土地供应量").as_deref(),
            Some("瑶安瑶族乡")
        );
        assert_eq!(place_name("工业园区").as_deref(), Some("工业园区"));
        assert_eq!(place_name("红旗乡土地供应量为").as_deref(), Some("红旗乡"));
        assert_eq!(place_name("新市镇（12.5公顷）").as_deref(), Some("新市镇"));
        assert_eq!(place_name("鄂托克旗供应量").as_deref(), Some("鄂托克旗"));
        assert_eq!(place_name("住宅用地"), None);
        assert!(restates("(约") && restates("/") && restates("，折合") && !restates("，其中"));
    }
}
