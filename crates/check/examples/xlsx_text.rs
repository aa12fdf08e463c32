//! Print the text of Excel workbooks as `landplan check` reads them (a developer's aid).
fn main() {
    for p in std::env::args().skip(1) {
        let b = std::fs::read(&p).unwrap_or_default();
        match landplan_check::read::read_bytes(&p, &b) {
            Ok(d) => {
                print!("{}", d.text);
                for n in d.notes {
                    eprintln!("{}: {}", n.rule, n.message);
                }
            }
            Err(e) => eprintln!("{p}: {e}"),
        }
    }
}
