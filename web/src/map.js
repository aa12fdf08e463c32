// The interactive parcel map: the figure#plan-map's server-rendered SVG is replaced by an
// OpenLayers map of vector layers only (no tiles: none are reachable where the plans are
// served), in the store's own planar coordinates (data-srid, data-extent: metres, Gauss–Krüger
// or CGCS2000 as stored). Township boundaries, parcels coloured by class, a legend, and a click
// on a parcel opens its details. If anything fails, the SVG stays.

import Map from 'ol/Map.js';
import View from 'ol/View.js';
import Overlay from 'ol/Overlay.js';
import VectorLayer from 'ol/layer/Vector.js';
import VectorSource from 'ol/source/Vector.js';
import GeoJSON from 'ol/format/GeoJSON.js';
import Projection from 'ol/proj/Projection.js';
import { addProjection, get as getProjection } from 'ol/proj.js';
import { defaults as defaultControls, ScaleLine } from 'ol/control.js';
import { Fill, Stroke, Style, Text } from 'ol/style.js';
import { getCenter } from 'ol/extent.js';

/** The palette of the server's SVG maps and charts (landplan-report), in the same order. */
export const PALETTE = [
  '#0072b2', '#e69f00', '#009e73', '#d55e00', '#56b4e9',
  '#cc79a7', '#f0e442', '#787878', '#8c564b', '#17becf',
];
const INK = '#222222';
const TOWN_LINE = '#3c3c3c';

/** "1,2,3,4" → [1,2,3,4], or null when it is not four finite numbers with min < max. */
export function parseExtent(text) {
  const parts = String(text ?? '').split(',').map((s) => Number(s.trim()));
  if (parts.length !== 4 || parts.some((n) => !Number.isFinite(n))) return null;
  const [minx, miny, maxx, maxy] = parts;
  if (!(minx < maxx && miny < maxy)) return null;
  return parts;
}

/** How a planned quarter is written: 1..4 and Q1..Q4 as 第一季度 …; anything else as given. */
export function quarterLabel(q) {
  const s = String(q ?? '').trim();
  const m = /^(?:Q|第)?([1-4一二三四])(?:季度)?$/i.exec(s);
  if (!m) return s === '' ? '未注明' : s;
  const n = { 1: '一', 2: '二', 3: '三', 4: '四' }[m[1]] ?? m[1];
  return `第${n}季度`;
}

/** The store's projection as OpenLayers knows it (registered once, planar metres). */
function projectionFor(srid, extent) {
  const code = `EPSG:${srid}`;
  const known = getProjection(code);
  if (known) return known;
  const w = extent[2] - extent[0];
  const h = extent[3] - extent[1];
  const pad = Math.max(w, h) * 2;
  const projection = new Projection({
    code,
    units: 'm',
    extent: [extent[0] - pad, extent[1] - pad, extent[2] + pad, extent[3] + pad],
  });
  addProjection(projection);
  return projection;
}

