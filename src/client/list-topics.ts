import type { Kafka } from 'kafkajs';
import { classifyFailure, rootMessage, type FailureKind } from './failure';

export type TopicListing = { topics: string[] } | { error: string; failure: FailureKind };

/** Connects once, lists the cluster's topics (internal ones left out) and disconnects. */
export async function listTopics(kafka: Kafka): Promise<TopicListing> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const topics = await admin.listTopics();
    return { topics: topics.filter((topic) => !topic.startsWith('__')).sort() };
  } catch (error) {
    return { error: rootMessage(error), failure: classifyFailure(error) };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
