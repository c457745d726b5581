// The inspector's on-site screen (templates/inspections/onsite.html), for a tablet with an unreliable connection.
//
// Every change (an answer, a note, a finding, a photo) goes first into an outbox in IndexedDB, keyed by an id made
// here (crypto.randomUUID), then is sent to the JSON API (/api/v1) in order whenever there is a connection: at page load, on the `online`
// event, after each change and on a retry timer with backoff. A change leaves the outbox only after the server
// confirmed it. Findings and photos carry their id as `client_id`, so a request that reached the server but whose
// answer was lost is sent again without creating anything twice; an answer is an idempotent upsert per item.
// The finding being typed (with its photos) and notes typed before an answer are drafts kept in IndexedDB too.
// Every text shown here comes translated from the page (#onsite-texts).

const config = JSON.parse(document.getElementById("onsite-config").textContent);
const texts = JSON.parse(document.getElementById("onsite-texts").textContent);
const root = document.getElementById("onsite");
const owner = `${config.caseId}:${config.userId}`;
const prefix = `inspect.onsite.${owner}.`;

// --- small helpers ----------------------------------------------------------------------------------------------

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

function counted(forms, count) {
  return fill(forms[count === 1 ? 0 : 1], { count });
}

function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  // crypto.randomUUID needs a secure context; getRandomValues does not.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// ISO 8601 in the device's local time with its offset, e.g. 2026-11-28T09:15:02.120+07:00.
export function deviceTime(date = new Date()) {
  const pad = (n, w = 2) => String(Math.trunc(Math.abs(n))).padStart(w, "0");
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}` +
    `${sign}${pad(offset / 60)}:${pad(offset % 60)}`
  );
}

function showTime(iso) {
  return new Date(iso).toLocaleString(document.documentElement.lang || undefined, {
    dateStyle: "short",
    timeStyle: "short",
  });
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

const pref = {
  get: (name, fallback = null) => {
    try {
      return localStorage.getItem(prefix + name) ?? fallback;
    } catch {
      return fallback;
    }
  },
  set: (name, value) => {
    try {
      localStorage.setItem(prefix + name, value);
    } catch {
      // A full or disabled localStorage only loses the preference.
    }
  },
};

// --- IndexedDB --------------------------------------------------------------------------------------------------

const DB_NAME = "inspect-onsite";
let dbPromise = null;

function openDb() {
  dbPromise ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      const db = request.result;
      // Unsent changes, in the order they were made (seq); every record names its case and user (owner).
      db.createObjectStore("outbox", { keyPath: "clientId" }).createIndex("seq", "seq");
      // Drafts: the finding being typed, its photos, notes typed before an answer.
      db.createObjectStore("drafts", { keyPath: "key" });
      // Server ids of findings sent from here, so photos queued for them know where to go.
      db.createObjectStore("sent", { keyPath: "clientId" });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return dbPromise;
}

async function tx(stores, mode, work) {
  const db = await openDb();
  const transaction = db.transaction(stores, mode);
  work(...[stores].flat().map((name) => transaction.objectStore(name)));
  await new Promise((resolve, reject) => {
    transaction.oncomplete = resolve;
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
}

const store = {
  async getAll(name) {
    let rows;
    await tx(name, "readonly", (s) => {
      s.getAll().onsuccess = (e) => (rows = e.target.result);
    });
    return rows;
  },
  async get(name, key) {
    let row;
    await tx(name, "readonly", (s) => {
      s.get(key).onsuccess = (e) => (row = e.target.result);
    });
    return row;
  },
  put: (name, value) => tx(name, "readwrite", (s) => void s.put(value)),
  delete: (name, key) => tx(name, "readwrite", (s) => void s.delete(key)),
};

// --- state ------------------------------------------------------------------------------------------------------

const state = {
  ops: [], // this case's and user's outbox, by seq (a mirror of IndexedDB, which stays the truth)
  seq: 0,
  sending: null, // clientId of the change on its way
  attempt: 0,
  retryTimer: null,
  flushTimer: null,
  problem: null, // null | "offline" | "retry" | "auth"
  lastSaved: "", // what was confirmed last, said in the status region once everything is sent
  sentIds: new Map(), // finding clientId -> server id
  confirmed: new Map(), // item id -> {answer, note} confirmed by the server
  draft: null, // the finding being typed: {key, owner, clientId, fields}
  draftPhotos: [], // its photos
  noteDrafts: new Map(), // item id -> note typed before any answer
};

const items = new Map(
  [...document.querySelectorAll(".check-item")].map((node) => [
    Number(node.dataset.item),
    {
      node,
      form: node.querySelector("form"),
      code: node.querySelector(".item-code").textContent.trim(),
      text: node.querySelector(".item-text").textContent.replace(node.querySelector(".item-code").textContent, "").trim(),
      area: node.querySelector(".raise-for-item").dataset.area,
      note: node.querySelector("textarea"),
      stateNode: node.querySelector(".save-state"),
      raise: node.querySelector(".raise-for-item"),
      version: node.querySelector("input[name=version]"),
      answeredBy: node.querySelector(".answered-by"),
      conflictNode: node.querySelector(".answer-conflict"),
    },
  ]),
);
for (const [id, item] of items) state.confirmed.set(id, confirmedFromPage(item));

function nextSeq() {
  state.seq = Math.max(state.seq + 1, Date.now());
  return state.seq;
}

// The mirror is changed synchronously, then written; a reload only adds what another tab queued, so that a write
// still on its way is never overwritten by an older copy. What another tab already sent is dropped before sending.
async function loadOutbox() {
  const rows = await store.getAll("outbox");
  for (const row of rows) state.seq = Math.max(state.seq, row.seq);
  const known = new Set(state.ops.map((o) => o.clientId));
  state.ops.push(...rows.filter((row) => row.owner === owner && !known.has(row.clientId)));
  state.ops.sort((a, b) => a.seq - b.seq);
  for (const row of await store.getAll("sent")) state.sentIds.set(row.clientId, row.serverId);
}

function addOp(op) {
  Object.assign(op, { owner, seq: nextSeq(), createdAt: deviceTime(), status: "waiting" });
  state.ops.push(op);
  return store.put("outbox", op);
}

async function saveOp(op) {
  await store.put("outbox", op);
}

async function removeOp(op) {
  await store.delete("outbox", op.clientId);
  state.ops = state.ops.filter((o) => o.clientId !== op.clientId);
}

// --- sending ----------------------------------------------------------------------------------------------------

function scheduleFlush(delay = 0) {
  clearTimeout(state.flushTimer);
  state.flushTimer = setTimeout(flush, delay);
}

let flushing = false;
let flushAgain = false;

async function flush() {
  if (flushing) {
    flushAgain = true; // a change queued while the loop was finishing is not left behind
    return;
  }
  flushing = true;
  flushAgain = false;
  try {
    await loadOutbox(); // adds what another tab queued
    if (navigator.locks) {
      // One tab sends at a time; the other tries again a little later.
      await navigator.locks.request("inspect-onsite-outbox", { ifAvailable: true }, async (lock) => {
        if (lock) await sendAll();
        else state.retryTimer = setTimeout(flush, 5000);
      });
    } else {
      await sendAll();
    }
  } finally {
    flushing = false;
    render();
    if (flushAgain && !state.problem) scheduleFlush(0);
  }
}

async function sendAll() {
  clearTimeout(state.retryTimer);
  while (true) {
    const op = state.ops.find((o) => o.status === "waiting" && !blocked(o));
    if (!op) break;
    if (!navigator.onLine) {
      // The `online` event sends again; the timer is for browsers that miss it.
      state.problem = "offline";
      state.retryTimer = setTimeout(flush, 30_000);
      return;
    }
    state.sending = op.clientId;
    if (!(await store.get("outbox", op.clientId))) {
      state.ops = state.ops.filter((o) => o.clientId !== op.clientId);
      state.sending = null;
      continue;
    }
    render();
    const result = await send(op);
    state.sending = null;
    if (result.ok) {
      state.problem = null;
      state.attempt = 0;
      await confirm(op, result.data);
      continue;
    }
    if (result.auth) {
      state.problem = "auth";
      return;
    }
    if (result.retry) {
      state.problem = navigator.onLine ? "retry" : "offline";
      // Backoff: 1, 2, 4 ... up to 60 seconds, with jitter so that many tablets do not return at once.
      const delay = Math.min(60_000, 1000 * 2 ** state.attempt) * (0.75 + Math.random() / 2);
      state.attempt += 1;
      state.retryTimer = setTimeout(flush, delay);
      return;
    }
    op.status = "failed";
    op.error = result.message;
    op.errors = result.errors;
    await saveOp(op);
  }
  state.problem = null;
}

// A photo waits for its finding; it is stuck if the finding was refused.
function blocked(op) {
  if (op.kind !== "photo" || op.findingId || state.sentIds.has(op.findingClientId)) return false;
  return true;
}

function formData(fields) {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (value === null || value === undefined) continue;
    if (Array.isArray(value)) data.append(name, ...value);
    else data.append(name, value);
  }
  return data;
}

// The finding form names a checklist item by its id; the API, by its code. Empty fields are left out.
function findingBody(op) {
  const { item, ...fields } = op.fields;
  const body = { ...fields, client_id: op.clientId, captured_at: op.capturedAt };
  if (item) body.item = items.get(Number(item))?.code;
  for (const [name, value] of Object.entries(body)) if (value === "" || value === undefined) delete body[name];
  return body;
}

// [method, url, body, content type (none for multipart, which the browser sets with its boundary)]
function request(op) {
  if (op.kind === "answer") {
    const code = encodeURIComponent(items.get(op.itemId).code);
    const body = { answer: op.answer, note: op.note, based_on: op.basedOn ?? null, captured_at: op.capturedAt, client_id: op.clientId };
    return ["PUT", fill(config.answerUrl, { code }), JSON.stringify(body), "application/json"];
  }
  if (op.kind === "finding") {
    return ["POST", config.findingsUrl, JSON.stringify(findingBody(op)), "application/json"];
  }
  const findingId = op.findingId || state.sentIds.get(op.findingClientId);
  const body = formData({
    file: [op.blob, op.filename],
    client_id: op.clientId,
    captured_at: op.capturedAt,
    latitude: op.latitude,
    longitude: op.longitude,
  });
  return ["POST", fill(config.photosUrl, { id: findingId }), body, null];
}

// A refusal's message, with what it says about each field, after the field's name as the page shows it.
function refusalMessage(data, fallback) {
  const details = Object.entries(data.errors || {}).flatMap(([name, messages]) =>
    messages.map((text) => (name ? `${fieldLabel(name)}: ${text}` : text)),
  );
  return [data.message || fallback, ...details].join(" ");
}

function fieldLabel(name) {
  const label =
    document.querySelector(`#finding-form label[for="${CSS.escape(name)}"]`) ||
    (name === "note" ? document.querySelector(".item-note label") : null);
  return label ? label.textContent.trim() : name;
}

