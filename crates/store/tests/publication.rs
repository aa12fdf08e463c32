//! A publication's 文号 and issuing body (issue 16, item 2), and upgrading a store with many
//! plans (the layer rewrite in bounded, resumable batches), on the GeoPackage and on
//! PostgreSQL:
//!
//! - `Store::publish` keeps the 文号 and issuing body on the version (trimmed), the
//!   publication's audit entry records them, `audit verify` passes and names an edit of the
//!   文号 made outside landplan; bad values and a 文号 given to another step are refused in
//!   Chinese; an export and restore keep them.
//! - A store at the previous migration with a few hundred versions opens with the new columns
//!   and its layers untouched (the migration does not concern them, nothing is rewritten);
//!   a store from before (a migration that concerns the layers) whose plan views are missing
//!   gets every one back, in batches reported to the progress callback, and `ogrinfo` reads
//!   them (skipped with a message without GDAL); a rewrite interrupted half-way is finished by
//!   the next open, from where it stopped.

mod common;

use common::*;
use landplan_core::compile::PlanKind;
use landplan_store::layers::{layer_name, LayerProgress, LAYERS_PENDING, LAYER_BATCH};
use landplan_store::{
    Actor, BackendKind, Grant, InitOptions, PlanAction, PlanKey, PlanStatus, Publication, Role,
    Store, StoreError, Value,
};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

fn op() -> Actor {
    Actor::local_operator("张三")
}

fn key(region: &str, year: i32) -> PlanKey {
    PlanKey {
        region: region.into(),
        year,
        kind: PlanKind::Supply,
    }
}

fn opts(region: &str, year: i32) -> landplan_store::ImportOptions {
    let mut o = import_opts(region, &format!("县{region}"));
    o.year = year;
    o
}

fn publication(doc: &str, body: Option<&str>) -> Publication {
    Publication {
        doc_number: Some(doc.into()),
        issuing_body: body.map(str::to_string),
    }
}

/// Submit and approve the current version.
fn approve(s: &Store, k: &PlanKey) {
    s.transition(&op(), k, PlanAction::Submit, None).unwrap();
    s.transition(&op(), k, PlanAction::Approve, None).unwrap();
}

// ------------------------------------------------------------------ 文号

