//! Control lines in the store (issue 17, item 2: the console judges control-line overlaps from
//! them), on the GeoPackage and on PostgreSQL/PostGIS: a county's 永久基本农田 imported and
//! re-imported (replaced whole), a prefecture's 生态保护红线 given in geographic coordinates and
//! converted into the store's zone, the layers that apply to a county (its own and its
//! ancestors', nearest first), the audit entries that seal them (an edit outside landplan is
//! named), the layer GDAL lists, the roles (编制 or 管理 of the region) and a bad file refused
//! with its name.

mod common;

use common::*;
use landplan_geo::overlay::LayerRule;
use landplan_store::{Actor, Grant, InitOptions, Role, Store, StoreError};
use std::path::Path;

fn op() -> Actor {
    Actor::local_operator("测试员")
}

/// Squares (side `side` m) in EPSG:4527 with a 图斑编号 each, lower-left corners given.
fn farmland(corners: &[(f64, f64)], side: f64) -> String {
    let feats: Vec<String> = corners
        .iter()
        .enumerate()
        .map(|(i, (x, y))| {
            square(&format!("JB-{}", i + 1), *x, *y, side).replace("地块编号", "图斑编号")
        })
        .collect();
    format!(
        r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::4527"}}}},"features":[{}]}}"#,
        feats.join(",")
    )
}

/// One polygon in geographic CGCS2000 (EPSG:4490), inside 3° zone 39.
fn redline_4490() -> String {
    r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4490"}},"features":[{"type":"Feature","properties":{"名称":"山地生态区"},"geometry":{"type":"Polygon","coordinates":[[[117.00,30.70],[117.01,30.70],[117.01,30.71],[117.00,30.71],[117.00,30.70]]]}}]}"#.to_string()
}

