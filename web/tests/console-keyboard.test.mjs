// The console's upload → findings → fix → store → 编制计划 → submit path with the keyboard
// alone (issue 17, "Must show": keyboard-only use), in headless Chromium on the demo site
// (`landplan serve --demo`, signed in as its editor). Tab moves the focus, typing fills the
// fields, Enter follows links and submits forms; no mouse click anywhere. A file is chosen with
// `setInputFiles` on the focused file input (what the system's file dialog, opened with Enter,
// hands the page). Screenshots at 1366×768 and 390×844 go to the artefacts directory
// (`console-keyboard-*.png`); at 390 px the pages must not scroll sideways.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launch, newPage, screenshot, scrollsSideways } from './lib/browser.mjs';
import { startDemo } from './lib/server.mjs';

/** Press Tab until the focused element matches `selector`. */
async function tabTo(page, selector, max = 250) {
  for (let i = 0; i < max; i += 1) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`按 Tab ${max} 次仍未到达 ${selector}`);
}

/** Press Enter on the focused element and wait for the page it leads to. */
async function enter(page, url) {
  await Promise.all([page.waitForURL(url), page.keyboard.press('Enter')]);
}

/** A supply ledger of four parcels for the demo county; row 3's area is unreadable. */
const LEDGER = [
  '地块编号,坐落,乡镇,面积（公顷）,用途,土地来源,供应方式,计划供应时间',
  'KB-001,城关镇北街,城关镇,1.2000,住宅用地,新增,挂牌出让,第二季度',
  'KB-002,城关镇西路,城关镇,约零点八,商服用地,存量,拍卖出让,第三季度',
  'KB-003,河口乡园区,河口乡,3.0000,工业用地,新增,挂牌出让,第一季度',
  'KB-004,河口乡学校,河口乡,0.5000,公共管理与公共服务用地,存量,划拨,第四季度',
  '',
].join('\r\n');

