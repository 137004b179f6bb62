import type { IHeaders } from 'kafkajs';

/** What a trigger sends as msg.payload for one Kafka record (the trigger-data shape README.md documents). */
export interface TriggerData {
  topic: string;
  partition: number;
  offset: number;
  timestamp: string;
  /** A string with the default key format; a Buffer or a decoded value with the others (null for no key). */
  key: unknown;
  message: unknown;
  headers: Record<string, string>;
}

/** JSON when the UTF-8 text parses as JSON, `{ raw_message }` when it does not, null when there is no value. */
export function decodeValue(value: Buffer | null): unknown {
  if (!value || value.length === 0) return null;
  const text = value.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return { raw_message: text };
  }
}

/** Header name to UTF-8 string; kafkajs turns a repeated name into an array, and the last value wins. */
export function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const decoded: Record<string, string> = {};
  if (!headers) return decoded;
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    const text = last == null ? '' : last.toString();
    // Plain assignment is the fast path; a header named "__proto__" needs defineProperty to stay data.
    if (name === '__proto__') {
      Object.defineProperty(decoded, name, {
        value: text,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      decoded[name] = text;
    }
  }
  return decoded;
}

/** RFC 3339 in UTC with whole seconds, e.g. 2024-06-18T05:09:00Z. */
export function formatProcessingTime(epochMs: number): string {
  return new Date(epochMs - (epochMs % 1000)).toISOString().replace('.000Z', 'Z');
}

/** Formats the processing time at most once per second of wall-clock time. */
export class ProcessingClock {
  private second = -1;
  private formatted = '';

  now(epochMs = Date.now()): string {
    const second = Math.floor(epochMs / 1000);
    if (second !== this.second) {
      this.second = second;
      this.formatted = formatProcessingTime(epochMs);
    }
    return this.formatted;
  }
}
