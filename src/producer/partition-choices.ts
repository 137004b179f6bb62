import { Partitioners, type ICustomPartitioner, type Message } from 'kafkajs';

/**
 * Remembers the partition kafkajs's default partitioner chose for each message. The writer needs it
 * to find a record's offset in the broker's answer (offsets come per partition), and a request that
 * kafkajs retries then sends every record to the partition it chose the first time: a keyless record
 * would otherwise be dealt to the next partition in turn, possibly on a broker that already answered.
 */
export class PartitionChoices {
  private readonly chosen = new WeakMap<Message, number>();

  readonly createPartitioner: ICustomPartitioner = () => {
    const choose = Partitioners.DefaultPartitioner();
    return (args) => {
      const known = this.chosen.get(args.message);
      if (known !== undefined) return known;
      const partition = choose(args);
      this.chosen.set(args.message, partition);
      return partition;
    };
  };

  partitionOf(message: Message): number | undefined {
    return this.chosen.get(message) ?? message.partition;
  }
}
