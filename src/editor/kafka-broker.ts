// The kafka-broker config node in the editor. The build bundles this file, with the setting rules it uses,
// into the script of dist/nodes/kafka-broker.html; the Flow Library reads the type name and category there.
import { BROKER_VERSION } from '../settings/migrations';
import { BROKER_RULES, DEFAULT_CLIENT_ID, text } from '../settings/setting-rules';
import { fillChoices, ruleProperty } from './setting-fields';

/** What the runtime's connection and registry checks answer. */
interface CheckResponse {
  topics?: string[];
  subjects?: string[];
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
    use_tls: ruleProperty('kafka-broker', BROKER_RULES.use_tls),
    tls: { value: '', type: 'tls-config', required: false },
    sasl_mechanism: ruleProperty('kafka-broker', BROKER_RULES.sasl_mechanism),
    oauth_token_url: ruleProperty('kafka-broker', BROKER_RULES.oauth_token_url),
    oauth_client_id: ruleProperty('kafka-broker', BROKER_RULES.oauth_client_id),
    oauth_scope: ruleProperty('kafka-broker', BROKER_RULES.oauth_scope),
    oauth_audience: ruleProperty('kafka-broker', BROKER_RULES.oauth_audience),
    aws_region: ruleProperty('kafka-broker', BROKER_RULES.aws_region),
    schema_registry_url: ruleProperty('kafka-broker', BROKER_RULES.schema_registry_url),
  },
  credentials: {
    username: { type: 'text' },
    password: { type: 'password' },
    oauth_client_secret: { type: 'password' },
    aws_access_key_id: { type: 'text' },
    aws_secret_access_key: { type: 'password' },
    aws_session_token: { type: 'password' },
    schema_registry_username: { type: 'text' },
    schema_registry_password: { type: 'password' },
  },
  label() {
    return text(this.name) || text(this.brokers) || 'kafka-broker';
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

    const registryUrl = $('#node-config-input-schema_registry_url');
    registryUrl
      .on('change keyup', () => {
        $('.kafka-broker-registry-row').toggle(String(registryUrl.val() ?? '').trim() !== '');
      })
      .trigger('change');

    // The two checks send the form's settings; an unchanged stored password shows as __PWRD__, and
    // the runtime then uses the stored one of this node (sent as id).
    const formSettings = (): Record<string, unknown> => {
      const tls = $('#node-config-input-tls').val();
      const request: Record<string, unknown> = {
        brokers: $('#node-config-input-brokers').val(),
        client_id: $('#node-config-input-client_id').val(),
        sasl_mechanism: mechanism.val(),
        username: $('#node-config-input-username').val(),
        tls: tls && tls !== '_ADD_' ? tls : '',
        schema_registry_url: registryUrl.val(),
        schema_registry_username: $('#node-config-input-schema_registry_username').val(),
      };
      for (const secret of ['password', 'schema_registry_password']) {
        const value = $(`#node-config-input-${secret}`).val();
        if (value === STORED_PASSWORD) request.id = node.id;
        else request[secret] = value;
      }
      return request;
    };
    const check = (
      button: JQuery,
      result: JQuery,
      url: string,
      messages: { testing: string; failed: string },
      show: (response: CheckResponse) => string | undefined,
    ): void => {
      const showError = (message: unknown): void => {
        result
          .addClass('kafka-broker-topics-error')
          .text(node._(messages.failed, { error: text(message) || '?' }));
      };
      button.prop('disabled', true);
      result.removeClass('kafka-broker-topics-error').text(node._(messages.testing)).show();
      $.ajax({
        url,
        method: 'POST',
        contentType: 'application/json',
        dataType: 'json',
        data: JSON.stringify(formSettings()),
      })
        .done((response: CheckResponse | undefined) => {
          const text = response ? show(response) : undefined;
          if (text === undefined) showError(response?.error);
          else result.text(text);
        })
        .fail((xhr) => {
          const body = xhr.responseJSON as { error?: string; message?: string } | undefined;
          showError(body?.error || body?.message || `${xhr.status} ${xhr.statusText || ''}`);
        })
        .always(() => {
          button.prop('disabled', false);
        });
    };
    /** A sorted list under a heading, or the text for none. */
    const listing = (names: string[], heading: string, none: string): string => {
      const sorted = names.slice().sort();
      return sorted.length === 0
        ? node._(none)
        : node._(heading, { count: sorted.length }) + '\n' + sorted.join('\n');
    };

    // Test connection: the runtime lists the cluster's topics with the settings in the form.
    $('#node-config-kafka-broker-test').on('click', function () {
      check(
        $(this),
        $('#node-config-kafka-broker-topics'),
        'kafka-trigger/broker/topics',
        { testing: 'kafka-broker.test.testing', failed: 'kafka-broker.test.failed' },
        (response) =>
          Array.isArray(response.topics)
            ? listing(response.topics, 'kafka-broker.test.topics', 'kafka-broker.test.no-topics')
            : undefined,
      );
    });
    // Test registry: the runtime asks the Schema Registry for its subjects.
    $('#node-config-kafka-broker-registry-test').on('click', function () {
      check(
        $(this),
        $('#node-config-kafka-broker-subjects'),
        'kafka-trigger/broker/schema-registry',
        { testing: 'kafka-broker.registry.testing', failed: 'kafka-broker.registry.failed' },
        (response) =>
          Array.isArray(response.subjects)
            ? listing(
                response.subjects,
                'kafka-broker.registry.subjects',
                'kafka-broker.registry.no-subjects',
              )
            : undefined,
      );
    });
  },
});
