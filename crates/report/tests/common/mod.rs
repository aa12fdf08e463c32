//! Plans built in code for the tests: a small demo county and a large generated ledger.
#![allow(dead_code, clippy::type_complexity)]

use landplan_core::class::{Classifier, Resolution, Scheme};
use landplan_core::compile::{compile, CompileOptions, CompiledPlan, PlanKind};
use landplan_core::parcel::{HousingType, LandSource, Parcel, ReserveStatus, SupplyMethod, Timing};
use landplan_core::units::{AreaUnit, Money, MoneyUnit, StatedArea};
use rust_decimal::Decimal;
use std::str::FromStr;

pub fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

pub fn parcel(id: &str, ha: &str, class: &str, town: &str, row: usize) -> Parcel {
    let class_res = match Classifier::builtin().resolve(class, Scheme::Gb21010) {
        Resolution::Class(c) => c,
        other => panic!("test class {class} did not resolve: {other:?}"),
    };
    Parcel::new(
        id,
        StatedArea::new(d(ha), AreaUnit::Hectare),
        class,
        class_res,
    )
    .located(format!("{town}{id}号地块"))
    .in_township(town)
    .at_row(row)
}

/// A small county: 16 parcels over 4 townships, every kind of attribute.
pub fn demo_parcels() -> Vec<Parcel> {
    let rows: &[(
        &str,
        &str,
        &str,
        &str,
        Option<HousingType>,
        SupplyMethod,
        u8,
        LandSource,
    )] = &[
        (
            "SL-001",
            "12.50",
            "工业用地",
            "城关镇",
            None,
            SupplyMethod::Listing,
            1,
            LandSource::New,
        ),
        (
            "SL-002",
            "8.25",
            "工业用地",
            "东河乡",
            None,
            SupplyMethod::Listing,
            2,
            LandSource::Stock,
        ),
        (
            "SL-003",
            "3.40",
            "仓储用地",
            "东河乡",
            None,
            SupplyMethod::Listing,
            3,
            LandSource::New,
        ),
        (
            "SL-004",
            "5.10",
            "城镇住宅用地",
            "城关镇",
            Some(HousingType::Commodity),
            SupplyMethod::Auction,
            2,
            LandSource::Stock,
        ),
        (
            "SL-005",
            "2.35",
            "城镇住宅用地",
            "城关镇",
            Some(HousingType::LowRent),
            SupplyMethod::Allocation,
            1,
            LandSource::New,
        ),
        (
            "SL-006",
            "1.80",
            "城镇住宅用地",
            "西山镇",
            Some(HousingType::ShantyRedevelopment),
            SupplyMethod::Allocation,
            3,
            LandSource::Stock,
        ),
        (
            "SL-007",
            "4.05",
            "城镇住宅用地",
            "西山镇",
            Some(HousingType::SmallCommodity),
            SupplyMethod::Listing,
            4,
            LandSource::New,
        ),
        (
            "SL-008",
            "0.95",
            "城镇住宅用地",
            "南湖街道",
            Some(HousingType::Economical),
            SupplyMethod::Allocation,
            2,
            LandSource::New,
        ),
        (
            "SL-009",
            "2.20",
            "零售商业用地",
            "城关镇",
            None,
            SupplyMethod::Listing,
            3,
            LandSource::Stock,
        ),
        (
            "SL-010",
            "1.15",
            "商务金融用地",
            "南湖街道",
            None,
            SupplyMethod::Tender,
            4,
            LandSource::Stock,
        ),
        (
            "SL-011",
            "3.60",
            "教育用地",
            "西山镇",
            None,
            SupplyMethod::Allocation,
            1,
            LandSource::New,
        ),
        (
            "SL-012",
            "1.25",
            "医疗卫生用地",
            "南湖街道",
            None,
            SupplyMethod::Allocation,
            2,
            LandSource::New,
        ),
        (
            "SL-013",
            "6.30",
            "公路用地",
            "东河乡",
            None,
            SupplyMethod::Allocation,
            1,
            LandSource::New,
        ),
        (
            "SL-014",
            "2.75",
            "城镇村道路用地",
            "城关镇",
            None,
            SupplyMethod::Allocation,
            3,
            LandSource::Stock,
        ),
        (
            "SL-015",
            "1.40",
            "水工建筑用地",
            "东河乡",
            None,
            SupplyMethod::Allocation,
            4,
            LandSource::New,
        ),
        (
            "SL-016",
            "0.85",
            "军事设施用地",
            "西山镇",
            None,
            SupplyMethod::Allocation,
            2,
            LandSource::New,
        ),
    ];
    rows.iter()
        .enumerate()
        .map(|(i, (id, ha, class, town, housing, method, q, src))| {
            let mut p = parcel(id, ha, class, town, i + 2);
            p.housing = *housing;
            p.method = Some(*method);
            p.timing = Some(Timing::Quarter { quarter: *q });
            p.source = Some(*src);
            p
        })
        .collect()
}

