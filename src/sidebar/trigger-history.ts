// Each trigger's lag and rate over the last 15 minutes, for the sidebar's chart.

export interface HistoryPoint {
  /** ms since 1970 */
  at: number;
  /** Total lag from the broker; null when it could not be asked. */
  lag: number | null;
  /** Records per second since the point before. */
  rate: number;
}

export const HISTORY_MS = 15 * 60 * 1000;

export class TriggerHistory {
  private readonly points = new Map<string, HistoryPoint[]>();
  private readonly lastRecords = new Map<string, { at: number; records: number }>();

  /** Adds a point for the trigger; the rate comes from its record count since the last point. */
  add(triggerId: string, at: number, lag: number | null, records: number): HistoryPoint {
    const last = this.lastRecords.get(triggerId);
    this.lastRecords.set(triggerId, { at, records });
    const seconds = last ? (at - last.at) / 1000 : 0;
    const rate = last && seconds > 0 ? Math.max(0, records - last.records) / seconds : 0;
    const point = { at, lag, rate: Math.round(rate * 10) / 10 };
    const points = this.points.get(triggerId) ?? [];
    points.push(point);
    while (points.length > 0 && points[0].at < at - HISTORY_MS) points.shift();
    this.points.set(triggerId, points);
    return point;
  }

  of(triggerId: string): HistoryPoint[] {
    return this.points.get(triggerId) ?? [];
  }

  /** Forgets the triggers that are no longer deployed. */
  keepOnly(triggerIds: ReadonlySet<string>): void {
    for (const id of this.points.keys()) {
      if (!triggerIds.has(id)) {
        this.points.delete(id);
        this.lastRecords.delete(id);
      }
    }
  }
}
