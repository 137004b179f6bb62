import type { Admin } from 'kafkajs';
import { selectedTopics, type TopicSelection } from '../settings/setting-rules';
import type { TriggerSettings } from '../settings/trigger-settings';

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

/**
 * A trigger's topic subscription: the topics a session subscribes to, how (`start_from`, see
 * groups()), and for a `/regex/` topic the listing again every refresh interval.
 */
export class Subscription {
  /** For a `/regex/` topic: what it matched at the trigger's first listing; topics matched later are new. */
  private atStart: string[] | undefined;
  private timer: NodeJS.Timeout | undefined;
  private refreshing = false;

  constructor(
    private readonly admin: () => Promise<Admin>,
    private readonly settings: TriggerSettings,
  ) {}

  /** The topics of the first listing (empty before it). */
  get topicsAtStart(): readonly string[] {
    return this.atStart ?? [];
  }

  /** The topics to subscribe to now: the list, or what the pattern matches (never the dead-letter topic). */
  topicsNow(): Promise<string[]> {
    const { topics, delivery } = this.settings;
    const deadLetters = delivery.mode !== 'handoff' ? delivery.deadLetterTopic : undefined;
    return subscriptionTopics(this.admin, topics, deadLetters);
  }

  /** Takes a listing for a new session, the first one remembered; throws NoMatchingTopics for none. */
  accept(topics: string[]): string[] {
    this.atStart ??= topics;
    if (topics.length === 0) throw new NoMatchingTopics(this.settings.topic.slice(1, -1));
    return topics;
  }

  /**
   * `start_from` for the topics the trigger started with. A topic a `/regex/` matched only later
   * (created after the deploy) is read from its first record when the group has no offset there:
   * its records were all written after the trigger started, and must not be missed for having
   * come before the refresh that found it.
   */
  groups(topics: string[]): { topics: string[]; fromBeginning: boolean }[] {
    const fromBeginning = this.settings.startFrom === 'earliest';
    const atStart = this.atStart ?? topics;
    const later = fromBeginning ? [] : topics.filter((topic) => !atStart.includes(topic));
    const first = topics.filter((topic) => !later.includes(topic));
    return [
      ...(first.length > 0 ? [{ topics: first, fromBeginning }] : []),
      ...(later.length > 0 ? [{ topics: later, fromBeginning: true }] : []),
    ];
  }

  /**
   * For a `/regex/` topic: lists the topics again every refresh interval while `consuming()` names
   * the topics a session subscribed to, and calls `changed` with that session when the matched set
   * is another (one refresh at a time). A failed listing is left to the next one: the consumer
   * reports an unreachable cluster itself.
   */
  watch<S extends { topics: string[] }>(
    consuming: () => S | undefined,
    changed: (session: S) => Promise<void>,
  ): void {
    if (this.settings.topics.kind !== 'pattern') return;
    const refresh = async (): Promise<void> => {
      const session = consuming();
      if (this.refreshing || !session) return;
      this.refreshing = true;
      try {
        const topics = await this.topicsNow().catch(() => undefined);
        if (topics && consuming() === session && !sameTopics(topics, session.topics)) await changed(session);
      } finally {
        this.refreshing = false;
      }
    };
    this.timer = setInterval(() => void refresh(), this.settings.topicRefreshInterval * 1000);
    this.timer.unref();
  }

  /** Ends the refreshes. */
  stop(): void {
    clearInterval(this.timer);
  }
}
