import { describe, expect, it } from 'vitest';
import { clickOutcome, createActionCodec } from '../../src/actions.js';

describe('button ids', () => {
  it('carry the command and its effect, and a command too long for the id comes back from memory', () => {
    const codec = createActionCodec(40);
    const short = codec.encode({ label: 'More', command: 'gan --page 2', effect: 'update' }, 3);
    expect(short.length).toBeLessThanOrEqual(40);
    expect(codec.decode(short)).toEqual({ command: 'gan --page 2', effect: 'update' });
    const longCommand = `share ${'segmentation '.repeat(10)}`;
    const long = codec.encode({ label: 'Share', command: longCommand, effect: 'post' }, 4);
    expect(long.length).toBeLessThanOrEqual(40);
    expect(codec.decode(long)).toEqual({ command: longCommand, effect: 'post' });
  });

  it('GIVEN a long command from before a restart THEN it is expired; a foreign id is unknown', () => {
    const before = createActionCodec(40).encode({ label: 'Share', command: 'x'.repeat(100), effect: 'post' }, 0);
    expect(createActionCodec(40).decode(before)).toBe('expired');
    expect(createActionCodec(40).decode('someone-elses-button')).toBeNull();
  });
});

describe('where the answer to a click goes', () => {
  it.each([
    ['update', 'search', 'ephemeral', 'replace'],
    ['update', 'error', 'ephemeral', 'clicker'],
    ['post', 'search', 'channel', 'channel'],
    ['post', 'no-match', 'ephemeral', 'clicker'],
    ['post', 'error', 'ephemeral', 'clicker'],
    ['reply', 'paper', 'ephemeral', 'clicker'],
    ['reply', 'paper', 'channel', 'clicker'],
  ] as const)('GIVEN effect %s and a %s reply (%s) THEN it goes to: %s', (effect, kind, visibility, outcome) => {
    expect(clickOutcome(effect, { kind, visibility })).toBe(outcome);
  });
});
