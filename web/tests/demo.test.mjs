// A visitor on the demo site (`landplan serve --demo`) in headless Chromium: issue 16's
// "Must show" for the browser. Screenshots: ${CARGO_TARGET_DIR:-target}/browser-artifacts/demo-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { launch, newPage, screenshot, scrollsSideways, clickParcel } from './lib/browser.mjs';
import { startDemo } from './lib/server.mjs';
import { docxText } from './lib/zip.mjs';
import { addDecimal, roundsTo } from './lib/decimal-sum.mjs';
import { compareDecimal } from '../src/decimal.js';

let site;
let browser;
let planUrl;

before(async () => {
  site = await startDemo();
  browser = await launch();
  // The visitor's way in: the list of published plans at /, then the demo county's supply plan.
  const { page, context } = await newPage(browser);
  await page.goto(site.url);
  const links = await page.$$eval('a[href*="/plans/"]', (as) => as.map((a) => ({ href: a.href, text: a.textContent })));
  const link = links.find((l) => l.text.includes('示例县') && /\/supply\/?$/.test(l.href))
    ?? links.find((l) => l.text.includes('示例县'));
  assert.ok(link, `the home page links the demo county's plan: ${JSON.stringify(links)}`);
  planUrl = link.href;
  await context.close();
});

after(async () => {
  await browser?.close();
  await site?.stop();
});

/** The rows of the parcel table as { id, cells } (visible ones only when `visible`). */
function tableRows(page, visible = false) {
  return page.$$eval(
    '#parcel-table tbody tr[data-parcel]',
    (rows, onlyVisible) => rows
      .filter((r) => !onlyVisible || !r.hidden)
      .map((r) => ({ id: r.dataset.parcel, text: r.textContent, cells: Array.from(r.cells).map((c) => c.textContent.trim()) })),
    visible,
  );
}

async function columnIndex(page, key) {
  return page.$$eval('#parcel-table thead th', (ths, k) => ths.findIndex((th) => th.dataset.key === k), key);
}

test('the home page leads to the demo plan, whose page shows the map with its parcels and the charts', async () => {
  const { page, context, problems } = await newPage(browser);
  await page.goto(site.url);
  await screenshot(page, 'demo-home');
  await page.click(`a[href="${new URL(planUrl).pathname}"]`);
  await page.waitForURL(planUrl);
  await page.waitForSelector('#plan-map[data-state="ready"]', { timeout: 30_000 });
  const count = Number(await page.getAttribute('#plan-map', 'data-parcel-count'));
  assert.ok(count > 0, 'the map has parcels');
  const mapIds = await page.evaluate(() => document.getElementById('plan-map').landplan.parcels.getFeatures().map((f) => String(f.get('id'))));
  const rowIds = (await tableRows(page)).map((r) => r.id);
  for (const id of mapIds) assert.ok(rowIds.includes(id), `map parcel ${id} is in the table`);
  assert.ok(await page.isVisible('#plan-map .lp-map canvas'));
  assert.ok((await page.$$('#plan-map .lp-legend li')).length >= 2, 'a legend of classes and townships');
  assert.match(await page.textContent('#plan-map .ol-scale-line-inner'), /^\d+ k?m$/, 'a scale bar in metres');
  // Each parcel has the colour the server's SVG map (hidden now) gave it.
  const differing = await page.evaluate(() => {
    const figure = document.getElementById('plan-map');
    const out = [];
    for (const g of figure.querySelectorAll('svg [data-parcel]')) {
      const fill = g.querySelector('[fill]')?.getAttribute('fill')?.toLowerCase();
      const mine = figure.landplan.colourOf(g.dataset.parcel);
      if (fill !== mine) out.push(`${g.dataset.parcel}: ${fill} ≠ ${mine}`);
    }
    return { compared: figure.querySelectorAll('svg [data-parcel]').length, out };
  });
  assert.equal(differing.compared, count, 'the SVG map has every parcel');
  assert.deepEqual(differing.out, [], 'the same colours as the SVG map');
  // The charts: server SVG, inline or as images, outside the map, drawn at a visible size.
  const charts = await page.$$eval('svg, img', (els) => els
    .filter((e) => !e.closest('#plan-map'))
    .filter((e) => e.tagName.toLowerCase() === 'svg' ? e.querySelector('rect, path') : /\.svg(\?|$)|chart/.test(e.getAttribute('src') ?? ''))
    .map((e) => e.getBoundingClientRect())
    .filter((r) => r.width > 100 && r.height > 50).length);
  assert.ok(charts >= 2, `the page shows the plan's charts (${charts})`);
  await screenshot(page, 'demo-plan');
  await screenshot(page, 'demo-plan-map', '#plan-map');
  await screenshot(page, 'demo-plan-charts', '#indicators');
  assert.deepEqual(problems, []);
  await context.close();
});

