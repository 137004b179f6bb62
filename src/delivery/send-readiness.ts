import type { StopSignal } from '../consumer/stop-signal';
import type { FlowGate } from './delivery';
import type { InFlightLimit } from './in-flight-limit';

export interface SendReadiness {
  limit: InFlightLimit;
  flows: FlowGate;
  stop: StopSignal;
  heartbeatInterval: number;
}

/**
 * Waits while the in-flight limit is full or a deploy is between stop and start, heartbeating
 * meanwhile; resolves false once the records are not wanted any more.
 */
export async function readyToSend(
  stillWanted: () => boolean,
  heartbeat: () => Promise<void>,
  { limit, flows, stop, heartbeatInterval }: SendReadiness,
): Promise<boolean> {
  // Waiting here is what pauses fetching; heartbeats keep the group membership alive meanwhile.
  while (stillWanted() && limit.room === 0)
    if (!(await limit.waitForRoom(heartbeatInterval))) await heartbeat();
  // While a deploy is between stop and start, a message would go to nodes that are gone.
  while (stillWanted() && !flows.isRunning())
    if (!(await stop.race(flows.running(heartbeatInterval)))) await heartbeat();
  return stillWanted();
}
