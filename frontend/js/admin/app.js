/**
 * The operator dashboard (`/admin`): wires the login, the live socket and the views.
 *
 * Without stored credentials the login form shows; once a token is accepted it is kept
 * for this tab (credentials.js) and the live socket (live.js) authenticates with it.
 * WELCOME fills the event picker and the page WATCHes the event picked; every
 * DASHBOARD frame of that event repaints the totals, tables, occupancy map, chart,
 * lapsing holds, feed and audit log. Actions go through the REST API (api.js) and
 * show their effect through the next DASHBOARD. A refused token, on the socket or on
 * any call, logs out with "Wrong token". Server text only ever reaches the page as
 * textContent.
 */

import { Prices } from '../prices.js';
import { ConnectionIndicator, Messages } from '../status.js';
import { ActionsPanel } from './actions.js';
import { OperatorApi } from './api.js';
import { AuditLog } from './audit.js';
import { Counts } from './counts.js';
import { forgetCredentials, loadCredentials, saveCredentials } from './credentials.js';
import { EventPicker, stateWord } from './event-picker.js';
import { ChangeFeed } from './feed.js';
import { LapsingHolds } from './lapsing.js';
import { LiveSocket, liveUrl } from './live.js';
import { LoginForm } from './login.js';
import { OccupancyMap } from './occupancy.js';
import { SalesChart } from './sales-chart.js';

const byId = (id) => document.getElementById(id);
const WRONG_TOKEN = 'Wrong token';

export class AdminApp {
  #credentials = null;
  #api = null;
  /** Frames wait here for the one before them (the first waits for its plan). */
  #frames = Promise.resolve();
  #main = byId('admin-main');
  #messages = new Messages(byId('action-message'));
  #indicator = new ConnectionIndicator(byId('connection-status'), byId('connection-text'));
  #login = new LoginForm(
    {
      root: byId('login'),
      form: byId('login-form'),
      name: byId('login-name'),
      token: byId('login-token'),
      submit: byId('login-btn'),
      error: byId('login-error'),
    },
    (credentials) => {
      saveCredentials(credentials);
      this.#enter(credentials);
    },
  );
  #live = new LiveSocket(liveUrl(), {
    onWelcome: (events) => this.#onWelcome(events),
    onDashboard: (eventId, data) => this.#onDashboard(eventId, data),
    onError: (error) => this.#messages.say(error, 'error'),
    onRefused: () => this.#logOut(WRONG_TOKEN),
    onDown: () => this.#onDown(),
  });
  #picker = new EventPicker(byId('event-picker'), (eventId) => this.#watch(eventId));
  #counts = new Counts({
    seats: byId('total-seats'),
    available: byId('total-available'),
    held: byId('total-held'),
    booked: byId('total-booked'),
    blocked: byId('total-blocked'),
    revenue: byId('revenue'),
    confirmed: byId('orders-confirmed'),
    cancelled: byId('orders-cancelled'),
    people: byId('people-connected'),
    watching: byId('people-watching'),
    edges: byId('edges'),
    sections: byId('sections-body'),
    categories: byId('categories-body'),
  });
  #map = new OccupancyMap(
    {
      viewport: byId('occupancy-viewport'),
      map: byId('occupancy-map'),
      zoomIn: byId('map-zoom-in'),
      zoomOut: byId('map-zoom-out'),
      zoomFit: byId('map-zoom-fit'),
    },
    { onPick: (seatId, picked) => this.#actions.toggle(seatId, picked) },
  );
  #chart = new SalesChart(byId('sales-chart'), byId('sales-summary'));
  #lapsing = new LapsingHolds(
    { list: byId('lapsing-list'), empty: byId('lapsing-empty') },
    (seatId) => this.#map.describe(seatId),
  );
  #feed = new ChangeFeed(byId('feed-list'), (seatId) => this.#map.describe(seatId));
  #audit = new AuditLog({ list: byId('audit-list'), empty: byId('audit-empty') });
  #actions = new ActionsPanel(
    {
      stateButtons: [byId('state-open'), byId('state-close'), byId('state-schedule')],
      blockForm: byId('block-form'),
      seats: byId('block-seats'),
      block: byId('block-btn'),
      unblock: byId('unblock-btn'),
      clear: byId('block-clear'),
      cancelForm: byId('cancel-form'),
      reference: byId('cancel-ref'),
      cancel: byId('cancel-btn'),
      exportButtons: [byId('export-csv'), byId('export-json')],
    },
    {
      api: () => this.#api,
      eventId: () => this.#picker.value,
      say: (text, tone) => this.#messages.say(text, tone),
      onPicked: (seatIds) => this.#map.setPicked(seatIds),
      onUnauthorized: () => this.#logOut(WRONG_TOKEN),
    },
  );

  /** Log in with the credentials this tab keeps, or show the login form. */
  start() {
    byId('logout-btn').addEventListener('click', () => this.#logOut());
    const stored = loadCredentials();
    if (stored === null) this.#login.show();
    else this.#enter(stored);
  }

  #enter(credentials) {
    this.#credentials = credentials;
    this.#api = new OperatorApi(credentials);
    this.#login.hide();
    byId('dashboard').hidden = false;
    byId('operator-name').textContent = credentials.name;
    this.#indicator.set('connecting');
    this.#live.start(credentials);
  }

  /** Close the socket, forget the token, and show the login form (with `error`). */
  #logOut(error = '') {
    this.#live.stop();
    forgetCredentials();
    const name = this.#credentials?.name ?? '';
    this.#credentials = null;
    this.#api = null;
    // Its countdowns stop with it.
    this.#lapsing.show([]);
    byId('dashboard').hidden = true;
    this.#login.show(error, name);
  }

  #onWelcome(events) {
    this.#indicator.set('live');
    this.#main.classList.remove('stale');
    const eventId = this.#picker.show(events);
    if (eventId !== null && eventId !== this.#live.watching) this.#watch(eventId);
    if (eventId === null) this.#messages.say('There is no event yet.', 'error');
  }

  #watch(eventId) {
    this.#main.setAttribute('aria-busy', 'true');
    // Seats picked are seats of the event watched until now.
    this.#actions.setPicked([]);
    this.#live.watch(eventId);
  }

  #onDown() {
    this.#indicator.set('reconnecting');
    this.#main.classList.add('stale');
  }

  #onDashboard(eventId, data) {
    this.#frames = this.#frames
      .then(() => this.#show(eventId, data))
      .catch((error) => console.error('dashboard frame failed', error));
  }

  async #show(eventId, data) {
    if (eventId !== this.#picker.value) return;
    const event = data.event ?? {};
    const prices = new Prices(event.prices, event.currency);
    await this.#map.show(eventId, data.occupancy);
    if (eventId !== this.#picker.value) return;
    this.#counts.show(data, prices);
    this.#chart.show(data.sales_per_minute);
    this.#lapsing.show(data.lapsing_holds);
    this.#feed.show(eventId, data.changes, data.occupancy);
    this.#audit.show(data.audit);
    this.#showState(eventId, event);
    this.#main.setAttribute('aria-busy', 'false');
  }

  #showState(eventId, event) {
    const badge = byId('event-state');
    badge.textContent = stateWord(event.state);
    badge.dataset.state = String(event.state ?? '');
    this.#actions.showState(event.state);
    this.#picker.showState(eventId, event.name, event.state);
    if (typeof event.name === 'string') document.title = `${event.name} · Operator dashboard`;
  }
}

new AdminApp().start();
