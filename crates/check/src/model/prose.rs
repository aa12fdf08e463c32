//! A prose block (one line of items): explicit wholes followed by 其中 and their parts; class
//! parts without a whole (a structure of the plan total when the paragraph speaks of it);
//! townships of the layout with their class parts and the places inside them; sub-items of a
//! class (subclasses, housing kinds), of a supply method (招拍挂, 协议) and of any figure
//! followed by 其中; supply methods and quarters against the total; 新增 + 存量.

use super::builder::Builder;
use super::classify::{carried_over, class_key, place_name, ItemKind};
use super::items::{flush_method_subs, flush_sub_items, housing_covers_residential};
use super::scan::LineIndex;
use super::words::{
    contains_any, ANOTHER_MATTER_WORDS, HOUSING_WORDS, SELECTION_WORDS, SPEAKS_OF_TOTAL,
};
use super::{Breakdown, BreakdownKind, DocKind, Evidence, Part, PlanModel, TownshipPart};
use crate::lex::Line;
use std::cell::OnceCell;

/// Read one prose block of items, in order.
pub fn block(b: &mut Builder, block: &[(usize, ItemKind)]) {
    // Inline numbered sub-sections in one paragraph ("1.规模。… 2.来源。… 3.区域分布。…") are
    // read one by one, each under its own heading: three breakdowns of one total, not one.
    let line_no = b.q(block[0].0).place.line;
    let heads = inline_headings(b.line(line_no));
    if heads.len() >= 2 {
        let mut k = 0;
        while k < block.len() {
            let at = b.q(block[k].0).chars.0;
            let h = heads.iter().rposition(|(p, _)| *p <= at);
            let end = heads
                .get(h.map_or(0, |h| h + 1))
                .map_or(usize::MAX, |(p, _)| *p);
            let mut e = k;
            while e < block.len() && b.q(block[e].0).chars.0 < end {
                e += 1;
            }
            let sec = match h {
                Some(h) => format!("{}｜{}（第{line_no}行）", b.section[line_no], heads[h].1),
                None => b.section[line_no].clone(),
            };
            read_block(b, &block[k..e], sec);
            k = e;
        }
        return;
    }
    let sec = b.section[line_no].clone();
    read_block(b, block, sec);
}

/// Inline numbered headings of a paragraph: "1.规模。", "2、区域分布：" after the line's start,
/// a space or a full stop; (character position, heading words).
fn inline_headings(line: &Line) -> Vec<(usize, String)> {
    let c = &line.norm;
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        let starts = i == 0 || matches!(c[i - 1], ' ' | '。' | '；');
        if starts && c[i].is_ascii_digit() {
            let mut j = i;
            while j < c.len() && j - i < 2 && c[j].is_ascii_digit() {
                j += 1;
            }
            if j < c.len() && matches!(c[j], '.' | '、' | '．') {
                let w = j + 1;
                let mut e = w;
                while e < c.len() && e - w <= 10 && is_cjk(c[e]) {
                    e += 1;
                }
                if e - w >= 2 && e < c.len() && matches!(c[e], '。' | '：' | ':') {
                    out.push((i, c[w..e].iter().collect()));
                    i = e;
                    continue;
                }
            }
        }
        i += 1;
    }
    out
}

fn is_cjk(ch: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&ch)
}

/// Read one prose block under section `sec`.
fn read_block(b: &mut Builder, block: &[(usize, ItemKind)], sec: String) {
    if block.is_empty() {
        return;
    }
    let line_no = b.q(block[0].0).place.line;
    let mut p = Prose::new(b.line(line_no), sec);
    for (i, kind) in block {
        p.item(b, *i, kind, block);
    }
    p.close(b);
    p.implicit_structure(b);
    p.methods_and_timing(b);
    p.new_and_stock(b);
}

