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
use landplan_core::reserve::{
    AcquisitionMode, Obstacle, ObstacleKind, PlannedStep, ReadinessItem, ReadinessRecord,
    ReserveParcel, ReserveState, Step, YearMonth,
};
use landplan_server::auth::AuthSettings;
use landplan_store::Store;
use support::*;

fn d(s: &str) -> Date {
    Date::parse_iso(s).unwrap()
}

fn parcel(id: &str, ha: &str, town: &str) -> Parcel {
    serde_json::from_value(serde_json::json!({
        "id": id,
        "stated_area": {"value": ha, "unit": "hectare"},
        "class_text": "住宅用地",
        "class": {"gb21010": "07", "ydyh2023": "07"},
        "township": town,
        "row": 2
    }))
    .unwrap()
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

const CB01: &str = "/console/reserve/330102/CB-01";
const CB02: &str = "/console/reserve/330102/CB-02";

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
