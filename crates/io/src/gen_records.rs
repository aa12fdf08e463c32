//! A deterministic generator of supply records (供地记录) and approval batches (批次) for a
//! plan's parcels: what a county's land market system would export a year later. Fictional,
//! for demos, tests and benchmarks.
//!
//! From the plan's parcels: about four in five are supplied in the plan year, in or near their
//! planned quarter (a few in the next year); a few records are of parcels outside the plan;
//! one record is exported twice. Each supplied parcel gets agreed 交地/开工/竣工 dates (交地
//! 1–3 months after the contract, 开工 within six months of 交地, 竣工 two years after 开工)
//! and actual dates for most milestones before the export date. Records from the two earlier
//! years carry the land-use follow-up: some started, some never started (idle, a few for two
//! years, a few for the government's reasons), some started and halted with little built.
//! 新增 land comes from approval batches approved in the five years before the plan year and in
//! it; each batch is larger than what is supplied from it, so 批而未供 remains.
//!
//! Areas are the parcels' own; prices are area × a price per 公顷 by use, in 万元.

use crate::gen::Rng;
use landplan_core::date::Date;
use landplan_core::parcel::{LandSource, Parcel, SupplyMethod};
use std::fmt::Write as _;

/// What to generate.
#[derive(Debug, Clone)]
pub struct RecordGenOptions {
    /// PRNG seed.
    pub seed: u64,
    /// The plan year.
    pub year: i32,
    /// The export date: actual dates after it are not known yet.
    pub export_on: Date,
    /// The county's 行政区划代码, used in 电子监管号 and batch numbers.
    pub region_code: String,
}

/// The generated tables as CSV text (UTF-8 with BOM, as Excel opens it).
#[derive(Debug, Clone)]
pub struct GeneratedRecords {
    /// 供地记录.
    pub records_csv: String,
    /// 批次清单.
    pub batches_csv: String,
}

struct Batch {
    no: String,
    name: String,
    approved_on: Date,
    /// Area supplied from it, in ten-thousandths of a 公顷.
    used: u64,
}

fn day_in(rng: &mut Rng, year: i32, quarter: u8) -> Date {
    let start = Date::new(year, (quarter - 1) * 3 + 1, 1).unwrap_or(Date::new(year, 1, 1).unwrap());
    start.add_days(rng.below(90) as i64).unwrap_or(start)
}

fn ten_thousandths(p: &Parcel) -> u64 {
    let v = p.area().ha() * rust_decimal::Decimal::from(10_000);
    u64::try_from(v.trunc().mantissa()).unwrap_or(0)
}

fn fmt_area(units: u64) -> String {
    format!("{}.{:04}", units / 10_000, units % 10_000)
}

/// 万元 per 公顷 by use, for prices.
fn price_per_ha(class: &str, method: Option<SupplyMethod>) -> u64 {
    if method == Some(SupplyMethod::Allocation) {
        return 0;
    }
    if class.contains("住宅") {
        1500
    } else if class.contains("商") || class.contains("餐饮") || class.contains("旅馆") {
        1200
    } else if class.contains("工业") || class.contains("仓储") {
        300
    } else {
        600
    }
}

const HEADER: &str = "行政区,电子监管号,宗地编号,项目名称,受让人,所在乡镇,土地坐落,土地用途,供应面积（公顷）,土地来源,供应方式,合同签订日期,成交价款（万元）,约定交地日期,实际交地日期,约定开工日期,实际开工日期,约定竣工日期,实际竣工日期,已开发面积（公顷）,已投资额（万元）,总投资额（万元）,中止开发日期,闲置原因类型,批准文号\n";

/// A record being written.
struct Rec<'a> {
    region: &'a str,
    no: String,
    parcel: &'a Parcel,
    id: String,
    supplied: Date,
    batch: Option<String>,
    /// Follow-up shape: 0 normal, 1 never started, 2 never started (government), 3 halted.
    shape: u8,
}

