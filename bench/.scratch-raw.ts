import { performance } from 'node:perf_hooks';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { startLocalKafka, createTopic } from '../scripts/kafka/local-kafka';
async function main() {
  const broker = await startLocalKafka();
  try {
    await createTopic(broker, 't', 3);
    const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.ERROR });
    const p = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await p.connect();
    const value = 'x'.repeat(200);
    for (const [n, inflight, acks] of [
      [1000, 1, -1],
      [1000, 1, -1],
      [1000, 1, -1],
    ] as const) {
      const total = 60000;
      let left = total;
      let seq = 0;
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const times: number[] = [];
      await Promise.all(
        Array.from({ length: inflight }, async () => {
          while (left > 0) {
            const m = [];
            for (let i = 0; i < n && left > 0; i++, left--) m.push({ key: `user-${seq++ % 10007}`, value });
            const s = performance.now();
            await p.send({ topic: 't', acks, messages: m });
            times.push(performance.now() - s);
          }
        }),
      );
      const dt = performance.now() - t0;
      times.sort((a, b) => a - b);
      console.log(
        `batch ${n} inflight ${inflight} acks ${acks}: ${Math.round((total / dt) * 1000)} rec/s, request p50 ${times[times.length >> 1]!.toFixed(1)} ms, cpu ${((process.cpuUsage(c0).user + process.cpuUsage(c0).system) / total).toFixed(1)} µs/rec`,
      );
    }
    await p.disconnect();
  } finally {
    await broker.destroy();
  }
}
main();
