import { hostName, Router, type RoutableRoute } from '../../proxy/src/router';

type R = RoutableRoute & { name: string };
const route = (name: string, hosts: string[], path = '/', regex?: string): R => ({ name, hosts, path, pathRegex: regex ? new RegExp(regex) : null });

describe('router', () => {
  const router = new Router<R>([
    route('default', []),
    route('default-api', [], '/api/'),
    route('exact', ['app.test']),
    route('exact-static', ['app.test'], '/static/'),
    route('exact-images', ['app.test'], '/', '\\.(png|jpg)$'),
    route('wild', ['*.app.test']),
    route('wild-deeper', ['*.eu.app.test']),
    route('regex-host', ['~^api[0-9]+\\.test$']),
  ]);
  const match = (host: string, path: string) => router.match(host, path)?.name ?? null;

  it('prefers an exact host, then the longest wildcard, then a regex host, then no host', () => {
    expect(match('app.test', '/')).toBe('exact');
    expect(match('x.app.test', '/')).toBe('wild');
    expect(match('x.eu.app.test', '/')).toBe('wild-deeper');
    expect(match('api7.test', '/')).toBe('regex-host');
    expect(match('unknown.test', '/')).toBe('default');
  });

  it('takes the longest prefix, unless a regex route matches first', () => {
    expect(match('app.test', '/static/app.js')).toBe('exact-static');
    expect(match('app.test', '/static/logo.png')).toBe('exact-images');
    expect(match('other', '/api/users')).toBe('default-api');
    expect(match('other', '/apix')).toBe('default');
  });

  it('returns null when the host block has no matching location', () => {
    const r = new Router<R>([route('only', ['a.test'], '/x/')]);
    expect(r.match('a.test', '/y')).toBeNull();
    expect(r.match('b.test', '/x/')).toBeNull();
  });

  it('normalizes the Host header', () => {
    expect(hostName('Example.COM:8080')).toBe('example.com');
    expect(hostName('[::1]:80')).toBe('[::1]');
    expect(hostName(undefined)).toBe('');
  });
});
