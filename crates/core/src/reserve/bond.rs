//! Land-reserve special-bond projects (土地储备专项债券项目): the bond, the reserve parcels it is
//! tied to, and whether the land's expected revenue balances the financing (融资收益平衡).
//!
//! A [`BondProject`] holds the bond (amount, issue date, term, annual rate, how it is repaid),
//! its drawdowns (用款) and repayments (还款), the 储备地块编号 of its parcels and the price
//! assumptions (价格测算) by use. From these and the reserve parcels:
//!
//! - [`coverage`]: expected revenue = Σ over the project's parcels of area × the price of the
//!   parcel's use (exact decimals; 亩 = 公顷 × 15), against principal + interest over the term →
//!   the 本息覆盖倍数, with a `bond.coverage_below` finding when it is under the required ratio
//!   (the project's own, else the rule's parameter `ratio` in `data/rules/bond.toml`);
//! - [`sensitivity`]: the same ratio with every price lowered by given percentages, and the
//!   price drop at which the ratio reaches the required one;
//! - [`closed_management`]: 封闭管理 — costs charged to the bond on parcels outside the
//!   project (`bond.outside_project`), drawdowns beyond the amount (`bond.overdrawn`);
//! - [`overdue_repayments`]: principal or interest due by a date and not paid
//!   (`bond.repayment_overdue`).
//!
//! **Repayment assumption.** Unless a project says otherwise it is repaid as 专项债券 usually
//! are: interest every year on the anniversary of the issue date (本金 × 年利率), the principal
//! in one sum at maturity ([`RepaymentMode::AnnualInterest`]). [`RepaymentMode::Amortising`]
//! repays an equal part of the principal every year (等额本金) with interest on the balance
//! outstanding over the year. Interest is simple annual interest on whole years; the term is
//! whole years.
//!
//! Source: 《地方政府土地储备专项债券管理办法（试行）》（财预〔2017〕62号）— a bond is tied to a
//! reserve project whose expected land revenue (国有土地使用权出让收入) is to repay its principal
//! and interest, "项目收益与融资自求平衡"; the money is used only for that project.

use crate::date::Date;
use crate::finding::{Finding, Place};
use crate::reserve::ReserveParcel;
use crate::rules::RuleContext;
use crate::units::{fmt_dp, AreaUnit, Money, StatedArea};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Rule: the coverage ratio is under the required one.
pub const RULE_COVERAGE_BELOW: &str = "bond.coverage_below";
/// Rule: a cost charged to the bond on a parcel outside the project.
pub const RULE_OUTSIDE_PROJECT: &str = "bond.outside_project";
/// Rule: drawdowns exceed the bond's amount.
pub const RULE_OVERDRAWN: &str = "bond.overdrawn";
/// Rule: principal or interest due and not paid.
pub const RULE_REPAYMENT_OVERDUE: &str = "bond.repayment_overdue";
/// Rule: a parcel of the project is not among the reserve parcels.
pub const RULE_PARCEL_UNKNOWN: &str = "bond.parcel_unknown";
/// Rule: no price assumption for a parcel's use.
pub const RULE_PRICE_MISSING: &str = "bond.price_missing";

/// The required coverage when neither the project nor the rule book gives one: revenue must at
/// least repay principal and interest (财预〔2017〕62号).
pub const FALLBACK_RATIO: Decimal = Decimal::ONE;

/// How a bond is repaid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepaymentMode {
    /// 按年付息、到期一次还本 (the usual for 专项债券; the default).
    #[default]
    AnnualInterest,
    /// 每年等额还本、按年付息 (等额本金).
    Amortising,
}

impl RepaymentMode {
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            RepaymentMode::AnnualInterest => "按年付息、到期还本",
            RepaymentMode::Amortising => "等额还本、按年付息",
        }
    }

    /// Stable id.
    pub fn id(self) -> &'static str {
        match self {
            RepaymentMode::AnnualInterest => "annual_interest",
            RepaymentMode::Amortising => "amortising",
        }
    }

    /// Parse an id or Chinese wording (到期还本 / 到期一次还本 → annual interest; 等额, 分期还本
    /// → amortising).
    pub fn parse(s: &str) -> Option<RepaymentMode> {
        let t = crate::text::normalize(s);
        let t = t.trim();
        if t == "annual_interest" || t.contains("到期") || t.contains("一次还本") {
            Some(RepaymentMode::AnnualInterest)
        } else if t == "amortising" || t.contains("等额") || t.contains("分期") {
            Some(RepaymentMode::Amortising)
        } else {
            None
        }
    }
}

