// While an editor has the Kafka tab open, one round of broker calls per broker node every
// POLL_INTERVAL_MS, however many editors look, published to all of them over Node-RED's comms.
import type { Admin } from 'kafkajs';
import type { NodeAPI } from 'node-red';
import { beforeDeadline } from '../admin/broker-calls';
import { describeGroup, type GroupDescription } from '../admin/groups';
import { operationFailure, type OperationFailure } from '../admin/operation-problem';
import type { AdminLoan, KafkaBrokerNode } from '../nodes/types';
import { deployedNodes, type BrokerNodes } from './deployed-nodes';
import { TriggerHistory, type HistoryPoint } from './trigger-history';
import { Watchers } from './watchers';

export const POLL_INTERVAL_MS = 5000;
/** The comms topic the editor subscribes to. */
export const DEPLOYED_TOPIC = 'kafka-trigger/sidebar/deployed';
/** A round's time: inside the interval, so rounds never pile up. */
const ROUND_LIMITS = { timeoutMs: 4000, maxItems: 1000 };

/** A trigger's consumer group as the broker sees it. */
export type GroupView = GroupDescription | OperationFailure;

export interface BrokerView extends BrokerNodes {
  /** By group id. */
  groups: Record<string, GroupView>;
  /** By trigger id. */
  history: Record<string, HistoryPoint[]>;
}

export class SidebarPoller {
  readonly watchers = new Watchers();
  private readonly history = new TriggerHistory();
  private readonly loans = new Map<string, { broker: KafkaBrokerNode; loan: AdminLoan }>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly RED: NodeAPI) {}

  /** An editor looks: polling starts (at once) or goes on. */
  watch(): void {
    this.watchers.watch();
    if (this.timer) return;
    // Unref'd: a runtime that stops while an editor looks is not held up; a tab stops renewing.
    this.timer = setInterval(() => void this.round(), POLL_INTERVAL_MS).unref();
    void this.round();
  }

  /** Stops polling and gives back every loan (Node-RED stops, or no editor looks). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    const loans = [...this.loans.values()];
    this.loans.clear();
    await Promise.all(loans.map(({ loan }) => loan.giveBack()));
  }

  /** One round: skipped while the last one runs; the end of polling when nobody looks. */
  private async round(): Promise<void> {
    if (!this.watchers.watched) return void this.stop();
    if (this.running) return;
    this.running = true;
    try {
      const views = await Promise.all(deployedNodes(this.RED).map((group) => this.viewOf(group)));
      this.history.keepOnly(new Set(views.flatMap(({ nodes }) => nodes.map(({ id }) => id))));
      this.RED.comms.publish(DEPLOYED_TOPIC, { at: Date.now(), brokers: views }, true);
    } finally {
      this.running = false;
    }
  }

  private async viewOf(group: BrokerNodes): Promise<BrokerView> {
    const groupIds = [...new Set(group.nodes.flatMap(({ figures }) => (figures ? [figures.groupId] : [])))];
    const groups: Record<string, GroupView> = {};
    if (groupIds.length > 0) {
      const started = Date.now();
      try {
        const admin = await this.adminOf(group.broker.id, started);
        await Promise.all(
          groupIds.map(async (id) => {
            groups[id] = await describeGroup(admin, id, ROUND_LIMITS).catch(operationFailure);
          }),
        );
      } catch (error) {
        for (const id of groupIds) groups[id] = operationFailure(error);
      }
    }
    const now = Date.now();
    const history: Record<string, HistoryPoint[]> = {};
    for (const node of group.nodes) {
      if (!node.figures) continue;
      const described = groups[node.figures.groupId];
      const lag = described && 'lag' in described ? described.lag : null;
      this.history.add(node.id, now, lag, node.figures.records);
      history[node.id] = this.history.of(node.id);
    }
    return { ...group, groups, history };
  }

  /** The broker node's admin client, borrowed once per deployed broker node and kept while editors look. */
  private async adminOf(brokerId: string, started: number): Promise<Admin> {
    const broker = this.RED.nodes.getNode(brokerId) as KafkaBrokerNode | null;
    const held = this.loans.get(brokerId);
    if (held && held.broker !== broker) {
      this.loans.delete(brokerId);
      void held.loan.giveBack();
    }
    if (!broker) throw new Error(`broker node ${brokerId} is not running`);
    let loan = this.loans.get(brokerId)?.loan;
    if (!loan) {
      loan = broker.lendAdmin();
      if (!loan) throw new Error(`broker node ${brokerId} has no connection`);
      this.loans.set(brokerId, { broker, loan });
    }
    return beforeDeadline(loan.admin(), started + ROUND_LIMITS.timeoutMs, 'connect', ROUND_LIMITS.timeoutMs);
  }
}
