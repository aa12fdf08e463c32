//! The land reserve in the console through HTTP (issue 18): the overview counts parcels per
//! state and puts overdue obstacles first; on a parcel's page a step out of order is refused
//! with the store's Chinese reason and keeps what was typed, 已供应 is refused naming the 净地
//! items not done, a step with its evidence lands in the timeline and the audit log, and a
//! reviewer (no 编制) sees the parcel without forms and gets 403 when posting. On both store
//! backends (PostgreSQL when one is available).

#[path = "../../store/tests/common/mod.rs"]
mod common;
mod support;

use landplan_core::date::Date;
use landplan_core::parcel::Parcel;
use landplan_core::reserve::bond::{BondProject, PriceAssumption, PriceUnit};
use landplan_core::reserve::{
    AcquisitionMode, Obstacle, ObstacleKind, PlannedStep, ReadinessItem, ReadinessRecord,
    ReserveParcel, ReserveState, Step, YearMonth,
};
use landplan_core::units::{AreaUnit, Money, MoneyUnit, StatedArea};
use landplan_core::ResolvedClass;
use landplan_server::auth::AuthSettings;
use landplan_store::Store;
use support::*;

fn d(s: &str) -> Date {
    Date::parse_iso(s).unwrap()
}

fn parcel(id: &str, ha: &str, town: &str) -> Parcel {
    let class = ResolvedClass {
        gb21010: Some("07".into()),
        ydyh2023: Some("07".into()),
    };
    let area = StatedArea::new(ha.parse().unwrap(), AreaUnit::Hectare);
    Parcel::new(id, area, "住宅用地", class)
        .in_township(town)
        .at_row(2)
}

fn held_step(date: &str) -> Step {
    let mut s = Step::new(ReserveState::Held, d(date));
    s.evidence.acquisition = Some(AcquisitionMode::TakeBack);
    s.evidence.documents = vec!["收回决定书 甲府〔2026〕3号".into()];
    s.evidence.encumbrances_cleared = true;
    s
}

/// Three parcels in 甲县: CB-01 拟收储; CB-02 入库, planned for supply, 净地 done but 通路,
/// with an overdue obstacle; CB-03 入库 in another 乡镇.
fn reserve() -> Vec<ReserveParcel> {
    let first = ReserveParcel::register(
        parcel("CB-01", "2.5", "城关镇"),
        Step::new(ReserveState::Proposed, d("2026-01-10")),
    )
    .unwrap();
    let mut second =
        ReserveParcel::register(parcel("CB-02", "1.2", "城关镇"), held_step("2026-02-01")).unwrap();
    second.project = Some("城东棚改地块".into());
    second.planned.push(PlannedStep {
        to: ReserveState::Supplied,
        year: 2026,
        quarter: Some(3),
    });
    for item in ReadinessItem::ALL {
        if item != ReadinessItem::Road {
            second.readiness.push(ReadinessRecord {
                item,
                done: Some(d("2026-02-10")),
                evidence: Some("验收记录".into()),
            });
        }
    }
    second.obstacles.push(Obstacle {
        kind: ObstacleKind::Demolition,
        description: "两户未签拆迁协议".into(),
        responsible: "城关镇 王某".into(),
        due: YearMonth::new(2026, 3).unwrap(),
        cleared: None,
    });
    let third = ReserveParcel::register(parcel("CB-03", "0.75", "东山乡"), held_step("2026-02-05"))
        .unwrap();
    vec![first, second, third]
}

fn store_with_reserve(url: &str) -> Store {
    let s = new_store(url);
    add_accounts(&s);
    let editor = s.actor("editor-own").unwrap();
    s.reserve_import(&editor, OWN, &reserve()).unwrap();
    s
}

fn login(server: &Server, name: &str) -> Client {
    Client::console_login(&server.base, name, &password(name))
}

const CB01: &str = "/console/reserve/330102/parcel/CB-01";
const CB02: &str = "/console/reserve/330102/parcel/CB-02";

