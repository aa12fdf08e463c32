//! Building the document model of a plan: narrative sections from templates, indicator
//! sections (计划指标) generated from the compiled figures, then the 附表 tables.
//!
//! The generated sentences use the plain register of published plans ("…供应总量控制在
//! 383.73公顷（5755.95亩）以内", "工矿仓储用地263.43公顷，占比68.65%"), so that the document
//! checker reads the same figures back.

use crate::doc::{Block, Doc, Table};
use crate::{template, ReportError, ReportOptions};
use landplan_core::compile::{CompiledPlan, ReservePlan, SupplyPlan, TownshipLine};
use landplan_core::parcel::{HousingType, Parcel, Timing};
use landplan_core::share::{shares, Share};
use landplan_core::units::{fmt_dp, Area, Money};

/// Hectares at `dp` decimals.
pub(crate) fn ha(a: Area, dp: u32) -> String {
    fmt_dp(a.ha(), dp)
}

/// 亩 at `dp` decimals.
pub(crate) fn mu(a: Area, dp: u32) -> String {
    fmt_dp(a.mu(), dp)
}

/// A displayed share, two decimals (trailing zeros kept): the share as compiled, so that the
/// document prints exactly the shares of `landplan compile --format json`.
///
/// For a complete breakdown that is the largest-remainder value (the column adds up to exactly
/// 100.00); the document checker accepts such a column, since each share is then within one
/// unit of its last decimal of the exact share.
pub(crate) fn pct(s: &Share) -> String {
    fmt_dp(s.display, 2)
}

/// 万元 at two decimals.
pub(crate) fn wan(m: Money) -> String {
    fmt_dp(m.wan_yuan(), 2)
}

/// The year as written in titles and sentences ("2025", or "本" when unknown).
pub(crate) fn year_text(year: Option<i32>) -> String {
    year.map(|y| y.to_string())
        .unwrap_or_else(|| "本".to_string())
}

/// Quarter label: 第一季度 ….
pub(crate) fn quarter_label(q: u8) -> String {
    format!("第{}季度", crate::doc::chinese_number(q as u32))
}

/// How a parcel's planned time is written.
pub(crate) fn timing_label(t: Option<Timing>) -> String {
    match t {
        None => String::new(),
        Some(Timing::Quarter { quarter }) => quarter_label(quarter),
        Some(Timing::Month { month }) => format!("{month}月"),
        Some(Timing::Date { year, month, day }) => format!("{year}年{month}月{day}日"),
    }
}

/// The four rows of the published housing layout (廉租, 经济适用, 棚改, 商品房, 其他), each
/// with the housing types it gathers.
pub(crate) const HOUSING_ROWS: [(&str, &[HousingType]); 5] = [
    ("廉租住房", &[HousingType::LowRent]),
    ("经济适用住房", &[HousingType::Economical]),
    ("棚户区改造", &[HousingType::ShantyRedevelopment]),
    (
        "商品住房",
        &[HousingType::Commodity, HousingType::SmallCommodity],
    ),
    (
        "其他",
        &[
            HousingType::PublicRental,
            HousingType::AffordableRental,
            HousingType::Affordable,
            HousingType::Rental,
            HousingType::Other,
        ],
    ),
];

/// The area of the housing types in `kinds`.
pub(crate) fn housing_area(plan: &SupplyPlan, kinds: &[HousingType]) -> Area {
    plan.housing
        .iter()
        .filter(|h| kinds.contains(&h.kind))
        .map(|h| h.area)
        .sum()
}

/// Whether a structure line is the residential class (住宅用地 / 居住用地: code 07 in both
/// schemes).
pub(crate) fn is_residential(code: &str) -> bool {
    code == "07"
}

/// The class columns of a layout: every class appearing in any township, in structure order.
pub(crate) fn layout_columns(
    structure: &[landplan_core::compile::ClassLine],
) -> Vec<(String, String)> {
    structure
        .iter()
        .map(|c| (c.code.clone(), c.name.clone()))
        .collect()
}

/// A township's area in one class.
pub(crate) fn township_class(t: &TownshipLine, code: &str) -> Area {
    t.classes
        .iter()
        .find(|c| c.code == code)
        .map(|c| c.area)
        .unwrap_or(Area::ZERO)
}

