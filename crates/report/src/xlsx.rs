//! The Excel 附表.
use crate::ReportError;
use landplan_core::compile::CompiledPlan;
pub(crate) fn write(_plan: &CompiledPlan) -> Result<Vec<u8>, ReportError> {
    Ok(Vec::new())
}
