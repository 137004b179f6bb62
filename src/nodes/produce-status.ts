import type { NodeStatus } from 'node-red';
import type { FailureKind } from '../client/failure';
import type { WriterState } from '../producer/writer-types';

const STATUS = 'kafka-produce.status.';

type Translate = (key: string, params?: Record<string, string | number>) => string;

const RETRY_STATUS: Record<FailureKind, string> = {
  unreachable: 'disconnected',
  'connection-closed': 'disconnected',
  'topic-missing': 'error',
  'auth-failed': 'auth-failed',
  'tls-failed': 'tls-failed',
  failed: 'error',
};

/** The badge for a writer state; while records wait for the broker, it says how many. */
export function produceStatusFor(state: WriterState, waiting: number, translate: Translate): NodeStatus {
  switch (state.kind) {
    case 'connecting':
      return { fill: 'yellow', shape: 'ring', text: STATUS + 'connecting' };
    case 'connected':
      return { fill: 'green', shape: 'dot', text: STATUS + 'connected' };
    case 'retrying': {
      const reason = STATUS + RETRY_STATUS[state.failure];
      if (waiting === 0) return { fill: 'red', shape: 'ring', text: reason };
      // The editor does not fill in parameters, so a text with the count is translated here.
      const text = translate(STATUS + 'waiting', { reason: translate(reason), waiting });
      return { fill: 'red', shape: 'ring', text };
    }
  }
}

/** A red badge for a node that will not write until its settings are fixed. */
export function produceProblemStatus(shortKey: string): NodeStatus {
  return { fill: 'red', shape: 'ring', text: STATUS + shortKey };
}
