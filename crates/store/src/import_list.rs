//! The ledger imports stored before, as the console's import page lists them: newest first,
//! only those of regions the actor holds some role for, in pages of [`IMPORTS_PER_PAGE`], each
//! with the plan versions compiled from it.

use crate::db::Value;
use crate::plan::kind_from;
use crate::{Actor, Store, StoreError};
use landplan_core::compile::PlanKind;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::str::FromStr;

/// Imports per page.
pub const IMPORTS_PER_PAGE: usize = 50;

/// One stored import.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportListing {
    /// The import's id (导入批次).
    pub id: i64,
    /// The region's code.
    pub region: String,
    /// The plan year.
    pub year: i32,
    /// The plan kind.
    pub kind: PlanKind,
    /// Parcels stored.
    pub parcel_count: i64,
    /// 总量, 公顷 (exact).
    pub total_ha: Decimal,
    /// Who imported it.
    pub user: String,
    /// When (UTC, as stored).
    pub at: String,
    /// The plan versions compiled from it (version numbers of the region's plan of that year
    /// and kind), oldest first.
    pub versions: Vec<i64>,
}

/// One page of imports.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportPage {
    /// The imports of the page, newest first.
    pub imports: Vec<ImportListing>,
    /// Imports the actor may see in all.
    pub total: usize,
    /// This page, from 1.
    pub page: usize,
    /// Pages in all (at least 1).
    pub pages: usize,
}

impl Store {
    /// The ledger imports the actor may see (some role for their region), newest first, page
    /// `page` (from 1; a page past the last is empty) of [`IMPORTS_PER_PAGE`].
    pub fn imports(&self, actor: &Actor, page: usize) -> Result<ImportPage, StoreError> {
        let mut s = self.session(actor)?;
        let all =
            s.db.query("SELECT id, region FROM ledger_import ORDER BY id DESC", &[])?;
        let mut seen: HashMap<String, bool> = HashMap::new();
        let mut ids = Vec::new();
        for r in all {
            let region = r[1].text();
            let ok = match seen.get(&region) {
                Some(ok) => *ok,
                None => {
                    let ok = s.has_role_for(&region)?;
                    seen.insert(region, ok);
                    ok
                }
            };
            if ok {
                ids.push(r[0].as_i64().unwrap_or(0));
            }
        }
        let total = ids.len();
        let page = page.max(1);
        let shown: Vec<i64> = ids
            .into_iter()
            .skip((page - 1) * IMPORTS_PER_PAGE)
            .take(IMPORTS_PER_PAGE)
            .collect();
        let mut imports = Vec::with_capacity(shown.len());
        for id in shown {
            let rows = s.db.query(
                "SELECT region, year, kind, parcel_count, total_ha, user_name, at FROM ledger_import WHERE id = ?",
                &[Value::Int(id)],
            )?;
            let Some(r) = rows.into_iter().next() else {
                continue;
            };
            let versions = s
                .db
                .query(
                    "SELECT v.version FROM plan_version v JOIN plan p ON p.id = v.plan_id WHERE v.import_id = ? AND p.region = ? ORDER BY v.version",
                    &[Value::Int(id), r[0].text().into()],
                )?
                .into_iter()
                .filter_map(|v| v[0].as_i64())
                .collect();
            imports.push(ImportListing {
                id,
                region: r[0].text(),
                year: r[1].as_i64().unwrap_or(0) as i32,
                kind: kind_from(&r[2].text())?,
                parcel_count: r[3].as_i64().unwrap_or(0),
                total_ha: Decimal::from_str(&r[4].text()).unwrap_or_default(),
                user: r[5].text(),
                at: r[6].text(),
                versions,
            });
        }
        Ok(ImportPage {
            imports,
            total,
            page,
            pages: total.div_ceil(IMPORTS_PER_PAGE).max(1),
        })
    }
}
