import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../proxy/src/config/config-error';
import { configIssues, resolveConfig } from '../../proxy/src/config/load';
import { certDir, filesOf, makeCertificate } from '../helpers/tls-certs';

const base = {
  upstreams: { api: { servers: [{ address: '127.0.0.1:3000' }] } },
  routes: [{ proxy: { upstream: 'api' } }],
};

function issuesOf(value: unknown): string[] {
  try {
    resolveConfig(value, 'test');
    return [];
  } catch (err) {
    return (err as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
}

describe('TLS listener config', () => {
  it('reads each certificate with its SAN names and applies the TLS defaults', () => {
    const dir = certDir();
    const a = makeCertificate(dir, 'a', ['a.example.com', '*.example.com']);
    const b = makeCertificate(dir, 'b', ['B.example.org'], { rsa: true });
    const c = resolveConfig({ ...base, listeners: [{ port: 8443, tls: { certificates: [filesOf(a), filesOf(b)] } }, { port: 8080, redirectToHttps: true }] });
    const tls = c.listeners[0].tls!;
    expect(tls.certificates.map((x) => x.names)).toEqual([['a.example.com', '*.example.com'], ['b.example.org']]);
    expect(tls.certificates[0].notAfter).toBeGreaterThan(Date.now());
    expect(tls).toMatchObject({ hsts: null, http2: true, maxConcurrentStreams: 128, maxHeaderListSize: 32 * 1024 });
    expect(c.listeners[0].redirectToHttps).toBeNull();
    expect(c.listeners[1]).toMatchObject({ tls: null, redirectToHttps: 443 });
  });

  it('writes the HSTS header value from its settings', () => {
    const dir = certDir();
    const a = makeCertificate(dir, 'a', ['a.example.com']);
    const hsts = (h: object) => resolveConfig({ ...base, listeners: [{ port: 1, tls: { certificates: [filesOf(a)], hsts: h } }] }).listeners[0].tls!.hsts;
    expect(hsts({})).toBe('max-age=31536000');
    expect(hsts({ maxAge: '1h', includeSubDomains: true })).toBe('max-age=3600; includeSubDomains');
    expect(hsts({ maxAge: '9600h', includeSubDomains: true, preload: true })).toBe('max-age=34560000; includeSubDomains; preload');
  });

  it('names the field of a certificate or key file that is missing, not PEM, or not a pair', () => {
    const dir = certDir();
    const a = makeCertificate(dir, 'a', ['a.example.com']);
    const b = makeCertificate(dir, 'b', ['b.example.com']);
    const garbage = join(dir, 'garbage.pem');
    writeFileSync(garbage, '-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n');
    const issues = issuesOf({
      ...base,
      listeners: [
        {
          port: 8443,
          tls: {
            certificates: [
              { cert: join(dir, 'missing.crt'), key: a.key },
              { cert: a.cert, key: b.key },
              { cert: garbage, key: a.key },
              { cert: a.cert, key: a.cert },
              filesOf(a),
            ],
          },
        },
      ],
    });
    expect(issues).toEqual([
      expect.stringMatching(/^listeners\[0\]\.tls\.certificates\[0\]\.cert: cannot read .*missing\.crt: ENOENT$/),
      expect.stringMatching(/^listeners\[0\]\.tls\.certificates\[1\]\.key: .*b\.key: is not the key of .*a\.crt$/),
      expect.stringMatching(/^listeners\[0\]\.tls\.certificates\[2\]\.cert: .*garbage\.pem: not a PEM certificate/),
      expect.stringMatching(/^listeners\[0\]\.tls\.certificates\[3\]\.key: .*a\.crt: not an unencrypted PEM private key/),
    ]);
  });

  it('refuses redirectToHttps on a TLS listener, preload without its preconditions, and an empty certificate list', () => {
    const dir = certDir();
    const a = makeCertificate(dir, 'a', ['a.example.com']);
    expect(
      configIssues({
        ...base,
        listeners: [
          { port: 8443, redirectToHttps: true, tls: { certificates: [filesOf(a)], hsts: { maxAge: '24h', preload: true } } },
          { port: 8444, tls: { certificates: [] } },
          { port: 8080, redirectToHttps: 'yes' },
        ],
      }),
    ).toEqual([
      'listeners[1].tls.certificates: expected at least one certificate',
      'listeners[2].redirectToHttps: expected true, false or the HTTPS port',
    ]);
    expect(configIssues({ ...base, listeners: [{ port: 8443, redirectToHttps: 8443, tls: { certificates: [filesOf(a)], hsts: { maxAge: '24h', preload: true } } }] })).toEqual([
      'listeners[0].redirectToHttps: only for plain listeners (this one has tls)',
      'listeners[0].tls.hsts.preload: needs includeSubDomains (hstspreload.org)',
      'listeners[0].tls.hsts.maxAge: preload needs a max-age of at least one year',
    ]);
  });

  it('checks the shape without reading files when infra/ asks (configIssues)', () => {
    expect(configIssues({ ...base, listeners: [{ port: 443, tls: { certificates: [{ cert: '/etc/elsewhere.crt', key: '/etc/elsewhere.key' }] } }] })).toEqual([]);
  });
});
