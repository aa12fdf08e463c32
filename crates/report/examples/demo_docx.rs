//! Writes the demo plans to a folder (for looking at them): `cargo run --example demo_docx -- OUT_DIR`.
#[path = "../tests/common/mod.rs"]
mod common;
use landplan_report::{
    render_chart, render_plan, ChartKind, ImageFormat, ReportFormat, ReportOptions,
};

fn main() {
    let out = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    let opts = ReportOptions {
        date: Some("2025年1月8日".into()),
        ..Default::default()
    };
    for (name, plan) in [
        ("supply", common::demo_supply()),
        ("reserve", common::demo_reserve()),
    ] {
        for f in [ReportFormat::Docx, ReportFormat::Xlsx, ReportFormat::Html] {
            let bytes = render_plan(&plan, f, &opts).expect("render");
            let path = out.join(format!("{name}.{}", f.extension()));
            std::fs::write(&path, bytes).expect("write");
            println!("{}", path.display());
        }
        for c in [ChartKind::Structure, ChartKind::Layout, ChartKind::Timing] {
            for i in [ImageFormat::Svg, ImageFormat::Png] {
                match render_chart(&plan, c, &[], i) {
                    Ok(bytes) => {
                        let path = out.join(format!("{name}-{}.{}", c.id(), i.extension()));
                        std::fs::write(&path, bytes).expect("write");
                        println!("{}", path.display());
                    }
                    Err(e) => println!("{name} {}: {e}", c.id()),
                }
            }
        }
    }
}
