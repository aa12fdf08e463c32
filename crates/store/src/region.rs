//! Regions by 行政区划代码 (GB/T 2260 administrative division codes): province `XX0000` →
//! prefecture `XXXX00` → county `XXXXXX` → township (9 or 12 digits, the county's code
//! followed by the township's).

use crate::db::Value;
use crate::error::StoreError;
use crate::session::Session;
use serde::Serialize;

/// The level of a region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RegionLevel {
    /// 省级.
    Province,
    /// 地级（市、州、盟）.
    Prefecture,
    /// 县级（县、县级市、市辖区）.
    County,
    /// 乡级（乡镇、街道）.
    Township,
}

impl RegionLevel {
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            RegionLevel::Province => "省级",
            RegionLevel::Prefecture => "地级",
            RegionLevel::County => "县级",
            RegionLevel::Township => "乡级",
        }
    }

    /// Stable id.
    pub fn id(self) -> &'static str {
        match self {
            RegionLevel::Province => "province",
            RegionLevel::Prefecture => "prefecture",
            RegionLevel::County => "county",
            RegionLevel::Township => "township",
        }
    }
}

/// A region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Region {
    /// 行政区划代码.
    pub code: String,
    /// Name (empty until given).
    pub name: String,
    /// Level.
    pub level: RegionLevel,
    /// The parent's code (None for a province).
    pub parent: Option<String>,
}

/// The level and parent of a code, or a Chinese message saying why the code is wrong.
pub fn classify(code: &str) -> Result<(RegionLevel, Option<String>), String> {
    if !code.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("行政区划代码“{code}”只能由数字组成"));
    }
    match code.len() {
        6 => {
            if code == "000000" || &code[0..2] == "00" {
                Err(format!("行政区划代码“{code}”的省级部分不能为 00"))
            } else if &code[2..6] == "0000" {
                Ok((RegionLevel::Province, None))
            } else if &code[4..6] == "00" {
                Ok((
                    RegionLevel::Prefecture,
                    Some(format!("{}0000", &code[0..2])),
                ))
            } else {
                Ok((RegionLevel::County, Some(format!("{}00", &code[0..4]))))
            }
        }
        9 | 12 => {
            let county = &code[0..6];
            match classify(county)? {
                (RegionLevel::County, _) => Ok((RegionLevel::Township, Some(county.to_string()))),
                _ => Err(format!(
                    "乡级行政区划代码“{code}”的前 6 位“{county}”应为县级代码"
                )),
            }
        }
        n => Err(format!(
            "行政区划代码“{code}”应为 6 位（省、市、县）或 9/12 位（乡镇），实为 {n} 位"
        )),
    }
}

/// The level a region's name says it has, from its ending (县、区、旗 → county; 州、盟、地区
/// → prefecture; 省、自治区 → province; 乡、镇、街道 → township), or None when the name
/// does not say (市 is a municipality, a prefecture-level or a county-level city; 新区 and
/// names without a telling ending).
pub fn level_of_name(name: &str) -> Option<RegionLevel> {
    let mut n = name.trim();
    // A remark in brackets at the end does not count: 示例县（试点）.
    while let Some(open) = n.rfind(['（', '(']).filter(|_| n.ends_with(['）', ')'])) {
        n = n[..open].trim_end();
    }
    let ends = |suffixes: &[&str]| suffixes.iter().any(|s| n.ends_with(s));
    if ends(&["新区", "市"]) {
        None
    } else if ends(&["省", "自治区", "特别行政区"]) {
        Some(RegionLevel::Province)
    } else if ends(&["自治州", "州", "盟", "地区"]) {
        Some(RegionLevel::Prefecture)
    } else if ends(&["县", "旗", "区", "特区", "林区"]) {
        Some(RegionLevel::County)
    } else if ends(&["乡", "镇", "街道", "苏木"]) {
        Some(RegionLevel::Township)
    } else {
        None
    }
}

