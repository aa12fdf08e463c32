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

/// The county's townships, in the generator's order (the names the township boundaries
/// carry).
pub const TOWNSHIP_NAMES: [&str; 10] = [
    TOWNSHIPS[0].0,
    TOWNSHIPS[1].0,
    TOWNSHIPS[2].0,
    TOWNSHIPS[3].0,
    TOWNSHIPS[4].0,
    TOWNSHIPS[5].0,
    TOWNSHIPS[6].0,
    TOWNSHIPS[7].0,
    TOWNSHIPS[8].0,
    TOWNSHIPS[9].0,
];

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

/// One generated parcel: its CSV line and what its boundary needs.
struct Row {
    /// The ledger line, CRLF included.
    line: String,
    /// 地块编号.
    id: String,
    /// Index into `TOWNSHIPS`.
    town: usize,
    /// Area in 0.0001 公顷 (= square metres).
    units: u64,
    /// 用途 (class name).
    class: &'static str,
    /// 坐落.
    location: String,
}

/// The ledger's rows, in order (the generator's one stream of random draws).
struct Rows<'a> {
    opts: &'a GenOptions,
    rng: Rng,
    i: u64,
    width: usize,
    prefix: String,
}

impl<'a> Rows<'a> {
    fn new(opts: &'a GenOptions) -> Rows<'a> {
        Rows {
            opts,
            rng: Rng(opts.seed ^ 0x4C41_4E44_504C_414E), // "LANDPLAN"
            i: 0,
            width: opts.parcels.to_string().len().max(4),
            prefix: match opts.kind {
                PlanKind::Supply => format!("SLX{}-", opts.year),
                PlanKind::Reserve => format!("SLXCB{}-", opts.year),
            },
        }
    }

    /// The CSV header line.
    fn header(&self) -> &'static str {
        match self.opts.kind {
            PlanKind::Supply => {
                "地块编号,坐落,乡镇,面积（公顷）,用途,土地来源,供应方式,计划供应时间,住宅类型\r\n"
            }
            PlanKind::Reserve => {
                "地块编号,坐落,乡镇,面积（公顷）,用途,土地来源,储备状态,前期开发,资金需求（万元）\r\n"
            }
        }
    }
}

impl Iterator for Rows<'_> {
    type Item = Row;

    fn next(&mut self) -> Option<Row> {
        if self.i >= self.opts.parcels {
            return None;
        }
        self.i += 1;
        let (opts, rng, i, width) = (self.opts, &mut self.rng, self.i, self.width);
        let &(class, kind) = rng.weighted(CLASSES);
        let town_index = weighted_index(rng, TOWNSHIPS);
        let town = TOWNSHIPS[town_index].0;
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
        let id = format!("{}{i:0width$}", self.prefix);
        let location = format!("{}{town}{ns}{side1}侧、{ew}{side2}侧", opts.region);
        let mut line = format!(
            "{id},{location},{town},{},{class},{source},",
            area_text(units)
        );
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
                line.push_str(&format!("{method},{timing},{housing}\r\n"));
            }
            PlanKind::Reserve => {
                let status = *rng.weighted(STATUS);
                let prep = *rng.weighted(PREP);
                // 资金需求: 80–600 万元 per 公顷, to the 0.01 万元.
                let per_ha = 80 + rng.below(521);
                let cents = units * per_ha / 100;
                line.push_str(&format!(
                    "{status},{prep},{}.{:02}\r\n",
                    cents / 100,
                    cents % 100
                ));
            }
        }
        Some(Row {
            line,
            id,
            town: town_index,
            units,
            class,
            location,
        })
    }
}

/// [`Rng::weighted`], returning the index picked (the same draw).
fn weighted_index<T>(rng: &mut Rng, items: &[(T, u32)]) -> usize {
    let total: u64 = items.iter().map(|(_, w)| *w as u64).sum();
    let mut x = rng.below(total);
    for (i, (_, w)) in items.iter().enumerate() {
        if x < *w as u64 {
            return i;
        }
        x -= *w as u64;
    }
    items.len() - 1
}

/// Write a generated ledger as CSV (UTF-8 with BOM, so that Excel opens it; CRLF line ends).
/// Streams: rows are written one at a time.
pub fn generate_csv<W: Write>(w: W, opts: &GenOptions) -> io::Result<()> {
    let mut w = io::BufWriter::with_capacity(256 * 1024, w);
    let rows = Rows::new(opts);
    w.write_all(b"\xEF\xBB\xBF")?;
    w.write_all(rows.header().as_bytes())?;
    for row in rows {
        w.write_all(row.line.as_bytes())?;
    }
    w.flush()
}

