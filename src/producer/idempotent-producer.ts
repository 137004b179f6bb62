import type { PooledClients } from '../client/connection-pool';
import type { WriterProducer } from './writer-types';

/** kafkajs's own retries of one request; past them the writer sends the request again, unchanged. */
const REQUEST_RETRIES = 5;

/**
 * A kafka-produce node's own idempotent producer: the broker gives it an id and writes a request of
 * it once, however often it arrives, by the sequence numbers of its records. It is not pooled:
 * kafkajs numbers records per send and a failed send hands its numbers back, so another node's send
 * through the same producer could get numbers the broker already wrote, and be dropped as a duplicate.
 */
export function idempotentProducer(clients: PooledClients): WriterProducer {
  const producer = clients.kafka.producer({
    idempotent: true,
    // kafkajs's condition for keeping the order of an idempotent producer's requests.
    maxInFlightRequests: 1,
    createPartitioner: clients.partitions.createPartitioner,
    allowAutoTopicCreation: false,
    // Bounded, so that a missing topic fails instead of holding up the node's other records.
    retry: { retries: REQUEST_RETRIES },
  });
  return {
    connect: () => producer.connect(),
    disconnect: () => producer.disconnect(),
    sendBatch: (batch) => producer.sendBatch(batch),
  };
}
