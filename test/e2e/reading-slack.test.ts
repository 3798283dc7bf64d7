import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Paper } from '../../src/catalog/paper.js';
import { readingStore } from '../../src/capabilities/reading/store.js';
import { LAB_TEAM } from '../fakes/slack.js';
import { Lab, slackButton, slackButtons, slackText, slackVoteCounts, type SlackMessage } from './lab.js';

/**
 * Issue 6 on Slack, end to end: signed slash commands and signed block_actions clicks into the real
 * Bolt app; the poll goes out through chat.postMessage, clicks replace it through response_url
 * (replace_original) and typed votes update it through chat.update. The tests run in order.
 */

const CHANNEL = 'C0READ';
const OPENER = 'U0ALICE';
const ADMIN = 'U0ADMIN';

describe('Reading group on Slack through the real Bolt app', () => {
  let lab: Lab;
  const paper = (id: string): Paper => lab.services.papers.find((p) => p.id === id)!;

  beforeAll(async () => {
    lab = await Lab.start({ env: { SLACK_ADMIN_USERS: ADMIN }, now: '2026-11-30T10:00:00Z' });
  });
  afterAll(async () => {
    await lab?.close();
  });

  /** Opens a poll as `user` and returns its id and the message chat.postMessage carried. */
  async function openPoll(text: string, user = OPENER, channelId = CHANNEL): Promise<{ pollId: number; message: SlackMessage; ts: string; paperIds: string[] }> {
    const before = lab.slack.callsTo('chat.postMessage').length;
    const ack = await lab.slackCommand(text, { userId: user, channelId });
    const pollId = Number(/Poll #(\d+) is posted/.exec(slackText(ack))?.[1]);
    expect(pollId, slackText(ack)).toBeGreaterThan(0);
    const posted = lab.slack.callsTo('chat.postMessage').slice(before).filter((c) => String(c.body.text).includes(`poll #${pollId}`));
    expect(posted).toHaveLength(1);
    expect(posted[0].body.channel).toBe(channelId);
    const message: SlackMessage = { text: String(posted[0].body.text), blocks: JSON.parse(String(posted[0].body.blocks)) };
    const ref = (await lab.poll(pollId)).messageRef;
    expect(ref).toMatchObject({ platform: 'slack', channelId });
    // Its idempotency key rides in the message metadata, so a retried post could find it (see adapters/slack/web-api.ts).
    expect(lab.slack.messagesIn(channelId).find((m) => m.ts === ref!.messageId)?.metadata).toMatchObject({ event_type: 'paperbot_post', event_payload: { key: expect.stringMatching(new RegExp(`^pbp-${pollId}-`)) } });
    const paperIds = (await readingStore(lab.services.sql).tally(pollId)).map((o) => o.paperId);
    return { pollId, message, ts: ref!.messageId, paperIds };
  }

  const chatUpdatesOf = (ts: string) => lab.slack.callsTo('chat.update').filter((c) => c.body.ts === ts);
  const lastUpdate = (ts: string): SlackMessage => {
    const call = chatUpdatesOf(ts).at(-1);
    if (!call) throw new Error(`no chat.update for ${ts}`);
    return { text: String(call.body.text), blocks: JSON.parse(String(call.body.blocks)) };
  };

  describe('a whole cycle: suggest, votes with toggles, close, announce, read, history', () => {
    let poll: Awaited<ReturnType<typeof openPoll>>;

    it('GIVEN /paper suggest 3 THEN the asker is told privately and a poll with three Vote buttons and a Close button is posted in the channel', async () => {
      poll = await openPoll('suggest 3');
      const labels = slackButtons(poll.message).map((b) => b.text.text);
      expect(labels).toEqual(['Vote 1', 'Vote 2', 'Vote 3', 'Close poll']);
      expect(slackVoteCounts(poll.message)).toEqual([0, 0, 0]);
      const ids = new Set(lab.services.papers.map((p) => p.id));
      expect(poll.paperIds).toHaveLength(3);
      for (const id of poll.paperIds) {
        expect(ids.has(id)).toBe(true);
        expect(slackText(poll.message)).toContain(paper(id).url);
      }
    });

    it('GIVEN several people click vote buttons, one of them twice THEN each click replaces the poll message with the new counts', async () => {
      const steps: [user: string, n: number, expected: number[]][] = [
        ['U0BOB', 1, [1, 0, 0]],
        ['U0CAROL', 1, [2, 0, 0]],
        ['U0DAVE', 2, [2, 1, 0]],
        ['U0ERIN', 2, [2, 2, 0]],
        // A second click by the same person takes the vote back.
        ['U0ERIN', 2, [2, 1, 0]],
        ['U0ERIN', 1, [3, 1, 0]],
      ];
      for (const [user, n, expected] of steps) {
        lab.clock.advance(60_000);
        const response = await lab.slackClick(slackButton(poll.message, `Vote ${n}`), { userId: user, channelId: CHANNEL, messageTs: poll.ts });
        expect(response.replace_original).toBe(true);
        expect(slackVoteCounts(response)).toEqual(expected);
      }
    });

    it('GIVEN a typed /paper vote 3 THEN the posted poll is updated in place with chat.update on its own ts', async () => {
      const ack = await lab.slackCommand('vote 3', { userId: 'U0FRANK', channelId: CHANNEL });
      expect(slackText(ack)).toMatch(/Your vote for 3\. .* counts: 1 vote now/);
      const update = lastUpdate(poll.ts);
      expect(chatUpdatesOf(poll.ts).at(-1)!.body.channel).toBe(CHANNEL);
      expect(slackVoteCounts(update)).toEqual([3, 1, 1]);
    });

    it('GIVEN someone who neither opened the poll nor is an admin clicks Close THEN only they are told no, and the poll stays open', async () => {
      const response = await lab.slackClick(slackButton(poll.message, 'Close poll'), { userId: 'U0BOB', channelId: CHANNEL, messageTs: poll.ts });
      expect(response.replace_original).toBe(false);
      expect(response.response_type).toBe('ephemeral');
      expect(slackText(response)).toMatch(/Only .* can close it/);
      expect((await lab.poll(poll.pollId)).closedAt).toBeNull();
    });

    it('GIVEN the opener clicks Close THEN the message shows the final counts and the winner, and the winner is announced with its link', async () => {
      const before = lab.slack.callsTo('chat.postMessage').length;
      const winner = paper(poll.paperIds[0]);
      const response = await lab.slackClick(slackButton(poll.message, 'Close poll'), { userId: OPENER, channelId: CHANNEL, messageTs: poll.ts });
      expect(response.replace_original).toBe(true);
      expect(slackButtons(response).map((b) => b.text.text)).not.toContain('Vote 1');
      expect(slackVoteCounts(response)).toEqual([3, 1, 1]);
      expect(slackText(response)).toMatch(/Closed\. Next paper: /);

      const announcements = lab.slack.callsTo('chat.postMessage').slice(before);
      expect(announcements).toHaveLength(1);
      expect(announcements[0].body.channel).toBe(CHANNEL);
      const announced = slackText({ text: String(announcements[0].body.text), blocks: JSON.parse(String(announcements[0].body.blocks)) });
      expect(announced).toContain('Next paper for the reading group');
      expect(announced).toContain(winner.url);
      expect(lab.slack.messagesIn(CHANNEL).at(-1)?.metadata).toMatchObject({ event_type: 'paperbot_post', event_payload: { key: expect.stringMatching(/^pbw-/) } });
      expect(await lab.poll(poll.pollId)).toMatchObject({ winnerN: 1 });
    });

    it('GIVEN the poll is closed THEN a click on its old vote button counts nothing', async () => {
      const response = await lab.slackClick(slackButton(poll.message, 'Vote 2'), { userId: 'U0GRACE', channelId: CHANNEL, messageTs: poll.ts });
      expect(slackText(response)).toMatch(/is closed: votes no longer count/);
      expect((await readingStore(lab.services.sql).tally(poll.pollId)).map((o) => o.votes)).toEqual([3, 1, 1]);
    });

    it('GIVEN the chosen paper THEN /paper next shows it, /paper read marks it read and /paper history lists it', async () => {
      const winner = paper(poll.paperIds[0]);
      expect(slackText(await lab.slackCommand('next', { userId: 'U0BOB', channelId: CHANNEL }))).toContain(winner.url);
      const read = await lab.slackCommand('read', { userId: OPENER, channelId: CHANNEL });
      expect(slackText(read)).not.toMatch(/Sorry|Only/);
      expect((await readingStore(lab.services.sql).reads({ platform: 'slack', workspaceId: LAB_TEAM, channelId: CHANNEL })).map((r) => r.paperId)).toEqual([winner.id]);
      const history = await lab.slackCommand('history', { userId: 'U0BOB', channelId: CHANNEL });
      expect(slackText(history)).toContain(winner.url);
      expect(slackText(history)).toContain('2026-11-30');
    });
  });

  describe('many people at once, and a restart between votes', () => {
    let poll: Awaited<ReturnType<typeof openPoll>>;

    it('GIVEN a new poll THEN the paper the group has read is not offered again', async () => {
      poll = await openPoll('suggest 3');
      const read = (await readingStore(lab.services.sql).reads({ platform: 'slack', workspaceId: LAB_TEAM, channelId: CHANNEL })).map((r) => r.paperId);
      expect(read).toHaveLength(1);
      expect(poll.paperIds).not.toContain(read[0]);
    });

    it('GIVEN 30 people click Vote 1 and 10 others Vote 2 at the same moment THEN every vote counts and a later update shows them all', async () => {
      const clicks = [
        ...Array.from({ length: 30 }, (_, i) => ({ user: `U1VOTER${i}`, n: 1 })),
        ...Array.from({ length: 10 }, (_, i) => ({ user: `U2VOTER${i}`, n: 2 })),
      ];
      const responses = await Promise.all(
        clicks.map(({ user, n }) => lab.slackClick(slackButton(poll.message, `Vote ${n}`), { userId: user, channelId: CHANNEL, messageTs: poll.ts })),
      );
      for (const r of responses) expect(r.replace_original).toBe(true);
      expect((await readingStore(lab.services.sql).tally(poll.pollId)).map((o) => o.votes)).toEqual([30, 10, 0]);
      expect(await readingStore(lab.services.sql).voterCount(poll.pollId)).toBe(40);
      // Each click's reply counted at least that click; the last one counted in saw every vote.
      expect(Math.max(...responses.map((r) => slackVoteCounts(r)[0]))).toBe(30);
      expect(Math.max(...responses.map((r) => slackVoteCounts(r)[1]))).toBe(10);
      // The click answers may land out of order; once the clicks stop, one refresh through
      // chat.update puts the database's counts on the message.
      await vi.waitFor(() => expect(slackVoteCounts(lastUpdate(poll.ts))).toEqual([30, 10, 0]), { timeout: 10_000, interval: 50 });

      await lab.slackCommand('vote 3', { userId: OPENER, channelId: CHANNEL });
      expect(slackVoteCounts(lastUpdate(poll.ts))).toEqual([30, 10, 1]);
    });

    it('GIVEN the bot restarts on the same database THEN a click on the poll posted before still counts and updates that message', async () => {
      const oldButton = slackButton(poll.message, 'Vote 2');
      await lab.restart();

      const response = await lab.slackClick(oldButton, { userId: 'U3LATE', channelId: CHANNEL, messageTs: poll.ts });
      expect(response.replace_original).toBe(true);
      expect(slackVoteCounts(response)).toEqual([30, 11, 1]);

      // A typed vote after the restart still finds the old message and edits it.
      const updatesBefore = chatUpdatesOf(poll.ts).length;
      await lab.slackCommand('vote 3', { userId: 'U3LATER', channelId: CHANNEL });
      expect(chatUpdatesOf(poll.ts).length).toBe(updatesBefore + 1);
      expect(slackVoteCounts(lastUpdate(poll.ts))).toEqual([30, 11, 2]);
      expect(await readingStore(lab.services.sql).voterCount(poll.pollId)).toBe(43);
    });
  });

  describe('workspaces never mix: a signed request from workspace B reaches nothing of workspace A (issue 15)', () => {
    const OTHER_TEAM = 'T0OTHER';
    const A_CHANNEL = 'C0TENANTA';

    it('GIVEN an open poll in workspace A THEN clicks on its Vote and Close buttons sent from workspace B, in B\'s channel or naming A\'s, neither count, close nor show it', async () => {
      const poll = await openPoll('suggest 3', OPENER, A_CHANNEL);
      const votesBefore = (await readingStore(lab.services.sql).tally(poll.pollId)).map((o) => o.votes);
      const updatesBefore = chatUpdatesOf(poll.ts).length;
      for (const channelId of ['C0TENANTB', A_CHANNEL]) {
        for (const label of ['Vote 1', 'Close poll']) {
          // An admin's id, so only the workspace stands between the click and the poll.
          const response = await lab.slackClick(slackButton(poll.message, label), { userId: ADMIN, channelId, messageTs: poll.ts, teamId: OTHER_TEAM });
          expect(response.replace_original).toBe(false);
          expect(slackText(response)).toContain(`This channel has no poll #${poll.pollId}`);
          expect(slackVoteCounts(response)).toEqual([]);
        }
        const typed = await lab.slackCommand(`vote 2 #${poll.pollId}`, { userId: ADMIN, channelId, teamId: OTHER_TEAM });
        expect(slackText(typed)).toContain(`This channel has no poll #${poll.pollId}`);
      }
      expect((await readingStore(lab.services.sql).tally(poll.pollId)).map((o) => o.votes)).toEqual(votesBefore);
      expect((await lab.poll(poll.pollId)).closedAt).toBeNull();
      expect(chatUpdatesOf(poll.ts)).toHaveLength(updatesBefore);

      // The same click from the poll's own workspace still counts.
      const own = await lab.slackClick(slackButton(poll.message, 'Vote 1'), { userId: 'U0BOB', channelId: A_CHANNEL, messageTs: poll.ts });
      expect(slackVoteCounts(own)).toEqual([1, 0, 0]);
    });

    it('GIVEN workspace A has a reading history in a channel THEN /paper history and /paper next from workspace B with the same channel id see none of it', async () => {
      const read = (await readingStore(lab.services.sql).reads({ platform: 'slack', workspaceId: LAB_TEAM, channelId: CHANNEL })).map((r) => paper(r.paperId));
      expect(read.length).toBeGreaterThan(0);
      const theirs = slackText(await lab.slackCommand('history', { userId: 'U0BOB', channelId: CHANNEL, teamId: OTHER_TEAM }));
      expect(theirs).toContain('has not marked any paper read yet');
      for (const p of read) expect(theirs).not.toContain(p.url);
      expect(slackText(await lab.slackCommand('next', { userId: 'U0BOB', channelId: CHANNEL, teamId: OTHER_TEAM }))).not.toContain('http');
      // A's own history is as it was.
      const ours = slackText(await lab.slackCommand('history', { userId: 'U0BOB', channelId: CHANNEL }));
      for (const p of read) expect(ours).toContain(p.url);
    });
  });
});
