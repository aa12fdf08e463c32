//! The store as GIS software sees it: QGIS and GDAL open the GeoPackage (or connect to
//! PostGIS) and should find the plan there, not only the storage.
//!
//! - **Columns a GIS can use.** Beside the exact decimal text of a parcel's area (`area_ha`)
//!   the parcel table has the same value as a number (`area_ha_num`), and the ledger fields
//!   that were kept only in the parcel's JSON have columns of their own (`funds_wan` and
//!   `funds_wan_num`, `timing` and `quarter`, `housing`, `reserve_status`,
//!   `pre_development`). These are *derived* from the sealed columns (`area_ha`, `data`): they
//!   are written with the parcel, filled for parcels stored before they existed, and `audit
//!   verify` checks that they still agree with what they are derived from
//!   (`derived_values`).
//! - **Chinese titles.** Every column of the parcel and township tables and of the plan layers
//!   has a Chinese name, title and description: `gpkg_data_columns` (the GeoPackage Schema
//!   extension; GDAL ≥ 3.7 and QGIS show the name as the field's alias) and `COMMENT ON COLUMN`
//!   in PostgreSQL.
//! - **A layer per plan version.** Every published version of a plan has a view
//!   `plan_<region>_<year>_<kind>_v<N>` with the parcels it was compiled from, and a plan whose
//!   current version is not published yet has `plan_<region>_<year>_<kind>_draft` for that
//!   version. In the GeoPackage each view is a feature layer (rows in `gpkg_contents`,
//!   `gpkg_geometry_columns` and `gpkg_data_columns`, with its extent); in PostgreSQL a view
//!   whose geometry column PostGIS lists in `geometry_columns`. They are rewritten by every
//!   change of the plan (create, each step, adjust) inside that change's transaction
//!   (`refresh_plan`), and all of them after a migration, an export or a restore
//!   (`refresh_all`). Views hold no data of their own: they select the sealed rows.
//! - **Township boundaries** (`township`), a feature layer registered when boundaries are
//!   imported (see `crate::township`).
//! - **Control lines** (`control_line`, layer 管控线), a feature layer registered when the
//!   first control layer is imported (see `crate::control`).

use crate::db::{Backend, BackendKind, Value};
use crate::error::StoreError;
use crate::plan::PlanStatus;
use landplan_core::Parcel;
use std::collections::{BTreeMap, BTreeSet};

/// A column's Chinese name (the alias GIS software shows), title and description.
pub(crate) struct Title {
    /// The column.
    pub column: &'static str,
    /// A short name, unique in its table (`gpkg_data_columns.name`).
    pub name: &'static str,
    /// What it is.
    pub description: &'static str,
}

const fn t(column: &'static str, name: &'static str, description: &'static str) -> Title {
    Title {
        column,
        name,
        description,
    }
}

/// The parcel table's columns.
pub(crate) const PARCEL_TITLES: &[Title] = &[
    t("fid", "要素编号", "数据库内的要素编号"),
    t("geom", "地块边界", "地块的界址范围（多面），数据库坐标系"),
    t("import_id", "导入批次", "地块所属的导入批次编号"),
    t("region", "行政区划代码", "地块所属县级行政区的行政区划代码"),
    t("year", "年度", "计划年度"),
    t("parcel_id", "地块编号", "台账中的地块编号（宗地编号）"),
    t("location", "坐落", "地块坐落（位置、四至）"),
    t("township", "乡镇", "地块所在乡镇（街道、片区）"),
    t("class_text", "用途", "台账所列用途（地类名称或编码）"),
    t("class_code", "地类编码", "用途对应的地类编码（GB/T 21010-2017，或国土空间用地用海分类）"),
    t("area_ha", "面积文本（公顷）", "台账所列面积，按所列精度保存的精确十进制文本（公顷）"),
    t("area_ha_num", "面积（公顷）", "台账所列面积（公顷），数值型，供排序、统计和分级符号化；精确值见 area_ha"),
    t("source", "土地来源", "新增或存量"),
    t("method", "供应方式", "划拨、协议出让、招标出让、拍卖出让、挂牌出让等"),
    t("timing", "计划供应时间", "台账所列计划供应时间（季度、月份或日期）"),
    t("quarter", "供应季度", "计划供应时间所在季度（1–4），数值型"),
    t("housing", "住宅类型", "住宅用地的住房类型（商品住房、保障性租赁住房等）"),
    t("reserve_status", "储备状态", "储备地块的状态（拟收储、已入库、拟供应）"),
    t("pre_development", "前期开发", "储备地块的前期开发内容"),
    t("funds_wan", "资金需求文本（万元）", "储备地块的资金需求，精确十进制文本（万元）"),
    t("funds_wan_num", "资金需求（万元）", "储备地块的资金需求（万元），数值型；精确值见 funds_wan"),
    t("source_srid", "原坐标系", "导入的几何文件所用坐标系的 EPSG 代码；与数据库坐标系不同时，边界已转换到数据库坐标系"),
    t("planar_ha", "计算平面面积（公顷）", "由导入时的界址坐标在原坐标系的高斯-克吕格投影平面上计算的面积（公顷；地理坐标按所在 3 度带计算）"),
    t("ellipsoidal_ha", "计算椭球面积（公顷）", "由导入时的界址坐标在 CGCS2000 椭球面上计算的面积（公顷，国土调查办发〔2008〕32号的方法）"),
    t("data", "全部属性", "地块在台账中的全部属性（JSON）"),
    t("row_hash", "内容哈希", "地块内容与边界的 SHA-256，审计核验用"),
];

