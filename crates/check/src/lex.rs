//! Tokeniser: every stated figure with its unit, qualifier and place.
//!
//! Lines are normalised with [`landplan_core::text::normalize`] (full-width → half-width,
//! traditional → simplified), which keeps one character per character, so columns in the
//! normalised line are columns in the source line. A figure is a number (digits, an optional
//! decimal part, optional thousands separators, a stray space around the decimal point as in
//! "15 .93"), optionally a range ("3240-3660公顷", "3240～3660公顷", "3240至3660公顷"), and a unit
//! (公顷, 亩, 平方米/㎡, 平方公里, 万公顷, 万亩, %, 元, 万元, 亿元). A number without a unit is not a
//! figure (section numbers, document numbers, counts), except in a table column whose header
//! gives the unit. A damaged number followed by a unit (".32公顷", "1..5公顷", "12.3.4公顷",
//! "12O.5公顷") is recorded as damaged and never read as something else.

use landplan_core::text::normalize;
use landplan_core::units::half_ulp;
use landplan_core::{AreaUnit, MoneyUnit};
use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
use std::str::FromStr;

/// The unit of a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    /// An area.
    Area(AreaUnit),
    /// Money.
    Money(MoneyUnit),
    /// A percentage.
    Percent,
}

impl Unit {
    /// The unit as written in Chinese reports.
    pub fn label(self) -> &'static str {
        match self {
            Unit::Area(u) => u.label(),
            Unit::Money(u) => u.label(),
            Unit::Percent => "%",
        }
    }

    /// The area unit, if this is one.
    pub fn area(self) -> Option<AreaUnit> {
        match self {
            Unit::Area(u) => Some(u),
            _ => None,
        }
    }
}

impl Serialize for Unit {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.label())
    }
}

/// A word that qualifies a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Qualifier {
    /// 约, 大约, 近: approximate.
    About,
    /// 左右: approximate.
    Around,
    /// 以内, 内, 以下, 不超过, 控制在…: a ceiling.
    Within,
    /// 以上, 不少于, 不低于, 超过: a floor.
    AtLeast,
    /// A range "a-b".
    Range,
}

impl Qualifier {
    /// The qualifier in Chinese.
    pub fn label(self) -> &'static str {
        match self {
            Qualifier::About => "约",
            Qualifier::Around => "左右",
            Qualifier::Within => "以内",
            Qualifier::AtLeast => "以上",
            Qualifier::Range => "区间",
        }
    }
}

impl Serialize for Qualifier {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.label())
    }
}

/// Where a figure is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuantityPlace {
    /// Line, 1-based.
    pub line: usize,
    /// Character column of the first character, 1-based.
    pub column: usize,
    /// Byte span `[start, end)` in the decoded text.
    pub span: (usize, usize),
    /// The figure as written (number and unit).
    pub text: String,
}

/// A stated figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quantity {
    /// The value as written (the decimal keeps the stated scale: "592.80" has scale 2).
    pub value: Decimal,
    /// The upper end of a range ("3240-3660公顷": value 3240, high 3660).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub high: Option<Decimal>,
    /// The unit.
    pub unit: Unit,
    /// The figure with its unit, e.g. "383.73公顷".
    pub display: String,
    /// Qualifiers (约, 左右, 以内, 以上, 区间).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub qualifiers: Vec<Qualifier>,
    /// Where it is.
    pub place: QuantityPlace,
    /// What the text says it is (the words before it in its clause, or its table row).
    pub label: String,
    /// The table column header, for a figure in a table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
    /// Character range `[start, end)` of the figure (number through unit) in its line.
    #[serde(skip)]
    pub chars: (usize, usize),
    /// Index of the sentence within the line (counted by 。).
    #[serde(skip)]
    pub sentence: usize,
    /// Index of the table cell, for a figure in a table row.
    #[serde(skip)]
    pub cell: Option<usize>,
}

impl Quantity {
    /// The tolerance the stated precision implies: half a unit in the last place.
    pub fn tolerance(&self) -> Decimal {
        half_ulp(self.value)
    }

    /// The tolerance of the upper end of a range.
    pub fn tolerance_high(&self) -> Decimal {
        half_ulp(self.high.unwrap_or(self.value))
    }

    /// The upper end (the value itself unless a range).
    pub fn high_or_value(&self) -> Decimal {
        self.high.unwrap_or(self.value)
    }

    /// True when the document says 约/左右 about it.
    pub fn is_approximate(&self) -> bool {
        self.qualifiers
            .iter()
            .any(|q| matches!(q, Qualifier::About | Qualifier::Around))
    }

    /// The area unit, if any.
    pub fn area_unit(&self) -> Option<AreaUnit> {
        self.unit.area()
    }
}

/// A year mentioned as "2025年" or in a range "2020-2024年".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearMention {
    /// The year.
    pub year: i32,
    /// The other end, for a range.
    pub to: Option<i32>,
    /// Line (1-based).
    pub line: usize,
    /// Character range in the line.
    pub chars: (usize, usize),
    /// True when followed by 年度.
    pub annual: bool,
}

/// A figure that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damaged {
    /// Line (1-based).
    pub line: usize,
    /// Character range in the line (through the unit).
    pub chars: (usize, usize),
    /// The text as written.
    pub text: String,
    /// Why it is damaged, in Chinese.
    pub why: String,
}

/// One line of the source.
#[derive(Debug, Clone)]
pub struct Line {
    /// Line number, 1-based.
    pub number: usize,
    /// The line as decoded.
    pub text: String,
    /// The normalised characters (same count as `text`).
    pub norm: Vec<char>,
    /// Byte offset of each character in the decoded text, plus one past the end.
    pub offsets: Vec<usize>,
}

impl Line {
    /// The normalised text of a character range.
    pub fn slice(&self, a: usize, b: usize) -> String {
        self.norm[a.min(self.norm.len())..b.min(self.norm.len())]
            .iter()
            .collect()
    }

    /// The source text of a character range.
    pub fn source(&self, a: usize, b: usize) -> String {
        let base = self.offsets[0];
        let a = self.offsets[a.min(self.norm.len())] - base;
        let b = self.offsets[b.min(self.norm.len())] - base;
        self.text[a..b].to_string()
    }

    /// The whole normalised line.
    pub fn norm_string(&self) -> String {
        self.norm.iter().collect()
    }

    /// True for a table row (cells separated by tabs).
    pub fn is_row(&self) -> bool {
        self.norm.contains(&'\t') && self.cells().len() >= 2
    }