fn the_reserve_in_the_console(url: &str) {
    let server = Server::start(store_with_reserve(url), AuthSettings::default());
    let editor = login(&server, "editor-own");
    let csrf = editor.csrf.clone().unwrap();

    // The overview: counts and areas per state, the overdue obstacle's parcel first and red,
    // the parcel planned for supply without 通路 listed.
    let page = editor.get("/console/reserve");
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains(">储备</a>"), "nav entry: {}", page.text);
    let sum = &page.text[page.text.find("reserve-summary").unwrap()..];
    let sum = &sum[..sum.find("</table>").unwrap()];
    // 入库: two parcels, 1.95 ha = 29.25 亩.
    assert!(
        sum.contains("<td>入库</td><td class=\"num\">2</td><td class=\"num\">1.9500</td><td class=\"num\">29.25</td>"),
        "{sum}"
    );
    let rows = &page.text[page.text.find("id=\"reserve-parcels\"").unwrap()..];
    let first_row = &rows[rows.find("<tbody>").unwrap()..];
    let first_row = &first_row[..first_row.find("</tr>").unwrap()];
    assert!(
        first_row.contains("CB-02") && first_row.contains("class=\"overdue\""),
        "{first_row}"
    );
    assert!(first_row.contains("1 项逾期"), "{first_row}");
    let nr = &page.text[page.text.find("reserve-not-ready").unwrap()..];
    assert!(nr.contains("CB-02") && nr.contains("未完成 通路"), "{nr}");
    // The 乡镇 filter.
    let page = editor.get("/console/reserve?township=%E4%B8%9C%E5%B1%B1%E4%B9%A1");
    assert!(
        page.text.contains("CB-03") && !page.text.contains(">CB-01<"),
        "{}",
        page.text
    );

    // A step out of order (拟收储 → 已供应): refused with the store's reason, the date kept.
    let a = editor.post_urlencoded(
        &format!("{CB01}/step"),
        &[
            ("_csrf", &csrf),
            ("to", "supplied"),
            ("date", "2026-04-01"),
            ("note", "试一下"),
        ],
    );
    assert_eq!(a.status, 422, "{}", a.text);
    assert!(
        a.text
            .contains("地块当前为“拟收储”，不能直接变更为“已供应”（可变更为：入库、退出）"),
        "{}",
        a.text
    );
    assert!(
        a.text.contains("value=\"2026-04-01\"") && a.text.contains("value=\"试一下\""),
        "{}",
        a.text
    );
    // 入库 without the evidence: refused naming what is missing.
    let a = editor.post_urlencoded(
        &format!("{CB01}/step"),
        &[("_csrf", &csrf), ("to", "held"), ("date", "2026-04-01")],
    );
    assert_eq!(a.status, 422, "{}", a.text);
    assert!(
        a.text
            .contains("缺少：收储方式、权属或收储文件、查封、抵押、担保已解除的确认"),
        "{}",
        a.text
    );
    // With it: taken, in the timeline with who recorded it.
    let a = editor.post_urlencoded(
        &format!("{CB01}/step"),
        &[
            ("_csrf", &csrf),
            ("to", "held"),
            ("date", "2026-04-01"),
            ("acquisition", "purchase"),
            ("documents", "收购合同 甲储〔2026〕7号"),
            ("encumbrances", "1"),
        ],
    );
    assert_eq!(a.status, 303, "{}", a.text);
    let page = editor.get(a.location.as_deref().unwrap());
    assert!(
        page.text.contains("id=\"reserve-state\">入库<"),
        "{}",
        page.text
    );
    assert!(
        page.text.contains("收购合同 甲储〔2026〕7号") && page.text.contains("editor-own 于"),
        "{}",
        page.text
    );

    // 已供应 before the 净地 checklist is complete: refused naming the item.
    let a = editor.post_urlencoded(
        &format!("{CB02}/step"),
        &[("_csrf", &csrf), ("to", "supplied"), ("date", "2026-05-01")],
    );
    assert_eq!(a.status, 422, "{}", a.text);
    assert!(
        a.text
            .contains("地块 CB-02 尚未达到净地供应条件，未完成：通路"),
        "{}",
        a.text
    );
    // Mark 通路 done, clear the obstacle, then supply.
    let a = editor.post_urlencoded(
        &format!("{CB02}/readiness"),
        &[
            ("_csrf", &csrf),
            ("item", "road"),
            ("date", "2026-04-20"),
            ("evidence", "道路验收 2026-18"),
        ],
    );
    assert_eq!(a.status, 303, "{}", a.text);
    let a = editor.post_urlencoded(
        &format!("{CB02}/clear"),
        &[
            ("_csrf", &csrf),
            ("kind", "demolition"),
            ("description", "两户未签拆迁协议"),
            ("date", "2026-04-25"),
        ],
    );
    assert_eq!(a.status, 303, "{}", a.text);
    let a = editor.post_urlencoded(
        &format!("{CB02}/cost"),
        &[
            ("_csrf", &csrf),
            ("kind", "compensation"),
            ("source", "special_bond"),
            ("amount", "350.5"),
            ("year", "2026"),
            ("bond", "ZX-2026-01"),
        ],
    );
    assert_eq!(a.status, 303, "{}", a.text);
    let a = editor.post_urlencoded(
        &format!("{CB02}/step"),
        &[("_csrf", &csrf), ("to", "supplied"), ("date", "2026-05-01")],
    );
    assert_eq!(a.status, 303, "{}", a.text);
    let page = editor.get(CB02);
    assert!(
        page.text.contains("id=\"reserve-state\">已供应<"),
        "{}",
        page.text
    );
    assert!(page.text.contains("2026年4月25日 已清除"), "{}", page.text);
    assert!(
        page.text.contains("350.50") && page.text.contains("ZX-2026-01"),
        "{}",
        page.text
    );
    // A supplied parcel offers no next step.
    assert!(!page.text.contains("/step\""), "{}", page.text);

    // Without the form token: 403, nothing changed.
    let a = editor.post_urlencoded(
        &format!("{CB01}/readiness"),
        &[("_csrf", "wrong"), ("item", "road"), ("date", "2026-04-20")],
    );
    assert_eq!(a.status, 403, "{}", a.text);

    // A reviewer of the county sees the parcel, without forms; posting is refused with 403.
    let reviewer = login(&server, "reviewer-own");
    let page = reviewer.get(CB01);
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        !page
            .text
            .contains("method=\"post\" action=\"/console/reserve"),
        "{}",
        page.text
    );
    let a = reviewer.post_urlencoded(
        &format!("{CB01}/step"),
        &[
            ("_csrf", reviewer.csrf.as_deref().unwrap()),
            ("to", "preparing"),
            ("date", "2026-06-01"),
        ],
    );
    assert_eq!(a.status, 403, "{}", a.text);
    assert!(a.text.contains("无权"), "{}", a.text);
    let page = editor.get(CB01);
    assert!(
        page.text.contains("id=\"reserve-state\">入库<"),
        "{}",
        page.text
    );

    // Another county's editor: the parcel does not exist for it, the overview is empty.
    let other = login(&server, "editor-other");
    assert_eq!(other.get(CB01).status, 404);
    assert!(!other.get("/console/reserve").text.contains("CB-01"));
}

