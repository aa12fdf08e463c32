//! The console's monitoring dashboard shows the same figures as `landplan monitor --db …
//! --format json` for the same store, region, year and date (issue 17: "must show"), on both
//! store backends: the demo county (its published plan, records and batches) and a generated
//! prefecture of two counties (`landplan gen-ledger` / `gen-records`, one county with an
//! approved plan), the province and prefectures rolled up. The server runs in-process; the
//! command is the real binary; every figure the dashboard shows is read from its `data-*`
//! attributes (exact decimals) and compared with the JSON.

mod common;
#[path = "../../server/tests/support/mod.rs"]
mod support;

use common::{ok, on_gpkg, on_postgres, CountyPlan, OPERATOR};
use landplan_server::auth::AuthSettings;
use landplan_store::{Actor, Grant, Role};
use rust_decimal::Decimal;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use support::{password, Client, Server};

const AS_OF: &str = "2025-09-30";

/// `landplan monitor --format json` (exit 0 or 1: red warnings are expected).
fn monitor_json(args: &[&str]) -> Value {
    common::monitor_json(AS_OF, args)
}

/// The attributes of every start tag that contains `marker`, in page order.
fn tags(html: &str, marker: &str) -> Vec<BTreeMap<String, String>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = html[from..].find(marker) {
        let at = from + i;
        // A slice may begin inside the tag.
        let start = html[..at].rfind('<').map_or(0, |s| s + 1);
        let end = at + html[at..].find('>').unwrap();
        let mut attrs = BTreeMap::new();
        let mut rest = &html[start..end];
        while let Some(eq) = rest.find("=\"") {
            let name = rest[..eq].rsplit(' ').next().unwrap().to_string();
            let v = &rest[eq + 2..];
            let close = v.find('"').unwrap();
            attrs.insert(
                name,
                v[..close]
                    .replace("&quot;", "\"")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&amp;", "&"),
            );
            rest = &v[close + 1..];
        }
        out.push(attrs);
        from = end;
    }
    out
}

/// A decimal from the page (empty: none).
fn page_dec(s: &str) -> Option<Decimal> {
    (!s.is_empty()).then(|| s.parse().expect("a decimal"))
}

/// A decimal from the JSON (a string or a number; null: none).
fn json_dec(v: &Value) -> Option<Decimal> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.parse().expect("a decimal")),
        Value::Number(n) => Some(n.to_string().parse().expect("a decimal")),
        other => panic!("not a decimal: {other}"),
    }
}

fn attr<'a>(t: &'a BTreeMap<String, String>, name: &str) -> &'a str {
    t.get(name)
        .map(String::as_str)
        .unwrap_or_else(|| panic!("no {name} in {t:?}"))
}

