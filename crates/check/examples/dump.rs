//! Print the diagnostics and the plan model for documents (a developer's aid; the user command
//! is `landplan check`). DUMP_TEXT=1 prints the text the model read, DUMP_MODEL=1 the model.

fn main() {
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).unwrap_or_default();
        let (report, text) = landplan_check::check_bytes_with_text(&path, &bytes);
        if std::env::var_os("DUMP_TEXT").is_some() {
            println!("{text}");
        }
        print!("{}", landplan_check::render::render_report(&report, &text));
        if std::env::var_os("DUMP_MODEL").is_some() {
            let mut plan = serde_json::to_value(&report.plan).unwrap_or_default();
            if let Some(o) = plan.as_object_mut() {
                o.remove("quantities");
            }
            println!("{}", serde_json::to_string(&plan).unwrap_or_default());
            for (i, q) in report.plan.quantities.iter().enumerate() {
                println!("  q{i} L{} {} «{}»", q.place.line, q.display, q.label);
            }
        }
    }
}
