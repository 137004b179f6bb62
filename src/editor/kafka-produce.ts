// The kafka-produce node in the editor. The build bundles this file, with the setting rules it uses, into
// the script of dist/nodes/kafka-produce.html. The Flow Library reads that script: the type name and the
// category, color, icon, inputs and outputs must stay literals, and `defaults` an inline object.
import { PRODUCE_VERSION } from '../settings/migrations';
import {
  PRODUCE_RULES,
  type Acks,
  type Compression,
  type ProduceMessageFormat,
  text,
} from '../settings/setting-rules';
import { dialogTabs, type DialogTab } from './dialog-tabs';
import { fillChoices, ruleProperty, showInTheirModes } from './setting-fields';

const ACKS_LABELS: Record<Acks, string> = {
  all: 'kafka-produce.acks.all',
  leader: 'kafka-produce.acks.leader',
  none: 'kafka-produce.acks.none',
};
const COMPRESSION_LABELS: Record<Compression, string> = {
  none: 'kafka-produce.compression.none',
  gzip: 'kafka-produce.compression.gzip',
  snappy: 'kafka-produce.compression.snappy',
  lz4: 'kafka-produce.compression.lz4',
  zstd: 'kafka-produce.compression.zstd',
};

const MESSAGE_FORMAT_LABELS: Record<ProduceMessageFormat, string> = {
  auto: 'kafka-produce.message_format.auto',
  'schema-registry': 'kafka-produce.message_format.schema-registry',
};

/** What to write first; acks, idempotence, compression and the send timeout are rarely changed. */
const TABS: readonly DialogTab[] = [
  { id: 'kafka-produce-tab-write', label: 'kafka-produce.tabs.write' },
  { id: 'kafka-produce-tab-advanced', label: 'kafka-produce.tabs.advanced' },
];

RED.nodes.registerType('kafka-produce', {
  category: 'network',
  color: '#b9c3cc',
  defaults: {
    name: { value: '' },
    version: { value: PRODUCE_VERSION },
    broker: { value: '', type: 'kafka-broker', required: false },
    topic: ruleProperty('kafka-produce', PRODUCE_RULES.topic),
    key: ruleProperty('kafka-produce', PRODUCE_RULES.key),
    acks: ruleProperty('kafka-produce', PRODUCE_RULES.acks),
    idempotent: ruleProperty('kafka-produce', PRODUCE_RULES.idempotent),
    compression: ruleProperty('kafka-produce', PRODUCE_RULES.compression),
    send_timeout: ruleProperty('kafka-produce', PRODUCE_RULES.send_timeout),
    message_format: ruleProperty('kafka-produce', PRODUCE_RULES.message_format),
    schema_subject: ruleProperty('kafka-produce', PRODUCE_RULES.schema_subject),
  },
  inputs: 1,
  outputs: 1,
  icon: 'kafka-produce.svg',
  align: 'right',
  paletteLabel: 'kafka produce',
  inputLabels() {
    return this._('kafka-produce.inputs.messages');
  },
  outputLabels() {
    return this._('kafka-produce.outputs.written');
  },
  label() {
    return text(this.name) || text(this.topic) || 'kafka-produce';
  },
  labelStyle() {
    return this.name ? 'node_label_italic' : '';
  },
  oneditprepare() {
    const node = this;
    dialogTabs(node, 'node-input-kafka-produce-tabs', TABS);
    $('#node-input-send_timeout').attr('placeholder', String(PRODUCE_RULES.send_timeout.defaultValue));
    fillChoices(
      $('#node-input-acks'),
      PRODUCE_RULES.acks,
      (choice) => node._(ACKS_LABELS[choice]),
      node.acks,
    );
    fillChoices(
      $('#node-input-compression'),
      PRODUCE_RULES.compression,
      (choice) => node._(COMPRESSION_LABELS[choice]),
      node.compression,
    );
    fillChoices(
      $('#node-input-message_format'),
      PRODUCE_RULES.message_format,
      (choice) => node._(MESSAGE_FORMAT_LABELS[choice]),
      node.message_format,
    );
    // The subject shows only with the registry, idempotent only with acks from all replicas.
    showInTheirModes('kafka-produce', PRODUCE_RULES);
  },
});
