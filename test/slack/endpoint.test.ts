import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockActionBody, blockActionPayload, signedHeaders, slashCommandBody, slackSignature } from '../fakes/slack.js';
import { pagedCatalog, SIGNING_SECRET, startSlackHarness, type SlackHarness } from './harness.js';

/** Sends one raw HTTP/1.1 request (any request line) and resolves with the status, or 0 when the server closed without answering. */
function rawPost(port: number, target: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: target, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('Slack HTTP endpoint under abuse', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness({ catalog: pagedCatalog(12) });
  });
  afterAll(async () => {
    await h?.close();
  });

  const command = (text = 'segmentation', extra: { triggerId?: string } = {}) => slashCommandBody({ text, responseUrl: h.fake.responseUrl(), ...extra });

  it('GIVEN a timestamp that is not a plain integer, even correctly signed THEN 401 and nothing runs', async () => {
    for (const stamp of ['Infinity', '1e10', '0x7fffffff', ` ${nowSeconds()}`, `${nowSeconds()}.5`, '-1']) {
      const body = command();
      const before = h.handled.length;
      const headers = { ...signedHeaders(SIGNING_SECRET, body), 'x-slack-request-timestamp': stamp, 'x-slack-signature': `v0=${require_hmac(stamp, body)}` };
      const res = await rawPost(h.adapter.port!, '/slack/events', body, headers);
      expect(res.status, stamp).toBe(401);
      expect(h.handled.length, stamp).toBe(before);
    }
  });

  it('GIVEN path variants Bolt routes to /slack/events THEN a future timestamp is refused on each of them', async () => {
    const future = nowSeconds() + 60 * 60;
    for (const target of ['/slack/./events', '/slack/events#x', '/slack/x/../events', `http://evil.example/slack/events`, '/slack/%2e/events', '/slack/events?x=1']) {
      const body = command();
      const before = h.handled.length;
      const res = await rawPost(h.adapter.port!, target, body, signedHeaders(SIGNING_SECRET, body, { timestamp: future }));
      expect(res.status, target).toBe(401);
      expect(h.handled.length, target).toBe(before);
    }
  });

  it('GIVEN a path variant with a good signature THEN it is served like /slack/events (the guard and Bolt agree)', async () => {
    const body = command();
    const res = await rawPost(h.adapter.port!, 'http://evil.example/slack/./events', body, signedHeaders(SIGNING_SECRET, body));
    expect(res.status).toBe(200);
  });

  it('GIVEN a signed slash command replayed within the window THEN it runs once and the replay is acknowledged empty', async () => {
    const body = command('help');
    const headers = signedHeaders(SIGNING_SECRET, body);
    const before = h.handled.length;
    const first = await fetch(h.eventsUrl, { method: 'POST', headers, body });
    expect(first.status).toBe(200);
    expect((await first.json()) as object).toHaveProperty('blocks');
    const replay = await fetch(h.eventsUrl, { method: 'POST', headers, body });
    expect(replay.status).toBe(200);
    expect(await replay.text()).toBe('');
    expect(h.handled.length - before).toBe(1);
  });

  it('GIVEN a button click replayed (same trigger_id) THEN the command behind it runs once', async () => {
    const ack = (await (await h.send(command('segmentation'))).json()) as any;
    const button = ack.blocks.find((b: any) => b.accessory)?.accessory;
    const body = blockActionBody(blockActionPayload({ actionId: button.action_id, value: button.value, responseUrl: h.fake.responseUrl('replayed-click'), triggerId: 'T-click-1' }));
    const before = h.handled.length;
    expect((await h.send(body)).status).toBe(200);
    expect((await h.send(body, { timestamp: nowSeconds() + 1 })).status).toBe(200);
    await h.fake.waitForResponses('replayed-click');
    await new Promise((r) => setTimeout(r, 100));
    expect(h.handled.length - before).toBe(1);
    expect(h.fake.responsesTo('replayed-click')).toHaveLength(1);
  });

  it('GIVEN signed malformed payloads THEN each gets 400 and nothing runs', async () => {
    const bodies = [
      'payload=null',
      'payload=%5B%5D',
      'payload=%7Bbroken',
      'payload=%22text%22',
      `${command('help')}&text=again`,
      `${command('help')}&text=again`.replace('text=help', 'text=help&text=x'),
    ];
    for (const body of bodies) {
      const before = h.handled.length;
      const res = await fetch(h.eventsUrl, { method: 'POST', headers: signedHeaders(SIGNING_SECRET, body), body, signal: AbortSignal.timeout(4000) });
      expect(res.status, body.slice(0, 40)).toBe(400);
      expect(h.handled.length).toBe(before);
    }
  });

  it('GIVEN a JSON body that is not an object THEN 400', async () => {
    const body = 'null';
    const headers = { ...signedHeaders(SIGNING_SECRET, body), 'content-type': 'application/json' };
    const res = await fetch(h.eventsUrl, { method: 'POST', headers, body, signal: AbortSignal.timeout(4000) });
    expect(res.status).toBe(400);
  });

  it('GIVEN a command THEN the ack JSON carries only Slack fields, no internal ones', async () => {
    const res = await h.send(command('help'));
    const ack = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(ack).sort()).toEqual(['blocks', 'response_type', 'text']);
  });

  it('GIVEN 200 unsigned requests THEN the log says so in a bounded number of lines, with the count', async () => {
    const before = h.logs.length;
    for (let i = 0; i < 200; i++) {
      const body = command();
      const res = await h.send(body, { signature: 'v0=' + '0'.repeat(64) });
      expect(res.status).toBe(401);
    }
    // The whole run's log: earlier tests' refusals count against the same bound.
    const lines = h.logs.filter((l) => /unsigned|verify|signature/i.test(l));
    expect(before).toBeGreaterThan(0);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThanOrEqual(3);
  });
});

