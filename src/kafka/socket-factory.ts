import net from 'node:net';
import tls from 'node:tls';
import type { ISocketFactory } from 'kafkajs';

const KEEP_ALIVE_MS = 60000;

/**
 * kafkajs's own sockets, with Nagle's algorithm switched off. Kafka requests are small and often
 * follow one another (a fetch, then a heartbeat); with Nagle on, the second waits for the first's
 * delayed ACK, which adds tens of milliseconds to the time a record takes to reach the flow.
 */
export const noDelaySocketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
  const socket = ssl
    ? tls.connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), ...ssl }, onConnect)
    : net.connect({ host, port }, onConnect);
  socket.setNoDelay(true);
  socket.setKeepAlive(true, KEEP_ALIVE_MS);
  return socket;
};
