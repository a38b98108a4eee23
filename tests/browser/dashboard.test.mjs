// The dashboard in a real headless browser (Debian's Chromium driven by playwright-core): it
// shows the routes, a dead letter is replayed with its button, and the record is then found
// delivered. Run by ctest as: node dashboard.test.mjs PONTE_BINARY
//
// The dead letter is made the way one happens in real life: Milvus answers 500 to a ticket
// create (max_attempts = 1, so it goes straight to the queue); then Milvus recovers.

import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const ponte = process.argv[2];
if (!ponte) {
  console.error("usage: node dashboard.test.mjs PATH_TO_PONTE");
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), "ponte-browser-"));
const children = [];
const env = { ...process.env, TEST_PLOOMES_KEY: "sandbox-ploomes-key", TEST_MILVUS_KEY: "sandbox-milvus-token" };

// Starts a ponte command and resolves with the first URL it prints.
function start(args) {
  const child = spawn(ponte, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let log = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ponte ${args[0]} printed no URL:\n${log}`)), 20000);
    const onData = (chunk) => {
      log += chunk;
      const m = log.match(/http:\/\/127\.0\.0\.1:\d+/);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (chunk) => { log += chunk; });
    child.on("exit", (code) => reject(new Error(`ponte ${args[0]} exited with ${code}:\n${log}`)));
  });
}

function run(args) {
  const r = spawnSync(ponte, args, { env, encoding: "utf8" });
  return { code: r.status, out: r.stdout + r.stderr };
}

async function post(url, body) {
  const res = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const text = await res.text();
  assert.equal(res.status, 200, `${url}: ${text}`);
  return JSON.parse(text);
}

let browser;
try {
  const sandbox = await start(["sandbox", "--listen", "127.0.0.1:0", "--no-quotas", "--contacts", "30", "--tasks", "20",
                               "--interactions", "5", "--milvus-clients", "10"]);
  const config = join(dir, "ponte.toml");
  writeFileSync(config, `store = "sqlite:${join(dir, "ponte.db")}"
[systems.ploomes]
base_url = "${sandbox}/ploomes"
key_env = "TEST_PLOOMES_KEY"
requests_per_minute = 0
[systems.milvus]
base_url = "${sandbox}/milvus"
key_env = "TEST_MILVUS_KEY"
quotas = { listings_per_minute = 0 }
[delivery]
max_attempts = 1
retry_base_seconds = 0
[server]
listen = "127.0.0.1:0"
poll_interval_seconds = 3600
`);
  // A customer ponte has synced, then a tagged task for it while Milvus fails.
  const contact = (await post(`${sandbox}/_sandbox/ploomes/Contacts`, { Name: "Padaria Ponte", TypeId: 1, CNPJ: "11222333000181" })).Id;
  assert.equal(run(["sync", "--once", "--config", config]).code, 0);
  await post(`${sandbox}/_sandbox/faults`, { spec: "milvus:500=1" });
  const task = (await post(`${sandbox}/_sandbox/ploomes/Tasks`, { Title: "Entrega urgente", ContactId: contact, Tags: [{ TagId: 40049715 }] })).Id;
  const failed = run(["sync", "--once", "--route", "tasks_ploomes_to_milvus", "--config", config]);
  assert.equal(failed.code, 1, failed.out);
  await post(`${sandbox}/_sandbox/faults`, { spec: "" });

  const server = await start(["serve", "--config", config]);
  browser = await chromium.launch({
    executablePath: process.env.PONTE_CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  });
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  const consoleErrors = [];
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  await page.goto(server + "/");

  // The four routes are listed, and the poll that serve ran at start shows as ok.
  for (const route of ["customers_ploomes_to_milvus", "customers_milvus_to_ploomes", "tasks_ploomes_to_milvus",
                       "interactions_ploomes_to_milvus"]) {
    await page.locator(`#routes tr[data-route="${route}"]`).waitFor({ timeout: 15000 });
  }
  await page.locator('#routes tr[data-route="interactions_ploomes_to_milvus"] .pill', { hasText: "ok" }).waitFor({ timeout: 30000 });

  // The dead letter is there with its reason; Replay delivers it.
  const row = page.locator("#dlq tbody tr", { hasText: `Task|${task}` });
  await row.waitFor({ timeout: 15000 });
  assert.match(await row.innerText(), /answered 500/);
  if (process.env.PONTE_SCREENSHOT) await page.screenshot({ path: process.env.PONTE_SCREENSHOT, fullPage: true });
  await row.locator("button.replay").click();
  await page.locator("#dlq-empty").waitFor({ state: "visible", timeout: 15000 });
  const delivered = page.locator(`#deliveries tbody tr[data-origin="ploomes:Task|${task}"] .pill`, { hasText: "done" });
  await delivered.waitFor({ timeout: 15000 });

  // The sandbox agrees: exactly one ticket for the task.
  const stats = await (await fetch(`${sandbox}/_sandbox/stats`)).json();
  assert.equal(stats.milvus.tickets_by_source[`ploomes:Task:${task}`], 1, JSON.stringify(stats.milvus.tickets_by_source));
  assert.equal(stats.milvus.duplicate_tickets, 0);

  // The de/para search finds the customer by CNPJ on both sides.
  await page.fill("#q", "11.222.333/0001-81");
  await page.click("#search-form button");
  await page.locator("#links tbody tr", { hasText: "milvus" }).waitFor({ timeout: 10000 });
  assert.ok((await page.locator("#links tbody tr", { hasText: "ploomes" }).count()) >= 1);
  // No secret reaches the page.
  const html = await page.content();
  for (const secret of ["sandbox-ploomes-key", "sandbox-milvus-token"]) assert.ok(!html.includes(secret), secret);
  assert.deepEqual(consoleErrors, []);
  console.log("dashboard test: routes shown, dead letter replayed and delivered, de/para search works");
} catch (e) {
  console.error("dashboard test FAILED:", e.stack || e);
  process.exitCode = 1;
} finally {
  if (browser) await browser.close();
  for (const c of children) c.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}