pub fn opts(kind: PlanKind, region: &str, year: i32) -> CompileOptions {
    CompileOptions {
        kind,
        region: region.to_string(),
        year: Some(year),
        scheme: Scheme::Gb21010,
        keep_parcels: true,
        file: None,
        ..CompileOptions::default()
    }
}

pub fn demo_supply() -> CompiledPlan {
    compile(demo_parcels(), opts(PlanKind::Supply, "示例县", 2025))
}

/// A reserve plan: 6 parcels, statuses, funds in 万元.
pub fn demo_reserve() -> CompiledPlan {
    let rows: &[(&str, &str, &str, &str, ReserveStatus, LandSource, &str)] = &[
        (
            "CB-001",
            "4.0254",
            "工业用地",
            "工业园区",
            ReserveStatus::ToAcquire,
            LandSource::Stock,
            "1200",
        ),
        (
            "CB-002",
            "1.0685",
            "零售商业用地",
            "城关镇",
            ReserveStatus::InReserve,
            LandSource::Stock,
            "850.5",
        ),
        (
            "CB-003",
            "2.2085",
            "城镇住宅用地",
            "城关镇",
            ReserveStatus::ToAcquire,
            LandSource::New,
            "2100",
        ),
        (
            "CB-004",
            "2.7330",
            "城镇住宅用地",
            "城关镇",
            ReserveStatus::ToSupply,
            LandSource::Stock,
            "1600",
        ),
        (
            "CB-005",
            "1.2548",
            "商务金融用地",
            "城关镇",
            ReserveStatus::InReserve,
            LandSource::New,
            "700",
        ),
        (
            "CB-006",
            "9.1896",
            "城镇住宅用地",
            "东河乡",
            ReserveStatus::ToAcquire,
            LandSource::Stock,
            "1049.5",
        ),
    ];
    let parcels = rows
        .iter()
        .enumerate()
        .map(|(i, (id, ha, class, town, st, src, wan))| {
            let mut p = parcel(id, ha, class, town, i + 2);
            p.reserve_status = Some(*st);
            p.source = Some(*src);
            p.funds = Some(Money::from_unit(d(wan), MoneyUnit::WanYuan));
            p
        });
    compile(parcels, opts(PlanKind::Reserve, "示例县", 2026))
}

/// A deterministic large ledger: `n` parcels over `towns` townships (seeded LCG).
pub fn large_parcels(n: usize, towns: usize) -> Vec<Parcel> {
    const CLASSES: [&str; 9] = [
        "工业用地",
        "仓储用地",
        "城镇住宅用地",
        "零售商业用地",
        "教育用地",
        "医疗卫生用地",
        "公路用地",
        "水工建筑用地",
        "商务金融用地",
    ];
    const TOWN_NAMES: [&str; 12] = [
        "城关镇",
        "东河乡",
        "西山镇",
        "南湖街道",
        "北岭镇",
        "青石乡",
        "白沙镇",
        "红星乡",
        "金田镇",
        "柳林乡",
        "石门镇",
        "高桥乡",
    ];
    const HOUSING: [HousingType; 5] = [
        HousingType::Commodity,
        HousingType::SmallCommodity,
        HousingType::LowRent,
        HousingType::ShantyRedevelopment,
        HousingType::PublicRental,
    ];
    let mut state: u64 = 0x5eed_2025;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as u32
    };
    (0..n)
        .map(|i| {
            let class = CLASSES[next() as usize % CLASSES.len()];
            let town = TOWN_NAMES[next() as usize % towns.min(12)];
            let centi = 5 + next() % 1995; // 0.05 .. 20.00 ha
            let ha = format!("{}.{:02}", centi / 100, centi % 100);
            let mut p = parcel(&format!("GY{:05}", i + 1), &ha, class, town, i + 2);
            p.source = Some(if next() % 3 == 0 {
                LandSource::New
            } else {
                LandSource::Stock
            });
            p.timing = Some(Timing::Month {
                month: (next() % 12 + 1) as u8,
            });
            p.method = Some(if next() % 2 == 0 {
                SupplyMethod::Allocation
            } else {
                SupplyMethod::Listing
            });
            if class == "城镇住宅用地" {
                p.housing = Some(HOUSING[next() as usize % HOUSING.len()]);
            }
            p
        })
        .collect()
}

