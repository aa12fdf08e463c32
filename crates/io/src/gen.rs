//! A deterministic generator of realistic synthetic parcel ledgers.
//!
//! The county (示例县 by default), its townships, roads and parcels are fictional. The mix
//! follows what county supply and reserve plans look like: industry and housing take most of
//! the land, commerce and public services a fair share, roads some, water works and special
//! land very little; both 新增 and 存量 land; 划拨 for public and infrastructure classes and
//! 挂牌/拍卖/招标/协议 (some 租赁) for the rest; housing types on 住宅 parcels; quarters, months
//! and a few dates. Areas are 0.1–30 公顷 with four decimals.
//!
//! The generator uses its own small PRNG (splitmix64) and integer arithmetic only, so the same
//! options give the same bytes on every platform and every Rust version. It streams: a million
//! rows are written without being held in memory.

use landplan_core::PlanKind;
use std::io::{self, Write};

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenOptions {
    /// Number of parcels (data rows).
    pub parcels: u64,
    /// PRNG seed: the same seed gives the same ledger.
    pub seed: u64,
    /// Supply ledger (供应) or reserve ledger (储备).
    pub kind: PlanKind,
    /// The plan year, used in parcel ids and dates.
    pub year: i32,
    /// The county's name.
    pub region: String,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            parcels: 300,
            seed: 1,
            kind: PlanKind::Supply,
            year: 2025,
            region: "示例县".to_string(),
        }
    }
}

impl GenOptions {
    /// The options that produced the committed demo ledger of this kind
    /// (`data/demo/example-county-{supply,reserve}-2025.csv`).
    pub fn demo(kind: PlanKind) -> GenOptions {
        GenOptions {
            parcels: match kind {
                PlanKind::Supply => 300,
                PlanKind::Reserve => 40,
            },
            seed: 2025,
            kind,
            year: 2025,
            region: "示例县".to_string(),
        }
    }
}

/// splitmix64 (Steele, Lea, Flood 2014; public-domain reference by Vigna).
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0), by multiply-shift.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((self.next() as u128 * n as u128) >> 64) as u64
    }

    /// True with probability `pct` percent.
    pub(crate) fn pct(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }

    /// Pick by integer weights.
    fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u64 = items.iter().map(|(_, w)| *w as u64).sum();
        let mut x = self.below(total);
        for (t, w) in items {
            if x < *w as u64 {
                return t;
            }
            x -= *w as u64;
        }
        &items[items.len() - 1].0
    }
}

/// A broad kind of class, for methods and area ranges.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Commerce,
    Industry,
    Housing,
    Public,
    Transport,
    Water,
    Special,
}

/// Class name (GB/T 21010-2017 second level), its kind, and its weight in parcel counts.
const CLASSES: &[((&str, Kind), u32)] = &[
    (("工业用地", Kind::Industry), 230),
    (("仓储用地", Kind::Industry), 60),
    (("采矿用地", Kind::Industry), 8),
    (("城镇住宅用地", Kind::Housing), 220),
    (("零售商业用地", Kind::Commerce), 50),
    (("商务金融用地", Kind::Commerce), 30),
    (("批发市场用地", Kind::Commerce), 10),
    (("餐饮用地", Kind::Commerce), 8),
    (("旅馆用地", Kind::Commerce), 10),
    (("娱乐用地", Kind::Commerce), 6),
    (("其他商服用地", Kind::Commerce), 8),
    (("机关团体用地", Kind::Public), 15),
    (("教育用地", Kind::Public), 40),
    (("科研用地", Kind::Public), 8),
    (("医疗卫生用地", Kind::Public), 18),
    (("社会福利用地", Kind::Public), 10),
    (("文化设施用地", Kind::Public), 10),
    (("体育用地", Kind::Public), 8),
    (("公用设施用地", Kind::Public), 30),
    (("公园与绿地", Kind::Public), 30),
    (("城镇村道路用地", Kind::Transport), 40),
    (("交通服务场站用地", Kind::Transport), 15),
    (("公路用地", Kind::Transport), 10),
    (("水工建筑用地", Kind::Water), 8),
    (("殡葬用地", Kind::Special), 4),
    (("风景名胜设施用地", Kind::Special), 4),
    (("监教场所用地", Kind::Special), 2),
];