fn doc_numbers(url: &str, dir: &Path) {
    let me = op();
    let s = Store::init(url, &InitOptions { srid: 4527 }, &me).unwrap();
    let l1 = write(dir, "v1.csv", &ledger_v1());
    s.import_files(&me, &[l1], None, &opts("330102", 2025))
        .unwrap();
    let k = key("330102", 2025);
    s.create_plan(&me, &k, None, None).unwrap();

    // A 文号 belongs to the publication only.
    s.transition(&me, &k, PlanAction::Submit, None).unwrap();
    let e = s
        .publish(&me, &k, None, &publication("X政发〔2025〕12号", None))
        .unwrap_err()
        .to_string();
    assert!(e.contains("已提交") && e.contains("不能公布"), "{e}");
    s.transition(&me, &k, PlanAction::Approve, None).unwrap();

    // Bad values are refused before anything changes, in Chinese.
    for (doc, words) in [
        ("   ", "文号不能为空"),
        ("X政发\n〔2025〕12号", "文号不能含控制字符"),
        (&"号".repeat(101)[..], "文号过长：101 个字符，最多 100 个"),
    ] {
        let e = s
            .publish(&me, &k, None, &publication(doc, None))
            .unwrap_err();
        assert!(matches!(e, StoreError::Invalid(_)), "{e:?}");
        assert!(e.to_string().contains(words), "{e}");
    }
    let e = s
        .publish(&me, &k, None, &publication("1号", Some("\t")))
        .unwrap_err()
        .to_string();
    assert!(e.contains("发文机关不能为空"), "{e}");
    assert_eq!(
        s.current_version(&me, &k).unwrap().status,
        PlanStatus::Approved
    );

    // Published with both: kept trimmed, read back, in the audit entry.
    let v = s
        .publish(
            &me,
            &k,
            None,
            &publication("  X政发〔2025〕12号 ", Some(" X县人民政府")),
        )
        .unwrap();
    assert_eq!(v.doc_number.as_deref(), Some("X政发〔2025〕12号"));
    assert_eq!(v.issuing_body.as_deref(), Some("X县人民政府"));
    let read = s.current_version(&Actor::anonymous(), &k).unwrap();
    assert_eq!(read.doc_number.as_deref(), Some("X政发〔2025〕12号"));
    assert_eq!(read.issuing_body.as_deref(), Some("X县人民政府"));
    let listed = s.plans(&me, None).unwrap();
    assert_eq!(listed[0].doc_number.as_deref(), Some("X政发〔2025〕12号"));
    let json = serde_json::to_value(&listed[0]).unwrap();
    assert_eq!(json["doc_number"], "X政发〔2025〕12号");
    let entry = s.publication_entry(&me, &read).unwrap().unwrap();
    let after: serde_json::Value = serde_json::from_str(entry.after.as_deref().unwrap()).unwrap();
    assert_eq!(after["doc_number"], "X政发〔2025〕12号");
    assert_eq!(after["issuing_body"], "X县人民政府");
    assert!(s.verify_audit(&me).unwrap().ok());

    // An adjustment's version starts without one; published without one, it has none.
    let l2 = write(dir, "v2.csv", &ledger_v2());
    s.import_files(&me, &[l2], None, &opts("330102", 2025))
        .unwrap();
    let v2 = s.adjust(&me, &k, "调整", None).unwrap();
    assert_eq!(v2.doc_number, None);
    approve(&s, &k);
    let v2 = s.transition(&me, &k, PlanAction::Publish, None).unwrap();
    assert_eq!((v2.doc_number, v2.issuing_body), (None, None));
    let all = s.versions(&me, &k).unwrap();
    assert_eq!(all[0].doc_number.as_deref(), Some("X政发〔2025〕12号"));
    assert_eq!(all[1].doc_number, None);
    assert!(s.verify_audit(&me).unwrap().ok());

    // Export and restore keep them.
    let backup = dir.join("备份.gpkg");
    s.export(&me, &backup, None).unwrap();
    let restored_url = format!("gpkg:{}", dir.join("恢复.gpkg").display());
    let (r, _) = Store::restore(&restored_url, &backup, &me).unwrap();
    let back = r.versions(&me, &k).unwrap();
    assert_eq!(back[0].doc_number.as_deref(), Some("X政发〔2025〕12号"));
    assert_eq!(back[0].issuing_body.as_deref(), Some("X县人民政府"));
    assert!(r.verify_audit(&me).unwrap().ok());

    // An edit of the 文号 outside landplan is found and named.
    s.backend()
        .unwrap()
        .exec(
            "UPDATE plan_version SET doc_number = 'X政发〔2025〕99号' WHERE id = ?",
            &[Value::Int(all[0].version_id)],
        )
        .unwrap();
    let rep = s.verify_audit(&me).unwrap();
    assert!(!rep.ok());
    let text: Vec<String> = rep.problems.iter().map(|p| p.line()).collect();
    assert!(
        text.iter()
            .any(|l| l.contains("文号") && l.contains("X政发〔2025〕99号")),
        "{text:?}"
    );
}

#[test]
fn gpkg_a_publication_keeps_its_doc_number() {
    let dir = tempfile::tempdir().unwrap();
    doc_numbers(&dir.path().join("s.gpkg").display().to_string(), dir.path());
}

#[test]
fn postgres_a_publication_keeps_its_doc_number() {
    let Some(pg) = Pg::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    doc_numbers(&pg.fresh_db(), dir.path());
}

