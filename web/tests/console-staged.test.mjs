// Staged uploads survive a restart (docs/console.md "Staged uploads"), in headless Chromium on
// the demo site in a GeoPackage file: the editor uploads a ledger with a bad row and corrects
// another cell in the browser; the server process is stopped and a new one started on the same
// store; the page, reloaded, still has the upload, its findings and the cell as corrected.
// Screenshot: ${CARGO_TARGET_DIR:-target}/browser-artifacts/staged-restarted.png.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launch, newPage, screenshot } from './lib/browser.mjs';
import { startDemo } from './lib/server.mjs';

// Written for this test: the second parcel's area has a letter O for a zero.
const HEADER = '地块编号,坐落,乡镇,面积（公顷）,用途,土地来源,供应方式,计划供应时间';
const ROWS = [
  'STG-001,城关镇东街,城关镇,1.5000,住宅用地,新增,挂牌出让,第二季度',
  'STG-002,龙泉镇园区,龙泉镇,2.O000,工业用地,存量,挂牌出让,第三季度',
  'STG-003,石桥镇北路,石桥镇,0.7000,商服用地,新增,拍卖出让,第四季度',
];

describe('a staged upload across a server restart', () => {
  let dir;
  let site;
  let browser;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'landplan-staged-'));
    site = await startDemo({ db: path.join(dir, 'demo.gpkg') });
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await site?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('the upload, its findings and its edit are there after the restart', async () => {
    const { page } = await newPage(browser, { viewport: { width: 1366, height: 768 } });
    await page.goto(`${site.url}console`);
    await page.waitForURL(/\/console\/login/);
    await page.fill('#login-name', 'demo-editor');
    await page.fill('#login-password', site.accounts['demo-editor']);
    await page.click('form.login button[type="submit"]');
    await page.waitForURL(/\/console(\?|$)/);

    const ledger = path.join(dir, '暂存台账.csv');
    await writeFile(ledger, [HEADER, ...ROWS, ''].join('\r\n'));
    await page.goto(`${site.url}console/imports`);
    await page.selectOption('#import-region', '990101');
    await page.fill('#import-year', '2026');
    await page.setInputFiles('#import-ledger', ledger);
    await page.click('form.import-form button[type="submit"]');
    await page.waitForURL(/\/console\/imports\/[0-9a-f]+/);
    const at = new URL(page.url()).pathname;
    // A cell corrected in the browser (the third parcel's 坐落), the bad area left as it is.
    await page.fill('#c4-1', '石桥镇北路东段');
    await Promise.all([page.waitForURL(/#findings-summary/), page.click('#recheck')]);
    const findings = await page.textContent('#findings');
    assert.match(findings, /第 3 行/);
    assert.match(await page.textContent('main'), /网页修改第1次/);

    // Another process on the same store (the session is in the store too).
    await site.stop();
    site = await startDemo({ db: path.join(dir, 'demo.gpkg'), demo: false });
    await page.goto(`${site.url}${at.slice(1)}`);
    assert.equal(new URL(page.url()).pathname, at, 'still signed in, on the upload');
    assert.equal(await page.textContent('#findings'), findings, 'the same findings');
    assert.match(await page.textContent('main'), /网页修改第1次/);
    assert.equal(await page.inputValue('#c4-1'), '石桥镇北路东段', 'the corrected cell');
    assert.equal(await page.inputValue('#c3-3'), '2.O000');
    await screenshot(page, 'staged-restarted');
  });
});