/// The township table's columns.
pub(crate) const TOWNSHIP_TITLES: &[Title] = &[
    t("fid", "要素编号", "数据库内的要素编号"),
    t(
        "geom",
        "乡镇边界",
        "乡镇（街道）的界线范围（多面），数据库坐标系",
    ),
    t(
        "county",
        "县级行政区划代码",
        "乡镇所属县级行政区的行政区划代码",
    ),
    t("name", "乡镇名称", "乡镇（街道、开发区）名称"),
    t("code", "乡镇代码", "乡镇级行政区划代码（文件中有时）"),
    t(
        "planar_ha",
        "计算平面面积（公顷）",
        "在原坐标系的高斯-克吕格投影平面上计算的面积（公顷）",
    ),
    t(
        "ellipsoidal_ha",
        "计算椭球面积（公顷）",
        "在 CGCS2000 椭球面上计算的面积（公顷）",
    ),
    t(
        "source_srid",
        "原坐标系",
        "导入的几何文件所用坐标系的 EPSG 代码",
    ),
    t("file", "来源文件", "导入的乡镇界文件"),
    t("user_name", "经办人", "导入乡镇界的账户"),
    t("at", "导入时间", "导入时间（UTC）"),
];

/// The control-line table's columns.
pub(crate) const CONTROL_TITLES: &[Title] = &[
    t("fid", "要素编号", "数据库内的要素编号"),
    t("geom", "管控范围", "管控线图斑的范围（多面），数据库坐标系"),
    t(
        "region",
        "行政区划代码",
        "管控线图层所属行政区的行政区划代码（上级行政区的图层也适用于其下辖各区县）",
    ),
    t(
        "layer",
        "图层名称",
        "管控线图层名称，如永久基本农田、生态保护红线、城镇开发边界",
    ),
    t(
        "rule",
        "叠加规则",
        "forbid：禁止占用；within：地块应在其内；assign：归属（取重叠最大图斑的名称）",
    ),
    t("label", "图斑标识", "图斑编号或名称（文件中有时）"),
    t(
        "planar_ha",
        "计算平面面积（公顷）",
        "在原坐标系的高斯-克吕格投影平面上计算的面积（公顷）",
    ),
    t(
        "ellipsoidal_ha",
        "计算椭球面积（公顷）",
        "在 CGCS2000 椭球面上计算的面积（公顷）",
    ),
    t(
        "source_srid",
        "原坐标系",
        "导入的几何文件所用坐标系的 EPSG 代码",
    ),
    t("file", "来源文件", "导入的管控线文件"),
    t("user_name", "经办人", "导入管控线的账户"),
    t("at", "导入时间", "导入时间（UTC）"),
];

/// The reserve parcel table's columns (layer 储备地块).
pub(crate) const RESERVE_TITLES: &[Title] = &[
    t("id", "要素编号", "数据库内的要素编号"),
    t(
        "geom",
        "储备地块边界",
        "储备地块的界址范围（多面），数据库坐标系；未导入边界的地块为空",
    ),
    t(
        "region",
        "行政区划代码",
        "储备地块所属县级行政区的行政区划代码",
    ),
    t("parcel_id", "编号", "储备地块编号"),
    t("project", "项目名称", "储备项目名称"),
    t("township", "乡镇", "储备地块所在乡镇（街道、片区）"),
    t(
        "state",
        "状态代码",
        "当前状态的代码：proposed、held、preparing、custody、supplied、exited",
    ),
    t(
        "state_label",
        "状态",
        "当前状态：拟收储、入库、前期开发、临时管护、已供应、退出",
    ),
    t(
        "area_ha",
        "面积文本（公顷）",
        "储备台账所列面积，按所列精度保存的精确十进制文本（公顷）",
    ),
    t(
        "area_ha_num",
        "面积（公顷）",
        "储备台账所列面积（公顷），数值型，供排序、统计和分级符号化；精确值见 area_ha",
    ),
    t("updated_by", "经办人", "最后变更该地块的账户"),
    t("updated_at", "更新时间", "最后变更时间（UTC）"),
    t(
        "data",
        "全部记录",
        "地块的全部属性与全生命周期记录：状态步骤、计划、成本、净地条件、障碍（JSON）",
    ),
    t(
        "planar_ha",
        "计算平面面积（公顷）",
        "由导入时的界址坐标在原坐标系的高斯-克吕格投影平面上计算的面积（公顷）",
    ),
    t(
        "ellipsoidal_ha",
        "计算椭球面积（公顷）",
        "由导入时的界址坐标在 CGCS2000 椭球面上计算的面积（公顷）",
    ),
    t(
        "source_srid",
        "原坐标系",
        "导入的边界文件所用坐标系的 EPSG 代码",
    ),
    t("boundary_file", "边界来源文件", "导入边界的文件"),
];

/// The plan layers' columns (parcel columns first, then the plan's).
const PLAN_LAYER_COLUMNS: &[&str] = &[
    "fid",
    "geom",
    "parcel_id",
    "location",
    "township",
    "class_text",
    "class_code",
    "area_ha",
    "area_ha_num",
    "source",
    "method",
    "timing",
    "quarter",
    "housing",
    "reserve_status",
    "pre_development",
    "funds_wan",
    "funds_wan_num",
    "source_srid",
    "planar_ha",
    "ellipsoidal_ha",
    "import_id",
];