/// A 储备地块 sheet as CSV: CB-21 拟收储 in 2026; CB-22 拟收储 2025, 入库 2026 with its
/// evidence; `bad` adds CB-23, 拟收储 then 供应 without 入库 (row 4).
fn workbook(bad: bool) -> Vec<u8> {
    let mut csv = String::from(
        "储备地块编号,项目名称,坐落,面积（公顷）,用途,乡镇,收储方式,拟收储日期,入库日期,供应日期,权属文件,查封抵押担保已解除\n\
         CB-21,北门地块,城关镇北门,2.5000,住宅用地,城关镇,,2026-01-10,,,,\n\
         CB-22,南门地块,城关镇南门,1.5000,商服用地,城关镇,收购,2025-11-01,2026-02-01,,收购合同 甲储〔2026〕2号,是\n",
    );
    if bad {
        csv.push_str(
            "CB-23,东门地块,城关镇东门,0.8000,住宅用地,城关镇,,2026-01-10,,2026-02-01,,\n",
        );
    }
    csv.into_bytes()
}

fn import_plan_and_bonds(url: &str) {
    let s = new_store(url);
    add_accounts(&s);
    let server = Server::start(s.clone(), AuthSettings::default());
    let editor = login(&server, "editor-own");
    let csrf = editor.csrf.clone().unwrap();
    let page = editor.get("/console/reserve/import");
    assert_eq!(page.status, 200, "{}", page.text);

    // A workbook with a refused step: the finding at its row and column, nothing stored.
    let bad = workbook(true);
    let a = editor.post_form(
        "/console/reserve/import",
        &[
            ("_csrf", None, csrf.as_bytes()),
            ("region", None, OWN.as_bytes()),
            ("files", Some("parcels.csv"), &bad),
        ],
    );
    assert_eq!(a.status, 422, "{}", a.text);
    assert!(a.text.contains("未导入任何地块"), "{}", a.text);
    assert!(
        a.text.contains("parcels.csv 第 4 行 “供应日期”列"),
        "{}",
        a.text
    );
    assert!(a.text.contains("不能直接变更为“已供应”"), "{}", a.text);
    assert!(
        !a.text.contains("landplan-reserve-"),
        "no scratch folder shown: {}",
        a.text
    );
    let editor_actor = s.actor("editor-own").unwrap();
    assert!(s.reserve_parcels(&editor_actor, OWN).unwrap().is_empty());

    // Without the error: stored, all of it.
    let good = workbook(false);
    let a = editor.post_form(
        "/console/reserve/import",
        &[
            ("_csrf", None, csrf.as_bytes()),
            ("region", None, OWN.as_bytes()),
            ("files", Some("parcels.csv"), &good),
        ],
    );
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(
        a.text.contains("已导入 330102：共 2 宗，新增 2 宗"),
        "{}",
        a.text
    );
    let stored = s.reserve_parcels(&editor_actor, OWN).unwrap();
    assert_eq!(stored.len(), 2);
    // A reviewer cannot import (the store refuses: 403).
    let reviewer = login(&server, "reviewer-own");
    let a = reviewer.post_form(
        "/console/reserve/import",
        &[
            ("_csrf", None, reviewer.csrf.as_deref().unwrap().as_bytes()),
            ("region", None, OWN.as_bytes()),
            ("files", Some("parcels.csv"), &good),
        ],
    );
    assert_eq!(a.status, 403, "{}", a.text);

    // The plan page shows the year's scale as the core compiles it from the stored parcels.
    let parcels: Vec<ReserveParcel> = stored.into_iter().map(|p| p.parcel).collect();
    let mut opts = landplan_core::reserve::annual::AnnualOptions::new("甲县", 2026);
    opts.rules = landplan_core::RuleContext::builtin().with_region(Some(OWN));
    let plan = landplan_core::reserve::annual::compile_annual(&parcels, &opts);
    let landplan_core::compile::PlanParts::Reserve(r) = &plan.parts else {
        panic!("a reserve plan")
    };
    let scale = r.annual.as_ref().unwrap().new_reserve_area();
    assert!(scale.ha() > rust_decimal::Decimal::ZERO);
    let page = editor.get("/console/reserve/330102/plan/2026");
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        page.text.contains("甲县2026年度土地储备计划"),
        "{}",
        page.text
    );
    let sc = &page.text[page.text.find("id=\"reserve-scale\"").unwrap()..];
    let sc = &sc[..sc.find("</dl>").unwrap()];
    assert!(
        sc.contains(&format!(
            "{} 公顷",
            landplan_core::units::fmt_dp(scale.ha(), 4)
        )),
        "scale {}: {sc}",
        scale.ha()
    );
    assert!(
        page.text.contains("上年度末结转") && page.text.contains("临时管护"),
        "{}",
        page.text
    );
    assert!(
        page.text.contains("三年滚动计划（2026—2028年）"),
        "{}",
        page.text
    );
    for file in ["annual.docx", "annual.xlsx", "rolling.docx", "rolling.xlsx"] {
        let (status, bytes) =
            editor.get_bytes(&format!("/console/reserve/330102/plan/2026/{file}"));
        assert_eq!(status, 200, "{file}");
        assert!(bytes.starts_with(b"PK"), "{file} is an OOXML package");
    }

    // A bond over both parcels, and a cost charged to it on a parcel outside it.
    let bond = BondProject {
        id: "ZX-2026-01".into(),
        name: "城关片区土地储备项目".into(),
        region: OWN.into(),
        amount: Money::from_unit(dec("3000"), MoneyUnit::WanYuan),
        issue_date: d("2026-03-01"),
        term_years: 5,
        rate: dec("0.03"),
        repayment: Default::default(),
        drawdowns: Vec::new(),
        repayments: Vec::new(),
        parcels: vec!["CB-21".into(), "CB-22".into()],
        prices: vec![
            PriceAssumption {
                use_key: "住宅用地".into(),
                price: Money::from_unit(dec("200"), MoneyUnit::WanYuan),
                per: PriceUnit::Mu,
                source: "评估".into(),
            },
            PriceAssumption {
                use_key: "商服用地".into(),
                price: Money::from_unit(dec("100"), MoneyUnit::WanYuan),
                per: PriceUnit::Mu,
                source: "评估".into(),
            },
        ],
        required_ratio: None,
    };
    s.reserve_put_bond(&editor_actor, OWN, &bond.id, &bond)
        .unwrap();
    let page = editor.get("/console/reserve/330102/bonds");
    assert_eq!(page.status, 200, "{}", page.text);
    // Revenue 37.5 亩 × 200 + 22.5 亩 × 100 = 9750 万元; debt 3000 + 450 = 3450; 2.83 倍.
    let sum = &page.text[page.text.find("id=\"bond-summary\"").unwrap()..];
    let sum = &sum[..sum.find("</table>").unwrap()];
    assert!(
        sum.contains("9750.00") && sum.contains("3450.00") && sum.contains("2.83"),
        "{sum}"
    );
    assert!(sum.contains("1.10") && sum.contains("平衡"), "{sum}");
    for file in ["bonds.docx", "bonds.xlsx"] {
        let (status, bytes) = editor.get_bytes(&format!("/console/reserve/330102/bonds/{file}"));
        assert_eq!(status, 200, "{file}");
        assert!(bytes.starts_with(b"PK"), "{file}");
    }
}