/// Build the document model of a compiled plan.
pub fn build_document(plan: &CompiledPlan, opts: &ReportOptions) -> Result<Doc, ReportError> {
    let mut doc = match plan {
        CompiledPlan::Supply(p) => supply(p, opts)?,
        CompiledPlan::Reserve(p) => reserve(p, opts)?,
    };
    doc.number_headings();
    Ok(doc)
}

#[allow(clippy::too_many_arguments)]
fn vars(
    region: &str,
    year: Option<i32>,
    total: Area,
    new: Area,
    stock: Area,
    count: usize,
    dp: u32,
    body: &str,
) -> Vec<(&'static str, String)> {
    vec![
        ("region", region.to_string()),
        ("year", year_text(year)),
        ("total_ha", ha(total, dp)),
        ("total_mu", mu(total, dp)),
        ("new_ha", ha(new, dp)),
        ("stock_ha", ha(stock, dp)),
        ("parcel_count", count.to_string()),
        ("issuing_body", body.to_string()),
    ]
}

/// The title, the template's preamble, principles and scope, and the 计划指标 heading.
fn opening(
    dir: Option<&std::path::Path>,
    kind: &str,
    title: &str,
    v: &[(&str, String)],
) -> Result<Vec<Block>, ReportError> {
    let mut b = vec![Block::Title(title.to_string())];
    for part in ["preamble", "principles", "scope"] {
        b.extend(template::blocks(dir, kind, part, v)?);
    }
    b.push(Block::Heading1("计划指标".into()));
    Ok(b)
}

fn supply(p: &SupplyPlan, opts: &ReportOptions) -> Result<Doc, ReportError> {
    let dp = p.display_dp;
    let y = year_text(p.year);
    let r = &p.region;
    let body = opts.issuing_body_for(r);
    let v = vars(
        r,
        p.year,
        p.total,
        p.new,
        p.stock,
        p.parcel_count,
        dp,
        &body,
    );
    let dir = opts.templates_dir.as_deref();
    let title = format!("{r}{y}年度国有建设用地供应计划");
    let mut b = opening(dir, "supply", &title, &v)?;
    // Total, with 新增/存量.
    b.push(Block::Heading2("国有建设用地供应总量".into()));
    b.push(Block::Para(format!(
        "{y}年度{r}国有建设用地供应总量控制在{}公顷（{}亩）以内。",
        ha(p.total, dp),
        mu(p.total, dp)
    )));
    b.extend(source_sentence(
        p.total,
        p.new,
        p.stock,
        p.source_unspecified,
        dp,
        "建设用地",
    ));
    // Structure.
    b.push(Block::Heading2("国有建设用地供应结构".into()));
    if !p.structure.is_empty() {
        let parts: Vec<String> = p
            .structure
            .iter()
            .map(|c| format!("{}{}公顷，占比{}%", c.name, ha(c.area, dp), pct(&c.share)))
            .collect();
        b.push(Block::Para(format!(
            "{y}年度{r}国有建设用地供应总量中，{}。",
            parts.join("；")
        )));
    }
    if !p.housing.is_empty() {
        let parts: Vec<String> = p
            .housing
            .iter()
            .map(|h| format!("{}用地{}公顷", h.kind.label(), ha(h.area, dp)))
            .collect();
        let (part, share) = p.affordable_and_small();
        b.push(Block::Para(format!(
            "住宅用地中，{}。保障性安居工程和中小套型商品住房用地合计{}公顷，占住宅用地供应量的{}%。",
            parts.join("，"),
            ha(part, dp),
            pct(&share)
        )));
    }
    // Layout.
    b.push(Block::Heading2("国有建设用地供应布局".into()));
    b.push(Block::Para(format!("{y}年度拟供应国有建设用地分布如下：")));
    for t in &p.layout {
        b.push(Block::Para(township_sentence(t, dp, "土地供应量为")));
    }
    // Timing.
    b.push(Block::Heading2("国有建设用地供应时序".into()));
    let mut parts: Vec<_> = p.timing.iter().map(|q| q.area.ha()).collect();
    parts.push(p.unscheduled.ha());
    let tsh = shares(&parts, p.total.ha(), 2);
    let mut sentences = Vec::new();
    for (q, s) in p.timing.iter().zip(&tsh) {
        sentences.push(format!(
            "{}计划供应{}公顷，占比{}%，累计供应{}公顷，累计占比{}%",
            quarter_label(q.quarter),
            ha(q.area, dp),
            pct(s),
            ha(q.cumulative, dp),
            pct(&q.cumulative_share)
        ));
    }
    if p.unscheduled.is_positive() {
        sentences.push(format!(
            "未明确供应时间的{}公顷，占比{}%",
            ha(p.unscheduled, dp),
            pct(&tsh[4])
        ));
    }
    b.push(Block::Para(format!("{}。", sentences.join("；"))));
    // Methods: 出让 as one method with its ways (招标/拍卖/挂牌/协议) as 其中 parts.
    b.push(Block::Heading2("国有建设用地供应方式".into()));
    if let Some(s) = methods_sentence(p, dp) {
        b.push(Block::Para(format!("{y}年度{r}国有建设用地{s}。")));
    }

    b.extend(template::blocks(dir, "supply", "policy", &v)?);
    b.extend(template::blocks(dir, "supply", "measures", &v)?);
    b.push(Block::Signature {
        body,
        date: opts.date.clone(),
    });
    if !opts.no_annex {
        supply_annex(p, &mut b);
    }
    Ok(Doc { title, blocks: b })
}

