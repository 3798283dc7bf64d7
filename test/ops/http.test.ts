import { afterEach, describe, expect, it } from 'vitest';
import { InFlight } from '../../src/ops/lifecycle.js';
import { opsRoutes, startOpsServer, type Readiness } from '../../src/ops/http.js';
import { Metrics } from '../../src/ops/metrics.js';

const servers: { close(): void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function serve(readiness: () => Readiness, metrics = new Metrics()) {
  const server = await startOpsServer(opsRoutes({ readiness, metrics }), 0, '127.0.0.1');
  servers.push(server);
  return { base: `http://127.0.0.1:${server.port}`, metrics, server };
}

describe('health, readiness and metrics over HTTP', () => {
  it('GIVEN a platform not connected THEN /healthz is 200 and /readyz is 503 naming the check', async () => {
    let discord = 'not connected';
    const { base } = await serve(() => ({ ready: discord === 'ok', checks: { database: 'ok', discord } }));
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ ok: false, checks: { database: 'ok', discord: 'not connected' } });
    discord = 'ok';
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`, { method: 'POST' })).status).toBe(405);
  });

  it('GIVEN commands, posts and slots THEN /metrics reports them in the Prometheus text format', async () => {
    const { base, metrics } = await serve(() => ({ ready: true, checks: {} }));
    metrics.commandHandled('search', 'ok', 0.02);
    metrics.commandHandled('search', 'ok', 0.3);
    metrics.commandHandled('show', 'user_error', 0.001);
    metrics.posted('slack', 'ok');
    metrics.posted('discord', 'retry', { retry: true });
    metrics.slotHandled('posted', 2);
    metrics.catalogSize(55);
    const response = await fetch(`${base}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toMatch(/^paperbot_commands_total\{command="search",outcome="ok"\} 2$/m);
    expect(text).toMatch(/^paperbot_commands_total\{command="show",outcome="user_error"\} 1$/m);
    expect(text).toMatch(/^paperbot_command_duration_seconds_bucket\{le="0\.25",command="search"\} 1$/m);
    expect(text).toMatch(/^paperbot_command_duration_seconds_count\{command="search"\} 2$/m);
    expect(text).toMatch(/^paperbot_posts_total\{platform="slack",outcome="ok"\} 1$/m);
    expect(text).toMatch(/^paperbot_post_retries_total\{platform="discord",outcome="retry"\} 1$/m);
    expect(text).toMatch(/^paperbot_spotlight_slots_total\{outcome="posted"\} 2$/m);
    expect(text).toMatch(/^paperbot_catalog_papers 55$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
  });

  it('GIVEN the port is taken THEN start fails with one line naming the setting and the fix', async () => {
    const { server } = await serve(() => ({ ready: true, checks: {} }));
    await expect(startOpsServer([], server.port, '127.0.0.1')).rejects.toThrow(
      `paperbot: PAPERBOT_HTTP_PORT=${server.port}: the port is already in use (another paperbot, or another service). Stop that process or set PAPERBOT_HTTP_PORT to a free port.`,
    );
  });
});

describe('work in flight', () => {
  it('GIVEN work running THEN drain waits for it, refuses new work, and gives up after its limit', async () => {
    const inflight = new InFlight();
    let finish: () => void = () => {};
    void inflight.track(new Promise<void>((resolve) => (finish = resolve)));
    void inflight.track(Promise.reject(new Error('a failure still counts as finished')));
    expect(inflight.size).toBe(2);
    const draining = inflight.drain(10_000);
    expect(inflight.accepting).toBe(false);
    finish();
    await expect(draining).resolves.toBe(true);
    expect(inflight.size).toBe(0);

    const stuck = new InFlight();
    void stuck.track(new Promise(() => {}));
    await expect(stuck.drain(20)).resolves.toBe(false);
  });
});