/// The plan layers' own columns (from the plan and the version).
const PLAN_TITLES: &[Title] = &[
    t("region", "行政区划代码", "计划所属行政区的行政区划代码"),
    t("plan_year", "计划年度", "计划年度"),
    t(
        "plan_kind",
        "计划类型",
        "国有建设用地供应计划或土地储备计划",
    ),
    t("plan_version", "版本", "计划的版本号（从 1 起）"),
    t(
        "plan_status",
        "状态",
        "该版本的状态：草稿、已提交、已批准、已公布、调整中",
    ),
];

/// The derived columns of a parcel, in this order (see [`derived_values`]).
pub(crate) const PARCEL_DERIVED: &str = "area_ha_num, funds_wan, funds_wan_num, timing, quarter, housing, reserve_status, pre_development";

/// How many derived columns there are.
pub(crate) const DERIVED_COUNT: usize = 8;

/// The label of a planned time as a ledger writes it: 第二季度, 4月, 2025年7月15日.
pub fn timing_label(t: landplan_core::parcel::Timing) -> String {
    use landplan_core::parcel::Timing;
    match t {
        Timing::Quarter { quarter } => {
            let q = ["一", "二", "三", "四"]
                .get(usize::from(quarter).wrapping_sub(1))
                .copied()
                .unwrap_or("");
            format!("第{q}季度")
        }
        Timing::Month { month } => format!("{month}月"),
        Timing::Date { year, month, day } => format!("{year}年{month}月{day}日"),
    }
}

/// The derived columns ([`PARCEL_DERIVED`]) of a parcel with this area text and parcel.
pub(crate) fn derived_from_parcel(area_ha: &str, p: &Parcel) -> Vec<Value> {
    let funds = p.funds.map(|m| m.wan_yuan().normalize().to_string());
    vec![
        number(area_ha),
        funds.clone().into(),
        funds.as_deref().map_or(Value::Null, number),
        p.timing.map(timing_label).into(),
        p.timing.map(|t| Value::Int(i64::from(t.quarter()))).into(),
        p.housing.map(|h| h.label()).into(),
        p.reserve_status.map(|s| s.label()).into(),
        p.pre_development.clone().into(),
    ]
}

/// The derived columns of a stored parcel (its `area_ha` and `data`); None when `data` is not
/// a parcel.
pub(crate) fn derived_values(area_ha: &str, data: &str) -> Option<Vec<Value>> {
    let p: Parcel = serde_json::from_str(data).ok()?;
    Some(derived_from_parcel(area_ha, &p))
}

/// A decimal text as a number (NULL when it is not one).
fn number(text: &str) -> Value {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .map_or(Value::Null, Value::Real)
}

/// Whether the store has the GIS columns and tables (migration gpkg 006 / postgres 004): a
/// store written by an older landplan and opened read-only has not.
pub(crate) fn has_gis_columns(db: &mut dyn Backend) -> Result<bool, StoreError> {
    db.column_exists("parcel", "planar_ha")
}

/// Bring everything derived up to date: the derived parcel columns where they are missing,
/// the column titles, the township layer, and every plan's layers. After an export or a
/// restore, inside its transaction (a store being made: whole or absent). Opening a store
/// that needs its layers rewritten after a migration does the plans in batches instead
/// ([`refresh_base`], then [`refresh_pending`]).
pub(crate) fn refresh_all(db: &mut dyn Backend, srid: i32) -> Result<(), StoreError> {
    if !refresh_base(db, srid)? {
        return Ok(());
    }
    let plans: Vec<i64> = db
        .query("SELECT id FROM plan ORDER BY id", &[])?
        .into_iter()
        .filter_map(|r| r[0].as_i64())
        .collect();
    // Views of plans that no longer exist (none do: plans are never deleted) and of plans
    // whose layers are rewritten below.
    let existing = plan_layers(db, "plan_")?;
    for name in &existing {
        if is_layer_name(name) {
            drop_layer(db, name)?;
        }
    }
    let none = BTreeSet::new();
    for id in plans {
        refresh_plan_known(db, id, srid, &none)?;
    }
    Ok(())
}

/// Everything derived but the plan layers: the derived parcel columns where they are
/// missing, the parcel and township column titles, the township layer (and in PostgreSQL the
/// township geometry's SRID). False when the store has no GIS columns (nothing to do).
pub(crate) fn refresh_base(db: &mut dyn Backend, srid: i32) -> Result<bool, StoreError> {
    if !has_gis_columns(db)? {
        return Ok(false);
    }
    fill_derived(db)?;
    if db.kind() == BackendKind::Postgres {
        // The township table of a store made before it existed has no SRID yet.
        let typed = db.query(
            "SELECT 1 FROM geometry_columns WHERE f_table_schema = current_schema() AND f_table_name = 'township' AND srid = CAST(? AS integer)",
            &[Value::Int(srid as i64)],
        )?;
        if typed.is_empty() {
            db.batch(&format!(
                "ALTER TABLE township ALTER COLUMN geom TYPE geometry(MultiPolygon, {srid}) USING ST_SetSRID(geom, {srid}); \
                 CREATE INDEX IF NOT EXISTS township_geom ON township USING GIST (geom)"
            ))?;
        }
    }
    let titles: Vec<&Title> = PARCEL_TITLES.iter().collect();
    write_titles(db, "parcel", "地块", &titles)?;
    refresh_township_layer(db, srid)?;
    refresh_control_layer(db, srid)?;
    refresh_reserve_layer(db, srid)?;
    Ok(true)
}

/// The `landplan_meta` key of an unfinished rewrite of the plan layers: the id of the first
/// plan whose layers are still to be rewritten. Set by a migration that concerns the layers,
/// moved by each batch of `refresh_pending`, removed when the last plan is done; a store
/// opened while it is set finishes the rewrite.
pub const LAYERS_PENDING: &str = "layers_pending";