    /// The cells of a table row as character ranges.
    pub fn cells(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut start = 0;
        for (i, &c) in self.norm.iter().enumerate() {
            if c == '\t' {
                out.push((start, i));
                start = i + 1;
            }
        }
        out.push((start, self.norm.len()));
        out
    }
}

/// The lexed document.
#[derive(Debug, Clone, Default)]
pub struct Lexed {
    /// The lines.
    pub lines: Vec<Line>,
    /// Every figure, in document order.
    pub quantities: Vec<Quantity>,
    /// Every year mention.
    pub years: Vec<YearMention>,
    /// Damaged figures.
    pub damaged: Vec<Damaged>,
    /// "分别" lists: names before the marker, figures after it, one to one.
    pub lists: Vec<RespectiveList>,
    /// Counts of parcels ("共15宗", "十二块地", "8个地块").
    pub counts: Vec<CountMention>,
}

/// A stated number of parcels: digits or Chinese numerals followed by 宗, 块, 幅 or 个地块.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountMention {
    /// The number.
    pub value: u32,
    /// Line, 1-based.
    pub line: usize,
    /// Character range of number and measure word in the line.
    pub chars: (usize, usize),
    /// The words before it in its clause.
    pub label: String,
    /// As written.
    pub text: String,
    /// Written as a total: "共15宗", "合计15宗", "总计15宗", "15宗地块，总面积…" is not.
    pub total: bool,
}

/// True when the words right before `start` say the count is a total (共, 共计, 合计, 总计).
fn says_total(c: &[char], start: usize) -> bool {
    ["共计", "合计", "总计", "共有", "共"]
        .iter()
        .any(|w| ends_with(c, start, w) || ends_with(c, start, &format!("{w}为")))
}

/// Measure words after a number of parcels; returns the index after the word.
fn count_word_at(c: &[char], k: usize) -> Option<usize> {
    [
        "个地块",
        "处地块",
        "宗地块",
        "宗地",
        "宗",
        "块地",
        "幅地块",
        "幅",
    ]
    .iter()
    .find(|w| starts_with(c, k, w))
    .map(|w| k + w.chars().count())
    .or_else(|| {
        // "3块" but not "3块钱": 块 followed by a clause end or 地/土地.
        (c.get(k) == Some(&'块')
            && c.get(k + 1)
                .is_none_or(|&n| is_clause_delim(n) || matches!(n, '地' | '土' | '、' | ')')))
        .then_some(k + 1)
    })
}

/// A whole number written in Chinese numerals (两, 十五, 二十三, 一百零五); None otherwise.
pub fn parse_cn_int(s: &[char]) -> Option<u32> {
    let digit = |c: char| {
        "零一二三四五六七八九"
            .find(c)
            .map(|b| (b / 3) as u32)
            .or((c == '两').then_some(2))
    };
    if s.is_empty() {
        return None;
    }
    let mut total = 0u32;
    let mut current: Option<u32> = None;
    for &c in s {
        match c {
            '十' => {
                total += current.unwrap_or(1) * 10;
                current = None;
            }
            '百' => {
                total += current?.checked_mul(100)?;
                current = None;
            }
            '千' => {
                total += current?.checked_mul(1000)?;
                current = None;
            }
            _ => {
                let d = digit(c)?;
                if d == 0 {
                    current = None;
                } else {
                    if current.is_some() {
                        return None;
                    }
                    current = Some(d);
                }
            }
        }
    }
    Some(total + current.unwrap_or(0))
}

/// Counts written in Chinese numerals on a line ("共十二宗").
fn chinese_counts(line: &Line, out: &mut Vec<CountMention>) {
    let c = &line.norm;
    let is_cn = |ch: char| "零一二三四五六七八九十百千两".contains(ch);
    let mut i = 0;
    while i < c.len() {
        if !is_cn(c[i]) || (i > 0 && is_cn(c[i - 1])) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < c.len() && is_cn(c[j]) {
            j += 1;
        }
        let ordinal = i > 0 && c[i - 1] == '第';
        if let (Some(v), Some(end), false) = (parse_cn_int(&c[i..j]), count_word_at(c, j), ordinal)
        {
            out.push(CountMention {
                value: v,
                line: line.number,
                chars: (i, end),
                label: label_before(c, i, 0),
                text: line.source(i, end),
                total: says_total(c, i),
            });
        }
        i = j;
    }
}

/// A "分别" list in prose ("商服用地、住宅用地分别为10、20公顷", "分别占20%、30%"): the
/// lexer gives bare numbers in it the unit written after the last one; the model pairs the
/// names before 分别 with the figures in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RespectiveList {
    /// Line, 1-based.
    pub line: usize,
    /// The words before 分别 in its clause (normalised), e.g. "其中商服用地、住宅用地".
    pub names: String,
    /// How many numbers the list has.
    pub len: usize,
    /// The figures read from it, in order (indices into [`Lexed::quantities`]); fewer than
    /// `len` when one is damaged.
    pub figures: Vec<usize>,
    /// The list's unit.
    pub unit: Unit,
}

/// Characters that end a clause (the names of a "分别" list do not run past them).
fn is_clause_delim(ch: char) -> bool {
    matches!(
        ch,
        '，' | ',' | '；' | ';' | '。' | '：' | ':' | '\t' | '!' | '?' | '！' | '？'
    )
}

/// A "分别" list found on a line, before its figures are read.
struct ListScan {
    names: String,
    /// Start of each number, and whether it carries its own unit.
    items: Vec<(usize, bool)>,
    unit: Unit,
}