async function send(op) {
  const [method, url, body, contentType] = request(op);
  const headers = { Accept: "application/json", "X-CSRFToken": config.csrfToken };
  if (contentType) headers["Content-Type"] = contentType;
  let response;
  try {
    response = await fetch(url, { method, body, credentials: "same-origin", headers });
  } catch {
    return { retry: true };
  }
  if (!(response.headers.get("Content-Type") || "").includes("application/json")) {
    return { retry: true }; // not the API's answer: a proxy or a captive portal; try later
  }
  let data = {};
  try {
    data = await response.json();
  } catch {
    return { retry: true };
  }
  if (response.ok) return { ok: true, data };
  if (response.status === 409) noteConflict(op, data);
  if (response.status === 401 || (response.status === 400 && data.error === "csrf")) return { auth: true };
  if (response.status >= 500 || response.status === 408 || response.status === 429) return { retry: true };
  return { message: refusalMessage(data, response.statusText), errors: data.errors || {} };
}

async function confirm(op, data) {
  if (op.kind === "answer") {
    state.confirmed.set(op.itemId, confirmedFromServer(data));
    await removeOp(op);
    const item = items.get(op.itemId);
    if (item) state.lastSaved = fill(texts.itemSaved, { code: item.code });
  } else if (op.kind === "finding") {
    state.sentIds.set(op.clientId, data.id);
    // Recorded before the change leaves the outbox, so its photos always find their finding.
    await store.put("sent", { clientId: op.clientId, serverId: data.id, owner, sentAt: deviceTime() });
    await removeOp(op);
    showSentFinding(op, data.id);
    if (draftState.textContent === texts.findingQueued) draftState.textContent = "";
  } else {
    if (op.sha256 && data.sha256 !== op.sha256) {
      op.status = "failed";
      op.error = texts.photoMismatch;
      op.serverSha256 = data.sha256;
      await saveOp(op);
      return;
    }
    await removeOp(op);
    showSentPhoto(op, data);
  }
}