/// Area range in units of 0.0001 公顷 (min, max).
fn area_range(k: Kind) -> (u64, u64) {
    match k {
        Kind::Industry => (5_000, 300_000),
        Kind::Housing => (3_000, 150_000),
        Kind::Commerce => (1_000, 80_000),
        Kind::Public => (2_000, 100_000),
        Kind::Transport => (2_000, 200_000),
        Kind::Water => (1_000, 30_000),
        Kind::Special => (1_000, 20_000),
    }
}

const TOWNSHIPS: &[(&str, u32)] = &[
    ("城关镇", 26),
    ("南湖街道", 14),
    ("新华街道", 10),
    ("河西镇", 10),
    ("东岭镇", 8),
    ("石桥镇", 8),
    ("龙泉镇", 7),
    ("青山乡", 5),
    ("白沙乡", 4),
    ("示例经济开发区", 8),
];

const ROADS_NS: &[&str] = &[
    "人民路",
    "建设路",
    "解放路",
    "文化路",
    "学府路",
    "迎宾大道",
    "工业大道",
    "兴业路",
    "长安路",
    "光明路",
    "创业路",
    "环城东路",
    "环城西路",
    "青年路",
];
const ROADS_EW: &[&str] = &[
    "幸福路",
    "滨河路",
    "青山路",
    "和平路",
    "新华路",
    "东风路",
    "繁荣路",
    "振兴路",
    "湖滨路",
    "园区一路",
    "园区二路",
    "环城南路",
    "环城北路",
    "育才路",
];

const HOUSING: &[(&str, u32)] = &[
    ("商品住房", 50),
    ("中小套型商品住房", 12),
    ("保障性租赁住房", 12),
    ("棚户区改造", 10),
    ("保障性住房", 8),
    ("公共租赁住房", 3),
    ("租赁住房", 5),
];

const SALE: &[(&str, u32)] = &[
    ("挂牌出让", 70),
    ("拍卖出让", 18),
    ("招标出让", 5),
    ("协议出让", 7),
];
const INDUSTRY_METHODS: &[(&str, u32)] = &[
    ("挂牌出让", 72),
    ("协议出让", 8),
    ("租赁", 12),
    ("拍卖出让", 5),
    ("作价出资", 3),
];

const STATUS: &[(&str, u32)] = &[("拟收储", 60), ("已入库", 25), ("拟供应", 15)];
const PREP: &[(&str, u32)] = &[
    ("征收补偿、拆迁安置", 25),
    ("场地平整", 20),
    ("道路及管网配套", 20),
    ("地上附着物清除", 15),
    ("已完成前期开发（净地）", 10),
    ("临时管护", 10),
];

const QUARTERS: [&str; 4] = ["第一季度", "第二季度", "第三季度", "第四季度"];

fn area_text(units: u64) -> String {
    format!("{}.{:04}", units / 10_000, units % 10_000)
}