/// Find "分别" lists on a line: after 分别 and a few words (为, 是, 占, 供应, 占总量的 …), two or
/// more numbers separated by 、/和/及/与/以及, the last with a unit; a number may carry its own
/// unit (the same one) and a bracket after it ("10公顷（150亩）") is skipped.
fn respective_lists(c: &[char]) -> Vec<ListScan> {
    let n = c.len();
    let mut out = Vec::new();
    let mut p = 0;
    while p + 1 < n {
        if !(c[p] == '分' && c[p + 1] == '别') {
            p += 1;
            continue;
        }
        let marker = p;
        p += 2;
        let mut s = p;
        while s < n && s < p + 8 && !c[s].is_ascii_digit() && !is_clause_delim(c[s]) {
            s += 1;
        }
        let mut items: Vec<(usize, bool)> = Vec::new();
        let mut units: Vec<Unit> = Vec::new();
        let mut j = s;
        while j < n && c[j].is_ascii_digit() {
            let run = scan_run(c, j);
            let mut k = run.end;
            while k < n && c[k] == ' ' {
                k += 1;
            }
            let own = unit_at(c, k);
            items.push((j, own.is_some()));
            if let Some((u, _)) = own {
                units.push(u);
            }
            j = own.map_or(k, |(_, e)| e);
            // A bracket right after the figure: its restatement or share, read as usual.
            if j < n && c[j] == '(' {
                match c[j..].iter().position(|&ch| ch == ')') {
                    Some(close) => j += close + 1,
                    None => break,
                }
            }
            while j < n && c[j] == ' ' {
                j += 1;
            }
            if starts_with(c, j, "以及") {
                j += 2;
            } else if j < n && matches!(c[j], '、' | '和' | '及' | '与') {
                j += 1;
            } else {
                break;
            }
            while j < n && c[j] == ' ' {
                j += 1;
            }
        }
        let last_has_unit = items.last().is_some_and(|&(_, u)| u);
        let unit = units.last().copied();
        if items.len() >= 2 && last_has_unit && units.iter().all(|u| Some(*u) == unit) {
            let mut a = marker;
            while a > 0 && !is_clause_delim(c[a - 1]) {
                a -= 1;
            }
            if let Some(unit) = unit {
                out.push(ListScan {
                    names: c[a..marker].iter().collect(),
                    items,
                    unit,
                });
            }
        }
        p = j.max(p);
    }
    out
}

/// Area units, longest written form first.
const UNITS: &[(&str, Unit)] = &[
    ("平方公里", Unit::Area(AreaUnit::SquareKilometre)),
    ("平方千米", Unit::Area(AreaUnit::SquareKilometre)),
    // 1 万平方米 = 1 公顷 exactly.
    ("万平方米", Unit::Area(AreaUnit::Hectare)),
    ("平方米", Unit::Area(AreaUnit::SquareMetre)),
    ("万公顷", Unit::Area(AreaUnit::TenThousandHectare)),
    ("万亩", Unit::Area(AreaUnit::TenThousandMu)),
    ("公顷", Unit::Area(AreaUnit::Hectare)),
    ("平米", Unit::Area(AreaUnit::SquareMetre)),
    ("亿元", Unit::Money(MoneyUnit::YiYuan)),
    ("万元", Unit::Money(MoneyUnit::WanYuan)),
    ("hm2", Unit::Area(AreaUnit::Hectare)),
    ("hm²", Unit::Area(AreaUnit::Hectare)),
    ("km2", Unit::Area(AreaUnit::SquareKilometre)),
    ("km²", Unit::Area(AreaUnit::SquareKilometre)),
    ("m2", Unit::Area(AreaUnit::SquareMetre)),
    ("m²", Unit::Area(AreaUnit::SquareMetre)),
    ("ha", Unit::Area(AreaUnit::Hectare)),
    ("亩", Unit::Area(AreaUnit::Mu)),
    ("㎡", Unit::Area(AreaUnit::SquareMetre)),
    ("元", Unit::Money(MoneyUnit::Yuan)),
    ("%", Unit::Percent),
];

/// Match a unit at `k`; returns the unit and the index after it. A unit followed by `/` is a
/// rate (元/平方米, 万元/亩): no unit.
fn unit_at(c: &[char], k: usize) -> Option<(Unit, usize)> {
    for (w, u) in UNITS {
        let wc: Vec<char> = w.chars().collect();
        if k + wc.len() <= c.len() && c[k..k + wc.len()] == wc[..] {
            let end = k + wc.len();
            if wc[0].is_ascii_alphabetic() && end < c.len() && c[end].is_ascii_alphanumeric() {
                return None;
            }
            if end < c.len() && (c[end] == '/' || c[end] == '每') {
                return None;
            }
            // 亩均 (per 亩) is a rate, not an area.
            if *w == "亩" && end < c.len() && c[end] == '均' {
                return None;
            }
            return Some((*u, end));
        }
    }
    None
}

fn is_range_sep(ch: char) -> bool {
    matches!(ch, '-' | '~' | '～' | '—' | '–' | '至' | '到' | '－' | '〜')
}

/// A scanned number run.
struct Run {
    start: usize,
    end: usize,
    raw: String,
}

/// Scan the run of a number starting at `i`: digits, '.', ',', a stray space next to '.', and
/// ASCII letters between digits (which make it damaged).
fn scan_run(c: &[char], i: usize) -> Run {
    let mut j = i;
    let n = c.len();
    while j < n {
        let ch = c[j];
        let prev = if j > i { Some(c[j - 1]) } else { None };
        let next = c.get(j + 1).copied();
        let ok = match ch {
            '0'..='9' | '.' => true,
            ',' => matches!(prev, Some('0'..='9')) && matches!(next, Some('0'..='9')),
            ' ' => {
                (matches!(prev, Some('0'..='9')) && next == Some('.'))
                    || (prev == Some('.') && matches!(next, Some('0'..='9')))
            }
            'A'..='Z' | 'a'..='z' => {
                matches!(prev, Some('0'..='9'))
                    && matches!(next, Some('0'..='9') | Some('.'))
                    && unit_at(c, j).is_none()
            }
            _ => false,
        };
        if !ok {
            break;
        }
        j += 1;
    }
    Run {
        start: i,
        end: j,
        raw: c[i..j].iter().filter(|&&ch| ch != ' ').collect(),
    }
}

/// Parse a number as written; `Err` says why it is damaged.
fn parse_number(raw: &str) -> Result<Decimal, String> {
    if raw.chars().any(|ch| ch.is_ascii_alphabetic()) {
        return Err("数字中夹有字母".to_string());
    }
    if raw.starts_with('.') {
        return Err("小数点前缺少数字".to_string());
    }
    if raw.ends_with('.') {
        return Err("小数点后缺少数字".to_string());
    }
    if raw.contains("..") {
        return Err("连续的小数点".to_string());
    }
    if raw.matches('.').count() > 1 {
        return Err("多个小数点".to_string());
    }
    let (int, frac) = match raw.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (raw, None),
    };
    if frac.is_some_and(|f| f.contains(',')) {
        return Err("小数部分有分隔符".to_string());
    }
    let int = if int.contains(',') {
        let groups: Vec<&str> = int.split(',').collect();
        let ok = (1..=3).contains(&groups[0].len()) && groups[1..].iter().all(|g| g.len() == 3);
        if !ok {
            return Err("千位分隔符位置不对".to_string());
        }
        groups.concat()
    } else {
        int.to_string()
    };
    // Twelve digits either side cover every real area and amount; the bound keeps all later
    // arithmetic (sums, ×15, ratios) far from the range of `Decimal`.
    if int.is_empty() || int.len() > 12 || frac.is_some_and(|f| f.len() > 12) {
        return Err("数字过长".to_string());
    }
    let s = match frac {
        Some(f) => format!("{int}.{f}"),
        None => int,
    };
    Decimal::from_str(&s).map_err(|_| "无法识别的数字".to_string())
}