// --- rendering --------------------------------------------------------------------------------------------------

// The status region is polite: a screen reader reads it when the user pauses.
const sync = document.getElementById("sync");

function opState(op) {
  if (op.status === "failed") return "failed";
  if (op.clientId === state.sending) return "saving";
  return "waiting";
}

// kind: none | saved | saving | waiting | failed | note (typed before any answer); the words come from the page.
function setStateNode(node, kind, extra = "") {
  node.dataset.state = kind;
  node.textContent = kind === "none" ? "" : kind === "note" ? texts.noteWithoutAnswer : texts[kind] + extra;
}

function renderItem(id) {
  const item = items.get(id);
  const ops = state.ops.filter((o) => o.kind === "answer" && o.itemId === id);
  const latest = ops.at(-1);
  const confirmed = state.confirmed.get(id);
  const answer = currentAnswer(id);
  item.node.dataset.answer = answer;
  for (const button of item.form.querySelectorAll("button.answer")) {
    button.setAttribute("aria-pressed", String(button.value === answer));
  }
  item.raise.hidden = answer !== "not_compliant";
  renderAnswerer(item, confirmed);
  renderConflict(id, ops.find((o) => o.conflict));
  if (ops.some((o) => o.status === "failed")) {
    const failed = ops.find((o) => o.status === "failed");
    // A conflict's reason is in its box, beside both answers.
    setStateNode(item.stateNode, "failed", failed.error && !failed.conflict ? `: ${failed.error}` : "");
  } else if (latest) {
    setStateNode(item.stateNode, ops.some((o) => o.clientId === state.sending) ? "saving" : "waiting");
  } else if (state.noteDrafts.has(id)) {
    setStateNode(item.stateNode, "note");
  } else {
    setStateNode(item.stateNode, confirmed ? "saved" : "none");
  }
  markNoteTooLong(id);
}

function renderProgress() {
  let answered = 0;
  for (const id of items.keys()) if (items.get(id).node.dataset.answer) answered += 1;
  document.getElementById("progress-text").textContent = fill(texts.progress, { answered, total: items.size });
  const bar = document.getElementById("progress");
  bar.value = answered;
  bar.max = items.size;
  for (const section of document.querySelectorAll(".checklist-area")) {
    const all = section.querySelectorAll(".check-item");
    const done = section.querySelectorAll('.check-item:not([data-answer=""])');
    section.dataset.complete = String(all.length === done.length);
  }
  renderTeamProgress();
}

function renderSync() {
  const pending = state.ops.filter((o) => o.status !== "failed" && !heldByRefusal(o)).length;
  sync.hidden = false;
  sync.dataset.pending = String(pending);
  let message;
  let kind;
  const refused = state.ops.filter((o) => o.status === "failed").length;
  if (pending === 0 && refused > 0) {
    kind = "refused";
    message = counted(texts.refused, refused);
  } else if (pending === 0 && notesTooLong() > 0) {
    kind = "refused"; // kept on the tablet, not sent: never "everything is saved"
    message = counted(texts.notesTooLong, notesTooLong());
  } else if (pending === 0) {
    kind = "idle";
    message = texts.allSaved;
  } else if (state.problem === "auth") {
    kind = "auth";
    message = counted(texts.signIn, pending);
  } else if (!navigator.onLine || state.problem === "offline") {
    kind = "offline";
    message = counted(texts.pendingOffline, pending);
  } else if (state.problem === "retry") {
    kind = "retry";
    message = counted(texts.retrying, pending);
  } else {
    kind = "sending";
    message = counted(texts.pendingOnline, pending);
  }
  sync.dataset.state = kind;
  const parts = [el("span", { text: message })];
  if (kind === "auth") parts.push(" ", el("a", { href: config.loginUrl, text: texts.signInLink }));
  if (state.lastSaved && kind === "idle") parts.unshift(el("span", { text: `${state.lastSaved}. ` }));
  sync.replaceChildren(...parts);
}

function describe(op) {
  if (op.kind === "answer") return fill(texts.answerChange, { code: items.get(op.itemId)?.code ?? "" });
  if (op.kind === "finding") return fill(texts.findingChange, { title: op.fields.title });
  return fill(texts.photoChange, { title: op.findingTitle || "" });
}

function renderProblems() {
  const failed = state.ops.filter((o) => o.status === "failed");
  const section = document.getElementById("problems");
  section.hidden = failed.length === 0;
  document.getElementById("problem-list").replaceChildren(
    ...failed.map((op) => {
      const discard = el("button", { type: "button", class: "button secondary", text: texts.discard });
      discard.addEventListener("click", async () => {
        if (!window.confirm(texts.discardConfirm)) return;
        await removeOp(op);
        // Photos queued for a refused finding go with it.
        for (const photo of state.ops.filter((o) => o.kind === "photo" && o.findingClientId === op.clientId)) {
          await removeOp(photo);
        }
        document.querySelector(`[data-client-id="${op.clientId}"]`)?.remove();
        render();
      });
      return el(
        "li",
        { "data-client-id": op.clientId },
        el("strong", { text: describe(op) }),
        el("span", { class: "problem-message", text: op.error || texts.failed }),
        editRefusedButton(op),
        discard,
      );
    }),
  );
}

