import type { ExpiringToken } from './token-cache';
import { AuthFailedError } from './failure';

/**
 * AWS's signer for MSK IAM tokens. An optional peer dependency (it brings about 70 AWS SDK packages),
 * loaded on the first token, so users who never log in to MSK neither install nor load it.
 */
export const MSK_SIGNER_PACKAGE = 'aws-msk-iam-sasl-signer-js';

type Signer = Pick<
  typeof import('aws-msk-iam-sasl-signer-js'),
  'generateAuthToken' | 'generateAuthTokenFromCredentialsProvider'
>;

/** The broker node's aws-msk-iam settings: its region and the optional credentials. */
export interface MskIamLogin {
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
}

/** A problem in the settings, a message key of kafka-broker.errors and its parameters. */
export interface MskIamProblem {
  key: 'aws-keys-incomplete' | 'aws-signer-missing';
  params: Record<string, string>;
}

/**
 * What stops aws-msk-iam before any token is signed: half a key pair (a typo, not a wish for the
 * credential chain), or the signer not installed. Checked at deploy, so neither becomes a retry loop.
 */
export function mskIamProblem(
  login: MskIamLogin,
  resolvePackage: (name: string) => string = require.resolve,
): { problem: MskIamProblem } | undefined {
  const given = {
    aws_access_key_id: Boolean(login.accessKeyId),
    aws_secret_access_key: Boolean(login.secretAccessKey),
    aws_session_token: Boolean(login.sessionToken),
  };
  const anyGiven = Object.values(given).some(Boolean);
  if (anyGiven && !(given.aws_access_key_id && given.aws_secret_access_key)) {
    const missing = given.aws_access_key_id ? 'aws_secret_access_key' : 'aws_access_key_id';
    const present = Object.keys(given).filter((name) => given[name as keyof typeof given]);
    return { problem: { key: 'aws-keys-incomplete', params: { given: present.join(', '), missing } } };
  }
  try {
    resolvePackage(MSK_SIGNER_PACKAGE);
  } catch {
    return { problem: { key: 'aws-signer-missing', params: { package: MSK_SIGNER_PACKAGE } } };
  }
  return undefined;
}

/**
 * The TokenCache's fetch for aws-msk-iam: a presigned kafka-cluster:Connect request for the region,
 * signed with the node's keys, or with the standard AWS credential chain when they are blank. The
 * cache calls it once per token lifetime (15 minutes, or less when the credentials expire sooner).
 */
export function mskIamTokenFetcher(
  login: MskIamLogin,
  loadSigner: () => Promise<Signer> = () => import('aws-msk-iam-sasl-signer-js'),
): () => Promise<ExpiringToken> {
  const { region, accessKeyId, secretAccessKey, sessionToken } = login;
  return async () => {
    const signer = await loadSigner().catch((error: unknown) => {
      throw new Error(
        `AWS MSK IAM could not load ${MSK_SIGNER_PACKAGE} (${messageOf(error)}): install it in the ` +
          `Node-RED user directory with "npm install ${MSK_SIGNER_PACKAGE}" and restart Node-RED`,
      );
    });
    const signed =
      accessKeyId && secretAccessKey
        ? signer.generateAuthTokenFromCredentialsProvider({
            region,
            awsCredentialsProvider: () => Promise.resolve({ accessKeyId, secretAccessKey, sessionToken }),
          })
        : signer.generateAuthToken({ region });
    const { token, expiryTime } = await signed.catch((error: unknown) => {
      throw signingError(error);
    });
    return { value: token, expiresAt: expiryTime };
  };
}

/** The credential chain found nothing, or refused: say where credentials come from. */
function signingError(error: unknown): Error {
  const name = error instanceof Error ? error.name : '';
  if (name === 'CredentialsProviderError') {
    return new AuthFailedError(
      `AWS MSK IAM found no usable AWS credentials (${messageOf(error)}): fill in the broker node's ` +
        'access key ID and secret access key, or give Node-RED credentials through the environment ' +
        '(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), a shared profile (AWS_PROFILE) or a container ' +
        'or instance role',
    );
  }
  return new Error(`AWS MSK IAM could not sign a login token: ${messageOf(error)}`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
