//! MHTML (`.mht`, `.mhtml`): Word's and browsers' "single file web page", a MIME
//! `multipart/related` message whose first `text/html` part is the page (RFC 2557). Bureaus
//! attach plans in this form, sometimes renamed `.doc`. The page part is unwrapped here
//! (quoted-printable or base64, charset from its header or detected) and handed to
//! [`super::html`].

/// Whether the bytes are a MIME message holding a web page: a `MIME-Version` header and a
/// `multipart/related` content type among the headers at the start.
pub fn looks_like_mht(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    let head = head.trim_start_matches('\u{feff}');
    head.contains("mime-version:") && head.contains("multipart/related")
}

/// The page part of a single-file web page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The HTML of the page part, decoded to text.
    pub html: String,
    /// The message ends with its closing boundary (`--boundary--`): it was not cut short.
    pub complete: bool,
}

/// The HTML of the page part, decoded to text; `None` when there is no `text/html` part.
pub fn page_html(bytes: &[u8]) -> Option<String> {
    page(bytes).map(|p| p.html)
}

/// True when the message ends with its closing boundary (it was not cut short).
pub fn has_closing_boundary(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    boundary(&text).is_some_and(|b| text.contains(&format!("--{b}--")))
}

/// The page part, and whether the message is whole; `None` when there is no `text/html` part.
pub fn page(bytes: &[u8]) -> Option<Page> {
    let text = String::from_utf8_lossy(bytes);
    let boundary = boundary(&text)?;
    let delim = format!("--{boundary}");
    let complete = text.contains(&format!("{delim}--"));
    for part in text.split(delim.as_str()).skip(1) {
        if part.starts_with("--") {
            break;
        }
        let part = part.trim_start_matches(['\r', '\n']);
        let (headers, body) = match part.find("\r\n\r\n") {
            Some(i) => (&part[..i], &part[i + 4..]),
            None => match part.find("\n\n") {
                Some(i) => (&part[..i], &part[i + 2..]),
                None => continue,
            },
        };
        let headers = unfold(headers);
        let ctype = header(&headers, "content-type").unwrap_or_default();
        if !ctype.to_ascii_lowercase().starts_with("text/html") {
            continue;
        }
        let encoding = header(&headers, "content-transfer-encoding")
            .unwrap_or_default()
            .to_ascii_lowercase();
        // The body as bytes again: the lossy view above only served to find the parts. Bodies
        // that are not 7-bit (8bit/binary GBK) are taken from the original bytes.
        let raw: Vec<u8> = match encoding.trim() {
            "quoted-printable" => quoted_printable(body.as_bytes()),
            "base64" => base64(body.as_bytes()),
            _ => original_slice(bytes, &text, body).to_vec(),
        };
        let charset = param(&ctype, "charset");
        return Some(Page {
            html: decode(&raw, charset.as_deref()),
            complete,
        });
    }
    None
}

/// The bytes of `body` (a slice of the lossy `text`) in the original; the lossy text when
/// replacement characters made the offsets differ.
fn original_slice<'a>(bytes: &'a [u8], text: &'a str, body: &'a str) -> &'a [u8] {
    let start = body.as_ptr() as usize - text.as_ptr() as usize;
    if text.len() == bytes.len() {
        &bytes[start..start + body.len()]
    } else {
        body.as_bytes()
    }
}

fn decode(raw: &[u8], charset: Option<&str>) -> String {
    if let Some(enc) = charset.and_then(|c| encoding_rs::Encoding::for_label(c.trim().as_bytes())) {
        let (text, _, errors) = enc.decode(raw);
        if !errors {
            return text.into_owned();
        }
    }
    landplan_core::text::decode(raw).0
}

/// The `boundary` parameter of the message's own Content-Type.
fn boundary(text: &str) -> Option<String> {
    let end = text
        .find("\r\n\r\n")
        .or_else(|| text.find("\n\n"))
        .unwrap_or(text.len().min(8192));
    let headers = unfold(&text[..end]);
    let ctype = header(&headers, "content-type")?;
    param(&ctype, "boundary").filter(|b| !b.is_empty())
}

/// Header lines with continuation lines joined.
fn unfold(headers: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in headers.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = out.last_mut() {
                last.push(' ');
                last.push_str(line.trim());
                continue;
            }
        }
        out.push(line.trim_end().to_string());
    }
    out
}

fn header(headers: &[String], name: &str) -> Option<String> {
    headers.iter().find_map(|h| {
        let (k, v) = h.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_string())
    })
}

/// A parameter of a header value: `boundary="----=_NextPart_01"`, `charset=gb2312`.
fn param(value: &str, name: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

/// Quoted-printable (RFC 2045 §6.7): `=XX` escapes and `=` soft line breaks.
fn quoted_printable(s: &[u8]) -> Vec<u8> {
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'=' {
            if s.get(i + 1) == Some(&b'\r') && s.get(i + 2) == Some(&b'\n') {
                i += 3;
                continue;
            }
            if s.get(i + 1) == Some(&b'\n') {
                i += 2;
                continue;
            }
            if let (Some(h), Some(l)) = (
                s.get(i + 1).and_then(|&c| hex(c)),
                s.get(i + 2).and_then(|&c| hex(c)),
            ) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(s[i]);
        i += 1;
    }
    out
}

/// Base64 (RFC 4648), whitespace ignored; stops at padding or any other character.
fn base64(s: &[u8]) -> Vec<u8> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &c in s {
        if c.is_ascii_whitespace() {
            continue;
        }
        let Some(v) = val(c) else { break };
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_printable_and_base64_decode() {
        assert_eq!(
            quoted_printable(b"a=3D1=\r\nb=E4=B8=AD"),
            "a=1b中".as_bytes()
        );
        assert_eq!(base64(b"5Lit5paH\r\nMTIw"), "中文120".as_bytes());
        assert_eq!(base64(b"YQ=="), b"a");
    }

    #[test]
    fn the_html_part_is_found_and_decoded_with_its_charset() {
        let page = "<html><body><p>供应总量120公顷。</p></body></html>";
        let (gbk, _, _) = encoding_rs::GB18030.encode(page);
        let qp: String = gbk
            .iter()
            .map(|&b| {
                if b.is_ascii() && b != b'=' {
                    (b as char).to_string()
                } else {
                    format!("={b:02X}")
                }
            })
            .collect();
        let msg = format!(
            "MIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n\tboundary=\"----=_NextPart_X\"\r\n\r\n\
             This is a multi-part message in MIME format.\r\n\r\n------=_NextPart_X\r\n\
             Content-Location: file:///C:/plan.htm\r\nContent-Transfer-Encoding: quoted-printable\r\n\
             Content-Type: text/html; charset=\"gb2312\"\r\n\r\n{qp}\r\n\r\n------=_NextPart_X\r\n\
             Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n\
             ------=_NextPart_X--\r\n"
        );
        assert!(looks_like_mht(msg.as_bytes()));
        assert_eq!(page_html(msg.as_bytes()).unwrap().trim(), page);
        assert!(self::page(msg.as_bytes()).unwrap().complete);
        // Cut before its closing boundary, the page part is still read, but not whole.
        let cut = &msg.as_bytes()[..msg.len() - 30];
        assert!(!self::page(cut).unwrap().complete);
        assert!(!has_closing_boundary(cut));
        assert!(!looks_like_mht("<html></html>".as_bytes()));
    }
}