/// One drawdown (用款): money of the bond paid out to the project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drawdown {
    /// The day.
    pub date: Date,
    /// The amount.
    pub amount: Money,
    /// 用途 or remark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What a repayment pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepaymentKind {
    /// 本金.
    Principal,
    /// 利息.
    Interest,
}

impl RepaymentKind {
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            RepaymentKind::Principal => "本金",
            RepaymentKind::Interest => "利息",
        }
    }

    /// Parse 本金 / 还本, 利息 / 付息, or the ids.
    pub fn parse(s: &str) -> Option<RepaymentKind> {
        let t = crate::text::normalize(s);
        let t = t.trim();
        if t == "principal" || t.contains("本金") || t.contains("还本") {
            Some(RepaymentKind::Principal)
        } else if t == "interest" || t.contains("利息") || t.contains("付息") {
            Some(RepaymentKind::Interest)
        } else {
            None
        }
    }
}

/// One repayment (还款) made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repayment {
    /// The day.
    pub date: Date,
    /// The amount.
    pub amount: Money,
    /// Principal or interest.
    pub kind: RepaymentKind,
}

/// The unit a price is per.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceUnit {
    /// 元/亩 (the default: reserve projects price land per 亩).
    #[default]
    Mu,
    /// 元/平方米 (land price per ㎡ of land area, not of floor area).
    SquareMetre,
    /// 元/公顷.
    Hectare,
}

impl PriceUnit {
    /// The area unit the price is per.
    pub fn area_unit(self) -> AreaUnit {
        match self {
            PriceUnit::Mu => AreaUnit::Mu,
            PriceUnit::SquareMetre => AreaUnit::SquareMetre,
            PriceUnit::Hectare => AreaUnit::Hectare,
        }
    }

    /// Chinese label of the area unit (亩, 平方米, 公顷).
    pub fn label(self) -> &'static str {
        self.area_unit().label()
    }

    /// Recognise the unit from a written form: 亩, 平方米 / ㎡ / m2, 公顷 (also 元/亩,
    /// 万元/亩 …: whatever follows the last "/").
    pub fn parse(s: &str) -> Option<PriceUnit> {
        let t = s.rsplit('/').next().unwrap_or(s).trim();
        match AreaUnit::parse(t)? {
            AreaUnit::Mu => Some(PriceUnit::Mu),
            AreaUnit::SquareMetre => Some(PriceUnit::SquareMetre),
            AreaUnit::Hectare => Some(PriceUnit::Hectare),
            _ => None,
        }
    }
}

/// One price assumption (价格测算): the expected land price of a use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceAssumption {
    /// The use it prices: a 地类编码 (GB/T 21010 or 用地用海分类, e.g. `07` or `0701`; a code
    /// prices every parcel whose code starts with it) or the use as written (住宅用地).
    #[serde(rename = "use")]
    pub use_key: String,
    /// The price per unit of land area, in 元.
    pub price: Money,
    /// The unit of area the price is per.
    #[serde(default)]
    pub per: PriceUnit,
    /// Where the price comes from (评估报告, 近三年成交均价 …), as stated.
    #[serde(default)]
    pub source: String,
}

impl PriceAssumption {
    /// How well this assumption prices a parcel: `Some(len)` of the matching code (longer is
    /// better) or `usize::MAX` for the use text written the same; `None` when it does not.
    fn matches(&self, p: &ReserveParcel) -> Option<usize> {
        let key = crate::text::normalize(&self.use_key);
        let key = key.trim();
        if key.is_empty() {
            return None;
        }
        if crate::text::normalize(&p.parcel.class_text).trim() == key {
            return Some(usize::MAX);
        }
        if !key.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        let class = &p.parcel.class;
        [class.gb21010.as_deref(), class.ydyh2023.as_deref()]
            .into_iter()
            .flatten()
            .any(|c| c.starts_with(key))
            .then_some(key.len())
    }
}

