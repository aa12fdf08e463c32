//! The two reads the public site makes that are not a version's own content: a county's supply
//! records (public once its plan is published) and the audit entry of a publication.

mod common;

use common::{import_opts, ledger_v1, ledger_v2, write};
use landplan_core::compile::PlanKind;
use landplan_store::supply::{MonitorImportOptions, MonitorKind};
use landplan_store::{Actor, InitOptions, PlanAction, PlanKey, Store, StoreError};

const RECORDS: &str =
    "\u{feff}行政区,电子监管号,宗地编号,土地用途,供应面积（公顷）,供应方式,合同签订日期\r\n\
330102,3301022025B00001,A-003,工业用地,4.0000,挂牌出让,2025-03-15\r\n";

#[test]
fn supply_records_turn_public_with_the_plan_and_the_publication_is_in_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("s.gpkg").display().to_string();
    let op = Actor::local_operator("测试员");
    let store = Store::init(&url, &InitOptions::default(), &op).unwrap();
    let ledger = write(dir.path(), "台账.csv", &ledger_v1());
    store
        .import_files(&op, &[ledger], None, &import_opts("330102", "某某县"))
        .unwrap();
    let key = PlanKey {
        region: "330102".into(),
        year: 2025,
        kind: PlanKind::Supply,
    };
    store.create_plan(&op, &key, None, None).unwrap();
    let records = write(dir.path(), "供地记录.csv", RECORDS);
    let opts = MonitorImportOptions {
        region: "330102".into(),
        region_name: None,
        skip_bad_rows: false,
        scheme: landplan_core::Scheme::Gb21010,
    };
    store
        .import_monitor_file(&op, &records, MonitorKind::Records, &opts)
        .unwrap();

    // A draft: the records stay with the region's accounts.
    let anon = Actor::anonymous();
    assert!(matches!(
        store.published_supply_records(&anon, &key),
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(store.published_supply_records(&op, &key).unwrap().len(), 1);

    for a in [PlanAction::Submit, PlanAction::Approve, PlanAction::Publish] {
        store.transition(&op, &key, a, None).unwrap();
    }
    // Published: anyone may read them through this door, and only through it.
    let public = store.published_supply_records(&anon, &key).unwrap();
    assert_eq!(public.len(), 1);
    assert_eq!(public[0].parcel_id.as_deref(), Some("A-003"));
    assert!(store.supply_records(&anon, "330102").is_err());

    // The publication's audit entry is the log's own entry of the publish step.
    let v1 = store.current_version(&anon, &key).unwrap();
    let entry = store
        .publication_entry(&anon, &v1)
        .unwrap()
        .expect("published");
    assert_eq!(entry.action, "plan.publish");
    let log = store.audit_entries(&op, None).unwrap();
    let same = log.iter().find(|e| e.seq == entry.seq).unwrap();
    assert_eq!(same.hash, entry.hash);

    // An adjustment in preparation: not published, and not there for the public at all.
    let ledger = write(dir.path(), "台账2.csv", &ledger_v2());
    store
        .import_files(&op, &[ledger], None, &import_opts("330102", "某某县"))
        .unwrap();
    let v2 = store.adjust(&op, &key, "调整", None).unwrap();
    assert!(store.publication_entry(&op, &v2).unwrap().is_none());
    assert!(matches!(
        store.publication_entry(&anon, &v2),
        Err(StoreError::NotFound(_))
    ));
    // Version 1's entry is still its own.
    assert_eq!(
        store.publication_entry(&anon, &v1).unwrap().unwrap().seq,
        entry.seq
    );
}