/// An account that may not take a step learns that first, whatever it typed: a malformed
/// 文号 from an editor, an empty adjustment reason or a reason with control characters from a
/// reviewer, a bad control-layer name or a bond without a number from a reviewer — each is
/// `Forbidden`, not `Invalid`; the same values from the account with the role are `Invalid`.
#[test]
fn the_role_is_checked_before_what_was_typed() {
    let dir = tempfile::tempdir().unwrap();
    let me = op();
    let url = dir.path().join("s.gpkg").display().to_string();
    let s = Store::init(&url, &InitOptions { srid: 4527 }, &me).unwrap();
    let l1 = write(dir.path(), "v1.csv", &ledger_v1());
    s.import_files(&me, &[l1], None, &opts("330102", 2025))
        .unwrap();
    let k = key("330102", 2025);
    s.create_plan(&me, &k, None, None).unwrap();
    approve(&s, &k);
    s.add_account(&me, "admin", "", &[Grant::new(Role::Admin, "330000")])
        .unwrap();
    let admin = s.actor("admin").unwrap();
    for (name, role) in [("编制员", Role::Editor), ("审核员", Role::Reviewer)] {
        s.add_account(&admin, name, "", &[Grant::new(role, "330102")])
            .unwrap();
    }
    let editor = s.actor("编制员").unwrap();
    let reviewer = s.actor("审核员").unwrap();
    fn forbidden<T: std::fmt::Debug>(r: Result<T, StoreError>, what: &str) {
        match r {
            Err(StoreError::Forbidden { .. }) => {}
            other => panic!("{what}: expected Forbidden, got {other:?}"),
        }
    }
    let bad = publication(&"号".repeat(101), None);
    forbidden(s.publish(&editor, &k, None, &bad), "publish, bad 文号");
    forbidden(
        s.publish(&editor, &k, Some("理由\u{7}"), &Publication::default()),
        "publish, bad reason",
    );
    forbidden(
        s.transition(&editor, &k, PlanAction::Return, Some("\u{1b}")),
        "return, bad reason",
    );
    forbidden(
        s.import_control(
            &reviewer,
            "330102",
            "  ",
            landplan_geo::overlay::LayerRule::Forbid,
            &[],
        ),
        "control import, empty name",
    );
    forbidden(
        s.reserve_put_bond(&reviewer, "330102", " ", &serde_json::json!({})),
        "bond without a number",
    );
    // An account with the roles: the same values are refused for what they are.
    s.add_account(
        &admin,
        "主管",
        "",
        &[
            Grant::new(Role::Reviewer, "330102"),
            Grant::new(Role::Publisher, "330102"),
        ],
    )
    .unwrap();
    let chief = s.actor("主管").unwrap();
    let e = s.publish(&chief, &k, None, &bad).unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e:?}");
    let e = s
        .transition(&chief, &k, PlanAction::Return, Some("退回\u{1b}"))
        .unwrap_err();
    assert!(e.to_string().contains("理由或意见不能含控制字符"), "{e}");
    s.publish(&chief, &k, None, &Publication::default())
        .unwrap();
    forbidden(s.adjust(&reviewer, &k, " ", None), "adjust, empty reason");
    let e = s.adjust(&chief, &k, " ", None).unwrap_err();
    assert!(matches!(e, StoreError::ReasonRequired(_)), "{e:?}");
}

// ------------------------------------------------------------------ upgrading

/// Counties, each with supply plans for three years: every plan published (v1); the 2025
/// plans adjusted and published again (v2), the 2024 plans adjusted and left 调整中 (a
/// draft layer). 50 counties: 150 plans, 250 versions, 250 layers.
const COUNTIES: usize = 50;

fn county(i: usize) -> String {
    format!("3301{:02}", i + 1)
}

/// Build the store; the names of the layers it must have.
fn many_plans(url: &str, dir: &Path) -> (Store, BTreeSet<String>) {
    let me = op();
    let s = Store::init(url, &InitOptions { srid: 4527 }, &me).unwrap();
    let l1 = write(dir, "v1.csv", &ledger_v1());
    let l2 = write(dir, "v2.csv", &ledger_v2());
    let g1 = write(dir, "v1.geojson", &geojson(&["A-001", "A-003"]));
    let mut layers = BTreeSet::new();
    for i in 0..COUNTIES {
        let c = county(i);
        for year in [2023, 2024, 2025] {
            let k = key(&c, year);
            s.import_files(&me, &[l1.clone(), g1.clone()], None, &opts(&c, year))
                .unwrap();
            s.create_plan(&me, &k, None, None).unwrap();
            approve(&s, &k);
            s.transition(&me, &k, PlanAction::Publish, None).unwrap();
            layers.insert(layer_name(&c, year, "supply", "v1"));
            if year >= 2024 {
                s.import_files(&me, std::slice::from_ref(&l2), None, &opts(&c, year))
                    .unwrap();
                s.adjust(&me, &k, "调整", None).unwrap();
                if year == 2025 {
                    approve(&s, &k);
                    s.transition(&me, &k, PlanAction::Publish, None).unwrap();
                    layers.insert(layer_name(&c, year, "supply", "v2"));
                } else {
                    layers.insert(layer_name(&c, year, "supply", "draft"));
                }
            }
        }
    }
    (s, layers)
}