function render() {
  for (const id of items.keys()) renderItem(id);
  renderProgress();
  renderPendingFindings();
  renderProblems();
  renderSync();
}

// --- checklist answers and notes --------------------------------------------------------------------------------

// The newest unsent answer for an item is updated in place (not the one on its way), so that typing a note does
// not queue one request per key while keeping the order of changes to one item.
// The mirror changes before anything is awaited, so a quick tap-then-type cannot interleave (returns the write).
// Each change names the version of the team's answer it was made on (basedOn). A change refused because another
// member answered meanwhile waits beside their answer: tapping an answer decides (made on theirs, it replaces it);
// typing a note only edits it.
function queueAnswer(id, answer, note, decided = true) {
  const open = state.ops.filter((o) => o.kind === "answer" && o.itemId === id).at(-1);
  const writes = [];
  const basedOn = state.confirmed.get(id)?.version ?? null;
  if (open?.conflict && !decided) {
    Object.assign(open, { answer, note, capturedAt: deviceTime() });
    writes.push(saveOp(open));
  } else if (open && open.clientId !== state.sending && (open.status === "waiting" || open.conflict)) {
    Object.assign(open, { answer, note, basedOn, capturedAt: deviceTime(), status: "waiting" });
    delete open.conflict;
    delete open.error;
    writes.push(saveOp(open));
  } else {
    const op = { kind: "answer", clientId: newId(), itemId: id, answer, note, basedOn };
    writes.push(addOp(Object.assign(op, { capturedAt: deviceTime() })));
  }
  state.lastSaved = "";
  if (state.noteDrafts.delete(id)) writes.push(store.delete("drafts", `note:${owner}:${id}`));
  writes.push(dropRefusedAnswers(id));
  return Promise.all(writes);
}

// The answer shown for an item: the newest one not yet sent, else the server's.
function currentAnswer(id) {
  const latest = state.ops.filter((o) => o.kind === "answer" && o.itemId === id).at(-1);
  return latest ? latest.answer : state.confirmed.get(id)?.answer || "";
}

for (const [id, item] of items) {
  item.form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const answer = event.submitter?.value;
    if (!answer) return;
    const written = queueAnswer(id, answer, item.note.value);
    render();
    await written;
    scheduleFlush(0);
  });
  item.note.addEventListener("input", async () => {
    if (markNoteTooLong(id)) return keepNoteDraft(id); // kept on the tablet, not sent, until it is shortened
    const answer = currentAnswer(id);
    if (answer) {
      const written = queueAnswer(id, answer, item.note.value, false);
      renderItem(id);
      renderSync();
      await written;
      scheduleFlush(1200);
    } else {
      state.noteDrafts.set(id, item.note.value);
      renderItem(id);
      await store.put("drafts", { key: `note:${owner}:${id}`, owner, itemId: id, note: item.note.value });
    }
  });
  item.note.addEventListener("blur", () => scheduleFlush(0));
  item.raise.addEventListener("click", () => raiseFor(id));
}

// --- the team's answers: who answered, conflicts, progress ----------------------------------------------------
// Each item has one answer for the whole team. The page says who gave it; a change of mine made on an answer another
// member has changed since is refused by the server with their answer (a conflict): both are shown here, and I keep
// mine (sent again on their version, it replaces theirs) or take theirs.

function confirmedFromPage(item) {
  const data = item.node.dataset;
  if (!data.answer) return null;
  const version = Number(data.version) || null;
  return { answer: data.answer, note: item.note.value, version, by: data.answeredBy, at: data.answeredAt, shown: true };
}

function confirmedFromServer(data) {
  return { answer: data.answer, note: data.note, version: data.version, by: data.answered_by_name, at: data.saved_at };
}

function noteConflict(op, data) {
  if (op.kind !== "answer" || !data.existing) return;
  op.conflict = data.existing;
  state.confirmed.set(op.itemId, confirmedFromServer(data.existing));
}

function renderAnswerer(item, confirmed) {
  item.version.value = confirmed?.version ?? "";
  if (confirmed?.shown) return; // the page wrote it
  item.node.dataset.answeredBy = confirmed?.by ?? "";
  item.answeredBy.textContent = confirmed ? fill(texts.answeredBy, { name: confirmed.by, time: showTime(confirmed.at) }) : "";
}

function answerText(answer, note) {
  const said = texts.answers[answer] ?? answer;
  return note ? `${said}. ${fill(texts.noteQuoted, { note })}` : said;
}

function renderConflict(id, op) {
  const box = items.get(id).conflictNode;
  const key = op ? `${op.clientId}:${op.conflict.version}:${op.answer}:${op.note}` : "";
  if (box.dataset.key === key) return; // rebuilt only when it changes, so a finger on a button keeps its focus
  box.dataset.key = key;
  box.hidden = !op;
  if (!op) {
    box.replaceChildren();
    return;
  }
  const theirs = op.conflict;
  const keep = el("button", { type: "button", class: "button", text: texts.keepMine });
  const take = el("button", { type: "button", class: "button secondary", text: texts.takeTheirs });
  keep.addEventListener("click", () => keepMine(op));
  take.addEventListener("click", () => takeTheirs(id));
  box.replaceChildren(
    el("p", {
      class: "conflict-theirs",
      text: fill(texts.conflictTheirs, {
        name: theirs.answered_by_name,
        time: showTime(theirs.saved_at),
        answer: answerText(theirs.answer, theirs.note),
      }),
    }),
    el("p", { class: "conflict-mine", text: fill(texts.conflictMine, { answer: answerText(op.answer, op.note) }) }),
    el("div", { class: "conflict-actions" }, keep, take),
  );
}

