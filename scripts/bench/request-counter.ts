// Loaded into a bench Node-RED with --require (bench/scale.ts): counts the Kafka requests that
// every kafkajs copy in the process sends, by API name (Fetch, Heartbeat, Metadata...), and hands
// the counts to the runner when it asks over IPC. kafkajs sends every request through
// Connection#send, so wrapping that one method sees them all, whichever package made the client.
import Module from 'node:module';

export type CounterRequest = { type: 'request-counts' };
export type CounterMessage = { type: 'request-counts'; counts: Record<string, number> };

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
type Send = (this: unknown, call: { request: { apiName: string } }) => Promise<unknown>;

const counts: Record<string, number> = {};
const wrapped = new WeakSet<object>();
const loader = Module as unknown as { _load: Load };
const load = loader._load;

loader._load = function (request, parent, isMain) {
  const exported = load.call(this, request, parent, isMain);
  // kafkajs's network/connectionPool.js loads its Connection class as './connection'.
  if (request === './connection' && typeof exported === 'function') wrapSend(exported.prototype as object);
  return exported;
};

function wrapSend(prototype: { send?: Send; sendAuthRequest?: unknown }): void {
  const send = prototype.send;
  if (typeof send !== 'function' || typeof prototype.sendAuthRequest !== 'function') return;
  if (wrapped.has(prototype)) return;
  wrapped.add(prototype);
  prototype.send = function (call) {
    const name = call.request.apiName;
    counts[name] = (counts[name] ?? 0) + 1;
    return send.call(this, call);
  };
}

process.on('message', (message: CounterRequest) => {
  if (message.type === 'request-counts' && process.send)
    process.send({ type: 'request-counts', counts: { ...counts } } satisfies CounterMessage);
});
