// kafkajs's per-connection request queue, an internal module without typings: only what
// client/request-queue-checks.ts touches.
declare module 'kafkajs/src/network/requestQueue' {
  export default class RequestQueue {
    /** Requests waiting for a free in-flight slot or the end of a broker's throttle. */
    pending: unknown[];
    /** Epoch ms until which the broker throttles this connection; -1 when it never did. */
    throttledUntil: number;
    scheduleCheckPendingRequests: (this: RequestQueue) => void;
  }
}
