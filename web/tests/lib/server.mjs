// The sites the browser tests visit: `landplan serve --demo` (the real server with the demo
// county) and, for the front end alone, a tiny static server of the contract's fixture page.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from './browser.mjs';

/** The landplan binary: $LANDPLAN_BIN, else ${CARGO_TARGET_DIR:-target}/debug/landplan. */
export function landplanBin() {
  if (process.env.LANDPLAN_BIN) return path.resolve(repoRoot, process.env.LANDPLAN_BIN);
  const target = process.env.CARGO_TARGET_DIR ? path.resolve(repoRoot, process.env.CARGO_TARGET_DIR) : path.join(repoRoot, 'target');
  return path.join(target, 'debug', 'landplan');
}

/**
 * Start `landplan serve --demo --addr 127.0.0.1:0` (with `--db URL` when `db` is given, e.g. an
 * empty PostgreSQL database) and resolve with { url, stop, log, accounts } once it prints
 * `landplan 网站已启动：http://…/` on stderr. `accounts` maps each demo account's name
 * (`demo-editor` …) to the password the server printed for it. With `demo: false`, the server
 * over the store `db` as it is (a restart of a demo server on the same store; no accounts
 * printed).
 */
export async function startDemo({ timeoutMs = 120_000, db, demo = true } = {}) {
  const bin = landplanBin();
  if (!existsSync(bin)) throw new Error(`没有找到 landplan：${bin}（先 cargo build -p landplan-cli，或设置 LANDPLAN_BIN）`);
  const args = ['serve', ...(demo ? ['--demo'] : []), '--addr', '127.0.0.1:0', ...(db ? ['--db', db] : [])];
  const child = spawn(bin, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn' },
  });
  let log = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`landplan serve --demo 在 ${timeoutMs} 毫秒内没有启动：\n${log}`)), timeoutMs);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      log += chunk;
      const m = /landplan 网站已启动：(http:\/\/\S+?\/)(?:\s|$)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`landplan serve --demo 退出（${code}）：\n${log}`));
    });
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  const accounts = {};
  for (const m of log.matchAll(/^\s+(demo-[a-z]+)（[^）]*）密码 (\S+)$/gm)) accounts[m[1]] = m[2];
  return { url, stop, log: () => log, accounts };
}

/** Whether this machine can start a throwaway PostgreSQL/PostGIS cluster (scripts/pg-test.sh). */
export function havePostgres() {
  try {
    return readdirSync('/usr/lib/postgresql').some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`));
  } catch {
    return false;
  }
}

/**
 * Start a throwaway PostgreSQL/PostGIS cluster with scripts/pg-test.sh and create an empty
 * database `name` in it. Resolves with { url, stop } (stop removes the cluster).
 */
export async function startPostgres(name = 'lp_browser') {
  const dir = await mkdtemp(path.join(tmpdir(), 'landplan-browser-pg-'));
  const run = (cmd, args) => new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => { out += c; });
    child.stderr.on('data', (c) => { err += c; });
    child.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`${cmd} ${args.join(' ')}：${err}`))));
  });
  const base = (await run('bash', ['scripts/pg-test.sh', 'start', dir])).split('\n').pop();
  const versions = readdirSync('/usr/lib/postgresql').sort();
  const psql = `/usr/lib/postgresql/${versions[versions.length - 1]}/bin/psql`;
  await run(psql, [base, '-q', '-c', `CREATE DATABASE ${name}`]);
  const url = `${base.replace(/\/postgres$/, '')}/${name}`;
  const stop = async () => {
    await run('bash', ['scripts/pg-test.sh', 'stop', dir]).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  };
  return { url, stop };
}

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.geojson': 'application/geo+json',
  '.json': 'application/json',
};

/** The server's content security policy, read from crates/server/src/headers.rs. */
export function serverCsp() {
  const source = readFileSync(path.join(repoRoot, 'crates', 'server', 'src', 'headers.rs'), 'utf8');
  const m = /pub const CSP: &str = "([^"]+)";/.exec(source);
  if (!m) throw new Error('crates/server/src/headers.rs 中没有 CSP');
  return m[1];
}

/**
 * Serve the fixture page (tests/fixtures/plan.html at /plans/fixture, filtered by ?q= as the
 * server filters) with a fresh bundle of web/src at /static/app/, under the server's CSP.
 * Resolves with { url, stop }.
 */
export async function startFixture() {
  const web = path.join(repoRoot, 'web');
  const fixtures = path.join(web, 'tests', 'fixtures');
  const dist = await mkdtemp(path.join(tmpdir(), 'landplan-web-'));
  await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(web, 'build.mjs'), dist], { stdio: 'inherit' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`build.mjs 失败（${code}）`))));
  });
  const csp = serverCsp();
  const routes = new Map([
    ['/plans/fixture', path.join(fixtures, 'plan.html')],
    ['/static/site.css', path.join(fixtures, 'site.css')],
    ['/fixture/parcels.geojson', path.join(fixtures, 'parcels.geojson')],
    ['/fixture/townships.geojson', path.join(fixtures, 'townships.geojson')],
    ['/static/app/app.js', path.join(dist, 'app.js')],
    ['/static/app/app.css', path.join(dist, 'app.css')],
  ]);
  const server = createServer(async (req, res) => {
    const file = routes.get(new URL(req.url, 'http://x').pathname);
    res.setHeader('content-security-policy', csp);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('未找到');
      return;
    }
    let body = await readFile(file);
    const q = new URL(req.url, 'http://x').searchParams.get('q');
    if (file.endsWith('.html') && q) {
      // The server's filter without JavaScript: only the rows holding the query, the query kept.
      const html = body
        .toString('utf8')
        .split('\n')
        .filter((line) => !line.startsWith('<tr data-parcel=') || line.includes(q))
        .join('\n')
        .replace('<input id="parcel-filter" name="q"', `<input id="parcel-filter" name="q" value="${q.replace(/[<>&"]/g, '')}"`);
      body = Buffer.from(html);
    }
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' }).end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: async () => {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      await closed;
      await rm(dist, { recursive: true, force: true });
    },
  };
}
