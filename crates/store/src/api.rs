//! The store's public operations. Each borrows a connection from the pool, checks the acting
//! [`Actor`] against the store's accounts, checks its role for the region concerned, and runs
//! the operation (written on the session in the module of its subject).

use crate::access::{Actor, Grant, Role};
use crate::account::Account;
use crate::audit::{AuditEntry, AuditReport};
use crate::backup::CopySummary;
use crate::diff::PlanDiff;
use crate::error::StoreError;
use crate::import::{FileKind, GeometrySet, ImportOptions, ImportSummary, StoredParcel};
use crate::plan::{PlanAction, PlanEvent, PlanKey, PlanVersion, Publication};
use crate::region::Region;
use crate::rollup::Rollup;
use crate::Store;
use landplan_core::compile::{CompiledPlan, PlanKind};
use landplan_core::{Finding, Parcel};
use std::path::{Path, PathBuf};

/// What an import is refused as: 导入 330102 2025 年台账.
fn import_action(opts: &ImportOptions) -> String {
    format!(
        "导入 {} {} 年{}台账",
        opts.region,
        opts.year,
        opts.kind.label()
    )
}

/// Accounts.
impl Store {
    /// Whether the store has any account (then the local operator may no longer act).
    /// (A backup made before accounts existed has none.)
    pub fn has_accounts(&self) -> Result<bool, StoreError> {
        let anonymous = Actor::anonymous();
        let mut s = self.raw_session(&anonymous)?;
        Ok(s.db.table_exists("account")? && s.has_accounts()?)
    }

    /// A number that grows with every change to the store: the sequence of the audit log's
    /// last entry (every change writes one in its transaction). Equal stamps mean nothing was
    /// changed in between, by this process or any other, so a caller may keep what it read
    /// (the web server's public lists). One indexed read.
    pub fn change_stamp(&self) -> Result<i64, StoreError> {
        let anonymous = Actor::anonymous();
        let mut s = self.raw_session(&anonymous)?;
        let rows =
            s.db.query("SELECT COALESCE(MAX(seq), 0) FROM audit_log", &[])?;
        Ok(rows.first().and_then(|r| r[0].as_i64()).unwrap_or(0))
    }

    /// The actor of the account `name`, with its grants: [`StoreError::UnknownAccount`] when
    /// there is none, [`StoreError::AccountDisabled`] when it is disabled.
    pub fn actor(&self, name: &str) -> Result<Actor, StoreError> {
        self.raw_session(&Actor::anonymous())?.actor_named(name)
    }

    /// Every account, by name (needs 管理 for some region).
    pub fn accounts(&self, actor: &Actor) -> Result<Vec<Account>, StoreError> {
        self.session(actor)?.accounts()
    }

    /// Add an account with its first grants, in one step (needs 管理 for each grant's
    /// region). On a store without accounts the local operator adds the first one.
    pub fn add_account(
        &self,
        actor: &Actor,
        name: &str,
        display_name: &str,
        grants: &[Grant],
    ) -> Result<Account, StoreError> {
        self.session(actor)?
            .add_account(name, display_name, grants, None)
    }

    /// [`Store::add_account`] with the account's first password (hashed with argon2id), in the
    /// same step.
    pub fn add_account_with_password(
        &self,
        actor: &Actor,
        name: &str,
        display_name: &str,
        grants: &[Grant],
        password: &str,
    ) -> Result<Account, StoreError> {
        self.session(actor)?
            .add_account(name, display_name, grants, Some(password))
    }

    /// Disable an account (needs 管理 over every region it has a role for).
    pub fn disable_account(&self, actor: &Actor, name: &str) -> Result<Account, StoreError> {
        self.session(actor)?.set_disabled(name, true)
    }

    /// Enable a disabled account again (needs 管理 over every region it has a role for).
    pub fn enable_account(&self, actor: &Actor, name: &str) -> Result<Account, StoreError> {
        self.session(actor)?.set_disabled(name, false)
    }

    /// Give an account a role for a region (needs 管理 for that region).
    pub fn grant(&self, actor: &Actor, name: &str, grant: &Grant) -> Result<Account, StoreError> {
        self.session(actor)?.grant(name, grant)
    }

    /// Take a role for a region away from an account (needs 管理 for that region).
    pub fn revoke(&self, actor: &Actor, name: &str, grant: &Grant) -> Result<Account, StoreError> {
        self.session(actor)?.revoke(name, grant)
    }
}

/// Roles.
impl Store {
    /// Refuse unless the actor holds `role` for `region` or a region above it (`action` says
    /// what was attempted, for the message): for a caller that checks before work the store
    /// does not do itself (reading an uploaded ledger before importing it).
    pub fn check_role(
        &self,
        actor: &Actor,
        role: Role,
        region: &str,
        action: &str,
    ) -> Result<(), StoreError> {
        self.session(actor)?.require(role, region, action)
    }
}