/// Words before a figure that qualify it, longest first.
const QUAL_BEFORE: &[(&str, Qualifier)] = &[
    ("不超过", Qualifier::Within),
    ("不高于", Qualifier::Within),
    ("不多于", Qualifier::Within),
    ("不少于", Qualifier::AtLeast),
    ("不低于", Qualifier::AtLeast),
    ("控制在", Qualifier::Within),
    ("大约", Qualifier::About),
    ("超过", Qualifier::AtLeast),
    ("达到", Qualifier::AtLeast),
    ("约", Qualifier::About),
    ("近", Qualifier::About),
];

const QUAL_AFTER: &[(&str, Qualifier)] = &[
    ("左右", Qualifier::Around),
    ("以内", Qualifier::Within),
    ("以下", Qualifier::Within),
    ("之内", Qualifier::Within),
    ("以上", Qualifier::AtLeast),
    ("内", Qualifier::Within),
];

fn ends_with(c: &[char], end: usize, w: &str) -> bool {
    let wc: Vec<char> = w.chars().collect();
    end >= wc.len() && c[end - wc.len()..end] == wc[..]
}

fn starts_with(c: &[char], at: usize, w: &str) -> bool {
    let wc: Vec<char> = w.chars().collect();
    at + wc.len() <= c.len() && c[at..at + wc.len()] == wc[..]
}

fn qualifiers(c: &[char], start: usize, end: usize) -> Vec<Qualifier> {
    let mut q = Vec::new();
    let mut b = start;
    while b > 0 && c[b - 1] == ' ' {
        b -= 1;
    }
    for (w, k) in QUAL_BEFORE {
        if ends_with(c, b, w) {
            q.push(*k);
            break;
        }
    }
    // 控制在…以内 with a word between ("控制在383.73公顷（约…）内").
    let window_start = b.saturating_sub(12);
    let before: String = c[window_start..b].iter().collect();
    if before.contains("控制在") && !q.contains(&Qualifier::Within) {
        q.push(Qualifier::Within);
    }
    let mut a = end;
    while a < c.len() && c[a] == ' ' {
        a += 1;
    }
    for (w, k) in QUAL_AFTER {
        if starts_with(c, a, w) {
            if !q.contains(k) {
                q.push(*k);
            }
            break;
        }
    }
    q
}

fn is_label_delim(ch: char) -> bool {
    matches!(
        ch,
        '，' | ','
            | '；'
            | ';'
            | '。'
            | '、'
            | '\t'
            | '('
            | ')'
            | '：'
            | ':'
            | '!'
            | '?'
            | '！'
            | '？'
    )
}

