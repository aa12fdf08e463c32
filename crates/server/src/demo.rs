//! The demo county (示例县, a fictional county with the data of `scripts/demo.sh`), built in a
//! store through the store's own API so that `landplan serve --demo` shows a whole site at once:
//!
//! - regions 示例省 (990000) › 示例市 (990100) › 示例县 (990101);
//! - the 2025 supply ledger with its parcels' boundaries (国土TXT in zone 38, converted into
//!   the store's CRS) and the county's township boundaries;
//! - the supply plan compiled, submitted, approved and published (version 1), then adjusted
//!   with a reason (two parcels taken out, one moved to a later quarter) and published again
//!   (version 2), each publication with its 文号 ([`DOC_NUMBERS`]);
//! - the 2025 reserve plan, published;
//! - a year of supply records (供地记录) and the county's approval batches (批次);
//! - the county's 永久基本农田 as a stored control layer (two fictional 图斑, one over the
//!   east edge of parcel SLX2025-0010), so that an upload of the demo's parcels in the console
//!   shows a control-line overlap. Control lines change no plan figure.
//!
//! The data files are compiled into the binary (they are small) and written to a scratch
//! directory for the import, so the demo runs from any working directory.

use landplan_core::compile::PlanKind;
use landplan_store::import::ImportOptions;
use landplan_store::supply::{MonitorImportOptions, MonitorKind};
use landplan_store::{Actor, InitOptions, PlanAction, PlanKey, Publication, Store, StoreError};
use std::path::{Path, PathBuf};

/// The demo county's 行政区划代码.
pub const COUNTY: &str = "990101";
/// The demo county's name.
pub const COUNTY_NAME: &str = "示例县";
/// The demo's plan year.
pub const YEAR: i32 = 2025;
/// The account name the demo's steps are recorded under (the store's local operator).
pub const OPERATOR: &str = "演示";
/// The reason of the demo's adjustment.
pub const ADJUST_REASON: &str = "SLX2025-0299、SLX2025-0300 两宗地块征收补偿未完成，调出本年度计划；SLX2025-0001 地块改在第三季度供应";

const SUPPLY: &str = include_str!("../../../data/demo/example-county-supply-2025.csv");
const RESERVE: &str = include_str!("../../../data/demo/example-county-reserve-2025.csv");
const PARCELS: &str = include_str!("../../../data/demo/example-county-supply-2025-parcels.txt");
const TOWNSHIPS: &str = include_str!("../../../data/demo/example-county-townships.geojson");
const RECORDS: &str = include_str!("../../../data/demo/example-county-records-2025.csv");
const BATCHES: &str = include_str!("../../../data/demo/example-county-batches.csv");
const FARMLAND: &str = include_str!("../../../data/demo/example-county-farmland.geojson");

/// The name of the demo county's stored control layer.
pub const FARMLAND_LAYER: &str = "永久基本农田";

/// The document numbers (文号) of the demo's publications: the supply plan's version 1 and
/// version 2 (after the adjustment), and the reserve plan (fictional, in the form county
/// bureaus use).
pub const DOC_NUMBERS: [&str; 3] = [
    "示自然资发〔2025〕12号",
    "示自然资发〔2025〕58号",
    "示自然资发〔2025〕13号",
];

/// The parcels the adjustment takes out of the supply plan.
const TAKEN_OUT: [&str; 2] = ["SLX2025-0299", "SLX2025-0300"];
/// The parcel the adjustment moves to the third quarter.
const MOVED: &str = "SLX2025-0001";

/// What building the demo can fail with.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The scratch files could not be written.
    #[error("无法写入示例数据的临时文件：{0}")]
    Io(#[from] std::io::Error),
    /// The store named already holds plans: the demo is built only in an empty store.
    #[error("数据库 {0} 中已有计划；示例数据只写入空的数据库（不给 --db 时使用临时数据库）")]
    NotEmpty(String),
}