async function keepMine(op) {
  op.basedOn = op.conflict.version;
  op.status = "waiting";
  delete op.conflict;
  delete op.error;
  await saveOp(op);
  render();
  scheduleFlush(0);
}

async function takeTheirs(id) {
  for (const op of state.ops.filter((o) => o.kind === "answer" && o.itemId === id)) await removeOp(op);
  items.get(id).note.value = state.confirmed.get(id)?.note ?? "";
  render();
}

function renderTeamProgress() {
  for (const row of document.querySelectorAll("#team-progress [data-member]")) {
    const ids = row.dataset.items ? row.dataset.items.split(" ").map(Number) : [];
    const answered = ids.filter((id) => items.get(id)?.node.dataset.answer).length;
    row.querySelector(".member-count").textContent = fill(texts.memberCount, { answered, total: ids.length });
    const bar = row.querySelector("progress");
    bar.max = Math.max(ids.length, 1);
    bar.value = answered;
    row.dataset.complete = String(answered === ids.length);
  }
  for (const group of document.querySelectorAll(".checklist-group")) {
    const all = group.querySelectorAll(".check-item");
    const done = group.querySelectorAll('.check-item:not([data-answer=""])');
    group.dataset.complete = String(all.length > 0 && all.length === done.length);
  }
}

// --- one item at a time -----------------------------------------------------------------------------------------

const order = [...items.keys()];
let current = Math.min(Number(pref.get("item", 0)) || 0, order.length - 1);

function setView(view) {
  root.dataset.view = view;
  pref.set("view", view);
  for (const button of document.querySelectorAll(".view-switch button")) {
    button.setAttribute("aria-pressed", String(button.dataset.view === view));
  }
  document.getElementById("single-nav").hidden = view !== "single";
  showCurrent();
}

function showCurrent() {
  const single = root.dataset.view === "single";
  order.forEach((id, index) => items.get(id).node.classList.toggle("current", index === current));
  for (const section of document.querySelectorAll(".checklist-area")) {
    section.classList.toggle("current", section.contains(items.get(order[current]).node));
  }
  document.getElementById("single-position").textContent = fill(texts.position, {
    number: current + 1,
    total: order.length,
  });
  document.getElementById("prev-item").disabled = current === 0;
  document.getElementById("next-item").disabled = current === order.length - 1;
  if (single) pref.set("item", current);
}

function go(step) {
  current = Math.max(0, Math.min(order.length - 1, current + step));
  showCurrent();
  items.get(order[current]).form.querySelector("button.answer").focus();
}

document.getElementById("prev-item").addEventListener("click", () => go(-1));
document.getElementById("next-item").addEventListener("click", () => go(1));
for (const button of document.querySelectorAll(".view-switch button")) {
  button.addEventListener("click", () => {
    setView(button.dataset.view);
    if (button.dataset.view === "single") items.get(order[current]).node.scrollIntoView({ block: "nearest" });
  });
}

// --- photos -----------------------------------------------------------------------------------------------------

async function hex(blob) {
  if (!crypto.subtle) return null; // only in a secure context (HTTPS or this machine); the server still hashes
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function canvasBlob(canvas, type, quality) {
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("toBlob"))), type, quality),
  );
}

function position() {
  if (!navigator.geolocation) return Promise.resolve(null);
  return new Promise((resolve) =>
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ latitude: p.coords.latitude, longitude: p.coords.longitude }),
      () => resolve(null),
      { enableHighAccuracy: true, timeout: 10_000, maximumAge: 60_000 },
    ),
  );
}

const locationBox = document.getElementById("add-location");

// At most config.maxPhotoBytes, since a weak link sends a photo whole or not at all. Most photos fit at the first
// quality; a noisy one (dim light, foliage) takes a lower one, and only one still too big loses pixels.
async function encodePhoto(bitmap) {
  let scale = Math.min(1, config.maxSide / Math.max(bitmap.width, bitmap.height));
  for (;;) {
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const canvas = el("canvas", { width, height });
    canvas.getContext("2d").drawImage(bitmap, 0, 0, width, height);
    for (const quality of config.jpegQualities) {
      const blob = await canvasBlob(canvas, "image/jpeg", quality);
      if (blob.size <= config.maxPhotoBytes || width * height === 1) return { canvas, blob };
    }
    scale *= 0.75;
  }
}

// Downscaled and re-encoded as JPEG here (which also drops the camera's own metadata), hashed, and timed.
async function preparePhoto(file) {
  const capturedAt = deviceTime(new Date(file.lastModified || Date.now()));
  const where = locationBox.checked ? position() : Promise.resolve(null);
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  const { canvas, blob } = await encodePhoto(bitmap).finally(() => bitmap.close());
  const { width, height } = canvas;
  const small = el("canvas", { width: 160, height: Math.max(1, Math.round((160 * height) / width)) });
  small.getContext("2d").drawImage(canvas, 0, 0, small.width, small.height);
  const location = await where;
  return {
    clientId: newId(),
    blob,
    sha256: await hex(blob),
    thumbnail: small.toDataURL("image/jpeg", 0.7),
    capturedAt,
    latitude: location?.latitude ?? null,
    longitude: location?.longitude ?? null,
    asked: locationBox.checked,
    filename: `photo-${capturedAt.slice(0, 19).replace(/[-:]/g, "").replace("T", "-")}.jpg`,
    width,
    height,
  };
}

function thumb(photo, kind, message = "") {
  const caption = [fill(texts.takenAt, { time: showTime(photo.capturedAt) })];
  if (photo.latitude !== null && photo.latitude !== undefined) caption.push(texts.withLocation);
  else if (photo.asked) caption.push(texts.noLocation);
  const stateNode = el("span", { class: "thumb-state" });
  setStateNode(stateNode, kind, message);
  return el(
    "li",
    { class: "thumb", "data-client-id": photo.clientId, "data-state": kind, "data-sha256": photo.sha256 },
    el("img", { src: photo.thumbnail, alt: fill(texts.photoAlt, { name: photo.filename }), width: 120 }),
    el("span", { class: "meta", text: caption.join(" · ") }),
    stateNode,
  );
}

