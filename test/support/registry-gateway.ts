// A front with HTTP basic auth, over HTTPS or HTTP, for the real test registry: Apicurio 2.4.2 serves
// plain HTTP without users, so this gateway adds what a company's registry asks of a client, and
// forwards every request it lets through, unchanged, to the registry. It counts the requests it refused.
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface RegistryGateway {
  /** The registry's Confluent API through the gateway: http(s)://127.0.0.1:PORT/apis/ccompat/v7. */
  url: string;
  refused: number;
  close(): Promise<void>;
}

export async function startRegistryGateway(options: {
  target: string;
  username: string;
  password: string;
  /** Serve HTTPS with this key and certificate; plain HTTP without. */
  tls?: { key: string; cert: string };
}): Promise<RegistryGateway> {
  const target = new URL(options.target);
  const expected = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
  const gateway = { refused: 0 } as RegistryGateway;
  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    if (request.headers.authorization !== expected) {
      gateway.refused += 1;
      response.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic' });
      return void response.end('{"error_code":401,"message":"Unauthorized"}');
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const headers = Object.fromEntries(
        Object.entries(request.headers).filter(
          ([name]) => !['host', 'authorization', 'connection'].includes(name),
        ),
      ) as Record<string, string>;
      fetch(`${target.origin}${request.url ?? '/'}`, {
        method: request.method,
        headers,
        body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
      }).then(
        async (answer) => {
          response.writeHead(answer.status, {
            'content-type': answer.headers.get('content-type') ?? 'application/json',
          });
          response.end(Buffer.from(await answer.arrayBuffer()));
        },
        (error: unknown) => {
          response.writeHead(502);
          response.end(String(error));
        },
      );
    });
  };
  const server: Server = options.tls ? createHttpsServer(options.tls, handle) : createHttpServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  gateway.url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}${target.pathname}`;
  gateway.close = () => new Promise((resolve) => server.close(() => resolve()));
  return gateway;
}