/// Boundaries of the workbook's parcels in EPSG:4527 (CB-21 2.5 ha, CB-22 1.5 ha), named by
/// 储备地块编号; `stray` adds a third naming no parcel.
fn boundaries(stray: bool) -> Vec<u8> {
    let mut squares = vec![
        common::square("CB-21", 39_500_000.0, 3_400_000.0, 158.113_883),
        common::square("CB-22", 39_500_400.0, 3_400_000.0, 122.474_487),
    ];
    if stray {
        squares.push(common::square("CB-99", 39_501_000.0, 3_400_000.0, 100.0));
    }
    format!(
        r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::4527"}}}},"features":[{}]}}"#,
        squares.join(",").replace("地块编号", "储备地块编号")
    )
    .into_bytes()
}

/// The reserve import page with a boundary file: one naming no parcel refuses everything (the
/// file and feature named); a good one stores the boundaries, and the overview and each
/// parcel's page draw them on a map coloured by state, the parcel outlined.
fn boundaries_in_the_console(url: &str) {
    let s = new_store(url);
    add_accounts(&s);
    let server = Server::start(s.clone(), AuthSettings::default());
    let editor = login(&server, "editor-own");
    let csrf = editor.csrf.clone().unwrap();
    let page = editor.get("/console/reserve/import");
    assert!(page.text.contains("name=\"geometry\""), "{}", page.text);
    let good = workbook(false);
    let stray = boundaries(true);
    let a = editor.post_form(
        "/console/reserve/import",
        &[
            ("_csrf", None, csrf.as_bytes()),
            ("region", None, OWN.as_bytes()),
            ("files", Some("parcels.csv"), &good),
            ("geometry", Some("边界.geojson"), &stray),
        ],
    );
    assert_eq!(a.status, 422, "{}", a.text);
    assert!(a.text.contains("未导入任何地块和边界"), "{}", a.text);
    assert!(
        a.text.contains("CB-99") && a.text.contains("边界.geojson 第 3 个要素"),
        "{}",
        a.text
    );
    assert!(!a.text.contains("landplan-reserve-"), "{}", a.text);
    let editor_actor = s.actor("editor-own").unwrap();
    assert!(s.reserve_parcels(&editor_actor, OWN).unwrap().is_empty());

    let bounds = boundaries(false);
    let a = editor.post_form(
        "/console/reserve/import",
        &[
            ("_csrf", None, csrf.as_bytes()),
            ("region", None, OWN.as_bytes()),
            ("files", Some("parcels.csv"), &good),
            ("geometry", Some("边界.geojson"), &bounds),
        ],
    );
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(a.text.contains("导入边界 2 宗"), "{}", a.text);
    assert_eq!(s.reserve_boundaries(&editor_actor, OWN).unwrap().len(), 2);

    // The overview's map: both parcels, coloured by state, the states in the legend.
    let page = editor.get("/console/reserve");
    let map = &page.text[page.text.find("id=\"reserve-map\"").expect("a map")..];
    let map = &map[..map.find("</figure>").unwrap()];
    assert!(map.contains("<svg"), "{map}");
    assert!(
        map.contains("data-parcel=\"CB-21\"") && map.contains("data-parcel=\"CB-22\""),
        "{map}"
    );
    // CB-21 拟收储 (light blue), CB-22 入库 (blue): one colour per state, named in the legend.
    assert!(map.contains("#56b4e9") && map.contains("#0072b2"), "{map}");
    assert!(map.contains(">拟收储<") && map.contains(">入库<"), "{map}");
    // A state filter draws only its parcels.
    let page = editor.get("/console/reserve?state=held");
    let map = &page.text[page.text.find("id=\"reserve-map\"").expect("a map")..];
    assert!(!map[..map.find("</figure>").unwrap()].contains("data-parcel=\"CB-21\""));
    // The parcel's page: its map with the parcel outlined.
    let page = editor.get("/console/reserve/330102/parcel/CB-22");
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        page.text
            .contains("<g class=\"current\" data-parcel=\"CB-22\""),
        "{}",
        page.text
    );
}

