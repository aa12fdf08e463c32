//! The 附表 of the Word and HTML document.
//!
//! Both kinds open with the structure table and have the layout table and (when the parcels
//! are kept) a parcel table; each is written once with the kind's columns and captions. Then
//! each kind's own tables: a supply plan's housing and timing tables, a reserve plan's funds
//! table. Nothing is stated twice (see docs/report.md): the housing breakdown is its own table,
//! the timing table has no cumulative column, reserve parcels listed in the text are not listed
//! again.

use crate::doc::{Block, Table};
use crate::plan_doc::{
    ha, housing_stated, layout_columns, pct, plan_subject, quarter_label, timing_label,
    timing_shares, wan, year_text, Plan, LISTED_IN_TEXT,
};
use landplan_core::compile::{PlanKind, PlanParts, ReserveParts, SupplyParts};
use landplan_core::parcel::Parcel;
use landplan_core::reserve::annual::AnnualParts;
use landplan_core::reserve::CostKind;
use landplan_core::units::{Area, Money};
use landplan_core::view::Precision;

/// The name of the one attachment (附件) holding the 附表, as the 附件说明 line names it.
pub(crate) fn attachment_name(p: &Plan<'_>) -> String {
    format!(
        "{}{}年度{}附表",
        p.region,
        year_text(p.year),
        p.kind().label()
    )
}

/// Append the 附表 of a plan: a new page headed "附件" (GB/T 9704 §8: the attachment starts
/// on its own page, its label flush left in 黑体), then the tables, numbered 附表1, 附表2 … in
/// order, without gaps; an adjusted plan's 调整对照表 last.
pub(crate) fn tables(
    p: &Plan<'_>,
    adjustment: Option<&crate::adjust::Adjustment>,
    b: &mut Vec<Block>,
) {
    b.push(Block::PageBreak);
    b.push(Block::AttachmentLabel("附件".into()));
    let first = b.len();
    b.push(Block::Table(structure_table(p)));
    match &p.parts {
        PlanParts::Supply(s) => supply_tables(p, s, b),
        PlanParts::Reserve(r) => reserve_tables(p, r, b),
    }
    if let Some(a) = adjustment {
        crate::adjust::push(p, a, b);
    }
    let mut n = 0;
    for block in &mut b[first..] {
        if let Block::Table(t) = block {
            n += 1;
            t.label = format!("附表{n}");
        }
    }
}

/// The 地块分布图 as 附图1 (drawn as SVG here; the Word writer draws it as PNG as well).
pub(crate) fn map_figure(
    p: &Plan<'_>,
    map: &crate::map::MapInput,
) -> Result<crate::doc::Figure, crate::ReportError> {
    let caption = caption(p, &format!("{}地块分布图", plan_subject(p.kind())));
    let mut input = map.clone();
    if input.title.is_empty() {
        input.title = caption.clone();
    }
    let svg = crate::map::render_map(&input, crate::ImageFormat::Svg)?;
    Ok(crate::doc::Figure {
        label: "附图1".into(),
        caption,
        svg: String::from_utf8_lossy(&svg).into_owned(),
        ..Default::default()
    })
}

/// The number of a reserve plan's parcel table when the parcels are listed in a 附表 (after
/// the structure, layout and funds tables, as in the Excel 附表).
pub(crate) const RESERVE_PARCEL_TABLE: usize = 4;

/// The number of a reserve plan's parcel table: after the structure, layout and funds tables;
/// an annual plan compiled from reserve parcels has the parts table before its funds table and
/// the refused supplies (if any) after it.
pub(crate) fn reserve_parcel_table(r: &ReserveParts) -> usize {
    match &r.annual {
        None => RESERVE_PARCEL_TABLE,
        Some(a) => RESERVE_PARCEL_TABLE + 1 + usize::from(!a.refused.is_empty()),
    }
}

/// `{region}{year}年度` as captions begin.
fn caption(p: &Plan<'_>, what: &str) -> String {
    format!("{}{}年度{what}", p.region, year_text(p.year))
}

/// An area in a table cell: "—" when there is none (an empty category is not a figure).
fn cell(a: Area, pr: Precision) -> String {
    if a.is_positive() {
        ha(a, pr)
    } else {
        "—".into()
    }
}

fn num_flags(n: usize, text_cols: usize) -> Vec<bool> {
    (0..n).map(|i| i >= text_cols).collect()
}

fn strings(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|s| s.to_string()).collect()
}

