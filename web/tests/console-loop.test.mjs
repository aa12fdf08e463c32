// The staff console's whole loop in headless Chromium (issue 17, "Must show"), on both store
// backends: the demo site (`landplan serve --demo`) in a GeoPackage and in a throwaway
// PostgreSQL/PostGIS database. Screenshots: ${CARGO_TARGET_DIR:-target}/browser-artifacts/loop-*.png.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launch, newPage, screenshot, scrollsSideways } from './lib/browser.mjs';
import { startDemo, startPostgres, havePostgres } from './lib/server.mjs';
import { docxText } from './lib/zip.mjs';

const backends = ['gpkg'];
if (havePostgres()) backends.push('pg');
else if (process.env.CI) throw new Error('CI 环境缺少 PostgreSQL/PostGIS，不能跳过 PostgreSQL 上的工作台测试');
else console.log('# skipping the console loop on PostgreSQL: initdb not installed');

// The demo county's 2026 ledger, written for this test: six parcels, the third with an area
// nobody can read ("3.1O": a letter O for a zero). Total once fixed: 18.9000 公顷.
const HEADER = '地块编号,坐落,乡镇,面积（公顷）,用途,土地来源,供应方式,计划供应时间';
const ROWS = [
  'LOOP-001,城关镇北街东侧,城关镇,2.5000,住宅用地,新增,挂牌出让,第二季度',
  'LOOP-002,龙泉镇工业园一期,龙泉镇,4.2000,工业用地,存量,挂牌出让,第三季度',
  'LOOP-003,城关镇南环路西,城关镇,3.1O00,商服用地,新增,拍卖出让,第二季度',
  'LOOP-004,石桥镇滨河路,石桥镇,1.8000,公共管理与公共服务用地,存量,划拨,第一季度',
  'LOOP-005,河西镇物流园,河西镇,5.0000,工业用地,新增,挂牌出让,第四季度',
  'LOOP-006,城关镇学府路,城关镇,2.3000,住宅用地,存量,挂牌出让,第三季度',
];
const TOTAL = '18.9000';

/** Click `selector` (a form's button) and wait for the page it leads to. */
async function clickAndLoad(page, selector) {
  await Promise.all([page.waitForEvent('load'), page.click(selector)]);
}

/** Sign in through the console's form as `name`. */
async function signIn(page, site, name) {
  await page.goto(`${site.url}console`);
  await page.waitForURL(/\/console\/login/);
  await page.fill('#login-name', name);
  await page.fill('#login-password', site.accounts[name]);
  await page.click('form.login button[type="submit"]');
  await page.waitForURL(/\/console(\?|$)/);
}