/// Every figure of a county's dashboard against the command's JSON; returns how many
/// figures were compared.
fn same_county_figures(html: &str, json: &Value, what: &str) -> usize {
    let mut n = 0;
    let completion = &json["completion"];
    let figures = tags(html, "data-figure=");
    if completion.is_null() {
        assert!(figures.is_empty(), "{what}: figures without a plan");
    } else {
        assert_eq!(figures.len(), 3, "{what}");
        for f in &figures {
            let key = attr(f, "data-figure");
            assert_eq!(
                page_dec(attr(f, "data-value")),
                json_dec(&completion[key]),
                "{what}: {key}"
            );
            n += 1;
        }
        // Each completion table, line by line.
        for (id, key) in [
            ("class", "by_class"),
            ("township", "by_township"),
            ("quarter", "by_quarter"),
            ("method", "by_method"),
            ("source", "by_source"),
        ] {
            let lines = completion[key].as_array().unwrap();
            let table_at = html.find(&format!("data-lines=\"{id}\""));
            if lines.is_empty() {
                assert!(table_at.is_none(), "{what}: {id}");
                continue;
            }
            let table = &html[table_at.expect(id)..];
            let table = &table[..table.find("</table>").unwrap()];
            let rows = tags(table, "data-line=");
            assert_eq!(rows.len(), lines.len(), "{what}: {id}");
            for (row, line) in rows.iter().zip(lines) {
                assert_eq!(attr(row, "data-name"), line["name"].as_str().unwrap());
                for (a, k) in [
                    ("data-planned", "planned_ha"),
                    ("data-supplied", "supplied_ha"),
                    ("data-rate", "rate_pct"),
                ] {
                    assert_eq!(
                        page_dec(attr(row, a)),
                        json_dec(&line[k]),
                        "{what}: {id} {} {k}",
                        line["name"]
                    );
                    n += 1;
                }
            }
        }
    }
    // Checkpoints: date, target, rate, met.
    let cps = tags(html, "data-checkpoint=");
    let want = json["checkpoints"].as_array().unwrap();
    assert_eq!(cps.len(), want.len(), "{what}: checkpoints");
    for (c, w) in cps.iter().zip(want) {
        assert_eq!(attr(c, "data-checkpoint"), w["date"].as_str().unwrap());
        assert_eq!(page_dec(attr(c, "data-target")), json_dec(&w["target_pct"]));
        assert_eq!(page_dec(attr(c, "data-rate")), json_dec(&w["rate_pct"]));
        let met = match &w["met"] {
            Value::Bool(true) => "true",
            Value::Bool(false) => "false",
            _ => "",
        };
        assert_eq!(attr(c, "data-met"), met, "{what}: {}", w["date"]);
        n += 4;
    }
    // Warning counts by level.
    let counts = &tags(html, "id=\"warning-counts\"")[0];
    for level in ["red", "yellow", "green"] {
        let want = json["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w["level"] == level)
            .count();
        assert_eq!(
            attr(counts, &format!("data-{level}"))
                .parse::<usize>()
                .unwrap(),
            want,
            "{what}: {level} warnings"
        );
        n += 1;
    }
    // Batches: how many and 批而未供; each region's 供地率.
    let batches = json["batches"].as_array().unwrap();
    if batches.is_empty() {
        assert!(!html.contains("id=\"monitor-batches\""), "{what}");
    } else {
        let b = &tags(html, "id=\"monitor-batches\"")[0];
        assert_eq!(attr(b, "data-batches"), batches.len().to_string());
        let unsupplied: Decimal = batches
            .iter()
            .map(|b| json_dec(&b["unsupplied_ha"]).unwrap())
            .sum();
        assert_eq!(page_dec(attr(b, "data-unsupplied")), Some(unsupplied));
        let rates = tags(html, "data-supply-rate=");
        let want = json["supply_rate"].as_array().unwrap();
        assert_eq!(rates.len(), want.len());
        for (r, w) in rates.iter().zip(want) {
            assert_eq!(attr(r, "data-supply-rate"), w["region"].as_str().unwrap());
            assert_eq!(
                page_dec(attr(r, "data-approved")),
                json_dec(&w["approved_ha"])
            );
            assert_eq!(
                page_dec(attr(r, "data-supplied")),
                json_dec(&w["supplied_ha"])
            );
            assert_eq!(page_dec(attr(r, "data-rate")), json_dec(&w["rate_pct"]));
            assert_eq!(attr(r, "data-below"), w["below_floor"].to_string());
            n += 4;
        }
        n += 2;
    }
    // The indicators with their colours.
    let section = &html[html.find("id=\"monitor-indicators\"").unwrap()..];
    let inds = tags(section, "data-indicator=");
    let want = json["indicators"].as_array().unwrap();
    assert_eq!(inds.len(), want.len(), "{what}: indicators");
    for (i, w) in inds.iter().zip(want) {
        assert_eq!(attr(i, "data-indicator"), w["id"].as_str().unwrap());
        assert_eq!(
            page_dec(attr(i, "data-value")),
            json_dec(&w["value"]),
            "{what}: {}",
            w["id"]
        );
        assert_eq!(attr(i, "data-colour"), w["colour"].as_str().unwrap());
        n += 2;
    }
    n
}

/// Every row of a roll-up against `landplan monitor --db --region PREFECTURE|PROVINCE`.
fn same_rollup_figures(html: &str, json: &Value, what: &str) -> usize {
    let mut n = 0;
    let rows = tags(html, "data-level=");
    let want = json["regions"].as_array().unwrap();
    assert_eq!(rows.len(), want.len(), "{what}: rows");
    let section = &html[html.find("id=\"monitor-rollup\"").unwrap()..];
    assert_eq!(
        attr(&tags(section, "data-unplaced=")[0], "data-unplaced"),
        json["unplaced_rows"].to_string()
    );
    for (row, w) in rows.iter().zip(want) {
        let code = w["code"].as_str().unwrap();
        assert_eq!(attr(row, "data-region"), code, "{what}");
        assert_eq!(attr(row, "data-level"), w["level"].as_str().unwrap());
        assert_eq!(attr(row, "data-colour"), w["colour"].as_str().unwrap());
        // The row's cells, from this row's tag to the next row.
        let at = section.find(&format!("data-region=\"{code}\"")).unwrap();
        let cells = &section[at..];
        let cells = &cells[..cells.find("</tr>").unwrap()];
        let inds = tags(cells, "data-indicator=");
        let wi = w["indicators"].as_array().unwrap();
        assert_eq!(inds.len(), wi.len(), "{what}: {code}");
        for (i, wv) in inds.iter().zip(wi) {
            assert_eq!(attr(i, "data-indicator"), wv["id"].as_str().unwrap());
            assert_eq!(
                page_dec(attr(i, "data-value")),
                json_dec(&wv["value"]),
                "{what}: {code} {}",
                wv["id"]
            );
            assert_eq!(attr(i, "data-colour"), wv["colour"].as_str().unwrap());
            n += 2;
        }
        n += 2;
    }
    n
}

/// The demo county, and a generated prefecture 990200 of two counties (990201 with an
/// approved plan of a generated ledger; 990202 records and batches only).
fn build(url: &str, dir: &Path) -> landplan_store::Store {
    let demo = landplan_server::demo::build(Some(url)).expect("the demo");
    let store = demo.store;
    let op = Actor::local_operator(OPERATOR);
    for (code, name) in [("990200", "乙市"), ("990201", "甲县"), ("990202", "乙县")] {
        store.ensure_region(&op, code, Some(name)).unwrap();
    }
    for (code, name, seed) in [("990201", "甲县", "3"), ("990202", "乙县", "4")] {
        let ledger = dir.join(format!("ledger-{code}.csv"));
        let records = dir.join(format!("records-{code}.csv"));
        let batches = dir.join(format!("batches-{code}.csv"));
        let p = |x: &Path| x.to_str().unwrap().to_string();
        ok(&[
            "gen-ledger",
            "--parcels",
            "60",
            "--seed",
            seed,
            "--region",
            name,
            "--force",
            "-o",
            &p(&ledger),
        ]);
        ok(&[
            "gen-records",
            "--ledger",
            &p(&ledger),
            "--seed",
            seed,
            "--region-code",
            code,
            "--export-on",
            AS_OF,
            "--force",
            "-o",
            &p(&records),
            "--batches",
            &p(&batches),
        ]);
        for (f, kind) in [(&records, "records"), (&batches, "batches")] {
            ok(&["import", &p(f), "--as", kind, "--db", url, "--region", code]);
        }
        if code == "990201" {
            let county = CountyPlan::new(url, code, "2025");
            county.import(&[&ledger], &[]).ok();
            county.steps(&["create", "submit", "approve"]);
        }
    }
    store
        .add_account_with_password(
            &op,
            "admin",
            "",
            &[Grant::new(Role::Admin, "990000")],
            &password("admin"),
        )
        .unwrap();
    let admin = store.actor("admin").unwrap();
    store
        .add_account_with_password(
            &admin,
            "province",
            "",
            &[Grant::new(Role::Reviewer, "990000")],
            &password("province"),
        )
        .unwrap();
    store
}

fn dashboard_agrees_with_the_command(url: &str, dir: &Path) {
    let store = build(url, dir);
    // A handle kept here: the store's pooled PostgreSQL connections are closed on this thread
    // when the test ends, not inside the server's runtime.
    let _kept = store.clone();
    let server = Server::start(store, AuthSettings::default());
    let client = Client::console_login(&server.base, "province", &password("province"));
    let mut compared = 0;
    for county in ["990101", "990201", "990202"] {
        let page = client.get(&format!(
            "/console/monitor?region={county}&year=2025&date={AS_OF}"
        ));
        assert_eq!(page.status, 200, "{county}: {}", page.text);
        // The dashboard judges against the plan's own checkpoints; give the command the same.
        let cps: Vec<String> = tags(&page.text, "data-checkpoint=")
            .iter()
            .filter(|c| !attr(c, "data-checkpoint").ends_with("-12-31"))
            .map(|c| {
                format!(
                    "{}={}",
                    &attr(c, "data-checkpoint")[5..],
                    attr(c, "data-target")
                )
            })
            .collect();
        let mut args = vec![
            "--db", url, "--user", "province", "--region", county, "--year", "2025",
        ];
        for c in &cps {
            args.extend(["--checkpoint", c.as_str()]);
        }
        let json = monitor_json(&args);
        if county != "990202" {
            assert!(!json["completion"].is_null(), "{county} has its plan");
            assert!(!cps.is_empty(), "{county}: the plan's checkpoints");
        }
        compared += same_county_figures(&page.text, &json, county);
    }
    for region in ["990000", "990200"] {
        let page = client.get(&format!(
            "/console/monitor?region={region}&year=2025&date={AS_OF}"
        ));
        assert_eq!(page.status, 200, "{region}: {}", page.text);
        let json = monitor_json(&[
            "--db", url, "--user", "province", "--region", region, "--year", "2025",
        ]);
        compared += same_rollup_figures(&page.text, &json, region);
        // The roll-up's warning counts of a county without a plan are its dashboard's.
        let row = tags(&page.text, "data-region=\"990202\"")
            .into_iter()
            .next()
            .expect("990202 in the roll-up");
        let county = monitor_json(&[
            "--db", url, "--user", "province", "--region", "990202", "--year", "2025",
        ]);
        for level in ["red", "yellow"] {
            let want = county["warnings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|w| w["level"] == level)
                .count();
            assert_eq!(attr(&row, &format!("data-{level}")), want.to_string());
        }
    }
    assert!(compared > 300, "only {compared} figures compared");
}

#[test]
fn the_dashboard_shows_the_commands_figures_in_a_geopackage() {
    on_gpkg("province.gpkg", dashboard_agrees_with_the_command);
}

#[test]
fn the_dashboard_shows_the_commands_figures_in_postgres() {
    on_postgres(dashboard_agrees_with_the_command);
}