/// 附表1: class × area, 新增, 存量. A supply plan's table reads 新增 before 存量; a reserve
/// plan's reads 存量 first and adds the share.
fn structure_table(p: &Plan<'_>) -> Table {
    let dp = p.pr;
    let supply = p.kind() == PlanKind::Supply;
    let row = |name: &str, area: Area, new: Area, stock: Area, share: String| {
        let name = name.to_string();
        if supply {
            vec![name, ha(area, dp), cell(new, dp), cell(stock, dp)]
        } else {
            vec![name, ha(area, dp), cell(stock, dp), cell(new, dp), share]
        }
    };
    let mut rows: Vec<Vec<String>> = p
        .structure
        .iter()
        .map(|c| row(&c.name, c.area, c.new, c.stock, pct(&c.share)))
        .collect();
    rows.push(row("合计", p.total, p.new, p.stock, "100.00".into()));
    let (what, unit, header) = if supply {
        (
            "国有建设用地供应计划表",
            "单位：公顷",
            strings(&["用地类型", "供应面积", "新增", "存量"]),
        )
    } else {
        (
            "土地储备规模与结构表",
            "单位：公顷、%",
            strings(&["用地类型", "储备面积", "存量", "新增", "占比"]),
        )
    };
    Table {
        label: "附表1".into(),
        caption: caption(p, what),
        unit: unit.into(),
        numeric: num_flags(header.len(), 1),
        header,
        rows,
    }
}

/// Township × class, with the 合计 row.
fn layout_table(p: &Plan<'_>, label: String) -> Table {
    let dp = p.pr;
    let cols = layout_columns(&p.structure);
    let mut header = vec!["乡镇（区域）".to_string(), "合计".to_string()];
    header.extend(cols.iter().map(|(_, n)| n.clone()));
    let mut rows = Vec::new();
    for t in &p.layout {
        let mut row = vec![t.name.clone(), ha(t.area, dp)];
        row.extend(cols.iter().map(|(c, _)| cell(t.class_area(c), dp)));
        rows.push(row);
    }
    let mut row = vec!["合计".to_string(), ha(p.total, dp)];
    row.extend(p.structure.iter().map(|c| ha(c.area, dp)));
    rows.push(row);
    Table {
        label,
        caption: caption(p, &format!("{}布局表", plan_subject(p.kind()))),
        unit: "单位：公顷".into(),
        numeric: num_flags(header.len(), 1),
        header,
        rows,
    }
}

/// The parcel list: the columns every plan has, then the kind's own two (供应方式 and 供应时间;
/// 储备状态 and 资金需求).
fn parcel_table(p: &Plan<'_>, label: String) -> Table {
    let dp = p.pr;
    let kind = p.kind();
    let rows = p
        .parcels
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let mut row = vec![
                (i + 1).to_string(),
                x.id.clone(),
                x.location.clone().unwrap_or_default(),
                x.township.clone().unwrap_or_default(),
                x.class_text.clone(),
                dp.parcel_ha(x.area()),
                x.source.map(|s| s.label()).unwrap_or("").to_string(),
            ];
            row.extend(parcel_tail(kind, x));
            row
        })
        .collect();
    let (what, unit, tail, money) = match kind {
        PlanKind::Supply => (
            "拟供应国有建设用地地块清单",
            "单位：公顷",
            ["供应方式", "供应时间"],
            false,
        ),
        PlanKind::Reserve => (
            "土地储备地块清单",
            "单位：公顷、万元",
            ["储备状态", "资金需求"],
            true,
        ),
    };
    let mut header = strings(&["序号", "地块编号", "坐落", "乡镇", "用途", "面积", "来源"]);
    header.extend(strings(&tail));
    Table {
        label,
        caption: caption(p, what),
        unit: unit.into(),
        header,
        numeric: vec![false, false, false, false, false, true, false, false, money],
        rows,
    }
}

/// A parcel's cells in the kind's own columns.
fn parcel_tail(kind: PlanKind, x: &Parcel) -> [String; 2] {
    match kind {
        PlanKind::Supply => [
            x.method.map(|m| m.label()).unwrap_or("").to_string(),
            timing_label(x.timing),
        ],
        PlanKind::Reserve => [
            x.reserve_status
                .map(|s| s.label())
                .unwrap_or("")
                .to_string(),
            x.funds.map(wan).unwrap_or_default(),
        ],
    }
}

