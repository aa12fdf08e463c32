//! The helper behind the passes' unit tests: the model of a small document, and its ties as
//! one line each ("Structure 100公顷 = 60公顷 + 40公顷").

use super::PlanModel;

/// The model of `text` (leading whitespace of each line dropped, so that tests can indent).
pub fn model(text: &str) -> PlanModel {
    let text: String = text
        .trim_start_matches('\n')
        .lines()
        .map(|l| format!("{}\n", l.trim_start()))
        .collect();
    super::build(&crate::lex::lex_document(&text))
}

/// The breakdowns of `text`, one line each: kind, whole = parts, and "(selection)" when the
/// parts need not add up.
pub fn ties(text: &str) -> Vec<String> {
    let m = model(text);
    m.breakdowns
        .iter()
        .map(|b| {
            let parts: Vec<&str> = b
                .parts
                .iter()
                .map(|p| m.quantities[p.quantity].display.as_str())
                .collect();
            format!(
                "{:?} {} = {}{}",
                b.kind,
                m.quantities[b.whole].display,
                parts.join(" + "),
                if b.complete { "" } else { " (selection)" }
            )
        })
        .collect()
}
