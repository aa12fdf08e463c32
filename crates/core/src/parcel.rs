//! The parcel (地块) as listed in a ledger (地块清单), with the attributes plans are built from.
//!
//! Parsing the attribute words (供应方式, 住宅类型, 计划供应时间 …) lives here because it is domain
//! knowledge, not file handling: the readers in `landplan-io` hand over cell text.

use crate::class::ResolvedClass;
use crate::units::{Area, Money, StatedArea};
use serde::{Deserialize, Serialize};

/// Where the land comes from: newly converted construction land or existing stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LandSource {
    /// 新增建设用地.
    New,
    /// 存量建设用地.
    Stock,
}

impl LandSource {
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            LandSource::New => "新增",
            LandSource::Stock => "存量",
        }
    }

    /// Parse cell text such as 新增, 新增建设用地, 存量, 存量用地, 盘活存量.
    pub fn parse(s: &str) -> Option<LandSource> {
        let s = crate::text::normalize(s);
        let s = s.trim();
        if s.contains("新增") || s == "增量" {
            Some(LandSource::New)
        } else if s.contains("存量") {
            Some(LandSource::Stock)
        } else {
            None
        }
    }
}

/// How land is supplied (供应方式).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupplyMethod {
    /// 划拨.
    Allocation,
    /// 招标出让.
    Tender,
    /// 拍卖出让.
    Auction,
    /// 挂牌出让.
    Listing,
    /// 协议出让.
    Agreement,
    /// 出让 (way not given).
    Sale,
    /// 租赁.
    Lease,
    /// 作价出资（入股）.
    CapitalContribution,
}

impl SupplyMethod {
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            SupplyMethod::Allocation => "划拨",
            SupplyMethod::Tender => "招标出让",
            SupplyMethod::Auction => "拍卖出让",
            SupplyMethod::Listing => "挂牌出让",
            SupplyMethod::Agreement => "协议出让",
            SupplyMethod::Sale => "出让",
            SupplyMethod::Lease => "租赁",
            SupplyMethod::CapitalContribution => "作价出资（入股）",
        }
    }

    /// Parse cell text.
    pub fn parse(s: &str) -> Option<SupplyMethod> {
        let s = crate::text::normalize(s);
        let s = s.trim();
        Some(if s.contains("划拨") {
            SupplyMethod::Allocation
        } else if s.contains("招标") {
            SupplyMethod::Tender
        } else if s.contains("拍卖") {
            SupplyMethod::Auction
        } else if s.contains("挂牌") {
            SupplyMethod::Listing
        } else if s.contains("协议") {
            SupplyMethod::Agreement
        } else if s.contains("租赁") {
            SupplyMethod::Lease
        } else if s.contains("作价") || s.contains("入股") {
            SupplyMethod::CapitalContribution
        } else if s.contains("出让") || s.contains("招拍挂") {
            SupplyMethod::Sale
        } else {
            return None;
        })
    }

    /// Whether the method is a sale (出让) of any kind.
    pub fn is_sale(self) -> bool {
        matches!(
            self,
            SupplyMethod::Tender
                | SupplyMethod::Auction
                | SupplyMethod::Listing
                | SupplyMethod::Agreement
                | SupplyMethod::Sale
        )
    }
}

/// The kind of housing on residential land (住宅类型).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HousingType {
    /// 廉租住房.
    LowRent,
    /// 经济适用住房.
    Economical,
    /// 公共租赁住房.
    PublicRental,
    /// 保障性租赁住房.
    AffordableRental,
    /// 保障性住房 (kind not given; includes 配售型保障性住房).
    Affordable,
    /// 棚户区改造.
    ShantyRedevelopment,
    /// 中小套型商品住房.
    SmallCommodity,
    /// 商品住房.
    Commodity,
    /// 租赁住房 (market rental).
    Rental,
    /// 其他.
    Other,
}