fn opt(d: Option<Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn write_record(out: &mut String, rng: &mut Rng, r: &Rec<'_>, export_on: Date) {
    let p = r.parcel;
    let units = ten_thousandths(p);
    let price = price_per_ha(&p.class_text, p.method) * units / 10_000;
    let handover = r
        .supplied
        .add_days(30 + rng.below(60) as i64)
        .unwrap_or(r.supplied);
    let start = handover.add_days(rng.below(180) as i64).unwrap_or(handover);
    let completion = start.add_years(2).unwrap_or(start);
    let known = |d: Date| (d <= export_on).then_some(d);
    let actual_handover = known(handover.add_days(rng.below(20) as i64).unwrap_or(handover));
    let (actual_start, developed, invested, halted, cause) = match r.shape {
        1 => (None, None, None, None, "企业原因"),
        2 => (None, None, None, None, "政府原因"),
        3 => {
            let s = known(start);
            // A quarter of the area built, then stopped half a year later.
            (
                s,
                Some(units / 4),
                Some(price / 10),
                s.and_then(|s| s.add_days(180)),
                "企业原因",
            )
        }
        _ => {
            let late = rng.pct(15);
            let s = if late {
                None
            } else {
                known(start.add_days(rng.below(30) as i64).unwrap_or(start))
            };
            (s, None, None, None, "")
        }
    };
    let actual_completion = actual_start.and_then(|_| known(completion));
    let holder = format!(
        "示例{}有限公司",
        ["置业", "实业", "科技", "建设", "投资"][rng.below(5) as usize]
    );
    let _ = writeln!(
        out,
        "{},{},{},{}项目,{holder},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
        r.region,
        r.no,
        r.id,
        p.class_text,
        p.township.clone().unwrap_or_default(),
        p.location.clone().unwrap_or_default(),
        p.class_text,
        fmt_area(units),
        p.source.map(LandSource::label).unwrap_or(""),
        p.method.map(SupplyMethod::label).unwrap_or(""),
        r.supplied,
        if price > 0 {
            price.to_string()
        } else {
            String::new()
        },
        handover,
        opt(actual_handover),
        start,
        opt(actual_start),
        completion,
        opt(actual_completion),
        developed.map(fmt_area).unwrap_or_default(),
        invested.map(|v| v.to_string()).unwrap_or_default(),
        if r.shape == 3 {
            price.to_string()
        } else {
            String::new()
        },
        opt(halted),
        if r.shape == 0 { "" } else { cause },
        r.batch.clone().unwrap_or_default(),
    );
}

/// Generate supply records and approval batches for a plan's parcels.
pub fn generate_records(parcels: &[Parcel], opts: &RecordGenOptions) -> GeneratedRecords {
    let mut rng = Rng(opts.seed ^ 0x5245_434F_5244_5321); // "RECORDS!"
    let y = opts.year;
    // Batches: two a year in the five years before the plan year and in it.
    let mut batches: Vec<Batch> = Vec::new();
    for (k, by) in (y - 5..=y).enumerate() {
        for half in 0..2u8 {
            let approved_on = day_in(&mut rng, by, 1 + half * 2);
            batches.push(Batch {
                // Unique within a county across plan years: the plan year's last two digits lead.
                no: format!("示批〔{by}〕{}{:02}号", y % 100, 10 + k * 2 + half as usize),
                name: format!("示例县{by}年度第{}批次城镇建设用地", half + 1),
                approved_on,
                used: 0,
            });
        }
    }
    let mut out = String::from("\u{feff}");
    out.push_str(HEADER);
    let mut n = 0u32;
    let mut next_no = |rng: &mut Rng| {
        n += 1;
        format!("{}{}B{:05}{}", opts.region_code, y, n, rng.below(10))
    };
    let pick_batch = |rng: &mut Rng, batches: &mut [Batch], supplied: Date, units: u64| {
        let open: Vec<usize> = (0..batches.len())
            .filter(|&i| batches[i].approved_on <= supplied)
            .collect();
        if open.is_empty() {
            return None;
        }
        let i = open[rng.below(open.len() as u64) as usize];
        batches[i].used += units;
        Some(batches[i].no.clone())
    };
    let mut duplicate: Option<usize> = None;
    let mut lines: Vec<String> = Vec::new();
    for p in parcels {
        let roll = rng.below(100);
        if roll >= 85 {
            continue; // not supplied
        }
        let q = match p.timing {
            Some(landplan_core::Timing::Quarter { quarter }) => quarter,
            Some(landplan_core::Timing::Month { month }) => (month - 1) / 3 + 1,
            _ => 1 + rng.below(4) as u8,
        };
        let (year, q) = if roll >= 80 { (y + 1, 1) } else { (y, q) };
        let supplied = day_in(&mut rng, year, q);
        let batch = (p.source == Some(LandSource::New))
            .then(|| pick_batch(&mut rng, &mut batches, supplied, ten_thousandths(p)))
            .flatten();
        let rec = Rec {
            region: &opts.region_code,
            no: next_no(&mut rng),
            parcel: p,
            id: p.id.clone(),
            supplied,
            batch,
            shape: 0,
        };
        let mut line = String::new();
        write_record(&mut line, &mut rng, &rec, opts.export_on);
        if duplicate.is_none() && rng.pct(3) {
            duplicate = Some(lines.len());
        }
        lines.push(line);
    }
    // Parcels outside the plan, and the follow-up of the two earlier years' supply.
    let extra = (parcels.len() / 20).max(2);
    for k in 0..extra + 12 {
        let p = &parcels[rng.below(parcels.len() as u64) as usize];
        let earlier = k >= extra;
        let year = if earlier { y - 1 - (k % 2) as i32 } else { y };
        let quarter = 1 + rng.below(4) as u8;
        let supplied = day_in(&mut rng, year, quarter);
        let shape = if earlier {
            [0, 1, 1, 2, 3, 0][k % 6]
        } else {
            0
        };
        let id = if earlier {
            format!("SLX{year}-{:04}", 900 + k)
        } else {
            format!("SLX{y}-X{:03}", k + 1)
        };
        let batch = (p.source == Some(LandSource::New))
            .then(|| pick_batch(&mut rng, &mut batches, supplied, ten_thousandths(p)))
            .flatten();
        let rec = Rec {
            region: &opts.region_code,
            no: next_no(&mut rng),
            parcel: p,
            id,
            supplied,
            batch,
            shape,
        };
        let mut line = String::new();
        write_record(&mut line, &mut rng, &rec, opts.export_on);
        lines.push(line);
    }
    if let Some(i) = duplicate {
        let again = lines[i].clone();
        lines.push(again);
    }
    for l in &lines {
        out.push_str(l);
    }
    let mut b =
        String::from("\u{feff}行政区,批次名称,批准文号,批准机关,批准日期,批准面积（公顷）\n");
    for batch in &batches {
        // Approved: what is supplied from it, plus 20–120 % more still unsupplied.
        let extra = batch.used * (20 + rng.below(100)) / 100 + 10_000 * (1 + rng.below(20));
        let _ = writeln!(
            b,
            "{},{},{},示例省人民政府,{},{}",
            opts.region_code,
            batch.name,
            batch.no,
            batch.approved_on,
            fmt_area(batch.used + extra)
        );
    }
    GeneratedRecords {
        records_csv: out,
        batches_csv: b,
    }
}
