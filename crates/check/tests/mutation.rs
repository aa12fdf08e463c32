//! Mutation sweep over the corpus: in every clean document, change each figure that takes part
//! in a complete breakdown (parts that must add up to their whole) or in a unit pair, one at a
//! time, by about half its value, and require the checker to report the document. This is
//! what a reviewer relies on: a figure that the document ties to others cannot be mistyped
//! unnoticed. (A smaller change can lie within the tolerance the stated precision gives: five
//! whole-number parts and their whole allow ±3.)

use landplan_check::check_bytes;
use rust_decimal::Decimal;
use std::path::PathBuf;

fn data_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data"))
}

/// The figure's number with half of it added and two units of its last place (so that a
/// change always exceeds the tolerance its precision gives, even for small whole numbers),
/// written with the same number of decimals.
fn bumped(number: &str) -> Option<String> {
    let v: Decimal = number.parse().ok()?;
    let ulp = Decimal::new(1, v.scale());
    let mut n = v + v / Decimal::TWO + ulp + ulp;
    n = n.round_dp(v.scale());
    n.rescale(v.scale());
    Some(n.to_string())
}

#[test]
fn every_tied_figure_of_a_clean_document_is_caught_when_changed() {
    let mut names: Vec<_> = std::fs::read_dir(data_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".txt") || n.ends_with(".md"))
        .collect();
    names.sort();
    let (mut docs, mut tried) = (0, 0);
    let mut missed = Vec::new();
    for name in names {
        let bytes = std::fs::read(data_dir().join(&name)).unwrap();
        let Ok(text) = String::from_utf8(bytes.clone()) else {
            continue; // GBK documents: their spans are into the decoded text
        };
        let report = check_bytes(&name, &bytes);
        if !report.findings.is_empty() {
            continue;
        }
        docs += 1;
        let plan = &report.plan;
        let mut tied: Vec<usize> = plan
            .breakdowns
            .iter()
            .filter(|b| b.complete)
            .flat_map(|b| std::iter::once(b.whole).chain(b.parts.iter().map(|p| p.quantity)))
            .chain(plan.unit_pairs.iter().flat_map(|&(a, b)| [a, b]))
            .collect();
        tied.sort_unstable();
        tied.dedup();
        for i in tied {
            let q = &plan.quantities[i];
            let (s, e) = q.place.span;
            let written = &text[s..e];
            // Only figures written with ASCII digits and a single number.
            let number: String = written
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            if number.is_empty() || q.high.is_some() {
                continue;
            }
            let Some(new) = bumped(&number) else { continue };
            let mutated = format!("{}{}{}", &text[..s], new, &text[s + number.len()..]);
            tried += 1;
            if check_bytes(&name, mutated.as_bytes()).findings.is_empty() {
                missed.push(format!(
                    "{name}:{} {written} → {new} ({})",
                    q.place.line, q.label
                ));
            }
        }
    }
    assert!(docs >= 15, "only {docs} clean documents in the corpus");
    assert!(tried >= 100, "only {tried} figures tried");
    assert!(
        missed.is_empty(),
        "changed figures nobody noticed:\n{}",
        missed.join("\n")
    );
}