/// What a prose block has gathered so far.
struct Prose<'a> {
    line: &'a Line,
    /// Words, sentences and brackets of the line, found once.
    ix: LineIndex<'a>,
    /// The block's residential class items (by figure), found when first needed.
    residential: OnceCell<Vec<usize>>,
    /// The section the line is in.
    sec: String,
    /// The section is about the layout (布局, 分布).
    in_layout: bool,
    /// An explicit whole (an item followed by 其中) and its parts.
    whole: Option<(usize, ItemKind)>,
    parts: Vec<Part>,
    /// Class parts without an explicit whole.
    implicit: Vec<Part>,
    /// The figure whose sub-items (subclasses, housing kinds) are being gathered.
    sub_host: Option<usize>,
    subs: Vec<Part>,
    newstock: Vec<Part>,
    last_total: Option<usize>,
    last_class: Option<usize>,
    /// Supply (or reserve) methods, and the ways of the last one (招拍挂, 协议).
    methods: Vec<Part>,
    method_host: Option<usize>,
    method_subs: Vec<Part>,
    /// Quarters and half-years.
    timings: Vec<Part>,
    /// Any other figure followed by 其中, and its parts.
    other_host: Option<usize>,
    other_subs: Vec<Part>,
    /// The last housing item, and the kinds in brackets after it.
    housing_host: Option<usize>,
    housing_nested: Vec<Part>,
    /// Places in brackets after a township: parts of it.
    nested: Vec<Part>,
}

