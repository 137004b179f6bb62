import { randomBytes } from 'node:crypto';

/**
 * Message ids for one trigger: a random prefix and a counter, 16 hex digits like Node-RED's own,
 * without Node-RED drawing 8 random bytes for every message.
 */
export function messageIdSource(): () => string {
  const prefix = randomBytes(4).toString('hex');
  let counter = 0;
  return () => {
    counter = (counter + 1) >>> 0;
    return prefix + counter.toString(16).padStart(8, '0');
  };
}