/// After 附表1: housing (when there is housing land), layout, timing, parcels.
fn supply_tables(p: &Plan<'_>, s: &SupplyParts, b: &mut Vec<Block>) {
    let dp = p.pr;
    // The housing breakdown is its own table (the Excel 附表 has it as 其中 sub-rows with a
    // 小计 formula): sub-rows inside a table whose rows a reader sums to the 合计 would state
    // the housing land twice.
    if housing_stated(s) {
        let mut rows: Vec<Vec<String>> = s
            .housing
            .iter()
            .map(|h| vec![h.kind.label().to_string(), ha(h.area, dp), pct(&h.share)])
            .collect();
        let total: Area = s.housing.iter().map(|h| h.area).sum();
        rows.push(vec!["合计".into(), ha(total, dp), "100.00".into()]);
        b.push(Block::Table(Table {
            label: "附表2".into(),
            caption: caption(p, "住宅用地供应计划表"),
            unit: "单位：公顷、%".into(),
            header: strings(&["住宅类型", "供应面积", "占住宅用地比例"]),
            numeric: num_flags(3, 1),
            rows,
        }));
        // Stated below the table, not as a row: it is not a part of the 合计.
        let (part, share) = s.affordable_and_small();
        b.push(Block::Para(format!(
            "注：保障性安居工程和中小套型商品住房用地合计{}公顷，占住宅用地供应量的{}%。",
            ha(part, dp),
            pct(&share)
        )));
    }
    let n = if housing_stated(s) { 3 } else { 2 };
    b.push(Block::Table(layout_table(p, format!("附表{n}"))));
    // Timing: area and share per quarter (the cumulative figures are stated in the text and
    // computed in the Excel 附表).
    let tsh = timing_shares(p, s);
    let mut rows = Vec::new();
    for (q, sh) in s.timing.iter().zip(&tsh) {
        rows.push(vec![quarter_label(q.quarter), ha(q.area, dp), pct(sh)]);
    }
    if s.unscheduled.is_positive() {
        rows.push(vec![
            "未明确时间".into(),
            ha(s.unscheduled, dp),
            pct(&tsh[4]),
        ]);
    }
    rows.push(vec!["合计".into(), ha(p.total, dp), "100.00".into()]);
    b.push(Block::Table(Table {
        label: format!("附表{}", n + 1),
        caption: caption(p, "国有建设用地供应时序表"),
        unit: "单位：公顷、%".into(),
        header: strings(&["季度", "计划供应面积", "占比"]),
        numeric: num_flags(3, 1),
        rows,
    }));
    if !p.parcels.is_empty() {
        b.push(Block::Table(parcel_table(p, format!("附表{}", n + 2))));
    }
}

/// After 附表1: layout, funds by status, then the parcels (when too many to list in the
/// text), the order of the Excel 附表.
fn reserve_tables(p: &Plan<'_>, r: &ReserveParts, b: &mut Vec<Block>) {
    let dp = p.pr;
    b.push(Block::Table(layout_table(p, String::new())));
    if let Some(a) = &r.annual {
        b.push(Block::Table(parts_table(
            a,
            dp,
            caption(p, "土地储备计划构成表"),
            false,
        )));
        b.push(Block::Table(funds_table(
            a,
            caption(p, "土地储备资金需求表"),
        )));
        if !a.refused.is_empty() {
            b.push(Block::Table(refused_table(
                a,
                caption(p, "未列入储备土地供应的地块"),
            )));
        }
        if p.parcels.len() > LISTED_IN_TEXT {
            b.push(Block::Table(parcel_table(p, String::new())));
        }
        return;
    }
    let mut rows: Vec<Vec<String>> = r
        .status
        .iter()
        .map(|s| {
            vec![
                s.name.clone(),
                ha(s.area, dp),
                s.parcels.to_string(),
                wan(s.funds),
            ]
        })
        .collect();
    rows.push(vec![
        "合计".into(),
        ha(p.total, dp),
        p.parcel_count.to_string(),
        wan(r.funds),
    ]);
    b.push(Block::Table(Table {
        label: String::new(),
        caption: caption(p, "土地储备资金需求表"),
        unit: "单位：公顷、宗、万元".into(),
        header: strings(&["储备状态", "面积", "地块数", "资金需求"]),
        numeric: num_flags(4, 1),
        rows,
    }));
    // Parcels already listed in the text (seed register) are not listed a second time.
    if p.parcels.len() > LISTED_IN_TEXT {
        b.push(Block::Table(parcel_table(p, String::new())));
    }
}