/// How many plan layers one transaction of `refresh_pending` rewrites at most (plus those
/// of the plan that crosses the bound): PostgreSQL holds a lock per view created until the
/// transaction ends, and its lock table has room for some thousands in all (64 per
/// connection by default), so thousands of views in one transaction fail with “out of shared
/// memory”.
pub const LAYER_BATCH: usize = 200;

/// How far a rewrite of the plan layers has come: plans done (of this rewrite, in
/// `plan.id` order) of the plans in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerProgress {
    /// Plans whose layers are rewritten (in this store, up to the batch just committed).
    pub done: u64,
    /// Plans in the store.
    pub total: u64,
}

/// Ask for the plan layers of every plan to be rewritten (from the first), inside the caller's
/// transaction; [`refresh_pending`] does it after the transaction.
pub(crate) fn request_rewrite(db: &mut dyn Backend) -> Result<(), StoreError> {
    db.exec(
        "DELETE FROM landplan_meta WHERE key = ?",
        &[LAYERS_PENDING.into()],
    )?;
    db.exec(
        "INSERT INTO landplan_meta (key, value) VALUES (?, ?)",
        &[LAYERS_PENDING.into(), "0".into()],
    )?;
    Ok(())
}

/// Rewrite the plan layers a migration asked for ([`LAYERS_PENDING`]), in transactions of at
/// most about [`LAYER_BATCH`] views each, reporting after each one. Idempotent and resumable:
/// each transaction moves the mark, so a rewrite interrupted (killed, the machine stopped) is
/// finished by the next landplan that opens the store for writing, from where it stopped.
/// Several processes may do it at once (each batch is a write transaction that reads the mark
/// afresh).
pub(crate) fn refresh_pending(
    db: &mut dyn Backend,
    srid: i32,
    progress: &mut dyn FnMut(LayerProgress),
) -> Result<(), StoreError> {
    loop {
        db.begin_write()?;
        let r = refresh_batch(db, srid);
        let step = match r {
            Ok(v) => {
                db.commit()?;
                v
            }
            Err(e) => {
                let _ = db.rollback();
                return Err(e);
            }
        };
        match step {
            Some(p) => {
                progress(p);
                if p.done >= p.total {
                    return Ok(());
                }
            }
            None => return Ok(()),
        }
    }
}

/// Whether the store has an unfinished rewrite of its plan layers.
pub(crate) fn rewrite_pending(db: &mut dyn Backend) -> Result<bool, StoreError> {
    Ok(!db
        .query(
            "SELECT 1 FROM landplan_meta WHERE key = ?",
            &[LAYERS_PENDING.into()],
        )?
        .is_empty())
}

/// One batch of [`refresh_pending`], in the caller's transaction; None when nothing is pending.
fn refresh_batch(db: &mut dyn Backend, srid: i32) -> Result<Option<LayerProgress>, StoreError> {
    let Some(next) = db
        .query(
            "SELECT value FROM landplan_meta WHERE key = ?",
            &[LAYERS_PENDING.into()],
        )?
        .into_iter()
        .next()
        .and_then(|r| r[0].text().parse::<i64>().ok())
    else {
        return Ok(None);
    };
    let count = |db: &mut dyn Backend, sql: &str, p: &[Value]| -> Result<u64, StoreError> {
        Ok(db
            .query(sql, p)?
            .first()
            .and_then(|r| r[0].as_i64())
            .unwrap_or(0)
            .max(0) as u64)
    };
    let total = count(db, "SELECT COUNT(*) FROM plan", &[])?;
    let gis = has_gis_columns(db)?;
    let ids: Vec<i64> = if gis {
        db.query(
            "SELECT id FROM plan WHERE id >= ? ORDER BY id LIMIT ?",
            &[Value::Int(next), Value::Int(LAYER_BATCH as i64)],
        )?
        .into_iter()
        .filter_map(|r| r[0].as_i64())
        .collect()
    } else {
        Vec::new()
    };
    // The store's plan layers, read once for the batch (not once per plan).
    let existing: BTreeSet<String> = if ids.is_empty() {
        BTreeSet::new()
    } else {
        plan_layers(db, "plan_")?.into_iter().collect()
    };
    let mut views = 0;
    let mut last = None;
    for id in ids {
        views += refresh_plan_known(db, id, srid, &existing)?.len();
        last = Some(id);
        if views >= LAYER_BATCH {
            break;
        }
    }
    let more = match last {
        Some(l) => {
            count(
                db,
                "SELECT COUNT(*) FROM plan WHERE id > ?",
                &[Value::Int(l)],
            )? > 0
        }
        None => false,
    };
    db.exec(
        "DELETE FROM landplan_meta WHERE key = ?",
        &[LAYERS_PENDING.into()],
    )?;
    if let (true, Some(l)) = (more, last) {
        db.exec(
            "INSERT INTO landplan_meta (key, value) VALUES (?, ?)",
            &[LAYERS_PENDING.into(), (l + 1).to_string().into()],
        )?;
        let done = count(
            db,
            "SELECT COUNT(*) FROM plan WHERE id <= ?",
            &[Value::Int(l)],
        )?;
        return Ok(Some(LayerProgress { done, total }));
    }
    Ok(Some(LayerProgress { done: total, total }))
}

