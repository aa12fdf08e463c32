//! `landplan reserve import|geometry|list|show|step|ready|obstacles|plan`: the land reserve's
//! parcels in the store (docs/reserve.md, "CLI"; boundaries: "Boundaries").
//!
//! Exit status as the other commands: 0 done; 1 when the input has errors (an import refused
//! for its findings, nothing imported), when `obstacles` shows an overdue (red) obstacle, or
//! when a plan has error findings; 2 when the command cannot be carried out (a step refused,
//! a role missing, a file unreadable), with the reason in Chinese on standard error.
//!
//! `landplan reserve bond …` (special-bond projects) is in [`bond`].

pub mod bond;

use super::plan::Common;
use super::store::{actor, explain, open, open_read, region_code};
use super::TextOrJson;
use crate::output::{guard_output, write_output};
use crate::table::{Align, Table};
use anyhow::{bail, Context};
use landplan_core::monitor::indicators::Colour;
use landplan_core::reserve::annual::{compile_annual, AnnualOptions, AnnualParts, Part};
use landplan_core::reserve::obstacle::obstacle_level;
use landplan_core::reserve::rolling::compile_rolling;
use landplan_core::reserve::{
    AcquisitionMode, Evidence, ReadinessItem, ReadinessRecord, ReserveParcel, ReserveState, Step,
};
use landplan_core::units::fmt_dp;
use landplan_core::{Date, Finding, RuleContext, Severity};
use landplan_store::reserve::{BoundaryRead, ReserveBoundary, StoredReserve};
use landplan_store::{Actor, Store};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s).ok_or_else(|| format!("日期应写作如“2026-03-01”或“2026年3月1日”，读到“{s}”"))
}

fn parse_state(s: &str) -> Result<ReserveState, String> {
    ReserveState::parse(s).ok_or_else(|| {
        format!("状态“{s}”无法识别：应为拟收储、入库、前期开发、临时管护、已供应或退出")
    })
}

fn parse_mode(s: &str) -> Result<AcquisitionMode, String> {
    AcquisitionMode::parse(s)
        .ok_or_else(|| format!("收储方式“{s}”无法识别：应为收回、收购、优先购买、征收或其他"))
}

fn parse_item(s: &str) -> Result<ReadinessItem, String> {
    ReadinessItem::parse(s).ok_or_else(|| {
        format!(
            "净地项目“{s}”无法识别：应为土地权利清晰、安置补偿落实到位、无法律经济纠纷、规划条件明确、通路、通水、通电或场地平整"
        )
    })
}

