// The kafka-broker config node in the editor. The build bundles this file, with the setting rules it uses,
// into the script of dist/nodes/kafka-broker.html; the Flow Library reads the type name and category there.
import { BROKER_VERSION } from '../settings/migrations';
import { BROKER_RULES, DEFAULT_CLIENT_ID } from '../settings/setting-rules';
import { fillChoices, ruleProperty } from './setting-fields';

/** What the runtime's connection test answers. */
interface TopicsResponse {
  topics?: string[];
  error?: string;
}

/** Node-RED's placeholder for a stored password the editor never sees. */
const STORED_PASSWORD = '__PWRD__';

RED.nodes.registerType('kafka-broker', {
  category: 'config',
  defaults: {
    name: { value: '' },
    version: { value: BROKER_VERSION },
    brokers: ruleProperty('kafka-broker', BROKER_RULES.brokers),
    client_id: ruleProperty('kafka-broker', BROKER_RULES.client_id),
    tls: { value: '', type: 'tls-config', required: false },
    sasl_mechanism: ruleProperty('kafka-broker', BROKER_RULES.sasl_mechanism),
  },
  credentials: {
    username: { type: 'text' },
    password: { type: 'password' },
  },
  label() {
    return String(this.name || this.brokers || 'kafka-broker');
  },
  oneditprepare() {
    const node = this;
    $('#node-config-input-client_id').attr('placeholder', DEFAULT_CLIENT_ID);
    const mechanism = $('#node-config-input-sasl_mechanism');
    fillChoices(
      mechanism,
      BROKER_RULES.sasl_mechanism,
      (choice) => (choice === 'none' ? node._('kafka-broker.sasl.none') : choice.toUpperCase()),
      node.sasl_mechanism,
    );
    mechanism
      .on('change', () => {
        $('.kafka-broker-sasl-row').toggle(mechanism.val() !== 'none');
      })
      .trigger('change');

    // Test connection: the runtime lists the cluster's topics with the settings in the form. An unchanged
    // stored password shows as __PWRD__; the runtime then uses the stored one of this node (sent as id).
    const result = $('#node-config-kafka-broker-topics');
    const showError = (message: unknown): void => {
      result
        .addClass('kafka-broker-topics-error')
        .text(node._('kafka-broker.test.failed', { error: String(message || '?') }));
    };
    $('#node-config-kafka-broker-test').on('click', function () {
      const button = $(this);
      const password = $('#node-config-input-password').val();
      const tls = $('#node-config-input-tls').val();
      const request: Record<string, unknown> = {
        brokers: $('#node-config-input-brokers').val(),
        client_id: $('#node-config-input-client_id').val(),
        sasl_mechanism: mechanism.val(),
        username: $('#node-config-input-username').val(),
        tls: tls && tls !== '_ADD_' ? tls : '',
      };
      if (password === STORED_PASSWORD) request.id = node.id;
      else request.password = password;
      button.prop('disabled', true);
      result.removeClass('kafka-broker-topics-error').text(node._('kafka-broker.test.testing')).show();
      $.ajax({
        url: 'kafka-trigger/broker/topics',
        method: 'POST',
        contentType: 'application/json',
        dataType: 'json',
        data: JSON.stringify(request),
      })
        .done((response: TopicsResponse | undefined) => {
          if (response && Array.isArray(response.topics)) {
            const topics = response.topics.slice().sort();
            result.text(
              topics.length === 0
                ? node._('kafka-broker.test.no-topics')
                : node._('kafka-broker.test.topics', { count: topics.length }) + '\n' + topics.join('\n'),
            );
          } else {
            showError(response?.error);
          }
        })
        .fail((xhr) => {
          const body = xhr.responseJSON as { error?: string; message?: string } | undefined;
          showError(body?.error || body?.message || `${xhr.status} ${xhr.statusText || ''}`);
        })
        .always(() => {
          button.prop('disabled', false);
        });
    });
  },
});