/// Fill the derived columns of parcels stored before they existed (or restored from a
/// backup without them), a slice at a time.
fn fill_derived(db: &mut dyn Backend) -> Result<(), StoreError> {
    let mut last = i64::MIN;
    loop {
        let mut rows: Vec<(i64, String, String)> = Vec::new();
        db.query_each(
            "SELECT fid, area_ha, data FROM parcel WHERE area_ha_num IS NULL AND fid > ? ORDER BY fid LIMIT 2000",
            &[Value::Int(last)],
            &mut |r| {
                rows.push((r[0].as_i64().unwrap_or(0), r[1].text(), r[2].text()));
                Ok(())
            },
        )?;
        if rows.is_empty() {
            return Ok(());
        }
        for (fid, area, data) in rows {
            last = fid;
            let Some(mut values) = derived_values(&area, &data) else {
                continue;
            };
            values.push(Value::Int(fid));
            db.exec(
                "UPDATE parcel SET area_ha_num = ?, funds_wan = ?, funds_wan_num = ?, timing = ?, quarter = ?, housing = ?, reserve_status = ?, pre_development = ? WHERE fid = ?",
                &values,
            )?;
        }
    }
}

/// Write the Chinese titles of a table's (or view's) columns: `gpkg_data_columns` rows, or
/// PostgreSQL column comments (and the table's own comment).
fn write_titles(
    db: &mut dyn Backend,
    table: &str,
    table_title: &str,
    titles: &[&Title],
) -> Result<(), StoreError> {
    match db.kind() {
        BackendKind::GeoPackage => {
            db.exec(
                "DELETE FROM gpkg_data_columns WHERE table_name = ?",
                &[table.into()],
            )?;
            for c in titles {
                db.exec(
                    "INSERT INTO gpkg_data_columns (table_name, column_name, name, title, description) VALUES (?, ?, ?, ?, ?)",
                    &[
                        table.into(),
                        c.column.into(),
                        c.name.into(),
                        c.name.into(),
                        c.description.into(),
                    ],
                )?;
            }
        }
        BackendKind::Postgres => {
            let kind = if table.starts_with("plan_") {
                "VIEW"
            } else {
                "TABLE"
            };
            let mut sql = format!("COMMENT ON {kind} {table} IS {};", quote(table_title));
            for c in titles {
                sql.push_str(&format!(
                    "COMMENT ON COLUMN {table}.{} IS {};",
                    c.column,
                    quote(&format!("{}：{}", c.name, c.description))
                ));
            }
            db.batch(&sql)?;
        }
    }
    Ok(())
}