// ---------------------------------------------------------------------------------------------
// Boundaries: the county's parcels as a 国土TXT and its townships as GeoJSON.
//
// The county lies in one CGCS2000 3° Gauss–Krüger zone, centred on the zone's central meridian
// at about 30.5°N (northing 3 380 km). Its townships are rectangles in two rows (the first five
// of `TOWNSHIPS` west to east, then the other five), each as wide as its parcels need: together
// they tile the county (a stepped outline where the rows differ in width). Each parcel lies in
// one square slot of its township (slots spread over the township by a fixed stride), as a
// parallelogram whose area is the ledger's stated area: width and height in whole millimetres,
// so the planar area in the zone is the stated area to well within 0.0001 公顷. Coordinates are
// integer millimetres written with three decimals, drawn from their own random stream (the
// ledger's bytes do not change), so the same options give the same files everywhere.
// ---------------------------------------------------------------------------------------------

/// Where the generated county lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoundaryOptions {
    /// The CGCS2000 3° Gauss–Krüger zone (25–45); eastings carry the zone number (EPSG:4513 +
    /// zone − 25, e.g. 4526 for zone 38).
    pub zone: u8,
}

impl Default for BoundaryOptions {
    fn default() -> Self {
        BoundaryOptions { zone: 38 }
    }
}

impl BoundaryOptions {
    /// The zone of the committed demo boundaries (`data/demo/example-county-supply-2025-parcels.txt`,
    /// `data/demo/example-county-townships.geojson`): zone 38, EPSG:4526.
    pub fn demo() -> BoundaryOptions {
        BoundaryOptions { zone: 38 }
    }

    /// The EPSG code of the zone (with the zone prefix), e.g. 4526 for zone 38.
    pub fn epsg(&self) -> u32 {
        4513 + u32::from(self.zone) - 25
    }
}

/// Side of a parcel's slot, mm (a 30 公顷 parcel fits with room to spare).
const SLOT_MM: i64 = 640_000;
/// The part of a slot a parcel may use (a 20 m margin on every side), mm.
const USABLE_MM: i64 = 600_000;
/// Northing of the county's southern edge, mm.
const SOUTH_MM: i64 = 3_370_000_000;
/// Townships in the first (southern) row; the rest make the second.
const FIRST_ROW: usize = 5;

/// The townships' places and slot grids.
struct Layout {
    /// Per township: west and south edges (mm), columns and rows of slots.
    towns: Vec<(i64, i64, i64, i64)>,
}

impl Layout {
    /// Count the parcels of each township (one pass of the ledger's rows) and size the
    /// townships to hold them.
    fn new(opts: &GenOptions, b: &BoundaryOptions) -> Layout {
        let mut counts = vec![0u64; TOWNSHIPS.len()];
        for r in Rows::new(opts) {
            counts[r.town] += 1;
        }
        // Rows of slots per township: enough that the largest township is about square.
        let max = counts.iter().copied().max().unwrap_or(0);
        let rows = isqrt_ceil(max * 2).max(2) as i64;
        // Columns: room for every parcel plus half as many again (never full), and at least
        // half as many as rows (no township is a thin strip).
        let cols: Vec<i64> = counts
            .iter()
            .map(|&c| {
                ((c * 3 / 2).div_ceil(rows as u64) as i64)
                    .max(rows / 2)
                    .max(2)
            })
            .collect();
        let widths: Vec<i64> = cols.iter().map(|c| c * SLOT_MM).collect();
        let row_width = |range: std::ops::Range<usize>| -> i64 { widths[range].iter().sum() };
        let zone_prefix_mm = i64::from(b.zone) * 1_000_000_000;
        let mut towns = Vec::with_capacity(TOWNSHIPS.len());
        for (row, range) in [(0, 0..FIRST_ROW), (1, FIRST_ROW..TOWNSHIPS.len())] {
            // Each row centred on the central meridian (false easting 500 km).
            let mut west = zone_prefix_mm + 500_000_000 - row_width(range.clone()) / 2;
            let south = SOUTH_MM + row * rows * SLOT_MM;
            for t in range {
                towns.push((west, south, cols[t], rows));
                west += widths[t];
            }
        }
        Layout { towns }
    }

    /// The rectangle of township `t`: (min_e, min_n, max_e, max_n) in mm.
    fn town_rect(&self, t: usize) -> (i64, i64, i64, i64) {
        let (w, s, c, r) = self.towns[t];
        (w, s, w + c * SLOT_MM, s + r * SLOT_MM)
    }
}

/// The smallest n with n² ≥ x.
fn isqrt_ceil(x: u64) -> u64 {
    let mut n = (x as f64).sqrt() as u64;
    while n * n < x {
        n += 1;
    }
    while n > 0 && (n - 1) * (n - 1) >= x {
        n -= 1;
    }
    n
}