impl HousingType {
    /// Every type, in report order.
    pub const ALL: [HousingType; 10] = [
        HousingType::LowRent,
        HousingType::Economical,
        HousingType::PublicRental,
        HousingType::AffordableRental,
        HousingType::Affordable,
        HousingType::ShantyRedevelopment,
        HousingType::SmallCommodity,
        HousingType::Commodity,
        HousingType::Rental,
        HousingType::Other,
    ];

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            HousingType::LowRent => "廉租住房",
            HousingType::Economical => "经济适用住房",
            HousingType::PublicRental => "公共租赁住房",
            HousingType::AffordableRental => "保障性租赁住房",
            HousingType::Affordable => "保障性住房",
            HousingType::ShantyRedevelopment => "棚户区改造",
            HousingType::SmallCommodity => "中小套型商品住房",
            HousingType::Commodity => "商品住房",
            HousingType::Rental => "租赁住房",
            HousingType::Other => "其他",
        }
    }

    /// Stable id used in JSON.
    pub fn id(self) -> &'static str {
        match self {
            HousingType::LowRent => "low_rent",
            HousingType::Economical => "economical",
            HousingType::PublicRental => "public_rental",
            HousingType::AffordableRental => "affordable_rental",
            HousingType::Affordable => "affordable",
            HousingType::ShantyRedevelopment => "shanty_redevelopment",
            HousingType::SmallCommodity => "small_commodity",
            HousingType::Commodity => "commodity",
            HousingType::Rental => "rental",
            HousingType::Other => "other",
        }
    }

    /// Whether the type counts as 保障性安居工程 (affordable housing project), which with
    /// 中小套型商品住房 makes up the policy share reported for housing land.
    pub fn is_affordable_project(self) -> bool {
        matches!(
            self,
            HousingType::LowRent
                | HousingType::Economical
                | HousingType::PublicRental
                | HousingType::AffordableRental
                | HousingType::Affordable
                | HousingType::ShantyRedevelopment
        )
    }

    /// Parse cell text.
    pub fn parse(s: &str) -> Option<HousingType> {
        let s = crate::text::normalize(s);
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        Some(if s.contains("廉租") {
            HousingType::LowRent
        } else if s.contains("经济适用") || s.contains("经适") {
            HousingType::Economical
        } else if s.contains("保障性租赁") || s.contains("保租") {
            HousingType::AffordableRental
        } else if s.contains("公共租赁") || s.contains("公租") {
            HousingType::PublicRental
        } else if s.contains("棚") {
            HousingType::ShantyRedevelopment
        } else if s.contains("保障") || s.contains("安置") || s.contains("配售") {
            HousingType::Affordable
        } else if s.contains("中小套型") {
            HousingType::SmallCommodity
        } else if s.contains("商品") {
            HousingType::Commodity
        } else if s.contains("租赁") {
            HousingType::Rental
        } else {
            HousingType::Other
        })
    }
}

/// The planned time of supply (计划供应时间).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Timing {
    /// A quarter, 1–4.
    Quarter {
        /// 1–4.
        quarter: u8,
    },
    /// A month, 1–12.
    Month {
        /// 1–12.
        month: u8,
    },
    /// A date.
    Date {
        /// Year.
        year: i32,
        /// 1–12.
        month: u8,
        /// 1–31.
        day: u8,
    },
}

impl Timing {
    /// The quarter (1–4) this timing falls in.
    pub fn quarter(self) -> u8 {
        match self {
            Timing::Quarter { quarter } => quarter,
            Timing::Month { month } | Timing::Date { month, .. } => (month - 1) / 3 + 1,
        }
    }

    /// Parse 第一季度 / 一季度 / Q2 / 2季度 / 3月 / 三月 / 2025-07-15 / 2025年7月15日 / 2025/7.
    pub fn parse(s: &str) -> Option<Timing> {
        let n = crate::text::normalize(s);
        let t = n.trim();
        if t.is_empty() {
            return None;
        }
        let upper = t.to_ascii_uppercase();
        if let Some(rest) = upper.strip_prefix('Q') {
            let q: u8 = rest.trim().parse().ok()?;
            return (1..=4)
                .contains(&q)
                .then_some(Timing::Quarter { quarter: q });
        }
        if t.contains("季度") || t.ends_with('季') {
            let q = first_number(t)?;
            return (1..=4)
                .contains(&q)
                .then_some(Timing::Quarter { quarter: q as u8 });
        }
        if t.contains("上半年") {
            return Some(Timing::Quarter { quarter: 2 });
        }
        if t.contains("下半年") || t.contains("年底") || t.contains("年末") {
            return Some(Timing::Quarter { quarter: 4 });
        }
        let nums = numbers(t);
        match nums.as_slice() {
            [y, m, d] if *y >= 1900 && (1..=12).contains(m) && (1..=31).contains(d) => {
                Some(Timing::Date {
                    year: *y as i32,
                    month: *m as u8,
                    day: *d as u8,
                })
            }
            [y, m] if *y >= 1900 && (1..=12).contains(m) => Some(Timing::Month { month: *m as u8 }),
            [m] if (1..=12).contains(m) && (t.contains('月') || t.len() <= 2) => {
                Some(Timing::Month { month: *m as u8 })
            }
            // Excel serial date (days since 1899-12-30), as calamine may hand over.
            [serial] if (20_000..80_000).contains(serial) => {
                let (y, m, d) = civil_from_excel_serial(*serial as i64);
                Some(Timing::Date {
                    year: y,
                    month: m,
                    day: d,
                })
            }
            _ => None,
        }
    }
}

