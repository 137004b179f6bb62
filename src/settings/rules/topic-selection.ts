// A trigger's `topic` setting: one topic, a comma-separated list, or `/regex/`.
import { isValidTopicName, problem, type Checked } from './common';
import type { TriggerProblemKey } from './trigger-rules';

/**
 * What a trigger's `topic` setting subscribes to: one topic or a comma-separated list (`topics`, in
 * the order written, duplicates dropped), or `/regex/` (`pattern`): every topic whose name the
 * regular expression matches (JavaScript's RegExp.test, so `^` and `$` anchor it), internal
 * topics (`__consumer_offsets`...) never.
 */
export type TopicSelection =
  { kind: 'topics'; topics: string[] } | { kind: 'pattern'; source: string; pattern: RegExp };

/** Whether a topic setting is the `/regex/` form. */
export function isTopicPattern(topic: string): boolean {
  return topic.length >= 2 && topic.startsWith('/') && topic.endsWith('/');
}

/** Kafka's internal topics start with two underscores; a pattern never matches them. */
export function isInternalTopic(topic: string): boolean {
  return topic.startsWith('__');
}

/** The topics of `available` that a selection names or matches, sorted; internal topics never. */
export function selectedTopics(selection: TopicSelection, available: readonly string[]): string[] {
  const chosen =
    selection.kind === 'topics'
      ? available.filter((topic) => selection.topics.includes(topic))
      : available.filter((topic) => !isInternalTopic(topic) && selection.pattern.test(topic));
  return [...new Set(chosen)].sort();
}

/** Reads a trimmed, non-blank topic setting: one topic, a comma-separated list, or `/regex/`. */
export function parseTopicSelection(topic: string): Checked<TopicSelection, TriggerProblemKey> {
  if (isTopicPattern(topic)) {
    const source = topic.slice(1, -1);
    if (!source) return problem('invalid-topic-pattern', 'topic', { pattern: topic, error: 'empty' });
    try {
      return { value: { kind: 'pattern', source, pattern: new RegExp(source) } };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return problem('invalid-topic-pattern', 'topic', { pattern: topic, error: message });
    }
  }
  if (!topic.includes(',')) {
    return isValidTopicName(topic)
      ? { value: { kind: 'topics', topics: [topic] } }
      : problem('invalid-topic', 'topic', { topic });
  }
  const entries = topic.split(',').map((entry) => entry.trim());
  const topics: string[] = [];
  for (const [index, entry] of entries.entries()) {
    if (!entry) return problem('empty-topic-in-list', 'topic', { position: index + 1 });
    if (!isValidTopicName(entry)) return problem('invalid-topic-in-list', 'topic', { topic: entry });
    if (!topics.includes(entry)) topics.push(entry);
  }
  return { value: { kind: 'topics', topics } };
}
