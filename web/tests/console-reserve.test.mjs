// The land reserve in the console (issue 18), in headless Chromium on the demo site
// (`landplan serve --demo`, signed in as its editor): the overview of the demo county's reserve,
// a step taken on a parcel (前期开发 → 临时管护), then 已供应 refused with the 净地 items the
// parcel still misses, what was typed kept; the reserve parcels' boundaries on the overview's map
// (coloured by state, the farmland conflict listed) and on the parcel's page (outlined).
// Screenshots at 1366×768 and 390×844 go to the
// artefacts directory (`console-reserve-*.png`); at 390 px the pages must not scroll sideways.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, screenshot, scrollsSideways } from './lib/browser.mjs';
import { startDemo } from './lib/server.mjs';

const PARCEL = '/console/reserve/990101/parcel/SCB-2025-02';

describe('the land reserve in the console', () => {
  let site;
  let browser;

  before(async () => {
    site = await startDemo();
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await site?.stop();
  });

  /** Look at the page at 390 px: no sideways scroll; then back to 1366. */
  async function narrow(page, name) {
    await page.setViewportSize({ width: 390, height: 844 });
    assert.equal(await scrollsSideways(page), false, `${name} scrolls sideways at 390 px`);
    await screenshot(page, `console-reserve-${name}-390`);
    await page.setViewportSize({ width: 1366, height: 768 });
  }

  test('take a step, see 已供应 refused with the missing 净地 items', async () => {
    const password = site.accounts['demo-editor'];
    assert.ok(password, `the demo printed the editor's password: ${site.log()}`);
    const { page, context, problems } = await newPage(browser, { viewport: { width: 1366, height: 768 } });

    // Sign in, land on the reserve.
    await page.goto(`${site.url}console/reserve`);
    await page.waitForURL(/\/console\/login/);
    await page.fill('#login-name', 'demo-editor');
    await page.fill('#login-password', password);
    await Promise.all([page.waitForURL((u) => u.pathname === '/console/reserve'), page.click('form.login button')]);
    assert.equal(await page.textContent('nav a[aria-current="page"]'), '储备');
    assert.match(await page.textContent('#reserve-summary'), /前期开发/);
    assert.match(await page.textContent('#reserve-not-ready'), /SCB-2025-02.*未完成 通水、场地平整/);
    await screenshot(page, 'console-reserve-overview-1366');
    await narrow(page, 'overview');

    // The reserve map: the demo's four boundaries coloured by state with the states in the
    // legend, SCB-2025-02's corner in the 永久基本农田 listed under it; whole at 390 px too.
    assert.equal(await page.locator('#reserve-map svg g[data-parcel]').count(), 4);
    const legend = await page.textContent('#reserve-map svg');
    for (const state of ['拟收储', '前期开发', '已供应', '永久基本农田']) assert.ok(legend.includes(state), `${state} in the legend`);
    assert.match(await page.textContent('#reserve-control'), /SCB-2025-02.*永久基本农田/);
    await screenshot(page, 'console-reserve-map-1366', '#reserve-map-section');
    await page.setViewportSize({ width: 390, height: 844 });
    assert.equal(await scrollsSideways(page), false, 'the map scrolls sideways at 390 px');
    const box = await page.locator('#reserve-map svg').boundingBox();
    assert.ok(box && box.width <= 390, `the map fits the phone's width: ${JSON.stringify(box)}`);
    await screenshot(page, 'console-reserve-map-390', '#reserve-map-section');
    await page.setViewportSize({ width: 1366, height: 768 });

    // The parcel: 前期开发, the next step offers only what the state allows.
    await Promise.all([page.waitForURL((u) => u.pathname === PARCEL), page.click(`a[href="${PARCEL}"]`)]);
    assert.equal((await page.textContent('#reserve-state')).trim(), '前期开发');
    // Its map: the parcel outlined, its neighbours around it.
    assert.equal(await page.locator('#reserve-map svg g.current[data-parcel="SCB-2025-02"]').count(), 1);
    await screenshot(page, 'console-reserve-parcel-map-1366', '#reserve-map-section');
    const offered = await page.$$eval('#rp-to option', (os) => os.map((o) => o.textContent));
    assert.deepEqual(offered, ['临时管护', '已供应', '退出']);

    // Take a step: 临时管护.
    await page.selectOption('#rp-to', 'custody');
    await page.fill('#rp-date', '2025-10-01');
    await page.fill('#rp-note', '交由城关镇临时管护');
    await Promise.all([page.waitForURL(/done=step/), page.click('form[action$="/step"] button')]);
    assert.equal((await page.textContent('#reserve-state')).trim(), '临时管护');
    assert.match(await page.textContent('#reserve-steps'), /交由城关镇临时管护.*demo-editor/s);

    // 已供应 before the 净地 checklist is complete: refused, the reason and the typed day kept.
    await page.selectOption('#rp-to', 'supplied');
    await page.fill('#rp-date', '2025-11-20');
    await Promise.all([page.waitForLoadState('load'), page.click('form[action$="/step"] button')]);
    const refusal = await page.textContent('#refusal');
    assert.match(refusal, /地块 SCB-2025-02 尚未达到净地供应条件，未完成：通水、场地平整/);
    assert.equal(await page.inputValue('#rp-date'), '2025-11-20');
    assert.equal(await page.inputValue('#rp-to'), 'supplied');
    assert.equal((await page.textContent('#reserve-state')).trim(), '临时管护');
    await page.locator('#refusal').scrollIntoViewIfNeeded();
    await screenshot(page, 'console-reserve-refused-1366');
    await narrow(page, 'refused');

    // The plan and the bond of the demo county open.
    await page.goto(`${site.url}console/reserve/990101/plan/2025`);
    assert.match(await page.textContent('h1'), /示例县2025年度土地储备计划/);
    await screenshot(page, 'console-reserve-plan-1366');
    await narrow(page, 'plan');
    await page.goto(`${site.url}console/reserve/990101/bonds`);
    assert.match(await page.textContent('#bond-summary'), /2\.29/);
    await screenshot(page, 'console-reserve-bonds-1366');
    await narrow(page, 'bonds');
    // The refused step answers 422 (the browser logs the status); nothing else went wrong.
    const refusedStatus = (p) => /status of 422/.test(p) && /\/SCB-2025-02\/step\)$/.test(p);
    assert.deepEqual(problems.filter((p) => !refusedStatus(p)), []);
    await context.close();
  });
});