/// Subcommands of `landplan reserve`.
#[derive(clap::Subcommand)]
pub enum Sub {
    /// 土地储备专项债券：导入债券项目，核对融资与收益平衡（本息覆盖倍数、地价下降敏感性）、封闭管理与到期本息
    Bond(bond::Args),
    /// 导入储备台账（工作簿，或储备地块、成本、净地、障碍各自的 CSV 文件）：整批成功或整批不导入；再次导入同一编号时更新属性，已记录的状态步骤不回退
    Import {
        /// 县级行政区：行政区划代码（如 330102）、代码=名称（登记县名，如 330102=某某县）或数据库中已有的名称
        #[arg(long)]
        region: String,
        /// 储备台账文件（XLSX/XLS 工作簿，或 CSV 文件，可多个）
        #[arg(required = true, value_name = "文件")]
        files: Vec<PathBuf>,
        /// 储备地块边界文件（国土TXT、GeoJSON、Shapefile、GeoPackage，可重复），按储备地块编号与地块对应；边界有错误时台账和边界都不导入
        #[arg(long, value_name = "文件")]
        geometry: Vec<PathBuf>,
        #[command(flatten)]
        out: TextOrJson,
    },
    /// 为已导入的储备地块导入或替换边界（国土TXT、GeoJSON、Shapefile、GeoPackage）：整批成功或整批不导入
    Geometry {
        /// 县级行政区：行政区划代码或数据库中已有的名称
        #[arg(long)]
        region: String,
        /// 边界文件（可多个），按储备地块编号与库中地块对应
        #[arg(required = true, value_name = "文件")]
        files: Vec<PathBuf>,
        #[command(flatten)]
        out: TextOrJson,
    },
    /// 列出储备地块（可按状态筛选）
    List {
        /// 行政区（县，或其上级市、省：列出其下各县）
        #[arg(long)]
        region: String,
        /// 只列出该状态的地块：拟收储、入库、前期开发、临时管护、已供应、退出
        #[arg(long, value_name = "状态", value_parser = parse_state)]
        state: Option<ReserveState>,
        #[command(flatten)]
        out: TextOrJson,
    },
    /// 查看一宗储备地块：状态记录、计划、净地条件、成本、障碍与变更记录
    Show {
        /// 县级行政区
        #[arg(long)]
        region: String,
        /// 储备地块编号
        #[arg(value_name = "编号")]
        id: String,
        #[command(flatten)]
        out: TextOrJson,
    },
    /// 变更储备地块的状态（须按 拟收储 → 入库 → 前期开发/临时管护 → 已供应 的顺序，或退出）
    Step {
        /// 县级行政区
        #[arg(long)]
        region: String,
        /// 储备地块编号
        #[arg(value_name = "编号")]
        id: String,
        /// 变更为：入库、前期开发、临时管护、已供应、退出
        #[arg(long, value_name = "状态", value_parser = parse_state)]
        to: ReserveState,
        /// 日期，如 2026-03-01
        #[arg(long, value_parser = parse_date)]
        date: Date,
        /// 收储方式（入库时必填）：收回、收购、优先购买、征收、其他
        #[arg(long, value_name = "收储方式", value_parser = parse_mode)]
        mode: Option<AcquisitionMode>,
        /// 权属或收储文件（入库时至少一份，可重复）
        #[arg(long = "document", value_name = "文件名或文号")]
        documents: Vec<String>,
        /// 查封、抵押、担保已解除（入库时必须确认）
        #[arg(long)]
        cleared: bool,
        /// 备注
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        out: TextOrJson,
    },
    /// 净地条件：列出各项的完成情况，或记录某一项已完成
    Ready {
        /// 县级行政区
        #[arg(long)]
        region: String,
        /// 储备地块编号
        #[arg(value_name = "编号")]
        id: String,
        /// 记录完成的项目：土地权利清晰、安置补偿落实到位、无法律经济纠纷、规划条件明确、通路、通水、通电、场地平整
        #[arg(long, value_name = "项目", value_parser = parse_item)]
        item: Option<ReadinessItem>,
        /// 完成日期（与 --item 一起使用；默认今天）
        #[arg(long, value_parser = parse_date)]
        date: Option<Date>,
        /// 依据（验收单、证明文件）
        #[arg(long, value_name = "依据")]
        evidence: Option<String>,
        #[command(flatten)]
        out: TextOrJson,
    },
    /// 障碍清单：逾期未解除的在前（红），30 天内到期的其次（黄）
    Obstacles {
        /// 行政区（县，或其上级市、省）
        #[arg(long)]
        region: String,
        /// 截至日期（默认今天）
        #[arg(long, value_parser = parse_date)]
        as_of: Option<Date>,
        #[command(flatten)]
        out: TextOrJson,
    },
    /// 由储备地块编制年度土地储备计划（六个部分）或三年滚动计划
    Plan {
        /// 县级行政区（从数据库读取储备地块时必填）
        #[arg(long)]
        region: Option<String>,
        /// 计划年度（三年滚动计划的第一年）
        #[arg(long, value_parser = super::parse_year)]
        year: i32,
        /// 编制三年滚动计划
        #[arg(long)]
        three_year: bool,
        /// 不读数据库，直接由储备台账文件编制（可多个文件：--ledger 储备地块.csv 成本.csv …）
        #[arg(long, value_name = "文件", num_args = 1..)]
        ledger: Vec<PathBuf>,
        /// 计划范围的名称（默认取行政区名称）
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        out: TextOrJson,
        /// 输出文件：.docx（Word）、.xlsx（Excel）或 .json（默认输出到屏幕）
        #[arg(short = 'o', long = "output", value_name = "文件")]
        output: Option<PathBuf>,
        /// 覆盖已存在的输出文件
        #[arg(long)]
        force: bool,
    },
}

/// Arguments of `landplan reserve`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    common: Common,
    #[command(subcommand)]
    sub: Sub,
}

/// Today in Beijing time (a bureau's day: an obstacle due in May is overdue from 1 June 北京时间).
fn today() -> Date {
    landplan_core::Timestamp::from_system_time(std::time::SystemTime::now())
        .date_beijing()
        .expect("the clock is within the calendar")
}

fn ha(a: landplan_core::Area) -> String {
    fmt_dp(a.ha(), 4)
}

fn print_findings(findings: &[Finding]) {
    for f in findings {
        let file = f
            .places
            .first()
            .and_then(|p| p.file.clone())
            .unwrap_or_default();
        let word = match f.severity {
            Severity::Error => "错误",
            Severity::Warning => "警告",
            _ => "提示",
        };
        // A boundary's finding names its feature in the file.
        let feature = f
            .places
            .first()
            .filter(|_| f.rule.starts_with("reserve.boundary") || f.rule.starts_with("geometry."))
            .and_then(|p| p.text.clone())
            .map(|t| format!("（{t}）"))
            .unwrap_or_default();
        if file.is_empty() {
            eprintln!("{word}[{}]：{}", f.rule, f.message);
        } else {
            eprintln!("{word}[{}] {file}{feature}：{}", f.rule, f.message);
        }
    }
}

/// Boundaries with errors: every finding printed, the refusal said, exit status 1; None when
/// they may be stored.
fn refuse_boundaries(findings: &[Finding]) -> Option<ExitCode> {
    let n = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    if n == 0 {
        return None;
    }
    print_findings(findings);
    eprintln!("储备地块边界有 {n} 处错误，整批未导入（台账和边界都未写入数据库）。请修正后重试。");
    Some(ExitCode::from(1))
}

