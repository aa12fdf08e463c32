//! Decoding and normalising Chinese text.
//!
//! Ledgers and documents arrive as UTF-8 (with or without BOM), GBK or GB18030, in simplified or
//! traditional characters, with full-width or half-width digits and punctuation. These helpers
//! work on bytes and strings already in memory (no IO).

use std::collections::HashMap;
use std::sync::OnceLock;

/// The text encoding detected for a byte source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TextEncoding {
    /// UTF-8 without byte-order mark.
    Utf8,
    /// UTF-8 with a byte-order mark.
    Utf8Bom,
    /// UTF-16 little-endian with BOM.
    Utf16Le,
    /// UTF-16 big-endian with BOM.
    Utf16Be,
    /// UTF-16 little-endian without BOM (recognised by the zero bytes of its ASCII).
    Utf16LeNoBom,
    /// UTF-16 big-endian without BOM.
    Utf16BeNoBom,
    /// GB18030 (a superset of GBK and GB2312).
    Gb18030,
}

impl TextEncoding {
    /// A readable name.
    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8（带BOM）",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
            TextEncoding::Utf16LeNoBom => "UTF-16LE（无BOM）",
            TextEncoding::Utf16BeNoBom => "UTF-16BE（无BOM）",
            TextEncoding::Gb18030 => "GBK/GB18030",
        }
    }

    /// The encoding_rs encoding.
    pub fn encoding(self) -> &'static encoding_rs::Encoding {
        match self {
            TextEncoding::Utf8 | TextEncoding::Utf8Bom => encoding_rs::UTF_8,
            TextEncoding::Utf16Le | TextEncoding::Utf16LeNoBom => encoding_rs::UTF_16LE,
            TextEncoding::Utf16Be | TextEncoding::Utf16BeNoBom => encoding_rs::UTF_16BE,
            TextEncoding::Gb18030 => encoding_rs::GB18030,
        }
    }

    /// Length of the byte-order mark at the start of the source.
    pub fn bom_len(self) -> usize {
        match self {
            TextEncoding::Utf8Bom => 3,
            TextEncoding::Utf16Le | TextEncoding::Utf16Be => 2,
            _ => 0,
        }
    }
}

/// Detect the encoding of a source from its first bytes (a sample of any length; a multi-byte
/// character cut at the end of the sample is tolerated).
pub fn detect_encoding(sample: &[u8]) -> TextEncoding {
    if sample.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return TextEncoding::Utf8Bom;
    }
    if sample.starts_with(&[0xFF, 0xFE]) {
        return TextEncoding::Utf16Le;
    }
    if sample.starts_with(&[0xFE, 0xFF]) {
        return TextEncoding::Utf16Be;
    }
    if let Some(utf16) = utf16_without_bom(sample) {
        return utf16;
    }
    match std::str::from_utf8(sample) {
        Ok(_) => TextEncoding::Utf8,
        Err(e) if e.error_len().is_none() && sample.len() - e.valid_up_to() < 4 => {
            TextEncoding::Utf8
        }
        Err(_) => TextEncoding::Gb18030,
    }
}

