// The kafka-broker config node in the editor. The build bundles this file, with the setting rules it uses,
// into the script of dist/nodes/kafka-broker.html; the Flow Library reads the type name and category there.
import { BROKER_MIGRATIONS, BROKER_VERSION, migrate } from '../settings/migrations';
import {
  BROKER_CREDENTIAL_MODES,
  BROKER_RULES,
  DEFAULT_CLIENT_ID,
  text,
  type SaslMechanism,
  type SettingMode,
} from '../settings/setting-rules';
import { BROKER_PRESETS, withPort, type BrokerPreset, type BrokerPresetId } from './broker-presets';
import { dialogTabs, type DialogTab } from './dialog-tabs';
import { fillChoices, ruleProperty, showInMode, showInTheirModes } from './setting-fields';

/** What the runtime's connection and registry checks answer. */
interface CheckResponse {
  topics?: string[];
  subjects?: string[];
  error?: string;
}

/** Node-RED's placeholder for a stored password the editor never sees. */
const STORED_PASSWORD = '__PWRD__';

/** The credentials the checks send as they are; the secrets among them may show STORED_PASSWORD. */
const TEXT_CREDENTIALS = ['username', 'aws_access_key_id', 'schema_registry_username'] as const;
const SECRETS = [
  'password',
  'oauth_client_secret',
  'aws_secret_access_key',
  'aws_session_token',
  'schema_registry_password',
] as const;
/** The settings the checks send as the form holds them (use_tls and tls apart). */
const FORM_SETTINGS = [
  'brokers',
  'client_id',
  'sasl_mechanism',
  'oauth_token_url',
  'oauth_client_id',
  'oauth_scope',
  'oauth_audience',
  'aws_region',
  'schema_registry_url',
] as const;

/** The mechanism select's readable names. */
const MECHANISM_LABELS: Record<SaslMechanism, string> = {
  none: 'kafka-broker.sasl.none',
  plain: 'kafka-broker.sasl.plain',
  'scram-sha-256': 'kafka-broker.sasl.scram-sha-256',
  'scram-sha-512': 'kafka-broker.sasl.scram-sha-512',
  oauthbearer: 'kafka-broker.sasl.oauthbearer',
  'aws-msk-iam': 'kafka-broker.sasl.aws-msk-iam',
};

const PRESET_LABELS: Record<BrokerPresetId, string> = {
  'confluent-cloud': 'kafka-broker.preset.confluent-cloud.label',
  'msk-iam': 'kafka-broker.preset.msk-iam.label',
  'msk-scram': 'kafka-broker.preset.msk-scram.label',
  'event-hubs': 'kafka-broker.preset.event-hubs.label',
  aiven: 'kafka-broker.preset.aiven.label',
  'redpanda-cloud': 'kafka-broker.preset.redpanda-cloud.label',
  local: 'kafka-broker.preset.local.label',
};

/** One line each: where the service's login comes from. */
const PRESET_HINTS: Record<BrokerPresetId, string> = {
  'confluent-cloud': 'kafka-broker.preset.confluent-cloud.hint',
  'msk-iam': 'kafka-broker.preset.msk-iam.hint',
  'msk-scram': 'kafka-broker.preset.msk-scram.hint',
  'event-hubs': 'kafka-broker.preset.event-hubs.hint',
  aiven: 'kafka-broker.preset.aiven.hint',
  'redpanda-cloud': 'kafka-broker.preset.redpanda-cloud.hint',
  local: 'kafka-broker.preset.local.hint',
};

/** The dialog's tabs: where the cluster is, how to log in to it, and the Schema Registry. */
const TABS: readonly DialogTab[] = [
  { id: 'kafka-broker-tab-connection', label: 'kafka-broker.tabs.connection' },
  { id: 'kafka-broker-tab-security', label: 'kafka-broker.tabs.security' },
  { id: 'kafka-broker-tab-registry', label: 'kafka-broker.tabs.registry' },
];