function require_hmac(stamp: string, body: string): string {
  // Signed exactly as an attacker holding a captured secret-less replay could not, but as Bolt would verify.
  return slackSignature(SIGNING_SECRET, stamp as unknown as number, body).slice(3);
}

type SlowSocket = Socket & { closedByServer?: boolean };

/** Opens a connection that sends a request start, then one byte every 50 ms, forever. */
function trickle(port: number, what: 'headers' | 'body'): Promise<SlowSocket> {
  return new Promise((resolve) => {
    const socket: SlowSocket = connect(port, '127.0.0.1', () => {
      socket.write(what === 'headers' ? 'POST /slack/events HTTP/1.1\r\nHost: x\r\nX-Slow: ' : 'POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nab');
      resolve(socket);
    });
    socket.closedByServer = false;
    socket.on('error', () => {});
    const drip = setInterval(() => {
      if (!socket.destroyed) socket.write('a');
    }, 50);
    socket.on('close', () => {
      socket.closedByServer = true;
      clearInterval(drip);
    });
  });
}

async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !done(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!done()) throw new Error(`timed out waiting for ${what}`);
}

describe('Slack HTTP endpoint against slow clients: timeouts', () => {
  let h: SlackHarness;
  const slow: SlowSocket[] = [];
  beforeAll(async () => {
    h = await startSlackHarness({ server: { headersTimeoutMs: 400, requestTimeoutMs: 800, keepAliveTimeoutMs: 400, maxConnections: 64, checkIntervalMs: 100 } });
  });
  afterAll(async () => {
    for (const s of slow) s.destroy();
    await h?.close();
  });

  it('GIVEN a client trickling header bytes THEN the server drops it once the header timeout passes', async () => {
    const s = await trickle(h.adapter.port!, 'headers');
    slow.push(s);
    await until(() => s.closedByServer!, 'the server to close a header-trickling client');
  });

  it('GIVEN a client trickling body bytes THEN the server drops it once the request timeout passes', async () => {
    const s = await trickle(h.adapter.port!, 'body');
    slow.push(s);
    await until(() => s.closedByServer!, 'the server to close a body-trickling client');
  });
});

describe('Slack HTTP endpoint against slow clients: connection cap', () => {
  let h: SlackHarness;
  const slow: SlowSocket[] = [];
  beforeAll(async () => {
    // Timeouts far longer than the test, so only the cap can make room.
    h = await startSlackHarness({ server: { headersTimeoutMs: 60_000, requestTimeoutMs: 120_000, keepAliveTimeoutMs: 5000, maxConnections: 8 } });
  });
  afterAll(async () => {
    for (const s of slow) s.destroy();
    await h?.close();
  });

  it('GIVEN five times the cap of slow clients THEN signed requests are still answered and the slow ones beyond the cap are dropped', async () => {
    for (let i = 0; i < 40; i++) slow.push(await trickle(h.adapter.port!, i % 2 ? 'headers' : 'body'));
    const before = h.handled.length;
    for (let i = 0; i < 5; i++) {
      const res = await h.send(slashCommandBody({ text: 'help', responseUrl: h.fake.responseUrl() }));
      expect(res.status).toBe(200);
    }
    expect(h.handled.length - before).toBe(5);
    await until(() => slow.filter((s) => !s.closedByServer).length <= 8, 'the server to hold no more than its cap');
  });
});