test('clicking a parcel on the map shows its details', async () => {
  const { page, context, problems } = await newPage(browser);
  await page.goto(planUrl);
  await page.waitForSelector('#plan-map[data-state="ready"]', { timeout: 30_000 });
  const feature = await page.evaluate(() => document.getElementById('plan-map').landplan.parcels.getFeatures()[0].getProperties());
  await clickParcel(page, String(feature.id));
  const popup = await page.textContent('#plan-map .lp-popup');
  for (const field of ['坐落', '面积', '用途', '计划季度', '状态']) assert.ok(popup.includes(field), `${field}: ${popup}`);
  assert.ok(popup.includes(feature.name), `its 坐落 ${feature.name}: ${popup}`);
  assert.ok(popup.includes(`${feature.area_ha} 公顷`) && popup.includes(`${feature.area_mu} 亩`), `its area: ${popup}`);
  assert.ok(popup.includes(feature.class_name), `its use: ${popup}`);
  await screenshot(page, 'demo-parcel-popup', '#plan-map');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the table filters as one types and sorts areas as numbers', async () => {
  const { page, context } = await newPage(browser);
  await page.goto(planUrl);
  await page.waitForSelector('#parcel-count');
  const all = await tableRows(page);
  const townshipCol = await columnIndex(page, 'township');
  const term = townshipCol >= 0 ? all[0].cells[townshipCol] : all[0].cells[1].slice(0, 4);
  const expected = all.filter((r) => r.text.includes(term)).map((r) => r.id);
  assert.ok(expected.length > 0 && expected.length < all.length, `"${term}" selects some parcels, not all`);
  await page.fill('#parcel-filter', term);
  assert.deepEqual((await tableRows(page, true)).map((r) => r.id), expected);
  assert.equal(await page.textContent('#parcel-count'), `显示 ${expected.length} 个地块（共 ${all.length} 个）`);
  await page.evaluate(() => document.getElementById('parcel-filter').scrollIntoView({ block: 'start' }));
  await screenshot(page, 'demo-filtered');
  await page.fill('#parcel-filter', '');
  const areaCol = await columnIndex(page, 'area_ha');
  assert.ok(areaCol >= 0, 'the table has an area column');
  await page.click('#parcel-table th[data-key="area_ha"] button');
  const areas = (await tableRows(page, true)).map((r) => r.cells[areaCol]);
  assert.equal(areas.length, all.length);
  assert.deepEqual(areas, [...areas].sort(compareDecimal), 'ascending by area as numbers');
  await context.close();
});

test('the .docx download of the published version states the plan total of its parcels', async () => {
  const { page, context } = await newPage(browser);
  await page.goto(planUrl);
  const areaCol = await columnIndex(page, 'area_ha');
  const areas = (await tableRows(page)).map((r) => r.cells[areaCol]);
  const sum = addDecimal(areas);
  const link = page.locator('a[href$=".docx"]').first();
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  assert.match(download.suggestedFilename(), /\.docx$/);
  const bytes = await readFile(await download.path());
  // The copy is the one published: its SHA-256 is the fingerprint the page states.
  const file = new URL(await link.getAttribute('href'), planUrl).pathname.split('/').pop();
  const published = (await page.textContent(`code.hash[data-file="${file}"]`)).trim();
  assert.equal(createHash('sha256').update(bytes).digest('hex'), published.toLowerCase());
  const text = docxText(bytes);
  const m = /供应总量控制在([0-9.,]+)公顷/.exec(text);
  assert.ok(m, `the document states the total: ${text.slice(0, 400)}`);
  const total = m[1].replace(/,/g, '');
  // The document writes the total at its precision: the parcels' exact sum rounded to it.
  assert.ok(roundsTo(sum, total), `the document's total ${total} is the parcels' ${sum}`);
  assert.ok((await page.textContent('main')).includes(total), `the page states the total ${total} too`);
  await context.close();
});

test('at phone width (390 px) the plan page does not scroll sideways', async () => {
  const { page, context, problems } = await newPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await page.goto(planUrl);
  await page.waitForSelector('#plan-map[data-state="ready"]', { timeout: 30_000 });
  assert.equal(await scrollsSideways(page), false, 'no horizontal scrolling');
  await screenshot(page, 'demo-phone');
  await page.locator('#plan-map').scrollIntoViewIfNeeded();
  await screenshot(page, 'demo-phone-map');
  assert.deepEqual(problems, []);
  await context.close();
});

test('an earlier version stays reachable and shows the adjustment reason', async () => {
  const { page, context, problems } = await newPage(browser);
  await page.goto(planUrl);
  // The current version states why it was adjusted …
  const reason = (await page.textContent('#versions .reason')).trim();
  assert.ok(reason.length > 0, 'the versions list gives the adjustment reason');
  const versions = await page.$$eval('#versions a[href*="/versions/"]', (as) => as.map((a) => a.href));
  const numbers = versions.map((h) => Number(/\/versions\/(\d+)\/?$/.exec(h)?.[1]));
  assert.ok(numbers.length >= 2 && numbers.every(Number.isInteger), `the page links its versions: ${versions}`);
  const earliest = versions[numbers.indexOf(Math.min(...numbers))];
  // … and the earlier version, still published, says it was replaced by the adjustment and why.
  await page.goto(earliest);
  const main = await page.textContent('main');
  assert.match(main, /已被调整后的第\s*\d+\s*版取代/);
  assert.ok(main.includes(reason), `the earlier version shows the reason "${reason}"`);
  await page.waitForSelector('#plan-map[data-state="ready"]', { timeout: 30_000 });
  await screenshot(page, 'demo-earlier-version');
  await screenshot(page, 'demo-earlier-version-list', '#versions');
  assert.deepEqual(problems, []);
  await context.close();
});

test('without JavaScript the plan page still shows the SVG map and the table', async () => {
  const { page, context } = await newPage(browser, { javaScriptEnabled: false });
  await page.goto(planUrl);
  assert.ok(await page.isVisible('#plan-map svg'), 'the server-rendered map');
  assert.ok((await page.$$('#plan-map svg [data-parcel]')).length > 0, 'with its parcels');
  assert.ok((await tableRows(page)).length > 0, 'the table');
  assert.equal(await page.$('#plan-map .lp-map'), null);
  await screenshot(page, 'demo-no-js-map', '#plan-map');
  await context.close();
});
