// The front end's pure functions and the tests' ZIP reader, without a browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { compareDecimal, parseDecimal } from '../src/decimal.js';
import { isGeographic, localPlane, parseExtent, quarterLabel } from '../src/map.js';
import { queryTerms } from '../src/table.js';
import { zipEntries, zipRead, docxText } from './lib/zip.mjs';
import { addDecimal, roundsTo } from './lib/decimal-sum.mjs';

test('decimals compare exactly, as numbers, whatever their digits', () => {
  const sorted = ['10.25', '2.5', '-1', '0', '0.0001', '1,234.5', '2.50001', '', '—', '9.75']
    .sort(compareDecimal);
  assert.deepEqual(sorted, ['-1', '0', '0.0001', '2.5', '2.50001', '9.75', '10.25', '1,234.5', '', '—']);
  assert.equal(compareDecimal('2.5000', '2.5'), 0);
  assert.equal(compareDecimal('-0', '0.000'), 0);
  assert.ok(compareDecimal('-2.5', '-10') > 0);
  assert.ok(compareDecimal('0.30000000000000004', '0.3') > 0, 'no float rounding');
  assert.ok(compareDecimal('12.3 公顷', '9 公顷') > 0, 'units after the number are ignored');
  assert.deepEqual(parseDecimal('007.100'), { sign: 1, int: '7', frac: '1' });
  assert.equal(parseDecimal('无'), null);
});

test('quarters are written as 第…季度 and anything else as given', () => {
  assert.equal(quarterLabel('2'), '第2季度');
  assert.equal(quarterLabel('Q4'), '第4季度');
  assert.equal(quarterLabel('第三季度'), '第3季度');
  assert.equal(quarterLabel('第1季度'), '第1季度');
  assert.equal(quarterLabel('4月'), '4月');
  assert.equal(quarterLabel(''), '未注明');
  assert.equal(quarterLabel(null), '未注明');
});

test('an extent is four numbers with min below max', () => {
  assert.deepEqual(parseExtent('38489000,3370000,38497000.5,3374000'), [38489000, 3370000, 38497000.5, 3374000]);
  assert.equal(parseExtent('1,2,3'), null);
  assert.equal(parseExtent('5,2,3,4'), null);
  assert.equal(parseExtent('a,b,c,d'), null);
  assert.equal(parseExtent(undefined), null);
});

test('degrees are told from metres by the extent, and shown on a true local plane', () => {
  assert.equal(isGeographic([113.89, 30.45, 114.11, 30.60]), true);
  assert.equal(isGeographic([38489000, 3370000, 38497000, 3374000]), false);
  assert.equal(isGeographic([489000, 3370000, 497000, 3374000]), false);
  const extent = [113.9, 30.4, 114.1, 30.6];
  const { forward, inverse } = localPlane(extent);
  assert.deepEqual(forward([114, 30.5]), [0, 0], 'the centre is the origin');
  // A tenth of a degree of latitude is about 11.1 km; of longitude at 30.5°N about 9.59 km.
  const [, north] = forward([114, 30.6]);
  const [east] = forward([114.1, 30.5]);
  assert.ok(Math.abs(north - 11132) < 15, `north ${north}`);
  assert.ok(Math.abs(east - 9592) < 15, `east ${east}`);
  const back = inverse(forward([113.95, 30.42]));
  assert.ok(Math.abs(back[0] - 113.95) < 1e-12 && Math.abs(back[1] - 30.42) < 1e-12);
});

test('a filter query splits into lower-case terms on spaces and Chinese commas', () => {
  assert.deepEqual(queryTerms('  龙泉镇  住宅，SLX '), ['龙泉镇', '住宅', 'slx']);
  assert.deepEqual(queryTerms(''), []);
});

test('exact decimal sums for the plan total', () => {
  assert.equal(addDecimal(['2.3253', '4.6281', '0.9297']), '7.8831');
  assert.equal(addDecimal(['0.1', '0.2']), '0.3');
  assert.equal(addDecimal(['1', '2.50']), '3.5');
  assert.equal(addDecimal([]), '0');
  assert.ok(roundsTo('67.1234', '67.12'));
  assert.ok(roundsTo('67.125', '67.13'));
  assert.ok(roundsTo('67.1234', '67.1234'));
  assert.ok(!roundsTo('67.1234', '67.13'));
  assert.ok(!roundsTo('67.1234', '67.1235'));
  assert.ok(roundsTo('7.5', '8'));
});

/** A ZIP archive of `members` ({name, data, deflate}) written by hand (CRC left 0: unread). */
function makeZip(members) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const { name, data, deflate } of members) {
    const body = deflate ? deflateRawSync(data) : data;
    const nameBytes = Buffer.from(name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(deflate ? 8 : 0, 10);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, body);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

test('the ZIP reader finds stored and deflated members and a Word body text', () => {
  const xml = '<w:document><w:body><w:p><w:r><w:t>供应总量控制在12.3456公顷</w:t></w:r></w:p>'
    + '<w:p><w:r><w:t>甲&amp;乙</w:t></w:r></w:p></w:body></w:document>';
  const zip = makeZip([
    { name: '[Content_Types].xml', data: Buffer.from('<Types/>'), deflate: false },
    { name: 'word/document.xml', data: Buffer.from(xml), deflate: true },
  ]);
  assert.deepEqual(zipEntries(zip).map((e) => e.name), ['[Content_Types].xml', 'word/document.xml']);
  assert.equal(zipRead(zip, '[Content_Types].xml').toString(), '<Types/>');
  assert.equal(zipRead(zip, 'nothing'), null);
  assert.equal(docxText(zip), '供应总量控制在12.3456公顷\n甲&乙\n');
  assert.throws(() => zipEntries(Buffer.from('not a zip at all, just some text here')), /不是 ZIP/);
});
