// setupFiles of the jest project `unit-node-http`: the client-facing server tests run with
// node:http reading clients' HTTP/1.1 (the fallback of proxy/src/server/h1/http1-server-kind.ts);
// proxy processes inherit it.
process.env.PORTICO_HTTP1_SERVER = 'node';
