// The front end alone, in headless Chromium, on the contract's fixture page (fixtures/plan.html,
// six fictional parcels) served under the server's CSP with a fresh bundle of src/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, screenshot, scrollsSideways, clickParcel } from './lib/browser.mjs';
import { startFixture } from './lib/server.mjs';

let site;
let browser;

before(async () => {
  site = await startFixture();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await site?.stop();
});

async function openPlan(options) {
  const opened = await newPage(browser, options);
  await opened.page.goto(`${site.url}plans/fixture`);
  return opened;
}

const bodyRows = (page) =>
  page.$$eval('#parcel-table tbody tr', (rows) => rows.filter((r) => !r.hidden).map((r) => r.dataset.parcel));

test('the map replaces the SVG with the parcels in their own coordinates and a legend', async () => {
  const { page, context, problems } = await openPlan();
  await page.waitForSelector('#plan-map[data-state="ready"]');
  assert.equal(await page.getAttribute('#plan-map', 'data-parcel-count'), '6');
  assert.equal(await page.isVisible('#plan-map .lp-map canvas'), true, 'the map draws on a canvas');
  assert.equal(await page.isVisible('#plan-map > svg'), false, 'the static SVG map gives way');
  const legend = await page.$$eval('#plan-map .lp-legend li', (items) => items.map((li) => li.textContent));
  assert.deepEqual(legend, ['住宅用地', '公共管理与公共服务用地', '工矿仓储用地', '商服用地', '乡镇界']);
  assert.match(await page.textContent('#plan-map .ol-scale-line-inner'), /^\d+ k?m$/, 'a scale bar in metres');
  await screenshot(page, 'fixture-map');
  assert.deepEqual(problems, []);
  await context.close();
});

test('clicking a parcel shows its 坐落, area in 公顷 and 亩, use, quarter and status', async () => {
  const { page, context, problems } = await openPlan();
  await page.waitForSelector('#plan-map[data-state="ready"]');
  await clickParcel(page, 'FX-02');
  const popup = await page.textContent('#plan-map .lp-popup');
  for (const expected of ['城关镇学府路北侧', '10.2500 公顷（153.7500 亩）', '公共管理与公共服务用地', '第3季度', '计划供应']) {
    assert.ok(popup.includes(expected), `the popup shows ${expected}: ${popup}`);
  }
  assert.equal(await page.getAttribute('tr[data-parcel="FX-02"]', 'class'), 'lp-selected', 'its table row is marked');
  await screenshot(page, 'fixture-parcel-popup');
  await page.click('#plan-map .lp-popup-close');
  assert.equal(await page.isVisible('#plan-map .lp-popup'), false);
  await clickParcel(page, 'FX-05');
  assert.ok((await page.textContent('#plan-map .lp-popup')).includes('城关镇园区二路'));
  await page.keyboard.press('Escape');
  assert.equal(await page.isVisible('#plan-map .lp-popup'), false, 'Escape closes the details');
  assert.equal(await page.$('tr.lp-selected'), null);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the table sorts areas as numbers, both ways, and text by its header', async () => {
  const { page, context } = await openPlan();
  await page.waitForSelector('#parcel-table .lp-sort');
  await page.click('#parcel-table th[data-key="area_ha"] button');
  assert.deepEqual(await bodyRows(page), ['FX-04', 'FX-05', 'FX-01', 'FX-03', 'FX-02', 'FX-06']);
  assert.equal(await page.getAttribute('#parcel-table th[data-key="area_ha"]', 'aria-sort'), 'ascending');
  await page.click('#parcel-table th[data-key="area_ha"] button');
  assert.deepEqual(await bodyRows(page), ['FX-06', 'FX-02', 'FX-03', 'FX-01', 'FX-05', 'FX-04']);
  assert.equal(await page.getAttribute('#parcel-table th[data-key="area_ha"]', 'aria-sort'), 'descending');
  await page.click('#parcel-table th[data-key="id"] button');
  assert.deepEqual(await bodyRows(page), ['FX-01', 'FX-02', 'FX-03', 'FX-04', 'FX-05', 'FX-06']);
  await context.close();
});

test('the table filters as one types and says how many parcels are shown', async () => {
  const { page, context } = await openPlan();
  await page.waitForSelector('#parcel-count');
  assert.equal(await page.textContent('#parcel-count'), '共 6 个地块');
  await page.fill('#parcel-filter', '龙泉');
  assert.deepEqual(await bodyRows(page), ['FX-03', 'FX-04', 'FX-06']);
  assert.equal(await page.textContent('#parcel-count'), '显示 3 个地块（共 6 个）');
  await page.fill('#parcel-filter', '龙泉 工矿');
  assert.deepEqual(await bodyRows(page), ['FX-03', 'FX-06']);
  assert.ok(page.url().includes('q='), 'the query is kept in the address for sharing');
  await page.waitForSelector('#plan-map[data-state="ready"]');
  assert.deepEqual(await page.evaluate(() => document.getElementById('plan-map').landplan.shownOnMap()), ['FX-03', 'FX-06'],
    'the map dims the parcels the filter hides');
  await screenshot(page, 'fixture-filtered');
  await page.fill('#parcel-filter', '');
  assert.equal((await bodyRows(page)).length, 6);
  await context.close();
});

test('a page the server filtered (?q=) widens to every parcel when the query does', async () => {
  const { page, context, problems } = await newPage(browser);
  await page.goto(`${site.url}plans/fixture?q=${encodeURIComponent('龙泉')}`);
  await page.waitForSelector('#parcel-count');
  assert.deepEqual(await bodyRows(page), ['FX-03', 'FX-04', 'FX-06'], 'the server sent three rows');
  assert.equal(await page.textContent('#parcel-count'), '共 3 个地块');
  await page.fill('#parcel-filter', '城关');
  await page.waitForFunction(() => document.getElementById('parcel-count').dataset.total === '6');
  assert.deepEqual(await bodyRows(page), ['FX-01', 'FX-02', 'FX-05']);
  assert.equal(await page.textContent('#parcel-count'), '显示 3 个地块（共 6 个）');
  await page.fill('#parcel-filter', '');
  assert.equal((await bodyRows(page)).length, 6);
  assert.deepEqual(problems, []);
  await context.close();
});

test('at phone width (390 px) the page does not scroll sideways', async () => {
  const { page, context } = await openPlan({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await page.waitForSelector('#plan-map[data-state="ready"]');
  assert.equal(await scrollsSideways(page), false);
  await screenshot(page, 'fixture-phone');
  await context.close();
});

test('without JavaScript the SVG map and the whole table are there', async () => {
  const { page, context } = await openPlan({ javaScriptEnabled: false });
  assert.equal(await page.isVisible('#plan-map > svg'), true);
  assert.equal(await page.$$eval('#plan-map svg path[data-parcel]', (p) => p.length), 6);
  assert.equal(await page.$$eval('#parcel-table tbody tr[data-parcel]', (r) => r.length), 6);
  assert.equal(await page.$('#plan-map .lp-map'), null);
  await screenshot(page, 'fixture-no-js');
  await context.close();
});
