//! landplan-report: the plan documents out.
//!
//! From a compiled plan ([`CompiledPlan`]) this crate writes what a bureau hands to the
//! government and publishes:
//!
//! - the Word document (.docx) in the national document format (GB/T 9704: A4, 仿宋 body,
//!   黑体/楷体 headings, page numbers), with the 附表 tables at the end;
//! - the Excel 附表 (.xlsx), with live `=SUM(…)` formulas and fixed number formats;
//! - charts (SVG and PNG): structure, layout, timing;
//! - maps (SVG and PNG) of parcels by class over townships and control lines ([`map`]);
//!
//! Charts and maps are written as SVG directly (no font needed, text stays text); PNG is that
//! SVG drawn by resvg with a CJK face from the system's font database or a named font file
//! ([`fonts`]).
//! - a single-file HTML report;
//! - the reserve's three-year rolling plan as Word and Excel ([`rolling`]);
//! - the 融资与收益平衡 tables of special-bond projects in Word and Excel ([`bond`]).
//!
//! Every figure is taken from the compiled plan and formatted at the plan's display precision,
//! so the document is right by construction. The narrative sections come from editable
//! templates (`data/templates`, see [`template`]); the indicator sections (计划指标) are always
//! generated, in the plain register of published plans, so that the document checker reads
//! them back.
//!
//! Architecture: one document model ([`doc::Doc`]) is built from a plan ([`build_document`]),
//! then written out by the docx and HTML writers; the xlsx writer and the charts read the plan
//! directly. Every writer is written once for both kinds: what both kinds state is written
//! with the kind's words, and the writer matches on the plan's
//! [`PlanParts`](landplan_core::compile::PlanParts) only where a kind has sections of its own.
#![deny(missing_docs)]

pub mod adjust;
mod annex;
pub mod bond;
pub mod chart;
pub mod doc;
mod docx;
pub mod fonts;
mod html;
pub mod map;
pub mod monitor;
mod plan_doc;
pub mod rolling;
mod svg;
pub mod template;
mod xlsx;

pub use adjust::Adjustment;
pub use chart::{render_chart, ChartKind, Checkpoint, ImageFormat, ImageOptions};
pub use doc::{Block, Doc, Figure, Table};
pub use fonts::FontSet;
pub use map::{render_map, MapFeature, MapInput};
pub use plan_doc::build_document;
pub use rolling::{render_rolling, rolling_document};

use landplan_core::compile::CompiledPlan;
pub use landplan_core::view::Precision;
use std::path::PathBuf;

/// The document format to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportFormat {
    /// Word (.docx), GB/T 9704 layout.
    Docx,
    /// Excel (.xlsx) 附表.
    Xlsx,
    /// One self-contained HTML file.
    Html,
}

impl ReportFormat {
    /// Parse `docx` / `xlsx` / `html`.
    pub fn parse(s: &str) -> Option<ReportFormat> {
        match s.trim().to_ascii_lowercase().as_str() {
            "docx" | "word" => Some(ReportFormat::Docx),
            "xlsx" | "excel" => Some(ReportFormat::Xlsx),
            "html" | "htm" => Some(ReportFormat::Html),
            _ => None,
        }
    }

    /// The file extension (without dot).
    pub fn extension(self) -> &'static str {
        match self {
            ReportFormat::Docx => "docx",
            ReportFormat::Xlsx => "xlsx",
            ReportFormat::Html => "html",
        }
    }
}

