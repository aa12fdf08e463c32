// The interactive parcel map: the figure#plan-map's server-rendered SVG is replaced by an
// OpenLayers map of vector layers only (no tiles: none are reachable where the plans are
// served), in the store's own coordinates (data-srid, data-extent): Gauss–Krüger metres as
// stored, or CGCS2000 degrees shown on a local plane (so the scale bar is in metres). Township boundaries, parcels coloured by class, a legend, and a click
// on a parcel opens its details. If anything fails, the SVG stays.

import Map from 'ol/Map.js';
import View from 'ol/View.js';
import Overlay from 'ol/Overlay.js';
import VectorLayer from 'ol/layer/Vector.js';
import VectorSource from 'ol/source/Vector.js';
import GeoJSON from 'ol/format/GeoJSON.js';
import Projection from 'ol/proj/Projection.js';
import { addCoordinateTransforms, addProjection, get as getProjection } from 'ol/proj.js';
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

/** How a planned quarter is written: 1..4, Q1..Q4 and 第一季度 … as 第1季度 …; anything else as given. */
export function quarterLabel(q) {
  const s = String(q ?? '').trim();
  const m = /^(?:Q|第)?([1-4一二三四])(?:季度)?$/i.exec(s);
  if (!m) return s === '' ? '未注明' : s;
  const n = { 一: '1', 二: '2', 三: '3', 四: '4' }[m[1]] ?? m[1];
  return `第${n}季度`;
}

/** The equatorial radius of CGCS2000's (and WGS 84's) ellipsoid, metres. */
const RADIUS = 6378137;

/**
 * Whether an extent is in degrees (a geographic CRS such as CGCS2000, EPSG:4490) rather than
 * planar metres (Gauss–Krüger): planar extents of Chinese counties lie far outside ±180/±90.
 */
export function isGeographic(extent) {
  const [minx, miny, maxx, maxy] = extent;
  return minx >= -180 && maxx <= 180 && miny >= -90 && maxy <= 90;
}

/**
 * The local planar view of a geographic extent: an equirectangular projection about the
 * extent's centre, with longitudes scaled by the cosine of the centre's latitude, so that
 * across a county (a few tens of kilometres) shapes, areas and the scale bar are true to well
 * within a thousandth. Returns forward/inverse functions on [lon, lat] / [x, y] (metres).
 */
export function localPlane(extent) {
  const lon0 = (extent[0] + extent[2]) / 2;
  const lat0 = (extent[1] + extent[3]) / 2;
  const ky = (Math.PI / 180) * RADIUS;
  const kx = ky * Math.cos((lat0 * Math.PI) / 180);
  return {
    forward: (c) => [(c[0] - lon0) * kx, (c[1] - lat0) * ky],
    inverse: (c) => [c[0] / kx + lon0, c[1] / ky + lat0],
  };
}

function padded(extent, factor) {
  const pad = Math.max(extent[2] - extent[0], extent[3] - extent[1]) * factor;
  return [extent[0] - pad, extent[1] - pad, extent[2] + pad, extent[3] + pad];
}

/**
 * The projections of the store's data (`data`, EPSG:srid) and of the map's view (`view`, in
 * metres), and the data's extent in view coordinates. Planar data (Gauss–Krüger, metres) is
 * shown as stored; geographic data (degrees) on the local plane of `localPlane`.
 */
function projectionsFor(srid, extent) {
  const code = `EPSG:${srid}`;
  if (!isGeographic(extent)) {
    let planar = getProjection(code);
    if (!planar) {
      planar = new Projection({ code, units: 'm', extent: padded(extent, 2) });
      addProjection(planar);
    }
    return { data: planar, view: planar, viewExtent: extent };
  }
  let data = getProjection(code);
  if (!data) {
    data = new Projection({ code, units: 'degrees', extent: [-180, -90, 180, 90], global: true });
    addProjection(data);
  }
  const plane = localPlane(extent);
  const [minx, miny] = plane.forward([extent[0], extent[1]]);
  const [maxx, maxy] = plane.forward([extent[2], extent[3]]);
  const viewExtent = [minx, miny, maxx, maxy];
  const view = new Projection({
    code: `landplan:${srid}@${extent.join(',')}`,
    units: 'm',
    extent: padded(viewExtent, 2),
  });
  addProjection(view);
  addCoordinateTransforms(data, view, plane.forward, plane.inverse);
  return { data, view, viewExtent };
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
  const { data, view: projection, viewExtent } = projectionsFor(srid, extent);
  const [parcelsJson, townshipsJson] = await Promise.all([
    fetchGeoJSON(figure.dataset.parcels),
    figure.dataset.townships ? fetchGeoJSON(figure.dataset.townships).catch(() => null) : null,
  ]);
  // The data's CRS is the figure's, whatever the GeoJSON's own "crs" member names.
  const format = new GeoJSON();
  const read = (json) => format.readFeatures(json, { dataProjection: data, featureProjection: projection });
  const parcelFeatures = read(parcelsJson);
  // Colours by the classes' order in the file, as the server's SVG map gives them (a source's
  // getFeatures() is in its spatial index's order).
  const colours = classColours(parcelFeatures);
  const parcels = new VectorSource({ features: parcelFeatures });
  const townships = new VectorSource({ features: townshipsJson ? read(townshipsJson) : [] });

  const container = el('div', 'lp-map');
  // The map keeps the shape of the area it shows (within the CSS limits on its height).
  container.style.aspectRatio = String((viewExtent[2] - viewExtent[0]) / (viewExtent[3] - viewExtent[1]));
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
    stroke: new Stroke({ color: TOWN_LINE, width: 2 }),
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
    // Names that would overlap are left out until one zooms in (declutter).
    layers: [parcelLayer, new VectorLayer({ source: townships, style: townshipStyle, declutter: true })],
    overlays: [overlay],
    controls: defaultControls({ attribution: false }).extend([new ScaleLine({ units: 'metric' })]),
    view: new View({ projection, center: getCenter(viewExtent), zoom: 2, maxZoom: 28 }),
  });
  map.getView().fit(viewExtent, { padding: [16, 16, 16, 16], size: map.getSize() ?? [container.clientWidth || 600, container.clientHeight || 400] });

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

  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !popup.hidden) showParcel(null);
  });
  document.addEventListener('lp-filter', (event) => {
    shown = event.detail.shown;
    parcelLayer.changed();
  });

  figure.classList.add('lp-enhanced');
  figure.dataset.state = 'ready';
  figure.dataset.parcelCount = String(parcels.getFeatures().length);
  // For tests and embedding pages: the OpenLayers map and the parcels' source.
  // colourOf: a parcel's class colour; shownOnMap: the ids of the parcels drawn in full (not
  // dimmed by the table's filter).
  const byId = new globalThis.Map(parcelFeatures.map((f) => [String(f.get('id') ?? f.getId()), f]));
  const colourOf = (id) => (byId.has(id) ? colours.get(classOf(byId.get(id))) ?? null : null);
  const shownOnMap = () => parcels.getFeatures()
    .map((f) => String(f.get('id') ?? f.getId()))
    .filter((id) => shown === null || shown.has(id))
    .sort();
  figure.landplan = { map, parcels, townships, showParcel, shownOnMap, colourOf };
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