/// Regions.
impl Store {
    /// Create or rename a region (with its ancestors), in its own transaction (needs 管理 for
    /// the region).
    pub fn ensure_region(
        &self,
        actor: &Actor,
        code: &str,
        name: Option<&str>,
    ) -> Result<Region, StoreError> {
        let mut s = self.session(actor)?;
        s.require(Role::Admin, code, &format!("登记行政区 {code}"))?;
        s.ensure_region(code, name)
    }

    /// One region (regions are public).
    pub fn region(&self, code: &str) -> Result<Option<Region>, StoreError> {
        self.raw_session(&Actor::anonymous())?.region(code)
    }

    /// All regions, by code.
    pub fn regions(&self) -> Result<Vec<Region>, StoreError> {
        self.raw_session(&Actor::anonymous())?.regions()
    }

    /// The region's display name: its name, or its code when it has none.
    pub fn region_label(&self, code: &str) -> Result<String, StoreError> {
        self.raw_session(&Actor::anonymous())?.region_label(code)
    }
}

/// Control lines (管控线; each change needs 编制 or 管理 for the region, reading some role).
impl Store {
    /// Replace the control layer `name` of `region` with the features of `files` (国土TXT,
    /// GeoJSON, Shapefile, GeoPackage; converted into the store's CRS), in one transaction.
    pub fn import_control(
        &self,
        actor: &Actor,
        region: &str,
        name: &str,
        rule: landplan_geo::overlay::LayerRule,
        files: &[PathBuf],
    ) -> Result<crate::control::ControlSummary, StoreError> {
        self.session(actor)?
            .import_control(region, name, rule, files)
    }

    /// Remove the control layer `name` of `region` (how many features it had).
    pub fn remove_control(
        &self,
        actor: &Actor,
        region: &str,
        name: &str,
    ) -> Result<i64, StoreError> {
        self.session(actor)?.remove_control(region, name)
    }

    /// The control layers of `region` (or of every region the actor holds a role for), by
    /// region and name, with their feature counts.
    pub fn control_layers(
        &self,
        actor: &Actor,
        region: Option<&str>,
    ) -> Result<Vec<crate::control::ControlLayerInfo>, StoreError> {
        self.session(actor)?.control_layers(region)
    }

    /// The control layers that apply to `region` — its own and its ancestors', nearest first
    /// — with their features in the store's CRS ([`Store::srid`]).
    pub fn control_layers_for(
        &self,
        actor: &Actor,
        region: &str,
    ) -> Result<Vec<crate::control::ControlLayer>, StoreError> {
        self.session(actor)?.control_layers_for(region)
    }
}

/// Imports (each needs 编制 for the import's region).
impl Store {
    /// Replace a county's township boundaries (乡镇界) with those of `files` (GeoJSON,
    /// Shapefile, GeoPackage; converted into the store's CRS), in one transaction.
    pub fn import_townships(
        &self,
        actor: &Actor,
        county: &str,
        county_name: Option<&str>,
        files: &[PathBuf],
    ) -> Result<crate::township::TownshipSummary, StoreError> {
        self.session(actor)?
            .import_townships(county, county_name, files)
    }

    /// Import files in one transaction: ledgers (CSV/XLSX, read by landplan-io) and geometry
    /// files (GeoJSON, 国土TXT, Shapefile, GeoPackage), each file's kind detected from its
    /// content or forced with `as_kind`. Without a ledger, the geometry is attached to the
    /// region's latest ledger import; when the region has no ledger for the year and kind yet,
    /// a geometry file whose attributes make a ledger (地块编号, 面积, 用途) is the ledger.
    /// Geometry in another CGCS2000 CRS is converted into the store's, its areas measured
    /// first where it was given.
    pub fn import_files(
        &self,
        actor: &Actor,
        files: &[PathBuf],
        as_kind: Option<FileKind>,
        opts: &ImportOptions,
    ) -> Result<ImportSummary, StoreError> {
        let mut s = self.session(actor)?;
        s.require(Role::Editor, &opts.region, &import_action(opts))?;
        s.import_files(files, as_kind, opts)
    }

    /// [`Store::import_files`] with a progress callback (ledger rows read so far).
    pub fn import_files_with(
        &self,
        actor: &Actor,
        files: &[PathBuf],
        as_kind: Option<FileKind>,
        opts: &ImportOptions,
        progress: &mut dyn FnMut(u64),
    ) -> Result<ImportSummary, StoreError> {
        let mut s = self.session(actor)?;
        s.require(Role::Editor, &opts.region, &import_action(opts))?;
        s.import_files_with(files, as_kind, opts, progress)
    }

