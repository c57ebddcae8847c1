// Drives Debian's headless Chromium against a running `plezi demo`:
// node demo.mjs http://127.0.0.1:PORT/ SCREENSHOT.png
//
// Three pages join the chat room: ann and bob over WebSocket, cat with
// WebSocket removed from its window (the client falls back to
// EventSource + POST). A message typed in one page must appear in the
// others, the presence lists must name everyone, emit's acknowledgements
// must arrive on both transports, the server clock must tick and the slow
// job must stream its progress to the page that started it only. Then a
// screenshot of ann's page is saved. It prints one line per check and
// "browser: N passed, N failed", exits 0 only when every check passed,
// and gives up after 60 s.
//
// playwright-core is loaded from PLAYWRIGHT_FROM (a package.json whose
// node_modules has it: the Go test points at examples/echo/browser's),
// else from this folder.
import { createRequire } from "node:module";

const require = createRequire(process.env.PLAYWRIGHT_FROM || import.meta.url);
const { chromium } = require("playwright-core");

const [url, shot] = process.argv.slice(2);
if (!url || !shot) {
  console.error("usage: node demo.mjs URL SCREENSHOT.png");
  process.exit(2);
}
const watchdog = setTimeout(() => {
  console.error("browser: timed out after 60 s");
  process.exit(3);
}, 60_000);

const results = [];
const check = (name, ok, detail = "") => {
  results.push(ok);
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${detail ? ": " + detail : ""}`);
};
const attempt = async (name, fn) => {
  try {
    await fn();
  } catch (err) {
    check(name, false, String(err).split("\n")[0]);
  }
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  timeout: 30_000,
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
  ],
});

// open loads the demo in a new page and joins the room as name.
async function open(name, noWebSocket) {
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 720 } });
  const page = await ctx.newPage();
  page.setDefaultTimeout(10_000);
  page.on("pageerror", (err) => check(`${name}: no page error`, false, String(err)));
  if (noWebSocket) await page.addInitScript(() => { delete window.WebSocket; window.WebSocket = undefined; });
  await page.goto(url);
  await page.waitForFunction(() => window.demo && window.demo.client.isOpen());
  await page.fill("#name", name);
  await page.click("#join");
  await page.waitForFunction(() => !document.getElementById("text").disabled);
  return page;
}

// say types text into page's chat box and sends it.
async function say(page, text) {
  await page.fill("#text", text);
  await page.press("#text", "Enter");
}

// sees waits until page's log shows name: text.
async function sees(page, name, text) {
  await page.waitForFunction(([n, t]) => window.demo.chats.some((c) => c.name === n && c.text === t), [name, text]);
  return page.locator("#log li", { hasText: `${name}: ${text}` }).count();
}

try {
  const ann = await open("ann", false);
  const bob = await open("bob", false);
  await attempt("WebSocket transport", async () => {
    const t = await ann.evaluate(() => window.demo.client.transport);
    check("ann uses WebSocket", t !== "sse", t);
  });
  await attempt("message from ann to bob", async () => {
    await say(ann, "hello from ann");
    check("a message typed in one page appears in the other", (await sees(bob, "ann", "hello from ann")) === 1);
    check("and in the sender's own page", (await sees(ann, "ann", "hello from ann")) === 1);
  });

  const cat = await open("cat", true);
  await attempt("SSE fallback", async () => {
    const t = await cat.evaluate(() => [typeof window.WebSocket, window.demo.client.transport]);
    check("without WebSocket the client uses SSE", t[0] === "undefined" && t[1] === "sse", JSON.stringify(t));
    await say(cat, "hi from the fallback");
    check("a message POSTed by the SSE page reaches a WebSocket page", (await sees(ann, "cat", "hi from the fallback")) === 1);
    await say(bob, "hello cat");
    check("a WebSocket page's message reaches the SSE page", (await sees(cat, "bob", "hello cat")) === 1);
  });

  await attempt("presence", async () => {
    const want = "ann,bob,cat";
    for (const [n, p] of [["ann", ann], ["bob", bob], ["cat", cat]]) {
      await p.waitForFunction((w) => Object.values(window.demo.people).sort().join(",") === w, want);
      const shown = await p.locator("#people li").allTextContents();
      check(`${n}'s presence list`, shown.join(",") === want, shown.join(","));
    }
  });

  await attempt("emit with ack", async () => {
    for (const [n, p] of [["ann (WebSocket)", ann], ["cat (SSE + POST)", cat]]) {
      const ack = await p.evaluate(() => new Promise((resolve) => {
        window.demo.client.emit("chat", { name: "acker", text: "ack me" },
          (a) => resolve(a), () => resolve(null));
      }));
      check(`${n}: emit gets its ack`, ack && ack.event === "_ack_" && /^e\d+$/.test(ack._EID_), JSON.stringify(ack));
    }
  });

  await attempt("clock", async () => {
    const first = await ann.evaluate(() => window.demo.clock);
    await ann.waitForFunction((f) => window.demo.clock && window.demo.clock !== f, first, { timeout: 5000 });
    check("the server clock ticks", /^\d\d:\d\d:\d\d$/.test(await ann.textContent("#clock")));
  });

  await attempt("slow job", async () => {
    await ann.click("#job");
    await ann.waitForFunction(() => window.demo.progress >= 100, null, { timeout: 15_000 });
    check("the slow job streams progress to 100%", (await ann.getAttribute("#job", "disabled")) === null);
    check("only to the page that started it", await bob.evaluate(() => window.demo.progress === 0));
  });

  await attempt("reconnection", async () => {
    const before = await bob.evaluate(() => window.demo.client.id || null);
    await bob.evaluate(() => { window.reopened = 0; const c = window.demo.client; const o = c.onopen;
      c.onopen = function () { window.reopened++; o.apply(this, arguments); }; c._conn.close(); });
    await bob.waitForFunction(() => window.reopened >= 1 && window.demo.client.isOpen(), null, { timeout: 10_000 });
    check("the client reconnects after its connection drops", true, String(before));
    await say(ann, "after the reconnection");
    check("and keeps receiving", (await sees(bob, "ann", "after the reconnection")) === 1);
  });

  await attempt("ES module", async () => {
    const kind = await ann.evaluate(async () => {
      const m = await import("/plezi.mjs");
      return [typeof m.default, m.default === m.PleziClient];
    });
    check("/plezi.mjs is an ES module exporting PleziClient", kind[0] === "function" && kind[1], JSON.stringify(kind));
  });

  await attempt("screenshot", async () => {
    await ann.screenshot({ path: shot, fullPage: true });
    check("screenshot saved", true, shot);
  });
} catch (err) {
  check("demo", false, String(err).split("\n")[0]);
} finally {
  await browser.close();
  clearTimeout(watchdog);
}
const failed = results.filter((ok) => !ok).length;
console.log(`browser: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
