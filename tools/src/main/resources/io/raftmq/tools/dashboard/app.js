// RaftMQ dashboard script (docs/dashboard.md): polls /api/state every second and renders the cluster overview
// (one row per member), and per broker group a Raft panel with two uPlot charts (commit index per member, lag of
// each member in entries) and the timeline of leader changes; every five seconds the topics (/api/topics) and the
// consumer groups' lag (/api/groups); a message lookup form (/api/message). Elements carry data-* attributes the
// browser test reads.
'use strict';
const POLL_MS = 1000;
const charts = {};
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

function cell(tr, text, cls) {
  const td = document.createElement('td');
  td.textContent = text === null || text === undefined ? '-' : String(text);
  if (cls) td.className = cls;
  tr.appendChild(td);
}

function renderOverview(state) {
  const body = document.querySelector('#overview tbody');
  body.replaceChildren();
  for (const g of state.groups) {
    for (const m of g.members) {
      const tr = document.createElement('tr');
      tr.className = m.role || '';
      tr.dataset.group = g.name;
      tr.dataset.member = m.id;
      tr.dataset.role = m.role || '';
      tr.dataset.term = m.term;
      cell(tr, g.name, 'text'); cell(tr, m.id, 'text'); cell(tr, m.address, 'text'); cell(tr, m.role, 'text');
      cell(tr, m.term); cell(tr, m.commitIndex); cell(tr, m.appliedIndex); cell(tr, m.lastIndex); cell(tr, m.lag);
      body.appendChild(tr);
    }
  }
}

function panelFor(g) {
  let p = document.getElementById('panel-' + g.name);
  if (p) return p;
  p = document.createElement('div');
  p.className = 'panel';
  p.id = 'panel-' + g.name;
  p.innerHTML = '<h3></h3><div class="charts"><div class="commit"></div><div class="lag"></div></div>'
    + '<h4>Leader changes</h4><ol class="timeline"></ol>';
  p.querySelector('h3').textContent = 'Raft group ' + g.name;
  document.getElementById('groups').appendChild(p);
  return p;
}

function chartData(g, key) {
  const ids = Object.keys(g.history[key]);
  const xs = g.history.time.map(t => t / 1000);
  return { ids, data: [xs, ...ids.map(id => g.history[key][id])] };
}

function drawChart(p, g, key, title) {
  const { ids, data } = chartData(g, key);
  const name = g.name + '/' + key;
  const old = charts[name];
  if (old && old.ids.join() === ids.join()) {
    old.plot.setData(data);
    return;
  }
  if (old) old.plot.destroy();
  const opts = {
    title, width: 460, height: 220,
    series: [{}, ...ids.map((id, i) => ({ label: id, stroke: COLORS[i % COLORS.length], width: 2 }))],
  };
  charts[name] = { ids, plot: new uPlot(opts, data, p.querySelector('.' + key)) };
}

function renderPanel(g) {
  const p = panelFor(g);
  p.dataset.leader = g.leader || '';
  p.dataset.term = g.term;
  drawChart(p, g, 'commit', 'commit index');
  drawChart(p, g, 'lag', 'lag (entries behind the leader)');
  const ol = p.querySelector('.timeline');
  ol.replaceChildren();
  for (const c of g.leaderChanges) {
    const li = document.createElement('li');
    li.textContent = new Date(c.time).toLocaleTimeString() + ': ' + c.id + ' (' + c.address + ') leads, term '
      + c.term;
    ol.appendChild(li);
  }
}

async function poll() {
  const status = document.getElementById('status');
  try {
    const r = await fetch('/api/state', { cache: 'no-store' });
    const state = await r.json();
    renderOverview(state);
    state.groups.forEach(renderPanel);
    const when = new Date(state.time).toLocaleTimeString();
    status.textContent = state.error ? 'stale (' + state.error + ') since ' + when : 'live, polled ' + when;
    status.className = state.error ? 'status stale' : 'status';
  } catch (e) {
    status.textContent = 'dashboard unreachable: ' + e;
    status.className = 'status stale';
  }
  setTimeout(poll, POLL_MS);
}

const SLOW_POLL_MS = 5000;

async function getJson(path) {
  const r = await fetch(path, { cache: 'no-store' });
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || r.status);
  return body;
}

function renderTopics(doc) {
  const body = document.querySelector('#topics tbody');
  body.replaceChildren();
  for (const t of doc.topics) {
    const tr = document.createElement('tr');
    tr.dataset.topic = t.topic;
    cell(tr, t.topic, 'text');
    if (t.error) { cell(tr, t.error, 'text'); body.appendChild(tr); continue; }
    cell(tr, t.queues); cell(tr, t.messages); cell(tr, t.maxOffsetSum); cell(tr, t.msgPerSec);
    cell(tr, t.lastUpdateTimestamp > 0 ? new Date(t.lastUpdateTimestamp).toLocaleTimeString() : null, 'text');
    body.appendChild(tr);
  }
}

function renderConsumers(doc) {
  const body = document.querySelector('#consumers tbody');
  body.replaceChildren();
  for (const g of doc.groups) {
    const p = g.progress;
    const total = document.createElement('tr');
    total.className = 'total';
    total.dataset.group = g.group;
    total.dataset.lag = p ? p.totalLag : '';
    cell(total, g.group, 'text');
    cell(total, g.clients ? g.clients.length : null);
    cell(total, g.error ? g.error : 'all', 'text'); cell(total, ''); cell(total, '');
    cell(total, p ? p.totalBrokerOffset : null); cell(total, p ? p.totalConsumerOffset : null);
    cell(total, p ? p.totalLag : null);
    total.title = g.clients ? g.clients.join('\n') : '';
    body.appendChild(total);
    for (const q of (p ? p.queues : [])) {
      const tr = document.createElement('tr');
      cell(tr, ''); cell(tr, ''); cell(tr, q.topic, 'text'); cell(tr, q.brokerName, 'text'); cell(tr, q.queueId);
      cell(tr, q.brokerOffset); cell(tr, q.consumerOffset); cell(tr, q.lag);
      body.appendChild(tr);
    }
  }
}

async function slowPoll() {
  try { renderTopics(await getJson('/api/topics')); } catch (e) { /* the status line reports the cluster */ }
  try { renderConsumers(await getJson('/api/groups')); } catch (e) { /* idem */ }
  setTimeout(slowPoll, SLOW_POLL_MS);
}

document.getElementById('lookup').addEventListener('submit', async ev => {
  ev.preventDefault();
  const q = new URLSearchParams(new FormData(ev.target));
  const out = document.getElementById('found');
  try {
    out.textContent = JSON.stringify(await getJson('/api/message?' + q), null, 2);
  } catch (e) {
    out.textContent = 'not found: ' + e.message;
  }
});

poll();
slowPoll();