/// The methods as published: 划拨, 出让 (with its ways as 其中 parts), 租赁, 作价出资, and the
/// area with no method; each with its share of the total.
fn methods_sentence(p: &SupplyPlan, dp: u32) -> Option<String> {
    if p.methods.is_empty() {
        return None;
    }
    let sale: Vec<&landplan_core::compile::MethodLine> = p
        .methods
        .iter()
        .filter(|m| m.method.is_some_and(|x| x.is_sale()))
        .collect();
    let sale_total: Area = sale.iter().map(|m| m.area).sum();
    // Groups in order: each non-sale method, with 出让 placed after 划拨.
    let mut groups: Vec<(String, Area, Vec<String>)> = Vec::new();
    let mut sale_done = false;
    for m in &p.methods {
        match m.method {
            Some(x) if x.is_sale() => {
                if sale_done {
                    continue;
                }
                sale_done = true;
                let subs: Vec<String> = if sale.len() > 1
                    || sale.first().and_then(|m| m.method)
                        != Some(landplan_core::parcel::SupplyMethod::Sale)
                {
                    sale.iter()
                        .map(|m| match m.method {
                            Some(landplan_core::parcel::SupplyMethod::Sale) => {
                                format!("未明确招拍挂或协议方式的{}公顷", ha(m.area, dp))
                            }
                            _ => format!("{}{}公顷", m.name, ha(m.area, dp)),
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                groups.push(("以出让方式供应".into(), sale_total, subs));
            }
            Some(_) => groups.push((format!("以{}方式供应", m.name), m.area, Vec::new())),
            None => groups.push(("未注明供应方式的".into(), m.area, Vec::new())),
        }
    }
    let sh = shares(
        &groups.iter().map(|g| g.1.ha()).collect::<Vec<_>>(),
        p.total.ha(),
        2,
    );
    let parts: Vec<String> = groups
        .iter()
        .zip(&sh)
        .map(|((lead, area, subs), s)| {
            let mut t = format!("{lead}{}公顷，占比{}%", ha(*area, dp), pct(s));
            if !subs.is_empty() {
                t.push_str(&format!("，其中{}", subs.join("，")));
            }
            t
        })
        .collect();
    Some(parts.join("；"))
}

fn source_sentence(
    total: Area,
    new: Area,
    stock: Area,
    unspecified: Area,
    dp: u32,
    noun: &str,
) -> Option<Block> {
    if !total.is_positive() {
        return None;
    }
    let sh = shares(&[new.ha(), stock.ha(), unspecified.ha()], total.ha(), 2);
    let mut parts = Vec::new();
    if new.is_positive() {
        parts.push(format!(
            "新增{noun}{}公顷，占比{}%",
            ha(new, dp),
            pct(&sh[0])
        ));
    }
    if stock.is_positive() {
        parts.push(format!(
            "存量{noun}{}公顷，占比{}%",
            ha(stock, dp),
            pct(&sh[1])
        ));
    }
    if unspecified.is_positive() {
        parts.push(format!(
            "未注明新增或存量的{}公顷，占比{}%",
            ha(unspecified, dp),
            pct(&sh[2])
        ));
    }
    Some(Block::Para(format!("其中，{}。", parts.join("；"))))
}

fn township_sentence(t: &TownshipLine, dp: u32, verb: &str) -> String {
    let parts: Vec<String> = t
        .classes
        .iter()
        .map(|c| format!("{}{}公顷", c.name, ha(c.area, dp)))
        .collect();
    format!(
        "{}{verb}{}公顷，其中：{}。",
        t.name,
        ha(t.area, dp),
        parts.join("，")
    )
}

fn num_flags(n: usize, text_cols: usize) -> Vec<bool> {
    (0..n).map(|i| i >= text_cols).collect()
}

fn layout_table(
    label: &str,
    caption: String,
    layout: &[TownshipLine],
    structure: &[landplan_core::compile::ClassLine],
    total: Area,
    dp: u32,
) -> Table {
    let cols = layout_columns(structure);
    let mut header = vec!["乡镇（区域）".to_string(), "合计".to_string()];
    header.extend(cols.iter().map(|(_, n)| n.clone()));
    let mut rows = Vec::new();
    for t in layout {
        let mut row = vec![t.name.clone(), ha(t.area, dp)];
        row.extend(cols.iter().map(|(c, _)| ha(township_class(t, c), dp)));
        rows.push(row);
    }
    let mut row = vec!["合计".to_string(), ha(total, dp)];
    row.extend(structure.iter().map(|c| ha(c.area, dp)));
    rows.push(row);
    Table {
        label: label.into(),
        caption,
        unit: "单位：公顷".into(),
        numeric: num_flags(header.len(), 1),
        header,
        rows,
    }
}

fn parcel_class_name(p: &Parcel) -> String {
    p.class_text.clone()
}

fn supply_annex(p: &SupplyPlan, b: &mut Vec<Block>) {
    let dp = p.display_dp;
    let y = year_text(p.year);
    let r = &p.region;
    b.push(Block::PageBreak);
    // 附表1: class × (供应面积, 新增, 存量). The housing breakdown is 附表2 in the Word document
    // (the Excel 附表 has it as 其中 sub-rows with a 小计 formula): sub-rows inside a table whose
    // rows a reader sums to the 合计 would state the housing land twice.
    let mut rows = Vec::new();
    for c in &p.structure {
        rows.push(vec![
            c.name.clone(),
            ha(c.area, dp),
            ha(c.new, dp),
            ha(c.stock, dp),
        ]);
    }
    rows.push(vec![
        "合计".into(),
        ha(p.total, dp),
        ha(p.new, dp),
        ha(p.stock, dp),
    ]);
    b.push(Block::Table(Table {
        label: "附表1".into(),
        caption: format!("{r}{y}年度国有建设用地供应计划表"),
        unit: "单位：公顷".into(),
        header: vec![
            "用地类型".into(),
            "供应面积".into(),
            "新增".into(),
            "存量".into(),
        ],
        numeric: num_flags(4, 1),
        rows,
    }));
    // 附表2: housing.
    if !p.housing.is_empty() {
        let mut rows: Vec<Vec<String>> = p
            .housing
            .iter()
            .map(|h| vec![h.kind.label().to_string(), ha(h.area, dp), pct(&h.share)])
            .collect();
        let total: Area = p.housing.iter().map(|h| h.area).sum();
        rows.push(vec!["合计".into(), ha(total, dp), "100.00".into()]);
        b.push(Block::Table(Table {
            label: "附表2".into(),
            caption: format!("{r}{y}年度住宅用地供应计划表"),
            unit: "单位：公顷、%".into(),
            header: vec![
                "住宅类型".into(),
                "供应面积".into(),
                "占住宅用地比例".into(),
            ],
            numeric: num_flags(3, 1),
            rows,
        }));
        // Stated below the table, not as a row: it is not a part of the 合计.
        let (part, share) = p.affordable_and_small();
        b.push(Block::Para(format!(
            "注：保障性安居工程和中小套型商品住房用地合计{}公顷，占住宅用地供应量的{}%。",
            ha(part, dp),
            pct(&share)
        )));
    }
    let n = if p.housing.is_empty() { 2 } else { 3 };
    b.push(Block::Table(layout_table(
        &format!("附表{n}"),
        format!("{r}{y}年度国有建设用地供应布局表"),
        &p.layout,
        &p.structure,
        p.total,
        dp,
    )));
    // Timing: area and share per quarter (the cumulative figures are stated in the text and
    // computed in the Excel 附表).
    let mut parts: Vec<_> = p.timing.iter().map(|q| q.area.ha()).collect();
    parts.push(p.unscheduled.ha());
    let tsh = shares(&parts, p.total.ha(), 2);
    let mut rows = Vec::new();
    for (q, s) in p.timing.iter().zip(&tsh) {
        rows.push(vec![quarter_label(q.quarter), ha(q.area, dp), pct(s)]);
    }
    if p.unscheduled.is_positive() {
        rows.push(vec![
            "未明确时间".into(),
            ha(p.unscheduled, dp),
            pct(&tsh[4]),
        ]);
    }
    rows.push(vec!["合计".into(), ha(p.total, dp), "100.00".into()]);
    b.push(Block::Table(Table {
        label: format!("附表{}", n + 1),
        caption: format!("{r}{y}年度国有建设用地供应时序表"),
        unit: "单位：公顷、%".into(),
        header: vec!["季度".into(), "计划供应面积".into(), "占比".into()],
        numeric: num_flags(3, 1),
        rows,
    }));
    // Parcels.
    if !p.parcels.is_empty() {
        let rows = p
            .parcels
            .iter()
            .enumerate()
            .map(|(i, x)| {
                vec![
                    (i + 1).to_string(),
                    x.id.clone(),
                    x.location.clone().unwrap_or_default(),
                    x.township.clone().unwrap_or_default(),
                    parcel_class_name(x),
                    ha(x.area(), dp),
                    x.source.map(|s| s.label()).unwrap_or("").to_string(),
                    x.method.map(|m| m.label()).unwrap_or("").to_string(),
                    timing_label(x.timing),
                ]
            })
            .collect();
        b.push(Block::Table(Table {
            label: format!("附表{}", n + 2),
            caption: format!("{r}{y}年度拟供应国有建设用地地块清单"),
            unit: "单位：公顷".into(),
            header: [
                "序号",
                "地块编号",
                "坐落",
                "乡镇",
                "用途",
                "面积",
                "来源",
                "供应方式",
                "供应时间",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            numeric: vec![false, false, false, false, false, true, false, false, false],
            rows,
        }));
    }
}

/// Reserve parcels up to this many are listed in the text (as seed 001 does); more go to the
/// 附表 parcel table instead.
const LISTED_IN_TEXT: usize = 200;

fn reserve(p: &ReservePlan, opts: &ReportOptions) -> Result<Doc, ReportError> {
    let dp = p.display_dp;
    let y = year_text(p.year);
    let r = &p.region;
    let body = opts.issuing_body_for(r);
    let v = vars(
        r,
        p.year,
        p.total,
        p.new,
        p.stock,
        p.parcel_count,
        dp,
        &body,
    );
    let dir = opts.templates_dir.as_deref();
    let title = format!("{r}{y}年度土地储备计划");
    let mut b = opening(dir, "reserve", &title, &v)?;
    b.push(Block::Heading2("年度储备规模".into()));
    let mut s = format!(
        "{y}年度{r}计划储备土地{}公顷（{}亩）。",
        ha(p.total, dp),
        mu(p.total, dp)
    );
    let mut parts = Vec::new();
    if p.stock.is_positive() {
        parts.push(format!(
            "存量土地{}公顷（{}亩）",
            ha(p.stock, dp),
            mu(p.stock, dp)
        ));
    }
    if p.new.is_positive() {
        parts.push(format!(
            "新增土地{}公顷（{}亩）",
            ha(p.new, dp),
            mu(p.new, dp)
        ));
    }
    if p.source_unspecified.is_positive() {
        parts.push(format!(
            "未注明新增或存量的{}公顷（{}亩）",
            ha(p.source_unspecified, dp),
            mu(p.source_unspecified, dp)
        ));
    }
    if !parts.is_empty() {
        s.push_str(&format!("其中：{}。", parts.join("，")));
    }
    b.push(Block::Para(s));
    b.push(Block::Heading2("年度土地储备结构".into()));
    if !p.structure.is_empty() {
        let parts: Vec<String> = p
            .structure
            .iter()
            .map(|c| {
                format!(
                    "{}{}公顷，占计划储备土地面积的{}%",
                    c.name,
                    ha(c.area, dp),
                    pct(&c.share)
                )
            })
            .collect();
        b.push(Block::Para(format!(
            "{r}土地储备总量中，{}。",
            parts.join("；")
        )));
    }
    b.push(Block::Heading2("储备地块空间布局".into()));
    for t in &p.layout {
        b.push(Block::Para(township_sentence(t, dp, "计划储备土地")));
    }
    if p.status.iter().any(|s| s.status.is_some()) {
        b.push(Block::Heading2("储备土地安排".into()));
        let parts: Vec<String> = p
            .status
            .iter()
            .map(|s| format!("{}土地{}公顷（{}宗）", s.name, ha(s.area, dp), s.parcels))
            .collect();
        b.push(Block::Para(format!("{}。", parts.join("；"))));
    }
    if !p.parcels.is_empty() {
        b.push(Block::Heading2("储备地块明细".into()));
        if p.parcels.len() <= LISTED_IN_TEXT {
            let n = p.parcels.len();
            for (i, x) in p.parcels.iter().enumerate() {
                b.push(Block::Para(format!(
                    "{}.地块编号：{}，土地坐落：{}，面积：{}公顷{}",
                    i + 1,
                    x.id,
                    x.location.as_deref().unwrap_or("未注明"),
                    ha(x.area(), dp),
                    if i + 1 == n { "。" } else { "；" }
                )));
            }
        } else {
            b.push(Block::Para(format!(
                "本年度计划储备地块共{}宗，明细见附表3。",
                p.parcels.len()
            )));
        }
    }
    if p.funds.0 > rust_decimal::Decimal::ZERO {
        b.push(Block::Heading2("年度资金使用规模".into()));
        b.push(Block::Para(format!("资金需求总量{}万元。", wan(p.funds))));
    }
    b.extend(template::blocks(dir, "reserve", "measures", &v)?);
    b.push(Block::Signature {
        body,
        date: opts.date.clone(),
    });
    if !opts.no_annex {
        reserve_annex(p, &mut b);
    }
    Ok(Doc { title, blocks: b })
}

fn reserve_annex(p: &ReservePlan, b: &mut Vec<Block>) {
    let dp = p.display_dp;
    let y = year_text(p.year);
    let r = &p.region;
    b.push(Block::PageBreak);
    let mut rows: Vec<Vec<String>> = p
        .structure
        .iter()
        .map(|c| {
            vec![
                c.name.clone(),
                ha(c.area, dp),
                ha(c.stock, dp),
                ha(c.new, dp),
                pct(&c.share),
            ]
        })
        .collect();
    rows.push(vec![
        "合计".into(),
        ha(p.total, dp),
        ha(p.stock, dp),
        ha(p.new, dp),
        "100.00".into(),
    ]);
    b.push(Block::Table(Table {
        label: "附表1".into(),
        caption: format!("{r}{y}年度土地储备规模与结构表"),
        unit: "单位：公顷、%".into(),
        header: ["用地类型", "储备面积", "存量", "新增", "占比"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        numeric: num_flags(5, 1),
        rows,
    }));
    b.push(Block::Table(layout_table(
        "附表2",
        format!("{r}{y}年度土地储备布局表"),
        &p.layout,
        &p.structure,
        p.total,
        dp,
    )));
    // Parcels already listed in the text (seed register) are not listed a second time.
    let parcel_table = p.parcels.len() > LISTED_IN_TEXT;
    if parcel_table {
        let rows = p
            .parcels
            .iter()
            .enumerate()
            .map(|(i, x)| {
                vec![
                    (i + 1).to_string(),
                    x.id.clone(),
                    x.location.clone().unwrap_or_default(),
                    x.township.clone().unwrap_or_default(),
                    parcel_class_name(x),
                    ha(x.area(), dp),
                    x.source.map(|s| s.label()).unwrap_or("").to_string(),
                    x.reserve_status
                        .map(|s| s.label())
                        .unwrap_or("")
                        .to_string(),
                    x.funds.map(wan).unwrap_or_default(),
                ]
            })
            .collect();
        b.push(Block::Table(Table {
            label: "附表3".into(),
            caption: format!("{r}{y}年度土地储备地块清单"),
            unit: "单位：公顷、万元".into(),
            header: [
                "序号",
                "地块编号",
                "坐落",
                "乡镇",
                "用途",
                "面积",
                "来源",
                "储备状态",
                "资金需求",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            numeric: vec![false, false, false, false, false, true, false, false, true],
            rows,
        }));
    }
    let mut rows: Vec<Vec<String>> = p
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
        wan(p.funds),
    ]);
    b.push(Block::Table(Table {
        label: if p.parcels.is_empty() {
            "附表3"
        } else {
            "附表4"
        }
        .into(),
        caption: format!("{r}{y}年度土地储备资金需求表"),
        unit: "单位：公顷、宗、万元".into(),
        header: ["储备状态", "面积", "地块数", "资金需求"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        numeric: num_flags(4, 1),
        rows,
    }));
}