async function takePhotos(input, onPhoto) {
  const files = [...input.files];
  input.value = "";
  clearPhotoProblem(input);
  const status = document.getElementById("draft-state");
  const unreadable = [];
  for (const file of files) {
    status.textContent = texts.preparingPhoto;
    try {
      await onPhoto(await preparePhoto(file));
    } catch (error) {
      console.error(error);
      unreadable.push(file);
    }
    status.textContent = "";
  }
  if (unreadable.length) showPhotoProblem(input, unreadable);
}

// --- the finding form and its draft -----------------------------------------------------------------------------

const findingForm = document.getElementById("finding-form");
// namedItem, because `elements.item` is a method of the collection, not the field called "item".
const input = (name) => findingForm.elements.namedItem(name);
const FIELDS = ["title", "description", "severity", "area", "item", "remediation_required"];
const draftKey = `finding:${owner}`;
const draftState = document.getElementById("draft-state");

function formFields() {
  return Object.fromEntries(FIELDS.map((name) => [name, input(name).value]));
}

function newDraft() {
  return { key: draftKey, owner, clientId: newId(), fields: null };
}

let submitting = false;

// Written on every keystroke (a small record): a tab closed mid-word keeps the word.
async function saveDraft() {
  if (submitting) return; // the draft is becoming a finding; a late keystroke must not bring it back
  state.draft.fields = formFields();
  await store.put("drafts", state.draft);
  draftState.textContent = texts.draftKept;
}

function renderDraftPhotos() {
  document.getElementById("draft-photos").replaceChildren(
    ...state.draftPhotos.map((photo) => {
      const node = thumb(photo, "none");
      const remove = el("button", { type: "button", class: "button secondary", text: texts.remove });
      remove.addEventListener("click", async () => {
        await store.delete("drafts", `photo:${photo.clientId}`);
        state.draftPhotos = state.draftPhotos.filter((p) => p.clientId !== photo.clientId);
        renderDraftPhotos();
      });
      node.append(remove);
      return node;
    }),
  );
}

async function loadDrafts() {
  const rows = (await store.getAll("drafts")).filter((row) => row.owner === owner);
  state.draft = rows.find((row) => row.key === draftKey) || newDraft();
  if (state.draft.fields) {
    for (const name of FIELDS) input(name).value = state.draft.fields[name] ?? "";
  }
  state.draftPhotos = rows
    .filter((row) => row.key.startsWith("photo:") && row.draftClientId === state.draft.clientId)
    .sort((a, b) => a.seq - b.seq);
  for (const row of rows.filter((r) => r.key.startsWith("note:"))) {
    state.noteDrafts.set(row.itemId, row.note);
    const item = items.get(row.itemId);
    if (item) item.note.value = row.note;
  }
  renderDraftPhotos();
  if (state.draft.fields || state.draftPhotos.length) draftState.textContent = texts.draftRestored;
  showFindingRefusal(state.draft.refusal);
  recountTexts();
}

findingForm.addEventListener("input", saveDraft);
findingForm.addEventListener("change", saveDraft);
input("item").addEventListener("change", () => {
  const item = items.get(Number(input("item").value));
  if (item) input("area").value = item.area;
});

document.getElementById("photos").addEventListener("change", (event) =>
  takePhotos(event.target, async (photo) => {
    const row = { ...photo, key: `photo:${photo.clientId}`, owner, draftClientId: state.draft.clientId, seq: nextSeq() };
    await store.put("drafts", row);
    await saveDraft();
    state.draftPhotos.push(row);
    renderDraftPhotos();
  }),
);

findingForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!findingForm.reportValidity()) return;
  const fields = formFields();
  const finding = {
    kind: "finding",
    clientId: state.draft.clientId,
    fields,
    capturedAt: deviceTime(),
    owner,
    seq: nextSeq(),
    createdAt: deviceTime(),
    status: "waiting",
  };
  const photos = state.draftPhotos.map((p) => ({
    kind: "photo",
    ...takenPhoto(p),
    findingClientId: finding.clientId,
    findingTitle: fields.title,
    owner,
    seq: nextSeq(),
    createdAt: deviceTime(),
    status: "waiting",
  }));
  // One transaction: the finding and its photos move from the draft to the outbox together, or not at all.
  submitting = true;
  try {
    await tx(["outbox", "drafts"], "readwrite", (outbox, drafts) => {
      outbox.put(finding);
      for (const photo of photos) {
        outbox.put(photo);
        drafts.delete(`photo:${photo.clientId}`);
      }
      drafts.delete(draftKey);
    });
  } finally {
    submitting = false;
  }
  state.ops.push(finding, ...photos);
  findingForm.reset();
  showFindingRefusal(null);
  recountTexts();
  state.draft = newDraft();
  state.draftPhotos = [];
  renderDraftPhotos();
  draftState.textContent = texts.findingQueued;
  render();
  scheduleFlush(0);
});

function raiseFor(id) {
  const item = items.get(id);
  input("item").value = String(id);
  input("area").value = item.area;
  if (!input("title").value.trim()) input("title").value = item.text;
  if (!input("description").value.trim() && item.note.value.trim()) input("description").value = item.note.value;
  recountTexts();
  saveDraft();
  document.getElementById("raise").scrollIntoView({ block: "start" });
  input("title").focus({ preventScroll: true });
}

// --- the list of findings ---------------------------------------------------------------------------------------

const findingList = document.getElementById("finding-list");

function optionText(select, value) {
  return [...select.options].find((o) => o.value === value)?.textContent ?? value;
}

