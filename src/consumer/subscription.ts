import type { Admin } from 'kafkajs';
import { selectedTopics, type TopicSelection } from '../settings/setting-rules';

/** A `/regex/` topic that matches no topic of the cluster (yet): retried like a missing topic. */
export class NoMatchingTopics extends Error {
  constructor(readonly pattern: string) {
    super(`No topic matches /${pattern}/ yet`);
    this.name = 'NoMatchingTopics';
  }
}

/**
 * The topics a trigger subscribes to: a list as written (kafkajs reports a missing one), or the
 * topics of the cluster a pattern matches now, sorted, never `exclude` (the dead-letter topic, which
 * would feed failed records back in). Lists the cluster's topics with the pooled admin client;
 * rejects when that fails.
 */
export async function subscriptionTopics(
  admin: () => Promise<Admin>,
  selection: TopicSelection,
  exclude?: string,
): Promise<string[]> {
  if (selection.kind === 'topics') return selection.topics;
  const available = await (await admin()).listTopics();
  return selectedTopics(selection, available).filter((topic) => topic !== exclude);
}

/** Whether two sorted topic lists hold the same topics. */
export function sameTopics(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((topic, index) => topic === b[index]);
}
