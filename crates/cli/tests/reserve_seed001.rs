//! Seed 001 (巴楚县2026年土地储备计划) reproduced from a reserve store, through the binary: its
//! 13 parcels written as a reserve centre's workbook (储备地块 and 成本 sheets as CSV: each
//! 拟收储, planned to be held in 2026, 0.75 亿元 of 征收收购补偿 from one special bond shared
//! among them), imported with `landplan reserve import`, then `landplan reserve plan --db`
//! states the seed's figures: 47.58 公顷 (713.63 亩), 存量 39.52 公顷, the structure and layout,
//! the 13 parcels with the two duplicates reported, and funds of 0.75 亿元 all from 专项债券.
//! On GeoPackage and on PostgreSQL.

mod common;

use common::*;
use std::path::Path;

/// The seed's parcels as the reserve workbook's two sheets (CSV), written into `dir`.
fn workbook(dir: &Path) -> Vec<String> {
    let ledger = std::fs::read_to_string(io_data("seed001-reserve.csv")).unwrap();
    let mut parcels = String::from(
        "储备地块编号,坐落,面积（公顷）,用途,乡镇,新增/存量,当前状态,拟收储日期,计划入库年份\n",
    );
    let mut costs = String::from("编号,费用类别,资金来源,金额（万元）,年度,债券项目\n");
    let rows: Vec<Vec<&str>> = ledger
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 13, "seed 001 lists 13 parcels");
    // 7500 万元 in whole 万元: 577 each, the last 576.
    for (i, r) in rows.iter().enumerate() {
        let (id, place, ha, class, town, source) = (r[0], r[1], r[2], r[3], r[4], r[5]);
        parcels.push_str(&format!(
            "{id},{place},{ha},{class},{town},{source},拟收储,2025-12-01,2026\n"
        ));
        let wan = if i == 12 { 576 } else { 577 };
        costs.push_str(&format!(
            "{id},征收收购补偿,地方政府专项债券,{wan},2026,巴楚县-ZQ-2026\n"
        ));
    }
    let a = dir.join("储备地块.csv");
    let b = dir.join("成本.csv");
    std::fs::write(&a, parcels).unwrap();
    std::fs::write(&b, costs).unwrap();
    vec![p(&a).to_string(), p(&b).to_string()]
}

fn seed_001_from_the_store(db: &str, dir: &Path) {
    let files = workbook(dir);
    ok(&["init", "--db", db]);
    let mut import = vec!["reserve", "import", "--db", db, "--region", "653130=巴楚县"];
    import.extend(files.iter().map(String::as_str));
    ok(&import);
    let v = run(&[
        "reserve",
        "plan",
        "--db",
        db,
        "--region",
        "653130",
        "--year",
        "2026",
        "--name",
        "巴楚县",
        "--format",
        "json",
    ])
    .json();
    assert_eq!(v["kind"], "reserve");
    assert_eq!(v["total_ha"], "47.58", "{v}");
    assert_eq!(v["total_mu"], "713.63");
    assert_eq!(v["stock_ha"], "39.52");
    assert_eq!(v["new_ha"], "8.05");
    let structure: Vec<(&str, &str)> = v["structure"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap(),
                c["share_pct"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        structure,
        [
            ("商服用地", "16.66"),
            ("工矿仓储用地", "16.92"),
            ("住宅用地", "66.42")
        ]
    );
    let layout: Vec<(&str, &str)> = v["layout"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap(), t["area_ha"].as_str().unwrap()))
        .collect();
    assert!(layout.contains(&("巴楚镇", "39.52")), "{layout:?}");
    assert!(layout.contains(&("工业园区", "8.05")), "{layout:?}");
    assert_eq!(v["parcels"].as_array().unwrap().len(), 13);
    let dups = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "ledger.duplicate_parcel")
        .count();
    assert_eq!(dups, 2, "seed 001's two duplicates: {}", v["findings"]);
    let a = &v["annual"];
    assert_eq!(a["total_basis"], "new_reserve");
    assert_eq!(a["funds_total_wan_yuan"], "7500", "{a}");
    let sources: Vec<&str> = a["funds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["special_bond"], "all from special bonds: {a}");
}

#[test]
fn seed_001_from_a_reserve_store_in_a_geopackage() {
    on_gpkg("seed001.gpkg", seed_001_from_the_store);
}

#[test]
fn seed_001_from_a_reserve_store_in_postgres() {
    on_postgres(seed_001_from_the_store);
}