/// Refuse a name whose level disagrees with the code's (`330100` named 某某县): a Chinese
/// message saying what each says, and what a code of the name's level looks like.
pub fn check_name_level(code: &str, name: &str) -> Result<(), String> {
    let Ok((level, _)) = classify(code) else {
        return Ok(());
    };
    let Some(said) = level_of_name(name).filter(|l| *l != level) else {
        return Ok(());
    };
    let code_shape = |l: RegionLevel| match l {
        RegionLevel::Province => "后四位为 0000",
        RegionLevel::Prefecture => "末两位为 00",
        RegionLevel::County => "末两位不为 00",
        RegionLevel::Township => "为 9 或 12 位",
    };
    let kind = |l: RegionLevel| match l {
        RegionLevel::Province => "省级（省、自治区、直辖市）",
        RegionLevel::Prefecture => "地级（市、州、盟）",
        RegionLevel::County => "县级（县、县级市、市辖区、旗）",
        RegionLevel::Township => "乡级（乡、镇、街道）",
    };
    let want = match said {
        RegionLevel::Province => "省级代码为 6 位、后四位为 0000，如 330000".to_string(),
        RegionLevel::Prefecture => format!(
            "地级代码为 6 位、末两位为 00，如 {}00",
            &code[0..4.min(code.len())]
        ),
        RegionLevel::County => "县级代码为 6 位、末两位不为 00，如 330102".to_string(),
        RegionLevel::Township => "乡级代码为所属县级代码后加 3 位或 6 位".to_string(),
    };
    Err(format!(
        "行政区划代码 {code} 是{}的代码（{}），名称“{}”却是{}的名称：{want}；请核对代码或名称",
        kind(level),
        code_shape(level),
        name.trim(),
        kind(said)
    ))
}

/// Refuse a ledger import for a region that is not a county's (fault campaign defect 20: a
/// prefecture's or a province's code given where a county is meant). Ledgers are the counties'
/// (their plans are what roll-ups sum); a province never imports one. A prefecture-level code
/// is accepted only with a name that says it is the city's own (市本级) ledger — a name ending
/// in 市, 州, 盟 or 地区 — since a bare prefecture code is most often a county's code mistyped.
pub fn check_import_level(code: &str, name: Option<&str>) -> Result<(), String> {
    let Ok((level, _)) = classify(code) else {
        return Ok(());
    };
    let county = "县级台账请用县级代码（6 位、末两位不为 00，如 330102）";
    match level {
        RegionLevel::Province => Err(format!(
            "行政区划代码 {code} 是省级行政区的代码，台账不能按省导入：{county}；省级汇总请用计划汇总"
        )),
        RegionLevel::Prefecture => {
            let name = name.map(str::trim).filter(|n| !n.is_empty());
            match name {
                Some(n)
                    if n.ends_with('市')
                        || level_of_name(n) == Some(RegionLevel::Prefecture) =>
                {
                    Ok(())
                }
                Some(n) => check_name_level(code, n).and(Err(format!(
                    "行政区划代码 {code} 是地级行政区（市、州、盟）的代码，名称“{n}”却不是地级行政区的名称：{county}"
                ))),
                None => Err(format!(
                    "行政区划代码 {code} 是地级行政区（市、州、盟）的代码，不是县级：{county}；若导入的是市本级（市区）自己的台账，请同时写明市的名称（如“某某市”）"
                )),
            }
        }
        _ => Ok(()),
    }
}

/// Whether `code` lies inside `ancestor` (or is it).
pub fn is_within(code: &str, ancestor: &str) -> bool {
    match classify(ancestor) {
        Ok((RegionLevel::Province, _)) => code.starts_with(&ancestor[0..2]),
        Ok((RegionLevel::Prefecture, _)) => code.starts_with(&ancestor[0..4]),
        Ok(_) => code.starts_with(ancestor),
        Err(_) => false,
    }
}

fn region(r: Vec<Value>) -> Result<Region, StoreError> {
    let code = r[0].text();
    let (level, _) = classify(&code).map_err(StoreError::Corrupt)?;
    Ok(Region {
        code,
        name: r[1].text(),
        level,
        parent: r[3].opt_text(),
    })
}