/// An SQL string literal.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The names of the store's views (and, in a GeoPackage, registered layers) starting with
/// `prefix` (plan layers), found by the database (an index range of its catalogue, not a scan
/// of every view: a national store has tens of thousands). PostgreSQL: `pg_views`, not
/// `information_schema.views`, whose privilege checks make each lookup slower as the
/// catalogue grows.
fn plan_layers(db: &mut dyn Backend, prefix: &str) -> Result<Vec<String>, StoreError> {
    let pattern = format!(
        "{}%",
        prefix
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let rows = match db.kind() {
        BackendKind::GeoPackage => db.query(
            "SELECT name FROM sqlite_master WHERE type = 'view' AND name LIKE ?1 ESCAPE '\\' UNION SELECT table_name FROM gpkg_contents WHERE table_name LIKE ?1 ESCAPE '\\' ORDER BY 1",
            &[pattern.into()],
        )?,
        BackendKind::Postgres => db.query(
            "SELECT viewname::text FROM pg_catalog.pg_views WHERE schemaname = current_schema() AND viewname LIKE ? ESCAPE '\\' ORDER BY 1",
            &[pattern.into()],
        )?,
    };
    Ok(rows
        .into_iter()
        .map(|r| r[0].text())
        // LIKE ignores case in SQLite: keep exactly the prefix.
        .filter(|n| n.starts_with(prefix))
        .collect())
}

/// Remove a plan layer (the view and, in a GeoPackage, its registration).
fn drop_layer(db: &mut dyn Backend, name: &str) -> Result<(), StoreError> {
    if !is_layer_name(name) {
        return Err(StoreError::Corrupt(format!(
            "图层名“{name}”不是 landplan 的计划图层"
        )));
    }
    if db.kind() == BackendKind::GeoPackage {
        for table in [
            "gpkg_data_columns",
            "gpkg_geometry_columns",
            "gpkg_contents",
        ] {
            db.exec(
                &format!("DELETE FROM {table} WHERE table_name = ?"),
                &[name.into()],
            )?;
        }
    }
    db.batch(&format!("DROP VIEW IF EXISTS {name}"))
}

/// Whether a name is one landplan gives a plan layer: `plan_` and a region code, then only
/// lowercase ASCII letters, digits and underscores (never the tables `plan_version`, …).
fn is_layer_name(name: &str) -> bool {
    name.strip_prefix("plan_")
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// The layer name of a plan version: `plan_330102_2025_supply_v1`, or `…_draft`.
pub fn layer_name(region: &str, year: i32, kind: &str, suffix: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect()
    };
    format!(
        "plan_{}_{year}_{}_{}",
        clean(region),
        clean(kind),
        clean(suffix)
    )
}

/// One version that gets a layer.
struct LayerVersion {
    version_id: i64,
    version: i64,
    status: PlanStatus,
    import_id: i64,
}

/// Rewrite the layers of one plan: one per published version, and `_draft` for the current
/// version when it is not published. Returns the layer names.
pub(crate) fn refresh_plan(
    db: &mut dyn Backend,
    plan_id: i64,
    srid: i32,
) -> Result<Vec<String>, StoreError> {
    if !has_gis_columns(db)? {
        return Ok(Vec::new());
    }
    let Some(prefix) = plan_prefix(db, plan_id)? else {
        return Ok(Vec::new());
    };
    let existing: BTreeSet<String> = plan_layers(db, &prefix)?.into_iter().collect();
    refresh_plan_known(db, plan_id, srid, &existing)
}

/// The prefix of a plan's layer names (`plan_330102_2025_supply_`), None when there is no
/// such plan.
fn plan_prefix(db: &mut dyn Backend, plan_id: i64) -> Result<Option<String>, StoreError> {
    Ok(db
        .query(
            "SELECT region, year, kind FROM plan WHERE id = ?",
            &[Value::Int(plan_id)],
        )?
        .into_iter()
        .next()
        .map(|r| {
            layer_name(
                &r[0].text(),
                r[1].as_i64().unwrap_or(0) as i32,
                &r[2].text(),
                "",
            )
        }))
}

/// [`refresh_plan`] in a store known to have the GIS columns, `existing` holding (at least)
/// the plan's current layers, which are dropped and written again.
fn refresh_plan_known(
    db: &mut dyn Backend,
    plan_id: i64,
    srid: i32,
    existing: &BTreeSet<String>,
) -> Result<Vec<String>, StoreError> {
    let plan = db.query(
        "SELECT p.region, p.year, p.kind, r.name FROM plan p LEFT JOIN region r ON r.code = p.region WHERE p.id = ?",
        &[Value::Int(plan_id)],
    )?;
    let Some(plan) = plan.into_iter().next() else {
        return Ok(Vec::new());
    };
    let (region, year, kind) = (
        plan[0].text(),
        plan[1].as_i64().unwrap_or(0) as i32,
        plan[2].text(),
    );
    let region_name = plan[3].opt_text().unwrap_or_else(|| region.clone());
    let versions: Vec<LayerVersion> = db
        .query(
            "SELECT id, version, status, import_id FROM plan_version WHERE plan_id = ? ORDER BY version",
            &[Value::Int(plan_id)],
        )?
        .into_iter()
        .filter_map(|r| {
            Some(LayerVersion {
                version_id: r[0].as_i64()?,
                version: r[1].as_i64()?,
                status: PlanStatus::parse(&r[2].text())?,
                import_id: r[3].as_i64()?,
            })
        })
        .collect();
    let mut wanted: BTreeMap<String, (&LayerVersion, bool)> = BTreeMap::new();
    for v in &versions {
        if v.status == PlanStatus::Published {
            wanted.insert(
                layer_name(&region, year, &kind, &format!("v{}", v.version)),
                (v, false),
            );
        }
    }
    if let Some(cur) = versions
        .last()
        .filter(|v| v.status != PlanStatus::Published)
    {
        wanted.insert(layer_name(&region, year, &kind, "draft"), (cur, true));
    }
    let prefix = layer_name(&region, year, &kind, "");
    for name in existing.range(prefix.clone()..) {
        if !name.starts_with(&prefix) {
            break;
        }
        drop_layer(db, name)?;
    }
    let kind_label = match kind.as_str() {
        "reserve" => "土地储备计划",
        _ => "国有建设用地供应计划",
    };
    for (name, (v, draft)) in &wanted {
        create_layer(
            db,
            srid,
            name,
            v,
            &LayerLabel {
                identifier: format!(
                    "{region_name}（{region}）{year} 年{kind_label} 第 {} 版（{}）{}",
                    v.version,
                    v.status.label(),
                    if *draft { "·当前稿" } else { "" }
                ),
                description: if *draft {
                    format!(
                        "{region_name} {year} 年{kind_label}尚未公布的当前版本（第 {} 版，{}）的地块；版本公布后由“第 {} 版”图层取代",
                        v.version,
                        v.status.label(),
                        v.version
                    )
                } else {
                    format!(
                        "{region_name} {year} 年{kind_label}第 {} 版（已公布）的地块，即公布的计划所含的地块",
                        v.version
                    )
                },
            },
        )?;
    }
    Ok(wanted.into_keys().collect())
}

/// How a layer presents itself.
struct LayerLabel {
    identifier: String,
    description: String,
}

/// Create one plan layer.
fn create_layer(
    db: &mut dyn Backend,
    srid: i32,
    name: &str,
    v: &LayerVersion,
    label: &LayerLabel,
) -> Result<(), StoreError> {
    if !is_layer_name(name) {
        return Err(StoreError::Invalid(format!("图层名“{name}”无效")));
    }
    let cols: Vec<String> = PLAN_LAYER_COLUMNS
        .iter()
        .map(|c| format!("p.{c} AS {c}"))
        .collect();
    let status_case: String = [
        PlanStatus::Draft,
        PlanStatus::Submitted,
        PlanStatus::Approved,
        PlanStatus::Published,
        PlanStatus::Adjusting,
    ]
    .iter()
    .map(|s| format!(" WHEN '{}' THEN '{}'", s.id(), s.label()))
    .collect();
    let sql = format!(
        "CREATE VIEW {name} AS SELECT {}, p.region AS region, pl.year AS plan_year, \
         CASE pl.kind WHEN 'reserve' THEN '土地储备计划' ELSE '国有建设用地供应计划' END AS plan_kind, \
         v.version AS plan_version, CASE v.status{status_case} ELSE v.status END AS plan_status \
         FROM parcel p JOIN plan_version v ON v.import_id = p.import_id JOIN plan pl ON pl.id = v.plan_id \
         WHERE v.id = {}",
        cols.join(", "),
        v.version_id
    );
    db.batch(&sql)?;
    if db.kind() == BackendKind::GeoPackage {
        let extent = parcel_extent(db, v.import_id)?;
        db.exec(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, max_y, srs_id) VALUES (?, 'features', ?, ?, ?, ?, ?, ?, ?)",
            &[
                name.into(),
                label.identifier.clone().into(),
                label.description.clone().into(),
                extent.map_or(Value::Null, |e| Value::Real(e[0])),
                extent.map_or(Value::Null, |e| Value::Real(e[1])),
                extent.map_or(Value::Null, |e| Value::Real(e[2])),
                extent.map_or(Value::Null, |e| Value::Real(e[3])),
                Value::Int(srid as i64),
            ],
        )?;
        db.exec(
            "INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m) VALUES (?, 'geom', 'MULTIPOLYGON', ?, 0, 0)",
            &[name.into(), Value::Int(srid as i64)],
        )?;
    }
    let mut titles: Vec<&Title> = PLAN_LAYER_COLUMNS
        .iter()
        .filter_map(|c| PARCEL_TITLES.iter().find(|t| t.column == *c))
        .collect();
    titles.extend(PLAN_TITLES.iter());
    write_titles(db, name, &label.identifier, &titles)
}