/// UTF-16 without a BOM: text (never UTF-8 or GBK) holds no zero bytes, while the ASCII of
/// UTF-16 (digits, commas, line breaks) is one zero byte in every two, on one side.
fn utf16_without_bom(sample: &[u8]) -> Option<TextEncoding> {
    let pairs = sample.len() / 2;
    if pairs < 2 {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in sample.chunks_exact(2) {
        even += usize::from(pair[0] == 0);
        odd += usize::from(pair[1] == 0);
    }
    if odd * 8 >= pairs && even * 10 <= odd {
        Some(TextEncoding::Utf16LeNoBom)
    } else if even * 8 >= pairs && odd * 10 <= even {
        Some(TextEncoding::Utf16BeNoBom)
    } else {
        None
    }
}

/// Decode a whole byte source, detecting its encoding. Undecodable bytes become U+FFFD; the
/// flag says whether any did.
pub fn decode(bytes: &[u8]) -> (String, TextEncoding, bool) {
    let enc = detect_encoding(bytes);
    let body = &bytes[enc.bom_len()..];
    let (text, had_errors) = enc.encoding().decode_without_bom_handling(body);
    (text.into_owned(), enc, had_errors)
}

/// The traditional → simplified table, with a bitmap over the CJK block so that the common
/// case (a character that is not in the table) costs one bit test instead of a hash lookup.
struct Traditional {
    map: HashMap<char, char>,
    /// One bit per code point from U+3400 to U+9FFF.
    cjk: Vec<u64>,
}

const CJK_START: u32 = 0x3400;
const CJK_END: u32 = 0xA000;

fn traditional() -> &'static Traditional {
    static T: OnceLock<Traditional> = OnceLock::new();
    T.get_or_init(|| {
        let map: HashMap<char, char> = include_str!("../../../data/text/traditional.txt")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let mut cs = l.chars();
                Some((cs.next()?, cs.next()?))
            })
            .collect();
        let mut cjk = vec![0u64; ((CJK_END - CJK_START) as usize).div_ceil(64)];
        for &c in map.keys() {
            let u = c as u32;
            if (CJK_START..CJK_END).contains(&u) {
                let i = (u - CJK_START) as usize;
                cjk[i / 64] |= 1 << (i % 64);
            }
        }
        Traditional { map, cjk }
    })
}

fn traditional_map() -> &'static HashMap<char, char> {
    &traditional().map
}

fn to_simplified(ch: char) -> char {
    let t = traditional();
    let u = ch as u32;
    if (CJK_START..CJK_END).contains(&u) {
        let i = (u - CJK_START) as usize;
        if t.cjk[i / 64] & (1 << (i % 64)) == 0 {
            return ch;
        }
    }
    t.map.get(&ch).copied().unwrap_or(ch)
}

/// Map one character to its normalised form: full-width ASCII to half-width, the ideographic
/// space to a space, full-width brackets to ASCII, and traditional to simplified characters.
/// Chinese punctuation that carries meaning (、，。；：) is kept.
pub fn normalize_char(ch: char) -> char {
    if ch.is_ascii() {
        return ch;
    }
    match ch {
        '\u{3000}' => ' ',
        '〔' | '【' => '[',
        '〕' | '】' => ']',
        '\u{FF01}'..='\u{FF5E}' => {
            // Keep the Chinese comma, colon and semicolon as they are: they are sentence
            // punctuation, not number separators.
            match ch {
                '，' | '；' | '：' => ch,
                _ => char::from_u32(ch as u32 - 0xFEE0).unwrap_or(ch),
            }
        }
        _ => to_simplified(ch),
    }
}

/// Normalise a string character by character (see [`normalize_char`]). The result has the
/// same number of characters as the input, so character columns are preserved.
pub fn normalize(s: &str) -> String {
    s.chars().map(normalize_char).collect()
}

