// The seed's execution engine, reproduced as the baseline: for EVERY execution a new
// worker_threads Worker is created with eval:true from a string embedding the user code and
// its input; at most MAX_CONCURRENT run at once, the rest wait in a FIFO queue.
// Serves POST /fn/add (body: the input JSON) like our function URL.
const http = require("http");
const { Worker } = require("worker_threads");

const MAX_CONCURRENT = Number(process.env.MAX_CONCURRENT || 10);
const PORT = Number(process.env.PORT || 8799);
const CODE = "function add(a, b) { return a + b; }";
let active = 0;
const queue = [];

function source(code, input) {
  return `
const { parentPort } = require("worker_threads");
${code}
const input = ${JSON.stringify(input)};
const args = Array.isArray(input) ? input : (input && typeof input === "object" ? [input.a, input.b] : [input]);
Promise.resolve().then(() => add(...args)).then(
  (result) => parentPort.postMessage({ ok: true, result }),
  (err) => parentPort.postMessage({ ok: false, error: String(err) }));
`;
}

function pump() {
  while (active < MAX_CONCURRENT && queue.length) {
    const job = queue.shift();
    active++;
    const worker = new Worker(source(CODE, job.input), { eval: true });
    let settled = false;
    const settle = (msg) => {
      if (settled) return;
      settled = true;
      job.resolve(msg);
      worker.terminate().finally(() => { active--; pump(); });
    };
    worker.once("message", settle);
    worker.once("error", (e) => settle({ ok: false, error: String(e) }));
  }
}

http.createServer((req, res) => {
  let body = "";
  req.on("data", (c) => { body += c; });
  req.on("end", () => {
    new Promise((resolve) => { queue.push({ input: JSON.parse(body || "null"), resolve }); pump(); })
      .then((msg) => {
        res.writeHead(msg.ok ? 200 : 500, { "content-type": "application/json" });
        res.end(JSON.stringify(msg.ok ? msg.result : { error: msg.error }));
      });
  });
}).listen(PORT, "127.0.0.1", () => console.log(`seed engine on ${PORT}`));
