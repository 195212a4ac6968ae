// The start-up self-test of Node's internal parser binding (DEP0199): passes on this Node, and
// answers a reason, never a throw, when the binding is missing or behaves differently.
import { nativeParserClass, type NativeParserClass } from '../../proxy/src/upstream/h1/native-parser';
import { nativeParserSelfTest } from '../../proxy/src/upstream/h1/native-parser-self-test';

const Real = nativeParserClass()!;

/** The real class with one part changed (a subclass, so the binding itself is untouched). */
function variant(change: (cls: NativeParserClass & Record<string, unknown>) => void): NativeParserClass {
  const cls = class extends (Real as unknown as new () => object) {} as unknown as NativeParserClass & Record<string, unknown>;
  change(cls);
  return cls;
}

describe('native parser self-test', () => {
  it('passes on this Node', () => {
    expect(Real).not.toBeNull();
    expect(nativeParserSelfTest()).toBeNull();
  });

  it('names a missing module instead of throwing', () => {
    expect(nativeParserSelfTest(null)).toBe('node:_http_common HTTPParser is not available');
  });

  it('names a missing constant or method', () => {
    expect(nativeParserSelfTest(variant((c) => Object.defineProperty(c, 'kOnBody', { value: undefined })))).toBe('HTTPParser.kOnBody is missing');
    const noFree = variant((c) => Object.defineProperty(c.prototype, 'free', { value: undefined }));
    expect(nativeParserSelfTest(noFree)).toBe('HTTPParser.prototype.free is missing');
  });

  it('reports a parser whose behaviour changed, on one line', () => {
    // A binding whose execute stops delivering body chunks: the chunked case no longer matches.
    const mute = variant((c) => {
      const execute = Real.prototype.execute;
      c.prototype.execute = function (this: Record<number, unknown>, data: Buffer) {
        this[Real.kOnBody] = () => undefined;
        return execute.call(this, data);
      };
    });
    const reason = nativeParserSelfTest(mute);
    expect(reason).toMatch(/^100 Continue then chunked 200 with trailers: expected ".*body hello.*", got ".*"$/);
    expect(reason).not.toContain('\n');
  });

  it('turns a throwing binding into a reason', () => {
    const throwing = variant((c) => {
      c.prototype.initialize = () => {
        throw new Error('gone');
      };
    });
    expect(nativeParserSelfTest(throwing)).toBe('self-test threw: gone');
  });
});
