import { Partitioners, type ICustomPartitioner, type Message } from 'kafkajs';

/**
 * Remembers the partition kafkajs's default partitioner chose for each message, on the message
 * itself (the writer's own object). The writer needs it to find a record's offset in the broker's
 * answer (offsets come per partition), and a request that kafkajs retries then sends every record
 * to the partition it chose the first time: a keyless record would otherwise be dealt to the next
 * partition in turn, possibly on a broker that already answered.
 */
export class PartitionChoices {
  readonly createPartitioner: ICustomPartitioner = () => {
    const choose = Partitioners.DefaultPartitioner();
    return (args) => (args.message.partition ??= choose(args));
  };

  partitionOf(message: Message): number | undefined {
    return message.partition;
  }
}