/// The store's plan layers: views, and in a GeoPackage their registration as feature layers.
fn plan_layers(s: &Store) -> BTreeSet<String> {
    let mut db = s.backend().unwrap();
    let sql = match s.backend_kind() {
        BackendKind::GeoPackage => {
            "SELECT v.name FROM sqlite_master v JOIN gpkg_contents c ON c.table_name = v.name AND c.data_type = 'features' JOIN gpkg_geometry_columns g ON g.table_name = v.name WHERE v.type = 'view' AND v.name LIKE 'plan%'"
        }
        BackendKind::Postgres => {
            "SELECT viewname::text FROM pg_views v JOIN geometry_columns g ON g.f_table_name = v.viewname AND g.f_table_schema = v.schemaname WHERE v.schemaname = current_schema() AND v.viewname LIKE 'plan%'"
        }
    };
    db.query(sql, &[])
        .unwrap()
        .into_iter()
        .map(|r| r[0].text())
        .collect()
}

/// Drop these layers (the view and its GeoPackage registration), as a store whose rows were
/// copied without them (the national benchmark store) has none.
fn drop_layers<'a>(s: &Store, names: impl IntoIterator<Item = &'a String>) {
    let mut db = s.backend().unwrap();
    for n in names {
        if s.backend_kind() == BackendKind::GeoPackage {
            for t in [
                "gpkg_data_columns",
                "gpkg_geometry_columns",
                "gpkg_contents",
            ] {
                db.exec(
                    &format!("DELETE FROM {t} WHERE table_name = ?"),
                    &[n.clone().into()],
                )
                .unwrap();
            }
        }
        db.batch(&format!("DROP VIEW {n}")).unwrap();
    }
}

/// Put the store back to migration `to`: the later migrations forgotten, and with
/// `drop_columns` the 文号 columns removed (the migrations add them only when missing).
fn back_to(s: &Store, to: i64, drop_columns: bool) {
    let mut db = s.backend().unwrap();
    if drop_columns {
        db.batch("ALTER TABLE plan_version DROP COLUMN doc_number")
            .unwrap();
        db.batch("ALTER TABLE plan_version DROP COLUMN issuing_body")
            .unwrap();
    }
    db.exec(
        "DELETE FROM landplan_migration WHERE version > ?",
        &[Value::Int(to)],
    )
    .unwrap();
}

/// The newest migration before this change: gpkg 009, postgres 007.
fn previous(s: &Store) -> i64 {
    match s.backend_kind() {
        BackendKind::GeoPackage => 9,
        BackendKind::Postgres => 7,
    }
}

/// `ogrinfo -so` on one layer: its feature count, or None (with a message) without GDAL.
fn gdal_count(url: &str, layer: &str) -> Option<usize> {
    let name = match landplan_store::gpkg_path(url) {
        Some(p) => p.display().to_string(),
        None => {
            let rest = url.split_once("://").map_or(url, |(_, r)| r);
            let (user, rest) = rest.rsplit_once('@').unwrap_or(("", rest));
            let (hostport, db) = rest.split_once('/').unwrap_or((rest, ""));
            let (host, port) = hostport.split_once(':').unwrap_or((hostport, "5432"));
            let mut c = format!("PG:host={host} port={port} dbname={db}");
            if !user.is_empty() {
                c.push_str(&format!(" user={user}"));
            }
            c
        }
    };
    let out = match Command::new("ogrinfo")
        .args(["-ro", "-so", &name, layer])
        .output()
    {
        Ok(o) => o,
        Err(_) => {
            println!(
                "skipping the ogrinfo checks: ogrinfo (GDAL, Debian: gdal-bin) is not installed"
            );
            return None;
        }
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "ogrinfo {layer}: {text}");
    text.lines()
        .find_map(|l| l.trim().strip_prefix("Feature Count: "))
        .map(|n| n.trim().parse().unwrap())
}

