// The sandbox harness, evaluated in a fresh isolate before the user's code.
// Only strings cross the boundary: __start/__take take and return JSON text.
(function () {
  const g = globalThis;
  // No ambient capabilities: mini-racer's own timers (they keep burning CPU after a call),
  // shared memory and WebAssembly (its memory is outside the V8 heap cap) are removed.
  for (const name of ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval',
    '__timer_manager', 'SharedArrayBuffer', 'WebAssembly']) {
    try { delete g[name]; } catch (e) { /* non-configurable: leave it */ }
  }

  const MAX_LOG_LINES = 1000;
  const MAX_LOG_CHARS = 65536;
  let logs = [];
  let logChars = 0;
  let truncated = false;
  function show(value) {
    if (typeof value === 'string') return value;
    if (value instanceof Error) return value.stack || String(value);
    try {
      const text = JSON.stringify(value);
      return text === undefined ? String(value) : text;
    } catch (e) { return String(value); }
  }
  function logger(level) {
    return function (...args) {
      if (truncated) return;
      let line = args.map(show).join(' ');
      if (level !== 'log' && level !== 'info') line = `[${level}] ${line}`;
      if (logs.length >= MAX_LOG_LINES || logChars + line.length > MAX_LOG_CHARS) {
        logs.push('... (logs truncated)');
        truncated = true;
        return;
      }
      logs.push(line);
      logChars += line.length;
    };
  }
  g.console = Object.freeze({
    log: logger('log'), info: logger('info'), warn: logger('warn'),
    error: logger('error'), debug: logger('debug'),
  });

  // Timers run only while a call is in flight, driven by the host's polling (__take).
  let timers = new Map();
  let nextTimer = 1;
  function addTimer(fn, delay, args, repeat) {
    if (typeof fn !== 'function') throw new TypeError('callback must be a function');
    const id = nextTimer++;
    const ms = Math.max(0, Number(delay) || 0);
    timers.set(id, { fn, args, due: Date.now() + ms, every: repeat ? Math.max(1, ms) : 0 });
    return id;
  }
  g.setTimeout = (fn, delay, ...args) => addTimer(fn, delay, args, false);
  g.setInterval = (fn, delay, ...args) => addTimer(fn, delay, args, true);
  g.clearTimeout = g.clearInterval = (id) => { timers.delete(id); };
  g.queueMicrotask = g.queueMicrotask || ((fn) => Promise.resolve().then(fn));

  function fireTimers() {
    const now = Date.now();
    for (const [id, t] of [...timers]) {
      if (t.due > now) continue;
      if (t.every) t.due = now + t.every; else timers.delete(id);
      t.fn(...t.args);
    }
    let next = -1;
    for (const t of timers.values()) {
      const wait = Math.max(0, t.due - Date.now());
      if (next < 0 || wait < next) next = wait;
    }
    return next;
  }

  const MAX_ERROR_CHARS = 4096;
  const cut = (text) => (text.length > MAX_ERROR_CHARS ? text.slice(0, MAX_ERROR_CHARS) + '...' : text);
  function describe(error) {
    let name = 'Error';
    let message;
    try {
      if (error instanceof Error) { name = String(error.name); message = String(error.message); }
      else message = show(error);
    } catch (e) { message = 'an error that cannot be shown'; }
    return { name: cut(name), message: cut(message), stack: '' };
  }

  function output(value) {
    // The result must be JSON; undefined becomes null.
    if (value === undefined) return 'null';
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError(`the result (${typeof value}) is not JSON`);
    return text;
  }

  function done(extra) {
    const result = JSON.stringify({ ...extra, logs });
    logs = [];
    logChars = 0;
    truncated = false;
    timers = new Map();
    return result;
  }

  let entry = null;
  let params = [];
  const pending = new Map();
  let nextCall = 1;

  function paramNames(fn) {
    const src = Function.prototype.toString.call(fn);
    let m = src.match(/^\s*(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/);
    if (m) return [m[1]];
    m = src.match(/^[^(]*\(([^)]*)\)/);
    if (!m) return [];
    return m[1].split(',').map((p) => p.trim().replace(/\s*=[\s\S]*$/, ''))
      .filter((p) => /^[A-Za-z_$][\w$]*$/.test(p));
  }

  g.__s3cSetEntry = function (fn) {
    entry = fn;
    params = paramNames(fn);
    return JSON.stringify(params);
  };

  function argsFor(input) {
    if (Array.isArray(input)) return input;
    if (input !== null && typeof input === 'object' && params.length >= 2 &&
      params.every((p) => Object.prototype.hasOwnProperty.call(input, p))) {
      return params.map((p) => input[p]);
    }
    return [input];
  }

  g.__s3cStart = function (inputJson) {
    let result;
    try {
      result = entry(...argsFor(JSON.parse(inputJson)));
    } catch (e) {
      return done({ s: 'err', e: describe(e) });
    }
    if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
      const id = nextCall++;
      const slot = { s: 'pending' };
      pending.set(id, slot);
      Promise.resolve(result).then(
        (v) => { slot.s = 'ok'; slot.v = v; },
        (e) => { slot.s = 'err'; slot.e = e; });
      return JSON.stringify({ s: 'pending', id, next: -1 });
    }
    try { return done({ s: 'ok', v: output(result) }); } catch (e) { return done({ s: 'err', e: describe(e) }); }
  };

  g.__s3cTake = function (id) {
    let next = -1;
    try { next = fireTimers(); } catch (e) { pending.delete(id); return done({ s: 'err', e: describe(e) }); }
    const slot = pending.get(id);
    if (slot.s === 'pending') return JSON.stringify({ s: 'pending', id, next });
    pending.delete(id);
    if (slot.s === 'err') return done({ s: 'err', e: describe(slot.e) });
    try { return done({ s: 'ok', v: output(slot.v) }); } catch (e) { return done({ s: 'err', e: describe(e) }); }
  };

  g.__s3cAbandon = function () { pending.clear(); done({}); return 0; };
})();