/** The TLS configuration row shows while Use TLS is ticked. */
const WITH_TLS: SettingMode = {
  setting: 'use_tls',
  matches: (value) => BROKER_RULES.use_tls.check(value).value,
};

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
    dialogTabs(node, 'node-config-kafka-broker-tabs', TABS);
    $('#node-config-input-client_id').attr('placeholder', DEFAULT_CLIENT_ID);
    const mechanism = $('#node-config-input-sasl_mechanism');
    fillChoices(
      mechanism,
      BROKER_RULES.sasl_mechanism,
      (choice) => node._(MECHANISM_LABELS[choice]),
      node.sasl_mechanism,
    );
    const useTls = $('#node-config-input-use_tls');
    useTls.prop('checked', useTlsAtDeploy(node));
    // Each mechanism's settings and credentials, and the TLS configuration, show only in their modes.
    showInTheirModes('kafka-broker', { ...BROKER_RULES, ...BROKER_CREDENTIAL_MODES });
    showInMode('kafka-broker', ['tls'], WITH_TLS);
    presetPicker(node);

    const registryUrl = $('#node-config-input-schema_registry_url');
    registryUrl
      .on('change keyup', () => {
        $('.kafka-broker-registry-row').toggle(String(registryUrl.val() ?? '').trim() !== '');
      })
      .trigger('change');

    // The two checks send the form's settings; an unchanged stored password shows as __PWRD__, and
    // the runtime then uses the stored one of this node (sent as id).
    const formSettings = (): Record<string, unknown> => {
      const request: Record<string, unknown> = { use_tls: useTls.is(':checked'), tls: chosenTls() };
      for (const name of [...FORM_SETTINGS, ...TEXT_CREDENTIALS, ...SECRETS]) {
        request[name] = $(`#node-config-input-${name}`).val();
      }
      if (SECRETS.some((secret) => request[secret] === STORED_PASSWORD)) request.id = node.id;
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
  oneditsave() {
    // Use TLS off means plain TCP: a TLS configuration left in its hidden row would still win.
    if (!$('#node-config-input-use_tls').is(':checked')) $('#node-config-input-tls').val('_ADD_');
  },
});

/** The chosen TLS configuration node's id, or blank (Node-RED's select says _ADD_ for none). */
function chosenTls(): string {
  const tls = $('#node-config-input-tls').val();
  return $('#node-config-input-use_tls').is(':checked') && tls && tls !== '_ADD_' ? String(tls) : '';
}

/**
 * Whether the runtime will use TLS: a node written before use_tls with a TLS configuration is
 * migrated to use_tls at deploy, so its dialog shows TLS on rather than the new setting's default.
 */
function useTlsAtDeploy(node: EditorNode): boolean {
  const migrated = migrate(
    { version: node.version, tls: node.tls, use_tls: node.use_tls },
    BROKER_MIGRATIONS,
  );
  return BROKER_RULES.use_tls.check(migrated.use_tls).value;
}

// --- Presets: an editor aid; the node stores only the settings a preset fills ---

/** Fills the preset select; picking a service fills its usual settings and shows where its login comes from. */
function presetPicker(node: EditorNode): void {
  const select = $('#node-config-kafka-broker-preset');
  const hint = $('#node-config-kafka-broker-preset-hint');
  select.append(
    $('<option>').val('').text(node._('kafka-broker.preset.choose')),
    BROKER_PRESETS.map((preset) => $('<option>').val(preset.id).text(node._(PRESET_LABELS[preset.id]))),
  );
  select.on('change', () => {
    const preset = BROKER_PRESETS.find((candidate) => candidate.id === select.val());
    if (!preset) return void hint.hide();
    applyPreset(preset);
    hint.text(node._(PRESET_HINTS[preset.id])).show();
  });
}

/** The preset's mechanism, TLS and port (on the brokers typed, else in the placeholder), and its fixed user name. */
function applyPreset(preset: BrokerPreset): void {
  $('#node-config-input-sasl_mechanism').val(preset.mechanism).trigger('change');
  $('#node-config-input-use_tls').prop('checked', preset.useTls).trigger('change');
  const brokers = $('#node-config-input-brokers');
  const typed = String(brokers.val() ?? '');
  if (typed.trim() === '') brokers.attr('placeholder', preset.example);
  else if (preset.port !== undefined) brokers.val(withPort(typed, preset.port)).trigger('change');
  if (preset.username) $('#node-config-input-username').val(preset.username).trigger('change');
}
