import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_CLOSED_REQUEST } from '../../src/http/error-handler.js';
import { httpRequestDuration } from '../../src/observability/metrics.js';
import { waitUntil } from '../support/manager.js';
import { API_KEYS, JobsApiHarness, request } from './jobs-harness.js';

/** How many requests the HTTP histogram counted for POST /v1/jobs with `status`. */
async function countedWithStatus(status: string): Promise<number> {
  const { values } = await httpRequestDuration.get();
  const count = values.find(
    (v) =>
      v.metricName === 'batchkeeper_http_request_duration_seconds_count' &&
      v.labels.route === '/v1/jobs' &&
      v.labels.method === 'POST' &&
      v.labels.status === status,
  );
  return count?.value ?? 0;
}

/**
 * Sends a POST /v1/jobs whose Content-Length promises more than is sent, then destroys the
 * socket once the server has begun reading the body.
 */
async function abandonUpload(url: string, contentType: string, firstPart: string): Promise<void> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  socket.write(
    'POST /v1/jobs HTTP/1.1\r\n' +
      `Host: ${hostname}\r\n` +
      `Authorization: Bearer ${API_KEYS[0].key}\r\n` +
      `Content-Type: ${contentType}\r\n` +
      `Content-Length: ${firstPart.length + 100_000}\r\n\r\n` +
      firstPart,
  );
  await new Promise((resolve) => setImmediate(resolve));
  socket.destroy();
}

describe('a client that disconnects mid-upload', () => {
  let api: JobsApiHarness;
  let url: string;
  beforeAll(async () => {
    api = await JobsApiHarness.open({ manager: { worker: false } });
    url = await api.listen();
  });
  afterAll(() => api.close());

  it.each([
    ['a JSON body', 'application/json', `{"requests":[${JSON.stringify(request('gone'))},`],
    ['an NDJSON body', 'application/x-ndjson', `${JSON.stringify(request('gone'))}\n{"cust`],
  ])(
    'is a client abort for %s: counted as 499, logged at info, nothing written',
    async (_name, contentType, part) => {
      const before = await api.snapshot();
      const counted = await countedWithStatus(String(CLIENT_CLOSED_REQUEST));
      const logged = api.logs.lines.length;

      await abandonUpload(url, contentType, part);
      await waitUntil(async () => (await countedWithStatus('499')) > counted);

      const lines = api.logs.lines.slice(logged);
      expect(lines.find((line) => line.msg === 'unhandled error')).toBeUndefined();
      expect(lines.filter((line) => line.level === 'error')).toEqual([]);
      expect(
        lines.find((line) => line.msg === 'the client closed the connection mid-request'),
      ).toMatchObject({ level: 'info' });
      expect(await countedWithStatus('500')).toBe(0);
      expect(await api.snapshot()).toEqual(before);
    },
  );
});