describe('the console with the keyboard alone', () => {
  let site;
  let browser;
  let dir;

  before(async () => {
    site = await startDemo();
    browser = await launch();
    dir = await mkdtemp(path.join(tmpdir(), 'landplan-keyboard-'));
  });

  after(async () => {
    await browser?.close();
    await site?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('upload, findings, fix a row, store, 编制计划, submit', async () => {
    const password = site.accounts['demo-editor'];
    assert.ok(password, `the demo printed the editor's password: ${site.log()}`);
    const ledger = path.join(dir, '键盘台账.csv');
    await writeFile(ledger, LEDGER);
    const { page, context, problems } = await newPage(browser, { viewport: { width: 1366, height: 768 } });

    // Sign in: the name field has the focus.
    await page.goto(`${site.url}console/imports`);
    await page.waitForURL(/\/console\/login/);
    await page.keyboard.type('demo-editor');
    await page.keyboard.press('Tab');
    await page.keyboard.type(password);
    await enter(page, (u) => u.pathname === '/console/imports');

    // The upload form: region (the editor's county), year, the ledger.
    assert.equal(await page.inputValue('#import-region'), '990101');
    await tabTo(page, '#import-year');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('2026');
    await tabTo(page, '#import-ledger');
    await page.setInputFiles('#import-ledger', ledger);
    await tabTo(page, 'form.import-form button[type="submit"]');
    await enter(page, /\/console\/imports\/[0-9a-f]{32}$/);
    const staged = page.url();

    // Findings first: the bad row by row and column, linked to the row.
    assert.match(await page.textContent('#findings-summary'), /1 个错误/);
    assert.match(await page.textContent('#findings'), /第 3 行 “面积（公顷）”列/);
    assert.ok(await page.isDisabled('form.store-form button'), 'storing waits for the fix');
    await screenshot(page, 'console-keyboard-findings-1366');
    await page.setViewportSize({ width: 390, height: 844 });
    assert.equal(await scrollsSideways(page), false, 'the findings page scrolls sideways at 390 px');
    await screenshot(page, 'console-keyboard-findings-390');
    await page.setViewportSize({ width: 1366, height: 768 });

    // Follow the finding's link to its row, then into the row's 面积 cell.
    await tabTo(page, 'a.row-link[href="#row-3"]');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.location.hash === '#row-3');
    await tabTo(page, '#c3-3');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('0.8000');
    await enter(page, (u) => u.href === `${staged}#findings-summary`);
    assert.match(await page.textContent('#findings-summary'), /没有错误/);

    // Store, then 编制计划 with a note.
    await tabTo(page, '#store-import');
    await enter(page, (u) => u.hash === '#stored');
    assert.match(await page.textContent('#stored'), /已保存为导入批次/);
    await tabTo(page, '#plan-note');
    await page.keyboard.type('键盘导入');
    await tabTo(page, '#make-plan');
    await enter(page, /\/console\/plans\/990101\/2026\/supply$/);
    assert.match(await page.textContent('main'), /草稿/);

    // The compiled version: indicators, downloads, the checker's report.
    await tabTo(page, 'a[href$="/versions/1/compiled"]');
    await enter(page, /\/versions\/1\/compiled$/);
    assert.equal((await page.textContent('#plan-total')).trim(), '5.50');
    assert.ok(await page.isVisible('a[href$="/versions/1/plan.docx"]'));
    assert.ok(await page.isVisible('.check-summary'));
    await screenshot(page, 'console-keyboard-compiled-1366');
    await screenshot(page, 'console-keyboard-compiled-check-1366', '#check');
    await page.setViewportSize({ width: 390, height: 844 });
    assert.equal(await scrollsSideways(page), false, 'the compiled page scrolls sideways at 390 px');
    await screenshot(page, 'console-keyboard-compiled-390');
    await page.setViewportSize({ width: 1366, height: 768 });

    // Back to the plan by the page's own link, and submit it.
    await tabTo(page, 'nav a[href="/console/plans/990101/2026/supply"]');
    await enter(page, /\/console\/plans\/990101\/2026\/supply$/);
    await tabTo(page, '#submit-note');
    await page.keyboard.type('请审核');
    await tabTo(page, 'form.step[action$="/submit"] button[type="submit"]');
    await enter(page, /\/console\/plans\/990101\/2026\/supply\?done=submit$/);
    assert.match(await page.textContent('main'), /已提交/);
    await screenshot(page, 'console-keyboard-submitted-1366');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a plan document checked from /console/check shows the finding with its place', async () => {
    const doc = path.join(dir, '某县计划.txt');
    await writeFile(doc, '某县2025年度国有建设用地供应计划\n全县国有建设用地供应总量为100.00公顷，其中住宅用地60.00公顷，商服用地30.00公顷。\n');
    const { page, context, problems } = await newPage(browser, { viewport: { width: 390, height: 844 } });
    await page.goto(`${site.url}console/check`);
    await page.waitForURL(/\/console\/login/);
    await page.keyboard.type('demo-editor');
    await page.keyboard.press('Tab');
    await page.keyboard.type(site.accounts['demo-editor']);
    await enter(page, (u) => u.pathname === '/console/check');
    await tabTo(page, '#check-document');
    await page.setInputFiles('#check-document', doc);
    await tabTo(page, 'form.check-form button[type="submit"]');
    await Promise.all([page.waitForSelector('#check-report'), page.keyboard.press('Enter')]);
    assert.match(await page.textContent('#check-report'), /sum\.mismatch/);
    assert.match(await page.textContent('#check-report pre.quoted'), /某县计划\.txt:2:/);
    assert.equal(await scrollsSideways(page), false, 'the check page scrolls sideways at 390 px');
    await screenshot(page, 'console-keyboard-check-390', '#check-report');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a geometry finding leads to its parcel on the map', async () => {
    const ledger = path.join(dir, '界址台账.csv');
    await writeFile(ledger, LEDGER.replace('约零点八', '0.8000'));
    const square = (id, x) => ({ type: 'Feature', properties: { 地块编号: id }, geometry: { type: 'Polygon', coordinates: [[[x, 30.2], [x + 0.002, 30.2], [x + 0.002, 30.202], [x, 30.202], [x, 30.2]]] } });
    const bowTie = { type: 'Feature', properties: { 地块编号: 'KB-002' }, geometry: { type: 'Polygon', coordinates: [[[120.104, 30.2], [120.106, 30.202], [120.106, 30.2], [120.104, 30.202], [120.104, 30.2]]] } };
    const geometry = path.join(dir, '界址.geojson');
    await writeFile(geometry, JSON.stringify({ type: 'FeatureCollection', features: [square('KB-001', 120.1), bowTie, square('KB-003', 120.108), square('KB-004', 120.112)] }));
    const { page, context, problems } = await newPage(browser, { viewport: { width: 1366, height: 768 } });
    await page.goto(`${site.url}console/imports`);
    await page.waitForURL(/\/console\/login/);
    await page.keyboard.type('demo-editor');
    await page.keyboard.press('Tab');
    await page.keyboard.type(site.accounts['demo-editor']);
    await enter(page, (u) => u.pathname === '/console/imports');
    await tabTo(page, '#import-ledger');
    await page.setInputFiles('#import-ledger', ledger);
    await tabTo(page, '#import-geometry');
    await page.setInputFiles('#import-geometry', geometry);
    await tabTo(page, 'form.import-form button[type="submit"]');
    await enter(page, /\/console\/imports\/[0-9a-f]{32}$/);
    assert.match(await page.textContent('#findings'), /geometry\.self_intersection/);
    await tabTo(page, 'a.map-link');
    const target = await page.evaluate(() => document.activeElement.getAttribute('href'));
    await page.keyboard.press('Enter');
    await page.waitForFunction((h) => window.location.hash === h, target);
    assert.equal(await page.evaluate(() => document.querySelector('#import-map g:target')?.dataset.parcel), 'KB-002');
    // The parcel is outlined in red (console.css, `:target`).
    assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('#import-map g:target > *')).stroke), 'rgb(207, 34, 46)');
    await screenshot(page, 'console-keyboard-map-1366', '#map');
    assert.deepEqual(problems, []);
    await context.close();
  });
});
