//! The 调整对照表 of an adjusted plan: the figures of the published plan it replaces (原计划),
//! its own (调整后) and the change (增减), by class and by township, with a 合计 row and the
//! adjustment's reason.
//!
//! Every figure is the exact value rounded once at the plan's precision (the change is the
//! exact change, rounded), so the table says what `landplan plan diff` says about the same two
//! versions, and the Excel sheet's live `增减` formula over the exact values shows the same.

use crate::doc::{Block, Table};
use crate::plan_doc::{year_text, Plan};
use landplan_core::compile::CompiledPlan;
use landplan_core::units::fmt_dp;
use rust_decimal::Decimal;

/// What an adjusted version is compared with: the plan it adjusts and why.
#[derive(Debug, Clone)]
pub struct Adjustment {
    /// The version adjusted (the published plan the new version replaces).
    pub before: CompiledPlan,
    /// Its version number.
    pub from_version: i64,
    /// The adjusted version's number.
    pub to_version: i64,
    /// The reason given for the adjustment (from the plan's events).
    pub reason: String,
}

/// Which group a comparison row belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// The plan's total.
    Total,
    /// A class of the structure (结构).
    Class,
    /// A township of the layout (布局).
    Township,
}

/// One row of the comparison: exact hectares before and after (None: absent in that version).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Which group.
    pub group: Group,
    /// The class or township name (合计 for the total).
    pub name: String,
    /// 原计划, 公顷 (exact).
    pub before: Option<Decimal>,
    /// 调整后, 公顷 (exact).
    pub after: Option<Decimal>,
}

impl Row {
    /// 增减 (exact): after − before, an absent side counting as 0.
    pub fn delta(&self) -> Decimal {
        self.after.unwrap_or_default() - self.before.unwrap_or_default()
    }
}

/// The header of the table (and of the Excel sheet).
pub(crate) const HEADER: [&str; 4] = ["项目", "原计划（公顷）", "调整后（公顷）", "增减（公顷）"];

/// One line of the table as laid out: a group's heading, or a row of figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// 按用地类型 / 按乡镇: a line without figures.
    Heading(&'static str),
    /// A row of figures.
    Figures(Row),
}

/// The table's lines: the classes under their heading closed by the 合计, then the townships
/// under theirs, closed by the 合计 again (each group sums to the total on its own, so a
/// reader — and `landplan check` — sums each group against the 合计 that closes it).
pub fn lines(rows: &[Row]) -> Vec<Line> {
    let total = rows.iter().find(|r| r.group == Group::Total).cloned();
    let mut out = Vec::new();
    for (group, heading) in [(Group::Class, "按用地类型"), (Group::Township, "按乡镇")] {
        out.push(Line::Heading(heading));
        out.extend(
            rows.iter()
                .filter(|r| r.group == group)
                .cloned()
                .map(Line::Figures),
        );
        out.extend(total.clone().map(Line::Figures));
    }
    out
}

/// The rows: classes (in the adjusted plan's order, then those only in the plan before), then
/// townships in the same way, then 合计.
pub fn rows(before: &CompiledPlan, after: &CompiledPlan) -> Vec<Row> {
    let mut out = Vec::new();
    let pair = |group: Group,
                a: Vec<(String, String, Decimal)>,
                b: Vec<(String, String, Decimal)>,
                out: &mut Vec<Row>| {
        for (key, name, v) in &b {
            let old = a.iter().find(|(k, _, _)| k == key).map(|x| x.2);
            out.push(Row {
                group,
                name: name.clone(),
                before: old,
                after: Some(*v),
            });
        }
        for (key, name, v) in &a {
            if !b.iter().any(|(k, _, _)| k == key) {
                out.push(Row {
                    group,
                    name: name.clone(),
                    before: Some(*v),
                    after: None,
                });
            }
        }
    };
    let classes = |p: &CompiledPlan| {
        p.structure
            .iter()
            .map(|c| (c.code.clone(), c.name.clone(), c.area.ha()))
            .collect::<Vec<_>>()
    };
    let towns = |p: &CompiledPlan| {
        p.layout
            .iter()
            .map(|t| (t.name.clone(), t.name.clone(), t.area.ha()))
            .collect::<Vec<_>>()
    };
    pair(Group::Class, classes(before), classes(after), &mut out);
    pair(Group::Township, towns(before), towns(after), &mut out);
    out.push(Row {
        group: Group::Total,
        name: "合计".into(),
        before: Some(before.total.ha()),
        after: Some(after.total.ha()),
    });
    out
}

