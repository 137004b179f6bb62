import should from 'should';
import { CompressionTypes } from 'kafkajs';
import { resolveProduceSettings, type ProduceConfig } from '../../src/settings/produce-settings';

function settingsOf(config: ProduceConfig) {
  const result = resolveProduceSettings(config);
  if ('problem' in result) throw new Error(`unexpected problem ${result.problem.key}`);
  return result.settings;
}

describe('produce settings', () => {
  it('applies the defaults', () => {
    const { subjectOf, ...settings } = settingsOf({});
    should(settings).eql({
      topic: undefined,
      key: undefined,
      acks: -1,
      idempotent: false,
      compression: 'none',
      kafkajsCompression: CompressionTypes.None,
      sendTimeout: 30000,
      messageFormat: 'auto',
    });
    should(subjectOf('orders')).equal('orders-value');
  });

  it("encodes with the schema_subject's latest schema, blank meaning <topic>-value", () => {
    const registry = { message_format: 'schema-registry' };
    should(settingsOf(registry).subjectOf('orders')).equal('orders-value');
    should(settingsOf({ ...registry, schema_subject: '  ' }).subjectOf('orders')).equal('orders-value');
    should(settingsOf({ ...registry, schema_subject: ' order-v2 ' }).subjectOf('orders')).equal('order-v2');
  });

  it('reads idempotent only with acks all, where the broker can tell a retried request', () => {
    should(settingsOf({ idempotent: true }).idempotent).equal(true);
    should(settingsOf({ idempotent: 'true', acks: 'all' }).idempotent).equal(true);
    should(settingsOf({ idempotent: true, acks: 'leader' }).idempotent).equal(false);
    should(resolveProduceSettings({ idempotent: 'yes' }))
      .have.propertyByPath('problem', 'key')
      .equal('invalid-idempotent');
  });

  it('names the first setting that is wrong', () => {
    should(resolveProduceSettings({ acks: 'some', send_timeout: 0 })).eql({
      problem: { key: 'invalid-acks', setting: 'acks', params: { setting: 'acks', value: 'some' } },
    });
    should(resolveProduceSettings({ send_timeout: '1.5' }))
      .have.propertyByPath('problem', 'setting')
      .equal('send_timeout');
  });
});