impl<'a> Prose<'a> {
    fn new(line: &'a Line, sec: String) -> Prose<'a> {
        Prose {
            line,
            ix: LineIndex::new(line),
            residential: OnceCell::new(),
            in_layout: sec.contains("布局") || sec.contains("分布"),
            sec,
            whole: None,
            parts: Vec::new(),
            implicit: Vec::new(),
            sub_host: None,
            subs: Vec::new(),
            newstock: Vec::new(),
            last_total: None,
            last_class: None,
            methods: Vec::new(),
            method_host: None,
            method_subs: Vec::new(),
            timings: Vec::new(),
            other_host: None,
            other_subs: Vec::new(),
            housing_host: None,
            housing_nested: Vec::new(),
            nested: Vec::new(),
        }
    }

    /// Figure `i` is followed by 其中, 包括 or 分别为 before the next area figure.
    fn followed_by_qizhong(&self, m: &PlanModel, i: usize) -> bool {
        let q = &m.quantities[i];
        // Figures are in text order: the next one on this line, if any, is among those that
        // follow directly (the rest of the document is not searched).
        let next_start = m
            .quantities
            .iter()
            .skip(i + 1)
            .take_while(|x| x.place.line == q.place.line)
            .find(|x| x.area_unit().is_some() && x.chars.0 > q.chars.1)
            .map(|x| x.chars.0)
            .unwrap_or(self.line.norm.len());
        self.ix
            .has_any(&["其中", "包括", "分别为"], q.chars.1, next_start)
    }

    /// Figure `i` is in the 其中 clause of figure `h`: same sentence, 其中 between them, and no
    /// 另/此外/； that would start another matter.
    fn in_qizhong_clause(&self, m: &PlanModel, h: usize, i: usize) -> bool {
        let (qh, qi) = (&m.quantities[h], &m.quantities[i]);
        if qh.place.line != qi.place.line || qh.sentence != qi.sentence || qi.chars.0 < qh.chars.1 {
            return false;
        }
        let (a, b) = (qh.chars.1, qi.chars.0);
        self.ix.has("其中", a, b) && !self.ix.has_any(ANOTHER_MATTER_WORDS, a, b)
    }

    /// Figure `i` is inside brackets. Places in brackets after a place ("中心城区800公顷（其中
    /// 东城区300公顷、西城区500公顷）") are inside it: parts of that place, not more places.
    fn in_brackets(&self, m: &PlanModel, i: usize) -> bool {
        self.ix.in_brackets(m.quantities[i].chars.0)
    }

    /// The sub-items of the sub-host as its breakdown.
    fn flush_subs(&mut self, m: &mut PlanModel) {
        if let Some(h) = self.sub_host {
            if !self.subs.is_empty() {
                m.breakdowns.push(Breakdown {
                    evidence: Evidence::of("跟随其所属用地的分项（子类、住房类别）"),
                    kind: BreakdownKind::SubItems,
                    what: format!("{}的分项", m.quantities[h].label),
                    whole: h,
                    complete: housing_covers_residential(m, &self.subs),
                    parts: std::mem::take(&mut self.subs),
                });
            }
        }
        self.subs.clear();
    }

    /// The explicit whole and its parts as a breakdown (a township's class parts, a structure,
    /// or sub-items).
    fn flush_whole(&mut self, m: &mut PlanModel, townships: &mut [TownshipPart]) {
        let parts = &self.parts;
        if let Some((w, kind)) = &self.whole {
            if let ItemKind::Township(name) = kind {
                if let Some(t) = townships.iter_mut().rev().find(|t| &t.name == name) {
                    t.parts = parts.clone();
                }
                if !parts.is_empty() {
                    m.breakdowns.push(Breakdown {
                        evidence: Evidence::of("乡镇后以“其中”引出的分类面积"),
                        kind: BreakdownKind::Township,
                        what: format!("{}的分类面积之和与其供应量", name),
                        whole: *w,
                        parts: parts.clone(),
                        complete: parts.len() >= 2,
                    });
                }
            } else if parts.len() >= 2 {
                let all_class = parts.iter().all(|p| p.class_code.is_some());
                // "全市计划收储土地1284.6亩，其中中心城组团…，西湖新区…，高新区…": places (组团,
                // 新区, 开发区, 园区, 片区, 县域, 市本级) after the total are its layout.
                let all_places = !all_class
                    && parts.iter().all(|p| {
                        p.class_code.is_none() && place_name(&p.label).is_some_and(|n| n == p.label)
                    });
                m.breakdowns.push(Breakdown {
                    evidence: Evidence::of(if all_places {
                        "总量后以“其中”引出的各区域（组团、新区、园区、片区等）"
                    } else {
                        "总量后以“其中”“包括”“分别为”引出的分项"
                    }),
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
                        || all_places
                        || (m.kind == DocKind::HousingLand && housing_covers_residential(m, parts)),
                });
            }
        }
        self.parts.clear();
    }

    /// The places in brackets after a township as a breakdown of it.
    fn flush_nested(&mut self, m: &mut PlanModel) {
        if let Some((h, ItemKind::Township(name))) = &self.whole {
            if !self.nested.is_empty() {
                m.breakdowns.push(Breakdown {
                    evidence: Evidence::of("乡镇后括号内的区域"),
                    kind: BreakdownKind::SubItems,
                    what: format!("{name}所含各区域供应量之和"),
                    whole: *h,
                    parts: std::mem::take(&mut self.nested),
                    complete: false,
                });
            }
        }
        self.nested.clear();
    }

    /// One item of the block.
    fn item(&mut self, b: &mut Builder, i: usize, kind: &ItemKind, block: &[(usize, ItemKind)]) {
        match kind {
            ItemKind::Township(_)
                if self.in_brackets(&b.m, i)
                    && matches!(self.whole, Some((_, ItemKind::Township(_)))) =>
            {
                self.nested.push(b.part(i, None));
            }
            ItemKind::Township(name) if self.in_layout || self.followed_by_qizhong(&b.m, i) => {
                self.township(b, i, name, kind);
            }
            ItemKind::Total => {
                self.flush_subs(&mut b.m);
                self.sub_host = None;
                self.last_total = Some(i);
                if self.followed_by_qizhong(&b.m, i) {
                    self.flush_whole(&mut b.m, &mut b.townships);
                    self.whole = Some((i, ItemKind::Total));
                }
            }
            ItemKind::Class(key) => self.class(b, i, key),
            ItemKind::Housing
                if self
                    .housing_host
                    .is_some_and(|h| b.q(h).place.line == self.line.number)
                    && self.in_brackets(&b.m, i) =>
            {
                // "保障性住房用地30公顷（保障性租赁住房用地18公顷，配售型…12公顷）": kinds of
                // the item before the bracket.
                self.housing_nested.push(b.part(i, None));
            }
            ItemKind::Housing => self.housing(b, i, block),
            ItemKind::NewStock => self.newstock.push(b.part(i, None)),
            ItemKind::Method(false) => {
                // The previous host's sub-methods ("出让…（其中招拍挂…，协议…）") before the next.
                flush_method_subs(&mut b.m, self.method_host, &mut self.method_subs);
                self.methods.push(b.part(i, None));
                self.method_host = Some(i);
            }
            ItemKind::Method(true) => {
                if self.method_host.is_some() {
                    self.method_subs.push(b.part(i, None));
                }
            }
            ItemKind::Timing => self.timings.push(b.part(i, None)),
            ItemKind::Township(_) | ItemKind::Other => {
                if let Some((_, ItemKind::Total)) = self.whole {
                    self.parts.push(b.part(i, None));
                } else if matches!(kind, ItemKind::Other) {
                    // "前期开发120公顷，其中道路80公顷，场地平整40公顷": parts of any figure.
                    match self.other_host {
                        Some(h) if self.in_qizhong_clause(&b.m, h, i) => {
                            self.other_subs.push(b.part(i, None))
                        }
                        _ => {
                            flush_sub_items(&mut b.m, self.other_host, &mut self.other_subs, false);
                            self.other_host = self.followed_by_qizhong(&b.m, i).then_some(i);
                        }
                    }
                }
            }
        }
    }

    /// A township of the layout: a new whole, in the layout section's list of townships.
    fn township(&mut self, b: &mut Builder, i: usize, name: &str, kind: &ItemKind) {
        self.flush_nested(&mut b.m);
        self.flush_subs(&mut b.m);
        self.sub_host = None;
        self.flush_whole(&mut b.m, &mut b.townships);
        if b.layout_section.as_deref() != Some(self.sec.as_str()) {
            // The layout before this one is complete: its totals are tied now.
            super::layout::totals(&mut b.m, &b.townships, &b.share_of);
            b.townships.clear();
            b.layout_section = Some(self.sec.clone());
        }
        b.townships.push(TownshipPart {
            name: name.to_string(),
            total: Some(i),
            parts: Vec::new(),
        });
        self.whole = Some((i, kind.clone()));
    }

    /// A class: a subclass of the sub-host, or a part of the whole (or of no stated whole).
    fn class(&mut self, b: &mut Builder, i: usize, key: &str) {
        // A subclass right after its class and 其中 ("工矿仓储用地…，其中工业用地…") is a
        // sub-item, not another part of the structure.
        let host_key = self.sub_host.and_then(|h| class_key(&b.q(h).label));
        if let Some(hk) = host_key {
            if key.starts_with(&hk) && key.len() > hk.len() {
                self.subs.push(b.part(i, Some(key.to_string())));
                return;
            }
        }
        self.flush_subs(&mut b.m);
        let p = b.part(i, Some(key.to_string()));
        if self.whole.is_some() {
            self.parts.push(p);
        } else {
            self.implicit.push(p);
        }
        self.last_class = Some(i);
        self.sub_host = self.followed_by_qizhong(&b.m, i).then_some(i);
    }

    /// A housing item: a sub-item of the residential class before it, or a part of the whole.
    fn housing(&mut self, b: &mut Builder, i: usize, block: &[(usize, ItemKind)]) {
        flush_sub_items(&mut b.m, self.housing_host, &mut self.housing_nested, false);
        self.housing_host = Some(i);
        // "保障性安居工程和中小套型商品住房用地合计163.15公顷": a sum of kinds listed before it,
        // not one more kind beside them.
        if contains_any(&b.q(i).label, &["合计", "小计", "总计"]) {
            return;
        }
        let p = b.part(i, None);
        // Housing sub-items belong to the residential class before them; a figure that is
        // itself a kind of housing ("普通商品住宅用地") is a sibling, not their whole.
        let residential = |i: usize| {
            let l = &b.q(i).label;
            class_key(l)
                .is_some_and(|k| k.starts_with("gb21010:07") || k.starts_with("ydyh2023:07"))
                && !is_housing_kind(l)
        };
        // "产权类住宅用地中，商品住房用地…": the sentence names the item the kinds belong to.
        if self.sub_host.is_none() {
            let q = b.q(i);
            let start = self.ix.sentence_start(q.chars.0);
            // Only the words just before "中，" are read (a bounded slice, so that a long line
            // of items stays linear), and only the items shortly before this one are searched.
            let at = self.ix.last_in("中，", start, q.chars.0);
            let name = at
                .and_then(|k| named_host(&self.line.slice(k.saturating_sub(24).max(start), k + 2)));
            if let Some(name) = name {
                let before = block.partition_point(|(j, _)| *j < i);
                let named = block[..before]
                    .iter()
                    .map(|(j, _)| *j)
                    .rev()
                    .take(32)
                    .find(|&j| {
                        let l = &b.q(j).label;
                        l.strip_suffix(name.as_str())
                            .is_some_and(|rest| !is_housing_kind(rest) || l == &name)
                    });
                // "商品住房用地中，…" in a later paragraph than the 商品住房用地 it names: the
                // item itself, stated earlier in the document (its exact name only).
                let named = named.or_else(|| {
                    let before = b.items.partition_point(|&j| j < i);
                    b.items[..before]
                        .iter()
                        .rev()
                        .take(64)
                        .copied()
                        .find(|&j| b.q(j).label == name)
                });
                if named.is_some() {
                    self.sub_host = named;
                }
            }
        }
        if self.sub_host.is_none() && self.last_class.is_some_and(residential) {
            self.sub_host = self.last_class;
        }
        // "…工矿仓储用地120公顷。住宅用地中，保障性住房用地…": the sentence names the
        // residential class the items belong to.
        if self.sub_host.is_none() {
            let q = b.q(i);
            let start = self.ix.sentence_start(q.chars.0);
            if self.ix.has("住宅", start, q.chars.0) {
                // The block's residential items, classified once (not once per housing item).
                let residential = self.residential.get_or_init(|| {
                    let mut r: Vec<usize> = block
                        .iter()
                        .map(|(j, _)| *j)
                        .filter(|&j| residential(j))
                        .collect();
                    r.sort_unstable();
                    r
                });
                let k = residential.partition_point(|&j| j < i);
                self.sub_host = k.checked_sub(1).map(|k| residential[k]);
            }
        }
        if self.sub_host.is_some() {
            self.subs.push(p);
        } else if self.whole.is_some() && self.parts.iter().all(|p| p.class_code.is_none()) {
            self.parts.push(p);
        }
    }

    /// The end of the items: every open gathering becomes its breakdown.
    fn close(&mut self, b: &mut Builder) {
        let m = &mut b.m;
        flush_sub_items(m, self.other_host, &mut self.other_subs, false);
        flush_sub_items(m, self.housing_host, &mut self.housing_nested, false);
        self.flush_nested(m);
        self.flush_subs(m);
        self.flush_whole(m, &mut b.townships);
    }

    /// Class parts without an explicit whole: one per line is gathered per section
    /// (`singles`); two or more are parts of the plan total (or that year's total) when the
    /// paragraph speaks of the total (…总量中，…) or sits under a 结构 heading.
    fn implicit_structure(&mut self, b: &mut Builder) {
        if self.implicit.len() == 1 {
            // One class per line ("1.工矿仓储用地500公顷，占33.33%；"): gathered per section.
            b.singles.push((self.sec.clone(), self.implicit[0].clone()));
        }
        if self.implicit.len() < 2 {
            return;
        }
        let first = b.q(self.implicit[0].quantity);
        let prefix = self.line.slice(0, first.chars.0);
        let speaks_of_total = contains_any(&prefix, SPEAKS_OF_TOTAL) || self.sec.contains("结构");
        // "重点保障…", "主要用于…": a selection of classes, not the whole structure.
        let selection = contains_any(&prefix, SELECTION_WORDS);
        let w = if speaks_of_total {
            // "2026年储备土地中，住宅用地…" in a three-year plan: that year's total.
            // The years are in text order: those of this line end where the next line's begin.
            let years = &b.lx.years;
            let end = years.partition_point(|y| y.line <= self.line.number);
            let year = years[..end]
                .iter()
                .rev()
                .take_while(|y| y.line == self.line.number)
                .find(|y| y.chars.1 <= first.chars.0 && y.to.is_none())
                .map(|y| y.year);
            year.and_then(|y| b.year_totals.iter().find(|t| t.0 == y).map(|t| t.1))
                .or(b.m.total)
                .or(self.last_total)
        } else {
            None
        };
        if let Some(w) = w {
            let basis = if self.sec.contains("结构") {
                "“结构”标题下同一段落列出的各类用地"
            } else {
                "谈及总量的段落中列出的各类用地"
            };
            b.m.breakdowns.push(Breakdown {
                evidence: Evidence::of(basis),
                kind: BreakdownKind::Structure,
                what: "各类用地面积之和与总量".to_string(),
                whole: w,
                parts: std::mem::take(&mut self.implicit),
                complete: !selection,
            });
        }
    }

    /// 供应方式 (划拨 + 出让 …) and 时序 (quarters) against the total: complete under a heading
    /// about them, otherwise only an excess is reported; then the ways of the last method.
    fn methods_and_timing(&mut self, b: &mut Builder) {
        let m = &mut b.m;
        let reserve = m.kind == DocKind::Reserve;
        for (items, what, topic) in [
            (
                std::mem::take(&mut self.methods),
                if reserve {
                    "各储备方式面积之和与总量"
                } else {
                    "各供应方式面积之和与总量"
                },
                "方式",
            ),
            (
                std::mem::take(&mut self.timings),
                "各时段供应面积之和与总量",
                "时序",
            ),
        ] {
            if items.len() >= 2 {
                if let Some(w) = self.last_total.or(m.total) {
                    m.breakdowns.push(Breakdown {
                        evidence: Evidence::of("同一段落中的各供应方式（时段）与总量"),
                        kind: BreakdownKind::SubItems,
                        what: what.to_string(),
                        whole: w,
                        complete: self.sec.contains(topic) || {
                            // "按储备方式分，收购…，收回…": the sentence names the topic.
                            let first = &m.quantities[items[0].quantity];
                            self.line.slice(0, first.chars.0).contains(topic)
                        },
                        parts: items,
                    });
                }
            }
        }
        flush_method_subs(m, self.method_host, &mut self.method_subs);
    }

    /// 新增 + 存量 against the total (complete when both are stated).
    fn new_and_stock(&mut self, b: &mut Builder) {
        let m = &mut b.m;
        if self.newstock.is_empty() {
            return;
        }
        let Some(w) = self.last_total.or(m.total) else {
            return;
        };
        let newstock = std::mem::take(&mut self.newstock);
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
            evidence: Evidence::of("同一段落中的新增、存量与总量"),
            kind: BreakdownKind::NewStock,
            what: "新增与存量之和与总量".to_string(),
            whole: w,
            parts: newstock,
            complete: both,
        });
    }
}

