import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The receiver of the relay benchmark: a plain node:http server that reads each request's
 * body and answers 200 with no body. Run as `bin/run-ts bench/edges/webhook-receiver.server.ts`;
 * prints `listening <url>` once it listens on a free loopback port.
 */
const server = createServer((req, res) => {
  req.resume();
  req.once('end', () => {
    res.writeHead(200, { 'content-length': '0' });
    res.end();
  });
});
server.listen(0, '127.0.0.1', () => {
  console.log(`listening http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
