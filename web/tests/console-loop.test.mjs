// The staff console's whole loop in headless Chromium (issue 17, "Must show"), on both store
// backends: the demo site (`landplan serve --demo`) in a GeoPackage and in a throwaway
// PostgreSQL/PostGIS database. Screenshots: ${CARGO_TARGET_DIR:-target}/browser-artifacts/loop-*.png.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, screenshot, scrollsSideways } from './lib/browser.mjs';
import { startDemo, startPostgres, havePostgres } from './lib/server.mjs';

const backends = ['gpkg'];
if (havePostgres()) backends.push('pg');
else if (process.env.CI) throw new Error('CI 环境缺少 PostgreSQL/PostGIS，不能跳过 PostgreSQL 上的工作台测试');
else console.log('# skipping the console loop on PostgreSQL: initdb not installed');

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
  });
}
