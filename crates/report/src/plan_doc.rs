//! Building the document model of a plan: narrative sections from templates, indicator
//! sections (计划指标) generated from the compiled figures, then the 附表 tables.
//!
//! The generated sentences use the plain register of published plans ("…供应总量控制在
//! 383.73公顷（5755.95亩）以内", "工矿仓储用地263.43公顷，占比68.65%"), so that the document
//! checker reads the same figures back.
//!
//! One document for both kinds: the sections every plan has (总量, 结构, 布局) are written once
//! with the kind's words; the sections only one kind has come from its [`PlanParts`]. The 附表
//! follow the same pattern ([`crate::annex`]).

use crate::doc::{Block, Doc};
use crate::{annex, template, ReportError, ReportOptions};
use landplan_core::compile::{
    ClassLine, CompiledPlan, MethodLine, PlanKind, PlanParts, ReserveParts, SupplyParts,
    TownshipLine,
};
use landplan_core::parcel::{HousingType, SupplyMethod, Timing};
use landplan_core::reserve::annual::AnnualParts;
use landplan_core::reserve::CostKind;
use landplan_core::share::{shares, Share};
use landplan_core::units::{fmt_dp, Area, Money};
use landplan_core::view::Precision;

/// A plan with the precision its figures are written at: what every section and table is
/// written from (the plan's fields through `Deref`).
pub(crate) struct Plan<'a> {
    /// The compiled plan.
    pub plan: &'a CompiledPlan,
    /// The one rounding rule ([`Precision`]), as in `landplan compile --format json`.
    pub pr: Precision,
}

impl std::ops::Deref for Plan<'_> {
    type Target = CompiledPlan;
    fn deref(&self) -> &CompiledPlan {
        self.plan
    }
}

/// Hectares of a total, class, township, quarter or method at the precision.
pub(crate) fn ha(a: Area, pr: Precision) -> String {
    pr.ha(a)
}

/// 亩 (from the exact hectares) at the precision.
pub(crate) fn mu(a: Area, pr: Precision) -> String {
    pr.mu(a)
}

/// A displayed share, two decimals (trailing zeros kept), rounded half up from the exact
/// share: what `landplan compile --format json` prints and what the Excel 附表's share
/// formulas show.
pub(crate) fn pct(s: &Share) -> String {
    Precision::default().share(s)
}

