// The kafka-admin node in the editor. The build bundles this file, with the setting rules it uses, into
// the script of dist/nodes/kafka-admin.html. The Flow Library reads that script: the type name and the
// category, color, icon, inputs and outputs must stay literals, and `defaults` an inline object.
import { ADMIN_VERSION } from '../settings/migrations';
import { ADMIN_RULES, text } from '../settings/setting-rules';
import { ruleProperty } from './setting-fields';

RED.nodes.registerType('kafka-admin', {
  category: 'network',
  color: '#b9c3cc',
  defaults: {
    name: { value: '' },
    version: { value: ADMIN_VERSION },
    broker: { value: '', type: 'kafka-broker', required: false },
    allow_delete: ruleProperty('kafka-admin', ADMIN_RULES.allow_delete),
  },
  inputs: 1,
  outputs: 1,
  icon: 'kafka-admin.svg',
  paletteLabel: 'kafka admin',
  inputLabels() {
    return this._('kafka-admin.inputs.actions');
  },
  outputLabels() {
    return this._('kafka-admin.outputs.results');
  },
  label() {
    return text(this.name) || 'kafka-admin';
  },
  labelStyle() {
    return this.name ? 'node_label_italic' : '';
  },
});