/// A land-reserve special-bond project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BondProject {
    /// 项目编号 (the id costs name in [`crate::reserve::Cost::bond`]).
    pub id: String,
    /// 项目名称.
    pub name: String,
    /// 行政区 (name or 行政区划代码, as the bureau writes it).
    #[serde(default)]
    pub region: String,
    /// 债券金额 (发行额).
    pub amount: Money,
    /// 发行日期 (interest runs from it).
    pub issue_date: Date,
    /// 期限, whole years.
    pub term_years: u32,
    /// 票面年利率, a fraction (0.0325 for 3.25 %).
    pub rate: Decimal,
    /// How it is repaid.
    #[serde(default)]
    pub repayment: RepaymentMode,
    /// 用款, in any order.
    #[serde(default)]
    pub drawdowns: Vec<Drawdown>,
    /// 还款 made, in any order.
    #[serde(default)]
    pub repayments: Vec<Repayment>,
    /// The 储备地块编号 of the project's parcels.
    #[serde(default)]
    pub parcels: Vec<String>,
    /// 价格测算 by use.
    #[serde(default)]
    pub prices: Vec<PriceAssumption>,
    /// The coverage the project must reach, when it states its own (else the rule's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_ratio: Option<Decimal>,
}

/// One installment of the schedule: what falls due on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Installment {
    /// The day it falls due (an anniversary of the issue date).
    pub date: Date,
    /// Principal due.
    pub principal: Money,
    /// Interest due.
    pub interest: Money,
}

impl BondProject {
    /// The repayment schedule over the term: one installment per year on the anniversary of the
    /// issue date (see the module's repayment assumption). Empty when the term is 0.
    pub fn schedule(&self) -> Vec<Installment> {
        let n = self.term_years;
        let mut out = Vec::with_capacity(n as usize);
        let amount = self.amount.0;
        let years = Decimal::from(n);
        for k in 1..=n {
            let Some(date) = self.issue_date.add_years(k as i32) else {
                break;
            };
            let (principal, outstanding) = match self.repayment {
                RepaymentMode::AnnualInterest => {
                    (if k == n { amount } else { Decimal::ZERO }, amount)
                }
                RepaymentMode::Amortising => {
                    // Outstanding over year k: (n − k + 1)/n of the amount.
                    let outstanding = amount * Decimal::from(n - k + 1) / years;
                    let paid_before = amount * Decimal::from(k - 1) / years;
                    let principal = if k == n {
                        amount - paid_before
                    } else {
                        amount / years
                    };
                    (principal, outstanding)
                }
            };
            out.push(Installment {
                date,
                principal: Money(principal),
                interest: Money(outstanding * self.rate),
            });
        }
        out
    }

    /// Interest over the whole term: amount × rate × term (annual interest), or amount × rate ×
    /// (term + 1) / 2 (amortising) — exact.
    pub fn total_interest(&self) -> Money {
        let n = Decimal::from(self.term_years);
        Money(match self.repayment {
            RepaymentMode::AnnualInterest => self.amount.0 * self.rate * n,
            RepaymentMode::Amortising => {
                self.amount.0 * self.rate * (n + Decimal::ONE) / Decimal::TWO
            }
        })
    }

    /// The maturity date (issue date + term).
    pub fn maturity(&self) -> Option<Date> {
        self.issue_date.add_years(self.term_years as i32)
    }

    /// Sum of the drawdowns made on or before `date` (all of them with `None`).
    pub fn drawn(&self, date: Option<Date>) -> Money {
        Money(
            self.drawdowns
                .iter()
                .filter(|d| date.is_none_or(|x| d.date <= x))
                .map(|d| d.amount.0)
                .sum(),
        )
    }

    /// The best price assumption for a parcel: a use written the same, else the longest code
    /// the parcel's code starts with.
    pub fn price_for(&self, p: &ReserveParcel) -> Option<&PriceAssumption> {
        self.prices
            .iter()
            .filter_map(|a| a.matches(p).map(|m| (m, a)))
            .max_by_key(|(m, _)| *m)
            .map(|(_, a)| a)
    }

    /// The required ratio for this project: its own, else the rule's parameter `ratio`, else
    /// [`FALLBACK_RATIO`].
    pub fn required(&self, ctx: &RuleContext) -> Decimal {
        self.required_ratio
            .or_else(|| ctx.param_decimal(RULE_COVERAGE_BELOW, "ratio"))
            .unwrap_or(FALLBACK_RATIO)
    }
}

