import { LearnTable } from '../../proxy/src/upstream/sticky/learn-table';
import { cookieValues, MAX_SAME_NAME } from '../../proxy/src/upstream/sticky/request-cookies';
import { setCookieValue } from '../../proxy/src/upstream/sticky/set-cookie';

describe('cookieValues', () => {
  it.each([
    [undefined, []],
    ['', []],
    ['sid=1', ['1']],
    ['a=1; sid=2; b=3', ['2']],
    ['xsid=1; sidx=2; sid=3', ['3']],
    ['sid="quoted"', ['quoted']],
    ['sid="', ['"']],
    ['sid = spaced ;', ['spaced']],
    ['\tsid=tab', ['tab']],
    ['sid=a=b', ['a=b']],
    ['sid', []],
    [';;;=;sid=;', ['']],
    ['SID=upper', []], // names are case-sensitive (RFC 6265)
    ['sid=1;sid=2; sid=3', ['1', '2', '3']],
  ])('%j -> %j', (header, expected) => {
    expect(cookieValues(header, 'sid')).toEqual(expected);
  });

  it(`keeps at most ${MAX_SAME_NAME} values of a name, however many are sent`, () => {
    const header = Array.from({ length: 100_000 }, (_, i) => `sid=${i}`).join('; ');
    expect(cookieValues(header, 'sid')).toEqual(['0', '1', '2', '3']);
  });
});

describe('setCookieValue', () => {
  it.each([
    ['connect.sid=s%3Aabc.def; Path=/; HttpOnly', 's%3Aabc.def'],
    ['connect.sid="q"; Path=/', 'q'],
    ['connect.sid=', ''],
    ['other=1; connect.sid=2', null],
    ['connect.sidx=1', null],
    ['connect.sid', null],
  ])('%j -> %j', (header, expected) => {
    expect(setCookieValue(header, 'connect.sid')).toBe(expected);
  });
});

describe('LearnTable', () => {
  it('forgets an entry unused for longer than the timeout, counting from its last use', () => {
    const table = new LearnTable(100, 10);
    table.learn('v', 'a', 0);
    expect(table.lookup('v', 90)).toBe('a');
    expect(table.lookup('v', 180)).toBe('a'); // 90 ms after its last use
    expect(table.lookup('v', 281)).toBeNull();
    expect(table.size).toBe(0);
  });

  it('evicts the least recently used entry past maxEntries', () => {
    const table = new LearnTable(1000, 2);
    table.learn('a', 's1', 0);
    table.learn('b', 's2', 1);
    table.lookup('a', 2);
    table.learn('c', 's3', 3);
    expect([table.lookup('a', 4), table.lookup('b', 4), table.lookup('c', 4)]).toEqual(['s1', null, 's3']);
  });

  it('rebinds a value the app sets again, and drops expired entries before evicting live ones', () => {
    const table = new LearnTable(100, 2);
    table.learn('a', 's1', 0);
    table.learn('a', 's2', 10);
    expect(table.lookup('a', 20)).toBe('s2');
    table.learn('b', 's1', 30);
    table.learn('c', 's3', 125); // a expired at 120: it goes, b stays
    expect([table.lookup('b', 126), table.lookup('c', 126)]).toEqual(['s1', 's3']);
  });

  it('applies a smaller bound at once on reconfiguration', () => {
    const table = new LearnTable(1000, 5);
    for (const v of ['a', 'b', 'c', 'd']) table.learn(v, 's', 0);
    table.configure(1000, 2);
    expect(table.size).toBe(2);
    expect(table.lookup('d', 1)).toBe('s');
  });
});
