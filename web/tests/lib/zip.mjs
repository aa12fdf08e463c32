// A small reader of ZIP archives (a .docx is one): finds a member through the central
// directory and inflates it with node's zlib. Enough for the tests; no dependency.
import { inflateRawSync } from 'node:zlib';

/** The names of the members of `buf` (a Buffer holding a whole ZIP archive). */
export function zipEntries(buf) {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i -= 1) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('不是 ZIP 文件（没有中央目录结尾）');
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const entries = [];
  for (let n = 0; n < count; n += 1) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error('ZIP 中央目录损坏');
    const method = buf.readUInt16LE(at + 10);
    const compressed = buf.readUInt32LE(at + 20);
    const size = buf.readUInt32LE(at + 24);
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLen = buf.readUInt16LE(at + 30);
    const commentLen = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.toString('utf8', at + 46, at + 46 + nameLen);
    entries.push({ name, method, compressed, size, local });
    at += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** The bytes of member `name` of the archive `buf`, or null when it has none. */
export function zipRead(buf, name) {
  const entry = zipEntries(buf).find((e) => e.name === name);
  if (!entry) return null;
  const at = entry.local;
  if (buf.readUInt32LE(at) !== 0x04034b50) throw new Error('ZIP 本地文件头损坏');
  const start = at + 30 + buf.readUInt16LE(at + 26) + buf.readUInt16LE(at + 28);
  const data = buf.subarray(start, start + entry.compressed);
  if (entry.method === 0) return Buffer.from(data);
  if (entry.method === 8) return inflateRawSync(data);
  throw new Error(`不支持的 ZIP 压缩方式 ${entry.method}`);
}

/** The plain text of a Word document's body (word/document.xml with the tags removed). */
export function docxText(buf) {
  const xml = zipRead(buf, 'word/document.xml');
  if (!xml) throw new Error('不是 Word 文档（没有 word/document.xml）');
  return xml
    .toString('utf8')
    .replace(/<w:tab\/>/g, '\t')
    .replace(/<\/w:p>/g, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}