/// The revenue of one parcel of a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevenueLine {
    /// 储备地块编号.
    pub parcel: String,
    /// The use as written.
    #[serde(rename = "use")]
    pub use_text: String,
    /// The area as stated (value and unit).
    pub area: StatedArea,
    /// The area in the unit the price is per (exact; 亩 = 公顷 × 15).
    pub area_priced: Decimal,
    /// The unit of `area_priced` and of the price.
    pub per: PriceUnit,
    /// The price per unit, 元; `None` when no assumption prices the use (revenue 0).
    pub price: Option<Money>,
    /// area_priced × price.
    pub revenue: Money,
}

/// A project's 融资与收益平衡: expected revenue against principal and interest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// 项目编号.
    pub project: String,
    /// One line per parcel of the project found among the reserve parcels, in the project's
    /// order.
    pub lines: Vec<RevenueLine>,
    /// Σ revenue of the lines.
    pub revenue: Money,
    /// The principal (the bond's amount).
    pub principal: Money,
    /// Interest over the term.
    pub interest: Money,
    /// principal + interest.
    pub debt_service: Money,
    /// revenue ÷ (principal + interest), to 28 significant digits; `None` when principal and
    /// interest are zero.
    pub ratio: Option<Decimal>,
    /// The required ratio.
    pub required: Decimal,
    /// False when revenue < required × (principal + interest) (compared exactly, without
    /// dividing).
    pub balanced: bool,
    /// `bond.coverage_below`, `bond.parcel_unknown`, `bond.price_missing`.
    pub findings: Vec<Finding>,
}

impl Coverage {
    /// The ratio rounded half up to 2 decimals ("1.23"), or "—" when undefined.
    pub fn ratio_text(&self) -> String {
        self.ratio
            .map(|r| fmt_dp(r, 2))
            .unwrap_or_else(|| "—".into())
    }
}

/// The area of a stated value in another unit, dividing last so that values stated in the
/// same unit stay exact and 亩 from 公顷 or 平方米 is exact (× 15 / × 0.0015).
pub fn area_in(area: StatedArea, unit: AreaUnit) -> Decimal {
    if area.unit == unit {
        return area.value;
    }
    let per_ha = unit.from_hectares(Decimal::ONE);
    match area.unit {
        AreaUnit::Mu => area.value * per_ha / Decimal::from(15),
        AreaUnit::TenThousandMu => area.value * Decimal::from(10_000) * per_ha / Decimal::from(15),
        other => other.to_hectares(area.value) * per_ha,
    }
}

fn wan(m: Money) -> String {
    fmt_dp(m.wan_yuan(), 2)
}

/// A project's expected revenue against its principal and interest (see the module).
pub fn coverage(project: &BondProject, parcels: &[ReserveParcel], ctx: &RuleContext) -> Coverage {
    let mut findings = Vec::new();
    let mut lines = Vec::new();
    let mut seen = BTreeSet::new();
    for id in &project.parcels {
        if !seen.insert(id.as_str()) {
            continue;
        }
        let Some(p) = parcels.iter().find(|p| p.id() == id) else {
            findings.push(
                ctx.finding(
                    RULE_PARCEL_UNKNOWN,
                    &[("project", project.id.clone()), ("parcel", id.clone())],
                )
                .at(Place::default().with_parcel(id.clone())),
            );
            continue;
        };
        let stated = p.parcel.stated_area;
        let price = project.price_for(p);
        let per = price.map(|a| a.per).unwrap_or_default();
        let area_priced = area_in(stated, per.area_unit());
        if price.is_none() {
            findings.push(
                ctx.finding(
                    RULE_PRICE_MISSING,
                    &[
                        ("project", project.id.clone()),
                        ("parcel", id.clone()),
                        ("use", p.parcel.class_text.clone()),
                    ],
                )
                .at(Place::default().with_parcel(id.clone())),
            );
        }
        let revenue = price.map(|a| area_priced * a.price.0).unwrap_or_default();
        lines.push(RevenueLine {
            parcel: id.clone(),
            use_text: p.parcel.class_text.clone(),
            area: stated,
            area_priced,
            per,
            price: price.map(|a| a.price),
            revenue: Money(revenue),
        });
    }
    let revenue = Money(lines.iter().map(|l| l.revenue.0).sum());
    let principal = project.amount;
    let interest = project.total_interest();
    let debt_service = principal + interest;
    let ratio = (!debt_service.0.is_zero()).then(|| revenue.0 / debt_service.0);
    let required = project.required(ctx);
    let balanced = revenue.0 >= required * debt_service.0;
    let cov_text = ratio.map(|r| fmt_dp(r, 2)).unwrap_or_else(|| "—".into());
    if !balanced {
        findings.push(
            ctx.finding(
                RULE_COVERAGE_BELOW,
                &[
                    ("project", project.id.clone()),
                    ("revenue", wan(revenue)),
                    ("debt", wan(debt_service)),
                    ("coverage", cov_text.clone()),
                    ("ratio", required.normalize().to_string()),
                ],
            )
            .values(format!("≥ {}", required.normalize()), cov_text.clone()),
        );
    }
    Coverage {
        project: project.id.clone(),
        lines,
        revenue,
        principal,
        interest,
        debt_service,
        ratio,
        required,
        balanced,
        findings,
    }
}