/// A label that names a kind of housing (商品住宅, 保障性住房 …) rather than residential land as
/// a whole.
fn is_housing_kind(label: &str) -> bool {
    contains_any(label, HOUSING_WORDS) || label.contains("商品") || label.contains("普通")
}

/// The item a sentence says its figures belong to: "产权类住宅用地中，…" → 产权类住宅用地 (the
/// words before "中，" back to the previous clause).
fn named_host(prefix: &str) -> Option<String> {
    let k = prefix.find("中，").or_else(|| prefix.find("中,"))?;
    let head = &prefix[..k];
    let from = head.rfind(['，', ',', '；', '：', '。']).map_or(0, |p| {
        p + head[p..].chars().next().map_or(1, char::len_utf8)
    });
    let name = head[from..].trim();
    (name.ends_with("用地") && name.chars().count() >= 4).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::super::testing::ties;

    #[test]
    fn kinds_in_a_later_paragraph_belong_to_the_item_it_names_and_a_sum_of_kinds_is_no_kind() {
        let t = ties(
            "
            某县2025年度国有建设用地供应计划
            （二）供应结构
            供应总量中，商服用地105.84公顷，住宅用地394.16公顷。
            住宅用地中，保障性住房用地100.00公顷，商品住房用地294.16公顷。保障性住房和中小套型商品住房用地合计150.00公顷，占住宅用地的38.06%。
            ",
        );
        assert!(
            t.iter()
                .any(|x| x == "SubItems 394.16公顷 = 100.00公顷 + 294.16公顷"),
            "{t:?}"
        );
        assert!(!t.iter().any(|x| x.contains("150.00公顷")), "{t:?}");
    }

    #[test]
    fn housing_kinds_belong_to_the_item_their_sentence_names() {
        // 商品住房 is inside 产权类, not inside 租赁类 listed just before it.
        let t = ties(
            "
            某市2021年度国有建设用地供应计划
            住宅用地今年安排640公顷，其中，产权类住宅用地540公顷，租赁类住宅用地100公顷。产权类住宅用地中，商品住房用地380公顷，保障性住房用地160公顷。
            ",
        );
        assert!(
            t.iter()
                .any(|x| x == "SubItems 540公顷 = 380公顷 + 160公顷"),
            "{t:?}"
        );
        assert!(
            !t.iter().any(|x| x.starts_with("SubItems 100公顷")),
            "{t:?}"
        );
    }

    #[test]
    fn a_kind_of_housing_is_not_the_whole_of_another_kind() {
        let t = ties(
            "
            某市2010年一季度国有建设用地供应计划
            各类用地合计8642.35亩，其中普通商品住宅用地412.60亩，保障性住房用地455.28亩。
            ",
        );
        assert!(
            !t.iter().any(|x| x.starts_with("SubItems 412.60亩")),
            "{t:?}"
        );
    }

    #[test]
    fn housing_kinds_after_the_residential_class_are_its_sub_items() {
        let t = ties(
            "
            某县2025年度国有建设用地供应计划
            全县国有建设用地供应总量为100公顷，其中住宅用地60公顷，商服用地40公顷。住宅用地中，保障性住房用地20公顷，商品住房用地40公顷。
            ",
        );
        assert_eq!(
            t,
            [
                "SubItems 60公顷 = 20公顷 + 40公顷",
                "Structure 100公顷 = 60公顷 + 40公顷"
            ]
        );
    }

    #[test]
    fn methods_against_the_total_are_complete_under_their_heading() {
        let t = ties(
            "
            某县2025年度国有建设用地供应计划
            全县国有建设用地供应总量为100公顷。
            （四）供应方式
            计划供应总量100公顷，划拨供应30公顷，出让70公顷，其中招拍挂出让60公顷、协议出让10公顷。
            ",
        );
        assert_eq!(
            t,
            [
                "SubItems 100公顷 = 30公顷 + 70公顷",
                "SubItems 70公顷 = 60公顷 + 10公顷"
            ]
        );
    }
}