    /// Import ledger parcels (and optional geometries matched by 地块编号) in one transaction.
    pub fn import_parcels(
        &self,
        actor: &Actor,
        opts: &ImportOptions,
        files: &[String],
        parcels: &mut dyn Iterator<Item = Result<Parcel, Vec<Finding>>>,
        geometries: Option<&GeometrySet>,
    ) -> Result<ImportSummary, StoreError> {
        let mut s = self.session(actor)?;
        s.require(Role::Editor, &opts.region, &import_action(opts))?;
        s.import_parcels(opts, files, parcels, geometries)
    }

    /// [`Store::import_parcels`], calling `progress` with the number of rows read so far
    /// (every [`crate::import::PROGRESS_EVERY`] rows and at the end).
    pub fn import_parcels_with(
        &self,
        actor: &Actor,
        opts: &ImportOptions,
        files: &[String],
        parcels: &mut dyn Iterator<Item = Result<Parcel, Vec<Finding>>>,
        geometries: Option<&GeometrySet>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<ImportSummary, StoreError> {
        let mut s = self.session(actor)?;
        s.require(Role::Editor, &opts.region, &import_action(opts))?;
        s.import_parcels_with(opts, files, parcels, geometries, progress)
    }

    /// Add geometries to the region's latest ledger import: creates a new import with the same
    /// parcels plus the geometries (the old import is left as it was).
    pub fn import_geometry(
        &self,
        actor: &Actor,
        opts: &ImportOptions,
        g: &GeometrySet,
    ) -> Result<ImportSummary, StoreError> {
        let mut s = self.session(actor)?;
        s.require(Role::Editor, &opts.region, &import_action(opts))?;
        s.import_geometry(opts, g)
    }

    /// The latest import for a region, year and kind (None as well when the actor holds no
    /// role for the region: imports are not public).
    pub fn latest_import(
        &self,
        actor: &Actor,
        region: &str,
        year: i32,
        kind: PlanKind,
    ) -> Result<Option<i64>, StoreError> {
        let mut s = self.session(actor)?;
        if !s.has_role_for(region)? {
            return Ok(None);
        }
        s.latest_import(region, year, kind)
    }

    /// The parcels of an import, in import order (NotFound when the actor holds no role for
    /// the import's region).
    pub fn import_parcels_of(
        &self,
        actor: &Actor,
        import_id: i64,
    ) -> Result<Vec<StoredParcel>, StoreError> {
        let mut s = self.session(actor)?;
        s.require_import_visible(import_id)?;
        s.import_parcels_of(import_id)
    }

    /// Compile an import's parcels into a plan for `key` without storing it (NotFound when the
    /// actor holds no role for the import's region).
    pub fn compile_import(
        &self,
        actor: &Actor,
        import_id: i64,
        key: &PlanKey,
    ) -> Result<CompiledPlan, StoreError> {
        let mut s = self.session(actor)?;
        s.require_import_visible(import_id)?;
        s.compile_import(import_id, key)
    }
}

/// Plans: steps need the step's role for the plan's region; reads show the versions the actor
/// may see (published ones to everyone, the others to accounts with a role for the region).
impl Store {
    /// Create a plan (version 1, 草稿) compiled from an import (default: the latest one for the
    /// region, year and kind). Needs 编制.
    pub fn create_plan(
        &self,
        actor: &Actor,
        key: &PlanKey,
        import_id: Option<i64>,
        note: Option<&str>,
    ) -> Result<PlanVersion, StoreError> {
        self.session(actor)?.create_plan(key, import_id, note)
    }

    /// Compile the current version again from another import (default: the latest), in
    /// place, while it is 草稿 or 调整中 (a `revise` step with an optional note). Needs 编制.
    pub fn revise_plan(
        &self,
        actor: &Actor,
        key: &PlanKey,
        import_id: Option<i64>,
        note: Option<&str>,
    ) -> Result<PlanVersion, StoreError> {
        self.session(actor)?.revise_plan(key, import_id, note)
    }

    /// Take one step (提交/批准/公布/退回) on the current version; needs the step's role
    /// ([`PlanAction::role`]). A plan the actor may not see is [`StoreError::NotFound`]; one it
    /// may see without the role is [`StoreError::Forbidden`].
    pub fn transition(
        &self,
        actor: &Actor,
        key: &PlanKey,
        action: PlanAction,
        reason: Option<&str>,
    ) -> Result<PlanVersion, StoreError> {
        self.session(actor)?
            .transition(key, action, reason, &Publication::default())
    }

