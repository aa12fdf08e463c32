//! The compiled plan as a terminal report or Markdown, in Chinese, built from the same
//! [`PlanView`] as the JSON output so that every figure agrees across formats.

use crate::table::{Align, Table};
use landplan_core::view::PlanView;

/// Markup flavour.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// Terminal text.
    Text,
    /// Markdown.
    Markdown,
}

fn render_table(t: &Table, f: Flavour) -> String {
    match f {
        Flavour::Text => t.text(),
        Flavour::Markdown => t.markdown(),
    }
}

fn heading(out: &mut String, f: Flavour, level: usize, s: &str) {
    match f {
        Flavour::Text => {
            out.push('\n');
            out.push_str(s);
            out.push('\n');
        }
        Flavour::Markdown => {
            out.push('\n');
            out.push_str(&"#".repeat(level));
            out.push(' ');
            out.push_str(s);
            out.push_str("\n\n");
        }
    }
}

fn para(out: &mut String, f: Flavour, s: &str) {
    match f {
        Flavour::Text => {
            out.push_str("  ");
            out.push_str(s);
            out.push('\n');
        }
        Flavour::Markdown => {
            out.push_str(s);
            out.push_str("\n\n");
        }
    }
}

/// The plan's title, e.g. "示例县2025年度国有建设用地供应计划".
pub fn title(v: &PlanView) -> String {
    let region = if v.region.is_empty() {
        "（未注明地区）".to_string()
    } else if v.region.bytes().all(|b| b.is_ascii_digit()) {
        // A code whose name is unknown: kept apart from the year ("330102 2025年度").
        format!("{} ", v.region)
    } else {
        v.region.clone()
    };
    let year = v
        .year
        .map(|y| format!("{y}年度"))
        .unwrap_or_else(|| "（未注明年度）".to_string());
    let kind = if v.kind == "reserve" {
        "土地储备计划"
    } else {
        "国有建设用地供应计划"
    };
    format!("{region}{year}{kind}")
}

/// Render the whole report.
pub fn render(v: &PlanView, f: Flavour, file: &str) -> String {
    let mut out = String::new();
    match f {
        Flavour::Text => out.push_str(&format!("{}（由地块清单编制）\n", title(v))),
        Flavour::Markdown => out.push_str(&format!("# {}（由地块清单编制）\n", title(v))),
    }
    let scheme = if v.classification == "ydyh2023" {
        "用地用海分类（2023）"
    } else {
        "土地利用现状分类（GB/T 21010-2017）"
    };
    para(
        &mut out,
        f,
        &format!(
            "台账：{file}；地块 {} 宗；分类标准：{scheme}；面积单位：公顷（1公顷=15亩）",
            v.parcel_count
        ),
    );
    let reserve = v.kind == "reserve";
    total_section(&mut out, f, v, reserve);
    structure_section(&mut out, f, v, reserve);
    layout_section(&mut out, f, v, reserve);
    if reserve {
        status_section(&mut out, f, v);
    } else {
        timing_section(&mut out, f, v);
        methods_section(&mut out, f, v);
    }
    findings_section(&mut out, f, v);
    out
}

/// Whether a decimal string is not zero ("0.0000" is zero).
fn nonzero(s: &str) -> bool {
    !s.trim_start_matches(['0', '.']).is_empty()
}

fn total_section(out: &mut String, f: Flavour, v: &PlanView, reserve: bool) {
    heading(
        out,
        f,
        2,
        if reserve {
            "一、储备规模"
        } else {
            "一、供应总量"
        },
    );
    let mut total = format!(
        "{}公顷（{}亩），其中新增{}公顷、存量{}公顷",
        v.total_ha, v.total_mu, v.new_ha, v.stock_ha
    );
    if nonzero(&v.source_unspecified_ha) {
        total.push_str(&format!(
            "，未注明新增或存量{}公顷",
            v.source_unspecified_ha
        ));
    }
    total.push('。');
    para(out, f, &total);
}

/// The structure table with its 合计, and a supply plan's housing sub-structure.
fn structure_section(out: &mut String, f: Flavour, v: &PlanView, reserve: bool) {
    heading(
        out,
        f,
        2,
        if reserve {
            "二、储备结构"
        } else {
            "二、供应结构"
        },
    );
    let mut t = Table::new(
        &[
            "代码",
            "地类",
            "面积（公顷）",
            "占比（%）",
            "新增",
            "存量",
            "宗数",
        ],
        &[
            Align::Left,
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Right,
        ],
    );
    for c in &v.structure {
        t.row(vec![
            c.code.clone(),
            c.name.clone(),
            c.area_ha.clone(),
            c.share_pct.clone(),
            c.new_ha.clone(),
            c.stock_ha.clone(),
            c.parcels.to_string(),
        ]);
    }
    t.row(vec![
        String::new(),
        "合计".into(),
        v.total_ha.clone(),
        if v.structure.is_empty() {
            "0.00".into()
        } else {
            "100.00".into()
        },
        v.new_ha.clone(),
        v.stock_ha.clone(),
        v.parcel_count.to_string(),
    ]);
    out.push_str(&render_table(&t, f));
    if v.housing.is_empty() {
        return;
    }
    heading(out, f, 3, "住宅用地细分");
    let mut t = Table::new(
        &["类型", "面积（公顷）", "占住宅用地（%）", "宗数"],
        &[Align::Left, Align::Right, Align::Right, Align::Right],
    );
    for h in &v.housing {
        t.row(vec![
            h.name.to_string(),
            h.area_ha.clone(),
            h.share_pct.clone(),
            h.parcels.to_string(),
        ]);
    }
    out.push_str(&render_table(&t, f));
    if let Some(s) = &v.affordable_and_small_share_pct {
        para(
            out,
            f,
            &format!("保障性安居工程与中小套型商品住房用地占住宅用地的{s}%。"),
        );
    }
}

