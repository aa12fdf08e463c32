//! Print the reflowed text of a PDF as `landplan check` reads it.
fn main() {
    for p in std::env::args().skip(1) {
        let b = std::fs::read(&p).expect("read");
        match landplan_check::read::pdf::pdf_text(&b) {
            Ok(t) => print!("{t}"),
            Err(e) => eprintln!("{p}: {e}"),
        }
    }
}