impl Session<'_> {
    /// Create the region (and any missing ancestors) or rename it when a name is given.
    /// Call inside a write transaction.
    pub(crate) fn ensure_region_tx(
        &mut self,
        code: &str,
        name: Option<&str>,
    ) -> Result<Region, StoreError> {
        let (level, parent) = classify(code).map_err(StoreError::Invalid)?;
        if let Some(n) = name.filter(|n| !n.trim().is_empty()) {
            check_name_level(code, n).map_err(StoreError::Invalid)?;
        }
        if let Some(p) = &parent {
            self.ensure_region_tx(p, None)?;
        }
        let existing = self.region(code)?;
        match existing {
            Some(r) => {
                if let Some(n) = name.filter(|n| !n.is_empty() && *n != r.name) {
                    self.db.exec(
                        "UPDATE region SET name = ? WHERE code = ?",
                        &[n.into(), code.into()],
                    )?;
                    self.seal("region", code)?;
                    self.append_audit(
                        "region.rename",
                        &format!("region:{code}"),
                        Some(serde_json::json!({ "name": r.name })),
                        Some(serde_json::json!({ "name": n })),
                    )?;
                    return Ok(Region {
                        name: n.to_string(),
                        ..r
                    });
                }
                Ok(r)
            }
            None => {
                let name = name.unwrap_or("").to_string();
                self.db.exec(
                    "INSERT INTO region (code, name, level, parent) VALUES (?, ?, ?, ?)",
                    &[
                        code.into(),
                        name.clone().into(),
                        level.id().into(),
                        parent.clone().into(),
                    ],
                )?;
                self.seal("region", code)?;
                self.append_audit(
                    "region.create",
                    &format!("region:{code}"),
                    None,
                    Some(serde_json::json!({ "code": code, "name": name, "level": level.id() })),
                )?;
                Ok(Region {
                    code: code.to_string(),
                    name,
                    level,
                    parent,
                })
            }
        }
    }

    /// Create or rename a region (with its ancestors), in its own transaction.
    pub fn ensure_region(&mut self, code: &str, name: Option<&str>) -> Result<Region, StoreError> {
        self.write(|s| s.ensure_region_tx(code, name))
    }

    /// One region.
    pub fn region(&mut self, code: &str) -> Result<Option<Region>, StoreError> {
        let rows = self.db.query(
            "SELECT code, name, level, parent FROM region WHERE code = ?",
            &[code.into()],
        )?;
        rows.into_iter().next().map(region).transpose()
    }

    /// All regions, by code.
    pub fn regions(&mut self) -> Result<Vec<Region>, StoreError> {
        self.db
            .query(
                "SELECT code, name, level, parent FROM region ORDER BY code",
                &[],
            )?
            .into_iter()
            .map(region)
            .collect()
    }

    /// The region's display name: its name, or its code when it has none.
    pub fn region_label(&mut self, code: &str) -> Result<String, StoreError> {
        Ok(match self.region(code)? {
            Some(r) if !r.name.is_empty() => format!("{}（{}）", r.name, r.code),
            _ => code.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_parents() {
        assert_eq!(classify("330000").unwrap(), (RegionLevel::Province, None));
        assert_eq!(
            classify("330100").unwrap(),
            (RegionLevel::Prefecture, Some("330000".into()))
        );
        assert_eq!(
            classify("330102").unwrap(),
            (RegionLevel::County, Some("330100".into()))
        );
        assert_eq!(
            classify("330102001").unwrap(),
            (RegionLevel::Township, Some("330102".into()))
        );
        assert!(classify("3301").unwrap_err().contains("6 位"));
        assert!(classify("33010a").unwrap_err().contains("数字"));
        assert!(classify("330100001").unwrap_err().contains("县级"));
        assert!(is_within("330102", "330000"));
        assert!(is_within("330102", "330100"));
        assert!(!is_within("330202", "330100"));
    }

    /// Fault campaign defect 20: a county ledger was stored under a prefecture's or a
    /// province's code.
    #[test]
    fn a_ledger_is_imported_for_a_county_or_with_the_city_named() {
        let e = check_import_level("330100", None).unwrap_err();
        assert!(e.contains("330100 是地级") && e.contains("市本级"), "{e}");
        let e = check_import_level("330100", Some("某某县")).unwrap_err();
        assert!(e.contains("“某某县”却是县级"), "{e}");
        let e = check_import_level("330000", Some("示例省")).unwrap_err();
        assert!(e.contains("330000 是省级"), "{e}");
        assert!(check_import_level("330100", Some("示例市")).is_ok());
        assert!(check_import_level("513300", Some("甘孜藏族自治州")).is_ok());
        assert!(check_import_level("330102", None).is_ok());
        assert!(check_import_level("330102001", None).is_ok());
    }

    /// Fault campaign defect 20: a prefecture's code with a county's name was accepted.
    #[test]
    fn a_name_of_another_level_than_the_code_is_refused() {
        let e = check_name_level("330100", "某某县").unwrap_err();
        assert!(
            e.contains("330100 是地级")
                && e.contains("“某某县”却是县级")
                && e.contains("末两位不为 00"),
            "{e}"
        );
        assert!(check_name_level("330000", "甲县").is_err());
        assert!(check_name_level("330102", "示例省").is_err());
        assert!(check_name_level("330102", "甘孜藏族自治州").is_err());
        assert!(check_name_level("330102001", "城关县").is_err());
        for (code, name) in [
            ("330000", "示例省"),
            ("450000", "广西壮族自治区"),
            ("110000", "北京市"),
            ("330100", "示例市"),
            ("513300", "甘孜藏族自治州"),
            ("152900", "阿拉善盟"),
            ("652700", "博尔塔拉地区"),
            ("330102", "示例县"),
            ("330102", "上城区"),
            ("330782", "义乌市"),
            ("150421", "阿鲁科尔沁旗"),
            ("310115", "浦东新区"),
            ("330102", "示例县（试点）"),
            ("330102001", "城关镇"),
            ("330102002", "湖滨街道"),
            ("330102", "县330102"),
            ("330102", "某地"),
        ] {
            assert!(check_name_level(code, name).is_ok(), "{code} {name}");
        }
    }
}
