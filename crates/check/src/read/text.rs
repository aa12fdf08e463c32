//! Plain text in any encoding the bureaus use (UTF-8 with or without BOM, UTF-16 with or
//! without BOM, GBK/GB18030); a text that is an HTML page is laid out by [`super::html`].

use super::{file_place, flattened_note, html, html_note, ReadDocument, ReadError};
use landplan_core::RuleContext;

/// Decode text; bytes that are mostly not text are [`ReadError::NotText`], a few undecodable
/// bytes a `document.encoding` note.
pub(super) fn read_text(
    path: &str,
    bytes: &[u8],
    rules: &RuleContext,
) -> Result<ReadDocument, ReadError> {
    let (text, enc, had_errors) = landplan_core::text::decode(bytes);
    let total = text.chars().count().max(1);
    let bad = text
        .chars()
        .filter(|&c| c == '\u{FFFD}' || (c.is_control() && !matches!(c, '\n' | '\r' | '\t')))
        .count();
    if bad * 20 > total {
        return Err(ReadError::NotText);
    }
    let mut notes = Vec::new();
    let text = if html::looks_like_html(&text) {
        notes.push(html_note(path, rules));
        let laid = html::html_to_document(&text);
        if laid.flattened {
            notes.push(flattened_note(path, rules));
        }
        laid.text
    } else {
        text
    };
    if had_errors {
        notes.push(
            rules
                .finding_with(
                    "document.encoding",
                    format!(
                        "按 {} 解码时有 {bad} 处字节无法识别，已替换为“\u{FFFD}”；这些位置的数字不予核对",
                        enc.label()
                    ),
                )
                .at(file_place(path)),
        );
    }
    Ok(ReadDocument {
        text: text.replace("\r\n", "\n").replace('\r', "\n"),
        notes,
    })
}
