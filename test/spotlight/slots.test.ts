import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { parseSchedule } from '../../src/delivery/cron.js';
import { latestSlot, nextSlot, slotsBetween } from '../../src/delivery/slots.js';
import { offsetAt, zonedToUtc } from '../../src/delivery/zoned.js';
import { localWeekdayTime } from './harness.js';

const at = (s: string) => Date.parse(s);
const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

describe('local time to instant, across daylight saving', () => {
  it('reads an ordinary local time with the zone offset of that day', () => {
    expect(iso(zonedToUtc({ year: 2026, month: 12, day: 1, hour: 9, minute: 0 }, 'Asia/Shanghai'))).toBe('2026-12-01T01:00:00.000Z');
    expect(iso(zonedToUtc({ year: 2027, month: 7, day: 5, hour: 9, minute: 0 }, 'Europe/Berlin'))).toBe('2027-07-05T07:00:00.000Z');
    expect(offsetAt(at('2027-01-10T12:00:00Z'), 'Australia/Sydney')).toBe(660);
  });

  it('GIVEN a local time the spring-forward night skips THEN it lands just after the gap (02:30 becomes 03:30)', () => {
    // Berlin jumps from 02:00 CET to 03:00 CEST at 01:00Z on 2027-03-28.
    const berlin = zonedToUtc({ year: 2027, month: 3, day: 28, hour: 2, minute: 30 }, 'Europe/Berlin');
    expect(iso(berlin)).toBe('2027-03-28T01:30:00.000Z');
    expect(localWeekdayTime(berlin, 'Europe/Berlin').time).toBe('03:30');
    // New York jumps from 02:00 EST to 03:00 EDT at 07:00Z on 2027-03-14.
    const ny = zonedToUtc({ year: 2027, month: 3, day: 14, hour: 2, minute: 30 }, 'America/New_York');
    expect(iso(ny)).toBe('2027-03-14T07:30:00.000Z');
  });

  it('GIVEN a local time the fall-back night repeats THEN only its first occurrence is used', () => {
    // 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST) on 2027-11-07.
    expect(iso(zonedToUtc({ year: 2027, month: 11, day: 7, hour: 1, minute: 30 }, 'America/New_York'))).toBe('2027-11-07T05:30:00.000Z');
    // Sydney repeats 02:00–03:00 on 2027-04-04; 02:30 AEDT is 15:30Z on the 3rd.
    expect(iso(zonedToUtc({ year: 2027, month: 4, day: 4, hour: 2, minute: 30 }, 'Australia/Sydney'))).toBe('2027-04-03T15:30:00.000Z');
  });
});

describe('slots of a schedule', () => {
  it('finds the next slot strictly after a time and the latest slot at or before it', () => {
    const monday9 = '0 9 * * 1';
    expect(iso(nextSlot(monday9, 'Europe/Berlin', at('2027-03-24T12:00:00Z')))).toBe('2027-03-29T07:00:00.000Z');
    expect(iso(latestSlot(monday9, 'Europe/Berlin', at('2027-03-24T12:00:00Z')))).toBe('2027-03-22T08:00:00.000Z');
    // Exactly at a slot: that slot is the latest, the next is a week on.
    expect(iso(latestSlot(monday9, 'Europe/Berlin', at('2027-03-29T07:00:00Z')))).toBe('2027-03-29T07:00:00.000Z');
    expect(iso(nextSlot(monday9, 'Europe/Berlin', at('2027-03-29T07:00:00Z')))).toBe('2027-04-05T07:00:00.000Z');
  });

  it('supports the last day of the month, ranges and day names', () => {
    expect(iso(nextSlot('0 9 L * *', 'UTC', at('2027-02-10T00:00:00Z')))).toBe('2027-02-28T09:00:00.000Z');
    expect(iso(nextSlot('30 16 * * fri', 'Asia/Shanghai', at('2026-11-27T00:00:00Z')))).toBe('2026-11-27T08:30:00.000Z');
    expect(slotsBetween('0 9 * * mon-fri', 'UTC', at('2026-11-27T10:00:00Z'), at('2026-12-04T10:00:00Z'), 10).map(iso)).toEqual([
      '2026-11-30T09:00:00.000Z',
      '2026-12-01T09:00:00.000Z',
      '2026-12-02T09:00:00.000Z',
      '2026-12-03T09:00:00.000Z',
      '2026-12-04T09:00:00.000Z',
    ]);
  });

  it('rejects expressions that are not five valid fields, naming the problem', () => {
    expect(() => parseSchedule('0 9 * *')).toThrow(UserError);
    expect(() => parseSchedule('0 0 9 * * 1')).toThrow(/6 fields/);
    expect(() => parseSchedule('0 25 * * 1')).toThrow(/25/);
    expect(() => parseSchedule('0 9 30 2 *')).toThrow(UserError);
  });

  it('GIVEN any instant and a weekly schedule in a DST zone THEN latest ≤ now < next, a week apart give or take the DST hour, on the right local weekday', () => {
    const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Europe/London', 'Asia/Shanghai', 'America/Santiago'];
    fc.assert(
      fc.property(
        fc.integer({ min: at('2026-01-01T00:00:00Z'), max: at('2029-01-01T00:00:00Z') }),
        fc.constantFrom(...zones),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 23 }),
        fc.constantFrom(0, 15, 30, 59),
        (now, zone, weekday, hour, minute) => {
          const expr = `${minute} ${hour} * * ${weekday}`;
          const latest = latestSlot(expr, zone, now)!;
          const next = nextSlot(expr, zone, now)!;
          expect(latest).toBeLessThanOrEqual(now);
          expect(next).toBeGreaterThan(now);
          expect(nextSlot(expr, zone, latest)).toBe(next);
          const gap = next - latest;
          expect(gap).toBeGreaterThanOrEqual(7 * 86_400_000 - 3_600_000);
          expect(gap).toBeLessThanOrEqual(7 * 86_400_000 + 3_600_000);
          expect(localWeekdayTime(next, zone).weekday).toBe(weekday);
        },
      ),
      { numRuns: 300, seed: 20261127 },
    );
  });
});