function photoInput(label, id, onPhoto) {
  const picker = el("input", {
    type: "file",
    id,
    "aria-labelledby": `${id}-button`,
    accept: "image/*",
    capture: "environment",
    multiple: true,
  });
  picker.addEventListener("change", () => takePhotos(picker, onPhoto));
  return el("div", { class: "photo-picker add-photo" }, el("span", { class: "button secondary", id: `${id}-button`, text: label }), picker);
}

function queuePhoto(photo, target) {
  return addOp({ kind: "photo", ...takenPhoto(photo), ...target });
}

// What a photo is, wherever it waits (the finding form's draft, the outbox): as taken, prepared and hashed here.
function takenPhoto(p) {
  const { clientId, blob, sha256, thumbnail, capturedAt, latitude, longitude, asked, filename } = p;
  return { clientId, blob, sha256, thumbnail, capturedAt, latitude, longitude, asked, filename };
}

function renderPendingFindings() {
  for (const op of state.ops.filter((o) => o.kind === "finding")) {
    let node = findingList.querySelector(`[data-client-id="${op.clientId}"]`);
    if (!node) {
      node = el(
        "li",
        { class: "finding", "data-client-id": op.clientId },
        el(
          "div",
          { class: "finding-head" },
          el("span", { class: "badge", text: optionText(input("severity"), op.fields.severity) }),
          el("span", { class: "finding-title", text: op.fields.title }),
          el("span", { class: "save-state" }),
        ),
        el("p", {
          class: "meta",
          text: [optionText(input("area"), op.fields.area), items.get(Number(op.fields.item))?.code]
            .filter(Boolean)
            .join(" · "),
        }),
        el("ul", { class: "thumbs" }),
      );
      node.append(
        photoInput(texts.addPhoto, `add-photo-${op.clientId}`, async (photo) => {
          await queuePhoto(photo, { findingClientId: op.clientId, findingTitle: op.fields.title });
          render();
          scheduleFlush(0);
        }),
      );
      findingList.append(node);
    }
    setStateNode(node.querySelector(".save-state"), opState(op), op.error ? `: ${op.error}` : "");
  }
  // Photos on their way, under their finding (sent or not).
  for (const op of state.ops.filter((o) => o.kind === "photo")) {
    const id = op.findingId || state.sentIds.get(op.findingClientId);
    const finding =
      findingList.querySelector(`[data-client-id="${op.findingClientId}"]`) ||
      findingList.querySelector(`[data-finding-id="${id}"]`);
    if (!finding) continue;
    const existing = finding.querySelector(`.thumb[data-client-id="${op.clientId}"]`);
    const node = thumb(op, opState(op), op.error ? `: ${op.error}` : "");
    if (existing) existing.replaceWith(node);
    else finding.querySelector(".thumbs").append(node);
  }
  document.getElementById("no-findings").hidden = findingList.children.length > 0;
}

function showSentFinding(op, serverId) {
  const node = findingList.querySelector(`[data-client-id="${op.clientId}"]`);
  if (!node) return;
  node.dataset.findingId = serverId;
  const title = node.querySelector(".finding-title");
  title.replaceWith(el("a", { class: "finding-title", href: fill(config.findingUrl, { id: serverId }), text: op.fields.title }));
  setStateNode(node.querySelector(".save-state"), "saved");
}

function showSentPhoto(op, data) {
  const node = document.querySelector(`.thumb[data-client-id="${op.clientId}"]`);
  if (!node) return;
  const stateNode = node.querySelector(".thumb-state");
  node.dataset.state = "saved";
  node.dataset.fileId = data.id;
  setStateNode(stateNode, "saved");
}

for (const node of findingList.querySelectorAll("[data-finding-id]")) {
  const field = node.querySelector(".add-photo");
  if (!field) continue;
  field.hidden = false;
  const picker = field.querySelector("input");
  const title = node.querySelector(".finding-title").textContent;
  picker.addEventListener("change", () =>
    takePhotos(picker, async (photo) => {
      await queuePhoto(photo, { findingId: Number(node.dataset.findingId), findingTitle: title });
      render();
      scheduleFlush(0);
    }),
  );
}

// --- refused changes, long text and unreadable photos -------------------------------------------------------------
// A refused change is kept with the server's reasons (by field) until it is corrected or discarded: a finding opens
// again in the form with each reason at its field, an answer is shown at its item. static/js/text_limit.js counts
// and refuses text over its limit before anything is queued.

// A photo queued for a refused finding is neither sending nor refused itself: it goes with its finding.
function heldByRefusal(op) {
  return (
    op.kind === "photo" &&
    op.status !== "failed" &&
    state.ops.some((o) => o.kind === "finding" && o.clientId === op.findingClientId && o.status === "failed")
  );
}

function editRefusedButton(op) {
  if (op.kind !== "finding" && op.kind !== "answer") return null; // a photo is taken again, not edited
  const edit = el("button", { type: "button", class: "button", text: texts.edit });
  edit.addEventListener("click", () => (op.kind === "finding" ? editRefusedFinding(op) : editRefusedAnswer(op)));
  return edit;
}