/// After boundaries were stored: how many parcels collide with control lines (the findings
/// are printed above).
fn control_note(findings: &[Finding]) -> anyhow::Result<()> {
    let parcels: std::collections::BTreeSet<&str> = findings
        .iter()
        .filter(|f| f.rule == "overlay.forbid" || f.rule == "overlay.within")
        .filter_map(|f| f.places.first().and_then(|p| p.parcel.as_deref()))
        .collect();
    if !parcels.is_empty() {
        outln!(
            "  注意：{} 宗储备地块与管控线冲突（见上），边界已保存，请核实：{}",
            parcels.len(),
            parcels.into_iter().collect::<Vec<_>>().join("、")
        )?;
    }
    Ok(())
}

fn json_out(v: &serde_json::Value) -> anyhow::Result<()> {
    outln!("{}", serde_json::to_string_pretty(v)?)?;
    Ok(())
}

/// One line of a parcel list (JSON).
fn list_json(s: &StoredReserve) -> serde_json::Value {
    let p = &s.parcel;
    json!({
        "region": s.region,
        "id": p.id(),
        "project": p.project,
        "location": p.parcel.location,
        "township": p.parcel.township,
        "class": p.parcel.class_text,
        "area_ha": p.parcel.area().ha().normalize().to_string(),
        "state": p.state().id(),
        "state_label": p.state().label(),
        "since": p.steps.last().map(|s| s.date.to_string()),
        "updated_by": s.updated_by,
        "updated_at": s.updated_at,
    })
}

fn step_text(s: &Step) -> String {
    let mut parts = Vec::new();
    if let Some(m) = s.evidence.acquisition {
        parts.push(format!("收储方式：{}", m.label()));
    }
    if !s.evidence.documents.is_empty() {
        parts.push(format!("权属文件：{}", s.evidence.documents.join("；")));
    }
    if s.evidence.encumbrances_cleared {
        parts.push("查封、抵押、担保已解除".to_string());
    }
    if let Some(n) = &s.evidence.note {
        parts.push(format!("备注：{n}"));
    }
    let tail = if parts.is_empty() {
        String::new()
    } else {
        format!("　{}", parts.join("；"))
    };
    format!("{}　{}{tail}", s.date.chinese(), s.to.label())
}

fn readiness_json(p: &ReserveParcel, on: Date) -> serde_json::Value {
    let items: Vec<serde_json::Value> = ReadinessItem::ALL
        .iter()
        .map(|i| {
            let r = p.readiness.iter().find(|r| r.item == *i);
            json!({
                "item": i.id(),
                "label": i.label(),
                "done": r.and_then(|r| r.done).map(|d| d.to_string()),
                "evidence": r.and_then(|r| r.evidence.clone()),
            })
        })
        .collect();
    json!({
        "as_of": on.to_string(),
        "items": items,
        "missing": p.missing_readiness(on).iter().map(|i| i.id()).collect::<Vec<_>>(),
    })
}

fn readiness_text(p: &ReserveParcel, on: Date) -> String {
    let mut out = format!("净地条件（截至{}）：\n", on.chinese());
    for i in ReadinessItem::ALL {
        let r = p.readiness.iter().find(|r| r.item == i);
        let line = match r.and_then(|r| r.done) {
            Some(d) if d <= on => format!("  ✓ {}　{}", i.label(), d.chinese()),
            Some(d) => format!("  ✗ {}　（计划 {}）", i.label(), d.chinese()),
            None => format!("  ✗ {}", i.label()),
        };
        let ev = r
            .and_then(|r| r.evidence.as_deref())
            .map(|e| format!("　依据：{e}"))
            .unwrap_or_default();
        out.push_str(&format!("{line}{ev}\n"));
    }
    let missing = p.missing_readiness(on);
    if missing.is_empty() {
        out.push_str("  已具备净地供应条件\n");
    } else {
        out.push_str(&format!(
            "  未完成 {} 项，不能供应：{}\n",
            missing.len(),
            missing
                .iter()
                .map(|i| i.label())
                .collect::<Vec<_>>()
                .join("、")
        ));
    }
    out
}

/// A stored boundary's line: its areas, CRS and file.
fn boundary_text(b: Option<&ReserveBoundary>) -> String {
    match b {
        None => "  边界：未导入\n".to_string(),
        Some(b) => {
            let measured = b
                .measured
                .map(|m| {
                    format!(
                        "计算平面面积 {} 公顷、椭球面积 {} 公顷（原坐标系 EPSG:{}）",
                        fmt_dp(landplan_geoio::overlay::dec(m.planar_ha, 4), 4),
                        fmt_dp(landplan_geoio::overlay::dec(m.ellipsoidal_ha, 4), 4),
                        m.srid
                    )
                })
                .unwrap_or_else(|| "已导入".to_string());
            let file = b
                .file
                .as_deref()
                .map(|f| format!("，来源 {f}"))
                .unwrap_or_default();
            format!("  边界：{measured}{file}\n")
        }
    }
}

