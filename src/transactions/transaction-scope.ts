import type { CompressionTypes } from 'kafkajs';
import type { OutgoingRecord } from '../producer/produce-record';
import type { TransactionWriteSettled } from './transaction-writer';

/** What a kafka-produce node writes a msg's record through: the transaction of the msg's input records. */
export interface TransactionScope {
  write(record: OutgoingRecord, compression: CompressionTypes, settled: TransactionWriteSettled): void;
}

/**
 * A write for a msg whose transaction has ended: aborted (its record comes again from the committed
 * offset) or given up on. Nothing is lost by not writing it.
 */
export class TransactionEnded extends Error {
  constructor() {
    super('the transaction of the msg’s Kafka record has ended');
    this.name = 'TransactionEnded';
  }
}

/** The scope of a msg whose transaction has ended: it writes nothing. */
export const ENDED_SCOPE: TransactionScope = {
  write: (_record, _compression, settled) => settled(new TransactionEnded()),
};