/// Parse a number written with digits or with Chinese numerals 一 … 十二.
fn first_number(t: &str) -> Option<u32> {
    numbers(t).first().copied()
}

fn numbers(t: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let mut cur: Option<u32> = None;
    let mut chinese = String::new();
    let flush_cn = |chinese: &mut String, out: &mut Vec<u32>| {
        if !chinese.is_empty() {
            if let Some(v) = chinese_numeral(chinese) {
                out.push(v);
            }
            chinese.clear();
        }
    };
    for ch in t.chars() {
        if let Some(dg) = ch.to_digit(10) {
            flush_cn(&mut chinese, &mut out);
            cur = Some(cur.unwrap_or(0).saturating_mul(10).saturating_add(dg));
        } else {
            if let Some(v) = cur.take() {
                out.push(v);
            }
            if "〇零一二两三四五六七八九十".contains(ch) {
                chinese.push(ch);
            } else {
                flush_cn(&mut chinese, &mut out);
            }
        }
    }
    if let Some(v) = cur {
        out.push(v);
    }
    flush_cn(&mut chinese, &mut out);
    out
}

fn chinese_numeral(s: &str) -> Option<u32> {
    let digit = |c: char| "〇一二三四五六七八九".find(c).map(|i| (i / 3) as u32);
    let chars: Vec<char> = s
        .chars()
        .map(|c| {
            if c == '两' {
                '二'
            } else if c == '零' {
                '〇'
            } else {
                c
            }
        })
        .collect();
    match chars.as_slice() {
        ['十'] => Some(10),
        ['十', d] => Some(10 + digit(*d)?),
        [d, '十'] => Some(digit(*d)? * 10),
        [a, '十', b] => Some(digit(*a)? * 10 + digit(*b)?),
        [d] => digit(*d),
        _ => None,
    }
}

/// Days since 1899-12-30 (Excel's epoch for dates after 1900-03-01) to a civil date.
fn civil_from_excel_serial(serial: i64) -> (i32, u8, u8) {
    // Days from 1970-01-01.
    let z = serial - 25_569 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
}

/// The state of a parcel in a reserve plan (储备状态).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReserveStatus {
    /// 拟收储: to be acquired this year.
    ToAcquire,
    /// 已入库: already in the reserve (carried over).
    InReserve,
    /// 拟供应: reserve land to be supplied this year.
    ToSupply,
}

impl ReserveStatus {
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            ReserveStatus::ToAcquire => "拟收储",
            ReserveStatus::InReserve => "已入库",
            ReserveStatus::ToSupply => "拟供应",
        }
    }

    /// Parse cell text.
    pub fn parse(s: &str) -> Option<ReserveStatus> {
        let s = crate::text::normalize(s);
        let s = s.trim();
        if s.contains("拟收储") || s.contains("拟储备") || s.contains("新增收储") || s == "收储"
        {
            Some(ReserveStatus::ToAcquire)
        } else if s.contains("入库")
            || s.contains("已储备")
            || s.contains("结转")
            || s.contains("库存")
        {
            Some(ReserveStatus::InReserve)
        } else if s.contains("供应") {
            Some(ReserveStatus::ToSupply)
        } else {
            None
        }
    }
}

/// One parcel from a ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parcel {
    /// 地块编号 / 宗地编号.
    pub id: String,
    /// 坐落 / 位置.
    pub location: Option<String>,
    /// The area as stated, with its unit and precision.
    pub stated_area: StatedArea,
    /// The use as written (用途 / 土地用途 / 地类编码).
    pub class_text: String,
    /// The use resolved against the classification tables.
    pub class: ResolvedClass,
    /// 乡镇 / 区域 / 片区.
    pub township: Option<String>,
    /// 新增 or 存量.
    pub source: Option<LandSource>,
    /// 供应方式.
    pub method: Option<SupplyMethod>,
    /// 计划供应时间.
    pub timing: Option<Timing>,
    /// 住宅类型, for residential parcels.
    pub housing: Option<HousingType>,
    /// 储备状态, for reserve ledgers.
    pub reserve_status: Option<ReserveStatus>,
    /// 前期开发 (preparation work), as written.
    pub pre_development: Option<String>,
    /// 资金需求, for reserve ledgers.
    pub funds: Option<Money>,
    /// The ledger row (1-based, header = row 1) the parcel came from.
    pub row: usize,
}

