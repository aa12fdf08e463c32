//! Reading what a plan version was made of, for writing it out (`landplan plan export`, the
//! public site): its parcels with their geometry, the county's township boundaries, and the
//! audit entry of its publication (the fingerprint the site shows). Reads need only that the
//! actor may see the version (published versions are public); nothing is written.

use crate::access::Actor;
use crate::audit::AuditEntry;
use crate::db::Value;
use crate::error::StoreError;
use crate::geom::Geometry;
use crate::import::StoredParcel;
use crate::plan::PlanVersion;
use crate::Store;

/// One township boundary as stored (in the store's CRS).
#[derive(Debug, Clone)]
pub struct TownshipBoundary {
    /// 乡镇名称.
    pub name: String,
    /// 乡镇代码, when the boundary file gave one.
    pub code: Option<String>,
    /// The boundary.
    pub geometry: Geometry,
}

impl Store {
    /// The parcels of a version (those of the import it was compiled from), in import order,
    /// with their geometry in the store's CRS when they have one. NotFound when the actor may
    /// not see the version.
    pub fn version_parcels(
        &self,
        actor: &Actor,
        version_id: i64,
    ) -> Result<Vec<StoredParcel>, StoreError> {
        let mut s = self.session(actor)?;
        s.require_version_visible(version_id)?;
        let import =
            s.db.query(
                "SELECT import_id FROM plan_version WHERE id = ?",
                &[Value::Int(version_id)],
            )?
            .first()
            .and_then(|r| r[0].as_i64())
            .ok_or_else(|| StoreError::NotFound(format!("没有编号为 {version_id} 的计划版本")))?;
        s.import_parcels_of(import)
    }

    /// The township boundaries of a county (public, like the regions), in the order stored;
    /// none on a store that has no township layer.
    pub fn township_boundaries(&self, county: &str) -> Result<Vec<TownshipBoundary>, StoreError> {
        let anonymous = Actor::anonymous();
        let mut s = self.raw_session(&anonymous)?;
        if !s.db.table_exists("township")? {
            return Ok(Vec::new());
        }
        let geom = s.db.geom_select();
        let rows = s.db.query(
            &format!("SELECT name, code, {geom} FROM township WHERE county = ? ORDER BY fid"),
            &[county.into()],
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for mut r in rows {
            let g = std::mem::replace(&mut r[2], Value::Null);
            if let Some(geometry) = s.db.geom_decode(g) {
                out.push(TownshipBoundary {
                    name: r[0].text(),
                    code: r[1].opt_text(),
                    geometry,
                });
            }
        }
        Ok(out)
    }

    /// The audit entry of a version's publication: the `plan.publish` step that made version
    /// `v` 已公布, whose hash is the chain's hash at that moment (anyone holding a copy of the
    /// log can find it there). None when the version was never published. NotFound when the
    /// actor may not see the version. Public like the published version itself: the entry
    /// holds the version's number, status, total, parcel count and the step's reason.
    pub fn publication_entry(
        &self,
        actor: &Actor,
        v: &PlanVersion,
    ) -> Result<Option<AuditEntry>, StoreError> {
        let mut s = self.session(actor)?;
        s.require_version_visible(v.version_id)?;
        let entries = s.audit_entries_of("plan.publish", &v.plan.entity())?;
        Ok(entries.into_iter().find(|e| {
            e.after
                .as_deref()
                .and_then(|a| serde_json::from_str::<serde_json::Value>(a).ok())
                .and_then(|a| a["version"].as_i64())
                == Some(v.version)
        }))
    }
}
