// setupFiles of the jest project `unit-undici`: the client-facing proxy tests run against the
// fallback upstream client (proxy/src/upstream/undici-client.ts); proxy processes inherit it.
process.env.PORTICO_UPSTREAM_CLIENT = 'undici';
