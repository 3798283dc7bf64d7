/** Time, injected wherever schedules or weeks matter, so tests move it instead of sleeping. */
export interface Clock {
  now(): Date;
}

/** A time in ms as the ISO 8601 text the database and the logs hold. */
export const iso = (ms: number): string => new Date(ms).toISOString();

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to; for tests and for `spotlight tick --now`. */
export class ManualClock implements Clock {
  private current: number;
  constructor(start: Date | string | number) {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  set(time: Date | string | number): void {
    this.current = new Date(time).getTime();
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

/**
 * `--now <ISO>` and `--json` of a command-line round (`spotlight tick`, `digest tick`, `feeds poll`); anything else is
 * a usage error. Without `--now`, the clock's time.
 */
export function roundArgs(args: string[], clock: Clock): { now: Date; json: boolean } | { error: string } {
  const rest = [...args];
  const json = rest.includes('--json');
  const i = rest.indexOf('--now');
  let now = clock.now();
  if (i >= 0) {
    const raw = rest[i + 1];
    const parsed = raw === undefined ? Number.NaN : Date.parse(raw);
    if (Number.isNaN(parsed)) return { error: `--now needs an ISO 8601 time such as 2026-11-30T09:00:00Z; got "${raw ?? ''}".` };
    now = new Date(parsed);
    rest.splice(i, 2);
  }
  const unknown = rest.filter((a) => a !== '--json');
  return unknown.length ? { error: `unknown option ${unknown.join(' ')}` } : { now, json };
}

/**
 * `paperbot <command> <sub> [--now ISO] [--json]` for a command with one round (`feeds poll`,
 * `digest tick`): the round's time and output, or the usage written and exit code 2.
 */
export function roundCommandArgs(
  argv: string[],
  { command, sub, usage }: { command: string; sub: string; usage: string },
  clock: Clock,
  out: (line: string) => void,
): { now: Date; json: boolean } | number {
  const [given, ...rest] = argv;
  if (given !== sub) {
    out(given === undefined || given === 'help' || given === '--help' ? usage : `paperbot ${command}: unknown command "${given}"\n${usage}`);
    return 2;
  }
  const parsed = roundArgs(rest, clock);
  if (!('error' in parsed)) return parsed;
  out(`paperbot ${command}: ${parsed.error}\n${usage}`);
  return 2;
}
