//! Charts.
use crate::ReportError;
use landplan_core::compile::CompiledPlan;
/// Which chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// Share by class.
    Structure,
    /// Township × class stacked bars.
    Layout,
    /// Planned cumulative curve.
    Timing,
}
/// Image format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// SVG.
    Svg,
    /// PNG.
    Png,
}
/// Render a chart.
pub fn render_chart(
    _plan: &CompiledPlan,
    _chart: ChartKind,
    _image: ImageFormat,
) -> Result<Vec<u8>, ReportError> {
    Ok(Vec::new())
}
