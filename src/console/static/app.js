// The console's pages, built from the JSON API. Every value from the API is
// put into the page as text (textContent / text nodes) and never as HTML:
// a device that calls itself "<img src=x onerror=...>" shows exactly that.
"use strict";

const CSRF = document.querySelector('meta[name="ms-csrf"]').content;
const ROLE = document.querySelector('meta[name="ms-role"]').content;
const CAN_TRIAGE = ROLE === "analyst" || ROLE === "admin";
const STATES = ["new", "acknowledged", "resolved", "false_positive"];

// el("td", {class: "x"}, "text", child...): attributes are set with
// setAttribute (never an event handler), children are nodes or text.
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k.toLowerCase().startsWith("on")) throw new Error("no event attributes");
    if (k === "class") e.className = v; else e.setAttribute(k, String(v));
  }
  for (const k of kids) {
    if (k === null || k === undefined) continue;
    e.appendChild(k instanceof Node ? k : document.createTextNode(String(k)));
  }
  return e;
}

function link(path, text) { return el("a", {href: path}, text); }
function deviceLink(id, text) { return id ? link("/devices/" + encodeURIComponent(id), text || id) : text || ""; }
function alertLink(id, text) { return link("/alerts/" + encodeURIComponent(id), text || id); }

async function api(path, opts) {
  const r = await fetch(path, Object.assign({credentials: "same-origin"}, opts || {}));
  if (r.status === 401) { location.assign("/login"); throw new Error("login required"); }
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || ("HTTP " + r.status));
  return body;
}

function post(path, data) {
  return api(path, {method: "POST", body: JSON.stringify(data),
                    headers: {"Content-Type": "application/json", "X-CSRF-Token": CSRF}});
}

function table(headers, rows, id) {
  const t = el("table", id ? {id} : {});
  t.appendChild(el("thead", {}, el("tr", {}, ...headers.map((h) => (h instanceof Node ? h : el("th", {}, h))))));
  const tb = el("tbody");
  for (const r of rows) tb.appendChild(el("tr", {}, ...r.map((c) => el("td", {}, c))));
  t.appendChild(tb);
  return t;
}

function kvTable(pairs) {
  const t = el("table", {class: "kv"});
  for (const [k, v] of pairs) {
    if (v === "" || v === undefined || v === null || (Array.isArray(v) && !v.length)) continue;
    t.appendChild(el("tr", {}, el("th", {}, k), el("td", {}, Array.isArray(v) ? v.join(", ") : v)));
  }
  return t;
}

function sev(s) { return el("span", {class: "sev-" + s}, s); }
function main() { return document.getElementById("main"); }
function show(...nodes) { const m = main(); m.replaceChildren(...nodes); }
function params() { return new URLSearchParams(location.search); }

function countTable(title, rows, total) {
  const max = Math.max(1, ...rows.map((r) => r.count));
  return el("div", {class: "card"}, el("h2", {}, title),
    table(["", "count", el("th", {class: "barcell"})], rows.map((r) => {
      const b = el("span", {class: "bar"});
      b.style.width = Math.max(1, Math.round(100 * r.count / max)) + "%";  // CSSOM: allowed by the CSP
      return [r.name || "(none)", String(r.count), b];
    })));
}

// --- overview ---------------------------------------------------------------
async function overview() {
  const [o, recent, alerts] = await Promise.all([api("/api/overview"), api("/api/devices?limit=20"),
                                                 api("/api/alerts?limit=10")]);
  const d = o.devices;
  const card = (label, n) => el("div", {class: "card"}, el("div", {class: "n"}, String(n)), label);
  show(el("h1", {}, "Overview"), reportLinks(),
    el("div", {class: "cards", id: "totals"}, card("devices", d.total), card("medical devices", d.medical),
       card("IT devices", d.it), card("end-of-life OS", d.os_end_of_life),
       card("captures analysed", o.captures.total)),
    el("div", {class: "grid"}, countTable("Devices by type", o.device_types), countTable("Devices by class", o.device_classes),
       countTable("Alerts by severity", o.alert_severities), countTable("Alerts per day (UTC)", o.alerts_per_day.map(
         (x) => ({name: x.day, count: x.count}))), countTable("Alerts by rule", o.alert_rules),
       countTable("Triaged alerts", o.alert_states)),
    el("h2", {}, "Devices seen last"), deviceTable(recent.devices, "overview-devices"),
    el("h2", {}, "Most severe alerts"), alertTable(alerts.alerts, "overview-alerts"));
}