#[test]
fn boundaries_in_the_console_on_geopackage() {
    let dir = tempfile::tempdir().unwrap();
    boundaries_in_the_console(&dir.path().join("s.gpkg").display().to_string());
}

#[test]
fn boundaries_in_the_console_on_postgres() {
    let Some(pg) = common::Pg::start() else {
        return;
    };
    boundaries_in_the_console(&pg.fresh_db());
}

fn dec(s: &str) -> rust_decimal::Decimal {
    s.parse().unwrap()
}

#[test]
fn import_plan_and_bonds_on_geopackage() {
    let dir = tempfile::tempdir().unwrap();
    import_plan_and_bonds(dir.path().join("i.gpkg").to_str().unwrap());
}

#[test]
fn import_plan_and_bonds_on_postgres() {
    let Some(pg) = common::Pg::start() else {
        return;
    };
    import_plan_and_bonds(&pg.fresh_db());
}

#[test]
fn the_reserve_in_the_console_on_geopackage() {
    let dir = tempfile::tempdir().unwrap();
    the_reserve_in_the_console(dir.path().join("r.gpkg").to_str().unwrap());
}

#[test]
fn the_reserve_in_the_console_on_postgres() {
    let Some(pg) = common::Pg::start() else {
        return;
    };
    the_reserve_in_the_console(&pg.fresh_db());
}