fn boundary_json(b: Option<&ReserveBoundary>) -> serde_json::Value {
    match b {
        None => serde_json::Value::Null,
        Some(b) => json!({
            "planar_ha": b.measured.map(|m| m.planar_ha),
            "ellipsoidal_ha": b.measured.map(|m| m.ellipsoidal_ha),
            "source_srid": b.measured.map(|m| m.srid),
            "file": b.file,
        }),
    }
}

fn show_text(
    s: &StoredReserve,
    history: &[landplan_store::AuditEntry],
    on: Date,
    boundary: Option<&ReserveBoundary>,
) -> String {
    let p = &s.parcel;
    let mut out = format!(
        "储备地块 {}{}\n",
        p.id(),
        p.project
            .as_deref()
            .map(|n| format!("　{n}"))
            .unwrap_or_default()
    );
    out.push_str(&format!(
        "  行政区：{}　坐落：{}　乡镇：{}\n  面积：{} 公顷　用途：{}\n",
        s.region,
        p.parcel.location.as_deref().unwrap_or("—"),
        p.parcel.township.as_deref().unwrap_or("—"),
        ha(p.parcel.area()),
        p.parcel.class_text
    ));
    out.push_str(&boundary_text(boundary));
    out.push_str(&format!(
        "当前状态：{}（最后更新：{}，{}）\n状态记录：\n",
        p.state().label(),
        s.updated_by,
        super::audit::beijing(&s.updated_at)
    ));
    for st in &p.steps {
        out.push_str(&format!("  {}\n", step_text(st)));
    }
    if !p.planned.is_empty() {
        out.push_str("计划：\n");
        for ps in &p.planned {
            let q = ps.quarter.map(|q| format!("第{q}季度")).unwrap_or_default();
            out.push_str(&format!("  {}年{q}　{}\n", ps.year, ps.to.label()));
        }
    }
    out.push_str(&readiness_text(p, on));
    if !p.costs.is_empty() {
        out.push_str("成本（万元）：\n");
        for c in &p.costs {
            out.push_str(&format!(
                "  {}年　{}　{}　{}{}{}\n",
                c.year,
                c.kind.label(),
                c.source.label(),
                fmt_dp(c.amount.wan_yuan(), 2),
                c.paid
                    .map(|d| format!("　支付 {}", d.chinese()))
                    .unwrap_or_default(),
                c.bond
                    .as_deref()
                    .map(|b| format!("　债券项目 {b}"))
                    .unwrap_or_default()
            ));
        }
    }
    if !p.obstacles.is_empty() {
        out.push_str("障碍：\n");
        for o in &p.obstacles {
            out.push_str(&format!(
                "  {}　{}　责任人：{}　计划 {} 解除{}\n",
                o.kind.label(),
                o.description,
                o.responsible,
                o.due.chinese(),
                o.cleared
                    .map(|d| format!("　已于 {} 解除", d.chinese()))
                    .unwrap_or_default()
            ));
        }
    }
    if !history.is_empty() {
        out.push_str("变更记录（北京时间）：\n");
        for e in history {
            out.push_str(&format!(
                "  {}　{}　经办人：{}\n",
                super::audit::beijing(&e.at),
                action_label(&e.action),
                e.user
            ));
        }
    }
    out
}

fn action_label(a: &str) -> &'static str {
    match a {
        "reserve.step" => "状态变更",
        "reserve.readiness" => "净地条件",
        "reserve.obstacle" => "障碍",
        "reserve.cost" => "成本",
        "reserve.import" => "导入",
        _ => "变更",
    }
}

/// One obstacle of the ledger as listed.
struct Listed {
    level: Colour,
    days: i64,
    cleared: bool,
    json: serde_json::Value,
    row: Vec<String>,
}

