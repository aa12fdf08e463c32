//! Writes the test map to a file (for looking at it): `cargo run --example demo_map -- OUT.png`.
#[path = "../tests/map.rs"]
#[allow(dead_code, unused_imports)]
mod map_test;
use landplan_report::chart::ImageFormat;

fn main() {
    let out = std::env::args().nth(1).unwrap_or_else(|| "map.png".into());
    let fmt = if out.ends_with(".svg") {
        ImageFormat::Svg
    } else {
        ImageFormat::Png
    };
    let bytes = landplan_report::render_map(&map_test::input(), fmt).expect("render");
    std::fs::write(&out, bytes).expect("write");
    println!("{out}");
}
