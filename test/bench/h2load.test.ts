import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseH2load, requestLatency } from '../../bench/h2load';

// Real h2load 1.52 output (HTTPS/1.1 run, --h1), progress lines left out.
const h1 = readFileSync(path.join(__dirname, 'fixtures', 'h2load-h1.out'), 'utf8');

const report = (requests: string, codes: string, extra = '') =>
  `${extra}TLS Protocol: TLSv1.3\nCipher: TLS_AES_128_GCM_SHA256\nApplication protocol: h2\n\nfinished in 2.01s, 5000.00 req/s, 347.00KB/s\nrequests: ${requests}\nstatus codes: ${codes}\n`;

describe('parseH2load', () => {
  it('reads requests, rate, protocol and cipher from a real report', () => {
    expect(parseH2load(h1)).toEqual({
      requests: 14361,
      seconds: 1.01,
      rps: 14361,
      socketErrors: 0,
      non2xx3xx: 0,
      protocol: 'http/1.1',
      tls: 'TLSv1.3 TLS_AES_256_GCM_SHA384',
    });
  });

  it('counts 4xx/5xx apart from requests lost with their connection', () => {
    const r = parseH2load(report('100 total, 100 started, 100 done, 90 succeeded, 10 failed, 2 errored, 1 timeout', '88 2xx, 2 3xx, 6 4xx, 1 5xx'));
    expect(r.non2xx3xx).toBe(7);
    expect(r.socketErrors).toBe(3 + 2 + 1);
    expect(r.requests).toBe(90);
  });

  it('counts the clients whose connection the server closed (h2load does not reconnect)', () => {
    const closed = 'Process Request Failure:1\nProcess Request Failure:2\n';
    const r = parseH2load(report('10000 total, 10000 started, 10000 done, 10000 succeeded, 0 failed, 0 errored, 0 timeout', '10000 2xx, 0 3xx, 0 4xx, 0 5xx', closed));
    expect(r.socketErrors).toBe(2);
  });

  it('refuses a run in which no request succeeded', () => {
    expect(() => parseH2load(report('4458 total, 4460 started, 4458 done, 0 succeeded, 4458 failed, 0 errored, 0 timeout', '0 2xx, 0 3xx, 4459 4xx, 0 5xx'))).toThrow(
      'no request succeeded',
    );
  });

  it('names the line missing from a cut-off report', () => {
    expect(() => parseH2load(h1.slice(0, h1.indexOf('requests:')))).toThrow('requests line');
    expect(() => parseH2load('No protocol negotiated\n')).toThrow('"finished in" line');
  });

  it('reports no protocol when none was negotiated', () => {
    const r = parseH2load(report('1 total, 1 started, 1 done, 1 succeeded, 0 failed, 0 errored, 0 timeout', '1 2xx, 0 3xx, 0 4xx, 0 5xx').replace(/^Application protocol.*\n/m, ''));
    expect(r.protocol).toBe('(none)');
  });
});

describe('requestLatency', () => {
  it('takes nearest-rank p50 and p99 of the per-request durations (µs) in ms', () => {
    const rows = Array.from({ length: 100 }, (_, i) => `17963047086${i}\t200\t${(100 - i) * 1000}`);
    expect(requestLatency(rows.join('\n') + '\n')).toEqual({ p50Ms: 50, p99Ms: 99 });
  });

  it('has no percentiles for an empty log', () => {
    expect(requestLatency('')).toEqual({ p50Ms: NaN, p99Ms: NaN });
  });
});
