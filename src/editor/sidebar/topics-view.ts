// A broker node's topics with a filter box; clicking one shows its end offsets per partition.
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
    },
    (error: Error) => target.text(esc(error.message)),
  );
}
