//! Comparing two versions of a plan: figures (总量, 新增/存量, 结构, 布局, 时序, 方式 …) and
//! parcels added, removed and changed (attributes and geometry).

use crate::db::Value;
use crate::error::StoreError;
use crate::plan::{PlanKey, PlanVersion};
use crate::session::Session;
use landplan_core::compile::{CompiledPlan, PlanParts};
use landplan_core::parcel::{Parcel, Timing};
use landplan_core::units::fmt_dp;
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
    /// Decimals areas are shown with (the plans' display precision).
    #[serde(skip)]
    pub dp: u32,
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
        let dp = self.dp;
        let _ = writeln!(
            s,
            "总量：{} 公顷 → {} 公顷；地块：{} 个 → {} 个",
            fmt_dp(self.from.total_ha, dp),
            fmt_dp(self.to.total_ha, dp),
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
                    v.map(|d| show_figure(&f.item, d, dp))
                        .unwrap_or_else(|| "无".into())
                };
                let _ = writeln!(
                    s,
                    "  {}：{} → {}（{}{}）",
                    f.item,
                    show(f.before),
                    show(f.after),
                    if f.delta.is_sign_negative() { "" } else { "+" },
                    show_figure(&f.item, f.delta, dp)
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
                    fmt_dp(p.area_ha, dp),
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
                    fmt_dp(p.area_ha, dp),
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

/// A figure as shown: money (元) with two decimals, areas at the plan's precision.
pub fn show_figure(item: &str, v: Decimal, dp: u32) -> String {
    if item.ends_with("（元）") {
        fmt_dp(v, 2)
    } else {
        fmt_dp(v, dp)
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
            out.push((format!("住宅：{}", l.kind.label()), l.area.ha()));
        }
    }
    for l in &plan.layout {
        out.push((format!("布局：{}", l.name), l.area.ha()));
    }
    match &plan.parts {
        PlanParts::Supply(s) => {
            for l in &s.timing {
                out.push((
                    format!("时序：{}", landplan_core::monitor::quarter_label(l.quarter)),
                    l.area.ha(),
                ));
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

/// One parcel field as the diff compares and shows it.
struct Field {
    /// The field's Chinese name.
    label: &'static str,
    /// What is compared: the field as stored.
    stored: Json,
    /// What is shown.
    shown: String,
}

fn field<T: Serialize>(label: &'static str, v: &T, shown: String) -> Field {
    Field {
        label,
        stored: serde_json::to_value(v).unwrap_or(Json::Null),
        shown,
    }
}

/// An optional field's text, （空） when not given.
fn or_empty<T>(v: &Option<T>, show: impl Fn(&T) -> String) -> String {
    v.as_ref().map(show).unwrap_or_else(|| "（空）".into())
}

/// The label of a parcel's use classification, when the class changed but not its text.
const CLASS: &str = "用途分类";

/// A parcel's fields in the order the diff lists them (that of the stored JSON's keys).
fn parcel_fields(p: &Parcel) -> [Field; 12] {
    [
        field(CLASS, &p.class, field_json(&p.class)),
        field("用途", &p.class_text, p.class_text.clone()),
        field(
            "资金需求",
            &p.funds,
            or_empty(&p.funds, |m| format!("{} 万元", m.wan_yuan().normalize())),
        ),
        field(
            "住宅类型",
            &p.housing,
            or_empty(&p.housing, |h| h.label().into()),
        ),
        field("坐落", &p.location, or_empty(&p.location, String::clone)),
        field(
            "供应方式",
            &p.method,
            or_empty(&p.method, |m| m.label().into()),
        ),
        field(
            "前期开发",
            &p.pre_development,
            or_empty(&p.pre_development, String::clone),
        ),
        field(
            "储备状态",
            &p.reserve_status,
            or_empty(&p.reserve_status, |s| s.label().into()),
        ),
        field(
            "新增/存量",
            &p.source,
            or_empty(&p.source, |s| s.label().into()),
        ),
        field(
            "面积",
            &p.stated_area,
            format!("{}{}", p.stated_area.value, p.stated_area.unit.label()),
        ),
        field("供应时间", &p.timing, or_empty(&p.timing, timing_text)),
        field("乡镇", &p.township, or_empty(&p.township, String::clone)),
    ]
}

fn field_json<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .map(|v| v.to_string())
        .unwrap_or_default()
}

fn timing_text(t: &Timing) -> String {
    match *t {
        Timing::Quarter { quarter } => format!("第{quarter}季度"),
        Timing::Month { month } => format!("{month}月"),
        Timing::Date { year, month, day } => format!("{year}年{month}月{day}日"),
    }
}

/// What changed in a parcel present in both versions: its fields (the classification only
/// when its text is the same), then its geometry.
fn parcel_change(a: &Loaded, b: &Loaded) -> Vec<FieldChange> {
    let same_text = a.parcel.class_text == b.parcel.class_text;
    let mut fields: Vec<FieldChange> = parcel_fields(&a.parcel)
        .into_iter()
        .zip(parcel_fields(&b.parcel))
        .filter(|(fa, fb)| fa.stored != fb.stored && (fa.label != CLASS || same_text))
        .map(|(fa, fb)| FieldChange {
            field: fa.label.to_string(),
            before: fa.shown,
            after: fb.shown,
        })
        .collect();
    if a.geometry != b.geometry {
        let g = |w: &Option<crate::geom::Geometry>| if w.is_some() { "有" } else { "无" };
        fields.push(FieldChange {
            field: "几何".into(),
            before: g(&a.geometry).into(),
            after: if a.geometry.is_some() && b.geometry.is_some() {
                "已改变".into()
            } else {
                g(&b.geometry).into()
            },
        });
    }
    fields
}

fn brief(id: &str, l: &Loaded) -> ParcelBrief {
    ParcelBrief {
        id: id.to_string(),
        area_ha: l.area,
        class_text: l.parcel.class_text.clone(),
        township: l.parcel.township.clone(),
    }
}

/// A stored parcel.
struct Loaded {
    parcel: Parcel,
    area: Decimal,
    geometry: Option<crate::geom::Geometry>,
}

/// The figures that differ: those of `b` in its order, then those only in `a`.
fn figure_changes(fa: &[(String, Decimal)], fb: &[(String, Decimal)]) -> Vec<FigureChange> {
    let mut figs = Vec::new();
    let map_a: BTreeMap<_, _> = fa.iter().cloned().collect();
    let map_b: BTreeMap<_, _> = fb.iter().cloned().collect();
    for (k, vb) in fb {
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
    for (k, va) in fa {
        if !map_b.contains_key(k) {
            figs.push(FigureChange {
                item: k.clone(),
                before: Some(*va),
                after: None,
                delta: -*va,
            });
        }
    }
    figs
}

/// Parcels added, removed and changed between two imports.
type ParcelChanges = (Vec<ParcelBrief>, Vec<ParcelBrief>, Vec<ParcelChange>);

impl Session<'_> {
    fn load_parcels(&mut self, import_id: i64) -> Result<BTreeMap<String, Loaded>, StoreError> {
        let geom = self.db.geom_select();
        let rows = self.db.query(
            &format!("SELECT parcel_id, data, area_ha, {geom} FROM parcel WHERE import_id = ? ORDER BY fid"),
            &[Value::Int(import_id)],
        )?;
        let mut out = BTreeMap::new();
        for mut r in rows {
            let g = std::mem::replace(&mut r[3], Value::Null);
            out.insert(
                r[0].text(),
                Loaded {
                    parcel: serde_json::from_str(&r[1].text())?,
                    area: r[2].text().parse().unwrap_or_default(),
                    geometry: self.db.geom_decode(g),
                },
            );
        }
        Ok(out)
    }

    fn parcel_changes(&mut self, a: i64, b: i64) -> Result<ParcelChanges, StoreError> {
        let (mut added, mut removed, mut changed) = (Vec::new(), Vec::new(), Vec::new());
        let pa = self.load_parcels(a)?;
        let pb = self.load_parcels(b)?;
        for (id, lb) in &pb {
            match pa.get(id) {
                None => added.push(brief(id, lb)),
                Some(la) => {
                    let fields = parcel_change(la, lb);
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
        Ok((added, removed, changed))
    }

    /// Compare two versions of a plan (`from` older, `to` newer; any two numbers work).
    pub fn diff(&mut self, key: &PlanKey, from: i64, to: i64) -> Result<PlanDiff, StoreError> {
        let a = self.version(key, from)?;
        let b = self.version(key, to)?;
        let (pa, pb) = (self.compiled(a.version_id)?, self.compiled(b.version_id)?);
        let dp = pa.display_dp.max(pb.display_dp);
        let figs = figure_changes(&figures(&pa), &figures(&pb));
        let (added, removed, changed) = if a.import_id != b.import_id {
            self.parcel_changes(a.import_id, b.import_id)?
        } else {
            Default::default()
        };
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
            dp,
        })
    }
}
