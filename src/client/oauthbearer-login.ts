import { KafkaJSSASLAuthenticationError, type AuthenticationProviderArgs, type Mechanism } from 'kafkajs';

const SEPARATOR = '\u0001';
/** kafkajs's class, whose typings leave out the message its constructor takes. */
const SaslAuthenticationError = KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error;

/**
 * SASL OAUTHBEARER (RFC 7628) as kafkajs's own mechanism does it, except for the broker's answer:
 * a broker that refuses the token answers with an error challenge rather than an error code, which
 * kafkajs 2.2.4 takes for success, and the broker then closes the connection (a "disconnected"
 * badge instead of "auth failed"). Here such a challenge fails the login with the broker's status.
 */
export function oauthBearerLogin(token: () => Promise<string>): Mechanism {
  return {
    mechanism: 'oauthbearer',
    authenticationProvider: ({ saslAuthenticate }: AuthenticationProviderArgs) => ({
      authenticate: async () => {
        let value: string;
        try {
          value = await token();
        } catch (error) {
          await endExchange(saslAuthenticate);
          // Thrown as is: it says why there is no token (refused secret, endpoint down).
          throw error;
        }
        const message = Buffer.from(`n,,${SEPARATOR}auth=Bearer ${value}${SEPARATOR}${SEPARATOR}`);
        const challenge = await saslAuthenticate<Buffer>({
          request: { encode: () => withLength(message) },
          response: { decode: (raw) => raw, parse: (raw) => withoutLength(raw) },
        });
        if (challenge && challenge.length > 0) {
          throw new SaslAuthenticationError(
            `SASL OAUTHBEARER: the broker refused the token (${refusalStatus(challenge)})`,
          );
        }
      },
    }),
  };
}

/**
 * kafkajs has sent the handshake before it asks for the token, and keeps the connection when the
 * login fails; its next attempt would send a second handshake, which the broker answers with
 * ILLEGAL_SASL_STATE instead of the real reason. A message without a token ends the exchange: the
 * broker refuses it and closes the connection, and the next attempt starts on a fresh one.
 */
async function endExchange(saslAuthenticate: AuthenticationProviderArgs['saslAuthenticate']): Promise<void> {
  const withoutToken = Buffer.from(`n,,${SEPARATOR}${SEPARATOR}`);
  await saslAuthenticate({ request: { encode: () => withLength(withoutToken) } }).catch(() => undefined);
}

/** Kafka frames SASL bytes with a 4-byte length, in requests and in kafkajs's view of answers. */
function withLength(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function withoutLength(raw: Buffer): Buffer {
  if (raw.length < 4) return Buffer.alloc(0);
  const length = raw.readInt32BE(0);
  return length > 0 ? raw.subarray(4, 4 + length) : Buffer.alloc(0);
}

/** The `status` of RFC 7628's error challenge (`invalid_token`, ...), bounded, never the token. */
export function refusalStatus(challenge: Buffer): string {
  try {
    const { status } = JSON.parse(challenge.toString('utf8')) as { status?: unknown };
    if (typeof status === 'string' && /^[\w.-]{1,64}$/.test(status)) return status;
  } catch {
    // Not the JSON the RFC describes: say so without quoting it.
  }
  return 'no status given';
}
