import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slashCommandBody } from '../fakes/slack.js';
import { pagedCatalog, startSlackHarness, type SlackHarness } from './harness.js';

const NOTE = /SLACK_ADMIN_USERS is empty/;

describe('Slack with SLACK_ADMIN_USERS empty', () => {
  let h: SlackHarness;
  const command = async (text: string, channelId = 'C0PAPERS') => {
    const res = await h.send(slashCommandBody({ text, responseUrl: h.fake.responseUrl(), channelId }));
    return JSON.stringify(await res.json());
  };
  beforeAll(async () => {
    h = await startSlackHarness({ catalog: pagedCatalog(12) });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('GIVEN start-up THEN the log says every member manages every channel', () => {
    expect(h.logs.some((l) => /WARN .*SLACK_ADMIN_USERS is empty.*every member manages every channel/.test(l))).toBe(true);
  });

  it('GIVEN the first managed command in a channel THEN its reply says so, once; unmanaged commands never', async () => {
    expect(await command('help', 'C1')).not.toMatch(NOTE);
    expect(await command('spotlight on monday 09:00', 'C1')).toMatch(NOTE);
    expect(await command('spotlight on friday 09:00', 'C1')).not.toMatch(NOTE);
    expect(await command('spotlight off', 'C2')).toMatch(NOTE);
  });

  it('GIVEN the Slack README and .env.example THEN both say what an empty SLACK_ADMIN_USERS means', () => {
    const readme = readFileSync(new URL('../../adapters/slack/README.md', import.meta.url), 'utf8');
    expect(readme).toMatch(/SLACK_ADMIN_USERS.*empty.*every member/s);
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    expect(example).toMatch(/empty.*every member.*\n.*SLACK_ADMIN_USERS=/);
  });
});

describe('Slack with SLACK_ADMIN_USERS set', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness({ catalog: pagedCatalog(12), env: { SLACK_ADMIN_USERS: 'U0ALICE' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('GIVEN an admin list THEN neither the log nor a managed reply speaks of everyone managing', async () => {
    const res = await h.send(slashCommandBody({ text: 'spotlight on monday 09:00', responseUrl: h.fake.responseUrl(), userId: 'U0ALICE' }));
    expect(JSON.stringify(await res.json())).not.toMatch(NOTE);
    expect(h.logs.join('\n')).not.toMatch(NOTE);
  });
});
