// Per-route header rules, compiled once: remove by name, then set (value templates may use $vars).
import type { ResolvedHeaderRules } from '../config/resolved';
import { compileTemplate, type Template, type TemplateContext } from '../template';

export class HeaderRules {
  readonly empty: boolean;
  private readonly remove: Set<string>;
  private readonly set: [name: string, value: Template][];

  constructor(rules: ResolvedHeaderRules) {
    this.set = rules.set.map(([name, value]) => [name, compileTemplate(value)]);
    // A set header replaces any header of that name.
    this.remove = new Set([...rules.remove, ...rules.set.map(([name]) => name)]);
    this.empty = this.remove.size === 0;
  }

  /** Applies the rules to a flat [name, value, ...] list of lowercased-or-not names. */
  apply(headers: string[], ctx: TemplateContext): string[] {
    if (this.empty) return headers;
    const out: string[] = [];
    for (let i = 0; i < headers.length; i += 2) {
      if (!this.remove.has(headers[i].toLowerCase())) out.push(headers[i], headers[i + 1]);
    }
    for (const [name, value] of this.set) {
      const v = value(ctx);
      if (v !== '') out.push(name, v);
    }
    return out;
  }
}
