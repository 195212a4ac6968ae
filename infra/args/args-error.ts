// Component argument errors, in one phrasing (STYLE 10): raised before any child is created,
// naming the component, the resource name and the argument.
export class ComponentArgsError extends Error {
  constructor(type: string, name: string, problem: string) {
    super(`${type} "${name}": ${problem}`);
    this.name = 'ComponentArgsError';
  }
}

/** Throws unless at most one of `fields` is set in `args`. */
export function atMostOneOf(type: string, name: string, args: object, fields: readonly string[]): void {
  const given = fields.filter((f) => (args as Record<string, unknown>)[f] !== undefined);
  if (given.length > 1) throw new ComponentArgsError(type, name, `only one of ${fields.join(', ')} can be given (got ${given.join(' and ')})`);
}
