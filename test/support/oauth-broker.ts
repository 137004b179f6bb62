// A real Kafka broker with an OAUTHBEARER listener that checks RS256 JWTs against an identity
// provider's JWKS (Kafka's own OAuthBearerValidatorCallbackHandler, audience checked), beside a
// PLAINTEXT listener for the tests' own clients. Connections on the OAUTH listener must
// re-authenticate every REAUTH_MS, so a test longer than a token's lifetime proves the refresh.
import { startLocalKafka, type LocalKafka } from '../../scripts/kafka/local-kafka';

/** The broker's connections.max.reauth.ms on the OAUTH listener. */
export const REAUTH_MS = 15000;
export const OAUTH_AUDIENCE = 'kafka';

/** Starts the broker; the identity provider must already serve its JWKS at jwksUrl. */
export function startOAuthBroker(jwksUrl: string): Promise<LocalKafka> {
  return startLocalKafka({
    listeners: [
      { name: 'PLAINTEXT', protocol: 'PLAINTEXT' },
      {
        name: 'OAUTH',
        protocol: 'SASL_PLAINTEXT',
        extraConfig: {
          'sasl.enabled.mechanisms': 'OAUTHBEARER',
          'oauthbearer.sasl.jaas.config':
            'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;',
          'oauthbearer.sasl.server.callback.handler.class':
            'org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler',
          'oauthbearer.connections.max.reauth.ms': String(REAUTH_MS),
        },
      },
    ],
    brokerConfig: {
      'sasl.oauthbearer.jwks.endpoint.url': jwksUrl,
      'sasl.oauthbearer.expected.audience': OAUTH_AUDIENCE,
    },
    // Recent Kafka releases fetch only from URLs this system property allows.
    jvmOptions: [`-Dorg.apache.kafka.sasl.oauthbearer.allowed.urls=${jwksUrl}`],
  });
}
