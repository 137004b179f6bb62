// What a peek at a topic asks for, checked before any broker call.
import { positionOf, topicOf } from '../admin/admin-input';
import { OperationProblem } from '../admin/operation-problem';
import { DEFAULT_PEEK_COUNT, MAX_PEEK_COUNT, type PeekFormat, type PeekRequest } from './topic-peek';

const FORMATS: readonly unknown[] = ['auto', 'text', 'hex', 'schema-registry'];

/**
 * The query's topic, count (held to 1..100; 20 when not a number), format (auto unless one of the
 * four) and `from` time, if any: only a bad topic or time is refused.
 */
export function peekRequestOf(query: Record<string, unknown>): PeekRequest {
  const topic = topicOf({ topic: query.topic }, undefined);
  const asked = Math.trunc(Number(query.count));
  const count = Number.isFinite(asked) ? Math.min(MAX_PEEK_COUNT, Math.max(1, asked)) : DEFAULT_PEEK_COUNT;
  const format = (FORMATS.includes(query.format) ? query.format : 'auto') as PeekFormat;
  if (query.from === undefined || query.from === '') return { topic, count, format };
  // A query's ms since 1970 come as digits; other text is a date (ISO 8601 and the like).
  const given = typeof query.from === 'string' && /^\d+$/.test(query.from) ? Number(query.from) : query.from;
  const from = positionOf(given, 'invalid-at');
  if (typeof from === 'string') throw new OperationProblem('invalid-at', { value: from });
  return { topic, count, format, from: from.timestamp };
}
