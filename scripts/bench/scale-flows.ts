// The flows of the scale bench (bench/scale.ts): on one tab, one broker config node and `count`
// pairs of a consumer node (its own topic, its own group) wired to a producer node that writes
// every msg to one output topic. This package's nodes, or kafka-suite's.

export interface ScaleTopics {
  inputs: string[];
  output: string;
  groups: string[];
}

export interface ScaleFlow {
  nodes: object[];
  /** The consumer nodes, whose statuses tell when they have joined their groups. */
  consumerIds: string[];
  /** A consumer's status once it has joined its group. */
  joined: (text: string) => boolean;
}

const TAB = 'scale-tab';

export function productFlow(brokers: string, topics: ScaleTopics): ScaleFlow {
  const nodes: object[] = [
    { id: TAB, type: 'tab', label: 'scale bench' },
    { id: 'scale-broker', type: 'kafka-broker', name: '', brokers, client_id: 'bench-scale' },
  ];
  topics.inputs.forEach((topic, index) => {
    nodes.push(
      {
        id: `consumer-${index}`,
        type: 'kafka-trigger',
        z: TAB,
        name: '',
        broker: 'scale-broker',
        topic,
        consumer_group: topics.groups[index],
        start_from: 'newest',
        session_timeout: 10000,
        heartbeat_interval: 3000,
        wires: [[`producer-${index}`]],
      },
      {
        id: `producer-${index}`,
        type: 'kafka-produce',
        z: TAB,
        name: '',
        broker: 'scale-broker',
        topic: topics.output,
        key: '',
        acks: 'all',
        compression: 'none',
        send_timeout: 30000,
        wires: [[]],
      },
    );
  });
  return {
    nodes,
    consumerIds: topics.inputs.map((_, index) => `consumer-${index}`),
    // The badge's text is its message key until the editor translates it.
    joined: (text) => /^(kafka-trigger\.status\.)?connected/.test(text),
  };
}

/** kafka-suite 0.0.5 (bench/peers.ts installs it): its kafkajs backend, JSON values, auto commit. */
export function kafkaSuiteFlow(brokers: string, topics: ScaleTopics): ScaleFlow {
  const nodes: object[] = [
    { id: TAB, type: 'tab', label: 'scale bench' },
    {
      id: 'scale-broker',
      type: 'kafka-suite-broker',
      name: '',
      brokers,
      clientId: 'bench-scale-kafka-suite',
      backend: 'kafkajs',
      authType: 'none',
      logLevel: 'warn',
    },
  ];
  topics.inputs.forEach((topic, index) => {
    nodes.push(
      {
        id: `consumer-${index}`,
        type: 'kafka-suite-consumer',
        z: TAB,
        name: '',
        broker: 'scale-broker',
        topics: topic,
        groupId: topics.groups[index],
        startOffset: 'latest',
        autoCommit: true,
        autoCommitInterval: 5000,
        messageFormat: 'json',
        concurrency: 1,
        schemaRegistry: '',
        wires: [[`producer-${index}`]],
      },
      {
        id: `producer-${index}`,
        type: 'kafka-suite-producer',
        z: TAB,
        name: '',
        broker: 'scale-broker',
        topic: topics.output,
        key: '',
        partition: '',
        compression: 'none',
        acks: '-1',
        timeout: 30000,
        schemaRegistry: '',
        wires: [],
      },
    );
  });
  return {
    nodes,
    consumerIds: topics.inputs.map((_, index) => `consumer-${index}`),
    // Set once its consumer's run() has joined the group.
    joined: (text) => text === 'consuming',
  };
}
