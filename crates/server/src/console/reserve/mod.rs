//! The land reserve in the console (土地储备, issue 18): the reserve parcels of the account's
//! regions and each parcel's life, on top of the store's reserve module
//! (`landplan_store::reserve`), which decides every right (reading: some role for the county;
//! changing: 编制) and audits every change. The parts, one module each:
//! - [`overview`] — `/console/reserve`: counts and areas per state, the parcels filterable by
//!   region, state and 乡镇, overdue obstacles first, parcels planned for supply that are not
//!   ready;
//! - [`parcel`] — `/console/reserve/{region}/parcel/{id}`: one parcel, its steps as a timeline, the
//!   next step, the 净地 checklist, obstacles and costs, each change a form with `_csrf`;
//! - [`import`] — `/console/reserve/import`: a reserve workbook, findings first, stored only
//!   without errors;
//! - [`plan`] — `/console/reserve/{region}/plan/{year}`: the annual plan's parts and the
//!   three-year plan, with Word/Excel downloads;
//! - [`bonds`] — `/console/reserve/{region}/bonds`: special-bond projects, coverage,
//!   sensitivity and findings, with the 融资与收益平衡 table downloads;
//! - [`map`] — the parcels' boundaries on a map coloured by state, with the control lines and
//!   their findings (the overview and each parcel's page).
//!
//! A parcel's 编号 is one percent-encoded segment after `parcel/` (`parcel_path`), so any
//! 编号 is reachable; the first form `/console/reserve/{region}/{id}` redirects there (a
//! parcel numbered `plan`, `bonds` or `import` was unreachable in it).

pub mod bonds;
pub mod import;
pub mod map;
pub mod overview;
pub mod parcel;
pub mod plan;

use crate::AppState;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use landplan_core::reserve::ReserveParcel;
use landplan_core::units::{fmt_dp, Area, Money};
use landplan_core::{Date, Timestamp};

/// This part's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/reserve", get(overview::page))
        .route(
            "/console/reserve/import",
            // The configured upload limit is checked while the parts are read.
            get(import::form_page)
                .post(import::upload)
                .layer(DefaultBodyLimit::disable()),
        )
        .route("/console/reserve/{region}/plan/{year}", get(plan::page))
        .route(
            "/console/reserve/{region}/plan/{year}/{file}",
            get(plan::download),
        )
        .route("/console/reserve/{region}/bonds", get(bonds::page))
        .route(
            "/console/reserve/{region}/bonds/{file}",
            get(bonds::download),
        )
        .route("/console/reserve/{region}/parcel/{id}", get(parcel::page))
        .route(
            "/console/reserve/{region}/parcel/{id}/{action}",
            post(parcel::act),
        )
        // The parcel pages' first addresses: a page redirects to the parcel's page; a change
        // posted by a form loaded before is still taken.
        .route("/console/reserve/{region}/{id}", get(parcel::moved))
        .route("/console/reserve/{region}/{id}/{action}", post(parcel::act))
}

/// A region's name (its code when it has none): the plans' titles use it.
pub(crate) fn region_name(
    s: &landplan_store::Store,
    code: &str,
) -> Result<String, landplan_store::StoreError> {
    Ok(match s.region(code)? {
        Some(r) if !r.name.is_empty() => r.name,
        _ => code.to_string(),
    })
}

/// Today in Beijing (the server's clock): overdue obstacles and readiness are judged on it.
pub(crate) fn today() -> Date {
    Timestamp::from_system_time(std::time::SystemTime::now())
        .date_beijing()
        .unwrap_or_else(|| Date::new(2026, 1, 1).expect("a date"))
}

/// Percent-encode one path segment (a 储备地块编号 may hold any character).
pub(crate) fn segment(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The console path of a parcel: under `parcel/`, so that no 编号 (`plan`, `bonds`,
/// `import`, `CB-2026/01`, `城关-01#`) collides with another page's path.
pub(crate) fn parcel_path(region: &str, id: &str) -> String {
    format!(
        "/console/reserve/{}/parcel/{}",
        segment(region),
        segment(id)
    )
}

/// An area as the pages show it: 公顷 to four decimals.
pub(crate) fn ha(a: Area) -> String {
    fmt_dp(a.ha(), 4)
}

/// An area in 亩 to two decimals.
pub(crate) fn mu(a: Area) -> String {
    fmt_dp(a.mu(), 2)
}

/// Money in 万元 to two decimals.
pub(crate) fn wan(m: Money) -> String {
    fmt_dp(m.wan_yuan(), 2)
}

/// The obstacles of a parcel that are overdue on `date`.
pub(crate) fn overdue(p: &ReserveParcel, date: Date) -> usize {
    p.obstacles.iter().filter(|o| o.overdue_on(date)).count()
}

/// Whether the parcel is planned for supply (已供应) and not yet supplied or withdrawn.
pub(crate) fn planned_for_supply(p: &ReserveParcel) -> bool {
    !p.state().is_final()
        && p.planned
            .iter()
            .any(|s| s.to == landplan_core::reserve::ReserveState::Supplied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parcel_paths_escape_every_odd_character() {
        assert_eq!(
            parcel_path("330102", "CB-01"),
            "/console/reserve/330102/parcel/CB-01"
        );
        assert_eq!(
            parcel_path("330102", "储/1 a"),
            "/console/reserve/330102/parcel/%E5%82%A8%2F1%20a"
        );
    }
}