// The HIPAA risk report (analysts and admins: it lists every weak device).
function reportLinks() {
  if (!CAN_TRIAGE) return "";
  return el("p", {id: "report"}, "HIPAA risk report: ",
    el("a", {id: "report-html", href: "/api/report.html", download: "hipaa-risk-report.html"}, "HTML"), " ",
    el("a", {id: "report-pdf", href: "/api/report.pdf", download: "hipaa-risk-report.pdf"}, "PDF"));
}

function deviceTable(devices, id) {
  return table(["device", "IP", "type", "manufacturer", "model", "host name", "medical", "last seen"],
    devices.map((x) => [deviceLink(x.id), x.ip, x.type, x.manufacturer || x.mac_vendor, x.model, x.hostname,
                        x.medical ? "yes" : "no", x.last_seen]), id);
}

// --- devices ----------------------------------------------------------------
function filterForm(fields, onSubmit) {
  const p = params();
  const f = el("form", {class: "filters", id: "filters"});
  for (const [name, label, choices] of fields) {
    let input;
    if (choices) {
      input = el("select", {name}, ...choices.map((c) => el("option", {value: c}, c || "any")));
      input.value = p.get(name) || "";
    } else {
      input = el("input", {name, maxlength: 128});
      input.value = p.get(name) || "";
    }
    f.appendChild(el("label", {}, label, input));
  }
  f.appendChild(el("button", {type: "submit"}, "Filter"));
  f.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    for (const [k, v] of new FormData(f)) if (v) q.set(k, v);
    onSubmit(q);
  });
  return f;
}

function pager(total, limit, offset, capped) {
  const p = params();
  const go = (off) => { p.set("offset", String(off)); location.search = p.toString(); };
  const prev = el("button", {type: "button", id: "prev"}, "Previous");
  const next = el("button", {type: "button", id: "next"}, "Next");
  prev.disabled = offset <= 0;
  next.disabled = offset + limit >= total;
  prev.addEventListener("click", () => go(Math.max(0, offset - limit)));
  next.addEventListener("click", () => go(offset + limit));
  const last = Math.min(total, offset + limit);
  return el("div", {class: "pager"}, prev,
            el("span", {}, (total ? offset + 1 : 0) + "–" + last + " of " + total + (capped ? "+" : "")), next);
}

async function devices() {
  const p = params();
  p.set("limit", p.get("limit") || "50");
  const r = await api("/api/devices?" + p.toString());
  const sortHead = (label, key) => {
    const th = el("th", {class: "sortable"}, label);
    th.addEventListener("click", () => {
      const q = params();
      q.set("order", q.get("sort") === key && q.get("order") !== "asc" ? "asc" : "desc");
      q.set("sort", key);
      q.delete("offset");
      location.search = q.toString();
    });
    return th;
  };
  const t = table([sortHead("device", "id"), sortHead("IP", "ip"), sortHead("type", "type"),
                   sortHead("manufacturer", "manufacturer"), "model", sortHead("host name", "hostname"), "medical",
                   sortHead("last seen", "last_seen")],
    r.devices.map((x) => [deviceLink(x.id), x.ip, x.type, x.manufacturer || x.mac_vendor, x.model, x.hostname,
                          x.medical ? "yes" : "no", x.last_seen]), "devices");
  const q = params();
  for (const k of ["limit", "offset", "sort", "order"]) q.delete(k);
  const csv = el("a", {id: "csv", href: "/api/devices.csv?" + q.toString(), download: "devices.csv"},
                 "Export all " + r.total + " as CSV");
  show(el("h1", {}, "Devices"),
       filterForm([["q", "search"], ["type", "type"], ["vendor", "vendor"], ["class", "class"],
                   ["subnet", "subnet"], ["medical", "medical", ["", "1", "0"]]], (q) => { location.search = q.toString(); }),
       pager(r.total, r.limit, r.offset, false), t, csv);
}

