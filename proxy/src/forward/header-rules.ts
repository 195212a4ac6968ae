// Per-route header rules, compiled once: remove by name, then set (value templates may use $vars).
import type { ResolvedHeaderRules } from '../config/resolved';
import { compileTemplate, type Template, type TemplateContext } from '../template';

/** What node:http accepts in a header value (its checkInvalidHeaderChar): no CR, LF, NUL or other controls. */
const INVALID_VALUE_CHAR = /[^\t\x20-\x7e\x80-\xff]/;

export function isValidHeaderValue(value: string): boolean {
  return !INVALID_VALUE_CHAR.test(value);
}

export class HeaderRules {
  readonly empty: boolean;
  /** Some set value uses a variable, so it must be checked per request (constants were checked at load). */
  private readonly dynamic: boolean;
  private readonly remove: Set<string>;
  private readonly set: [name: string, value: Template][];

  constructor(rules: ResolvedHeaderRules) {
    this.set = rules.set.map(([name, value]) => [name, compileTemplate(value)]);
    // A set header replaces any header of that name.
    this.remove = new Set([...rules.remove, ...rules.set.map(([name]) => name)]);
    this.empty = this.remove.size === 0;
    this.dynamic = this.set.some(([, value]) => value.constant !== true);
  }

  /**
   * True when a value would not be a valid header value for this request (the request gets 400).
   * Costs nothing for rules without variables.
   */
  rejects(ctx: TemplateContext): boolean {
    if (!this.dynamic) return false;
    for (const [, value] of this.set) {
      if (value.constant !== true && !isValidHeaderValue(value(ctx))) return true;
    }
    return false;
  }

  /**
   * Applies the rules to a flat [name, value, ...] list of lowercased-or-not names. A dynamic value
   * that is not a valid header value is left out (rejects() turns such requests away first), so
   * it can neither split a head written raw nor make writeHead throw.
   */
  apply(headers: string[], ctx: TemplateContext): string[] {
    if (this.empty) return headers;
    const out: string[] = [];
    for (let i = 0; i < headers.length; i += 2) {
      if (!this.remove.has(headers[i].toLowerCase())) out.push(headers[i], headers[i + 1]);
    }
    for (const [name, value] of this.set) {
      const v = value(ctx);
      if (v !== '' && (value.constant === true || isValidHeaderValue(v))) out.push(name, v);
    }
    return out;
  }
}