/// A figure at `dp` decimals, without a negative zero.
pub(crate) fn show(v: Decimal, dp: u32) -> String {
    let s = fmt_dp(v, dp);
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => s,
    }
}

/// The table's caption: `{region}{year}年度{plan}调整对照表`.
pub(crate) fn caption(p: &Plan<'_>) -> String {
    format!(
        "{}{}年度{}调整对照表",
        p.region,
        year_text(p.year),
        p.kind().label()
    )
}

/// The line under the table: which versions, and why.
pub(crate) fn reason_line(a: &Adjustment) -> String {
    format!(
        "注：原计划为已公布的第{}版，调整后为第{}版。调整理由：{}",
        a.from_version,
        a.to_version,
        a.reason.trim().trim_end_matches('。')
    ) + "。"
}

/// The 调整对照表 as a document table (its label is set when the 附表 are numbered).
fn table(p: &Plan<'_>, a: &Adjustment) -> Table {
    let dp = p.pr.area_dp;
    let cell = |v: Option<Decimal>| v.map(|v| show(v, dp)).unwrap_or_else(|| "—".into());
    let rows = lines(&rows(&a.before, p.plan))
        .into_iter()
        .map(|l| match l {
            Line::Heading(h) => vec![h.to_string(), String::new(), String::new(), String::new()],
            Line::Figures(r) => vec![
                r.name.clone(),
                cell(r.before),
                cell(r.after),
                show(r.delta(), dp),
            ],
        })
        .collect();
    Table {
        label: String::new(),
        caption: caption(p),
        unit: "单位：公顷".into(),
        header: HEADER.iter().map(|s| s.to_string()).collect(),
        numeric: vec![false, true, true, true],
        rows,
    }
}

/// Append the 调整对照表 and its reason line to the 附表.
pub(crate) fn push(p: &Plan<'_>, a: &Adjustment, b: &mut Vec<Block>) {
    b.push(Block::Table(table(p, a)));
    b.push(Block::Para(reason_line(a)));
}

