import { ProxyConfig } from './schema';

/** The JSON Schema text as checked in: stable key order, 2-space indent, trailing newline. */
export function schemaJson(): string {
  return `${JSON.stringify(ProxyConfig, null, 2)}\n`;
}