impl Parcel {
    /// A parcel with what every parcel has — its 地块编号, its area as stated and its use as
    /// written and resolved — and nothing else yet: no 坐落, 乡镇 or supply attributes, and row 0
    /// (not read from a ledger row) until [`Parcel::at_row`] says otherwise. Further attributes
    /// are set with the builders below or with struct update syntax
    /// (`Parcel { source: Some(…), ..Parcel::new(…) }`).
    pub fn new(
        id: impl Into<String>,
        stated_area: StatedArea,
        class_text: impl Into<String>,
        class: ResolvedClass,
    ) -> Parcel {
        Parcel {
            id: id.into(),
            location: None,
            stated_area,
            class_text: class_text.into(),
            class,
            township: None,
            source: None,
            method: None,
            timing: None,
            housing: None,
            reserve_status: None,
            pre_development: None,
            funds: None,
            row: 0,
        }
    }

    /// The same parcel, read from ledger row `row` (1-based, header = row 1).
    pub fn at_row(mut self, row: usize) -> Parcel {
        self.row = row;
        self
    }

    /// The same parcel in 乡镇 `township`.
    pub fn in_township(mut self, township: impl Into<String>) -> Parcel {
        self.township = Some(township.into());
        self
    }

    /// The same parcel at 坐落 `location`.
    pub fn located(mut self, location: impl Into<String>) -> Parcel {
        self.location = Some(location.into());
        self
    }

    /// The area in hectares.
    pub fn area(&self) -> Area {
        self.stated_area.area()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::AreaUnit;

    #[test]
    fn a_new_parcel_has_its_area_in_hectares_and_nothing_it_was_not_given() {
        let area = StatedArea::new("15".parse().unwrap(), AreaUnit::Mu);
        let p = Parcel::new("CB-1", area, "住宅用地", ResolvedClass::default())
            .in_township("城关镇")
            .at_row(7);
        assert_eq!(p.area().0.normalize().to_string(), "1");
        assert_eq!(p.township.as_deref(), Some("城关镇"));
        assert_eq!(p.row, 7);
        assert_eq!(
            (p.location, p.source, p.timing, p.funds),
            (None, None, None, None)
        );
    }

    #[test]
    fn timing_words() {
        assert_eq!(
            Timing::parse("第一季度"),
            Some(Timing::Quarter { quarter: 1 })
        );
        assert_eq!(
            Timing::parse("三季度"),
            Some(Timing::Quarter { quarter: 3 })
        );
        assert_eq!(Timing::parse("Q4"), Some(Timing::Quarter { quarter: 4 }));
        assert_eq!(Timing::parse("7月"), Some(Timing::Month { month: 7 }));
        assert_eq!(Timing::parse("十一月"), Some(Timing::Month { month: 11 }));
        assert_eq!(Timing::parse("2025年十二月").map(Timing::quarter), Some(4));
        assert_eq!(
            Timing::parse("2025-05-20"),
            Some(Timing::Date {
                year: 2025,
                month: 5,
                day: 20
            })
        );
        assert_eq!(
            Timing::parse("2025年5月20日"),
            Some(Timing::Date {
                year: 2025,
                month: 5,
                day: 20
            })
        );
        assert_eq!(
            Timing::parse("45797"),
            Some(Timing::Date {
                year: 2025,
                month: 5,
                day: 20
            })
        );
        assert_eq!(Timing::parse("第五季度"), None);
        assert_eq!(Timing::parse("尽快"), None);
    }

    #[test]
    fn attribute_words() {
        assert_eq!(SupplyMethod::parse("挂牌出让"), Some(SupplyMethod::Listing));
        assert_eq!(SupplyMethod::parse("劃撥"), Some(SupplyMethod::Allocation));
        assert_eq!(SupplyMethod::parse("出让"), Some(SupplyMethod::Sale));
        assert_eq!(
            HousingType::parse("棚户区改造"),
            Some(HousingType::ShantyRedevelopment)
        );
        assert_eq!(
            HousingType::parse("保障性租赁住房"),
            Some(HousingType::AffordableRental)
        );
        assert_eq!(HousingType::parse("商品住房"), Some(HousingType::Commodity));
        assert_eq!(LandSource::parse("存量建设用地"), Some(LandSource::Stock));
        assert_eq!(LandSource::parse("新增"), Some(LandSource::New));
        assert_eq!(
            ReserveStatus::parse("拟收储"),
            Some(ReserveStatus::ToAcquire)
        );
        assert_eq!(
            ReserveStatus::parse("已入库"),
            Some(ReserveStatus::InReserve)
        );
    }
}
