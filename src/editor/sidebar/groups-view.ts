// A broker node's consumer groups: state, members and lag by partition, and the offset reset with a
// confirmation that shows each partition's offset before and after.
import { call, esc, label } from './editor-api';

interface GroupSummary {
  group: string;
}
interface GroupDescription {
  group: string;
  state: string;
  members: unknown[];
  offsets: {
    topic: string;
    partition: number;
    committed: number | null;
    end: number | null;
    lag: number | null;
  }[];
  lag: number;
}
interface ResetPlan {
  partitions: { partition: number; before: number | null; after: number }[];
}

export function showGroups(target: JQuery, broker: string): void {
  target.text(label('loading'));
  call<{ groups: GroupSummary[] }>('GET', `${broker}/groups`).then(
    ({ groups }) => {
      target.empty();
      for (const { group } of groups) {
        const row = $('<div class="kafka-sidebar-group">').appendTo(target);
        const details = $('<div>').hide();
        $('<a href="#" class="kafka-sidebar-group-name">')
          .text(group)
          .on('click', (event) => {
            event.preventDefault();
            details.toggle();
            if (details.is(':visible')) describe(details, broker, group);
          })
          .appendTo(row);
        details.appendTo(row);
      }
      if (groups.length === 0) target.text(label('groups.none'));
    },
    (error: Error) => target.text(error.message),
  );
}

function describe(target: JQuery, broker: string, group: string): void {
  target.text(label('loading'));
  call<GroupDescription>('GET', `${broker}/group?group=${encodeURIComponent(group)}`).then(
    (description) => {
      const rows = description.offsets
        .map(
          (o) =>
            `<tr><td>${esc(o.topic)}</td><td>${o.partition}</td><td>${o.committed ?? '-'}</td><td>${o.end ?? '-'}</td><td>${o.lag ?? '-'}</td></tr>`,
        )
        .join('');
      target.html(
        `<div>${label('groups.state')}: <b class="kafka-sidebar-group-state">${esc(description.state)}</b> · ${label('deployed.members')}: ${description.members.length} · ${label('deployed.lag')}: ${description.lag}</div>` +
          `<table class="kafka-sidebar-table"><tr><th>${label('topic')}</th><th>${label('partition')}</th><th>${label('groups.committed')}</th><th>${label('groups.end')}</th><th>${label('deployed.lag')}</th></tr>${rows}</table>`,
      );
      const topics = [...new Set(description.offsets.map(({ topic }) => topic))];
      if (topics.length > 0) resetForm(target, broker, group, topics);
    },
    (error: Error) => target.text(error.message),
  );
}

/** Topic, target (earliest, latest, a time or offsets as `partition:offset,...`), plan, confirm. */
function resetForm(target: JQuery, broker: string, group: string, topics: string[]): void {
  const form = $('<div class="kafka-sidebar-reset">').appendTo(target);
  const topic = $('<select class="kafka-sidebar-reset-topic">').appendTo(form);
  for (const name of topics) $('<option>').val(name).text(name).appendTo(topic);
  const to = $('<select class="kafka-sidebar-reset-to">').appendTo(form);
  for (const choice of ['earliest', 'latest', 'timestamp', 'offsets'])
    $('<option>')
      .val(choice)
      .text(label(`groups.to.${choice}`))
      .appendTo(to);
  const value = $('<input type="text" class="kafka-sidebar-reset-value">').appendTo(form);
  const outcome = $('<div class="kafka-sidebar-reset-outcome">');
  $('<button type="button" class="red-ui-button kafka-sidebar-reset-plan">')
    .text(label('groups.reset'))
    .on('click', () => {
      const request = {
        group,
        topic: String(topic.val()),
        to: targetOf(String(to.val()), String(value.val())),
      };
      call<ResetPlan>('POST', `${broker}/reset-plan`, request).then(
        (plan) => confirmReset(outcome, broker, request, plan, () => describe(target, broker, group)),
        (error: Error) => outcome.text(error.message),
      );
    })
    .appendTo(form);
  outcome.appendTo(form);
}

function targetOf(choice: string, value: string): unknown {
  if (choice === 'earliest' || choice === 'latest') return choice;
  if (choice === 'timestamp') return value;
  return Object.fromEntries(value.split(',').map((pair) => pair.split(':').map((part) => part.trim())));
}

function confirmReset(
  target: JQuery,
  broker: string,
  request: unknown,
  plan: ResetPlan,
  after: () => void,
): void {
  const rows = plan.partitions
    .map(
      ({ partition, before, after: next }) =>
        `<tr><td>${partition}</td><td>${before ?? '-'}</td><td>${next}</td></tr>`,
    )
    .join('');
  target.html(
    `<table class="kafka-sidebar-table"><tr><th>${label('partition')}</th><th>${label('groups.before')}</th><th>${label('groups.after')}</th></tr>${rows}</table>`,
  );
  $('<button type="button" class="red-ui-button kafka-sidebar-reset-confirm">')
    .text(label('groups.confirm'))
    .on('click', () => {
      target.text(label('loading'));
      call('POST', `${broker}/reset`, request).then(after, (error: Error) =>
        target.html(`<div class="kafka-sidebar-failure">${esc(error.message)}</div>`),
      );
    })
    .appendTo(target);
}
