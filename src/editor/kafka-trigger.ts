// The kafka-trigger node in the editor. The build bundles this file, with the setting rules it uses, into
// the script of dist/nodes/kafka-trigger.html. The Flow Library reads that script: the type name and the
// category, color, icon, inputs and outputs must stay literals, and `defaults` an inline object.
import { TRIGGER_MIGRATIONS, TRIGGER_VERSION, migrate } from '../settings/migrations';
import {
  TRIGGER_RULES,
  defaultGroupId,
  heartbeatProblem,
  isTopicPattern,
  text,
  type DeliveryMode,
  type IsolationLevel,
  type KeyFormat,
  type MessageFormat,
  type Output,
  type StartFrom,
} from '../settings/setting-rules';
import { dialogTabs, type DialogTab } from './dialog-tabs';
import { fillChoices, problemMessage, ruleProperty, showInTheirModes } from './setting-fields';

const START_FROM_LABELS: Record<StartFrom, string> = {
  newest: 'kafka-trigger.start_from.newest',
  earliest: 'kafka-trigger.start_from.earliest',
  timestamp: 'kafka-trigger.start_from.timestamp',
};
const DELIVERY_LABELS: Record<DeliveryMode, string> = {
  handoff: 'kafka-trigger.delivery.handoff',
  complete: 'kafka-trigger.delivery.complete',
  'exactly-once': 'kafka-trigger.delivery.exactly-once',
};
const ISOLATION_LEVEL_LABELS: Record<IsolationLevel, string> = {
  read_committed: 'kafka-trigger.isolation_level.read_committed',
  read_uncommitted: 'kafka-trigger.isolation_level.read_uncommitted',
};
const MESSAGE_FORMAT_LABELS: Record<MessageFormat, string> = {
  auto: 'kafka-trigger.message_format.auto',
  text: 'kafka-trigger.message_format.text',
  buffer: 'kafka-trigger.message_format.buffer',
  'schema-registry': 'kafka-trigger.message_format.schema-registry',
};
const KEY_FORMAT_LABELS: Record<KeyFormat, string> = {
  text: 'kafka-trigger.key_format.text',
  buffer: 'kafka-trigger.key_format.buffer',
  'schema-registry': 'kafka-trigger.key_format.schema-registry',
};
const OUTPUT_LABELS: Record<Output, string> = {
  record: 'kafka-trigger.output.record',
  batch: 'kafka-trigger.output.batch',
};
/** The dialog's tabs: what to read, what a msg holds, how records are delivered, and the rest. */
const TABS: readonly DialogTab[] = [
  { id: 'kafka-trigger-tab-read', label: 'kafka-trigger.tabs.read' },
  { id: 'kafka-trigger-tab-message', label: 'kafka-trigger.tabs.message' },
  { id: 'kafka-trigger-tab-delivery', label: 'kafka-trigger.tabs.delivery' },
  { id: 'kafka-trigger-tab-advanced', label: 'kafka-trigger.tabs.advanced' },
];
/** The number fields, whose placeholder shows what a blank value means. */
const NUMBER_SETTINGS = [
  'session_timeout',
  'heartbeat_interval',
  'max_in_flight',
  'complete_timeout',
  'transaction_interval',
  'metrics_interval',
  'max_batch_size',
  'max_batch_wait',
  'topic_refresh_interval',
] as const;

