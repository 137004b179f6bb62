// Test certificates made fresh for each run with openssl: nothing secret is ever committed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestCertificates {
  dir: string;
  /** PEM text of the CA that signed the broker's and the client's certificates. */
  ca: string;
  /** PEM text of a CA that signed nothing here: trusting only it makes the broker untrusted. */
  otherCa: string;
  clientCert: string;
  clientKey: string;
  /** Files for the broker: its PEM key store (key and certificate) and its PEM trust store. */
  brokerKeyStore: string;
  brokerTrustStore: string;
  /** PEM text of the broker's key and certificate (localhost, 127.0.0.1), for other test servers too. */
  serverKey: string;
  serverCert: string;
  remove(): void;
}

export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(path.join(tmpdir(), 'kafka-trigger-certs-'));
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

  const makeCa = (name: string) =>
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
    );
  const makeSigned = (name: string, altNames: string) => {
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
    );
    writeFileSync(file(`${name}.ext`), `subjectAltName=${altNames}\n`);
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    );
  };

  makeCa('ca');
  makeCa('other-ca');
  makeSigned('broker', 'DNS:localhost,IP:127.0.0.1');
  makeSigned('client', 'DNS:node-red-client');
  const read = (name: string) => readFileSync(file(name), 'utf8');
  writeFileSync(file('broker-keystore.pem'), read('broker.key') + read('broker.crt'));

  return {
    dir,
    ca: read('ca.pem'),
    otherCa: read('other-ca.pem'),
    clientCert: read('client.crt'),
    clientKey: read('client.key'),
    brokerKeyStore: file('broker-keystore.pem'),
    brokerTrustStore: file('ca.pem'),
    serverKey: read('broker.key'),
    serverCert: read('broker.crt'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
