// Drives Debian's headless Chromium against a running examples/echo:
// node echo.mjs http://127.0.0.1:PORT/
//
// It opens the page, exchanges WebSocket messages through the page's own
// socket (text, unicode, binary, 1 MiB of each), checks that
// permessage-deflate was negotiated, and waits for the page's
// EventSource to receive events with ids 1, 2, 3, then checks that an
// EventSource whose stream ends reconnects and resumes (Last-Event-ID).
// It prints one line per
// check and "browser: N passed, N failed", exits 0 only when every
// check passed, and gives up after 60 s.
import { chromium } from "playwright-core";

const url = process.argv[2];
if (!url) {
  console.error("usage: node echo.mjs URL");
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

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  timeout: 30_000,
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
  ],
});
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(15_000);
  page.on("pageerror", (err) => check("no page error", false, String(err)));
  await page.goto(url);

  // Each half is checked on its own, so that one failing leaves the
  // other's results standing.
  try {
    await page.waitForFunction(() => window.echo.events.length >= 3, null, { timeout: 10_000 });
    const events = await page.evaluate(() => window.echo.events.slice(0, 3));
    events.forEach((ev, i) => {
      const want = String(i + 1);
      check(`EventSource event ${want}`, ev.id === want && ev.data === "event " + want, JSON.stringify(ev));
    });
  } catch (err) {
    check("EventSource", false, String(err));
  }

  // A stream that ends after 2 events: the browser reconnects with
  // Last-Event-ID and the ids go on.
  try {
    const resumed = await page.evaluate(() => new Promise((resolve) => {
      const es = new EventSource("/sse?close=2");
      const got = [];
      let opens = 0;
      const done = () => { es.close(); resolve({ ids: got, opens }); };
      const timer = setTimeout(done, 10000);
      es.onopen = () => { opens++; };
      es.onmessage = (e) => {
        got.push(e.lastEventId);
        if (got.length === 5) { clearTimeout(timer); done(); }
      };
    }));
    check("EventSource resumes after a reconnection (Last-Event-ID)",
      resumed.ids.join(",") === "1,2,3,4,5" && resumed.opens === 3, JSON.stringify(resumed));
  } catch (err) {
    check("EventSource reconnection", false, String(err));
  }

  try {
    const extensions = await page.evaluate(() => window.echo.opened);
    check("WebSocket open with permessage-deflate", extensions.includes("permessage-deflate"), extensions);

    const echoes = await page.evaluate(async () => {
      const e = window.echo;
      const within = (p, ms) => Promise.race([p, new Promise((_, no) => setTimeout(() => no(new Error("no echo within " + ms + " ms")), ms))]);
      const sameBytes = (buf, want) => {
        if (!(buf instanceof ArrayBuffer) || buf.byteLength !== want.length) return false;
        const got = new Uint8Array(buf);
        for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) return false;
        return true;
      };
      const random = (n) => {
        const b = new Uint8Array(n);
        for (let i = 0; i < n; i += 65536) crypto.getRandomValues(b.subarray(i, Math.min(n, i + 65536)));
        return b;
      };
      const cases = [
        ["text", "hello"],
        ["unicode text", "héllo 世界 🎉 \u{1F600} ∑"],
        ["empty text", ""],
        ["binary", Uint8Array.from({ length: 256 }, (_, i) => i)],
        ["1 MiB binary", random(1 << 20)],
        ["1 MiB text", "0123456789abcdéf".repeat(1 << 16)],
      ];
      const out = [];
      for (const [name, data] of cases) {
        try {
          e.send(data);
          const got = await within(e.next(), 10000);
          const ok = typeof data === "string" ? got === data : sameBytes(got, data);
          const kind = typeof got === "string" ? `text of ${got.length} chars` : `binary of ${got.byteLength} bytes`;
          out.push([name, ok, kind]);
        } catch (err) {
          out.push([name, false, String(err)]);
        }
      }
      return out;
    });
    for (const [name, ok, detail] of echoes) check(`WebSocket echo: ${name}`, ok, detail);
  } catch (err) {
    check("WebSocket", false, String(err));
  }

  const shown = await page.evaluate(() => document.querySelectorAll("#ws-log li, #sse-log li").length);
  check("page shows what came back", shown > 0, `${shown} entries`);
  if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT });
} catch (err) {
  check("browser session", false, String(err));
} finally {
  await browser.close();
  clearTimeout(watchdog);
}
const failed = results.filter((ok) => !ok).length;
console.log(`browser: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 && results.length > 0 ? 0 : 1);