/// The greatest common divisor.
fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// A stride coprime with `n` near 0.618 n: slot k·stride mod n visits every slot once, spread.
fn stride(n: u64) -> u64 {
    let mut s = (n * 618 / 1000).max(1);
    while gcd(s, n) != 1 {
        s += 1;
    }
    s
}

/// Millimetres as metres with three decimals.
fn mm(v: i64) -> String {
    format!("{}.{:03}", v.div_euclid(1000), v.rem_euclid(1000))
}

/// A parcel's boundary: its four corners (easting, northing in mm), clockwise from the
/// south-west one.
fn parcel_corners(layout: &Layout, slot_of: &mut [u64], rng: &mut Rng, r: &Row) -> [(i64, i64); 4] {
    let (west, south, cols, rows) = layout.towns[r.town];
    let n = (cols * rows) as u64;
    let k = slot_of[r.town];
    slot_of[r.town] += 1;
    let slot = (k * stride(n)) % n;
    let (sx, sy) = ((slot % cols as u64) as i64, (slot / cols as u64) as i64);
    let area_mm2 = i128::from(r.units) * 1_000_000;
    // Width between area/usable and usable, around √area × (0.7–1.4).
    let root = ((r.units as f64).sqrt() * 1000.0) as i64;
    let lo = ((area_mm2 / i128::from(USABLE_MM)) as i64 + 1).max(root * 7 / 10);
    let hi = USABLE_MM.min(root * 14 / 10).max(lo);
    let width = lo + rng.below((hi - lo + 1) as u64) as i64;
    let height = ((area_mm2 + i128::from(width) / 2) / i128::from(width)) as i64;
    // Shear the top edge by up to a fifth of the width, within the usable square.
    let room = USABLE_MM - width;
    let shear_max = (width / 5).min(room);
    let shear = rng.below((2 * shear_max + 1) as u64) as i64 - shear_max;
    let span = width + shear.abs();
    let x0 = west
        + sx * SLOT_MM
        + (SLOT_MM - USABLE_MM) / 2
        + rng.below((USABLE_MM - span + 1) as u64) as i64
        + (-shear).max(0);
    let y0 = south
        + sy * SLOT_MM
        + (SLOT_MM - USABLE_MM) / 2
        + rng.below((USABLE_MM - height + 1) as u64) as i64;
    [
        (x0, y0),
        (x0 + shear, y0 + height),
        (x0 + shear + width, y0 + height),
        (x0 + width, y0),
    ]
}

/// Write the generated parcels' boundaries as a 国土TXT (UTF-8, CRLF) in the zone of `b`, with
/// eastings carrying the zone number: the header of each parcel carries its 地块面积 (the
/// ledger's stated area), 地块编号, 地块名称 (its 坐落) and 地块用途, so the file alone is a
/// ledger with geometry. Every parcel lies inside its township of
/// [`generate_townships_geojson`].
pub fn generate_guotu<W: Write>(w: W, opts: &GenOptions, b: &BoundaryOptions) -> io::Result<()> {
    let mut w = io::BufWriter::with_capacity(256 * 1024, w);
    let layout = Layout::new(opts, b);
    write!(
        w,
        "[属性描述]\r\n格式版本号=1.0\r\n数据产生单位={}（示例数据，非真实地块）\r\n坐标系=2000国家大地坐标系\r\n几度分带=3\r\n投影类型=高斯克吕格\r\n计量单位=米\r\n带号={}\r\n精度=0.001\r\n转换参数=,,,,,,\r\n[地块坐标]\r\n",
        opts.region, b.zone
    )?;
    let mut rng = Rng(opts.seed ^ 0x4755_4F54_5554_5854); // "GUOTUTXT"
    let mut slot_of = vec![0u64; TOWNSHIPS.len()];
    for r in Rows::new(opts) {
        let c = parcel_corners(&layout, &mut slot_of, &mut rng, &r);
        write!(
            w,
            "5,{},{},{},面,,{},,@\r\n",
            area_text(r.units),
            r.id,
            r.location,
            r.class
        )?;
        for (j, (e, n)) in c.iter().chain(c.first()).enumerate() {
            let no = if j == 4 { 1 } else { j + 1 };
            write!(w, "J{no},1,{},{}\r\n", mm(*n), mm(*e))?;
        }
    }
    w.flush()
}

