// The sidebar's HTTP admin routes under kafka-trigger/sidebar/: looking needs kafka-broker.read,
// resetting a group kafka-broker.write. Each answer comes from one bounded operation of src/admin on
// the broker node's pooled admin client, and none carries a setting of the broker node beyond its
// id and label (never a credential).
import type { Request, Response } from 'express';
import type { Admin } from 'kafkajs';
import type { NodeAPI } from 'node-red';
import { runPreparedAction, type PreparedAction } from '../admin/admin-actions';
import { groupOf, offsetResetRequestOf, topicOffsetsRequestOf } from '../admin/admin-input';
import { DEFAULT_ADMIN_LIMITS, type AdminLimits } from '../admin/broker-calls';
import { describeGroup, listGroups } from '../admin/groups';
import { RESET_TIMEOUT_MS, planOffsetReset, resetOffsets } from '../admin/offset-reset';
import { operationFailure } from '../admin/operation-problem';
import { topicOffsets } from '../admin/topic-offsets';
import { listTopics } from '../admin/topics';
import type { AdminLoan, KafkaBrokerNode } from '../nodes/types';
import { peekRequestOf } from './peek-input';
import { peekTopic } from './topic-peek';
import { deployedNodes } from './deployed-nodes';
import { SidebarPoller, POLL_INTERVAL_MS } from './sidebar-poller';
import { WATCH_RENEW_MS } from './watchers';

export const ROUTE_PREFIX = '/kafka-trigger/sidebar';

type Prepare = (req: Request, loan: AdminLoan) => PreparedAction;
type Middleware = (req: Request, res: Response, next: () => void) => void;

/**
 * Node-RED's check of `permission`, answering 403 rather than its 401 to a user who is logged in
 * (the `read` check before it passed) but lacks the permission: the editor can tell "not allowed" from
 * "not logged in".
 */
function forbiddenWithout(read: unknown, permission: unknown): Middleware[] {
  const check = permission as Middleware;
  return [
    read as Middleware,
    (req, res, next) => {
      const status = res.status.bind(res);
      res.status = (code: number) => status(code === 401 ? 403 : code);
      check(req, res, () => {
        res.status = status;
        next();
      });
    },
  ];
}

export function serveSidebar(RED: NodeAPI): SidebarPoller {
  const poller = new SidebarPoller(RED);
  const read = RED.auth.needsPermission('kafka-broker.read');
  const write = forbiddenWithout(read, RED.auth.needsPermission('kafka-broker.write'));

  RED.httpAdmin.post(`${ROUTE_PREFIX}/watch`, read, (_req: Request, res: Response) => {
    poller.watch();
    res.json({ result: { renewMs: WATCH_RENEW_MS, intervalMs: POLL_INTERVAL_MS } });
  });
  RED.httpAdmin.get(`${ROUTE_PREFIX}/brokers`, read, (_req: Request, res: Response) => {
    res.json({ result: { brokers: deployedNodes(RED).map(({ broker }) => broker) } });
  });

  const operation = (prepare: Prepare, limits: AdminLimits = DEFAULT_ADMIN_LIMITS) =>
    async function answer(req: Request, res: Response): Promise<void> {
      const broker = RED.nodes.getNode(String(req.params.broker)) as KafkaBrokerNode | null;
      const loan = broker?.type === 'kafka-broker' ? broker.lendAdmin() : undefined;
      if (!loan) return void res.status(404).json({ problem: { key: 'broker-missing', params: {} } });
      try {
        const result = await runPreparedAction(prepare(req, loan), () => loan.admin(), limits);
        res.json({ result });
      } catch (error) {
        res.json(operationFailure(error));
      } finally {
        void loan.giveBack();
      }
    };
  const lookAt = (path: string, prepare: Prepare): void => {
    RED.httpAdmin.get(`${ROUTE_PREFIX}/:broker/${path}`, read, operation(prepare));
  };

  lookAt('topics', () => (admin: Admin, limits) => listTopics(admin, limits));
  lookAt('topic-offsets', (req) => {
    const request = topicOffsetsRequestOf({ at: req.query.at }, req.query.topic);
    return (admin, limits) => topicOffsets(admin, request, limits);
  });
  lookAt('peek', (req, loan) => {
    const request = peekRequestOf(req.query);
    return (admin, limits) => peekTopic(admin, loan.kafka, loan.registry, request, limits);
  });
  lookAt('groups', () => (admin, limits) => listGroups(admin, limits));
  lookAt('group', (req) => {
    const group = groupOf({ group: req.query.group });
    return (admin, limits) => describeGroup(admin, group, limits);
  });
  RED.httpAdmin.post(
    `${ROUTE_PREFIX}/:broker/reset-plan`,
    read,
    operation((req) => {
      const request = offsetResetRequestOf(req.body, undefined);
      return (admin, limits) => planOffsetReset(admin, request, limits);
    }),
  );
  RED.httpAdmin.post(
    `${ROUTE_PREFIX}/:broker/reset`,
    ...write,
    operation(
      (req) => {
        const request = offsetResetRequestOf(req.body, undefined);
        return (admin, limits) => resetOffsets(admin, request, limits);
      },
      { ...DEFAULT_ADMIN_LIMITS, timeoutMs: RESET_TIMEOUT_MS },
    ),
  );
  return poller;
}
