import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollFeeds } from '../../src/capabilities/feeds/poll.js';
import { feedPolls } from '../../src/capabilities/feeds/observe.js';
import { HostPacer, HttpClient, sourceRequests } from '../../src/net/index.js';
import { Metrics } from '../../src/ops/metrics.js';
import { listenOnLoopback } from '../fakes/http.js';
import { feedsBot } from '../feeds/harness.js';
import { tempDbPath } from '../helpers/temp-db.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-30T08:00:00Z');

/** A counter's value in the exposition text, 0 when the series is absent. */
function value(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** Metrics hearing what the Net layer and the feeds report, wired as `paperbot start` wires them. */
function observedMetrics() {
  const metrics = new Metrics({ processMetrics: false });
  const stops = [
    sourceRequests.observe((request) => metrics.sourceRequest(request)),
    feedPolls.observe(({ kind, outcome, ...items }) => metrics.feedPolled(kind, outcome, items)),
  ];
  return { metrics, stop: () => stops.forEach((s) => s()) };
}

describe('metrics of requests to outside sources', () => {
  let server: Server;
  let host = '';
  let flaky = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/flaky' && flaky++ === 0) res.writeHead(503, { 'retry-after': '1' }).end('busy');
      else if (req.url === '/missing') res.writeHead(404).end('no');
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    host = `127.0.0.1:${await listenOnLoopback(server)}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const client = () => new HttpClient({ userAgent: 'paperbot/test', pacer: new HostPacer(), sleep: async () => {} });

  it('GIVEN a 503 then a 200, a 404 and a refused connection THEN each attempt is counted by host and status, the repeat as a retry', async () => {
    const { metrics, stop } = observedMetrics();
    const http = client();
    await http.get(`http://${host}/flaky`);
    await expect(http.get(`http://${host}/missing`)).rejects.toThrow(/404/);
    const closed = createServer();
    const closedHost = `127.0.0.1:${await listenOnLoopback(closed)}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(http.get(`http://${closedHost}/`)).rejects.toThrow(/cannot reach/);
    stop();

    const text = await metrics.text();
    expect(value(text, 'paperbot_source_requests_total', { host, status: '503' })).toBe(1);
    expect(value(text, 'paperbot_source_requests_total', { host, status: '200' })).toBe(1);
    expect(value(text, 'paperbot_source_requests_total', { host, status: '404' })).toBe(1);
    expect(value(text, 'paperbot_source_requests_total', { host: closedHost, status: 'network' })).toBe(1);
    expect(value(text, 'paperbot_source_retries_total', { host })).toBe(1);
    expect(value(text, 'paperbot_source_request_duration_seconds_count', { host })).toBe(3);
  });

  it('GIVEN the observer stopped THEN later requests are not counted', async () => {
    const { metrics, stop } = observedMetrics();
    stop();
    await client().get(`http://${host}/ok`);
    expect(value(await metrics.text(), 'paperbot_source_requests_total', { host, status: '200' })).toBe(0);
  });
});

describe('metrics of feed polls', () => {
  const { dbPath, cleanup } = tempDbPath();
  let h: Awaited<ReturnType<typeof feedsBot>>;
  const observed = observedMetrics();
  const poll = () => pollFeeds(h.bot.paperbot.services, { http: h.http(h.bot.paperbot.services) });

  beforeAll(async () => {
    h = await feedsBot({ dbPath, start: T0 });
    h.fakes.publish('journal:tmi', { key: 't1', title: 'Liver lesion detection in contrast CT', authors: ['Ada Lovelace'], abstract: 'About livers.', at: T0 - HOUR });
    h.fakes.publish('journal:tmi', { key: 't2', title: 'Pancreas segmentation in CT with attention', authors: ['Alan Turing'], abstract: 'About pancreases.', at: T0 - HOUR });
    for (const source of [h.fakes.journalUrl('tmi', 'rss2'), h.fakes.failureUrl('gone'), h.fakes.failureUrl('html')]) {
      expect((await h.bot.say('slack', 'C1', `feed add ${source}`)).kind).toBe('feed-add');
    }
  });
  afterAll(async () => {
    observed.stop();
    await h?.close();
    cleanup();
  });

  it('GIVEN a feed with items, a gone one and a broken one, read twice THEN polls are counted by outcome and the items by what became of them', async () => {
    await poll();
    h.bot.clock.set(T0 + HOUR);
    await poll();
    const text = await observed.metrics.text();
    const polls = (outcome: string) => value(text, 'paperbot_feed_polls_total', { kind: 'url', outcome });
    expect(polls('ok')).toBe(1);
    expect(polls('not-modified')).toBe(1);
    // A gone feed is read once and never again; the broken one again after its first backoff (an interval).
    expect(polls('gone')).toBe(1);
    expect(polls('error')).toBe(2);
    expect(value(text, 'paperbot_feed_items_total', { kind: 'url', result: 'added' })).toBe(2);
    const feedHost = new URL(h.fakes.baseUrl).host;
    expect(value(text, 'paperbot_source_requests_total', { host: feedHost, status: '304' })).toBe(1);
    expect(value(text, 'paperbot_source_requests_total', { host: feedHost, status: '404' })).toBe(1);
  });
});