RED.nodes.registerType('kafka-trigger', {
  category: 'network',
  color: '#b9c3cc',
  defaults: {
    name: { value: '' },
    version: { value: TRIGGER_VERSION },
    broker: { value: '', type: 'kafka-broker', required: false },
    topic: ruleProperty('kafka-trigger', TRIGGER_RULES.topic),
    topic_refresh_interval: ruleProperty('kafka-trigger', TRIGGER_RULES.topic_refresh_interval),
    consumer_group: ruleProperty('kafka-trigger', TRIGGER_RULES.consumer_group),
    start_from: ruleProperty('kafka-trigger', TRIGGER_RULES.start_from),
    session_timeout: ruleProperty('kafka-trigger', TRIGGER_RULES.session_timeout),
    heartbeat_interval: {
      value: TRIGGER_RULES.heartbeat_interval.defaultValue,
      validate(value, _options) {
        const heartbeat = TRIGGER_RULES.heartbeat_interval.check(value);
        if ('problem' in heartbeat) return problemMessage(this, 'kafka-trigger', heartbeat.problem);
        // A session timeout that is itself wrong, or an ${ENV_VAR}, is reported on its own field.
        const session = TRIGGER_RULES.session_timeout.check(sessionTimeoutOf(this));
        const problem = 'value' in session ? heartbeatProblem(heartbeat.value, session.value) : undefined;
        return problem ? problemMessage(this, 'kafka-trigger', problem) : true;
      },
    },
    delivery: ruleProperty('kafka-trigger', TRIGGER_RULES.delivery),
    max_in_flight: ruleProperty('kafka-trigger', TRIGGER_RULES.max_in_flight),
    complete_timeout: ruleProperty('kafka-trigger', TRIGGER_RULES.complete_timeout),
    dead_letter_topic: ruleProperty('kafka-trigger', TRIGGER_RULES.dead_letter_topic),
    transaction_interval: ruleProperty('kafka-trigger', TRIGGER_RULES.transaction_interval),
    isolation_level: ruleProperty('kafka-trigger', TRIGGER_RULES.isolation_level),
    metrics_interval: ruleProperty('kafka-trigger', TRIGGER_RULES.metrics_interval),
    message_format: ruleProperty('kafka-trigger', TRIGGER_RULES.message_format),
    key_format: ruleProperty('kafka-trigger', TRIGGER_RULES.key_format),
    output: ruleProperty('kafka-trigger', TRIGGER_RULES.output),
    max_batch_size: ruleProperty('kafka-trigger', TRIGGER_RULES.max_batch_size),
    max_batch_wait: ruleProperty('kafka-trigger', TRIGGER_RULES.max_batch_wait),
    outputs: { value: 1 },
    // Control messages and replay: the input port exists only with control on (set in oneditsave).
    control: ruleProperty('kafka-trigger', TRIGGER_RULES.control),
    start_timestamp: ruleProperty('kafka-trigger', TRIGGER_RULES.start_timestamp),
    inputs: { value: 0 },
  },
  inputs: 0,
  outputs: 1,
  icon: 'kafka-trigger.svg',
  paletteLabel: 'kafka trigger',
  inputLabels() {
    return this._('kafka-trigger.inputs.control');
  },
  outputLabels(index) {
    return this._(index === 0 ? 'kafka-trigger.outputs.records' : 'kafka-trigger.outputs.metrics');
  },
  label() {
    return text(this.name) || text(this.topic) || 'kafka-trigger';
  },
  labelStyle() {
    return this.name ? 'node_label_italic' : '';
  },
  oneditprepare() {
    const node = this;
    dialogTabs(node, 'node-input-kafka-trigger-tabs', TABS);
    $('#node-input-consumer_group').attr('placeholder', defaultGroupId(node.id));
    for (const setting of NUMBER_SETTINGS) {
      $(`#node-input-${setting}`).attr('placeholder', String(TRIGGER_RULES[setting].defaultValue));
    }
    const label = (key: string): string => node._(key);
    fillChoices(
      $('#node-input-start_from'),
      TRIGGER_RULES.start_from,
      (choice) => label(START_FROM_LABELS[choice]),
      node.start_from,
    );
    fillChoices(
      $('#node-input-delivery'),
      TRIGGER_RULES.delivery,
      (choice) => label(DELIVERY_LABELS[choice]),
      deliveryAtDeploy(node),
    );
    fillChoices(
      $('#node-input-isolation_level'),
      TRIGGER_RULES.isolation_level,
      (choice) => label(ISOLATION_LEVEL_LABELS[choice]),
      node.isolation_level,
    );
    fillChoices(
      $('#node-input-message_format'),
      TRIGGER_RULES.message_format,
      (choice) => label(MESSAGE_FORMAT_LABELS[choice]),
      node.message_format,
    );
    fillChoices(
      $('#node-input-key_format'),
      TRIGGER_RULES.key_format,
      (choice) => label(KEY_FORMAT_LABELS[choice]),
      node.key_format,
    );
    fillChoices(
      $('#node-input-output'),
      TRIGGER_RULES.output,
      (choice) => label(OUTPUT_LABELS[choice]),
      node.output,
    );
    topicPicker(node);
    // Re-check the heartbeat whenever the session timeout it must stay below changes.
    $('#node-input-session_timeout').on('change keyup paste', () => {
      $('#node-input-heartbeat_interval').trigger('change');
    });
    // The start time, the settings of complete and exactly-once delivery, the batch settings and the
    // refresh interval show only in their modes.
    showInTheirModes('kafka-trigger', TRIGGER_RULES);
  },
  oneditsave() {
    // A metrics interval adds the second output.
    const metrics = TRIGGER_RULES.metrics_interval.check($('#node-input-metrics_interval').val());
    this.outputs = 'value' in metrics && metrics.value > 0 ? 2 : 1;
    // Control messages come in on an input port, which only a controlled trigger has (as mqtt-in's dynamic mode).
    this.inputs = $('#node-input-control').is(':checked') ? 1 : 0;
  },
});