for (const backend of backends) {
  describe(`the console loop (${backend})`, () => {
    let site;
    let pg;
    let browser;

    before(async () => {
      if (backend === 'pg') pg = await startPostgres('lp_console_loop');
      site = await startDemo({ db: pg?.url });
      browser = await launch();
    });

    after(async () => {
      await browser?.close();
      await site?.stop();
      await pg?.stop();
    });

    test('each demo account signs in and sees its workspace', async () => {
      for (const name of ['demo-editor', 'demo-reviewer', 'demo-publisher', 'demo-admin']) {
        assert.ok(site.accounts[name], `the demo printed a password for ${name}: ${site.log()}`);
        const { page, context, problems } = await newPage(browser, { viewport: { width: 1366, height: 768 } });
        await signIn(page, site, name);
        assert.match(await page.textContent('h1'), /工作台/);
        assert.match(await page.textContent('main'), /示例县|2025/);
        if (name === 'demo-editor') await screenshot(page, `loop-${backend}-workspace`);
        assert.deepEqual(problems, []);
        await context.close();
      }
    });

    test('the console fits 1366×768 and a phone without sideways scrolling', async () => {
      const pages = {
        'demo-editor': ['console', 'console/imports', 'console/plans/990101/2025/supply', 'console/plans/990101/2025/supply/versions/2', 'console/plans/990101/2025/supply/versions/2/compiled', 'console/monitor'],
        'demo-admin': ['console/accounts'],
      };
      for (const [w, h] of [[1366, 768], [390, 844]]) {
        for (const [name, paths] of Object.entries(pages)) {
          const { page, context, problems } = await newPage(browser, { viewport: { width: w, height: h } });
          await signIn(page, site, name);
          for (const p of paths) {
            const res = await page.goto(`${site.url}${p}`);
            assert.equal(res.status(), 200, `${p} as ${name}`);
            assert.equal(await scrollsSideways(page), false, `${p} scrolls sideways at ${w} px`);
            if (w === 390) await screenshot(page, `loop-${backend}-phone-${p.replace(/[^a-z0-9]+/gi, '_')}`);
          }
          assert.deepEqual(problems, []);
          await context.close();
        }
      }
    });

    test('upload with a bad row → fix → store → compile → Word → submit → return → resubmit → approve → publish → adjust', async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'landplan-loop-'));
      const shot = (page, name) => screenshot(page, `loop-${backend}-${name}`);
      const open = async (name) => {
        const s = await newPage(browser, { viewport: { width: 1366, height: 768 } });
        await signIn(s.page, site, name);
        return s;
      };
      const editor = await open('demo-editor');
      const reviewer = await open('demo-reviewer');
      const publisher = await open('demo-publisher');
      const planPage = `${site.url}console/plans/990101/2026/supply`;
      try {
        // 1. The editor uploads the ledger; the finding names the bad row, nothing is stored.
        const ledger = path.join(dir, '示例县2026年供应台账.csv');
        await writeFile(ledger, [HEADER, ...ROWS, ''].join('\r\n'));
        const e = editor.page;
        await e.click('a[href="/console/imports"]');
        await e.selectOption('#import-region', '990101');
        await e.fill('#import-year', '2026');
        await e.setInputFiles('#import-ledger', ledger);
        await e.click('form.import-form button[type="submit"]');
        await e.waitForURL(/\/console\/imports\/[^/]+/);
        const rowLink = e.locator('a.row-link').first();
        const anchor = await rowLink.getAttribute('href');
        const row = Number(/#row-(\d+)/.exec(anchor)[1]);
        assert.equal(await e.inputValue(`#c${row}-0`), 'LOOP-003', 'the finding leads to the row with the bad area');
        assert.equal(await e.locator('#store-import:not([disabled])').count(), 0, 'nothing can be stored while the row is bad');
        await shot(e, 'findings');
        // 2. Fixed in the browser (the area column), checked again, stored, compiled.
        const areaColumn = HEADER.split(',').indexOf('面积（公顷）');
        await e.fill(`#c${row}-${areaColumn}`, '3.1000');
        await e.click('#recheck');
        await e.waitForSelector('#store-import:not([disabled])');
        await e.click('#store-import');
        await e.waitForSelector('#make-plan');
        await clickAndLoad(e, '#make-plan');
        assert.ok(e.url().startsWith(planPage), e.url());
        assert.match(await e.textContent('main'), new RegExp(TOTAL.replace('.', '\\.')), 'the plan page shows the total');
        await shot(e, 'plan-draft');
        // 3. The compiled version and its Word plan, which states the total.
        await e.goto(`${planPage}/versions/1/compiled`);
        const [download] = await Promise.all([e.waitForEvent('download'), e.click('a[href$="/plan.docx"]')]);
        const docx = await readFile(await download.path());
        const text = docxText(docx);
        assert.ok(text.includes('18.90') || text.includes('18.9'), `the Word plan states the total: ${text.slice(0, 400)}`);
        await shot(e, 'compiled');
        // 4. Submit with a note.
        await e.goto(planPage);
        await e.fill('#submit-note', '请审核 2026 年度供应计划');
        await clickAndLoad(e, 'form.step button:has-text("提交审核")');
        assert.ok(e.url().startsWith(planPage), e.url());
        assert.match(await e.textContent('main'), /已提交/);
        // 5. The reviewer returns it with a remark.
        const r = reviewer.page;
        await r.goto(`${site.url}console`);
        assert.match(await r.textContent('main'), /2026/, 'the submitted plan waits for the reviewer');
        await r.goto(planPage);
        await r.fill('#review-remark', '请核实 LOOP-005 的供应季度');
        await clickAndLoad(r, 'button:has-text("退回修改")');
        assert.ok(r.url().startsWith(planPage), r.url());
        await shot(r, 'returned');
        // 6. The editor sees the remark and submits again.
        await e.goto(planPage);
        assert.match(await e.textContent('.remark-text'), /请核实 LOOP-005 的供应季度/);
        await shot(e, 'remark');
        await clickAndLoad(e, 'form.step button:has-text("提交审核")');
        assert.ok(e.url().startsWith(planPage), e.url());
        // 7. The reviewer approves; 8. the publisher publishes with a 文号.
        await r.goto(planPage);
        await clickAndLoad(r, 'button:has-text("批准")');
        assert.ok(r.url().startsWith(planPage), r.url());
        const p = publisher.page;
        await p.goto(planPage);
        await p.fill('#publish-doc', '示自然资发〔2026〕3号');
        await clickAndLoad(p, 'form.step button:has-text("公布")');
        assert.ok(p.url().startsWith(planPage), p.url());
        assert.match(await p.textContent('main'), /已公布/);
        // 9. The public page shows the new plan, its total and its 文号, to anybody.
        const { page: visitor, context: vc } = await newPage(browser, { viewport: { width: 1366, height: 768 } });
        await visitor.goto(`${site.url}plans/990101/2026/supply`);
        const pub = await visitor.textContent('main');
        assert.match(pub, /示自然资发〔2026〕3号/);
        assert.match(pub, /18\.9/);
        await shot(visitor, 'public-v1');
        // 10. An adjustment: the editor stores a changed ledger (LOOP-006 taken out), the
        // publisher starts the adjustment with a reason, it goes round again and is published.
        const changed = path.join(dir, '示例县2026年供应台账（调整）.csv');
        const fixed = ROWS.map((l) => l.replace('3.1O00', '3.1000'));
        await writeFile(changed, [HEADER, ...fixed.slice(0, 5), ''].join('\r\n'));
        await e.goto(`${site.url}console/imports`);
        await e.selectOption('#import-region', '990101');
        await e.fill('#import-year', '2026');
        await e.setInputFiles('#import-ledger', changed);
        await e.click('form.import-form button[type="submit"]');
        await e.waitForURL(/\/console\/imports\/[^/]+/);
        await e.click('#store-import');
        await e.waitForSelector('#stored, .stored', { state: 'attached' });
        const reason = 'LOOP-006 地块规划条件调整，调出本年度计划';
        await p.goto(planPage);
        await p.fill('#adjust-reason', reason);
        await clickAndLoad(p, 'button:has-text("开始调整")');
        assert.ok(p.url().startsWith(planPage), p.url());
        assert.match(await p.textContent('main'), /调整中/);
        await e.goto(planPage);
        await clickAndLoad(e, 'form.step button:has-text("提交审核")');
        assert.ok(e.url().startsWith(planPage), e.url());
        await r.goto(planPage);
        await clickAndLoad(r, 'button:has-text("批准")');
        assert.ok(r.url().startsWith(planPage), r.url());
        await p.goto(planPage);
        await clickAndLoad(p, 'form.step button:has-text("公布")');
        assert.ok(p.url().startsWith(planPage), p.url());
        // The second published version: its difference and 调整对照表 in the console …
        await p.goto(`${planPage}/versions/2`);
        assert.match(await p.textContent('main'), /LOOP-006/);
        const [table] = await Promise.all([p.waitForEvent('download'), p.click('a[href$="/adjustment.xlsx"]')]);
        assert.ok((await readFile(await table.path())).length > 1000, 'the 调整对照表 downloads');
        await shot(p, 'adjusted');
        // … and on the public site, with the reason beside the earlier version.
        await visitor.goto(`${site.url}plans/990101/2026/supply`);
        const pub2 = await visitor.textContent('main');
        assert.match(pub2, /第 ?2 ?版/);
        assert.ok(pub2.includes(reason), 'the public page gives the adjustment\'s reason');
        assert.match(pub2, /16\.6/, 'the adjusted total (18.9 − 2.3)');
        await shot(visitor, 'public-v2');
        await vc.close();
        for (const s of [editor, reviewer, publisher]) assert.deepEqual(s.problems, []);
      } finally {
        for (const s of [editor, reviewer, publisher]) await s.context.close();
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}