pub fn large_supply(n: usize, towns: usize) -> CompiledPlan {
    compile(
        large_parcels(n, towns),
        opts(PlanKind::Supply, "大样县", 2025),
    )
}

/// Read one part of a zip (docx/xlsx) as text.
pub fn zip_part(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut f = z.by_name(name).unwrap();
    let mut s = String::new();
    f.read_to_string(&mut s).unwrap();
    s
}

/// The text of a docx's document.xml: paragraphs on lines, table cells tab-separated.
pub fn docx_text(bytes: &[u8]) -> String {
    let xml = zip_part(bytes, "word/document.xml");
    let mut out = String::new();
    let mut rest = xml.as_str();
    let mut in_cell = false;
    while let Some(i) = rest.find('<') {
        let end = rest[i..].find('>').map(|e| i + e).unwrap();
        let tag = &rest[i + 1..end];
        if tag == "/w:p" && !in_cell {
            out.push('\n');
        } else if tag == "w:tc" {
            in_cell = true;
        } else if tag == "/w:tc" {
            in_cell = false;
            out.push('\t');
        } else if tag == "/w:tr" {
            out.push('\n');
        } else if tag.starts_with("w:t ") || tag == "w:t" {
            let close = rest[end..].find("</w:t>").map(|e| end + e).unwrap();
            out.push_str(
                &rest[end + 1..close]
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&apos;", "'")
                    .replace("&amp;", "&"),
            );
            rest = &rest[close..];
            continue;
        }
        rest = &rest[end + 1..];
    }
    out
}

/// The demo county's ledgers (`data/demo`), read with landplan-io and compiled.
pub fn demo_ledger(file: &str, kind: PlanKind) -> CompiledPlan {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/demo")
        .join(file);
    let reader = landplan_io::open_ledger(&path, &landplan_io::LedgerOptions::default()).unwrap();
    let mut c = landplan_core::Compiler::new(opts(kind, "示例县", 2025));
    for item in reader {
        c.add(item.expect("demo ledger rows are all readable"));
    }
    c.finish()
}

/// A private LibreOffice profile under `dir` that recalculates every formula on load (so
/// concurrent conversions do not share a profile lock, and cached values are LibreOffice's
/// own); returns the `-env:UserInstallation=…` argument.
pub fn libreoffice_profile(dir: &std::path::Path) -> String {
    let user = dir.join("profile/user");
    std::fs::create_dir_all(&user).unwrap();
    std::fs::write(
        user.join("registrymodifications.xcu"),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"#,
    )
    .unwrap();
    format!(
        "-env:UserInstallation=file://{}",
        dir.join("profile").display()
    )
}

/// The structure the checker read back (`m.structure`) has the plan's classes in order, each
/// with its area at `dp` decimals; `what` names the document in failure messages.
pub fn same_classes(
    what: &str,
    m: &landplan_check::PlanModel,
    structure: &[landplan_core::compile::ClassLine],
    dp: u32,
) {
    assert_eq!(
        m.structure.len(),
        structure.len(),
        "{what}: structure read back: {:?}",
        m.structure.iter().map(|p| &p.label).collect::<Vec<_>>()
    );
    for (read, c) in m.structure.iter().zip(structure) {
        assert!(
            read.label.contains(&c.name) || c.name.contains(&read.label),
            "{what}: {} vs {}",
            read.label,
            c.name
        );
        assert_eq!(
            m.quantities[read.quantity].value.normalize(),
            landplan_core::units::round_half_up(c.area.ha(), dp).normalize(),
            "{what}: {} area",
            c.name
        );
    }
}
