// landplan's front end: enhances the server-rendered plan page (works without it).
import 'ol/ol.css';
import './app.css';
import { enhanceMap } from './map.js';
import { enhanceTable } from './table.js';

function start() {
  const table = document.getElementById('parcel-table');
  if (table) enhanceTable(table);
  const figure = document.getElementById('plan-map');
  if (figure) {
    enhanceMap(figure).catch((error) => {
      // The server's SVG map stays; say why in the console only.
      figure.dataset.state = 'failed';
      console.warn('landplan: 交互地图加载失败，保留静态地图', error);
    });
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
