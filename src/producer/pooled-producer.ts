import type { PooledClients } from '../client/connection-pool';
import type { WriterProducer } from './writer-types';

/**
 * A writer's view of its broker node's one producer: connecting checks (and if need be restores)
 * the shared connection, and disconnecting leaves it to the pool, which closes it after its last user.
 */
export function pooledProducer(clients: PooledClients): WriterProducer {
  return {
    connect: () => clients.reconnectProducer(),
    disconnect: () => Promise.resolve(),
    sendBatch: async (batch) => (await clients.producer()).sendBatch(batch),
  };
}