/// The coverage with every price lowered by a percentage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SensitivityRow {
    /// The drop, in percent (10 for −10 %).
    pub drop_pct: Decimal,
    /// Revenue at the lowered prices.
    pub revenue: Money,
    /// The coverage ratio then (`None` when principal and interest are zero).
    pub ratio: Option<Decimal>,
    /// Whether it still reaches the required ratio.
    pub balanced: bool,
}

/// A project's sensitivity to lower land prices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sensitivity {
    /// 项目编号.
    pub project: String,
    /// The ratio at the assumed prices.
    pub base: Coverage,
    /// One row per drop asked for, in the order asked.
    pub rows: Vec<SensitivityRow>,
    /// The price drop, in percent, at which the ratio equals the required one:
    /// 100 × (1 − required × (principal + interest) ÷ revenue). Negative when the project is
    /// already below (prices would have to rise); `None` when the revenue is zero.
    pub break_even_drop_pct: Option<Decimal>,
}

/// The coverage at prices lowered by each of `drops_pct` (percent: 10, 20, 30 …). Every price
/// of the project drops by the same share, so revenue scales by (1 − drop/100).
pub fn sensitivity(
    project: &BondProject,
    parcels: &[ReserveParcel],
    drops_pct: &[Decimal],
    ctx: &RuleContext,
) -> Sensitivity {
    let base = coverage(project, parcels, ctx);
    let hundred = Decimal::ONE_HUNDRED;
    let rows = drops_pct
        .iter()
        .map(|&d| {
            let revenue = Money(base.revenue.0 * (hundred - d) / hundred);
            SensitivityRow {
                drop_pct: d,
                revenue,
                ratio: (!base.debt_service.0.is_zero()).then(|| revenue.0 / base.debt_service.0),
                balanced: revenue.0 >= base.required * base.debt_service.0,
            }
        })
        .collect();
    let break_even_drop_pct = (!base.revenue.0.is_zero())
        .then(|| hundred * (Decimal::ONE - base.required * base.debt_service.0 / base.revenue.0));
    Sensitivity {
        project: project.id.clone(),
        base,
        rows,
        break_even_drop_pct,
    }
}

/// 封闭管理: costs charged to this bond (`Cost.bond == id`) on parcels not tied to the project
/// (`bond.outside_project`, one per cost), and drawdowns beyond the bond's amount
/// (`bond.overdrawn`, on the first day the sum exceeds it).
pub fn closed_management(
    project: &BondProject,
    parcels: &[ReserveParcel],
    ctx: &RuleContext,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let tied: BTreeSet<&str> = project.parcels.iter().map(String::as_str).collect();
    for p in parcels {
        if tied.contains(p.id()) {
            continue;
        }
        for c in &p.costs {
            if c.bond.as_deref() != Some(project.id.as_str()) {
                continue;
            }
            let mut f = ctx
                .finding(
                    RULE_OUTSIDE_PROJECT,
                    &[
                        ("project", project.id.clone()),
                        ("amount", wan(c.amount)),
                        ("kind", c.kind.label().to_string()),
                        ("parcel", p.id().to_string()),
                    ],
                )
                .at(Place::default().with_parcel(p.id()));
            if let Some(day) = c.paid {
                f = f.note(format!("支付日期 {day}"));
            } else {
                f = f.note(format!("{} 年度预算", c.year));
            }
            out.push(f);
        }
    }
    let mut drawdowns: Vec<&Drawdown> = project.drawdowns.iter().collect();
    drawdowns.sort_by_key(|d| d.date);
    let mut sum = Money::ZERO;
    for d in drawdowns {
        sum += d.amount;
        if sum.0 > project.amount.0 {
            out.push(
                ctx.finding(
                    RULE_OVERDRAWN,
                    &[
                        ("project", project.id.clone()),
                        ("drawn", wan(sum)),
                        ("amount", wan(project.amount)),
                        ("date", d.date.to_string()),
                    ],
                )
                .values(
                    format!("≤ {} 万元", wan(project.amount)),
                    format!("{} 万元", wan(sum)),
                ),
            );
            break;
        }
    }
    out
}