// The refused finding and its photos go back into the form (the same client id: the server stored nothing).
async function editRefusedFinding(op) {
  const typing = ["title", "description", "remediation_required"].some((name) => input(name).value.trim());
  if ((typing || state.draftPhotos.length) && !window.confirm(texts.replaceDraft)) return;
  const photos = state.ops.filter((o) => o.kind === "photo" && o.findingClientId === op.clientId);
  const draftPhotos = photos.map((p) => ({
    key: `photo:${p.clientId}`,
    owner,
    draftClientId: op.clientId,
    seq: p.seq,
    ...takenPhoto(p),
  }));
  const draft = { key: draftKey, owner, clientId: op.clientId, fields: op.fields, refusal: refusalOf(op) };
  const replaced = state.draftPhotos;
  await tx(["outbox", "drafts"], "readwrite", (outbox, drafts) => {
    outbox.delete(op.clientId);
    for (const photo of photos) outbox.delete(photo.clientId);
    for (const photo of replaced) drafts.delete(`photo:${photo.clientId}`);
    for (const photo of draftPhotos) drafts.put(photo);
    drafts.put(draft);
  });
  state.ops = state.ops.filter((o) => o !== op && !photos.includes(o));
  findingList.querySelector(`[data-client-id="${op.clientId}"]`)?.remove();
  state.draft = draft;
  state.draftPhotos = draftPhotos;
  for (const name of FIELDS) input(name).value = op.fields[name] ?? "";
  renderDraftPhotos();
  showFindingRefusal(draft.refusal);
  recountTexts();
  render();
  draftState.textContent = "";
  document.getElementById("raise").scrollIntoView({ block: "start" });
  const first = FIELDS.map(input).find((field) => field.getAttribute("aria-invalid") === "true") || input("title");
  first.focus({ preventScroll: true });
}

function refusalOf(op) {
  return { message: op.error || texts.failed, errors: op.errors || {} };
}

function showFindingRefusal(refusal) {
  document.getElementById("finding-refusal")?.remove();
  for (const node of findingForm.querySelectorAll(".refusal-error")) node.remove();
  for (const field of findingForm.querySelectorAll("[data-refused]")) {
    field.removeAttribute("data-refused");
    field.removeAttribute("aria-invalid");
    field.setAttribute("aria-describedby", (field.getAttribute("aria-describedby") || "").replace(/\S+-refused/, "").trim());
  }
  if (!refusal) return;
  const elsewhere = [];
  for (const [name, messages] of Object.entries(refusal.errors || {})) {
    const field = FIELDS.includes(name) ? input(name) : null;
    if (!field) {
      elsewhere.push(...messages);
      continue;
    }
    const id = `${field.id}-refused`;
    field.closest(".field").append(el("p", { class: "field-error refusal-error", id, text: messages.join(" ") }));
    field.dataset.refused = "true";
    field.setAttribute("aria-invalid", "true");
    field.setAttribute("aria-describedby", `${field.getAttribute("aria-describedby") || ""} ${id}`.trim());
  }
  const hasFieldErrors = elsewhere.length < Object.values(refusal.errors || {}).flat().length;
  findingForm.prepend(
    el(
      "div",
      { class: "flash flash-error", id: "finding-refusal", role: "alert" },
      el("p", { text: texts.findingRefused }),
      ...(hasFieldErrors ? elsewhere : [refusal.message]).map((text) => el("p", { text })),
    ),
  );
}

// The item comes into view with its reason, its note ready to correct; the next change replaces the refused one.
function editRefusedAnswer(op) {
  const item = items.get(op.itemId);
  if (!item) return;
  if (root.dataset.view === "single") {
    current = order.indexOf(op.itemId);
    showCurrent();
  }
  item.note.value = op.note;
  markNoteTooLong(op.itemId);
  item.node.scrollIntoView({ block: "center" });
  item.note.focus({ preventScroll: true });
}

function dropRefusedAnswers(id) {
  const refused = state.ops.filter((o) => o.kind === "answer" && o.itemId === id && o.status === "failed");
  return Promise.all(refused.map(removeOp));
}

// True (and said at the item) while an item's note is over its limit: such a note is not queued.
function markNoteTooLong(id) {
  const item = items.get(id);
  const tooLong = Boolean(window.InspectTextLimit?.check(item.note));
  if (tooLong) {
    item.stateNode.dataset.state = "failed";
    item.stateNode.textContent = texts.noteTooLong;
  }
  return tooLong;
}

function notesTooLong() {
  return [...items.values()].filter((item) => window.InspectTextLimit?.check(item.note)).length;
}

function keepNoteDraft(id) {
  const note = items.get(id).note.value;
  state.noteDrafts.set(id, note);
  return store.put("drafts", { key: `note:${owner}:${id}`, owner, itemId: id, note });
}

function recountTexts() {
  for (const field of document.querySelectorAll("#onsite textarea")) window.InspectTextLimit?.check(field);
}

function photoProblemId(input) {
  return `${input.id}-problem`;
}

function clearPhotoProblem(input) {
  document.getElementById(photoProblemId(input))?.remove();
}

// Stays until the inspector chooses again or closes it (a status line would be overwritten by the next keystroke).
function showPhotoProblem(input, files) {
  clearPhotoProblem(input);
  const close = el("button", { type: "button", class: "button secondary", text: texts.close });
  const node = el(
    "div",
    { class: "file-problem", id: photoProblemId(input), role: "alert" },
    ...files.map((file) => el("p", { text: fill(texts.photoNotAdded, { name: file.name }) })),
    close,
  );
  close.addEventListener("click", () => {
    node.remove();
    input.focus();
  });
  (input.closest(".photo-picker") || input).after(node);
}

// --- start ------------------------------------------------------------------------------------------------------

async function start() {
  document.querySelector(".view-switch").hidden = false;
  document.querySelector(".location-choice").hidden = false;
  document.getElementById("photos-button").hidden = false;
  locationBox.checked = pref.get("location") === "yes";
  locationBox.addEventListener("change", () => {
    pref.set("location", locationBox.checked ? "yes" : "no");
    // Ask for the permission now, while the inspector is looking at this box, not in the middle of a photo.
    if (locationBox.checked) position();
  });
  setView(pref.get("view", "list"));
  await loadOutbox();
  for (const [id, item] of items) {
    const latest = state.ops.filter((o) => o.kind === "answer" && o.itemId === id).at(-1);
    if (latest) item.note.value = latest.note;
  }
  await loadDrafts();
  render();
  window.addEventListener("online", () => {
    state.attempt = 0;
    state.problem = null;
    scheduleFlush(0);
  });
  window.addEventListener("offline", () => {
    state.problem = "offline";
    renderSync();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") scheduleFlush(0);
  });
  root.dataset.ready = "true";
  scheduleFlush(0);
}

start();