/// True when the text contains characters from the traditional table.
pub fn has_traditional(s: &str) -> bool {
    let m = traditional_map();
    s.chars().any(|c| m.contains_key(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_utf8_bom_and_gbk() {
        let s = "地块编号,面积（公顷）";
        assert_eq!(detect_encoding(s.as_bytes()), TextEncoding::Utf8);
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(s.as_bytes());
        assert_eq!(detect_encoding(&bom), TextEncoding::Utf8Bom);
        let (gbk, _, _) = encoding_rs::GBK.encode(s);
        assert_eq!(detect_encoding(&gbk), TextEncoding::Gb18030);
        let (text, enc, bad) = decode(&gbk);
        assert_eq!((text.as_str(), enc, bad), (s, TextEncoding::Gb18030, false));
    }

    #[test]
    fn a_cut_multibyte_character_at_the_end_of_a_sample_is_still_utf8() {
        let s = "面积".as_bytes();
        assert_eq!(detect_encoding(&s[..4]), TextEncoding::Utf8);
    }

    #[test]
    fn utf16_without_a_bom_is_recognised_by_its_zero_bytes() {
        let s = "地块编号,面积（公顷）\nA1,12.5\n";
        let le: Vec<u8> = s.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = s.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(detect_encoding(&le), TextEncoding::Utf16LeNoBom);
        assert_eq!(detect_encoding(&be), TextEncoding::Utf16BeNoBom);
        assert_eq!(decode(&le).0, s);
        assert_eq!(decode(&be).0, s);
        // Text without zero bytes, and bytes with zeros on both sides, are not UTF-16.
        assert_eq!(detect_encoding(b"a,b\n1,2\n"), TextEncoding::Utf8);
        let junk: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
        assert_ne!(detect_encoding(&junk), TextEncoding::Utf16LeNoBom);
    }

    #[test]
    fn normalises_width_and_traditional_characters() {
        assert_eq!(
            normalize("３８３．７３公頃（約５７５畝）"),
            "383.73公顷(约575亩)"
        );
        assert_eq!(normalize("國有建設用地供應計劃"), "国有建设用地供应计划");
        assert_eq!(normalize("甲，乙；丙："), "甲，乙；丙：");
        let s = "ａｂ　ｃ";
        assert_eq!(normalize(s).chars().count(), s.chars().count());
    }
}

/// Why an operating-system operation failed, in Chinese (what a user can act on), with the
/// system's error number when there is one: "文件或目录不存在", "没有访问权限" …
pub fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    let reason = match e.kind() {
        K::NotFound => "文件或目录不存在",
        K::PermissionDenied => "没有访问权限",
        K::AlreadyExists => "文件已存在",
        K::IsADirectory => "这是一个目录，不是文件",
        K::NotADirectory => "路径中有一级不是目录",
        K::DirectoryNotEmpty => "目录不是空的",
        K::StorageFull => "磁盘空间已满",
        K::QuotaExceeded => "超出磁盘配额",
        K::ReadOnlyFilesystem => "文件系统是只读的",
        K::FileTooLarge => "文件过大",
        K::InvalidFilename => "文件名无效（过长或含有不允许的字符）",
        K::CrossesDevices => "不能跨文件系统移动文件",
        K::UnexpectedEof => "文件在读完之前意外结束",
        K::InvalidData => "内容无效",
        K::OutOfMemory => "内存不足",
        K::TimedOut => "操作超时",
        K::Interrupted => "操作被中断",
        K::BrokenPipe => "输出管道已关闭",
        K::ConnectionRefused => "连接被拒绝（服务未启动或端口不对）",
        K::ConnectionReset | K::ConnectionAborted => "连接被中断",
        K::AddrInUse => "端口已被占用",
        K::ResourceBusy => "资源正被占用",
        K::ExecutableFileBusy => "文件正被执行，不能写入",
        _ => "",
    };
    match (reason, e.raw_os_error()) {
        ("", Some(code)) => format!("系统错误（错误号 {code}）"),
        ("", None) => format!("系统错误（{e}）"),
        (r, _) => r.to_string(),
    }
}

#[cfg(test)]
mod io_reason_tests {
    use super::io_reason;

    #[test]
    fn os_errors_are_told_in_chinese() {
        let e = std::io::Error::from_raw_os_error(2);
        assert_eq!(io_reason(&e), "文件或目录不存在");
        let e = std::io::Error::from_raw_os_error(13);
        assert_eq!(io_reason(&e), "没有访问权限");
        let e = std::io::Error::from_raw_os_error(28);
        assert_eq!(io_reason(&e), "磁盘空间已满");
        let e = std::io::Error::from_raw_os_error(36);
        assert_eq!(io_reason(&e), "文件名无效（过长或含有不允许的字符）");
    }
}