/// The extent `[min_x, min_y, max_x, max_y]` of an import's parcel boundaries.
fn parcel_extent(db: &mut dyn Backend, import_id: i64) -> Result<Option<[f64; 4]>, StoreError> {
    let geom = db.geom_select();
    let mut blobs = Vec::new();
    db.query_each(
        &format!("SELECT {geom} FROM parcel WHERE import_id = ? AND geom IS NOT NULL"),
        &[Value::Int(import_id)],
        &mut |mut r| {
            blobs.push(r.remove(0));
            Ok(())
        },
    )?;
    let mut ext: Option<[f64; 4]> = None;
    for b in blobs {
        if let Some(g) = db.geom_decode(b) {
            extend(&mut ext, &g);
        }
    }
    Ok(ext)
}

/// Grow an extent by a geometry's points.
pub(crate) fn extend(ext: &mut Option<[f64; 4]>, g: &crate::geom::Geometry) {
    for p in &g.0 {
        for c in p.exterior().0.iter() {
            let e = ext.get_or_insert([c.x, c.y, c.x, c.y]);
            e[0] = e[0].min(c.x);
            e[1] = e[1].min(c.y);
            e[2] = e[2].max(c.x);
            e[3] = e[3].max(c.y);
        }
    }
}

/// Register the township table as a layer (GeoPackage) once it has boundaries, with its
/// extent, and write its column titles.
pub(crate) fn refresh_township_layer(db: &mut dyn Backend, srid: i32) -> Result<(), StoreError> {
    refresh_feature_table(
        db,
        srid,
        ("township", "乡镇界", "导入的乡镇（街道）界线"),
        TOWNSHIP_TITLES,
    )
}

/// Register the control-line table as a layer (GeoPackage) once it has features, with its
/// extent, and write its column titles; in PostgreSQL give its geometry column the store's
/// SRID first (the migration that made it could not know it).
pub(crate) fn refresh_control_layer(db: &mut dyn Backend, srid: i32) -> Result<(), StoreError> {
    if !db.table_exists("control_line")? {
        return Ok(());
    }
    if db.kind() == BackendKind::Postgres {
        let typed = db.query(
            "SELECT 1 FROM geometry_columns WHERE f_table_schema = current_schema() AND f_table_name = 'control_line' AND srid = CAST(? AS integer)",
            &[Value::Int(srid as i64)],
        )?;
        if typed.is_empty() {
            db.batch(&format!(
                "ALTER TABLE control_line ALTER COLUMN geom TYPE geometry(MultiPolygon, {srid}) USING ST_SetSRID(geom, {srid}); \
                 CREATE INDEX IF NOT EXISTS control_line_geom ON control_line USING GIST (geom)"
            ))?;
        }
    }
    refresh_feature_table(
        db,
        srid,
        (
            "control_line",
            "管控线",
            "导入的管控线图层（永久基本农田、生态保护红线、城镇开发边界等），按行政区和图层名称区分",
        ),
        CONTROL_TITLES,
    )
}