/// The demo county: its reserve in the overview, the 2025 reserve plan checked against the
/// published supply plan (version 2), the three-year plan naming the parcel not ready.
#[test]
fn the_demo_reserve_and_its_tie_with_the_supply_plan() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("demo.gpkg").display().to_string();
    let s = landplan_server::demo::build(Some(&url)).unwrap().store;
    let op = landplan_store::Actor::local_operator(landplan_server::demo::OPERATOR);
    s.add_account_with_password(
        &op,
        "editor",
        "",
        &[landplan_store::Grant::new(
            landplan_store::Role::Editor,
            "990101",
        )],
        &password("editor"),
    )
    .unwrap();
    let server = Server::start(s, AuthSettings::default());
    let editor = login(&server, "editor");
    let page = editor.get("/console/reserve");
    let nr = &page.text[page.text.find("reserve-not-ready").unwrap()..];
    assert!(
        nr.contains("SCB-2025-02") && nr.contains("未完成 通水、场地平整"),
        "{nr}"
    );
    // The demo's boundaries on the overview's map, with the farmland under SCB-2025-02's
    // corner reported.
    let map = &page.text[page.text.find("id=\"reserve-map\"").expect("a map")..];
    assert!(map.contains("data-parcel=\"SCB-2025-04\""), "{map}");
    let control = &page.text[page
        .text
        .find("id=\"reserve-control\"")
        .expect("the conflicts")..];
    let control = &control[..control.find("</ul>").unwrap()];
    assert!(
        control.contains("SCB-2025-02") && control.contains("永久基本农田"),
        "{control}"
    );
    assert!(!control.contains("SCB-2025-01"), "{control}");
    let page = editor.get("/console/reserve/990101/plan/2025");
    assert_eq!(page.status, 200, "{}", page.text);
    // The supply list (SCB-2025-04) is checked against the published supply plan's current
    // version.
    let at = page
        .text
        .find("与供应计划的衔接")
        .expect("the tie's heading");
    let tie = &page.text[at..];
    let tie = &tie[..tie.find("</section>").unwrap()];
    assert!(!tie.contains("未检查衔接"), "{tie}");
    // Checked parcel by parcel with the version's parcels: SCB-2025-04 is not in the supply
    // plan's 存量（储备）part, and the finding names both plans.
    assert!(
        tie.contains("reserve.supply_outside_plan") && tie.contains("SCB-2025-04"),
        "{tie}"
    );
    assert!(tie.contains("国有建设用地供应计划"), "{tie}");
    assert!(!tie.contains("reserve.supply_parcels_unchecked"), "{tie}");
    // The three-year plan names the parcel planned for 2026 that is not ready.
    let rolling = &page.text[page.text.find("id=\"reserve-rolling-findings\"").unwrap()..];
    assert!(
        rolling.contains("SCB-2025-02") && rolling.contains("未完成：通水、场地平整"),
        "{rolling}"
    );
    assert!(
        page.text.contains("2025年度供应计划</a> 第 2 版（已公布）"),
        "{}",
        page.text
    );
}