async function fetchGeoJSON(url) {
  const response = await fetch(url, { headers: { accept: 'application/geo+json, application/json' } });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The classes in order of first appearance, each with its colour (as the SVG map does it). */
export function classColours(features) {
  const colours = new globalThis.Map();
  for (const f of features) {
    const name = f.get('class_name') || f.get('class') || '未注明用途';
    if (!colours.has(name)) colours.set(name, PALETTE[colours.size % PALETTE.length]);
  }
  return colours;
}

function classOf(feature) {
  return feature.get('class_name') || feature.get('class') || '未注明用途';
}

function details(feature) {
  const p = feature.getProperties();
  const area = p.area_ha ? `${p.area_ha} 公顷${p.area_mu ? `（${p.area_mu} 亩）` : ''}` : '未注明';
  return [
    ['坐落', p.name || '未注明'],
    ['乡镇', p.township || ''],
    ['面积', area],
    ['用途', p.class_name || p.class || '未注明'],
    ['计划季度', quarterLabel(p.quarter)],
    ['供应方式', p.method || ''],
    ['状态', p.status || '未注明'],
  ].filter(([, v]) => v !== '');
}

export async function enhanceMap(figure) {
  const extent = parseExtent(figure.dataset.extent);
  const srid = figure.dataset.srid;
  if (!extent || !srid || !figure.dataset.parcels) return null;
  const projection = projectionFor(srid, extent);
  const [parcelsJson, townshipsJson] = await Promise.all([
    fetchGeoJSON(figure.dataset.parcels),
    figure.dataset.townships ? fetchGeoJSON(figure.dataset.townships).catch(() => null) : null,
  ]);
  const format = new GeoJSON({ dataProjection: projection, featureProjection: projection });
  const parcels = new VectorSource({ features: format.readFeatures(parcelsJson) });
  const townships = new VectorSource({
    features: townshipsJson ? format.readFeatures(townshipsJson) : [],
  });
  const colours = classColours(parcels.getFeatures());

  const container = el('div', 'lp-map');
  // The map keeps the shape of the area it shows (within the CSS limits on its height).
  container.style.aspectRatio = String((extent[2] - extent[0]) / (extent[3] - extent[1]));
  container.setAttribute('role', 'region');
  container.setAttribute('aria-label', '地块分布交互地图（点击地块查看详情）');
  const popup = el('div', 'lp-popup');
  popup.hidden = true;
  const legend = buildLegend(colours, townships.getFeatures().length > 0);
  const caption = figure.querySelector(':scope > figcaption');
  figure.insertBefore(container, caption && caption === figure.firstElementChild ? caption.nextSibling : figure.firstChild);
  container.after(legend);

  let selected = null;
  // The parcels the table's filter shows (null: all); the others are drawn faintly.
  let shown = currentFilter();
  const styleCache = new globalThis.Map();
  const parcelStyle = (feature) => {
    const colour = colours.get(classOf(feature)) ?? PALETTE[7];
    const isSelected = feature === selected;
    const faint = shown !== null && !shown.has(String(feature.get('id') ?? feature.getId()));
    const key = `${colour}|${isSelected}|${faint}`;
    if (!styleCache.has(key)) {
      styleCache.set(key, new Style({
        fill: new Fill({ color: faint ? '#dddddd66' : isSelected ? colour : `${colour}cc` }),
        stroke: new Stroke({
          color: isSelected ? '#000000' : faint ? '#aaaaaa' : INK,
          width: isSelected ? 3 : 0.8,
        }),
        zIndex: isSelected ? 2 : faint ? 0 : 1,
      }));
    }
    return styleCache.get(key);
  };
  const townshipStyle = (feature) => new Style({
    stroke: new Stroke({ color: TOWN_LINE, width: 1.5, lineDash: [6, 4] }),
    text: new Text({
      text: feature.get('name') || '',
      font: '13px sans-serif',
      fill: new Fill({ color: TOWN_LINE }),
      stroke: new Stroke({ color: '#ffffff', width: 3 }),
      overflow: true,
    }),
  });

  const overlay = new Overlay({
    element: popup,
    autoPan: { animation: { duration: 200 } },
    positioning: 'bottom-center',
    offset: [0, -8],
    stopEvent: true,
  });
  const parcelLayer = new VectorLayer({ source: parcels, style: parcelStyle });
  const map = new Map({
    target: container,
    // Township boundaries and names over the parcels (outlines only, so parcels stay clickable).
    layers: [parcelLayer, new VectorLayer({ source: townships, style: townshipStyle })],
    overlays: [overlay],
    controls: defaultControls({ attribution: false }).extend([new ScaleLine({ units: 'metric' })]),
    view: new View({ projection, center: getCenter(extent), zoom: 2, maxZoom: 28 }),
  });
  map.getView().fit(extent, { padding: [16, 16, 16, 16], size: map.getSize() ?? [container.clientWidth || 600, container.clientHeight || 400] });

  function showParcel(feature, coordinate) {
    selected = feature;
    parcelLayer.changed();
    for (const row of document.querySelectorAll('tr.lp-selected')) row.classList.remove('lp-selected');
    if (!feature) {
      popup.hidden = true;
      overlay.setPosition(undefined);
      figure.dataset.selected = '';
      return;
    }
    popup.replaceChildren();
    const close = el('button', 'lp-popup-close', '×');
    close.type = 'button';
    close.setAttribute('aria-label', '关闭');
    close.addEventListener('click', () => showParcel(null));
    const title = el('p', 'lp-popup-title', `地块 ${feature.get('id') ?? feature.getId() ?? ''}`);
    const list = el('dl', 'lp-popup-list');
    for (const [k, v] of details(feature)) {
      list.append(el('dt', '', k), el('dd', '', v));
    }
    popup.append(close, title, list);
    popup.hidden = false;
    overlay.setPosition(coordinate);
    const id = String(feature.get('id') ?? feature.getId() ?? '');
    figure.dataset.selected = id;
    for (const row of document.querySelectorAll('tr[data-parcel]')) {
      if (row.dataset.parcel === id) row.classList.add('lp-selected');
    }
  }

  map.on('singleclick', (event) => {
    let hit = null;
    map.forEachFeatureAtPixel(event.pixel, (f) => { hit = f; return true; }, {
      layerFilter: (layer) => layer === parcelLayer,
      hitTolerance: 3,
    });
    showParcel(hit, event.coordinate);
  });
  map.on('pointermove', (event) => {
    if (event.dragging) return;
    const over = map.hasFeatureAtPixel(event.pixel, { layerFilter: (l) => l === parcelLayer, hitTolerance: 3 });
    container.classList.toggle('lp-pointer', over);
  });

  document.addEventListener('lp-filter', (event) => {
    shown = event.detail.shown;
    parcelLayer.changed();
  });

  figure.classList.add('lp-enhanced');
  figure.dataset.state = 'ready';
  figure.dataset.parcelCount = String(parcels.getFeatures().length);
  // For tests and embedding pages: the OpenLayers map and the parcels' source.
  // shownOnMap: the ids of the parcels drawn in full (not dimmed by the table's filter).
  const shownOnMap = () => parcels.getFeatures()
    .map((f) => String(f.get('id') ?? f.getId()))
    .filter((id) => shown === null || shown.has(id))
    .sort();
  figure.landplan = { map, parcels, townships, showParcel, shownOnMap };
  return figure.landplan;
}

/** The ids the table's filter shows now, or null when nothing is filtered. */
function currentFilter() {
  const input = document.getElementById('parcel-filter');
  if (!input || input.value.trim() === '') return null;
  const rows = document.querySelectorAll('#parcel-table tbody tr[data-parcel]');
  return new Set(Array.from(rows).filter((r) => !r.hidden).map((r) => r.dataset.parcel));
}

function buildLegend(colours, withTownships) {
  const legend = el('ul', 'lp-legend');
  legend.setAttribute('aria-label', '图例');
  for (const [name, colour] of colours) {
    const item = el('li');
    const swatch = el('span', 'lp-swatch');
    swatch.style.backgroundColor = colour;
    item.append(swatch, document.createTextNode(name));
    legend.append(item);
  }
  if (withTownships) {
    const item = el('li');
    item.append(el('span', 'lp-swatch lp-swatch-town'), document.createTextNode('乡镇界'));
    legend.append(item);
  }
  return legend;
}
