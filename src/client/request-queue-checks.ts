// kafkajs 2.2.4 keeps a 1 ms timer running on every connection once it has had a response: each
// check of the queue's waiting requests schedules the next one, whether a request waits or not
// (kafkajs issues 1556 and 1704). A trigger's consumer holds two connections, so an idle Node-RED
// with 100 triggers woke every millisecond to run about 200 empty checks. A check is only needed
// while a request waits in the queue (kafkajs schedules one when it queues it) or while a broker's
// throttle is running: otherwise no check is scheduled.
import RequestQueue from 'kafkajs/src/network/requestQueue';

const scheduleCheck = RequestQueue.prototype.scheduleCheckPendingRequests;

/** Makes every kafkajs connection of this process skip the checks that have nothing to check. Safe to call repeatedly. */
export function skipIdleRequestChecks(): void {
  RequestQueue.prototype.scheduleCheckPendingRequests = function (): void {
    if (this.pending.length === 0 && this.throttledUntil <= Date.now()) return;
    scheduleCheck.call(this);
  };
}
