// The deployed kafka nodes by broker node, drawn from each update the runtime publishes over comms.
import { esc, failureText, label } from './editor-api';
import { lagChart, type ChartPoint } from './lag-chart';

interface GroupOffset {
  topic: string;
  partition: number;
  lag: number | null;
}
interface Group {
  state: string;
  members: unknown[];
  offsets: GroupOffset[];
  lag: number;
}
interface DeployedNode {
  id: string;
  type: string;
  label: string;
  running: boolean;
  figures?: {
    records: number;
    errors: number;
    inFlight: number;
    deadLettered: number;
    state: string;
    groupId: string;
  };
}
export interface DeployedUpdate {
  at: number;
  brokers: {
    broker: { id: string; label: string };
    nodes: DeployedNode[];
    groups: Record<
      string,
      Group | { problem: { key: string; params: Record<string, string | number> } } | { error: string }
    >;
    history: Record<string, ChartPoint[]>;
  }[];
}

export function renderDeployed(target: JQuery, update: DeployedUpdate): void {
  const html = update.brokers
    .map(({ broker, nodes, groups, history }) => {
      const rows = nodes
        .map((node) => {
          const points = history[node.id] ?? [];
          const last = points[points.length - 1];
          const state = node.figures?.state ?? (node.running ? 'running' : 'stopped');
          const head = `<div class="kafka-sidebar-node-head"><b>${esc(node.label)}</b> <span>${esc(node.type)}</span> <span class="kafka-sidebar-state">${esc(label(`state.${state}`))}</span></div>`;
          if (!node.figures) return `<li data-node="${esc(node.id)}">${head}</li>`;
          const group = groups[node.figures.groupId];
          const described = group && 'offsets' in group ? group : undefined;
          const failure = group && !('offsets' in group) ? failureText(group) : '';
          const partitions = (described?.offsets ?? [])
            .map(
              ({ topic, partition, lag }) =>
                `<tr><td>${esc(topic)}</td><td>${partition}</td><td>${lag ?? '-'}</td></tr>`,
            )
            .join('');
          return (
            `<li data-node="${esc(node.id)}">${head}` +
            `<div class="kafka-sidebar-figures">` +
            `${label('deployed.lag')}: <b class="kafka-sidebar-lag">${described ? described.lag : '-'}</b> · ` +
            `${label('deployed.members')}: ${described ? described.members.length : '-'} · ` +
            `${label('deployed.partitions')}: ${described ? described.offsets.length : '-'} · ` +
            `${label('deployed.rate')}: ${last ? last.rate : 0} · ` +
            `${label('deployed.in-flight')}: ${node.figures.inFlight} · ` +
            `${label('deployed.dead-lettered')}: ${node.figures.deadLettered} · ` +
            `${label('deployed.errors')}: ${node.figures.errors}</div>` +
            (failure ? `<div class="kafka-sidebar-failure">${esc(failure)}</div>` : '') +
            `<table class="kafka-sidebar-table"><tr><th>${label('topic')}</th><th>${label('partition')}</th><th>${label('deployed.lag')}</th></tr>${partitions}</table>` +
            lagChart(points, update.at) +
            `</li>`
          );
        })
        .join('');
      return `<div class="kafka-sidebar-broker"><h4>${esc(broker.label)}</h4><ul>${rows}</ul></div>`;
    })
    .join('');
  target.html(html || `<p>${label('deployed.none')}</p>`);
}