/// Principal and interest due on or before `as_of` by the schedule, against the repayments of
/// that kind made on or before it: one `bond.repayment_overdue` per kind that falls short.
pub fn overdue_repayments(project: &BondProject, as_of: Date, ctx: &RuleContext) -> Vec<Finding> {
    let schedule = project.schedule();
    let mut out = Vec::new();
    for kind in [RepaymentKind::Interest, RepaymentKind::Principal] {
        let due: Decimal = schedule
            .iter()
            .filter(|i| i.date <= as_of)
            .map(|i| match kind {
                RepaymentKind::Principal => i.principal.0,
                RepaymentKind::Interest => i.interest.0,
            })
            .sum();
        let paid: Decimal = project
            .repayments
            .iter()
            .filter(|r| r.kind == kind && r.date <= as_of)
            .map(|r| r.amount.0)
            .sum();
        if paid < due {
            out.push(ctx.finding(
                RULE_REPAYMENT_OVERDUE,
                &[
                    ("project", project.id.clone()),
                    ("as_of", as_of.to_string()),
                    ("kind", kind.label().to_string()),
                    ("due", wan(Money(due))),
                    ("paid", wan(Money(paid))),
                    ("owed", wan(Money(due - paid))),
                ],
            ));
        }
    }
    out
}