// --- one device -------------------------------------------------------------
function evidenceList(ev) {
  return el("div", {class: "evidence"}, ...(ev || []).map((e) =>
    el("div", {}, e.source + ": " + e.observed + " (" + e.count + "×, " + e.first_seen + " – " + e.last_seen +
       (e.flow_id ? ", flow " + e.flow_id : "") + ")")));
}

async function device() {
  const id = decodeURIComponent(location.pathname.slice("/devices/".length));
  const r = await api("/api/devices/" + encodeURIComponent(id));
  const d = r.device, rec = r.record || {};
  const conclusions = Object.entries(rec.conclusions || {});
  show(el("h1", {id: "device-title"}, (d.hostname || d.ip || d.id) + " — " + (d.type || "unknown")),
    kvTable([["id", d.id], ["MAC", d.mac], ["MAC vendor", d.mac_vendor], ["addresses", d.ips],
             ["host name", d.hostname], ["DNS names", rec.dns_names], ["manufacturer", d.manufacturer], ["model", d.model],
             ["version", d.version], ["type", d.type], ["class", d.class], ["medical", d.medical ? "yes" : "no"],
             ["OS", d.os], ["OS end of life", d.os_eol ? "yes" : ""], ["DICOM AE titles", rec.ae_titles],
             ["HL7 applications", rec.hl7_apps], ["equipment", rec.equipment], ["roles", rec.roles],
             ["first seen", d.first_seen], ["last seen", d.last_seen]]),
    el("h2", {}, "Identity and its evidence"),
    table(["field", "value", "confidence", "evidence"], conclusions.flatMap(([field, cands]) =>
      cands.map((c) => [field, c.value, String(c.confidence), evidenceList(c.evidence)])), "conclusions"),
    el("h2", {}, "Addresses"),
    table(["IP", "first seen", "last seen", "sources"], (rec.ips || []).map((a) =>
      [a.ip, a.first_seen, a.last_seen, (a.sources || []).join(", ")])),
    el("h2", {}, "Services"),
    table(["proto", "port", "app", "security", "flows", "bytes", "last seen"], (rec.services || []).map((s) =>
      [s.proto, String(s.port), s.app || "", s.security || "", String(s.flows), String(s.bytes), s.last_seen])),
    el("h2", {}, "Peers (" + (rec.peer_count || 0) + ")"), peerGraph(d, rec.peers || []),
    table(["direction", "peer", "service", "flows", "bytes"], (rec.peers || []).map((p) =>
      [p.direction, p.ip, p.service, String(p.flows), String(p.bytes)])),
    el("h2", {}, "Patient data and exposure"),
    kvTable([["handles patient data", rec.phi && rec.phi.handles ? "yes" : "no"],
             ["over", rec.phi ? rec.phi.protocols : []],
             ["cleartext logins", (rec.exposure || {}).cleartext_logins],
             ["default credentials", (rec.exposure || {}).default_credentials],
             ["TLS versions", (rec.exposure || {}).tls_versions], ["weak TLS", (rec.exposure || {}).tls_weak],
             ["SMB dialects", (rec.exposure || {}).smb_dialects]]),
    el("h2", {}, "Alerts"), alertTable(r.alerts, "device-alerts"),
    el("h2", {}, "Observations (what its traffic said)"),
    table(["attribute", "value", "source", "confidence", "count", "first seen", "last seen"], r.observations.map((o) =>
      [o.attr, o.value, o.source, String(o.confidence), String(o.count), o.first_seen, o.last_seen]), "observations"));
}

