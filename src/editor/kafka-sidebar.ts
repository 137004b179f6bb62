// The editor part of the Kafka sidebar plugin: a tab `kafka` with the deployed nodes (live over
// comms), and a broker node's topics and consumer groups. The build bundles this file into
// dist/plugins/kafka-sidebar.html.
import { renderDeployed, type DeployedUpdate } from './sidebar/deployed-view';
import { call, editor, label } from './sidebar/editor-api';
import { showGroups } from './sidebar/groups-view';
import { showTopics } from './sidebar/topics-view';

/** Matches the runtime's WATCH_RENEW_MS (src/sidebar/watchers.ts). */
const WATCH_RENEW_MS = 10000;

editor.plugins.registerPlugin('kafka-sidebar', {
  type: 'kafka-sidebar',
  onadd() {
    const content = $('<div id="kafka-sidebar" class="kafka-sidebar">');
    $('<h3>').text(label('deployed.title')).appendTo(content);
    const deployed = $('<div class="kafka-sidebar-deployed">').text(label('loading')).appendTo(content);
    $('<h3>').text(label('broker')).appendTo(content);
    const broker = $('<select class="kafka-sidebar-broker-choice">').appendTo(content);
    $('<h3>').text(label('topics.title')).appendTo(content);
    const topics = $('<div class="kafka-sidebar-topics">').appendTo(content);
    $('<h3>').text(label('groups.title')).appendTo(content);
    const groups = $('<div class="kafka-sidebar-groups">').appendTo(content);

    editor.sidebar.addTab({
      id: 'kafka',
      label: 'Kafka',
      name: 'Kafka',
      content,
      iconClass: 'fa fa-random',
      enableOnEdit: true,
    });
    editor.comms.subscribe('kafka-trigger/sidebar/deployed', (_topic, data) =>
      renderDeployed(deployed, data as DeployedUpdate),
    );

    const showBroker = (): void => {
      const id = String(broker.val() ?? '');
      if (!id) return;
      showTopics(topics, id);
      showGroups(groups, id);
    };
    broker.on('change', showBroker);
    let shownBefore = false;
    // The runtime polls Kafka only while a tab is open and visible somewhere: each says so in turn.
    const watch = (): void => {
      if (!content.is(':visible')) return void (shownBefore = false);
      void call('POST', 'watch').catch(() => undefined);
      if (shownBefore) return;
      shownBefore = true;
      call<{ brokers: { id: string; label: string }[] }>('GET', 'brokers').then(
        ({ brokers }) => {
          const chosen = broker.val();
          broker.empty();
          for (const { id, label: name } of brokers) $('<option>').val(id).text(name).appendTo(broker);
          if (chosen) broker.val(chosen);
          showBroker();
        },
        () => undefined,
      );
    };
    setInterval(watch, WATCH_RENEW_MS);
    // A newly shown tab asks at once rather than at the next renewal (a look at the page, no request).
    setInterval(() => {
      if (content.is(':visible') && !shownBefore) watch();
    }, 500);
  },
});
