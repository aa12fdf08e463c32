//! Comparing two versions of a plan: figures (总量, 新增/存量, 结构, 布局, 时序, 方式 …) and
//! parcels added, removed and changed (attributes and geometry).

use crate::db::Value;
use crate::error::StoreError;
use crate::plan::{PlanKey, PlanVersion};
use crate::Store;
use landplan_core::compile::{CompiledPlan, PlanParts};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One figure that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FigureChange {
    /// What figure (总量, 结构：住宅用地（07）…).
    pub item: String,
    /// Value in the older version (None: absent).
    pub before: Option<Decimal>,
    /// Value in the newer version (None: absent).
    pub after: Option<Decimal>,
    /// after − before.
    pub delta: Decimal,
}

/// A parcel added or removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParcelBrief {
    /// 地块编号.
    pub id: String,
    /// Area, 公顷.
    pub area_ha: Decimal,
    /// 用途 as written.
    pub class_text: String,
    /// 乡镇.
    pub township: Option<String>,
}

/// A field of a parcel that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// The field's Chinese name.
    pub field: String,
    /// Before (display text).
    pub before: String,
    /// After (display text).
    pub after: String,
}

/// A parcel present in both versions with differences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParcelChange {
    /// 地块编号.
    pub id: String,
    /// What changed.
    pub fields: Vec<FieldChange>,
}

/// Summary of a version in a diff.
#[derive(Debug, Clone, Serialize)]
pub struct VersionBrief {
    /// Version number.
    pub version: i64,
    /// Status label.
    pub status: String,
    /// Why the version exists.
    pub reason: Option<String>,
    /// 总量, 公顷.
    pub total_ha: Decimal,
    /// Parcels.
    pub parcel_count: i64,
}

/// The differences between two versions.
#[derive(Debug, Clone, Serialize)]
pub struct PlanDiff {
    /// The plan.
    pub plan: PlanKey,
    /// The older version.
    pub from: VersionBrief,
    /// The newer version.
    pub to: VersionBrief,
    /// Figures that differ.
    pub figures: Vec<FigureChange>,
    /// Parcels only in `to`.
    pub added: Vec<ParcelBrief>,
    /// Parcels only in `from`.
    pub removed: Vec<ParcelBrief>,
    /// Parcels in both that differ.
    pub changed: Vec<ParcelChange>,
}

impl PlanDiff {
    /// Whether nothing differs.
    pub fn is_empty(&self) -> bool {
        self.figures.is_empty()
            && self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
    }

    /// A report in Chinese.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{}：第 {} 版（{}）→ 第 {} 版（{}）",
            self.plan, self.from.version, self.from.status, self.to.version, self.to.status
        );
        if let Some(r) = &self.to.reason {
            let _ = writeln!(s, "调整理由：{r}");
        }
        let _ = writeln!(
            s,
            "总量：{} 公顷 → {} 公顷；地块：{} 个 → {} 个",
            self.from.total_ha.normalize(),
            self.to.total_ha.normalize(),
            self.from.parcel_count,
            self.to.parcel_count
        );
        if self.is_empty() {
            let _ = writeln!(s, "两个版本的指标与地块完全相同。");
            return s;
        }
        if !self.figures.is_empty() {
            let _ = writeln!(s, "\n指标变化（公顷）：");
            for f in &self.figures {
                let show = |v: Option<Decimal>| {
                    v.map(|d| d.normalize().to_string())
                        .unwrap_or_else(|| "无".into())
                };
                let _ = writeln!(
                    s,
                    "  {}：{} → {}（{}{}）",
                    f.item,
                    show(f.before),
                    show(f.after),
                    if f.delta.is_sign_negative() { "" } else { "+" },
                    f.delta.normalize()
                );
            }
        }
        if !self.added.is_empty() {
            let _ = writeln!(s, "\n新增地块 {} 个：", self.added.len());
            for p in &self.added {
                let _ = writeln!(
                    s,
                    "  + {}　{} 公顷　{}　{}",
                    p.id,
                    p.area_ha.normalize(),
                    p.class_text,
                    p.township.as_deref().unwrap_or("")
                );
            }
        }
        if !self.removed.is_empty() {
            let _ = writeln!(s, "\n删除地块 {} 个：", self.removed.len());
            for p in &self.removed {
                let _ = writeln!(
                    s,
                    "  - {}　{} 公顷　{}　{}",
                    p.id,
                    p.area_ha.normalize(),
                    p.class_text,
                    p.township.as_deref().unwrap_or("")
                );
            }
        }
        if !self.changed.is_empty() {
            let _ = writeln!(s, "\n变更地块 {} 个：", self.changed.len());
            for c in &self.changed {
                let parts: Vec<String> = c
                    .fields
                    .iter()
                    .map(|f| format!("{}：{} → {}", f.field, f.before, f.after))
                    .collect();
                let _ = writeln!(s, "  * {}　{}", c.id, parts.join("；"));
            }
        }
        s
    }
}

