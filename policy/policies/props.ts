// Reading a resource's inputs, which arrive as untyped JSON (and, in a preview, may be unknown).

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Props = Record<string, any>;

/** `value` when it is a plain object, else undefined. */
export function objectOf(value: unknown): Props | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Props) : undefined;
}

/** `value` when it is an array, else []. */
export function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
