//! OLE compound files (Office 97-2003 `.doc`, `.xls`): only what the sniffer needs, whether the
//! file holds a stream of a given name. Directory entries are 128 bytes, aligned to 128 bytes
//! in sectors of 512 or 4096 bytes after the header, each starting with its name in UTF-16
//! (the length in bytes, terminator included, at offset 0x40, the kind at 0x42: 2 = stream).
//! Looking at every aligned entry needs no walk of the allocation table, so a damaged table
//! cannot send the reader astray; random bytes after an OLE signature hold no such entry.

/// True when an OLE compound file has a stream entry named `name`.
pub(super) fn has_stream(bytes: &[u8], name: &str) -> bool {
    let utf16: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let name_len = (utf16.len() + 2) as u16;
    let sector = match bytes.get(0x1E..0x20) {
        Some(&[9, 0]) => 512,
        Some(&[12, 0]) => 4096,
        _ => return false,
    };
    bytes.chunks_exact(128).skip(sector / 128).any(|entry| {
        entry.starts_with(&utf16)
            && entry[utf16.len()..utf16.len() + 2] == [0, 0]
            && entry[0x40..0x42] == name_len.to_le_bytes()
            && entry[0x42] == 2
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A header and one directory sector holding `entry` (a name and its kind).
    fn file(entry: &str, kind: u8) -> Vec<u8> {
        let mut b = vec![0u8; 1024];
        b[..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
        b[0x1E] = 9;
        let name: Vec<u8> = entry.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let at = 512 + 128;
        b[at..at + name.len()].copy_from_slice(&name);
        b[at + 0x40..at + 0x42].copy_from_slice(&((name.len() + 2) as u16).to_le_bytes());
        b[at + 0x42] = kind;
        b
    }

    #[test]
    fn a_word_stream_is_found_and_garbage_has_none() {
        assert!(has_stream(&file("WordDocument", 2), "WordDocument"));
        assert!(!has_stream(&file("WordDocument", 1), "WordDocument"));
        assert!(!has_stream(&file("Workbook", 2), "WordDocument"));
        let mut junk = file("x", 2);
        junk.extend((0..30_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
        assert!(!has_stream(&junk, "WordDocument"));
    }
}
