import should from 'should';
import { newTopic, produce, testKafka } from '../support/kafka';
import { waitFor } from '../support/wait';

describe('the test broker', () => {
  it('takes a record from a kafkajs producer and gives it back to a kafkajs consumer', async () => {
    const topic = await newTopic('roundtrip');
    await produce(topic, [{ key: 'k', value: 'hello broker' }]);

    const consumer = testKafka().consumer({ groupId: `${topic}-reader` });
    const received: string[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void received.push(String(message.value)) });
      await waitFor(() => received.length === 1, 30000, 'the record');
    } finally {
      await consumer.disconnect();
    }
    should(received).eql(['hello broker']);
  });
});
