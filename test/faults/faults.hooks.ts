// One broker shared by the fault scenarios that do not stop or replace it. Its size limits are
// raised so that the hostile-records scenario can write 8 MiB values.
import { brokerRootHooks } from '../support/shared-broker';

export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

export const mochaHooks = brokerRootHooks({
  brokerConfig: {
    'message.max.bytes': String(MAX_MESSAGE_BYTES),
    'replica.fetch.max.bytes': String(MAX_MESSAGE_BYTES),
  },
});