/// Every 编号 is reachable: `plan` and `bonds` (the names of other pages), one with a `/`, one
/// with Chinese and `#`. The overview links each parcel's page, the page shows it, a change
/// posted from it lands on it, and the first address (`/console/reserve/{region}/{id}`)
/// redirects to it.
#[test]
fn parcels_numbered_like_other_pages_or_with_odd_characters_are_reachable() {
    let dir = tempfile::tempdir().unwrap();
    let s = new_store(dir.path().join("ids.gpkg").to_str().unwrap());
    add_accounts(&s);
    let editor_actor = s.actor("editor-own").unwrap();
    let ids = ["plan", "bonds", "CB-2026/01", "城关-01#"];
    let parcels: Vec<ReserveParcel> = ids
        .iter()
        .map(|id| {
            ReserveParcel::register(
                parcel(id, "1", "城关镇"),
                Step::new(ReserveState::Proposed, d("2026-01-10")),
            )
            .unwrap()
        })
        .collect();
    s.reserve_import(&editor_actor, OWN, &parcels).unwrap();
    let server = Server::start(s.clone(), AuthSettings::default());
    let editor = login(&server, "editor-own");
    let csrf = editor.csrf.clone().unwrap();
    let overview = editor.get("/console/reserve");
    assert_eq!(overview.status, 200, "{}", overview.text);
    let enc = |id: &str| {
        id.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
    };
    for id in ids {
        let path = format!("/console/reserve/{OWN}/parcel/{}", enc(id));
        assert!(
            overview.text.contains(&format!("href=\"{path}\"")),
            "{id}: no link {path} in the overview"
        );
        let page = editor.get(&path);
        assert_eq!(page.status, 200, "{id}: {}", page.text);
        assert!(page.text.contains(id), "{id}: {}", page.text);
        // The step form posts to the parcel's own path.
        assert!(
            page.text.contains(&format!("action=\"{path}/step\"")),
            "{id}: {}",
            page.text
        );
        let a = editor.post_urlencoded(
            &format!("{path}/step"),
            &[
                ("_csrf", &csrf),
                ("to", "held"),
                ("date", "2026-02-01"),
                ("acquisition", "purchase"),
                ("documents", "收购合同 甲储〔2026〕7号"),
                ("encumbrances", "1"),
            ],
        );
        assert_eq!(a.status, 303, "{id}: {}", a.text);
        assert_eq!(
            a.location.as_deref(),
            Some(&*format!("{path}?done=step")),
            "{id}"
        );
        let stored = s.reserve_parcel(&editor_actor, OWN, id).unwrap();
        assert_eq!(stored.parcel.state(), ReserveState::Held, "{id}");
        // The first address redirects to the parcel's page, the query kept.
        let old = editor.get(&format!("/console/reserve/{OWN}/{}?done=step", enc(id)));
        if id == "bonds" {
            // `/console/reserve/330102/bonds` is the bonds page; it never was the parcel's.
            assert_eq!(old.status, 200, "{}", old.text);
            assert!(old.text.contains("专项债券"), "{}", old.text);
            continue;
        }
        assert_eq!(old.status, 308, "{id}: {}", old.text);
        assert_eq!(old.location.as_deref(), Some(&*format!("{path}?done=step")));
    }
}
