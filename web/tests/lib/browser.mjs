// Headless Chromium (Debian's /usr/bin/chromium, or $CHROMIUM) driven by playwright-core, and
// where the screenshots go: ${CARGO_TARGET_DIR:-target}/browser-artifacts/ under the repository.
import { chromium } from 'playwright-core';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** The arguments Chromium starts with: headless, sandbox-less (containers, root), no network of its own. */
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Start Chromium; playwright gives each launch a new, empty user-data-dir. */
export async function launch() {
  if (!existsSync(chromiumPath)) {
    throw new Error(`没有找到 Chromium：${chromiumPath}（sudo apt-get install chromium，或设置 CHROMIUM）`);
  }
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
}

/** The directory the screenshots are written to (created). */
export function artifactsDir() {
  const target = process.env.CARGO_TARGET_DIR
    ? path.resolve(repoRoot, process.env.CARGO_TARGET_DIR)
    : path.join(repoRoot, 'target');
  const dir = path.join(target, 'browser-artifacts');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Save a screenshot as NAME.png in the artefacts directory: of the element `selector` when
 * given (scrolled into view), else of the window as the visitor sees it.
 */
export async function screenshot(page, name, selector) {
  const file = path.join(artifactsDir(), `${name}.png`);
  if (selector) await page.locator(selector).first().screenshot({ path: file });
  else await page.screenshot({ path: file });
  return file;
}

/**
 * A new page that records console errors, page errors and CSP violations (`problems`), so that
 * a test can assert the page ran cleanly under the server's content security policy.
 */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({ locale: 'zh-CN', acceptDownloads: true, ...options });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => {
    // A browser asks for /favicon.ico by itself; the site need not have one.
    if (msg.type() === 'error' && !(msg.location().url ?? '').endsWith('/favicon.ico')) {
      problems.push(`console: ${msg.text()} (${msg.location().url ?? ''})`);
    }
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  return { context, page, problems };
}

/** Whether the page scrolls sideways (its content is wider than the window). */
export async function scrollsSideways(page) {
  return page.evaluate(() => document.scrollingElement.scrollWidth > window.innerWidth);
}

/**
 * Click parcel `id` on the interactive map through the mouse, at an interior point of its
 * polygon as the map shows it; resolves once the popup shows it.
 */
export async function clickParcel(page, id) {
  const point = await page.evaluate((parcelId) => {
    const figure = document.getElementById('plan-map');
    const { map, parcels } = figure.landplan;
    figure.scrollIntoView({ block: 'center' });
    const feature = parcels.getFeatures().find((f) => String(f.get('id') ?? f.getId()) === parcelId);
    if (!feature) return null;
    const geometry = feature.getGeometry();
    const interior = geometry.getType() === 'MultiPolygon'
      ? geometry.getInteriorPoints().getCoordinates()[0]
      : geometry.getInteriorPoint().getCoordinates();
    // Bring the parcel into view at a size a finger could hit (as a visitor would zoom in).
    const view = map.getView();
    const [minx, miny, maxx, maxy] = geometry.getExtent();
    const side = Math.max(maxx - minx, maxy - miny, 1);
    if (side / view.getResolution() < 24) view.setResolution(side / 24);
    view.setCenter([interior[0], interior[1]]);
    map.renderSync();
    const pixel = map.getPixelFromCoordinate([interior[0], interior[1]]);
    const box = map.getViewport().getBoundingClientRect();
    return { x: box.left + pixel[0], y: box.top + pixel[1] };
  }, id);
  if (!point) throw new Error(`地图上没有地块 ${id}`);
  // OpenLayers takes two clicks within 250 ms (this one and an earlier one) as a double click.
  await page.waitForTimeout(300);
  await page.mouse.click(point.x, point.y);
  await page.waitForFunction((parcelId) => document.getElementById('plan-map').dataset.selected === parcelId, id);
}