/// The annual plan's parts (上年度末结转 … 年末库存): area and parcel count, then the stock
/// flow line (结转 + 新增 − 供应 − 退出). With `detail` (the three-year plan's table of each
/// year) also 亩 and the parcels' 编号 — a planned step marked （计划）. The annual plan's own
/// 附表 leaves them out: its parcels are listed once, in the 储备地块明细, and a second list of
/// 编号 (or a 亩 column beside 公顷) would be read by the document checker as another parcel
/// list.
pub(crate) fn parts_table(a: &AnnualParts, pr: Precision, caption: String, detail: bool) -> Table {
    let mut rows: Vec<Vec<String>> = a
        .labelled_parts()
        .into_iter()
        .map(|(id, name, part)| {
            let mut row = vec![name.to_string(), ha(part.area, pr)];
            if detail {
                row.push(pr.mu(part.area));
            }
            row.push(part.count().to_string());
            if detail {
                row.push(
                    part.parcels
                        .iter()
                        .map(|x| {
                            if x.planned && id != "new_proposed" {
                                format!("{}（计划）", x.id)
                            } else {
                                x.id.clone()
                            }
                        })
                        .collect::<Vec<_>>()
                        .join("、"),
                );
            }
            row
        })
        .collect();
    let flows = a.year_end_by_flows();
    let mut last = vec![
        "年末库存（按结转＋新增－供应－退出）".to_string(),
        ha(flows, pr),
    ];
    if detail {
        last.push(pr.mu(flows));
        last.push(String::new());
    }
    last.push(String::new());
    rows.push(last);
    let (unit, header, numeric) = if detail {
        (
            "单位：公顷、亩、宗",
            strings(&["项目", "面积（公顷）", "面积（亩）", "地块数", "地块编号"]),
            vec![false, true, true, true, false],
        )
    } else {
        (
            "单位：公顷、宗",
            strings(&["项目", "面积", "地块数"]),
            vec![false, true, true],
        )
    };
    Table {
        label: String::new(),
        caption,
        unit: unit.into(),
        header,
        numeric,
        rows,
    }
}

/// 资金需求 by source (rows) and cost kind (columns), with 合计 row and column, in 万元.
pub(crate) fn funds_table(a: &AnnualParts, caption: String) -> Table {
    let kinds: Vec<CostKind> = CostKind::ALL
        .into_iter()
        .filter(|k| a.funds.iter().any(|f| f.kinds.iter().any(|x| x.kind == *k)))
        .collect();
    let of = |f: &landplan_core::reserve::annual::FundLine, k: CostKind| {
        f.kinds
            .iter()
            .find(|x| x.kind == k)
            .map(|x| wan(x.amount))
            .unwrap_or_else(|| "—".into())
    };
    let mut header = vec!["资金来源".to_string()];
    header.extend(kinds.iter().map(|k| k.label().to_string()));
    header.push("合计".into());
    let mut rows: Vec<Vec<String>> = a
        .funds
        .iter()
        .map(|f| {
            let mut row = vec![f.source.label().to_string()];
            row.extend(kinds.iter().map(|k| of(f, *k)));
            row.push(wan(f.amount));
            row
        })
        .collect();
    let mut total = vec!["合计".to_string()];
    total.extend(kinds.iter().map(|k| {
        let sum = a
            .funds
            .iter()
            .flat_map(|f| f.kinds.iter())
            .filter(|x| x.kind == *k)
            .map(|x| x.amount.0)
            .sum();
        wan(Money(sum))
    }));
    total.push(wan(a.funds_total));
    rows.push(total);
    let n = header.len();
    Table {
        label: String::new(),
        caption,
        unit: "单位：万元".into(),
        header,
        numeric: num_flags(n, 1),
        rows,
    }
}

/// The parcels planned for supply but refused, with the 净地 items they miss. No area column:
/// the document checker would read 编号 with 面积 as a second parcel list (the parcel's area
/// is in the Excel sheet and the JSON view).
pub(crate) fn refused_table(a: &AnnualParts, caption: String) -> Table {
    let rows = a
        .refused
        .iter()
        .map(|r| {
            vec![
                r.id.clone(),
                r.location.clone().unwrap_or_default(),
                r.planned_day.chinese(),
                r.missing
                    .iter()
                    .map(|i| i.label())
                    .collect::<Vec<_>>()
                    .join("、"),
            ]
        })
        .collect();
    Table {
        label: String::new(),
        caption,
        unit: String::new(),
        header: strings(&["地块编号", "土地坐落", "计划供应日", "未完成事项"]),
        numeric: vec![false; 4],
        rows,
    }
}