/// The words before a figure that say what it is: back to the previous delimiter or figure,
/// skipping a parenthetical right before it; past a colon when nothing precedes it.
pub fn label_before(c: &[char], start: usize, floor: usize) -> String {
    let mut j = start;
    let mut out: Vec<char> = Vec::new();
    let mut passed_colon = false;
    while j > floor {
        let ch = c[j - 1];
        if ch == ')' {
            // Skip "(…)" right before: "其他用地（包括：…）1945.64公顷".
            let mut depth = 0usize;
            let mut k = j;
            while k > floor {
                match c[k - 1] {
                    ')' => depth += 1,
                    '(' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                k -= 1;
            }
            if k > floor && depth == 0 {
                j = k - 1;
                continue;
            }
            break;
        }
        if is_label_delim(ch) {
            let meaningful = out
                .iter()
                .any(|c| !matches!(c, ' ' | '为' | '约' | '共' | '计'));
            // "面积：4.0254公顷", "巴楚镇（39.52公顷）": the words are before the colon/bracket.
            if matches!(ch, '：' | ':' | '(') && !meaningful && !passed_colon && j - 1 > floor {
                passed_colon = true;
                j -= 1;
                continue;
            }
            // "1.城关镇：供应30公顷": a generic word after a colon belongs to the name before it.
            let so_far: String = out.iter().rev().collect();
            let generic = [
                "供应",
                "供应量",
                "供地",
                "面积",
                "规模",
                "计划供应",
                "拟供应",
                "供应面积",
                "用地面积",
                "储备",
                "收储",
            ];
            if matches!(ch, '：' | ':')
                && !passed_colon
                && j - 1 > floor
                && generic.contains(&clean_label(&so_far).as_str())
            {
                passed_colon = true;
                j -= 1;
                continue;
            }
            break;
        }
        out.push(ch);
        j -= 1;
    }
    out.reverse();
    clean_label(&out.iter().collect::<String>())
}

/// Strip enumerators ("1.", "(一)", "一、"), a leading year, 其中, and filler words.
pub fn clean_label(s: &str) -> String {
    let mut t = s.trim().to_string();
    loop {
        let before = t.clone();
        let c: Vec<char> = t.chars().collect();
        // Leading enumerator digits "1." / "12." / "(3)".
        let mut k = 0;
        while k < c.len() && c[k].is_ascii_digit() {
            k += 1;
        }
        if k > 0 && k < c.len() && matches!(c[k], '.' | '、' | ')') && k <= 3 {
            t = c[k + 1..].iter().collect();
        } else if k == 4 && k < c.len() && c[k] == '年' {
            // A leading year: "2025年度巴楚县…".
            let mut r = k + 1;
            if r < c.len() && c[r] == '度' {
                r += 1;
            }
            t = c[r..].iter().collect();
        }
        for p in ["其中", "包括", "即", "另有", "以及", "及", "和", " "] {
            if let Some(rest) = t.strip_prefix(p) {
                t = rest.to_string();
            }
        }
        for p in [
            "为",
            "约",
            "共",
            "达",
            "控制在",
            "是",
            "有",
            "大约",
            "近",
            " ",
        ] {
            if let Some(rest) = t.strip_suffix(p) {
                t = rest.to_string();
            }
        }
        if t == before {
            break;
        }
    }
    t.trim().to_string()
}

/// Column units and names read from a table header row.
#[derive(Debug, Clone, Default)]
struct TableHeader {
    names: Vec<String>,
    units: Vec<Option<Unit>>,
}

fn unit_in_header(cell: &str, default: Option<Unit>) -> Option<Unit> {
    let c: Vec<char> = cell.chars().collect();
    // A cell that is only a unit ("公顷", "(亩)", "%"): a sub-header under a merged cell.
    let bare: Vec<char> = c
        .iter()
        .copied()
        .filter(|&ch| !matches!(ch, '(' | ')' | ' '))
        .collect();
    if let Some((u, end)) = unit_at(&bare, 0) {
        if end == bare.len() {
            return Some(u);
        }
    }
    // "面积（公顷）", "占比(%)", "面积/亩", "单位：公顷".
    for (i, &ch) in c.iter().enumerate() {
        if matches!(ch, '(' | '/' | '：' | ':' | '[') {
            let mut k = i + 1;
            while k < c.len() && c[k] == ' ' {
                k += 1;
            }
            if let Some((u, _)) = unit_at(&c, k) {
                return Some(u);
            }
        }
    }
    if cell.contains("占比") || cell.contains("比例") || cell.contains("比重") {
        return Some(Unit::Percent);
    }
    let named = [
        "面积",
        "规模",
        "合计",
        "小计",
        "新增",
        "存量",
        "总量",
        "用地",
        "供应量",
    ];
    if named.iter().any(|w| cell.contains(w)) {
        return default;
    }
    // Under "单位：公顷" every column holds areas except those that plainly hold something
    // else (序号, 宗数, 年份, 价格 …); a class or place column such as "其他" is an area.
    let other = [
        "序号", "编号", "代码", "号", "宗", "数量", "个数", "年", "月", "季度", "比", "率", "价",
        "元", "名称", "类型", "位置", "坐落", "用途", "方式", "备注", "区域", "乡镇", "单位",
        "密度", "系数", "强度", "高度", "层", "期限", "时间", "日期", "人", "户", "套", "间",
    ];
    if default.is_some() && !cell.trim().is_empty() && !other.iter().any(|w| cell.contains(w)) {
        return default;
    }
    None
}

fn table_unit_declared(norm: &str) -> Option<Unit> {
    let i = norm.find("单位")?;
    let rest: Vec<char> = norm[i + "单位".len()..].chars().collect();
    let mut k = 0;
    while k < rest.len() && matches!(rest[k], '：' | ':' | ' ') {
        k += 1;
    }
    unit_at(&rest, k).map(|(u, _)| u)
}

/// Lex a whole document.
pub fn lex_document(text: &str) -> Lexed {
    let mut out = Lexed::default();
    let mut offset = 0usize;
    let mut header: Option<TableHeader> = None;
    let mut declared: Option<Unit> = None;
    let mut last_was_header = false;
    for (idx, raw) in text.split('\n').enumerate() {
        let norm: Vec<char> = tableize(normalize(raw).chars().collect());
        let mut offsets: Vec<usize> = raw.char_indices().map(|(b, _)| offset + b).collect();
        offsets.push(offset + raw.len());
        let line = Line {
            number: idx + 1,
            text: raw.to_string(),
            norm,
            offsets,
        };
        offset += raw.len() + 1;
        let ns = line.norm_string();
        if let Some(u) = table_unit_declared(&ns) {
            declared = Some(u);
        }
        if line.is_row() {
            let cells = line.cells();
            let texts: Vec<String> = cells.iter().map(|&(a, b)| line.slice(a, b)).collect();
            let numeric = texts.iter().filter(|t| is_bare_number(t)).count();
            let headerish = texts.iter().any(|t| {
                unit_in_header(t, None).is_some()
                    || [
                        "面积", "编号", "名称", "类型", "序号", "用途", "地类", "坐落", "位置",
                        "合计",
                    ]
                    .iter()
                    .any(|w| t.contains(w))
            });
            if numeric == 0 && (header.is_none() || headerish) {
                let units: Vec<Option<Unit>> =
                    texts.iter().map(|t| unit_in_header(t, declared)).collect();
                let names: Vec<String> = texts.iter().map(|t| t.trim().to_string()).collect();
                header = match header.take() {
                    // A second header row right under the first (merged cells: "面积" over
                    // "公顷 | 亩"): each column keeps both names and the unit either gives.
                    Some(prev) if last_was_header && prev.names.len() == names.len() => {
                        Some(TableHeader {
                            names: prev
                                .names
                                .iter()
                                .zip(&names)
                                .map(|(a, b)| format!("{a}{b}").trim().to_string())
                                .collect(),
                            units: units
                                .iter()
                                .zip(&prev.units)
                                .map(|(u, p)| u.or(*p))
                                .collect(),
                        })
                    }
                    _ => Some(TableHeader { names, units }),
                };
                last_was_header = true;
            } else {
                last_was_header = false;
            }
            // Cells are matched to header columns by position: only when the row has as many
            // cells as the header (a space-aligned row with an empty cell would shift).
            let h = header.as_ref().filter(|h| h.names.len() == cells.len());
            lex_line(&line, h, &mut out);
        } else {
            let rule_line = ns
                .trim()
                .chars()
                .all(|ch| matches!(ch, '-' | '=' | '—' | '─' | '+' | '|' | ' ' | ':'));
            if !ns.trim().is_empty() && !rule_line {
                header = None;
                last_was_header = false;
                if table_unit_declared(&ns).is_none() {
                    declared = None;
                }
            }
            lex_line(&line, None, &mut out);
            chinese_counts(&line, &mut out.counts);
        }
        out.lines.push(line);
    }
    out.counts.sort_by_key(|c| (c.line, c.chars.0));
    out
}

/// The label of a table row: its first cell with words in it (not a number or a code).
pub fn row_label(line: &Line) -> Option<String> {
    line.cells()
        .into_iter()
        .map(|(a, b)| line.slice(a, b))
        .find(|t| t.chars().any(|c| !c.is_ascii() && !c.is_whitespace()))
        .map(|t| clean_label(&t))
}

/// Turn a text table row into tab-separated cells, character for character (so columns stay
/// true): a Markdown row "| a | b |" (outer bars become spaces, inner bars tabs), or a
/// space-aligned row with at least three cells of which at least two are numbers (the first
/// space of each run of two or more becomes a tab).
fn tableize(mut c: Vec<char>) -> Vec<char> {
    let t: String = c.iter().collect();
    let trimmed = t.trim();
    if trimmed.len() > 2 && trimmed.starts_with('|') && trimmed.ends_with('|') && !c.contains(&'\t')
    {
        let first = c.iter().position(|&x| x == '|').unwrap_or(0);
        let last = c.iter().rposition(|&x| x == '|').unwrap_or(0);
        for (i, ch) in c.iter_mut().enumerate() {
            if *ch == '|' {
                *ch = if i == first || i == last { ' ' } else { '\t' };
            }
        }
        return c;
    }
    if c.contains(&'\t') {
        return c;
    }
    // Space-aligned columns.
    let mut runs = Vec::new();
    let mut i = 0;
    let start = c.iter().position(|ch| *ch != ' ').unwrap_or(c.len());
    i = i.max(start);
    while i < c.len() {
        if c[i] == ' ' {
            let s = i;
            while i < c.len() && c[i] == ' ' {
                i += 1;
            }
            if i - s >= 2 && i < c.len() {
                runs.push(s);
            }
        } else {
            i += 1;
        }
    }
    if runs.len() < 2 {
        return c;
    }
    let mut bounds = vec![start];
    bounds.extend(runs.iter().copied());
    bounds.push(c.len());
    let cells: Vec<String> = bounds
        .windows(2)
        .map(|w| c[w[0]..w[1]].iter().collect::<String>())
        .collect();
    let numbers = cells.iter().filter(|x| is_bare_number(x)).count();
    let unit_headers = cells
        .iter()
        .filter(|x| unit_in_header(x.trim(), None).is_some())
        .count();
    if numbers < 2 && !(cells.len() >= 3 && unit_headers >= 1) {
        return c;
    }
    for r in runs {
        c[r] = '\t';
    }
    c
}

fn is_bare_number(t: &str) -> bool {
    let t = t.trim();
    !t.is_empty()
        && t.chars().any(|c| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
}

fn lex_line(line: &Line, header: Option<&TableHeader>, out: &mut Lexed) {
    let c = &line.norm;
    let n = c.len();
    let cells = if line.is_row() {
        line.cells()
    } else {
        Vec::new()
    };
    let cell_of = |pos: usize| cells.iter().position(|&(a, b)| a <= pos && pos < b);
    let scans = if cells.is_empty() {
        respective_lists(c)
    } else {
        Vec::new()
    };
    let first_list = out.lists.len();
    for l in &scans {
        out.lists.push(RespectiveList {
            line: line.number,
            names: l.names.clone(),
            len: l.items.len(),
            figures: Vec::new(),
            unit: l.unit,
        });
    }
    // Start of a number in a list → (list, whether it has its own unit).
    let list_item = |pos: usize| {
        scans.iter().enumerate().find_map(|(li, l)| {
            l.items
                .iter()
                .find(|&&(start, _)| start == pos)
                .map(|&(_, own)| (li, own))
        })
    };
    let mut i = 0;
    let mut sentence = 0usize;
    let mut last_end = 0usize;
    while i < n {
        let ch = c[i];
        if ch == '。' {
            sentence += 1;
        }
        let starts_number = ch.is_ascii_digit()
            || (ch == '.'
                && i + 1 < n
                && c[i + 1].is_ascii_digit()
                && (i == 0 || !c[i - 1].is_ascii_alphanumeric()));
        if !starts_number {
            i += 1;
            continue;
        }
        // Part of an identifier (BC2025CB011, GB/T21010-2017): skip the alphanumeric run.
        if i > 0 && (c[i - 1].is_ascii_alphabetic() || c[i - 1] == '_') {
            while i < n && (c[i].is_ascii_alphanumeric() || c[i] == '-' || c[i] == '_') {
                i += 1;
            }
            continue;
        }
        let mut run = scan_run(c, i);
        // Trailing '.' or ',' is sentence punctuation unless a unit follows it directly.
        let mut trailing_dot = false;
        while run.end > run.start + 1 && matches!(c[run.end - 1], '.' | ',' | ' ') {
            if c[run.end - 1] == '.' && unit_at(c, run.end).is_some() {
                trailing_dot = true;
                break;
            }
            run.end -= 1;
            run.raw.pop();
        }
        let _ = trailing_dot;
        let mut k = run.end;
        while k < n && c[k] == ' ' {
            k += 1;
        }
        // Years: "2025年", "2021 年", "2020-2024年".
        if run.raw.len() == 4 && run.raw.chars().all(|d| d.is_ascii_digit()) {
            let y: i32 = run.raw.parse().unwrap_or(0);
            if (1900..=2100).contains(&y) {
                if k < n && c[k] == '年' {
                    out.years.push(YearMention {
                        year: y,
                        to: None,
                        line: line.number,
                        chars: (run.start, k + 1),
                        annual: c.get(k + 1) == Some(&'度'),
                    });
                    i = k + 1;
                    continue;
                }
                if k < n && is_range_sep(c[k]) {
                    let mut m = k + 1;
                    while m < n && c[m] == ' ' {
                        m += 1;
                    }
                    let r2 = scan_run(c, m);
                    let mut e = r2.end;
                    while e < n && c[e] == ' ' {
                        e += 1;
                    }
                    if r2.raw.len() == 4 && e < n && c[e] == '年' {
                        if let Ok(y2) = r2.raw.parse::<i32>() {
                            out.years.push(YearMention {
                                year: y,
                                to: Some(y2),
                                line: line.number,
                                chars: (run.start, e + 1),
                                annual: c.get(e + 1) == Some(&'度'),
                            });
                            i = e + 1;
                            continue;
                        }
                    }
                }
            }
        }
        // The unit: written after the number, or given by the table column.
        let mut unit = unit_at(c, k);
        let mut high: Option<(Run, usize)> = None;
        if unit.is_none() && k < n && is_range_sep(c[k]) {
            let mut m = k + 1;
            while m < n && c[m] == ' ' {
                m += 1;
            }
            if m < n && c[m].is_ascii_digit() {
                let r2 = scan_run(c, m);
                let mut e = r2.end;
                while e < n && c[e] == ' ' {
                    e += 1;
                }
                if let Some(u) = unit_at(c, e) {
                    unit = Some(u);
                    high = Some((r2, e));
                }
            }
        }
        let cell = cell_of(i);
        let mut from_header = None;
        let in_list = list_item(run.start);
        if let (None, Some((li, false))) = (unit, in_list) {
            // A bare number in a "分别" list takes the list's unit ("10、20公顷").
            unit = Some((scans[li].unit, run.end));
        }
        if unit.is_none() {
            if let (Some(h), Some(ci)) = (header, cell) {
                let (a, b) = cells[ci];
                let cell_text = line.slice(a, b);
                // "-10.00" in an 增减 column is a bare number with its sign.
                let signed = cell_text
                    .trim()
                    .strip_prefix(['-', '−'])
                    .is_some_and(|r| !r.starts_with(' ') && is_bare_number(r));
                if (is_bare_number(&cell_text) || signed) && a <= b {
                    if let Some(Some(u)) = h.units.get(ci) {
                        unit = Some((*u, run.end));
                        from_header = h.names.get(ci).cloned();
                    }
                }
            }
        }
        let Some((unit, mut end)) = unit else {
            let ordinal = run.start > 0 && c[run.start - 1] == '第';
            if let (Some(end), Ok(v), false) =
                (count_word_at(c, k), run.raw.parse::<u32>(), ordinal)
            {
                out.counts.push(CountMention {
                    value: v,
                    line: line.number,
                    chars: (run.start, end),
                    label: label_before(c, run.start, last_end),
                    text: line.source(run.start, end),
                    total: says_total(c, run.start),
                });
            }
            i = run.end.max(i + 1);
            continue;
        };
        // "N1公顷-N2公顷": a range written with the unit twice.
        if high.is_none() && end < n && is_range_sep(c[end]) {
            let mut m = end + 1;
            while m < n && c[m] == ' ' {
                m += 1;
            }
            if m < n && c[m].is_ascii_digit() {
                let r2 = scan_run(c, m);
                let mut e = r2.end;
                while e < n && c[e] == ' ' {
                    e += 1;
                }
                if let Some((u2, e2)) = unit_at(c, e) {
                    if u2 == unit {
                        high = Some((r2, e));
                        end = e2;
                    }
                }
            }
        }
        let (hi_val, end) = match &high {
            Some((r2, e)) => {
                let e_end = if end > *e {
                    end
                } else {
                    unit_at(c, *e).map(|x| x.1).unwrap_or(*e)
                };
                match parse_number(&r2.raw) {
                    Ok(v) => (Some(Ok(v)), e_end),
                    Err(why) => (Some(Err(why)), e_end),
                }
            }
            None => (None, end),
        };
        let value = parse_number(&run.raw);
        let damaged = match (&value, &hi_val) {
            (Err(w), _) => Some(w.clone()),
            (_, Some(Err(w))) => Some(w.clone()),
            _ => None,
        };
        if let Some(why) = damaged {
            out.damaged.push(Damaged {
                line: line.number,
                chars: (run.start, end),
                text: line.source(run.start, end),
                why,
            });
            i = end.max(i + 1);
            last_end = end;
            continue;
        }
        let mut value = value.unwrap_or_default();
        // A table cell holding "-10.00" (an 增减 column): the sign is part of the figure. In
        // prose a dash is a range or a code, never a sign.
        if let Some(ci) = cell {
            // The sign written against the number: "- 20.00" may be an empty-cell dash.
            if high.is_none()
                && matches!(line.slice(cells[ci].0, run.start).trim_start(), "-" | "−")
            {
                value = -value;
            }
        }
        let high = hi_val.and_then(|r| r.ok());
        let mut quals = qualifiers(c, run.start, end);
        if high.is_some() {
            quals.push(Qualifier::Range);
        }
        let label = match (header, cell) {
            (Some(_), Some(ci)) => {
                let (a, _) = cells[ci];
                match row_label(line) {
                    Some(label) if ci > 0 => label,
                    _ => label_before(c, run.start, a),
                }
            }
            _ => label_before(c, run.start, last_end),
        };
        let display = match high {
            Some(h) => format!("{value}-{h}{}", unit.label()),
            None => format!("{value}{}", unit.label()),
        };
        if let Some((li, _)) = in_list {
            out.lists[first_list + li]
                .figures
                .push(out.quantities.len());
        }
        out.quantities.push(Quantity {
            value,
            high,
            unit,
            display,
            qualifiers: quals,
            place: QuantityPlace {
                line: line.number,
                column: run.start + 1,
                span: (line.offsets[run.start], line.offsets[end.min(n)]),
                text: line.source(run.start, end),
            },
            label,
            header: from_header,
            chars: (run.start, end),
            sentence,
            cell,
        });
        last_end = end;
        i = end.max(i + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str) -> Lexed {
        lex_document(text)
    }

    #[test]
    fn figures_with_units_qualifiers_and_places() {
        let l = q("总量控制在383.73公顷（约575.95亩）内，资金0.75亿元。");
        let v: Vec<String> = l.quantities.iter().map(|x| x.display.clone()).collect();
        assert_eq!(v, ["383.73公顷", "575.95亩", "0.75亿元"]);
        assert_eq!(l.quantities[0].place.column, 6);
        assert!(l.quantities[0].qualifiers.contains(&Qualifier::Within));
        assert!(l.quantities[1].is_approximate());
        assert_eq!(l.quantities[0].label, "总量");
        let t = "总量控制在383.73公顷";
        assert_eq!(
            &t[l.quantities[0].place.span.0..l.quantities[0].place.span.1],
            "383.73公顷"
        );
    }

    #[test]
    fn full_width_spaces_ranges_and_separators() {
        let l = q("规模３２４０－３６６０公顷，另15 .93公顷，和1,234.5亩，以及10公顷-12公顷");
        let d: Vec<String> = l.quantities.iter().map(|x| x.display.clone()).collect();
        assert_eq!(d, ["3240-3660公顷", "15.93公顷", "1234.5亩", "10-12公顷"]);
        assert_eq!(l.quantities[0].place.text, "３２４０－３６６０公顷");
    }

    #[test]
    fn damaged_figures_are_never_read() {
        let l = q("甲.32公顷，乙1..5公顷，丙12.3.4公顷，丁12O.5公顷，戊7.2公顷");
        assert_eq!(l.damaged.len(), 4, "{:?}", l.damaged);
        assert_eq!(l.quantities.len(), 1);
        assert_eq!(l.quantities[0].display, "7.2公顷");
    }

    #[test]
    fn absurdly_long_numbers_are_damaged_not_overflowing() {
        let l = q("总量99999999999999999999公顷，其中住宅0.000000000001公顷，占比50%");
        assert_eq!(l.damaged.len(), 1);
        let r = crate::check_text(
            "x.txt",
            "总量为0.000000000001公顷，其中：住宅用地999999999999公顷，占比50%，商服用地1公顷。",
        );
        assert!(r.findings.iter().any(|f| f.rule == "sum.mismatch"));
    }

    #[test]
    fn numbers_without_units_and_identifiers_are_not_figures() {
        let l = q("1.严格保护耕地。国土资发〔2010〕117号，GB/T21010-2017，BC2025CB011，3类指标，2021 年 11 月");
        assert!(l.quantities.is_empty(), "{:?}", l.quantities);
        assert_eq!(l.years.len(), 1);
        assert_eq!(l.years[0].year, 2021);
        let l = q("结合2020-2024年供应情况，地价2000元/平方米");
        assert!(l.quantities.is_empty());
        assert_eq!(l.years[0].to, Some(2024));
    }

    #[test]
    fn table_cells_take_their_unit_from_the_header() {
        let l = q("用地类型\t面积（公顷）\t占比（%）\n住宅用地\t12.5\t50.0\n合计\t25\t100");
        let d: Vec<(String, String)> = l
            .quantities
            .iter()
            .map(|x| (x.label.clone(), x.display.clone()))
            .collect();
        assert_eq!(
            d,
            [
                ("住宅用地".to_string(), "12.5公顷".to_string()),
                ("住宅用地".to_string(), "50.0%".to_string()),
                ("合计".to_string(), "25公顷".to_string()),
                ("合计".to_string(), "100%".to_string())
            ]
        );
    }

    #[test]
    fn respective_lists_share_their_unit() {
        let l = q("其中商服用地、住宅用地分别为10、20.5公顷，分别占33.3%和66.7%。");
        let d: Vec<String> = l.quantities.iter().map(|x| x.display.clone()).collect();
        assert_eq!(d, ["10公顷", "20.5公顷", "33.3%", "66.7%"]);
        assert_eq!(l.lists.len(), 2);
        assert_eq!(l.lists[0].names, "其中商服用地、住宅用地");
        assert_eq!(l.lists[0].figures, [0, 1]);
        assert_eq!(l.lists[1].figures, [2, 3]);
        assert_eq!(l.quantities[0].place.text, "10");
        // Each with its unit, a bracket after one, 以及 as separator.
        let l = q("分别为10公顷（150亩）、20公顷以及30公顷");
        assert_eq!(l.lists[0].len, 3);
        assert_eq!(l.lists[0].figures, [0, 2, 3]);
        // Not lists: a single figure, years, mixed units, bare numbers without 分别.
        for t in [
            "分别为10公顷",
            "分别于2025年、2026年完成",
            "分别为10公顷、150亩",
            "商服用地10、住宅用地20公顷",
        ] {
            let l = q(t);
            assert!(l.lists.is_empty(), "{t}: {:?}", l.lists);
        }
        assert_eq!(q("商服用地10、住宅用地20公顷").quantities.len(), 1);
    }

    #[test]
    fn two_header_rows_under_merged_cells_give_each_column_its_unit() {
        // "面积" spans two columns (公顷, 亩); 用地类型 and 占比 span two rows.
        let l = q("用地类型\t面积\t\t占比（%）\n\t公顷\t亩\t\n住宅用地\t12.5\t187.5\t50.0\n合计\t25\t375\t100");
        let d: Vec<(String, String, Option<String>)> = l
            .quantities
            .iter()
            .map(|x| (x.label.clone(), x.display.clone(), x.header.clone()))
            .collect();
        assert_eq!(d.len(), 6, "{d:?}");
        assert_eq!(d[0].1, "12.5公顷");
        assert_eq!(d[0].2.as_deref(), Some("面积公顷"));
        assert_eq!(d[1].1, "187.5亩");
        assert_eq!(d[2].1, "50.0%");
        assert_eq!(d[5].0, "合计");
        assert_eq!(d[5].1, "100%");
    }

    #[test]
    fn parcel_counts_in_digits_and_chinese_numerals() {
        let l = q("计划供应地块共15宗，其中住宅用地十二宗、工业用地3块地，另有两个地块待定，花费5块钱，第一宗");
        let v: Vec<(u32, &str)> = l
            .counts
            .iter()
            .map(|c| (c.value, c.text.as_str()))
            .collect();
        // "第一宗" is an ordinal, "5块钱" is money.
        assert_eq!(
            v,
            [(15, "15宗"), (12, "十二宗"), (3, "3块地"), (2, "两个地块")]
        );
        assert_eq!(l.counts[0].label, "计划供应地块");
        let totals: Vec<bool> = l.counts.iter().map(|c| c.total).collect();
        assert_eq!(totals, [true, false, false, false]);
        for (t, n) in [
            ("十", 10),
            ("十五", 15),
            ("二十三", 23),
            ("一百零五", 105),
            ("两百", 200),
            ("三千零二十", 3020),
        ] {
            assert_eq!(parse_cn_int(&t.chars().collect::<Vec<_>>()), Some(n), "{t}");
        }
        assert_eq!(parse_cn_int(&"三五".chars().collect::<Vec<_>>()), None);
    }

    #[test]
    fn labels_skip_parentheticals_and_enumerators() {
        let l = q("其中:住宅用地871.73公顷；其他用地（包括：公共管理与公共服务用地、特殊用地）1945.64公顷");
        assert_eq!(l.quantities[0].label, "住宅用地");
        assert_eq!(l.quantities[1].label, "其他用地");
        let l = q("1.资金总量：0.75亿元");
        assert_eq!(l.quantities[0].label, "资金总量");
    }

    #[test]
    fn a_signed_cell_is_a_negative_figure_and_a_spaced_dash_is_not() {
        let l = lex_document("用地类型\t增减（公顷）\n商服用地\t-10.00\n住宅用地\t- 20.00\n");
        let values: Vec<String> = l.quantities.iter().map(|q| q.value.to_string()).collect();
        assert_eq!(values[0], "-10.00");
        assert!(!values.contains(&"-20.00".to_string()), "{values:?}");
        // In prose a dash is a range, not a sign.
        let p = lex_document("面积为3240-3660公顷。");
        assert_eq!(p.quantities[0].value.to_string(), "3240");
    }
}