fn upgrading(url: &str, dir: &Path) {
    let (s, layers) = many_plans(url, dir);
    assert_eq!(layers.len(), 250);
    assert_eq!(plan_layers(&s), layers);
    let plan_ids: Vec<i64> = s
        .backend()
        .unwrap()
        .query("SELECT id FROM plan ORDER BY id", &[])
        .unwrap()
        .into_iter()
        .map(|r| r[0].as_i64().unwrap())
        .collect();
    assert_eq!(plan_ids.len(), 150);
    let prev = previous(&s);
    drop(s);

    // At the previous migration: the new columns come, the layers stay, nothing is rewritten.
    {
        let s = Store::open(url).unwrap();
        back_to(&s, prev, true);
    }
    let mut reports: Vec<LayerProgress> = Vec::new();
    let s = Store::open_with_progress(url, &mut |p| reports.push(p)).unwrap();
    assert!(reports.is_empty(), "{reports:?}");
    assert_eq!(plan_layers(&s), layers);
    let k = key(&county(0), 2024);
    approve(&s, &k);
    let v = s
        .publish(&op(), &k, None, &publication("X政发〔2025〕3号", None))
        .unwrap();
    assert_eq!(v.doc_number.as_deref(), Some("X政发〔2025〕3号"));
    let mut layers = layers;
    layers.remove(&layer_name(&county(0), 2024, "supply", "draft"));
    layers.insert(layer_name(&county(0), 2024, "supply", "v2"));
    assert_eq!(plan_layers(&s), layers);
    drop(s);

    // From before, without its plan views: every one comes back, in batches.
    {
        let s = Store::open(url).unwrap();
        drop_layers(&s, &layers);
        assert!(plan_layers(&s).is_empty());
        back_to(&s, prev - 1, false);
    }
    let mut reports: Vec<LayerProgress> = Vec::new();
    let s = Store::open_with_progress(url, &mut |p| reports.push(p)).unwrap();
    assert_eq!(plan_layers(&s), layers);
    assert!(
        reports.len() >= 2,
        "one transaction for 250 views: {reports:?}"
    );
    assert!(
        reports.windows(2).all(|w| w[0].done < w[1].done),
        "{reports:?}"
    );
    assert!(reports.iter().all(|p| p.total == 150), "{reports:?}");
    assert_eq!(reports.last().unwrap().done, 150);
    // A transaction takes at most LAYER_BATCH plans (fewer when they have that many views).
    for w in reports.windows(2) {
        assert!(w[1].done - w[0].done <= LAYER_BATCH as u64, "{reports:?}");
    }
    let pending = s
        .backend()
        .unwrap()
        .query(
            "SELECT value FROM landplan_meta WHERE key = ?",
            &[LAYERS_PENDING.into()],
        )
        .unwrap();
    assert!(pending.is_empty(), "{pending:?}");
    if let Some(n) = gdal_count(url, &layer_name(&county(7), 2025, "supply", "v2")) {
        // ledger_v2 has 4 parcels.
        assert_eq!(n, 4);
        assert_eq!(
            gdal_count(url, &layer_name(&county(49), 2024, "supply", "draft")),
            Some(4)
        );
        assert_eq!(
            gdal_count(url, &layer_name(&county(20), 2023, "supply", "v1")),
            Some(4)
        );
    }
    assert!(s.verify_audit(&op()).unwrap().ok());

    // Interrupted half-way (the mark at the 101st plan, its layers and the later ones not
    // there yet): the next open finishes from there.
    let from = plan_ids[100];
    let later: Vec<String> = {
        let mut db = s.backend().unwrap();
        let rows = db
            .query(
                "SELECT region, year FROM plan WHERE id >= ?",
                &[Value::Int(from)],
            )
            .unwrap();
        rows.into_iter()
            .map(|r| layer_name(&r[0].text(), r[1].as_i64().unwrap() as i32, "supply", ""))
            .collect()
    };
    let missing: Vec<String> = layers
        .iter()
        .filter(|n| later.iter().any(|p| n.starts_with(p.as_str())))
        .cloned()
        .collect();
    assert!(missing.len() > 50, "{}", missing.len());
    drop_layers(&s, &missing);
    s.backend()
        .unwrap()
        .exec(
            "INSERT INTO landplan_meta (key, value) VALUES (?, ?)",
            &[LAYERS_PENDING.into(), from.to_string().into()],
        )
        .unwrap();
    drop(s);
    let mut reports: Vec<LayerProgress> = Vec::new();
    let s = Store::open_with_progress(url, &mut |p| reports.push(p)).unwrap();
    assert_eq!(plan_layers(&s), layers);
    assert_eq!(
        reports,
        vec![LayerProgress {
            done: 150,
            total: 150
        }]
    );
    assert!(s.verify_audit(&op()).unwrap().ok());
}

#[test]
fn gpkg_a_store_with_many_plans_upgrades() {
    let dir = tempfile::tempdir().unwrap();
    upgrading(&dir.path().join("s.gpkg").display().to_string(), dir.path());
}

#[test]
fn postgres_a_store_with_many_plans_upgrades() {
    let Some(pg) = Pg::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    upgrading(&pg.fresh_db(), dir.path());
}