fn obstacles(
    store: &Store,
    who: &Actor,
    region: &str,
    as_of: Date,
    out: TextOrJson,
) -> anyhow::Result<ExitCode> {
    let parcels = store.reserve_parcels(who, region).map_err(explain)?;
    let rules = RuleContext::builtin().with_region(Some(region));
    let mut list = Vec::new();
    for s in &parcels {
        let p = &s.parcel;
        for o in &p.obstacles {
            let (level, days) = if p.state().is_final() {
                (Colour::Green, 0)
            } else {
                obstacle_level(o, as_of, &rules)
            };
            let cleared = o.cleared.is_some_and(|c| c <= as_of);
            let status = match level {
                Colour::Red => format!("逾期 {days} 天"),
                Colour::Yellow => format!("还有 {days} 天"),
                Colour::Green if cleared => "已解除".to_string(),
                Colour::Green if p.state().is_final() => format!("地块已{}", p.state().label()),
                Colour::Green => "未到期".to_string(),
            };
            list.push(Listed {
                level,
                days,
                cleared,
                json: json!({
                    "region": s.region,
                    "parcel": p.id(),
                    "state": p.state().id(),
                    "kind": o.kind.id(),
                    "kind_label": o.kind.label(),
                    "description": o.description,
                    "responsible": o.responsible,
                    "due": format!("{}-{:02}", o.due.year, o.due.month),
                    "due_label": o.due.chinese(),
                    "cleared": o.cleared.map(|d| d.to_string()),
                    "level": level,
                    "days": days,
                    "status": status,
                }),
                row: vec![
                    level.label().to_string(),
                    p.id().to_string(),
                    o.kind.label().to_string(),
                    o.description.clone(),
                    o.responsible.clone(),
                    o.due.chinese(),
                    status,
                ],
            });
        }
    }
    // Red (most overdue first), yellow (nearest first), open, cleared.
    list.sort_by(|a, b| {
        b.level
            .cmp(&a.level)
            .then(a.cleared.cmp(&b.cleared))
            .then_with(|| match a.level {
                Colour::Red => b.days.cmp(&a.days),
                _ => a.days.cmp(&b.days),
            })
    });
    let red = list.iter().any(|l| l.level == Colour::Red);
    if out.is_json() {
        json_out(&json!({
            "region": region,
            "as_of": as_of.to_string(),
            "red": list.iter().filter(|l| l.level == Colour::Red).count(),
            "yellow": list.iter().filter(|l| l.level == Colour::Yellow).count(),
            "obstacles": list.iter().map(|l| l.json.clone()).collect::<Vec<_>>(),
        }))?;
    } else if list.is_empty() {
        outln!("{region} 的储备地块没有登记障碍")?;
    } else {
        outln!(
            "障碍清单（截至{}）：红 {} 项、黄 {} 项，共 {} 项",
            as_of.chinese(),
            list.iter().filter(|l| l.level == Colour::Red).count(),
            list.iter().filter(|l| l.level == Colour::Yellow).count(),
            list.len()
        )?;
        // Several counties (a prefecture or province): each row names its county.
        let counties = parcels
            .iter()
            .map(|p| p.region.as_str())
            .collect::<std::collections::BTreeSet<_>>();
        let mut header = vec!["预警", "编号", "类别", "说明", "责任人", "计划解除", "状态"];
        if counties.len() > 1 || counties.iter().any(|c| *c != region) {
            header.insert(1, "行政区");
            for l in &mut list {
                let county = l.json["region"].as_str().unwrap_or_default().to_string();
                l.row.insert(1, county);
            }
        }
        let mut t = Table::new(&header, &vec![Align::Left; header.len()]);
        for l in list {
            t.row(l.row);
        }
        out!("{}", t.text())?;
    }
    Ok(ExitCode::from(if red { 1 } else { 0 }))
}

fn part_line(name: &str, p: &Part) -> String {
    format!(
        "  {name}：{} 宗，{} 公顷（{} 亩）\n",
        p.count(),
        ha(p.area),
        fmt_dp(p.area.mu(), 2)
    )
}

