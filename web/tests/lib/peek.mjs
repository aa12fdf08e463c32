// Developer tool (not a test): sign in to a running demo and screenshot console pages.
// node web/tests/lib/peek.mjs URL NAME PASSWORD OUTDIR PATH...
import { launch, newPage } from './browser.mjs';
const [url, name, password, out, ...paths] = process.argv.slice(2);
const browser = await launch();
for (const [w, h] of [[1366, 768], [390, 844]]) {
  const { page, context, problems } = await newPage(browser, { viewport: { width: w, height: h } });
  await page.goto(`${url}console/login`);
  await page.fill('#login-name', name);
  await page.fill('#login-password', password);
  await page.click('form.login button[type="submit"]');
  await page.waitForLoadState();
  for (const p of paths) {
    await page.goto(url + p.replace(/^\//, ''));
    const file = `${out}/${p.replace(/[^a-z0-9]+/gi, '_')}-${w}.png`;
    await page.screenshot({ path: file, fullPage: true });
    const wide = await page.evaluate(() => document.scrollingElement.scrollWidth > window.innerWidth);
    console.log(file, wide ? 'SCROLLS SIDEWAYS' : '', problems.join('; '));
  }
  await context.close();
}
await browser.close();