/// Whether the housing land states its types: a ledger without 住宅类型 gives one line of
/// 其他 only, which is no breakdown a plan should publish.
pub(crate) fn housing_stated(s: &SupplyParts) -> bool {
    s.housing.iter().any(|h| h.kind != HousingType::Other)
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

/// What a plan is about, as captions and chart titles name it: 国有建设用地供应 / 土地储备.
pub(crate) fn plan_subject(kind: PlanKind) -> &'static str {
    match kind {
        PlanKind::Supply => "国有建设用地供应",
        PlanKind::Reserve => "土地储备",
    }
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

/// Whether a structure line is the residential class (住宅用地 / 居住用地: code 07 in both
/// schemes).
pub(crate) fn is_residential(code: &str) -> bool {
    code == "07"
}

/// The class columns of a layout: every class appearing in any township, in structure order.
pub(crate) fn layout_columns(structure: &[ClassLine]) -> Vec<(String, String)> {
    structure
        .iter()
        .map(|c| (c.code.clone(), c.name.clone()))
        .collect()
}

/// Build the document model of a compiled plan.
pub fn build_document(plan: &CompiledPlan, opts: &ReportOptions) -> Result<Doc, ReportError> {
    let plan = &Plan {
        plan,
        pr: opts.precision,
    };
    let kind = plan.kind().id();
    let title = format!(
        "{}{}年度{}",
        plan.region,
        year_text(plan.year),
        plan.kind().label()
    );
    let body = opts.issuing_body_for(&plan.region);
    let v = vars(plan, &body);
    let dir = opts.templates_dir.as_deref();
    let mut b = vec![Block::Title(title.clone())];
    for part in ["preamble", "principles", "scope"] {
        b.extend(template::blocks(dir, kind, part, &v)?);
    }
    b.push(Block::Heading1("计划指标".into()));
    // Where an adjusted plan says so (the sentence names the 附表 number, inserted below).
    let adjusted_at = opts.adjustment.as_ref().map(|_| b.len());
    total_section(plan, &mut b);
    structure_section(plan, &mut b);
    layout_section(plan, &mut b);
    let closing: &[&str] = match &plan.parts {
        PlanParts::Supply(s) => {
            supply_sections(plan, s, &mut b);
            &["policy", "measures"]
        }
        PlanParts::Reserve(r) => {
            reserve_sections(plan, r, &mut b);
            &["measures"]
        }
    };
    for part in closing {
        b.extend(template::blocks(dir, kind, part, &v)?);
    }
    if !opts.no_annex {
        b.push(Block::AttachmentNote(format!(
            "附件：{}",
            annex::attachment_name(plan)
        )));
    }
    b.push(Block::Signature {
        body,
        date: opts.date.clone(),
    });
    if !opts.no_annex {
        annex::tables(plan, opts.adjustment.as_ref(), &mut b);
        // The body names the 调整对照表 by its number, known once the 附表 are numbered.
        if let Some(a) = &opts.adjustment {
            let label = b.iter().rev().find_map(|x| match x {
                Block::Table(t) if t.caption.ends_with("调整对照表") => Some(t.label.clone()),
                _ => None,
            });
            if let (Some(label), Some(at)) = (label, adjusted_at) {
                b.insert(at, Block::Para(crate::adjust::body_sentence(a, &label)));
            }
        }
        if let Some(map) = &opts.map {
            b.push(Block::Figure(annex::map_figure(plan, map)?));
        }
    }
    let mut doc = Doc { title, blocks: b };
    doc.number_headings();
    Ok(doc)
}

/// The placeholders the narrative templates may use.
fn vars(p: &Plan<'_>, body: &str) -> Vec<(&'static str, String)> {
    let dp = p.pr;
    vec![
        ("region", p.region.clone()),
        ("year", year_text(p.year)),
        ("total_ha", ha(p.total, dp)),
        ("total_mu", mu(p.total, dp)),
        ("new_ha", ha(p.new, dp)),
        ("stock_ha", ha(p.stock, dp)),
        ("parcel_count", p.parcel_count.to_string()),
        ("issuing_body", body.to_string()),
    ]
}

/// 总量 with its 新增/存量 parts: a supply plan's 供应总量 (a ceiling, parts with shares), a
/// reserve plan's 储备规模 (parts in 公顷 and 亩).
fn total_section(p: &Plan<'_>, b: &mut Vec<Block>) {
    let dp = p.pr;
    let (y, r) = (year_text(p.year), &p.region);
    match p.kind() {
        PlanKind::Supply => {
            b.push(Block::Heading2("国有建设用地供应总量".into()));
            b.push(Block::Para(format!(
                "{y}年度{r}国有建设用地供应总量控制在{}公顷（{}亩）以内。",
                ha(p.total, dp),
                mu(p.total, dp)
            )));
            b.extend(source_sentence(p));
        }
        PlanKind::Reserve => {
            b.push(Block::Heading2("年度储备规模".into()));
            let mut s = format!(
                "{y}年度{r}计划储备土地{}公顷（{}亩）。",
                ha(p.total, dp),
                mu(p.total, dp)
            );
            let with_mu = |a: Area| format!("{}公顷（{}亩）", ha(a, dp), mu(a, dp));
            let parts: Vec<String> = [("存量土地", p.stock), ("新增土地", p.new)]
                .into_iter()
                .filter(|(_, a)| a.is_positive())
                .map(|(what, a)| format!("{what}{}", with_mu(a)))
                .collect();
            if !parts.is_empty() {
                s.push_str(&format!("其中：{}。", parts.join("，")));
            }
            b.push(Block::Para(s));
        }
    }
}

/// 新增 and 存量 with their shares of a supply plan's total. Area whose ledger rows give
/// neither is a finding about the ledger, not a figure of the plan: it is not stated.
fn source_sentence(p: &Plan<'_>) -> Option<Block> {
    let dp = p.pr;
    if !p.total.is_positive() {
        return None;
    }
    let parts: Vec<String> = [("新增建设用地", p.new), ("存量建设用地", p.stock)]
        .into_iter()
        .filter(|(_, a)| a.is_positive())
        .map(|(what, a)| format!("{what}{}公顷，占比{}%", ha(a, dp), dp.share_of(a, p.total)))
        .collect();
    (!parts.is_empty()).then(|| Block::Para(format!("其中，{}。", parts.join("；"))))
}

/// 结构: every class with its area and share; a supply plan adds its housing land.
fn structure_section(p: &Plan<'_>, b: &mut Vec<Block>) {
    let dp = p.pr;
    let (y, r) = (year_text(p.year), &p.region);
    let (heading, lead, share) = match p.kind() {
        PlanKind::Supply => (
            "国有建设用地供应结构",
            format!("{y}年度{r}国有建设用地供应总量中"),
            "占比",
        ),
        PlanKind::Reserve => (
            "年度土地储备结构",
            format!("{r}土地储备总量中"),
            "占计划储备土地面积的",
        ),
    };
    b.push(Block::Heading2(heading.into()));
    if !p.structure.is_empty() {
        let parts: Vec<String> = p
            .structure
            .iter()
            .map(|c| {
                format!(
                    "{}{}公顷，{share}{}%",
                    c.name,
                    ha(c.area, dp),
                    pct(&c.share)
                )
            })
            .collect();
        b.push(Block::Para(format!("{lead}，{}。", parts.join("；"))));
    }
    if let Some(s) = p.supply().filter(|s| housing_stated(s)) {
        let parts: Vec<String> = s
            .housing
            .iter()
            .map(|h| format!("{}用地{}公顷", h.kind.label(), ha(h.area, dp)))
            .collect();
        let (part, share) = s.affordable_and_small();
        b.push(Block::Para(format!(
            "住宅用地中，{}。保障性安居工程和中小套型商品住房用地合计{}公顷，占住宅用地供应量的{}%。",
            parts.join("，"),
            ha(part, dp),
            pct(&share)
        )));
    }
}

/// 布局: one sentence per township with its class parts.
fn layout_section(p: &Plan<'_>, b: &mut Vec<Block>) {
    let verb = match p.kind() {
        PlanKind::Supply => {
            b.push(Block::Heading2("国有建设用地供应布局".into()));
            b.push(Block::Para(format!(
                "{}年度拟供应国有建设用地分布如下：",
                year_text(p.year)
            )));
            "土地供应量为"
        }
        PlanKind::Reserve => {
            b.push(Block::Heading2("储备地块空间布局".into()));
            "计划储备土地"
        }
    };
    for t in &p.layout {
        b.push(Block::Para(township_sentence(t, p.pr, verb)));
    }
}

fn township_sentence(t: &TownshipLine, dp: Precision, verb: &str) -> String {
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

/// The shares of the quarters and of the unscheduled area in a supply plan's total (the
/// unscheduled one last).
pub(crate) fn timing_shares(p: &Plan<'_>, s: &SupplyParts) -> Vec<Share> {
    let mut parts: Vec<_> = s.timing.iter().map(|q| q.area.ha()).collect();
    parts.push(s.unscheduled.ha());
    shares(&parts, p.total.ha(), 2)
}

/// A supply plan's own sections: 时序 and 方式.
fn supply_sections(p: &Plan<'_>, s: &SupplyParts, b: &mut Vec<Block>) {
    let dp = p.pr;
    b.push(Block::Heading2("国有建设用地供应时序".into()));
    let tsh = timing_shares(p, s);
    let mut sentences = Vec::new();
    for (q, sh) in s.timing.iter().zip(&tsh) {
        if !q.area.is_positive() {
            continue;
        }
        sentences.push(format!(
            "{}计划供应{}公顷，占比{}%，累计供应{}公顷，累计占比{}%",
            quarter_label(q.quarter),
            ha(q.area, dp),
            pct(sh),
            ha(q.cumulative, dp),
            pct(&q.cumulative_share)
        ));
    }
    if s.unscheduled.is_positive() {
        sentences.push(format!(
            "未明确供应时间的{}公顷，占比{}%",
            ha(s.unscheduled, dp),
            pct(&tsh[4])
        ));
    }
    b.push(Block::Para(format!("{}。", sentences.join("；"))));
    // Methods: 出让 as one method with its ways (招标/拍卖/挂牌/协议) as 其中 parts.
    b.push(Block::Heading2("国有建设用地供应方式".into()));
    if let Some(m) = methods_sentence(p, &s.methods) {
        b.push(Block::Para(format!(
            "{}年度{}国有建设用地{m}。",
            year_text(p.year),
            p.region
        )));
    }
}

/// The methods as published: 划拨, 出让 (with its ways as 其中 parts), 租赁, 作价出资, and the
/// area with no method; each with its share of the total.
fn methods_sentence(p: &Plan<'_>, methods: &[MethodLine]) -> Option<String> {
    let dp = p.pr;
    if methods.is_empty() {
        return None;
    }
    let sale: Vec<&MethodLine> = methods
        .iter()
        .filter(|m| m.method.is_some_and(|x| x.is_sale()))
        .collect();
    let sale_total: Area = sale.iter().map(|m| m.area).sum();
    // 其中 parts of 出让, unless 出让 is stated only as itself; taken by the first 出让 line.
    let mut sale_parts = Some(
        if sale.len() > 1 || sale.first().and_then(|m| m.method) != Some(SupplyMethod::Sale) {
            sale.iter()
                .map(|m| match m.method {
                    Some(SupplyMethod::Sale) => {
                        format!("未明确招拍挂或协议方式的{}公顷", ha(m.area, dp))
                    }
                    _ => format!("{}{}公顷", m.name, ha(m.area, dp)),
                })
                .collect()
        } else {
            Vec::new()
        },
    );
    // Groups in order: each non-sale method, and 出让 (all its ways) where its first way is.
    let mut groups: Vec<(String, Area, Vec<String>)> = Vec::new();
    for m in methods {
        match m.method {
            Some(x) if x.is_sale() => {
                if let Some(subs) = sale_parts.take() {
                    groups.push(("以出让方式供应".into(), sale_total, subs));
                }
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

/// Reserve parcels up to this many are listed in the text (as seed 001 does); more go to the
/// 附表 parcel table instead.
pub(crate) const LISTED_IN_TEXT: usize = 200;

/// A reserve plan's own sections: 储备土地安排 (by status), the parcels, 资金.
fn reserve_sections(p: &Plan<'_>, r: &ReserveParts, b: &mut Vec<Block>) {
    let dp = p.pr;
    if r.status.iter().any(|s| s.status.is_some()) {
        b.push(Block::Heading2("储备土地安排".into()));
        let parts: Vec<String> = r
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
                    dp.parcel_ha(x.area()),
                    if i + 1 == n { "。" } else { "；" }
                )));
            }
        } else {
            b.push(Block::Para(format!(
                "本年度计划储备地块共{}宗，明细见附表{}。",
                p.parcels.len(),
                annex::reserve_parcel_table(r)
            )));
        }
    }
    if let Some(a) = &r.annual {
        annual_sections(p, a, b);
        return;
    }
    if r.funds.0 > rust_decimal::Decimal::ZERO {
        b.push(Block::Heading2("年度资金使用规模".into()));
        b.push(Block::Para(format!("资金需求总量{}万元。", wan(r.funds))));
    }
}

/// 亿元 at two decimals.
pub(crate) fn yi(m: Money) -> String {
    fmt_dp(m.in_unit(landplan_core::units::MoneyUnit::YiYuan), 2)
}

/// An annual plan compiled from reserve parcels: 储备土地供应 (with the parcels refused for
/// lack of 净地 readiness) and 年度资金使用规模 by source and cost kind, as seed 001 writes it
/// ("资金总量：0.75亿元，全部为申请地方政府专项债券资金").
fn annual_sections(p: &Plan<'_>, a: &AnnualParts, b: &mut Vec<Block>) {
    let dp = p.pr;
    if a.supply.count() > 0 || !a.refused.is_empty() {
        b.push(Block::Heading2("储备土地供应".into()));
        let mut s = if a.supply.count() > 0 {
            format!(
                "本年度计划供应储备土地{}宗{}公顷（{}亩），均已达到净地供应条件。",
                a.supply.count(),
                ha(a.supply.area, dp),
                mu(a.supply.area, dp)
            )
        } else {
            "本年度无达到净地供应条件的储备土地。".to_string()
        };
        for r in &a.refused {
            s.push_str(&format!(
                "{}，未达到净地供应条件，暂不列入本年度储备土地供应。",
                r.describe()
            ));
        }
        b.push(Block::Para(s));
    }
    if a.funds.is_empty() {
        return;
    }
    b.push(Block::Heading2("年度资金使用规模".into()));
    let total = format!("{}亿元（{}万元）", yi(a.funds_total), wan(a.funds_total));
    let sources = if a.funds.len() == 1 {
        format!("全部为{}资金", a.funds[0].source.label())
    } else {
        format!(
            "其中{}",
            a.funds
                .iter()
                .map(|f| format!("{}{}万元", f.source.label(), wan(f.amount)))
                .collect::<Vec<_>>()
                .join("，")
        )
    };
    b.push(Block::Para(format!("1.资金总量：{total}，{sources}。")));
    let mut kinds: Vec<(CostKind, Money)> = Vec::new();
    for k in CostKind::ALL {
        let sum: rust_decimal::Decimal = a
            .funds
            .iter()
            .flat_map(|f| f.kinds.iter())
            .filter(|x| x.kind == k)
            .map(|x| x.amount.0)
            .sum();
        if !sum.is_zero() {
            kinds.push((k, Money(sum)));
        }
    }
    b.push(Block::Para(format!(
        "2.支出方向：{}。",
        kinds
            .iter()
            .map(|(k, m)| format!("{}{}万元", k.label(), wan(*m)))
            .collect::<Vec<_>>()
            .join("，")
    )));
}