/// The figures of a compiled plan, in report order: (item, value in 公顷, or 元 for funds).
///
/// Every plan's 总量, 新增/存量 and its structure and layout lines, then the kind's own: a
/// supply plan's housing lines (after the structure), timing and methods; a reserve plan's
/// statuses and funds.
pub fn figures(plan: &CompiledPlan) -> Vec<(String, Decimal)> {
    let mut out: Vec<(String, Decimal)> = vec![
        ("总量".into(), plan.total.ha()),
        ("新增".into(), plan.new.ha()),
        ("存量".into(), plan.stock.ha()),
        ("未注明新增或存量".into(), plan.source_unspecified.ha()),
    ];
    for l in &plan.structure {
        out.push((format!("结构：{}（{}）", l.name, l.code), l.area.ha()));
    }
    if let Some(s) = plan.supply() {
        for l in &s.housing {
            out.push((format!("住宅：{}", l.kind.id()), l.area.ha()));
        }
    }
    for l in &plan.layout {
        out.push((format!("布局：{}", l.name), l.area.ha()));
    }
    match &plan.parts {
        PlanParts::Supply(s) => {
            for l in &s.timing {
                out.push((format!("时序：第{}季度", l.quarter), l.area.ha()));
            }
            for l in &s.methods {
                out.push((format!("方式：{}", l.name), l.area.ha()));
            }
        }
        PlanParts::Reserve(r) => {
            for l in &r.status {
                out.push((format!("储备状态：{}", l.name), l.area.ha()));
            }
            out.push(("资金需求（元）".into(), r.funds.0));
        }
    }
    out
}

fn field_label(k: &str) -> &str {
    match k {
        "location" => "坐落",
        "stated_area" => "面积",
        "class_text" => "用途",
        "class" => "用途分类",
        "township" => "乡镇",
        "source" => "新增/存量",
        "method" => "供应方式",
        "timing" => "供应时间",
        "housing" => "住宅类型",
        "reserve_status" => "储备状态",
        "pre_development" => "前期开发",
        "funds" => "资金需求",
        other => other,
    }
}

fn show(field: &str, v: Option<&Json>) -> String {
    use landplan_core::parcel::{HousingType, LandSource, ReserveStatus, SupplyMethod, Timing};
    use landplan_core::units::{Money, StatedArea};
    let v = match v {
        None | Some(Json::Null) => return "（空）".into(),
        Some(v) => v.clone(),
    };
    let label = match field {
        "stated_area" => serde_json::from_value::<StatedArea>(v.clone())
            .ok()
            .map(|a| format!("{}{}", a.value, a.unit.label())),
        "source" => serde_json::from_value::<LandSource>(v.clone())
            .ok()
            .map(|x| x.label().to_string()),
        "method" => serde_json::from_value::<SupplyMethod>(v.clone())
            .ok()
            .map(|x| x.label().to_string()),
        "housing" => serde_json::from_value::<HousingType>(v.clone())
            .ok()
            .map(|x| x.label().to_string()),
        "reserve_status" => serde_json::from_value::<ReserveStatus>(v.clone())
            .ok()
            .map(|x| x.label().to_string()),
        "timing" => serde_json::from_value::<Timing>(v.clone())
            .ok()
            .map(|t| match t {
                Timing::Quarter { quarter } => format!("第{quarter}季度"),
                Timing::Month { month } => format!("{month}月"),
                Timing::Date { year, month, day } => format!("{year}年{month}月{day}日"),
            }),
        "funds" => serde_json::from_value::<Money>(v.clone())
            .ok()
            .map(|m| format!("{} 万元", m.wan_yuan().normalize())),
        _ => None,
    };
    label.unwrap_or_else(|| match v {
        Json::String(s) => s,
        other => other.to_string(),
    })
}

struct Loaded {
    data: Json,
    area: Decimal,
    geometry: Option<crate::geom::Geometry>,
}