/// Write the county's townships as a GeoJSON FeatureCollection in the same zone as
/// [`generate_guotu`] (its `crs` member names the EPSG code), one polygon per township with
/// 乡镇名称 and 县级行政区: rectangles that tile the county and contain their parcels.
pub fn generate_townships_geojson<W: Write>(
    w: W,
    opts: &GenOptions,
    b: &BoundaryOptions,
) -> io::Result<()> {
    let mut w = io::BufWriter::new(w);
    let layout = Layout::new(opts, b);
    writeln!(
        w,
        "{{\"type\":\"FeatureCollection\",\"name\":\"{}乡镇界\",\"crs\":{{\"type\":\"name\",\"properties\":{{\"name\":\"urn:ogc:def:crs:EPSG::{}\"}}}},\"features\":[",
        opts.region,
        b.epsg()
    )?;
    for (t, (name, _)) in TOWNSHIPS.iter().enumerate() {
        let (e0, n0, e1, n1) = layout.town_rect(t);
        let ring = [(e0, n0), (e1, n0), (e1, n1), (e0, n1), (e0, n0)]
            .iter()
            .map(|(e, n)| format!("[{},{}]", mm(*e), mm(*n)))
            .collect::<Vec<_>>()
            .join(",");
        writeln!(
            w,
            "{{\"type\":\"Feature\",\"properties\":{{\"乡镇名称\":\"{name}\",\"县级行政区\":\"{}\"}},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":[[{ring}]]}}}}{}",
            opts.region,
            if t + 1 < TOWNSHIPS.len() { "," } else { "" }
        )?;
    }
    w.write_all(b"]}\n")?;
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

    /// Twice the signed area of a ring in mm² (exact).
    fn twice_area(c: &[(i64, i64); 4]) -> i128 {
        (0..4)
            .map(|i| {
                let (a, b) = (c[i], c[(i + 1) % 4]);
                i128::from(a.0) * i128::from(b.1) - i128::from(b.0) * i128::from(a.1)
            })
            .sum()
    }

    #[test]
    fn boundaries_have_the_stated_area_and_lie_in_their_township_which_tile_the_county() {
        for (parcels, seed) in [(300, 2025), (40, 2025), (7, 1), (5000, 9)] {
            let opts = GenOptions {
                parcels,
                seed,
                ..GenOptions::default()
            };
            let layout = Layout::new(&opts, &BoundaryOptions::default());
            let mut rng = Rng(1);
            let mut slots = vec![0u64; TOWNSHIPS.len()];
            let mut seen = std::collections::HashSet::new();
            for r in Rows::new(&opts) {
                let c = parcel_corners(&layout, &mut slots, &mut rng, &r);
                // Clockwise, and the stated area to within half a square metre (0.00005 公顷).
                let a = -twice_area(&c);
                assert!(a > 0, "{} is not clockwise", r.id);
                let diff = (a - i128::from(r.units) * 2_000_000).abs();
                assert!(diff <= 1_000_000, "{}: {a} vs {}", r.id, r.units);
                let (e0, n0, e1, n1) = layout.town_rect(r.town);
                for (e, n) in c {
                    assert!(
                        e > e0 && e < e1 && n > n0 && n < n1,
                        "{} leaves its township",
                        r.id
                    );
                }
                // One parcel per slot: the south-west corners' slots are all different.
                let (w, s, _, _) = layout.towns[r.town];
                let key = (
                    r.town,
                    (c[0].0.min(c[1].0) - w) / SLOT_MM,
                    (c[0].1 - s) / SLOT_MM,
                );
                assert!(seen.insert(key), "{} shares a slot", r.id);
            }
            // Townships of a row touch end to end; the second row sits on the first.
            for range in [0..FIRST_ROW, FIRST_ROW..TOWNSHIPS.len()] {
                for t in range.start + 1..range.end {
                    assert_eq!(layout.town_rect(t - 1).2, layout.town_rect(t).0);
                    assert_eq!(layout.town_rect(t - 1).1, layout.town_rect(t).1);
                }
            }
            assert_eq!(layout.town_rect(0).3, layout.town_rect(FIRST_ROW).1);
        }
    }

    #[test]
    fn the_guotu_text_and_the_townships_are_deterministic_and_in_the_zone() {
        let opts = GenOptions::demo(PlanKind::Supply);
        let b = BoundaryOptions { zone: 38 };
        let text = |f: &dyn Fn(&mut Vec<u8>)| {
            let mut out = Vec::new();
            f(&mut out);
            String::from_utf8(out).unwrap()
        };
        let txt = text(&|o| generate_guotu(o, &opts, &b).unwrap());
        assert_eq!(txt, text(&|o| generate_guotu(o, &opts, &b).unwrap()));
        assert!(txt.contains("带号=38\r\n"));
        let first = txt.lines().find(|l| l.starts_with("J1,")).unwrap();
        // X is the northing, Y the easting with the zone number.
        let y = first.split(',').nth(3).unwrap();
        assert!(
            y.starts_with("38") && y.len() == "38500000.000".len(),
            "{first}"
        );
        assert_eq!(txt.matches(",@\r\n").count(), 300);
        let towns = text(&|o| generate_townships_geojson(o, &opts, &b).unwrap());
        assert!(towns.contains("EPSG::4526"));
        assert_eq!(towns.matches("\"乡镇名称\"").count(), TOWNSHIPS.len());
    }
}
