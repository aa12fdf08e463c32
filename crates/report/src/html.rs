//! The single-file HTML report (inline CSS, inline SVG charts, tables).
use crate::doc::Doc;
use landplan_core::compile::CompiledPlan;
pub(crate) fn write(doc: &Doc, _plan: &CompiledPlan) -> String {
    doc.plain_text()
}