fn layout_section(out: &mut String, f: Flavour, v: &PlanView, reserve: bool) {
    heading(
        out,
        f,
        2,
        if reserve {
            "三、储备布局"
        } else {
            "三、供应布局"
        },
    );
    let mut t = Table::new(
        &["乡镇（区域）", "面积（公顷）", "占比（%）", "其中"],
        &[Align::Left, Align::Right, Align::Right, Align::Left],
    );
    for town in &v.layout {
        let parts = town
            .classes
            .iter()
            .map(|c| format!("{}{}", c.name, c.area_ha))
            .collect::<Vec<_>>()
            .join("，");
        t.row(vec![
            town.name.clone(),
            town.area_ha.clone(),
            town.share_pct.clone(),
            parts,
        ]);
    }
    out.push_str(&render_table(&t, f));
}

/// A reserve plan's statuses and funds.
fn status_section(out: &mut String, f: Flavour, v: &PlanView) {
    heading(out, f, 2, "四、储备状态与资金");
    let mut t = Table::new(
        &["状态", "面积（公顷）", "宗数", "资金需求（万元）"],
        &[Align::Left, Align::Right, Align::Right, Align::Right],
    );
    for s in &v.status {
        t.row(vec![
            s.name.clone(),
            s.area_ha.clone(),
            s.parcels.to_string(),
            s.funds_wan_yuan.clone(),
        ]);
    }
    out.push_str(&render_table(&t, f));
    match &v.funds_wan_yuan {
        Some(funds) => para(out, f, &format!("资金需求合计{funds}万元。")),
        None => para(out, f, "台账未填写资金需求。"),
    }
}

/// A supply plan's timing by quarter, and the area without a time.
fn timing_section(out: &mut String, f: Flavour, v: &PlanView) {
    heading(out, f, 2, "四、供应时序");
    let mut t = Table::new(
        &[
            "季度",
            "面积（公顷）",
            "占比（%）",
            "累计（公顷）",
            "累计占总量（%）",
        ],
        &[
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Right,
        ],
    );
    for q in &v.timing {
        t.row(vec![
            format!(
                "第{}季度",
                ["一", "二", "三", "四"][(q.quarter - 1) as usize]
            ),
            q.area_ha.clone(),
            q.share_pct.clone(),
            q.cumulative_ha.clone(),
            q.cumulative_pct.clone(),
        ]);
    }
    out.push_str(&render_table(&t, f));
    if nonzero(&v.unscheduled_ha) {
        para(
            out,
            f,
            &format!("另有{}公顷未注明计划供应时间。", v.unscheduled_ha),
        );
    }
}

/// A supply plan's methods.
fn methods_section(out: &mut String, f: Flavour, v: &PlanView) {
    heading(out, f, 2, "五、供应方式");
    let mut t = Table::new(
        &["方式", "面积（公顷）", "占比（%）", "宗数"],
        &[Align::Left, Align::Right, Align::Right, Align::Right],
    );
    for m in &v.methods {
        t.row(vec![
            m.name.clone(),
            m.area_ha.clone(),
            m.share_pct.clone(),
            m.parcels.to_string(),
        ]);
    }
    out.push_str(&render_table(&t, f));
}

fn findings_section(out: &mut String, f: Flavour, v: &PlanView) {
    heading(
        out,
        f,
        2,
        &format!("台账审查发现（{}条）", v.findings.len()),
    );
    if v.findings.is_empty() {
        para(out, f, "未发现问题。");
    }
    for fv in &v.findings {
        let fi = &fv.finding;
        let sev = match fi.severity {
            landplan_core::Severity::Error => "错误",
            landplan_core::Severity::Warning => "警告",
            landplan_core::Severity::Info => "提示",
        };
        let place = fi
            .places
            .first()
            .map(|p| p.describe())
            .filter(|s| !s.is_empty())
            .map(|s| format!("{s}："))
            .unwrap_or_default();
        let mut line = format!("{sev}[{}] {place}{}", fi.rule, fi.message);
        for n in &fi.notes {
            line.push_str(&format!("（{n}）"));
        }
        match f {
            Flavour::Text => para(out, f, &line),
            Flavour::Markdown => out.push_str(&format!("- {line}\n")),
        }
    }
}