// The device in the middle, its peers (the 24 with most bytes) around it;
// a line's width grows with the bytes. Built as SVG nodes, labels as text.
function svg(tag, attrs, text) {
  const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

function peerGraph(d, peers) {
  const shown = peers.slice(0, 24), W = 760, H = 420, cx = W / 2, cy = H / 2, R = 165;
  const g = svg("svg", {class: "peer-graph", id: "peer-graph", viewBox: "0 0 " + W + " " + H, width: W, height: H,
                        role: "img", "aria-label": "peers"});
  const max = Math.max(1, ...shown.map((p) => p.bytes));
  shown.forEach((p, i) => {
    const a = 2 * Math.PI * i / Math.max(1, shown.length) - Math.PI / 2;
    const x = cx + R * Math.cos(a), y = cy + R * Math.sin(a);
    g.appendChild(svg("line", {x1: cx, y1: cy, x2: x.toFixed(1), y2: y.toFixed(1), class: "edge " + p.direction,
                               "stroke-width": (1 + 5 * Math.log1p(p.bytes) / Math.log1p(max)).toFixed(2)}));
    g.appendChild(svg("circle", {cx: x.toFixed(1), cy: y.toFixed(1), r: 6, class: "peer"}));
    const anchor = Math.cos(a) < -0.1 ? "end" : Math.cos(a) > 0.1 ? "start" : "middle";
    const tx = x + 10 * Math.cos(a), ty = y + 14 * Math.sin(a) + 4;
    g.appendChild(svg("text", {x: tx.toFixed(1), y: ty.toFixed(1), "text-anchor": anchor, class: "peer-label"},
                      p.ip + " " + p.service));
  });
  g.appendChild(svg("circle", {cx, cy, r: 10, class: "self"}));
  g.appendChild(svg("text", {x: cx, y: cy + 26, "text-anchor": "middle", class: "self-label"}, d.ip || d.id));
  return el("div", {class: "graph"}, g);
}

// --- alerts -----------------------------------------------------------------
function triageControls(a, onSaved) {
  if (!CAN_TRIAGE) return el("span", {}, a.triage.state);
  const sel = el("select", {name: "state", "aria-label": "state"}, ...STATES.map((s) => el("option", {value: s}, s)));
  sel.value = a.triage.state;
  const note = el("input", {name: "note", maxlength: 2000, placeholder: "note", "aria-label": "note"});
  note.value = a.triage.note || "";
  const btn = el("button", {type: "button", class: "save"}, "Save");
  const status = el("span", {class: "status"});
  btn.addEventListener("click", async () => {
    status.textContent = "";
    try {
      const r = await post("/api/alerts/" + encodeURIComponent(a.id) + "/triage", {state: sel.value, note: note.value});
      status.textContent = "saved by " + r.by;
      status.className = "status saved";
      if (onSaved) onSaved(r);
    } catch (e) {
      status.textContent = e.message;
      status.className = "status error";
    }
  });
  return el("span", {class: "triage", "data-alert": a.id}, sel, note, btn, status);
}

function evidenceLink(id) {
  return CAN_TRIAGE ? el("a", {href: "/api/alerts/" + encodeURIComponent(id) + "/evidence.pcap", class: "pcap",
                               download: "alert-" + id + ".pcap"}, "pcap") : "";
}

function alertTable(alerts, id) {
  return table(["severity", "alert", "source", "destination", "last", "count", "triage", "by", "evidence"],
    alerts.map((a) => [sev(a.severity), alertLink(a.id, a.name || a.rule), deviceLink(a.src_device, a.src_ip),
                       deviceLink(a.dest_device, a.dest_ip), a.last, String(a.count), triageControls(a),
                       a.triage.by ? a.triage.by + " " + a.triage.at : "", evidenceLink(a.id)]), id);
}

async function alerts() {
  const p = params();
  p.set("limit", p.get("limit") || "50");
  const r = await api("/api/alerts?" + p.toString());
  show(el("h1", {}, "Alerts"),
       filterForm([["severity", "at least", ["", "low", "medium", "high", "critical"]],
                   ["state", "state", [""].concat(STATES)], ["rule", "rule"], ["ip", "address"]],
                  (q) => { location.search = q.toString(); }),
       pager(r.total, r.limit, r.offset, r.total_capped), alertTable(r.alerts, "alerts"));
}

async function alertPage() {
  const id = decodeURIComponent(location.pathname.slice("/alerts/".length));
  const r = await api("/api/alerts/" + encodeURIComponent(id));
  const a = r.alert, rec = r.record || {};
  show(el("h1", {id: "alert-title"}, (rec.name || a.rule) + " (" + a.severity + ")"),
    kvTable([["id", a.id], ["rule", a.rule], ["category", rec.category], ["ATT&CK", rec.mitre_ics || rec.mitre_enterprise],
             ["protocol", a.protocol], ["source", a.src_ip], ["destination", a.dest_ip], ["first", a.first],
             ["last", a.last], ["count", String(a.count)]]),
    el("p", {}, "Source device: ", deviceLink(a.src_device, a.src_device || "—"), "  Destination device: ",
       deviceLink(a.dest_device, a.dest_device || "—")),
    el("h2", {}, "Evidence"), el("pre", {id: "alert-evidence"}, JSON.stringify(rec.evidence || {}, null, 2)),
    evidenceLink(a.id),
    el("h2", {}, "Response"), el("ul", {class: "steps"}, ...(rec.response || []).map((s) => el("li", {}, s))),
    el("h2", {}, "Triage"), triageControls(a, async () => {
      const again = await api("/api/alerts/" + encodeURIComponent(id));
      document.getElementById("history").replaceWith(historyTable(again.history));
    }),
    historyTable(r.history));
}

function historyTable(history) {
  return table(["state", "note", "by", "at"], history.map((h) => [h.state, h.note, h.by, h.at]), "history");
}

// --- patient data flows -------------------------------------------------------
async function phi() {
  const r = await api("/api/phi-flows");
  show(el("h1", {}, "Patient data"),
    el("h2", {}, "Sent in clear"),
    el("p", {class: "muted"}, "Pairs of systems whose patient data the sensor read on the wire (the phi_cleartext " +
       "alerts). Encrypted connections hide their content, so they are not listed here."),
    table(["from", "to", "protocol", "messages", "alerts", "first", "last"], r.cleartext_flows.map((f) =>
      [deviceLink(f.src_device, f.src_ip), deviceLink(f.dest_device, f.dest_ip), f.protocol, String(f.count),
       String(f.alerts), f.first, f.last]), "phi-flows"),
    el("h2", {}, "Devices that handle patient data"),
    table(["device", "IP", "type", "medical", "over"], r.devices.map((d) =>
      [deviceLink(d.id), d.ip, d.type, d.medical ? "yes" : "no", (d.protocols || []).join(", ")]), "phi-devices"));
}

const PAGES = {overview, devices, device, alerts, alert: alertPage, phi};

// Live updates: the overview redraws itself when the sensor writes; other
// pages say so (a redraw would lose what is being typed into a triage note).
function live(page) {
  const es = new EventSource("/api/events");
  let first = true;
  es.addEventListener("change", () => {
    if (first) { first = false; return; }
    if (page === "overview") { overview(); return; }
    if (document.getElementById("changed")) return;
    const btn = el("button", {type: "button"}, "Reload");
    btn.addEventListener("click", () => location.reload());
    main().prepend(el("p", {id: "changed", class: "notice"}, "The inventory has changed. ", btn));
  });
}

document.getElementById("logout").addEventListener("click", async () => {
  try { await post("/api/logout", {}); } finally { location.assign("/login"); }
});

(PAGES[document.body.dataset.page] || overview)().then(() => live(document.body.dataset.page)).catch((e) => {
  show(el("p", {class: "error"}, "Error: " + e.message));
});