/// Options for writing a plan document.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// The issuing body (发文机关) printed above the date; default `{region}自然资源局`.
    pub issuing_body: Option<String>,
    /// The date as printed (e.g. `2025年1月8日`); default: a blank line is left for it.
    pub date: Option<String>,
    /// A folder of edited narrative templates; default: the templates shipped in the binary.
    pub templates_dir: Option<PathBuf>,
    /// Leave out the 附表 tables from the Word/HTML document.
    pub no_annex: bool,
    /// The plan's own completion checkpoints, drawn on the timing chart (none: the plan's
    /// cumulative curve alone, and no word about checkpoints).
    pub checkpoints: Vec<Checkpoint>,
    /// Font files for chart text (`--font`): named first in the charts' font list.
    pub fonts: Vec<PathBuf>,
    /// How figures are rounded (`--precision`; default as published plans: totals, classes
    /// and shares at two decimals, parcels at four), the same in every format.
    pub precision: Precision,
    /// The parcels' geometry (and township boundaries): with it, the Word and HTML plans end
    /// with a 地块分布图 (附图1) and the Excel parcel list gives each parcel's centroid and
    /// extent in the map's coordinate system.
    pub map: Option<MapInput>,
    /// For an adjusted version: the published plan it replaces and the reason; the Word, HTML
    /// and Excel 附表 then end with a 调整对照表 (原计划 / 调整后 / 增减 by class and township).
    pub adjustment: Option<Adjustment>,
}

impl ReportOptions {
    /// The issuing body for a region.
    pub fn issuing_body_for(&self, region: &str) -> String {
        match &self.issuing_body {
            Some(b) if !b.trim().is_empty() => b.trim().to_string(),
            _ => format!("{region}自然资源局"),
        }
    }
}

/// What can go wrong while writing a document. Messages are in Chinese (shown to users).
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A template could not be read.
    #[error("无法读取模板文件 {path}：{source}")]
    TemplateRead {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A template uses an unknown placeholder.
    #[error("模板 {file} 第{line}行：未知的占位符 {{{name}}}（可用：{known}）")]
    TemplatePlaceholder {
        /// The template file.
        file: String,
        /// 1-based line.
        line: usize,
        /// The placeholder's name.
        name: String,
        /// The placeholders that exist.
        known: String,
    },
    /// No CJK font was found for a PNG picture (SVG needs none).
    #[error("未找到中文字体，无法绘制 PNG 图片（{searched}）：请用 --font FILE 指定一个中文字体文件（.ttf、.otf 或 .ttc），或安装中文字体（Debian/Ubuntu：sudo apt-get install fonts-noto-cjk 或 fonts-wqy-microhei）；SVG 格式不需要字体")]
    NoCjkFont {
        /// What was searched.
        searched: String,
    },
    /// A font file named by the user cannot be used.
    #[error("字体文件 {path} 无法使用：{reason}")]
    FontFile {
        /// The file.
        path: String,
        /// Why, in Chinese.
        reason: String,
    },
    /// Drawing a chart failed.
    #[error("绘制图表失败：{0}")]
    Chart(String),
    /// Writing the Excel file failed.
    #[error("生成 Excel 附表失败：{0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// Writing the Word file failed.
    #[error("生成 Word 文档失败：{0}")]
    Docx(String),
    /// The chart does not apply to this plan (e.g. timing of a reserve plan).
    #[error("{0}")]
    NotApplicable(String),
}

/// Write a compiled plan as a document in the given format.
pub fn render_plan(
    plan: &CompiledPlan,
    format: ReportFormat,
    opts: &ReportOptions,
) -> Result<Vec<u8>, ReportError> {
    match format {
        ReportFormat::Docx => {
            let mut doc = build_document(plan, opts)?;
            // Word shows the figures as PNG (drawn with the system's CJK font or --font).
            let image = ImageOptions {
                format: ImageFormat::Png,
                fonts: opts.fonts.clone(),
                precision: opts.precision,
            };
            for b in &mut doc.blocks {
                if let Block::Figure(f) = b {
                    f.png = fonts::FontSet::load(&image.fonts)?.png(&f.svg)?;
                    f.size = png_size(&f.png);
                }
            }
            docx::write(&doc)
        }
        ReportFormat::Html => {
            let doc = build_document(plan, opts)?;
            Ok(html::write(&doc, plan, opts)?.into_bytes())
        }
        ReportFormat::Xlsx => xlsx::write(
            plan,
            opts.precision,
            opts.map.as_ref(),
            opts.adjustment.as_ref(),
        ),
    }
}

/// Width and height of a PNG from its header (0 × 0 when it is not one).
fn png_size(png: &[u8]) -> (u32, u32) {
    let be = |i: usize| {
        png.get(i..i + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
            .unwrap_or(0)
    };
    (be(16), be(20))
}
