// A broker node's topics with a filter box; clicking one shows its end offsets per partition.
import type { PeekedRecord } from '../../sidebar/peeked-record';
import { call, esc, label } from './editor-api';

export function showTopics(target: JQuery, broker: string): void {
  target.text(label('loading'));
  call<{ topics: { topic: string; partitions: number }[] }>('GET', `${broker}/topics`).then(
    ({ topics }) => {
      target.empty();
      const filter = $(`<input type="text" class="kafka-sidebar-filter">`)
        .attr('placeholder', label('topics.filter'))
        .appendTo(target);
      const list = $('<div>').appendTo(target);
      for (const { topic, partitions } of topics) {
        const row = $('<div class="kafka-sidebar-topic">').attr('data-topic', topic).appendTo(list);
        const details = $('<div>').hide();
        $('<a href="#">')
          .text(`${topic} (${partitions})`)
          .on('click', (event) => {
            event.preventDefault();
            details.toggle();
            if (details.is(':visible')) endOffsets(details, broker, topic);
          })
          .appendTo(row);
        details.appendTo(row);
      }
      filter.on('input', () => {
        const text = String(filter.val()).toLowerCase();
        list.children().each((_index, row) => {
          $(row).toggle(String($(row).attr('data-topic')).toLowerCase().includes(text));
        });
      });
    },
    (error: Error) => target.text(error.message),
  );
}

function endOffsets(target: JQuery, broker: string, topic: string): void {
  target.text(label('loading'));
  call<{ partitions: { partition: number; offset: number }[] }>(
    'GET',
    `${broker}/topic-offsets?topic=${encodeURIComponent(topic)}&at=latest`,
  ).then(
    ({ partitions }) => {
      const rows = partitions
        .map(({ partition, offset }) => `<tr><td>${partition}</td><td>${offset}</td></tr>`)
        .join('');
      target.html(
        `<table class="kafka-sidebar-table"><tr><th>${label('partition')}</th><th>${label('groups.end')}</th></tr>${rows}</table>`,
      );
      peekForm(target, broker, topic);
    },
    (error: Error) => target.text(esc(error.message)),
  );
}

/** Newest records (or from a time on), in a chosen format; the runtime joins no group for it. */
function peekForm(target: JQuery, broker: string, topic: string): void {
  const form = $('<div class="kafka-sidebar-peek">').appendTo(target);
  const count = $('<input type="number" min="1" max="100" class="kafka-sidebar-peek-count">')
    .val(20)
    .appendTo(form);
  const format = $('<select class="kafka-sidebar-peek-format">').appendTo(form);
  for (const choice of ['auto', 'text', 'hex', 'schema-registry'])
    $('<option>')
      .val(choice)
      .text(label(`topics.format.${choice}`))
      .appendTo(format);
  const from = $('<input type="text" class="kafka-sidebar-peek-from">')
    .attr('placeholder', label('topics.from'))
    .appendTo(form);
  const records = $('<div class="kafka-sidebar-peek-records">');
  $('<button type="button" class="red-ui-button kafka-sidebar-peek-show">')
    .text(label('topics.peek'))
    .on('click', () => {
      records.text(label('loading'));
      const query = $.param({ topic, count: count.val(), format: format.val(), from: from.val() });
      call<{ records: PeekedRecord[] }>('GET', `${broker}/peek?${query}`).then(
        (answer) => records.html(recordTable(answer.records)),
        (error: Error) => records.html(`<div class="kafka-sidebar-failure">${esc(error.message)}</div>`),
      );
    })
    .appendTo(form);
  records.appendTo(form);
}

function recordTable(records: PeekedRecord[]): string {
  const rows = records
    .map(
      (record) =>
        `<tr><td>${record.partition}</td><td>${record.offset}</td><td>${esc(new Date(record.timestamp).toISOString())}</td>` +
        `<td>${esc(record.key ?? '')}</td><td>${esc(JSON.stringify(record.headers))}</td>` +
        `<td class="kafka-sidebar-peek-value">${esc(typeof record.value === 'string' ? record.value : JSON.stringify(record.value))}${record.error ? ` <span class="kafka-sidebar-failure">${esc(record.error)}</span>` : ''}</td></tr>`,
    )
    .join('');
  return (
    `<table class="kafka-sidebar-table"><tr><th>${label('partition')}</th><th>${label('topics.offset')}</th><th>${label('topics.timestamp')}</th>` +
    `<th>${label('topics.key')}</th><th>${label('topics.headers')}</th><th>${label('topics.value')}</th></tr>${rows}</table>`
  );
}