/**
 * The delivery the runtime will use: a node written before complete became the default, with no
 * delivery, is migrated to hand-off at deploy, so its dialog shows hand-off rather than the new default.
 */
function deliveryAtDeploy(node: EditorNode): unknown {
  return migrate({ version: node.version, delivery: node.delivery }, TRIGGER_MIGRATIONS).delivery;
}

/** While the edit dialog is open, the form holds the session timeout being edited. */
function sessionTimeoutOf(node: EditorNode): unknown {
  const input = $('#node-input-session_timeout');
  return input.length ? input.val() : node.session_timeout;
}

// --- Topic lists and patterns ---

/** What the runtime's topic listing (the broker dialog's connection test route) answers. */
interface TopicsResponse {
  topics?: string[];
  error?: string;
}

/**
 * "list topics" lists the selected broker's topics (through the broker dialog's connection test route,
 * with the broker node's stored credentials): clicking one adds it to the comma-separated list.
 */
function topicPicker(node: EditorNode): void {
  const topic = $('#node-input-topic');
  const result = $('#node-input-kafka-trigger-topics');
  const button = $('#node-input-kafka-trigger-list-topics');
  const show = (text: string): void => void result.empty().text(text).show();
  button.on('click', () => {
    const brokerId = String($('#node-input-broker').val() ?? '');
    const broker = brokerId && brokerId !== '_ADD_' ? RED.nodes.node(brokerId) : undefined;
    // No broker node: the runtime falls back to KAFKA_BROKERS, as the trigger does.
    const request = broker
      ? {
          id: broker.id,
          brokers: broker.brokers,
          client_id: broker.client_id,
          sasl_mechanism: broker.sasl_mechanism,
          tls: broker.tls,
          username: (broker.credentials as { username?: string } | undefined)?.username,
        }
      : {};
    button.prop('disabled', true);
    show(node._('kafka-trigger.topics.listing'));
    $.ajax({
      url: 'kafka-trigger/broker/topics',
      method: 'POST',
      contentType: 'application/json',
      dataType: 'json',
      data: JSON.stringify(request),
    })
      .done((response: TopicsResponse | undefined) => {
        const topics = response?.topics;
        if (!Array.isArray(topics))
          return show(node._('kafka-trigger.topics.failed', { error: String(response?.error || '?') }));
        if (topics.length === 0) return show(node._('kafka-trigger.topics.none'));
        result.empty().append($('<div>').text(node._('kafka-trigger.topics.pick')));
        for (const name of topics.slice().sort()) {
          $('<a>')
            .text(name)
            .on('click', () => addTopic(topic, name))
            .appendTo(result);
        }
        result.show();
      })
      .fail((xhr) => {
        const body = xhr.responseJSON as { error?: string; message?: string } | undefined;
        const error = body?.error || body?.message || `${xhr.status} ${xhr.statusText || ''}`;
        show(node._('kafka-trigger.topics.failed', { error }));
      })
      .always(() => void button.prop('disabled', false));
  });
}

/** Appends a topic to the field's comma-separated list (replacing a `/regex/`), once. */
function addTopic(field: JQuery, name: string): void {
  const current = String(field.val() ?? '').trim();
  const entries =
    current && !isTopicPattern(current) && !current.startsWith('${')
      ? current
          .split(',')
          .map((entry) => entry.trim())
          .filter((entry) => entry)
      : [];
  if (!entries.includes(name)) entries.push(name);
  field.val(entries.join(', ')).trigger('change');
}