/// Register the reserve parcel table as the feature layer 储备地块 once it has its geometry
/// column (migration gpkg 015 / postgres 013), with or without boundaries yet (a layer with
/// no extent), and write its column titles; in PostgreSQL give its geometry column the store's
/// SRID and a GiST index first (the migration could not know the SRID).
pub(crate) fn refresh_reserve_layer(db: &mut dyn Backend, srid: i32) -> Result<(), StoreError> {
    if !db.table_exists("reserve_parcel")? || !db.column_exists("reserve_parcel", "geom")? {
        return Ok(());
    }
    let (table, identifier) = ("reserve_parcel", "储备地块");
    let description = "按县（行政区）保存的储备地块：编号、项目名称、乡镇、状态、面积与边界";
    let titles: Vec<&Title> = RESERVE_TITLES.iter().collect();
    match db.kind() {
        BackendKind::Postgres => {
            let typed = db.query(
                "SELECT 1 FROM geometry_columns WHERE f_table_schema = current_schema() AND f_table_name = 'reserve_parcel' AND srid = CAST(? AS integer)",
                &[Value::Int(srid as i64)],
            )?;
            if typed.is_empty() {
                db.batch(&format!(
                    "ALTER TABLE reserve_parcel ALTER COLUMN geom TYPE geometry(MultiPolygon, {srid}) USING ST_SetSRID(geom, {srid}); \
                     CREATE INDEX IF NOT EXISTS reserve_parcel_geom ON reserve_parcel USING GIST (geom)"
                ))?;
            }
            write_titles(db, table, identifier, &titles)
        }
        BackendKind::GeoPackage => {
            let geom = db.geom_select();
            let mut blobs = Vec::new();
            db.query_each(
                &format!("SELECT {geom} FROM {table} WHERE geom IS NOT NULL"),
                &[],
                &mut |mut r| {
                    blobs.push(r.remove(0));
                    Ok(())
                },
            )?;
            let mut ext = None;
            for b in blobs {
                if let Some(g) = db.geom_decode(b) {
                    extend(&mut ext, &g);
                }
            }
            for t in ["gpkg_geometry_columns", "gpkg_contents"] {
                db.exec(
                    &format!("DELETE FROM {t} WHERE table_name = ?"),
                    &[table.into()],
                )?;
            }
            let e = ext.map(|e| e.map(Value::Real));
            let [min_x, min_y, max_x, max_y] =
                e.unwrap_or([Value::Null, Value::Null, Value::Null, Value::Null]);
            db.exec(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, max_y, srs_id) VALUES (?, 'features', ?, ?, ?, ?, ?, ?, ?)",
                &[
                    table.into(),
                    identifier.into(),
                    description.into(),
                    min_x,
                    min_y,
                    max_x,
                    max_y,
                    Value::Int(srid as i64),
                ],
            )?;
            db.exec(
                "INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m) VALUES (?, 'geom', 'MULTIPOLYGON', ?, 0, 0)",
                &[table.into(), Value::Int(srid as i64)],
            )?;
            write_titles(db, table, identifier, &titles)
        }
    }
}

/// Register a feature table (`table`, its layer's identifier and description) as a
/// GeoPackage layer once it has features, with their extent (and unregister it when it has
/// none), and write its column titles (both backends).
fn refresh_feature_table(
    db: &mut dyn Backend,
    srid: i32,
    (table, identifier, description): (&str, &str, &str),
    titles: &[Title],
) -> Result<(), StoreError> {
    if !db.table_exists(table)? {
        return Ok(());
    }
    let geom = db.geom_select();
    let mut blobs = Vec::new();
    db.query_each(
        &format!("SELECT {geom} FROM {table} WHERE geom IS NOT NULL"),
        &[],
        &mut |mut r| {
            blobs.push(r.remove(0));
            Ok(())
        },
    )?;
    let mut ext = None;
    for b in blobs {
        if let Some(g) = db.geom_decode(b) {
            extend(&mut ext, &g);
        }
    }
    let titles: Vec<&Title> = titles.iter().collect();
    match db.kind() {
        BackendKind::GeoPackage => {
            for t in ["gpkg_geometry_columns", "gpkg_contents"] {
                db.exec(
                    &format!("DELETE FROM {t} WHERE table_name = ?"),
                    &[table.into()],
                )?;
            }
            let Some(e) = ext else {
                db.exec(
                    "DELETE FROM gpkg_data_columns WHERE table_name = ?",
                    &[table.into()],
                )?;
                return Ok(());
            };
            db.exec(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, max_y, srs_id) VALUES (?, 'features', ?, ?, ?, ?, ?, ?, ?)",
                &[
                    table.into(),
                    identifier.into(),
                    description.into(),
                    Value::Real(e[0]),
                    Value::Real(e[1]),
                    Value::Real(e[2]),
                    Value::Real(e[3]),
                    Value::Int(srid as i64),
                ],
            )?;
            db.exec(
                "INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m) VALUES (?, 'geom', 'MULTIPOLYGON', ?, 0, 0)",
                &[table.into(), Value::Int(srid as i64)],
            )?;
            write_titles(db, table, identifier, &titles)
        }
        BackendKind::Postgres => write_titles(db, table, identifier, &titles),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_names_are_plain_identifiers() {
        assert_eq!(
            layer_name("330102", 2025, "supply", "v1"),
            "plan_330102_2025_supply_v1"
        );
        assert_eq!(
            layer_name("330102", 2025, "reserve", "draft"),
            "plan_330102_2025_reserve_draft"
        );
        assert!(is_layer_name("plan_330102_2025_supply_v12"));
        assert!(!is_layer_name("plan_1; DROP TABLE parcel"));
        assert!(!is_layer_name("parcel"));
        assert!(!is_layer_name("plan_version"));
        assert!(!is_layer_name("plan_event"));
    }

    #[test]
    fn every_plan_layer_column_has_a_title() {
        for c in PLAN_LAYER_COLUMNS {
            assert!(
                PARCEL_TITLES.iter().any(|t| t.column == *c),
                "{c} has no title"
            );
        }
        // Names are unique per table (gpkg_data_columns requires it).
        for titles in [PARCEL_TITLES, TOWNSHIP_TITLES, CONTROL_TITLES, PLAN_TITLES] {
            let mut names: Vec<&str> = titles.iter().map(|t| t.name).collect();
            names.sort();
            let n = names.len();
            names.dedup();
            assert_eq!(names.len(), n);
        }
    }

    #[test]
    fn timings_read_as_a_ledger_writes_them() {
        use landplan_core::parcel::Timing;
        assert_eq!(timing_label(Timing::Quarter { quarter: 2 }), "第二季度");
        assert_eq!(timing_label(Timing::Month { month: 4 }), "4月");
        assert_eq!(
            timing_label(Timing::Date {
                year: 2025,
                month: 7,
                day: 15
            }),
            "2025年7月15日"
        );
    }
}
