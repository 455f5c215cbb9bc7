// Entry of the dashboard bundle: the shared top bar, then the page named by body[data-page].
// body[data-ready] is set once the page has drawn its data (the browser tests wait on it).
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { el } from './format.js';
import { fleetPage } from './pages/fleet.js';
import { cellPage } from './pages/cell.js';
import { mechanicsPage } from './pages/mechanics.js';
import { demPage } from './pages/dem.js';

const pages = { fleet: fleetPage, cell: cellPage, mechanics: mechanicsPage, dem: demPage };

function topBar(page) {
  const link = (href, text, active) => el('a', { href, class: active ? 'active' : undefined, text });
  return el('header', { class: 'top' },
    el('div', { class: 'brand' }, 'DigitalTwin ', el('span', { text: 'pilot line' })),
    el('nav', {},
      link('/', 'Fleet', page === 'fleet' || page === 'cell' || page === 'mechanics'),
      link('/dem.html', 'DEM studies', page === 'dem')),
    el('div', { class: 'spacer' }),
    el('div', { class: 'live' }, el('i', { class: 'dot' }), el('span', { class: 'label', text: 'connecting…' })));
}

async function start() {
  const page = document.body.dataset.page;
  const main = el('main');
  document.body.prepend(topBar(page), main);
  try {
    await pages[page](main, new URLSearchParams(window.location.search));
    document.body.dataset.ready = 'true';
  } catch (error) {
    main.append(el('div', { class: 'panel' }, el('div', { class: 'empty', text: `Could not load this page: ${error.message}` })));
    document.body.dataset.ready = 'error';
    throw error;
  }
}

start();
