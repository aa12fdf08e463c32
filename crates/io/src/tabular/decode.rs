//! Streaming helpers: a byte counter for progress and a transcoder to UTF-8.

use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Counts the bytes read through it (shared, for a progress bar).
pub(crate) struct CountingReader<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> CountingReader<R> {
    pub(crate) fn new(inner: R, count: Arc<AtomicU64>) -> Self {
        CountingReader { inner, count }
    }
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Transcodes a byte stream in a legacy encoding (GB18030, UTF-16) to UTF-8, chunk by chunk.
/// Malformed input becomes U+FFFD, and [`DecodeReader::malformed`] and
/// [`DecodeReader::cut_at_end`] say that it did (the rows holding it are rejected).
pub(crate) struct DecodeReader<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    inbuf: Box<[u8]>,
    in_start: usize,
    in_end: usize,
    outbuf: Box<[u8]>,
    out_start: usize,
    out_end: usize,
    eof: bool,
    /// The decoder has been flushed (`last = true` returned `InputEmpty`): it must not be
    /// called again (encoding_rs panics if it is).
    finished: bool,
    /// Some input could not be decoded.
    malformed: bool,
    /// The input ended inside a character: its first bytes became the last U+FFFD.
    cut_at_end: bool,
}

const CHUNK: usize = 64 * 1024;

impl<R: Read> DecodeReader<R> {
    pub(crate) fn new(inner: R, encoding: &'static encoding_rs::Encoding) -> Self {
        DecodeReader {
            inner,
            decoder: encoding.new_decoder_without_bom_handling(),
            inbuf: vec![0; CHUNK].into_boxed_slice(),
            in_start: 0,
            in_end: 0,
            // Worst case growth GB18030 → UTF-8 is 3 bytes per 2 input bytes, plus slack.
            outbuf: vec![0; CHUNK * 2 + 16].into_boxed_slice(),
            out_start: 0,
            out_end: 0,
            eof: false,
            finished: false,
            malformed: false,
            cut_at_end: false,
        }
    }

    /// True when some input could not be decoded (it became U+FFFD).
    pub(crate) fn malformed(&self) -> bool {
        self.malformed
    }

    /// True when the input ended in the middle of a character.
    pub(crate) fn cut_at_end(&self) -> bool {
        self.cut_at_end
    }

    fn fill(&mut self) -> io::Result<()> {
        while self.out_start == self.out_end && !self.finished {
            if self.in_start == self.in_end && !self.eof {
                let n = self.inner.read(&mut self.inbuf)?;
                self.in_start = 0;
                self.in_end = n;
                if n == 0 {
                    self.eof = true;
                }
            }
            let input = &self.inbuf[self.in_start..self.in_end];
            let (res, read, written, errors) =
                self.decoder
                    .decode_to_utf8(input, &mut self.outbuf, self.eof);
            if errors {
                self.malformed = true;
                // At the end the input is empty: the error is a character left unfinished.
                if self.eof && input.is_empty() {
                    self.cut_at_end = true;
                }
            }
            self.in_start += read;
            self.out_start = 0;
            self.out_end = written;
            if self.eof && res == encoding_rs::CoderResult::InputEmpty {
                self.finished = true;
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for DecodeReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.fill()?;
        let n = (self.out_end - self.out_start).min(buf.len());
        buf[..n].copy_from_slice(&self.outbuf[self.out_start..self.out_start + n]);
        self.out_start += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transcodes_gbk_across_chunk_boundaries() {
        let text = "地块编号,面积（公顷）\n".repeat(20_000);
        let (gbk, _, _) = encoding_rs::GBK.encode(&text);
        let mut out = String::new();
        DecodeReader::new(&gbk[..], encoding_rs::GB18030)
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, text);
    }

    /// Defect 2 of issue 11: a GBK or UTF-16 text ending in half a character made the decoder
    /// be called after it had finished, and encoding_rs panicked.
    #[test]
    fn a_text_ending_in_half_a_character_is_decoded_to_its_end_without_panicking() {
        let text = "地块编号,面积（公顷）\nA1,1.5\n".repeat(5_000) + "末行";
        let cases: [(&'static encoding_rs::Encoding, Vec<u8>); 3] = [
            (
                encoding_rs::GB18030,
                encoding_rs::GBK.encode(&text).0.into_owned(),
            ),
            (encoding_rs::UTF_16LE, utf16(&text, u16::to_le_bytes)),
            (encoding_rs::UTF_16BE, utf16(&text, u16::to_be_bytes)),
        ];
        for (enc, bytes) in cases {
            let cut = &bytes[..bytes.len() - 1];
            let mut reader = DecodeReader::new(cut, enc);
            let mut out = String::new();
            reader.read_to_string(&mut out).unwrap();
            assert_eq!(out, text.replace("末行", "末\u{FFFD}"), "{}", enc.name());
            assert!(reader.malformed() && reader.cut_at_end(), "{}", enc.name());
            // Reading again at the end gives nothing (and does not panic).
            assert_eq!(reader.read(&mut [0; 16]).unwrap(), 0);
        }
    }

    #[test]
    fn a_whole_text_is_neither_malformed_nor_cut() {
        let (gbk, _, _) = encoding_rs::GBK.encode("示例县,12.5\n");
        let mut reader = DecodeReader::new(&gbk[..], encoding_rs::GB18030);
        let mut out = String::new();
        reader.read_to_string(&mut out).unwrap();
        assert!(!reader.malformed() && !reader.cut_at_end());
    }

    fn utf16(text: &str, bytes: fn(u16) -> [u8; 2]) -> Vec<u8> {
        text.encode_utf16().flat_map(bytes).collect()
    }
}
