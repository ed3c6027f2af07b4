/**
 * Time zones from the platform's time-zone data (Intl, which carries the IANA
 * database), for CONVERT_TIMEZONE. A zone's UTC offset at an instant is read
 * from Intl.DateTimeFormat, which is slow (microseconds a call), so each zone
 * keeps a small direct-mapped cache of its offsets by UTC hour: typed arrays
 * indexed by the hour, no per-row objects. An hour whose start and end have
 * different offsets (the hour of a transition) is computed exactly each time.
 */
const HOUR_MS = 3_600_000;
const SLOTS = 4096;

export class TimeZone {
  private readonly format: Intl.DateTimeFormat;
  private readonly hours = new Float64Array(SLOTS).fill(NaN);
  /** The offset (ms) through the cached hour, or NaN when it changes within it. */
  private readonly offsets = new Float64Array(SLOTS);

  private constructor(readonly name: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  private canonical: string | null = null;

  /** The zone's name as the platform's data spells it ('America/New_York' for 'america/new_york'). */
  get canonicalName(): string {
    // resolvedOptions() builds a fresh object each call, and every statement asks (settings.ts sessionZone)
    return (this.canonical ??= this.format.resolvedOptions().timeZone);
  }

  /** The zone of a name (an IANA name such as 'America/New_York', or 'UTC'); null when the platform does not know it. */
  static of(name: string): TimeZone | null {
    const key = name.toLowerCase();
    let z = zones.get(key);
    if (z === undefined) {
      try {
        z = new TimeZone(name);
      } catch {
        return null;
      }
      if (zones.size > 1000) zones.clear();
      zones.set(key, z);
    }
    return z;
  }

  /** The zone's offset from UTC (ms) at a UTC instant (ms), exactly, from Intl. */
  private exactOffset(ms: number): number {
    const whole = Math.floor(ms / 1000) * 1000;
    let year = 0;
    let month = 1;
    let day = 1;
    let hour = 0;
    let minute = 0;
    let second = 0;
    let bc = false;
    for (const p of this.format.formatToParts(new Date(whole))) {
      switch (p.type) {
        case 'year':
          year = Number(p.value);
          break;
        case 'month':
          month = Number(p.value);
          break;
        case 'day':
          day = Number(p.value);
          break;
        case 'hour':
          hour = Number(p.value);
          break;
        case 'minute':
          minute = Number(p.value);
          break;
        case 'second':
          second = Number(p.value);
          break;
        case 'era':
          bc = p.value.startsWith('B');
          break;
      }
    }
    const t = new Date(0);
    t.setUTCFullYear(bc ? 1 - year : year, month - 1, day);
    t.setUTCHours(hour, minute, second, 0);
    return t.getTime() - whole;
  }

  /** The zone's offset from UTC (ms) at a UTC instant (ms). */
  offsetAt(ms: number): number {
    const hour = Math.floor(ms / HOUR_MS);
    const slot = ((hour % SLOTS) + SLOTS) % SLOTS;
    if (this.hours[slot] !== hour) {
      const start = this.exactOffset(hour * HOUR_MS);
      const end = this.exactOffset(hour * HOUR_MS + HOUR_MS - 1000);
      this.hours[slot] = hour;
      this.offsets[slot] = start === end ? start : NaN;
    }
    const cached = this.offsets[slot]!;
    return Number.isNaN(cached) ? this.exactOffset(ms) : cached;
  }

  /**
   * The UTC instant (microseconds) of a wall-clock time (microseconds) in this
   * zone. As in PostgreSQL, a time that a transition skips (spring forward)
   * takes the offset from before the transition, and a time that occurs twice
   * (fall back) the offset from after it.
   */
  toUtc(wallUs: number): number {
    const wallMs = Math.floor(wallUs / 1000);
    // transitions are months apart: a day either side has the offsets around this one
    const before = this.offsetAt(wallMs - 86_400_000);
    const after = this.offsetAt(wallMs + 86_400_000);
    // near a transition: the offset after it when the wall time exists under it (a repeated time), else the one before
    const offset = before !== after && this.offsetAt(wallMs - after) === after ? after : before;
    return wallUs - offset * 1000;
  }

  /** The wall-clock time (microseconds) in this zone of a UTC instant (microseconds). */
  fromUtc(utcUs: number): number {
    return utcUs + this.offsetAt(Math.floor(utcUs / 1000)) * 1000;
  }
}

const zones = new Map<string, TimeZone>();