impl Store {
    fn load_parcels(&mut self, import_id: i64) -> Result<BTreeMap<String, Loaded>, StoreError> {
        let geom = self.db.geom_select();
        let rows = self.db.query(
            &format!("SELECT parcel_id, data, area_ha, {geom} FROM parcel WHERE import_id = ? ORDER BY fid"),
            &[Value::Int(import_id)],
        )?;
        let mut out = BTreeMap::new();
        for mut r in rows {
            let g = std::mem::replace(&mut r[3], Value::Null);
            let mut data: Json = serde_json::from_str(&r[1].text())?;
            if let Some(o) = data.as_object_mut() {
                o.remove("row");
            }
            out.insert(
                r[0].text(),
                Loaded {
                    data,
                    area: r[2].text().parse().unwrap_or_default(),
                    geometry: self.db.geom_decode(g),
                },
            );
        }
        Ok(out)
    }

    /// Compare two versions of a plan (`from` older, `to` newer; any two numbers work).
    pub fn diff(&mut self, key: &PlanKey, from: i64, to: i64) -> Result<PlanDiff, StoreError> {
        let a = self.version(key, from)?;
        let b = self.version(key, to)?;
        let fa = figures(&self.compiled(a.version_id)?);
        let fb = figures(&self.compiled(b.version_id)?);
        let mut figs = Vec::new();
        let map_a: BTreeMap<_, _> = fa.iter().cloned().collect();
        let map_b: BTreeMap<_, _> = fb.iter().cloned().collect();
        for (k, vb) in &fb {
            let va = map_a.get(k).copied();
            if va != Some(*vb) {
                figs.push(FigureChange {
                    item: k.clone(),
                    before: va,
                    after: Some(*vb),
                    delta: *vb - va.unwrap_or_default(),
                });
            }
        }
        for (k, va) in &fa {
            if !map_b.contains_key(k) {
                figs.push(FigureChange {
                    item: k.clone(),
                    before: Some(*va),
                    after: None,
                    delta: -*va,
                });
            }
        }
        let (mut added, mut removed, mut changed) = (Vec::new(), Vec::new(), Vec::new());
        if a.import_id != b.import_id {
            let pa = self.load_parcels(a.import_id)?;
            let pb = self.load_parcels(b.import_id)?;
            let brief = |id: &str, l: &Loaded| ParcelBrief {
                id: id.to_string(),
                area_ha: l.area,
                class_text: l
                    .data
                    .get("class_text")
                    .and_then(Json::as_str)
                    .unwrap_or("")
                    .to_string(),
                township: l
                    .data
                    .get("township")
                    .and_then(Json::as_str)
                    .map(str::to_string),
            };
            for (id, lb) in &pb {
                match pa.get(id) {
                    None => added.push(brief(id, lb)),
                    Some(la) => {
                        let mut fields = Vec::new();
                        let empty = serde_json::Map::new();
                        let oa = la.data.as_object().unwrap_or(&empty);
                        let ob = lb.data.as_object().unwrap_or(&empty);
                        let mut keys: Vec<&String> = ob.keys().collect();
                        keys.extend(oa.keys().filter(|k| !ob.contains_key(*k)));
                        for k in keys {
                            if k == "class" && oa.get("class_text") != ob.get("class_text") {
                                continue;
                            }
                            if oa.get(k) != ob.get(k) {
                                fields.push(FieldChange {
                                    field: field_label(k).to_string(),
                                    before: show(k, oa.get(k)),
                                    after: show(k, ob.get(k)),
                                });
                            }
                        }
                        if la.geometry != lb.geometry {
                            let g = |w: &Option<crate::geom::Geometry>| {
                                if w.is_some() {
                                    "有".to_string()
                                } else {
                                    "无".to_string()
                                }
                            };
                            fields.push(FieldChange {
                                field: "几何".into(),
                                before: g(&la.geometry),
                                after: if la.geometry.is_some() && lb.geometry.is_some() {
                                    "已改变".into()
                                } else {
                                    g(&lb.geometry)
                                },
                            });
                        }
                        if !fields.is_empty() {
                            changed.push(ParcelChange {
                                id: id.clone(),
                                fields,
                            });
                        }
                    }
                }
            }
            for (id, la) in &pa {
                if !pb.contains_key(id) {
                    removed.push(brief(id, la));
                }
            }
        }
        let vb = |v: &PlanVersion| VersionBrief {
            version: v.version,
            status: v.status.label().to_string(),
            reason: v.reason.clone(),
            total_ha: v.total_ha,
            parcel_count: v.parcel_count,
        };
        Ok(PlanDiff {
            plan: key.clone(),
            from: vb(&a),
            to: vb(&b),
            figures: figs,
            added,
            removed,
            changed,
        })
    }
}