    /// Publish the current (approved) version, stating the publication's 文号 and issuing body
    /// where given ([`Publication`]: each trimmed, not empty, at most 100 characters, no
    /// control characters; else [`StoreError::Invalid`]). Needs 发布, like
    /// [`Store::transition`] with [`PlanAction::Publish`]; the audit entry of the publication
    /// records them.
    pub fn publish(
        &self,
        actor: &Actor,
        key: &PlanKey,
        reason: Option<&str>,
        publication: &Publication,
    ) -> Result<PlanVersion, StoreError> {
        self.session(actor)?
            .transition(key, PlanAction::Publish, reason, publication)
    }

    /// Adjust a published plan: a new version (调整中) from an import (default: the latest),
    /// with a required reason. Needs 发布.
    pub fn adjust(
        &self,
        actor: &Actor,
        key: &PlanKey,
        reason: &str,
        import_id: Option<i64>,
    ) -> Result<PlanVersion, StoreError> {
        self.session(actor)?.adjust(key, reason, import_id)
    }

    /// The current version: the latest one the actor may see.
    pub fn current_version(&self, actor: &Actor, key: &PlanKey) -> Result<PlanVersion, StoreError> {
        self.session(actor)?.current_version(key)
    }

    /// The versions the actor may see, oldest first.
    pub fn versions(&self, actor: &Actor, key: &PlanKey) -> Result<Vec<PlanVersion>, StoreError> {
        self.session(actor)?.versions(key)
    }

    /// One version by number (NotFound as well when the actor may not see it).
    pub fn version(
        &self,
        actor: &Actor,
        key: &PlanKey,
        version: i64,
    ) -> Result<PlanVersion, StoreError> {
        self.session(actor)?.version(key, version)
    }

    /// The current version of every plan the actor may see (optionally of one year).
    pub fn plans(&self, actor: &Actor, year: Option<i32>) -> Result<Vec<PlanVersion>, StoreError> {
        self.session(actor)?.plans(year)
    }

    /// Every step of a plan's life, in order (of the versions the actor may see).
    pub fn events(&self, actor: &Actor, key: &PlanKey) -> Result<Vec<PlanEvent>, StoreError> {
        self.session(actor)?.events(key)
    }

    /// The compiled plan of a version, as the typed plan the compiler made; NotFound when the
    /// actor may not see the version.
    pub fn compiled(&self, actor: &Actor, version_id: i64) -> Result<CompiledPlan, StoreError> {
        let mut s = self.session(actor)?;
        s.require_version_visible(version_id)?;
        s.compiled(version_id)
    }

    /// Compare two versions of a plan (`from` older, `to` newer; any two numbers the actor may
    /// see).
    pub fn diff(
        &self,
        actor: &Actor,
        key: &PlanKey,
        from: i64,
        to: i64,
    ) -> Result<PlanDiff, StoreError> {
        self.session(actor)?.diff(key, from, to)
    }

    /// Sum the county plans inside `region` for a year and kind, from the versions the actor
    /// may see.
    pub fn rollup(
        &self,
        actor: &Actor,
        region: &str,
        year: i32,
        kind: PlanKind,
        include_drafts: bool,
    ) -> Result<Rollup, StoreError> {
        self.session(actor)?
            .rollup(region, year, kind, include_drafts)
    }
}

/// Audit log and backups.
impl Store {
    /// The audit entries, oldest first (`limit`: only the last n). The log covers every
    /// region: it needs 管理 for every top-level region of the store.
    pub fn audit_entries(
        &self,
        actor: &Actor,
        limit: Option<usize>,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let mut s = self.session(actor)?;
        s.require_everywhere(Role::Admin, "查看审计日志")?;
        s.audit_entries(limit)
    }

    /// Recompute the chain; report the first entry whose sequence, link or hash is wrong, and
    /// check that every recorded import still has the parcel count the log says. Any account
    /// may run it (it shows counts and hashes, no content); an anonymous visitor may not.
    pub fn verify_audit(&self, actor: &Actor) -> Result<AuditReport, StoreError> {
        let mut s = self.session(actor)?;
        if actor.is_anonymous() {
            return Err(StoreError::Forbidden {
                actor: actor.describe(),
                action: "核验审计日志".into(),
                reason: "需要以账户身份操作".into(),
            });
        }
        s.verify_audit()
    }

    /// Export the whole store, or one region with everything inside it, to a new GeoPackage
    /// (needs 管理 for the region; the whole store: for every top-level region).
    pub fn export(
        &self,
        actor: &Actor,
        target: &Path,
        region: Option<&str>,
    ) -> Result<CopySummary, StoreError> {
        self.session(actor)?.export(target, region)
    }
}