/// The body sentence naming the table (`label`: its 附表 number).
pub(crate) fn body_sentence(a: &Adjustment, label: &str) -> String {
    format!(
        "本计划系对已公布的第{}版计划的调整（调整后为第{}版），调整前后的指标对照见{label}（调整对照表）。",
        a.from_version, a.to_version
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use landplan_core::class::{Classifier, Resolution, Scheme};
    use landplan_core::compile::{compile, CompileOptions};
    use landplan_core::parcel::Parcel;
    use landplan_core::units::{AreaUnit, StatedArea};

    fn plan(rows: &[(&str, &str, &str)]) -> CompiledPlan {
        let parcels: Vec<Parcel> = rows
            .iter()
            .enumerate()
            .map(|(i, (class, area, town))| {
                let Resolution::Class(resolved) =
                    Classifier::builtin().resolve(class, Scheme::Gb21010)
                else {
                    panic!("{class} does not resolve");
                };
                Parcel::new(
                    format!("P{i}"),
                    StatedArea::new(area.parse().unwrap(), AreaUnit::Hectare),
                    *class,
                    resolved,
                )
                .in_township(*town)
                .at_row(i + 2)
            })
            .collect();
        compile(
            parcels,
            CompileOptions {
                region: "示例县".into(),
                year: Some(2025),
                ..CompileOptions::default()
            },
        )
    }

    #[test]
    fn rows_compare_classes_townships_and_total() {
        let before = plan(&[
            ("住宅用地", "1.5000", "甲镇"),
            ("商业服务业用地", "2.0000", "乙镇"),
        ]);
        let after = plan(&[
            ("住宅用地", "1.2500", "甲镇"),
            ("工业用地", "3.0000", "丙镇"),
        ]);
        let rows = rows(&before, &after);
        let find = |g: Group, n: &str| rows.iter().find(|r| r.group == g && r.name.contains(n));
        let housing = find(Group::Class, "住宅").expect("housing row");
        assert_eq!(housing.delta(), Decimal::new(-25, 2));
        let shops = find(Group::Class, "商").expect("a class only before");
        assert_eq!((shops.before.is_some(), shops.after), (true, None));
        assert_eq!(find(Group::Township, "丙镇").and_then(|r| r.before), None);
        let total = rows.last().expect("total");
        assert_eq!(total.group, Group::Total);
        assert_eq!(total.delta(), Decimal::new(75, 2));
        // Each group is closed by the 合计.
        let laid = lines(&rows);
        let totals = laid
            .iter()
            .filter(|l| matches!(l, Line::Figures(r) if r.group == Group::Total))
            .count();
        assert_eq!(totals, 2);
        assert_eq!(laid[0], Line::Heading("按用地类型"));
    }

    fn adjusted() -> (CompiledPlan, Adjustment) {
        let before = plan(&[
            ("住宅用地", "1.5000", "甲镇"),
            ("商业服务业用地", "2.0000", "乙镇"),
        ]);
        let after = plan(&[
            ("住宅用地", "1.2500", "甲镇"),
            ("工业用地", "3.0000", "丙镇"),
        ]);
        let a = Adjustment {
            before,
            from_version: 1,
            to_version: 2,
            reason: "年中调整".into(),
        };
        (after, a)
    }

    #[test]
    fn the_word_annex_ends_with_the_table_numbered_on_and_named_in_the_body() {
        let (after, a) = adjusted();
        let opts = crate::ReportOptions {
            adjustment: Some(a),
            ..Default::default()
        };
        let doc = crate::build_document(&after, &opts).unwrap();
        let tables: Vec<&crate::Table> = doc
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Table(t) => Some(t),
                _ => None,
            })
            .collect();
        let labels: Vec<String> = tables.iter().map(|t| t.label.clone()).collect();
        let gapless: Vec<String> = (1..=tables.len()).map(|n| format!("附表{n}")).collect();
        assert_eq!(labels, gapless);
        let last = tables.last().unwrap();
        assert!(last.caption.ends_with("调整对照表"), "{}", last.caption);
        let body = format!("见{}（调整对照表）", last.label);
        let paras: Vec<&String> = doc
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Para(p) => Some(p),
                _ => None,
            })
            .collect();
        assert!(paras.iter().any(|p| p.contains(&body)), "{paras:?}");
        assert!(paras.iter().any(|p| p.contains("调整理由：年中调整。")));
        // The figures: 住宅 1.50 → 1.25, −0.25; the total 3.50 → 4.25, +0.75.
        assert!(last.rows.contains(&vec![
            "住宅用地".to_string(),
            "1.50".into(),
            "1.25".into(),
            "-0.25".into()
        ]));
        assert_eq!(
            last.rows.last().unwrap(),
            &vec![
                "合计".to_string(),
                "3.50".into(),
                "4.25".into(),
                "0.75".into()
            ]
        );
        // Without an adjustment: no such table.
        let plain = crate::build_document(&after, &crate::ReportOptions::default()).unwrap();
        assert!(!plain
            .blocks
            .iter()
            .any(|b| matches!(b, Block::Table(t) if t.caption.ends_with("调整对照表"))));
    }

    #[test]
    fn the_excel_annex_ends_with_the_sheet() {
        use calamine::{Data, Reader};
        let (after, a) = adjusted();
        let opts = crate::ReportOptions {
            adjustment: Some(a),
            ..Default::default()
        };
        let bytes = crate::render_plan(&after, crate::ReportFormat::Xlsx, &opts).unwrap();
        let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let names = wb.sheet_names();
        assert_eq!(names.last().map(String::as_str), Some("调整对照表"));
        let range = wb.worksheet_range("调整对照表").unwrap();
        assert_eq!(
            range.get((0, 0)),
            Some(&Data::String(format!("附表{}", names.len())))
        );
        let total = range
            .rows()
            .rfind(|r| r.first() == Some(&Data::String("合计".into())))
            .unwrap()
            .to_vec();
        assert_eq!(total[3], Data::Float(0.75));
    }

    #[test]
    fn no_negative_zero() {
        assert_eq!(show(Decimal::new(-1, 4), 2), "0.00");
        assert_eq!(show(Decimal::new(-125, 2), 2), "-1.25");
    }
}
