//! Editable narrative templates (`data/templates/{supply,reserve}/*.md`).
//!
//! A template is plain text: `# 标题` starts a first-level section, `## 标题` a second-level
//! one (both numbered automatically), `%` starts a comment line, any other non-empty line is a
//! paragraph. Placeholders `{name}` are replaced by the plan's figures; an unknown placeholder
//! is an error naming the file and line, so a typo never reaches a published document.

use crate::doc::Block;
use crate::ReportError;
use std::path::Path;

/// The templates shipped with landplan, by (kind, name).
const EMBEDDED: &[(&str, &str, &str)] = &[
    (
        "supply",
        "preamble",
        include_str!("../../../data/templates/supply/preamble.md"),
    ),
    (
        "supply",
        "principles",
        include_str!("../../../data/templates/supply/principles.md"),
    ),
    (
        "supply",
        "scope",
        include_str!("../../../data/templates/supply/scope.md"),
    ),
    (
        "supply",
        "policy",
        include_str!("../../../data/templates/supply/policy.md"),
    ),
    (
        "supply",
        "measures",
        include_str!("../../../data/templates/supply/measures.md"),
    ),
    (
        "reserve",
        "preamble",
        include_str!("../../../data/templates/reserve/preamble.md"),
    ),
    (
        "reserve",
        "principles",
        include_str!("../../../data/templates/reserve/principles.md"),
    ),
    (
        "reserve",
        "scope",
        include_str!("../../../data/templates/reserve/scope.md"),
    ),
    (
        "reserve",
        "measures",
        include_str!("../../../data/templates/reserve/measures.md"),
    ),
];

/// The shipped default text of a template (`kind` = `supply`/`reserve`, `name` without `.md`).
pub fn embedded(kind: &str, name: &str) -> Option<&'static str> {
    EMBEDDED
        .iter()
        .find(|(k, n, _)| *k == kind && *n == name)
        .map(|(_, _, t)| *t)
}

/// Load a template: `{dir}/{kind}/{name}.md` when a folder is given and the file exists,
/// else the shipped default. Returns the text and the name to report in errors.
pub fn load(dir: Option<&Path>, kind: &str, name: &str) -> Result<(String, String), ReportError> {
    if let Some(dir) = dir {
        let path = dir.join(kind).join(format!("{name}.md"));
        if path.exists() {
            let text =
                std::fs::read_to_string(&path).map_err(|source| ReportError::TemplateRead {
                    path: path.display().to_string(),
                    source,
                })?;
            return Ok((text, path.display().to_string()));
        }
    }
    let text = embedded(kind, name).unwrap_or_default();
    Ok((text.to_string(), format!("{kind}/{name}.md")))
}

/// Replace `{name}` placeholders from `vars`. `{{` and `}}` stand for literal braces.
pub fn fill(text: &str, vars: &[(&str, String)], file: &str) -> Result<String, ReportError> {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(pos) = rest.find(['{', '}']) {
            out.push_str(&rest[..pos]);
            let tail = &rest[pos..];
            if let Some(t) = tail.strip_prefix("{{") {
                out.push('{');
                rest = t;
            } else if let Some(t) = tail.strip_prefix("}}") {
                out.push('}');
                rest = t;
            } else if let Some(t) = tail.strip_prefix('}') {
                out.push('}');
                rest = t;
            } else if let Some(end) = tail.find('}') {
                let name = &tail[1..end];
                match vars.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        return Err(ReportError::TemplatePlaceholder {
                            file: file.to_string(),
                            line: i + 1,
                            name: name.to_string(),
                            known: vars.iter().map(|(k, _)| *k).collect::<Vec<_>>().join("、"),
                        })
                    }
                }
                rest = &tail[end + 1..];
            } else {
                out.push_str(tail);
                rest = "";
            }
        }
        out.push_str(rest);
        out.push('\n');
    }
    Ok(out)
}

/// Parse filled template text into blocks.
pub fn parse(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('%') {
            continue;
        }
        if let Some(h) = t.strip_prefix("## ") {
            out.push(Block::Heading2(h.trim().to_string()));
        } else if let Some(h) = t.strip_prefix("# ") {
            out.push(Block::Heading1(h.trim().to_string()));
        } else {
            out.push(Block::Para(t.to_string()));
        }
    }
    out
}

/// Load, fill and parse one template.
pub fn blocks(
    dir: Option<&Path>,
    kind: &str,
    name: &str,
    vars: &[(&str, String)],
) -> Result<Vec<Block>, ReportError> {
    let (text, file) = load(dir, kind, name)?;
    Ok(parse(&fill(&text, vars, &file)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_unknown_ones_are_errors() {
        let vars = [
            ("region", "示例县".to_string()),
            ("year", "2025".to_string()),
        ];
        let out = fill("{region}{year}年度，{{字面}}", &vars, "x.md").unwrap();
        assert_eq!(out, "示例县2025年度，{字面}\n");
        let err = fill("第一行\n{regoin}", &vars, "x.md")
            .unwrap_err()
            .to_string();
        assert!(err.contains("x.md 第2行"), "{err}");
        assert!(err.contains("{regoin}"), "{err}");
    }

    #[test]
    fn headings_paragraphs_and_comments() {
        let b = parse("% 注释\n# 甲\n## 乙\n正文。\n\n");
        assert_eq!(
            b,
            vec![
                Block::Heading1("甲".into()),
                Block::Heading2("乙".into()),
                Block::Para("正文。".into())
            ]
        );
    }

    #[test]
    fn every_shipped_template_fills_with_the_documented_placeholders() {
        let vars: Vec<(&str, String)> = [
            "region",
            "year",
            "total_ha",
            "total_mu",
            "new_ha",
            "stock_ha",
            "parcel_count",
            "issuing_body",
        ]
        .iter()
        .map(|k| (*k, "X".to_string()))
        .collect();
        for (kind, name, text) in EMBEDDED {
            let filled = fill(text, &vars, name).unwrap();
            assert!(!parse(&filled).is_empty(), "{kind}/{name} is empty");
        }
    }

    #[test]
    fn a_user_folder_overrides_one_template() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("supply")).unwrap();
        std::fs::write(
            dir.path().join("supply/policy.md"),
            "# 自定义导向\n{region}优先。\n",
        )
        .unwrap();
        let vars = [("region", "甲县".to_string())];
        let b = blocks(Some(dir.path()), "supply", "policy", &vars).unwrap();
        assert_eq!(b[1], Block::Para("甲县优先。".into()));
        let (default_scope, _) = load(Some(dir.path()), "supply", "scope").unwrap();
        assert_eq!(default_scope, embedded("supply", "scope").unwrap());
    }
}