/// Write a generated ledger as CSV (UTF-8 with BOM, so that Excel opens it; CRLF line ends).
/// Streams: rows are written one at a time.
pub fn generate_csv<W: Write>(w: W, opts: &GenOptions) -> io::Result<()> {
    let mut w = io::BufWriter::with_capacity(256 * 1024, w);
    let mut rng = Rng(opts.seed ^ 0x4C41_4E44_504C_414E); // "LANDPLAN"
    w.write_all(b"\xEF\xBB\xBF")?;
    match opts.kind {
        PlanKind::Supply => w.write_all(
            "地块编号,坐落,乡镇,面积（公顷）,用途,土地来源,供应方式,计划供应时间,住宅类型\r\n"
                .as_bytes(),
        )?,
        PlanKind::Reserve => w.write_all(
            "地块编号,坐落,乡镇,面积（公顷）,用途,土地来源,储备状态,前期开发,资金需求（万元）\r\n"
                .as_bytes(),
        )?,
    }
    let width = opts.parcels.to_string().len().max(4);
    let prefix = match opts.kind {
        PlanKind::Supply => format!("SLX{}-", opts.year),
        PlanKind::Reserve => format!("SLXCB{}-", opts.year),
    };
    for i in 1..=opts.parcels {
        let &(class, kind) = rng.weighted(CLASSES);
        let town = *rng.weighted(TOWNSHIPS);
        let ns = ROADS_NS[rng.below(ROADS_NS.len() as u64) as usize];
        let ew = ROADS_EW[rng.below(ROADS_EW.len() as u64) as usize];
        let side1 = if rng.pct(50) { "东" } else { "西" };
        let side2 = if rng.pct(50) { "南" } else { "北" };
        let (lo, hi) = area_range(kind);
        // Skewed towards small parcels: lo + span × u², u uniform in [0, 1).
        let u = rng.below(10_000);
        let units = lo + (hi - lo) * u * u / 100_000_000;
        let new_pct = match (opts.kind, kind) {
            (PlanKind::Reserve, _) => 30,
            (_, Kind::Industry) | (_, Kind::Transport) => 65,
            (_, Kind::Housing) | (_, Kind::Commerce) if town == "城关镇" => 30,
            _ => 50,
        };
        let source = if rng.pct(new_pct) { "新增" } else { "存量" };
        write!(
            w,
            "{prefix}{i:0width$},{region}{town}{ns}{side1}侧、{ew}{side2}侧,{town},{},{class},{source},",
            area_text(units),
            region = opts.region
        )?;
        match opts.kind {
            PlanKind::Supply => {
                let housing = if kind == Kind::Housing {
                    *rng.weighted(HOUSING)
                } else {
                    ""
                };
                let method = match kind {
                    Kind::Public | Kind::Transport | Kind::Water | Kind::Special => {
                        if rng.pct(92) {
                            "划拨"
                        } else {
                            "协议出让"
                        }
                    }
                    Kind::Housing
                        if matches!(housing, "保障性住房" | "公共租赁住房")
                            || (housing == "棚户区改造" && rng.pct(50)) =>
                    {
                        "划拨"
                    }
                    Kind::Industry => *rng.weighted(INDUSTRY_METHODS),
                    _ => *rng.weighted(SALE),
                };
                let q = *rng.weighted(&[(0usize, 18), (1, 27), (2, 30), (3, 25)]);
                let timing = match rng.below(10) {
                    0..=5 => QUARTERS[q].to_string(),
                    6..=8 => format!("{}月", q as u64 * 3 + 1 + rng.below(3)),
                    _ => format!(
                        "{}-{:02}-{:02}",
                        opts.year,
                        q as u64 * 3 + 1 + rng.below(3),
                        1 + rng.below(28)
                    ),
                };
                write!(w, "{method},{timing},{housing}\r\n")?;
            }
            PlanKind::Reserve => {
                let status = *rng.weighted(STATUS);
                let prep = *rng.weighted(PREP);
                // 资金需求: 80–600 万元 per 公顷, to the 0.01 万元.
                let per_ha = 80 + rng.below(521);
                let cents = units * per_ha / 100;
                write!(w, "{status},{prep},{}.{:02}\r\n", cents / 100, cents % 100)?;
            }
        }
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gen(opts: &GenOptions) -> String {
        let mut out = Vec::new();
        generate_csv(&mut out, opts).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let a = GenOptions::default();
        let b = GenOptions {
            seed: 2,
            ..GenOptions::default()
        };
        assert_eq!(gen(&a), gen(&a));
        assert_ne!(gen(&a), gen(&b));
    }

    #[test]
    fn rows_have_the_header_width_and_ids_count_up() {
        let s = gen(&GenOptions {
            parcels: 12_345,
            ..GenOptions::default()
        });
        let lines: Vec<&str> = s.trim_end().split("\r\n").collect();
        assert_eq!(lines.len(), 12_346);
        assert!(lines.iter().all(|l| l.split(',').count() == 9));
        assert!(lines[1].starts_with("SLX2025-00001,"));
        assert!(lines[12_345].starts_with("SLX2025-12345,"));
    }
}
