import should from 'should';
import { resolveBrokerSettings } from '../../src/settings/broker-settings';

describe('broker settings', () => {
  it('applies the defaults: KAFKA_BROKERS, the package client id, no SASL', () => {
    should(resolveBrokerSettings({})).eql({
      settings: {
        brokers: [],
        clientId: 'node-red-kafka-trigger',
        useTls: false,
        mechanism: 'none',
        oauth: undefined,
        awsRegion: undefined,
        schemaRegistryUrl: undefined,
      },
    });
  });

  it('reads the broker list, the client id and the mechanism', () => {
    should(
      resolveBrokerSettings({
        brokers: 'k1:9092, k2:9093',
        client_id: 'orders',
        sasl_mechanism: 'scram-sha-256',
      }),
    ).eql({
      settings: {
        brokers: ['k1:9092', 'k2:9093'],
        clientId: 'orders',
        useTls: false,
        mechanism: 'scram-sha-256',
        oauth: undefined,
        awsRegion: undefined,
        schemaRegistryUrl: undefined,
      },
    });
  });

  it('names every entry that is not host:port, and an unknown mechanism', () => {
    should(resolveBrokerSettings({ brokers: 'k1:9092,kafka,k2:0' })).eql({
      problem: { key: 'invalid-broker', params: { broker: 'kafka, k2:0' }, setting: 'brokers' },
    });
    should(resolveBrokerSettings({ sasl_mechanism: 'gssapi' })).eql({
      problem: { key: 'invalid-sasl', params: { mechanism: 'gssapi' }, setting: 'sasl_mechanism' },
    });
  });

  it('reads the OAuth settings only with oauthbearer, and the region only with aws-msk-iam', () => {
    const oauth = {
      sasl_mechanism: 'oauthbearer',
      oauth_token_url: 'https://idp.example/token',
      oauth_client_id: 'node-red',
      oauth_scope: ' kafka ',
      aws_region: 'not a region',
    };
    should(resolveBrokerSettings(oauth)).have.propertyByPath('settings', 'oauth').eql({
      tokenUrl: 'https://idp.example/token',
      clientId: 'node-red',
      scope: 'kafka',
      audience: undefined,
    });
    should(resolveBrokerSettings({ ...oauth, oauth_token_url: 'idp/token' })).eql({
      problem: { key: 'invalid-token-url', params: { url: 'idp/token' }, setting: 'oauth_token_url' },
    });
    should(resolveBrokerSettings({ ...oauth, oauth_client_id: ' ' }))
      .have.propertyByPath('problem', 'key')
      .equal('missing-oauth-client-id');
    const msk = { sasl_mechanism: 'aws-msk-iam', aws_region: 'eu-central-1', oauth_token_url: 'x' };
    should(resolveBrokerSettings(msk)).have.propertyByPath('settings', 'awsRegion').equal('eu-central-1');
    should(resolveBrokerSettings({ ...msk, aws_region: 'Frankfurt' }))
      .have.propertyByPath('problem', 'key')
      .equal('invalid-aws-region');
  });

  it('reads use_tls as a boolean, from flow JSON or an environment variable', () => {
    for (const [value, expected] of [
      [true, true],
      ['true', true],
      [false, false],
      ['', false],
      [undefined, false],
    ] as const) {
      should(resolveBrokerSettings({ use_tls: value }))
        .have.propertyByPath('settings', 'useTls')
        .equal(expected);
    }
  });
});