/// A demo store, and the scratch directory that holds it when it is a throwaway GeoPackage
/// (removed when the value is dropped).
pub struct Demo {
    /// The store holding the demo county.
    pub store: Store,
    /// The store's address.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

/// Build the demo in the empty store `url` names (created when missing), or, without one, in
/// a throwaway GeoPackage in a temporary directory.
pub fn build(url: Option<&str>) -> Result<Demo, DemoError> {
    let scratch = tempfile::Builder::new()
        .prefix("landplan-demo-")
        .tempdir()?;
    let (url, dir) = match url {
        Some(u) => (u.to_string(), None),
        None => (
            scratch.path().join("示例县.gpkg").display().to_string(),
            Some(scratch),
        ),
    };
    let who = Actor::local_operator(OPERATOR);
    let store = Store::init(&url, &InitOptions::default(), &who)?;
    if !store.plans(&who, None)?.is_empty() {
        return Err(DemoError::NotEmpty(url));
    }
    let files = tempfile::Builder::new()
        .prefix("landplan-demo-data-")
        .tempdir()?;
    populate(&store, &who, files.path())?;
    Ok(Demo {
        store,
        url,
        _dir: dir,
    })
}

/// Write `text` to `dir/name`.
fn file(dir: &Path, name: &str, text: &str) -> Result<PathBuf, std::io::Error> {
    let p = dir.join(name);
    std::fs::write(&p, text)?;
    Ok(p)
}

/// The supply ledger as adjusted: the parcels [`TAKEN_OUT`] left out, [`MOVED`] in 第三季度.
fn adjusted_ledger() -> String {
    let mut out = String::with_capacity(SUPPLY.len());
    for line in SUPPLY.split_inclusive('\n') {
        let id = line
            .trim_start_matches('\u{feff}')
            .split(',')
            .next()
            .unwrap_or("");
        if TAKEN_OUT.contains(&id) {
            continue;
        }
        if id == MOVED {
            out.push_str(&line.replacen(",第二季度,", ",第三季度,", 1));
        } else {
            out.push_str(line);
        }
    }
    out
}

/// Put the demo county into `store` as `who` (which needs every role for 990101), reading
/// the data from files written into `dir`.
pub fn populate(store: &Store, who: &Actor, dir: &Path) -> Result<(), DemoError> {
    store.ensure_region(who, "990000", Some("示例省"))?;
    store.ensure_region(who, "990100", Some("示例市"))?;
    store.ensure_region(who, COUNTY, Some(COUNTY_NAME))?;
    let supply = file(dir, "示例县2025年度供应计划台账.csv", SUPPLY)?;
    let parcels = file(dir, "示例县2025年度供应地块.txt", PARCELS)?;
    let townships = file(dir, "示例县乡镇界.geojson", TOWNSHIPS)?;
    let reserve = file(dir, "示例县2025年度储备计划台账.csv", RESERVE)?;
    let adjusted = file(
        dir,
        "示例县2025年度供应计划台账（调整）.csv",
        &adjusted_ledger(),
    )?;
    let records = file(dir, "示例县2025年供地记录.csv", RECORDS)?;
    let batches = file(dir, "示例县批次清单.csv", BATCHES)?;
    let farmland = file(dir, "示例县永久基本农田.geojson", FARMLAND)?;

    let opts = |kind| ImportOptions {
        region: COUNTY.into(),
        region_name: Some(COUNTY_NAME.into()),
        year: YEAR,
        kind,
        strict: false,
        skip_bad_rows: false,
    };
    let supply_key = PlanKey {
        region: COUNTY.into(),
        year: YEAR,
        kind: PlanKind::Supply,
    };
    let reserve_key = PlanKey {
        kind: PlanKind::Reserve,
        ..supply_key.clone()
    };

    // The supply plan, version 1: the ledger with its boundaries, the townships, then the
    // lifecycle to 已公布.
    store.import_files(
        who,
        &[supply, parcels.clone()],
        None,
        &opts(PlanKind::Supply),
    )?;
    store.import_townships(who, COUNTY, Some(COUNTY_NAME), &[townships])?;
    store.create_plan(who, &supply_key, None, None)?;
    publish(store, who, &supply_key, DOC_NUMBERS[0])?;

    // Version 2: adjusted with a reason, and published again.
    store.import_files(who, &[adjusted, parcels], None, &opts(PlanKind::Supply))?;
    store.adjust(who, &supply_key, ADJUST_REASON, None)?;
    publish(store, who, &supply_key, DOC_NUMBERS[1])?;

    // The reserve plan (a ledger without boundaries).
    store.import_files(who, &[reserve], None, &opts(PlanKind::Reserve))?;
    store.create_plan(who, &reserve_key, None, None)?;
    publish(store, who, &reserve_key, DOC_NUMBERS[2])?;

    // A year of supply records and the approval batches.
    let mopts = MonitorImportOptions {
        region: COUNTY.into(),
        region_name: Some(COUNTY_NAME.into()),
        skip_bad_rows: false,
        scheme: landplan_core::Scheme::Gb21010,
    };
    store.import_monitor_file(who, &records, MonitorKind::Records, &mopts)?;
    store.import_monitor_file(who, &batches, MonitorKind::Batches, &mopts)?;

    // The county's 永久基本农田 (a control layer: no plan figure depends on it).
    store.import_control(
        who,
        COUNTY,
        FARMLAND_LAYER,
        landplan_geo::overlay::LayerRule::Forbid,
        &[farmland],
    )?;
    Ok(())
}

/// Submit, approve and publish the current version under the document number `doc_number`
/// (issued by the county's 自然资源局, the page's default issuing body).
fn publish(store: &Store, who: &Actor, key: &PlanKey, doc_number: &str) -> Result<(), StoreError> {
    store.transition(who, key, PlanAction::Submit, Some("报请县人民政府审批"))?;
    store.transition(who, key, PlanAction::Approve, None)?;
    let publication = Publication {
        doc_number: Some(doc_number.into()),
        issuing_body: None,
    };
    let v = store.publish(who, key, None, &publication)?;
    // As every publication does: the public files and their fingerprints, kept once.
    crate::pages::version::keep_published(
        store,
        who,
        &v,
        landplan_store::PublishedOrigin::Publication,
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_adjusted_ledger_leaves_out_two_parcels_and_moves_one() {
        let a = adjusted_ledger();
        assert_eq!(a.lines().count(), SUPPLY.lines().count() - 2);
        assert!(!a.contains("SLX2025-0299,") && !a.contains("SLX2025-0300,"));
        let moved = a.lines().find(|l| l.starts_with(MOVED)).unwrap();
        assert!(moved.contains(",第三季度,"), "{moved}");
    }
}
