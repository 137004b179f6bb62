import should from 'should';
import { BROKER_PRESETS, withPort } from '../../src/editor/broker-presets';
import { BROKER_RULES, isBrokerAddress } from '../../src/settings/setting-rules';

describe('broker presets', () => {
  describe('withPort', () => {
    it('replaces the port of every host:port entry', () => {
      should(withPort('a.example.com:9092,b.example.com:9094', 9096)).equal(
        'a.example.com:9096,b.example.com:9096',
      );
      should(withPort('[::1]:9092', 9093)).equal('[::1]:9093');
    });

    it('gives a host without a port the preset port, and trims the list', () => {
      should(withPort(' a.example.com , b.example.com:1 ', 9098)).equal(
        'a.example.com:9098,b.example.com:9098',
      );
      should(withPort('[fd00::1]', 9093)).equal('[fd00::1]:9093');
    });

    it('leaves an environment variable and what is not a host alone', () => {
      should(withPort('${KAFKA_BROKERS}', 9092)).equal('${KAFKA_BROKERS}');
      should(withPort('${HOST}:9092,::1', 9093)).equal('${HOST}:9092,::1');
    });
  });

  it('fill only values the rules accept, and show a broker list of the right form', () => {
    for (const preset of BROKER_PRESETS) {
      should(BROKER_RULES.sasl_mechanism.check(preset.mechanism)).eql({ value: preset.mechanism }, preset.id);
      if (preset.port === undefined) continue;
      should(preset.example.endsWith(`:${preset.port}`)).be.true(preset.id);
      should(isBrokerAddress(withPort(preset.example, preset.port))).be.true(preset.id);
    }
  });

  it('are the services of the issue, each with TLS but the local broker', () => {
    should(BROKER_PRESETS.map((preset) => [preset.id, preset.mechanism, preset.useTls, preset.port])).eql([
      ['confluent-cloud', 'plain', true, 9092],
      ['msk-iam', 'aws-msk-iam', true, 9098],
      ['msk-scram', 'scram-sha-512', true, 9096],
      ['event-hubs', 'plain', true, 9093],
      ['aiven', 'scram-sha-256', true, undefined],
      ['redpanda-cloud', 'scram-sha-256', true, 9092],
      ['local', 'none', false, 9092],
    ]);
    should(BROKER_PRESETS.find((preset) => preset.id === 'event-hubs')?.username).equal('$ConnectionString');
  });
});
