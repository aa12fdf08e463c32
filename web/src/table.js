// The parcel table: sort by clicking a column's header (numbers as numbers), filter as one
// types in #parcel-filter, and say how many rows are shown. The server renders the table and a
// filter form that works without JavaScript (?q=); this only enhances it.

import { compareDecimal } from './decimal.js';

const collator = new Intl.Collator('zh-CN', { numeric: true, sensitivity: 'base' });

/** The text a cell sorts and filters by: its data-value when it has one, else its text. */
function cellValue(row, index) {
  const cell = row.cells[index];
  if (!cell) return '';
  return cell.dataset.value ?? cell.textContent.trim();
}

/** Split a query into lower-case terms; a row matches when it contains every term. */
export function queryTerms(query) {
  return String(query ?? '')
    .toLowerCase()
    .split(/[\s,，、]+/)
    .filter((t) => t !== '');
}

function matches(row, terms) {
  if (terms.length === 0) return true;
  const text = row.textContent.toLowerCase();
  return terms.every((t) => text.includes(t));
}

export function enhanceTable(table) {
  const body = table.tBodies[0];
  if (!body) return null;
  const rows = () => Array.from(body.rows).filter((r) => r.dataset.parcel !== undefined);
  let original = rows();
  let sort = null; // { index, type, dir }

  const count = ensureCount(table);
  const input = document.getElementById('parcel-filter');
  // The server filtered the rows by ?q= before JavaScript ran: the first query that is not a
  // narrowing of it needs the rows the server left out, fetched once from the unfiltered page.
  let serverQuery = input ? input.value.trim() : '';
  let loadingAll = null;

  function applySort() {
    if (!sort) return;
    const { index, type, dir } = sort;
    const keyed = rows().map((row) => ({ row, key: cellValue(row, index), at: original.indexOf(row) }));
    keyed.sort((a, b) => {
      const c = type === 'number' ? compareDecimal(a.key, b.key) : collator.compare(a.key, b.key);
      return c !== 0 ? dir * c : a.at - b.at;
    });
    for (const { row } of keyed) body.appendChild(row);
  }

  function applyFilter() {
    const terms = queryTerms(input ? input.value : '');
    let shown = 0;
    const all = rows();
    for (const row of all) {
      const ok = matches(row, terms);
      row.hidden = !ok;
      if (ok) shown += 1;
    }
    updateCount(count, shown, all.length);
    table.dataset.shown = String(shown);
    // The map dims the parcels the filter hides (null: no filter, all shown).
    const ids = terms.length === 0 ? null : new Set(all.filter((r) => !r.hidden).map((r) => r.dataset.parcel));
    table.dispatchEvent(new CustomEvent('lp-filter', { bubbles: true, detail: { shown: ids } }));
  }

  const headers = Array.from(table.tHead ? table.tHead.rows[0]?.cells ?? [] : []);
  headers.forEach((th, index) => {
    if (!th.dataset.key) return;
    const type = th.dataset.type === 'number' ? 'number' : 'text';
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'lp-sort';
    button.title = '点击排序';
    while (th.firstChild) button.appendChild(th.firstChild);
    th.appendChild(button);
    th.setAttribute('aria-sort', 'none');
    button.addEventListener('click', () => {
      const dir = sort && sort.index === index && sort.dir === 1 ? -1 : 1;
      sort = { index, type, dir };
      for (const other of headers) if (other.dataset.key) other.setAttribute('aria-sort', 'none');
      th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
      applySort();
    });
  });

  async function loadAllRows() {
    const url = new URL(window.location.href);
    url.searchParams.delete('q');
    const response = await fetch(url, { headers: { accept: 'text/html' } });
    if (!response.ok) throw new Error(`${response.status}`);
    const doc = new DOMParser().parseFromString(await response.text(), 'text/html');
    const full = doc.getElementById('parcel-table');
    const fullBody = full && full.tBodies[0];
    if (!fullBody) throw new Error('no parcel table');
    for (const row of rows()) row.remove();
    for (const row of Array.from(fullBody.rows)) {
      if (row.dataset.parcel !== undefined) body.appendChild(document.importNode(row, true));
    }
    original = rows();
    serverQuery = '';
  }

  if (input) {
    input.addEventListener('input', async () => {
      const query = input.value.trim();
      if (serverQuery !== '' && !query.toLowerCase().includes(serverQuery.toLowerCase())) {
        loadingAll ??= loadAllRows().catch(() => {
          loadingAll = null;
        });
        await loadingAll;
        applySort();
      }
      applyFilter();
      const url = new URL(window.location.href);
      if (query === '') url.searchParams.delete('q');
      else url.searchParams.set('q', query);
      window.history.replaceState(null, '', url);
    });
  }
  applyFilter();
  return { applyFilter, applySort };
}

function ensureCount(table) {
  let count = document.getElementById('parcel-count');
  if (!count) {
    count = document.createElement('p');
    count.id = 'parcel-count';
    table.parentNode.insertBefore(count, table);
  }
  count.setAttribute('aria-live', 'polite');
  count.classList.add('lp-count');
  return count;
}

function updateCount(count, shown, total) {
  count.textContent = shown === total ? `共 ${total} 个地块` : `显示 ${shown} 个地块（共 ${total} 个）`;
  count.dataset.shown = String(shown);
  count.dataset.total = String(total);
}