/// Every check of a project: [`coverage`]'s findings, [`closed_management`], and with a date
/// [`overdue_repayments`].
pub fn check(
    project: &BondProject,
    parcels: &[ReserveParcel],
    as_of: Option<Date>,
    ctx: &RuleContext,
) -> (Coverage, Vec<Finding>) {
    let cov = coverage(project, parcels, ctx);
    let mut findings = cov.findings.clone();
    findings.extend(closed_management(project, parcels, ctx));
    if let Some(d) = as_of {
        findings.extend(overdue_repayments(project, d, ctx));
    }
    (cov, findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::class::ResolvedClass;
    use crate::parcel::Parcel;
    use crate::reserve::{Cost, CostKind, FundSource, ReserveState, Step};
    use crate::rules::RuleBook;
    use crate::units::AreaUnit;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn d(s: &str) -> Date {
        Date::parse_iso(s).unwrap()
    }

    fn reserve(id: &str, value: &str, unit: AreaUnit, use_text: &str, code: &str) -> ReserveParcel {
        let class = ResolvedClass {
            gb21010: Some(code.into()),
            ydyh2023: None,
        };
        let parcel = Parcel::new(id, StatedArea::new(dec(value), unit), use_text, class).at_row(2);
        ReserveParcel::register(parcel, Step::new(ReserveState::Proposed, d("2026-01-05"))).unwrap()
    }

    fn price(use_key: &str, yuan: &str, per: PriceUnit) -> PriceAssumption {
        PriceAssumption {
            use_key: use_key.into(),
            price: Money(dec(yuan)),
            per,
            source: "评估报告".into(),
        }
    }

    /// Seed 001's 0.75 亿元 over five years at 3.25 %, tied to three parcels.
    fn fixture() -> (BondProject, Vec<ReserveParcel>) {
        let parcels = vec![
            reserve("CB-1", "3.2000", AreaUnit::Hectare, "城镇住宅用地", "0701"),
            reserve("CB-2", "22.5", AreaUnit::Mu, "商业用地", "0501"),
            reserve("CB-3", "6000", AreaUnit::SquareMetre, "工业用地", "0601"),
            reserve("CB-9", "1.0000", AreaUnit::Hectare, "城镇住宅用地", "0701"),
        ];
        let project = BondProject {
            id: "ZX-2026-01".into(),
            name: "城东片区土地储备项目".into(),
            region: "示例县".into(),
            amount: Money::from_unit(dec("0.75"), crate::units::MoneyUnit::YiYuan),
            issue_date: d("2026-03-15"),
            term_years: 5,
            rate: dec("0.0325"),
            repayment: RepaymentMode::AnnualInterest,
            drawdowns: vec![],
            repayments: vec![],
            parcels: vec!["CB-1".into(), "CB-2".into(), "CB-3".into()],
            prices: vec![
                price("07", "1500000", PriceUnit::Mu),
                price("商业用地", "1200000", PriceUnit::Mu),
                price("06", "300", PriceUnit::SquareMetre),
            ],
            required_ratio: None,
        };
        (project, parcels)
    }

    #[test]
    fn coverage_is_revenue_over_principal_and_interest_computed_by_hand() {
        let (project, parcels) = fixture();
        let ctx = RuleContext::builtin();
        let c = coverage(&project, &parcels, &ctx);
        // By hand: 3.2 ha = 48 亩 × 1,500,000; 22.5 亩 × 1,200,000; 6000 ㎡ × 300.
        let revenue =
            dec("48") * dec("1500000") + dec("22.5") * dec("1200000") + dec("6000") * dec("300");
        assert_eq!(revenue, dec("100800000"));
        let interest = dec("75000000") * dec("0.0325") * dec("5");
        let debt = dec("75000000") + interest;
        assert_eq!(c.revenue.0, revenue);
        assert_eq!(c.interest.0, interest);
        assert_eq!(c.debt_service.0, debt);
        assert_eq!(c.ratio, Some(revenue / debt));
        assert_eq!(c.ratio_text(), "1.16");
        assert_eq!(c.required, dec("1.1"), "the rule's parameter");
        assert!(c.balanced);
        assert!(c.findings.is_empty(), "{:?}", c.findings);
        // The code 07 prices the 0701 parcel; the use text prices 商业用地.
        assert_eq!(c.lines[0].area_priced, dec("48"));
        assert_eq!(c.lines[1].price, Some(Money(dec("1200000"))));
    }

    #[test]
    fn sensitivity_at_lower_prices_and_the_break_even_drop_computed_by_hand() {
        let (project, parcels) = fixture();
        let ctx = RuleContext::builtin();
        let drops = [dec("10"), dec("20"), dec("30")];
        let s = sensitivity(&project, &parcels, &drops, &ctx);
        let revenue = dec("100800000");
        let debt = dec("87187500");
        for (row, pct) in s.rows.iter().zip(["0.9", "0.8", "0.7"]) {
            assert_eq!(row.revenue.0, revenue * dec(pct));
            assert_eq!(row.ratio, Some(revenue * dec(pct) / debt));
            // 1.1 × 87,187,500 = 95,906,250: every drop of 10 % or more is below.
            assert!(!row.balanced);
        }
        assert_eq!(fmt_dp(s.rows[0].ratio.unwrap(), 2), "1.04");
        // 1 − 95,906,250 / 100,800,000 = 4.8549… %.
        let be = s.break_even_drop_pct.unwrap();
        assert_eq!(fmt_dp(be, 2), "4.85");
        assert_eq!(be, dec("100") * (dec("1") - dec("95906250") / revenue));
    }

    #[test]
    fn a_project_below_the_required_ratio_is_reported_and_a_province_can_change_it() {
        let (mut project, parcels) = fixture();
        project.parcels.retain(|p| p != "CB-2");
        let ctx = RuleContext::builtin();
        let c = coverage(&project, &parcels, &ctx);
        // 7,200万 + 180万 = 7,380万 against 8,718.75万: 0.85.
        assert_eq!(c.ratio_text(), "0.85");
        assert!(!c.balanced);
        let f = c
            .findings
            .iter()
            .find(|f| f.rule == RULE_COVERAGE_BELOW)
            .expect("below the ratio");
        assert!(
            f.message.contains("ZX-2026-01") && f.message.contains("0.85"),
            "{}",
            f.message
        );
        assert!(f.message.contains("1.1"), "{}", f.message);
        // A province requiring 0.8 from 2026: balanced there.
        let mut book = RuleBook::builtin().clone();
        book.extend_from(
            "p.toml",
            r#"[[rule]]
id = "bond.coverage_below"
severity = "error"
applies_to = "policy"
title = "t"
message = "m"
effective_from = "2026-01-01"
jurisdiction = "99"
params = { ratio = "0.8" }"#,
        )
        .unwrap();
        let ctx = RuleContext::new(std::sync::Arc::new(book))
            .with_region(Some("990100"))
            .with_date(Some(d("2026-06-01")));
        assert!(coverage(&project, &parcels, &ctx).balanced);
        // The project's own ratio wins.
        project.required_ratio = Some(dec("0.9"));
        assert!(!coverage(&project, &parcels, &ctx).balanced);
    }

    #[test]
    fn unknown_parcels_and_unpriced_uses_are_named() {
        let (mut project, parcels) = fixture();
        project.parcels.push("CB-404".into());
        project.prices.retain(|p| p.use_key != "06");
        let c = coverage(&project, &parcels, &RuleContext::builtin());
        let rules: Vec<&str> = c.findings.iter().map(|f| f.rule.as_str()).collect();
        assert!(rules.contains(&RULE_PARCEL_UNKNOWN), "{rules:?}");
        assert!(rules.contains(&RULE_PRICE_MISSING), "{rules:?}");
        assert_eq!(c.lines[2].revenue, Money::ZERO);
    }

    #[test]
    fn spending_outside_the_project_and_overdrawing_are_flagged() {
        let (mut project, mut parcels) = fixture();
        let cost = |amount: &str, bond: &str| Cost {
            kind: CostKind::Compensation,
            source: FundSource::SpecialBond,
            amount: Money(dec(amount)),
            year: 2026,
            paid: Some(d("2026-05-01")),
            bond: Some(bond.into()),
        };
        parcels[0].costs.push(cost("5000000", "ZX-2026-01"));
        parcels[3].costs.push(cost("900000", "ZX-2026-02"));
        project.drawdowns = vec![
            Drawdown {
                date: d("2026-06-01"),
                amount: Money(dec("40000000")),
                note: None,
            },
            Drawdown {
                date: d("2026-04-01"),
                amount: Money(dec("30000000")),
                note: None,
            },
        ];
        let ctx = RuleContext::builtin();
        // Within the project's parcels and within the amount (7,000万 of 7,500万).
        assert!(closed_management(&project, &parcels, &ctx).is_empty());
        parcels[3].costs.push(cost("800000", "ZX-2026-01"));
        project.drawdowns.push(Drawdown {
            date: d("2026-09-01"),
            amount: Money(dec("5000001")),
            note: None,
        });
        let f = closed_management(&project, &parcels, &ctx);
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!(f[0].rule, RULE_OUTSIDE_PROJECT);
        assert_eq!(f[0].places[0].parcel.as_deref(), Some("CB-9"));
        assert!(f[0].message.contains("80.00 万元"), "{}", f[0].message);
        assert_eq!(f[1].rule, RULE_OVERDRAWN);
        assert!(f[1].message.contains("2026-09-01"), "{}", f[1].message);
    }

    #[test]
    fn repayments_due_and_not_made_are_reported() {
        let (mut project, _) = fixture();
        let ctx = RuleContext::builtin();
        // Two anniversaries by 2028-03-15: interest 2 × 243.75万 due, principal not yet.
        let yearly = dec("75000000") * dec("0.0325");
        project.repayments.push(Repayment {
            date: d("2027-03-15"),
            amount: Money(yearly),
            kind: RepaymentKind::Interest,
        });
        assert!(overdue_repayments(&project, d("2028-03-14"), &ctx).is_empty());
        let f = overdue_repayments(&project, d("2028-03-15"), &ctx);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].message.contains("欠付 243.75 万元"),
            "{}",
            f[0].message
        );
        // At maturity the principal is due too.
        let f = overdue_repayments(&project, d("2031-03-15"), &ctx);
        assert_eq!(f.len(), 2);
        assert!(
            f[1].message.contains("本金") && f[1].message.contains("7500.00"),
            "{}",
            f[1].message
        );
    }

    #[test]
    fn amortising_bonds_pay_interest_on_the_balance() {
        let (mut project, _) = fixture();
        project.repayment = RepaymentMode::Amortising;
        project.amount = Money(dec("1000"));
        project.rate = dec("0.03");
        project.term_years = 4;
        let s = project.schedule();
        let interest: Vec<Decimal> = s.iter().map(|i| i.interest.0).collect();
        assert_eq!(
            interest,
            vec![dec("30"), dec("22.5"), dec("15"), dec("7.5")]
        );
        assert!(s.iter().all(|i| i.principal.0 == dec("250")));
        assert_eq!(project.total_interest().0, dec("75"));
        assert_eq!(
            RepaymentMode::parse("按年付息，到期一次还本"),
            Some(RepaymentMode::AnnualInterest)
        );
        assert_eq!(PriceUnit::parse("万元/亩"), Some(PriceUnit::Mu));
        assert_eq!(PriceUnit::parse("元/㎡"), Some(PriceUnit::SquareMetre));
    }
}
