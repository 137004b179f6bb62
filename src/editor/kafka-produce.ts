// The kafka-produce node in the editor. The build bundles this file, with the setting rules it uses, into
// the script of dist/nodes/kafka-produce.html. The Flow Library reads that script: the type name and the
// category, color, icon, inputs and outputs must stay literals, and `defaults` an inline object.
import { PRODUCE_VERSION } from '../settings/migrations';
import { PRODUCE_RULES, type Acks, type Compression } from '../settings/setting-rules';
import { fillChoices, ruleProperty } from './setting-fields';

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
    compression: ruleProperty('kafka-produce', PRODUCE_RULES.compression),
    send_timeout: ruleProperty('kafka-produce', PRODUCE_RULES.send_timeout),
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
    return String(this.name || this.topic || 'kafka-produce');
  },
  labelStyle() {
    return this.name ? 'node_label_italic' : '';
  },
  oneditprepare() {
    const node = this;
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
  },
});
