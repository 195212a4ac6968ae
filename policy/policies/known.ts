// During a preview the engine cannot know some values yet (an id or name a provider assigns), and
// @pulumi/policy throws UnknownValueError on reading one, which turns the whole policy into a
// "can't be known during preview" note. Reading through here lets a policy check what is known.
// The class comes from the module the engine's server uses (the package's index would load that
// server too), typed here because the package's proxy.d.ts declares nothing.
const { UnknownValueError } = require('@pulumi/policy/proxy') as { UnknownValueError: new (...args: never[]) => Error };

export const NOT_KNOWN: unique symbol = Symbol('not known until the resource exists');

/** The value `get` reads, or NOT_KNOWN when it is one the engine does not know yet. */
export function known<T>(get: () => T): T | typeof NOT_KNOWN {
  try {
    return get();
  } catch (e) {
    if (e instanceof UnknownValueError) return NOT_KNOWN;
    throw e;
  }
}