fn control_lines_are_stored_replaced_and_read_with_ancestors(url: &str, dir: &Path) {
    let s = Store::init(url, &InitOptions { srid: 4527 }, &op()).unwrap();
    let a = write(
        dir,
        "基本农田一.geojson",
        &farmland(
            &[(39_500_000.0, 3_400_000.0), (39_501_000.0, 3_400_000.0)],
            100.0,
        ),
    );
    let sum = s
        .import_control(&op(), "330102", "永久基本农田", LayerRule::Forbid, &[a])
        .unwrap();
    assert_eq!((sum.features, sum.replaced), (2, 0));
    assert!(sum.reprojected.is_empty());
    // Re-import: the layer of the same name is replaced whole.
    let b = write(
        dir,
        "基本农田二.geojson",
        &farmland(
            &[
                (39_500_000.0, 3_400_000.0),
                (39_501_000.0, 3_400_000.0),
                (39_502_000.0, 3_400_000.0),
            ],
            100.0,
        ),
    );
    let sum = s
        .import_control(&op(), "330102", "永久基本农田", LayerRule::Forbid, &[b])
        .unwrap();
    assert_eq!((sum.features, sum.replaced), (3, 2));
    // A prefecture's layer, given in degrees, converted into the store's zone.
    let r = write(dir, "红线.geojson", &redline_4490());
    let sum = s
        .import_control(&op(), "330100", "生态保护红线", LayerRule::Forbid, &[r])
        .unwrap();
    assert_eq!(sum.features, 1);
    assert_eq!(sum.reprojected.len(), 1);
    assert_eq!(sum.reprojected[0].from_srid, 4490);

    let listed = s.control_layers(&op(), None).unwrap();
    let brief: Vec<(&str, &str, LayerRule, i64)> = listed
        .iter()
        .map(|l| (l.region.as_str(), l.name.as_str(), l.rule, l.features))
        .collect();
    assert_eq!(
        brief,
        [
            ("330100", "生态保护红线", LayerRule::Forbid, 1),
            ("330102", "永久基本农田", LayerRule::Forbid, 3),
        ]
    );
    assert!(listed[1].file.ends_with("基本农田二.geojson"));
    assert_eq!(listed[1].imported_by, "测试员");

    // A county reads its own layer and its prefecture's, nearest first; the prefecture only
    // its own; a sibling county only the prefecture's.
    let county = s.control_layers_for(&op(), "330102").unwrap();
    let names: Vec<(&str, &str, usize)> = county
        .iter()
        .map(|l| (l.region.as_str(), l.name.as_str(), l.geometries.len()))
        .collect();
    assert_eq!(
        names,
        [("330102", "永久基本农田", 3), ("330100", "生态保护红线", 1)]
    );
    assert_eq!(county[0].labels[2].as_deref(), Some("JB-3"));
    // Stored in the store's zone: eastings with the zone number, the degrees converted.
    let x = county[1].geometries[0].0[0].exterior().0[0].x;
    assert!((39_000_000.0..40_000_000.0).contains(&x), "{x}");
    let pref = s.control_layers_for(&op(), "330100").unwrap();
    assert_eq!(pref.len(), 1);
    let sibling = s.control_layers_for(&op(), "330103").unwrap();
    assert_eq!(sibling.len(), 1);
    assert_eq!(sibling[0].name, "生态保护红线");

    // Audited: each import is an entry naming the layer; the chain covers the rows.
    let log = s.audit_entries(&op(), None).unwrap();
    let imports: Vec<&str> = log
        .iter()
        .filter(|e| e.action == "control.import")
        .map(|e| e.entity.as_str())
        .collect();
    assert_eq!(imports.len(), 3, "{imports:?}");
    assert!(log.iter().any(|e| e.action == "control.import"
        && e.after.as_deref().unwrap_or("").contains("\"replaced\":2")));
    assert!(s.verify_audit(&op()).unwrap().ok());
    if let Some(layers) = gdal_layers(url) {
        assert!(layers.iter().any(|l| l == "control_line"), "{layers:?}");
    }

    // A file that is no polygon layer is refused with its name, nothing stored.
    let bad = write(
        dir,
        "点位.geojson",
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"名称":"甲"},"geometry":{"type":"Point","coordinates":[39500000,3400000]}}]}"#,
    );
    let e = s
        .import_control(&op(), "330102", "永久基本农田", LayerRule::Forbid, &[bad])
        .unwrap_err();
    assert!(matches!(e, StoreError::Input { .. }), "{e:?}");
    let e = e.to_string();
    assert!(e.contains("点位.geojson"), "{e}");
    assert_eq!(s.control_layers_for(&op(), "330102").unwrap().len(), 2);

    // An edit outside landplan is named by the audit check.
    {
        let mut db = s.backend().unwrap();
        db.exec(
            "UPDATE control_line SET layer = '一般耕地' WHERE label = 'JB-1'",
            &[],
        )
        .unwrap();
    }
    let report = s.verify_audit(&op()).unwrap();
    assert!(!report.ok());
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.table == "control_line" && p.row.contains("管控线")),
        "{:?}",
        report.problems
    );
    {
        let mut db = s.backend().unwrap();
        db.exec(
            "UPDATE control_line SET layer = '永久基本农田' WHERE label = 'JB-1'",
            &[],
        )
        .unwrap();
    }
    assert!(s.verify_audit(&op()).unwrap().ok());

    // Roles: 编制 or 管理 of the region (or above) may import and remove; others are refused.
    s.add_account(&op(), "admin", "", &[Grant::new(Role::Admin, "330000")])
        .unwrap();
    let admin = s.actor("admin").unwrap();
    for (name, role, region) in [
        ("编制员", Role::Editor, "330102"),
        ("审核员", Role::Reviewer, "330102"),
        ("邻县编制", Role::Editor, "330103"),
    ] {
        s.add_account(&admin, name, "", &[Grant::new(role, region)])
            .unwrap();
    }
    let file = write(
        dir,
        "基本农田三.geojson",
        &farmland(&[(39_500_000.0, 3_400_000.0)], 100.0),
    );
    for who in ["审核员", "邻县编制"] {
        let actor = s.actor(who).unwrap();
        let e = s
            .import_control(
                &actor,
                "330102",
                "永久基本农田",
                LayerRule::Forbid,
                std::slice::from_ref(&file),
            )
            .unwrap_err();
        assert!(matches!(e, StoreError::Forbidden { .. }), "{who}: {e:?}");
        let e = e.to_string();
        assert!(e.contains("“编制”或“管理”"), "{e}");
        assert!(matches!(
            s.remove_control(&actor, "330102", "永久基本农田"),
            Err(StoreError::Forbidden { .. })
        ));
    }
    // The neighbour county's editor may not read this county's layers either.
    let neighbour = s.actor("邻县编制").unwrap();
    assert!(matches!(
        s.control_layers_for(&neighbour, "330102"),
        Err(StoreError::Forbidden { .. })
    ));
    let listed = s.control_layers(&neighbour, None).unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].region, "330100");
    // The reviewer reads them (judging a county's plan needs them).
    let reviewer = s.actor("审核员").unwrap();
    assert_eq!(s.control_layers_for(&reviewer, "330102").unwrap().len(), 2);
    let editor = s.actor("编制员").unwrap();
    let sum = s
        .import_control(
            &editor,
            "330102",
            "永久基本农田",
            LayerRule::Forbid,
            std::slice::from_ref(&file),
        )
        .unwrap();
    assert_eq!((sum.features, sum.replaced), (1, 3));
    // The county's editor may not change the prefecture's layer; the province's admin may.
    assert!(matches!(
        s.remove_control(&editor, "330100", "生态保护红线"),
        Err(StoreError::Forbidden { .. })
    ));
    assert_eq!(
        s.remove_control(&admin, "330100", "生态保护红线").unwrap(),
        1
    );
    assert!(matches!(
        s.remove_control(&admin, "330100", "生态保护红线"),
        Err(StoreError::NotFound(_))
    ));
    let left = s.control_layers_for(&editor, "330102").unwrap();
    assert_eq!(left.len(), 1);
    let log = s.audit_entries(&admin, None).unwrap();
    let last = log.iter().rfind(|e| e.action == "control.remove").unwrap();
    assert_eq!(last.user, "admin");
    assert!(s.verify_audit(&admin).unwrap().ok());
}

#[test]
fn gpkg_control_lines() {
    let d = tempfile::tempdir().unwrap();
    control_lines_are_stored_replaced_and_read_with_ancestors(
        &format!("gpkg:{}", d.path().join("s.gpkg").display()),
        d.path(),
    );
}

#[test]
fn postgres_control_lines() {
    let Some(pg) = Pg::start() else { return };
    let d = tempfile::tempdir().unwrap();
    control_lines_are_stored_replaced_and_read_with_ancestors(&pg.fresh_db(), d.path());
}