/// The annual plan's six parts as text.
fn annual_text(title: &str, a: &AnnualParts, findings: &[Finding]) -> String {
    let mut out = format!("{title}\n");
    out.push_str("一、上年度末结转\n");
    out.push_str(&part_line("结转储备", &a.carried_over));
    out.push_str("二、年度新增储备\n");
    out.push_str(&part_line("拟收储", &a.new_proposed));
    out.push_str(&part_line("入库", &a.new_held));
    out.push_str("三、前期开发\n");
    out.push_str(&part_line("前期开发", &a.preparation));
    out.push_str("四、储备土地供应\n");
    out.push_str(&part_line("计划供应", &a.supply));
    for r in &a.refused {
        out.push_str(&format!(
            "    未列入供应（未达到净地条件）：{}\n",
            r.describe()
        ));
    }
    out.push_str("五、临时管护\n");
    out.push_str(&part_line("临时管护", &a.custody));
    out.push_str("六、资金需求（万元）\n");
    for f in &a.funds {
        out.push_str(&format!(
            "  {}：{}\n",
            f.source.label(),
            fmt_dp(f.amount.wan_yuan(), 2)
        ));
    }
    out.push_str(&format!(
        "  合计：{}\n",
        fmt_dp(a.funds_total.wan_yuan(), 2)
    ));
    out.push_str(&part_line("年末储备", &a.year_end));
    if !findings.is_empty() {
        out.push_str("审查发现：\n");
        for f in findings {
            out.push_str(&format!("  [{}] {}\n", f.rule, f.message));
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn plan(
    db: &str,
    user: Option<&str>,
    region: Option<String>,
    year: i32,
    three_year: bool,
    ledger: Vec<PathBuf>,
    name: Option<String>,
    out: TextOrJson,
    output: Option<PathBuf>,
    force: bool,
) -> anyhow::Result<ExitCode> {
    if let Some(o) = &output {
        let inputs: Vec<&std::path::Path> = ledger.iter().map(|p| p.as_path()).collect();
        guard_output(o, &inputs, force)?;
    }
    let (parcels, code, label, file) = if !ledger.is_empty() {
        let read = landplan_io::reserve::read_reserve(&ledger, &Default::default());
        if read.has_errors() {
            print_findings(&read.findings);
            eprintln!("储备台账有错误，未编制计划。请修正后重试。");
            return Ok(ExitCode::from(1));
        }
        print_findings(&read.findings);
        let code = region.clone();
        let label = name.clone().or(region).unwrap_or_default();
        let file = ledger.first().map(|p| p.display().to_string());
        (read.parcels, code, label, file)
    } else {
        let Some(given) = region else {
            bail!(
                "请用 --region 指定行政区（从数据库读取储备地块），或用 --ledger 给出储备台账文件"
            );
        };
        let store = open_read(db)?;
        let who = actor(&store, user)?;
        let code = region_code(&store, &given)?;
        let stored = store.reserve_parcels(&who, &code).map_err(explain)?;
        if stored.is_empty() {
            bail!("{code} 没有储备地块；请先运行 landplan reserve import --region {code} 储备台账");
        }
        let label = match name {
            Some(n) => n,
            None => store
                .region_ref(&code)
                .map_err(explain)?
                .name
                .unwrap_or_else(|| code.clone()),
        };
        (
            stored.into_iter().map(|s| s.parcel).collect(),
            Some(code),
            label,
            None,
        )
    };
    let mut opts = AnnualOptions::new(label.clone(), year);
    opts.rules = RuleContext::builtin().with_region(code.as_deref());
    opts.file = file;
    let ext = output
        .as_ref()
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if three_year {
        let plan = compile_rolling(&parcels, year, &opts);
        let lines = plan.lines();
        let value = json!({ "plan": plan, "lines": lines });
        match ext.as_deref() {
            None if !out.is_json() => {
                let mut t = Table::new(
                    &[
                        "年度",
                        "年初储备",
                        "新增储备",
                        "前期开发",
                        "供应",
                        "临时管护",
                        "退出",
                        "年末储备",
                        "资金（万元）",
                    ],
                    &[
                        Align::Left,
                        Align::Right,
                        Align::Right,
                        Align::Right,
                        Align::Right,
                        Align::Right,
                        Align::Right,
                        Align::Right,
                        Align::Right,
                    ],
                );
                for l in &lines {
                    t.row(vec![
                        l.year.to_string(),
                        ha(l.start_stock),
                        ha(l.new_reserve),
                        ha(l.preparation),
                        ha(l.supply),
                        ha(l.custody),
                        ha(l.exited),
                        ha(l.end_stock),
                        fmt_dp(l.funds.wan_yuan(), 2),
                    ]);
                }
                outln!(
                    "{label} {}—{} 年土地储备三年滚动计划（面积：公顷）",
                    year,
                    year + 2
                )?;
                out!("{}", t.text())?;
                for f in &plan.findings {
                    outln!("[{}] {}", f.rule, f.message)?;
                }
            }
            None => json_out(&value)?,
            Some("json") => {
                let mut s = serde_json::to_string_pretty(&value)?;
                s.push('\n');
                write_output(output.as_deref(), s.as_bytes())?;
            }
            Some(e @ ("docx" | "xlsx")) => {
                let rf = if e == "docx" {
                    landplan_report::ReportFormat::Docx
                } else {
                    landplan_report::ReportFormat::Xlsx
                };
                let bytes = landplan_report::render_rolling(&plan, rf, &Default::default())
                    .context("无法写出三年滚动计划")?;
                write_output(output.as_deref(), &bytes)?;
            }
            Some(other) => bail!("输出文件应为 .docx、.xlsx 或 .json（读到 .{other}）"),
        }
        let errors = landplan_core::finding::has_errors(&plan.findings);
        return Ok(ExitCode::from(if errors { 1 } else { 0 }));
    }
    let compiled = compile_annual(&parcels, &opts);
    match ext.as_deref() {
        Some("docx") | Some("xlsx") => {
            let rf = if ext.as_deref() == Some("docx") {
                landplan_report::ReportFormat::Docx
            } else {
                landplan_report::ReportFormat::Xlsx
            };
            let bytes = landplan_report::render_plan(&compiled, rf, &Default::default())
                .context("无法写出储备计划")?;
            write_output(output.as_deref(), &bytes)?;
        }
        Some("json") => {
            let mut s =
                serde_json::to_string_pretty(&landplan_core::view::PlanView::new(&compiled))?;
            s.push('\n');
            write_output(output.as_deref(), s.as_bytes())?;
        }
        Some(other) => bail!("输出文件应为 .docx、.xlsx 或 .json（读到 .{other}）"),
        None if out.is_json() => {
            outln!(
                "{}",
                serde_json::to_string_pretty(&landplan_core::view::PlanView::new(&compiled))?
            )?;
        }
        None => {
            let title = format!("{label} {year} 年度土地储备计划");
            match compiled.reserve().and_then(|r| r.annual.as_deref()) {
                Some(a) => out!("{}", annual_text(&title, a, &compiled.findings))?,
                None => outln!("{title}：没有可列入的储备地块")?,
            }
        }
    }
    let errors = landplan_core::finding::has_errors(&compiled.findings);
    Ok(ExitCode::from(if errors { 1 } else { 0 }))
}

/// Run `landplan reserve`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let db = args.common.db.clone();
    let user = args.common.user.clone();
    match args.sub {
        Sub::Bond(a) => bond::run(a, &db, user.as_deref()),
        Sub::Plan {
            region,
            year,
            three_year,
            ledger,
            name,
            out,
            output,
            force,
        } => plan(
            &db,
            user.as_deref(),
            region,
            year,
            three_year,
            ledger,
            name,
            out,
            output,
            force,
        ),
        Sub::Geometry { region, files, out } => {
            let store = open(&db)?;
            let who = actor(&store, user.as_deref())?;
            let code = region_code(&store, &region)?;
            let read = BoundaryRead::read(&files, store.srid()).map_err(explain)?;
            let findings = store
                .reserve_check_boundaries(&who, &code, &[], &read)
                .map_err(explain)?;
            if let Some(code) = refuse_boundaries(&findings) {
                return Ok(code);
            }
            let sum = store
                .reserve_set_boundaries(&who, &code, &read)
                .map_err(explain)?;
            if out.is_json() {
                json_out(&json!({ "summary": sum }))?;
            } else {
                print_findings(&sum.findings);
                for r in &sum.reprojected {
                    outln!(
                        "  {} 由 EPSG:{} 转换为数据库坐标系 EPSG:{}",
                        r.file,
                        r.from_srid,
                        r.to_srid
                    )?;
                }
                outln!(
                    "已导入 {code} 储备地块边界：新增 {}，替换 {}，未变 {}（经办人：{}）",
                    sum.added,
                    sum.replaced,
                    sum.unchanged,
                    who.name()
                )?;
                control_note(&sum.findings)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Sub::Import {
            region,
            files,
            geometry,
            out,
        } => {
            let read = landplan_io::reserve::read_reserve(&files, &Default::default());
            if read.has_errors() {
                print_findings(&read.findings);
                let n = read
                    .findings
                    .iter()
                    .filter(|f| f.severity == Severity::Error)
                    .count();
                eprintln!("储备台账有 {n} 处错误，整批未导入。请修正后重试。");
                return Ok(ExitCode::from(1));
            }
            let store = open(&db)?;
            let who = actor(&store, user.as_deref())?;
            let code = region_code(&store, &region)?;
            // `代码=名称` registers the county's name, as `landplan store import` does.
            let name = region
                .split_once('=')
                .map(|(_, n)| n.trim())
                .filter(|n| !n.is_empty());
            let boundaries = if geometry.is_empty() {
                None
            } else {
                let b = BoundaryRead::read(&geometry, store.srid()).map_err(explain)?;
                let findings = store
                    .reserve_check_boundaries(&who, &code, &read.parcels, &b)
                    .map_err(explain)?;
                if let Some(code) = refuse_boundaries(&findings) {
                    return Ok(code);
                }
                Some(b)
            };
            let sum = store
                .reserve_import_with(&who, &code, name, &read.parcels, boundaries.as_ref())
                .map_err(explain)?;
            if out.is_json() {
                json_out(&json!({ "summary": sum, "findings": read.findings }))?;
            } else {
                print_findings(&read.findings);
                print_findings(&sum.findings);
                let bounded = if boundaries.is_some() {
                    format!("；导入边界 {} 宗", sum.boundaries)
                } else {
                    String::new()
                };
                outln!(
                    "已导入 {code} 储备地块 {} 宗：新增 {}，更新 {}，未变 {}；新记录状态步骤 {} 个{bounded}（经办人：{}）",
                    sum.parcels,
                    sum.added,
                    sum.replaced,
                    sum.unchanged,
                    sum.steps_added,
                    who.name()
                )?;
                for n in &sum.notes {
                    outln!("  提示：{n}")?;
                }
                control_note(&sum.findings)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Sub::List { region, state, out } => {
            let store = open_read(&db)?;
            let who = actor(&store, user.as_deref())?;
            let code = region_code(&store, &region)?;
            let list: Vec<StoredReserve> = store
                .reserve_parcels(&who, &code)
                .map_err(explain)?
                .into_iter()
                .filter(|s| state.is_none_or(|st| s.parcel.state() == st))
                .collect();
            if out.is_json() {
                json_out(&serde_json::Value::Array(
                    list.iter().map(list_json).collect(),
                ))?;
            } else if list.is_empty() {
                outln!(
                    "{code} 没有{}储备地块",
                    state
                        .map(|s| format!("“{}”的", s.label()))
                        .unwrap_or_default()
                )?;
            } else {
                let mut t = Table::new(
                    &[
                        "行政区",
                        "编号",
                        "项目名称",
                        "面积（公顷）",
                        "用途",
                        "状态",
                        "日期",
                    ],
                    &[
                        Align::Left,
                        Align::Left,
                        Align::Left,
                        Align::Right,
                        Align::Left,
                        Align::Left,
                        Align::Left,
                    ],
                );
                let mut total = rust_decimal::Decimal::ZERO;
                for s in &list {
                    let p = &s.parcel;
                    total += p.parcel.area().ha();
                    t.row(vec![
                        s.region.clone(),
                        p.id().to_string(),
                        p.project.clone().unwrap_or_default(),
                        ha(p.parcel.area()),
                        p.parcel.class_text.clone(),
                        p.state().label().to_string(),
                        p.steps
                            .last()
                            .map(|s| s.date.to_string())
                            .unwrap_or_default(),
                    ]);
                }
                out!("{}", t.text())?;
                outln!("合计 {} 宗，{} 公顷", list.len(), fmt_dp(total, 4))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Sub::Show { region, id, out } => {
            let store = open_read(&db)?;
            let who = actor(&store, user.as_deref())?;
            let code = region_code(&store, &region)?;
            let s = store.reserve_parcel(&who, &code, &id).map_err(explain)?;
            let history = store.reserve_history(&who, &code, &id).map_err(explain)?;
            let boundary = store
                .reserve_boundaries(&who, &code)
                .map_err(explain)?
                .into_iter()
                .find(|b| b.region == s.region && b.parcel_id == s.parcel.id());
            // The control lines its boundary collides with.
            let controls: Vec<Finding> = match boundary {
                Some(_) => store
                    .reserve_control_findings(&who, &code)
                    .map_err(explain)?
                    .into_iter()
                    .filter(|f| {
                        f.places.first().and_then(|p| p.parcel.as_deref()) == Some(s.parcel.id())
                    })
                    .collect(),
                None => Vec::new(),
            };
            let on = today();
            if out.is_json() {
                json_out(&json!({
                    "region": s.region,
                    "state": s.parcel.state().id(),
                    "state_label": s.parcel.state().label(),
                    "parcel": s.parcel,
                    "readiness": readiness_json(&s.parcel, on),
                    "boundary": boundary_json(boundary.as_ref()),
                    "control_findings": controls,
                    "updated_by": s.updated_by,
                    "updated_at": s.updated_at,
                    "history": history.iter().map(|e| json!({
                        "seq": e.seq,
                        "at": e.at,
                        "user": e.user,
                        "action": e.action,
                        "after": e.after.as_deref().and_then(|a| serde_json::from_str::<serde_json::Value>(a).ok()),
                    })).collect::<Vec<_>>(),
                }))?;
            } else {
                out!("{}", show_text(&s, &history, on, boundary.as_ref()))?;
                for f in &controls {
                    outln!("管控线：{}", f.message)?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Sub::Step {
            region,
            id,
            to,
            date,
            mode,
            documents,
            cleared,
            note,
            out,
        } => {
            let store = open(&db)?;
            let who = actor(&store, user.as_deref())?;
            let code = region_code(&store, &region)?;
            let from = store
                .reserve_parcel(&who, &code, &id)
                .map_err(explain)?
                .parcel
                .state();
            let step = Step {
                to,
                date,
                evidence: Evidence {
                    acquisition: mode,
                    documents,
                    encumbrances_cleared: cleared,
                    note,
                },
            };
            let p = store
                .reserve_step(&who, &code, &id, step)
                .map_err(explain)?;
            if out.is_json() {
                json_out(&json!({
                    "region": code,
                    "id": p.id(),
                    "from": from.id(),
                    "state": p.state().id(),
                    "state_label": p.state().label(),
                    "date": date.to_string(),
                    "user": who.name(),
                }))?;
            } else {
                outln!(
                    "已变更：储备地块 {} {} → {}（{}，经办人：{}）",
                    p.id(),
                    from.label(),
                    p.state().label(),
                    date.chinese(),
                    who.name()
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Sub::Ready {
            region,
            id,
            item,
            date,
            evidence,
            out,
        } => {
            let on = date.unwrap_or_else(today);
            let (store, who, code) = if item.is_some() {
                let store = open(&db)?;
                let who = actor(&store, user.as_deref())?;
                let code = region_code(&store, &region)?;
                (store, who, code)
            } else {
                let store = open_read(&db)?;
                let who = actor(&store, user.as_deref())?;
                let code = region_code(&store, &region)?;
                (store, who, code)
            };
            let p = match item {
                Some(item) => store
                    .reserve_set_readiness(
                        &who,
                        &code,
                        &id,
                        ReadinessRecord {
                            item,
                            done: Some(on),
                            evidence,
                        },
                    )
                    .map_err(explain)?,
                None => {
                    store
                        .reserve_parcel(&who, &code, &id)
                        .map_err(explain)?
                        .parcel
                }
            };
            if out.is_json() {
                json_out(&json!({
                    "region": code,
                    "id": p.id(),
                    "readiness": readiness_json(&p, on),
                }))?;
            } else {
                if let Some(item) = item {
                    outln!(
                        "已记录：储备地块 {} “{}”于 {} 完成（经办人：{}）",
                        p.id(),
                        item.label(),
                        on.chinese(),
                        who.name()
                    )?;
                }
                out!("{}", readiness_text(&p, on))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Sub::Obstacles { region, as_of, out } => {
            let store = open_read(&db)?;
            let who = actor(&store, user.as_deref())?;
            let code = region_code(&store, &region)?;
            obstacles(&store, &who, &code, as_of.unwrap_or_else(today), out)
        }
    }
}
